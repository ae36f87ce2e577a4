//! Lenient decoding helpers: Camunda (and engines imitating it) send `null` for empty maps and
//! lists, and dates in its own `yyyy-MM-dd'T'HH:mm:ss.SSSZ` form; neither may fail a decode.

use chrono::{DateTime, FixedOffset, TimeZone};
use serde::{Deserialize, Deserializer, Serializer};

/// Camunda's date format, `yyyy-MM-dd'T'HH:mm:ss.SSS+hhmm` (RFC-822 offset, no colon).
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f%z";

/// A date as Camunda writes and reads it, e.g. `2013-01-23T14:42:45.000+0200`.
pub fn format_date<Tz: TimeZone>(date: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    date.format(DATE_FORMAT).to_string()
}

/// Parses Camunda's format, and also RFC 3339 (`Z`, `+hh:mm`, any fraction) that other engines
/// and clients send.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
}

/// `null` (or a missing field, with `#[serde(default)]`) decodes as the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An optional date field: an unparseable date reads as absent instead of failing the decode.
pub mod opt_date {
    use super::*;

    pub fn deserialize<'de, D>(deserializer: D) -> Result<Option<DateTime<FixedOffset>>, D::Error>
    where
        D: Deserializer<'de>,
    {
        let text = Option::<String>::deserialize(deserializer)?;
        Ok(text.as_deref().and_then(|t| {
            let parsed = parse_date(t);
            if parsed.is_none() {
                tracing::debug!(date = t, "camunda: unparseable date ignored");
            }
            parsed
        }))
    }

    pub fn serialize<S>(
        date: &Option<DateTime<FixedOffset>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
    {
        match date {
            Some(d) => serializer.serialize_str(&format_date(d)),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_use_camundas_format_and_accept_iso() {
        let d = parse_date("2013-01-23T14:42:45.000+0200").expect("camunda form");
        assert_eq!(format_date(&d), "2013-01-23T14:42:45.000+0200");
        let utc = parse_date("2013-01-23T12:42:45Z").expect("Z");
        assert_eq!(format_date(&utc), "2013-01-23T12:42:45.000+0000");
        assert_eq!(
            parse_date("2013-01-23T14:42:45.5+02:00"),
            Some(d + chrono::Duration::milliseconds(500))
        );
        assert_eq!(parse_date("yesterday"), None);
    }
}

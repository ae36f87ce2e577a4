//! [`Record`]: one log event as ordered key/value pairs — level, target, message, the fields of
//! every enclosing span (outermost first, so `request_id`, `trace_id`, `span_id` appear on every
//! line of a request), then the event's own fields. Serializes as a JSON object / msgpack map.

use std::borrow::Cow;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use tracing::Level;
use tracing::field::{Field, Visit};

/// Keys the record sets itself; a span or event field with one of these names is prefixed
/// with `field.` instead of overwriting it.
const RESERVED: &[&str] = &["timestamp", "level", "target", "message", "span"];

/// One event's fields in order, without duplicate keys (a later value replaces an earlier one).
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    fields: Vec<(Cow<'static, str>, Value)>,
}

impl Record {
    pub(crate) fn with_capacity(n: usize) -> Record {
        Record {
            fields: Vec::with_capacity(n),
        }
    }

    /// Sets `key`, replacing an earlier value in place.
    pub(crate) fn set(&mut self, key: Cow<'static, str>, value: Value) {
        match self.fields.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((key, value)),
        }
    }

    /// Sets a field from a span or event, keeping clear of the reserved keys.
    pub(crate) fn set_field(&mut self, name: &'static str, value: Value) {
        let key = if RESERVED.contains(&name) {
            Cow::Owned(format!("field.{name}"))
        } else {
            Cow::Borrowed(name)
        };
        self.set(key, value);
    }

    /// Copies every field of `other` in (replacing same-named ones).
    pub(crate) fn extend_from(&mut self, other: &Record) {
        for (key, value) in &other.fields {
            self.set(key.clone(), value.clone());
        }
    }

    /// The value of `key`, if set.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (key, value) in &self.fields {
            map.serialize_entry(key.as_ref(), value)?;
        }
        map.end()
    }
}

/// The level as the JSON logs spell it.
pub(crate) fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARN",
        Level::INFO => "INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    }
}

/// Collects the fields of an event or span. An event's `message` goes to `message`.
pub(crate) struct FieldVisitor<'a> {
    pub(crate) record: &'a mut Record,
    pub(crate) message: Option<String>,
}

impl<'a> FieldVisitor<'a> {
    pub(crate) fn new(record: &'a mut Record) -> Self {
        FieldVisitor {
            record,
            message: None,
        }
    }

    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.record.set_field(field.name(), value);
        }
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        // NaN and infinities have no JSON number: they are written as text.
        let value = serde_json::Number::from_f64(value)
            .map_or_else(|| Value::String(value.to_string()), Value::Number);
        self.put(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::String(value.to_owned()));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::String(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::String(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_values_replace_and_reserved_names_are_prefixed() {
        let mut r = Record::default();
        r.set(Cow::Borrowed("level"), Value::from("INFO"));
        r.set_field("request_id", Value::from("a"));
        r.set_field("request_id", Value::from("b"));
        r.set_field("level", Value::from("mine"));
        assert_eq!(r.get("request_id"), Some(&Value::from("b")));
        assert_eq!(r.get("level"), Some(&Value::from("INFO")));
        assert_eq!(r.get("field.level"), Some(&Value::from("mine")));
        let json = serde_json::to_string(&r).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"level":"INFO","request_id":"b","field.level":"mine"}"#
        );
    }
}

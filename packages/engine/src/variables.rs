//! Process variables as Camunda types them: `{value, type, valueInfo}`. Type names are parsed
//! case-insensitively (the JS client sends `string`), inferred from the JSON value when missing
//! (the Python client sends `{"value": x}` only) and always emitted capitalized.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A variable's Camunda type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueType {
    String,
    Integer,
    Long,
    Short,
    Double,
    Boolean,
    Date,
    Json,
    Xml,
    Object,
    Null,
    Bytes,
    File,
}

impl ValueType {
    const ALL: [ValueType; 13] = [
        ValueType::String,
        ValueType::Integer,
        ValueType::Long,
        ValueType::Short,
        ValueType::Double,
        ValueType::Boolean,
        ValueType::Date,
        ValueType::Json,
        ValueType::Xml,
        ValueType::Object,
        ValueType::Null,
        ValueType::Bytes,
        ValueType::File,
    ];

    /// The canonical (capitalized) name.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "String",
            ValueType::Integer => "Integer",
            ValueType::Long => "Long",
            ValueType::Short => "Short",
            ValueType::Double => "Double",
            ValueType::Boolean => "Boolean",
            ValueType::Date => "Date",
            ValueType::Json => "Json",
            ValueType::Xml => "Xml",
            ValueType::Object => "Object",
            ValueType::Null => "Null",
            ValueType::Bytes => "Bytes",
            ValueType::File => "File",
        }
    }

    /// Parses a type name case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }
}

/// Why a variable value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("variable '{name}': {reason}")]
pub struct VariableError {
    pub name: String,
    pub reason: String,
}

/// A typed variable value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypedValue {
    #[serde(rename = "t")]
    pub kind: ValueType,
    #[serde(rename = "v")]
    pub value: Value,
    #[serde(rename = "i", default, skip_serializing_if = "Map::is_empty")]
    pub info: Map<String, Value>,
}

/// Variables by name.
pub type Variables = BTreeMap<String, TypedValue>;

/// The date format Camunda writes: `yyyy-MM-dd'T'HH:mm:ss.SSSZ` with an RFC-822 offset.
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f%z";

/// Formats a timestamp as Camunda does.
pub fn format_date(at: DateTime<Utc>) -> String {
    at.format(DATE_FORMAT).to_string()
}

/// Parses a date-time: Camunda's format, RFC 3339 (`Z`, `+hh:mm`), `+hhmm` offsets, minutes
/// without seconds; a date-time without a zone is read as UTC.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at);
    }
    for format in [DATE_FORMAT, "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Some(at);
        }
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .into_iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc().fixed_offset())
}

impl TypedValue {
    pub fn new(kind: ValueType, value: Value) -> Self {
        Self {
            kind,
            value,
            info: Map::new(),
        }
    }

    pub fn null() -> Self {
        Self::new(ValueType::Null, Value::Null)
    }

    /// A value as it arrives over REST: `type` parsed case-insensitively or inferred.
    pub fn from_rest(
        name: &str,
        value: Value,
        kind: Option<&str>,
        info: Map<String, Value>,
    ) -> Result<Self, VariableError> {
        let fail = |reason: String| VariableError {
            name: name.to_owned(),
            reason,
        };
        let Some(kind) = kind.filter(|k| !k.is_empty()) else {
            return Ok(Self {
                info,
                ..Self::infer(value)
            });
        };
        let kind = ValueType::parse(kind)
            .ok_or_else(|| fail(format!("unsupported value type '{kind}'")))?;
        let value = match (kind, value) {
            (_, Value::Null) => Value::Null,
            (ValueType::String, Value::String(s)) => Value::String(s),
            (ValueType::String, v @ (Value::Number(_) | Value::Bool(_))) => {
                Value::String(v.to_string())
            }
            (ValueType::Integer | ValueType::Long | ValueType::Short, v) => {
                let n = match &v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| fail(format!("cannot convert {v} to {}", kind.name())))?;
                let fits = match kind {
                    ValueType::Integer => i32::try_from(n).is_ok(),
                    ValueType::Short => i16::try_from(n).is_ok(),
                    _ => true,
                };
                if !fits {
                    return Err(fail(format!("{n} is out of range for {}", kind.name())));
                }
                Value::from(n)
            }
            (ValueType::Double, v) => {
                let n = match &v {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| fail(format!("cannot convert {v} to Double")))?;
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or_else(|| fail(format!("{n} is not a finite number")))?
            }
            (ValueType::Boolean, Value::Bool(b)) => Value::Bool(b),
            (ValueType::Boolean, Value::String(s)) if s == "true" || s == "false" => {
                Value::Bool(s == "true")
            }
            (ValueType::Date, Value::String(s)) => {
                let at = parse_date(&s).ok_or_else(|| {
                    fail(format!("'{s}' is not a date (yyyy-MM-dd'T'HH:mm:ss.SSSZ)"))
                })?;
                Value::String(at.format(DATE_FORMAT).to_string())
            }
            (ValueType::Json, Value::String(s)) => {
                serde_json::from_str::<Value>(&s)
                    .map_err(|e| fail(format!("the Json value does not parse: {e}")))?;
                Value::String(s)
            }
            (ValueType::Json, v @ (Value::Object(_) | Value::Array(_))) => {
                Value::String(v.to_string())
            }
            (
                ValueType::Xml | ValueType::Object | ValueType::Bytes | ValueType::File,
                Value::String(s),
            ) => Value::String(s),
            (ValueType::Null, v) => {
                return Err(fail(format!("a Null value must be null, not {v}")));
            }
            (kind, v) => return Err(fail(format!("cannot convert {v} to {}", kind.name()))),
        };
        Ok(Self { kind, value, info })
    }

    /// Types a value that came without a type (or from an expression) by its JSON shape.
    pub fn infer(value: Value) -> Self {
        match value {
            Value::Null => Self::null(),
            Value::Bool(_) => Self::new(ValueType::Boolean, value),
            Value::String(_) => Self::new(ValueType::String, value),
            Value::Number(ref n) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => Self::new(ValueType::Integer, value),
                Some(_) => Self::new(ValueType::Long, value),
                None => Self::new(ValueType::Double, value),
            },
            Value::Array(_) | Value::Object(_) => {
                Self::new(ValueType::Json, Value::String(value.to_string()))
            }
        }
    }

    /// The value as expressions see it: Json parsed into objects and arrays.
    pub fn to_expression_value(&self) -> Value {
        match (self.kind, &self.value) {
            (ValueType::Json, Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
            _ => self.value.clone(),
        }
    }

    /// Whether the value is transient (`valueInfo.transient: true`): used, never stored.
    pub fn is_transient(&self) -> bool {
        self.info.get("transient").and_then(Value::as_bool) == Some(true)
    }
}

impl fmt::Display for TypedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.kind.name(), self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_are_case_insensitive_inferred_and_checked() {
        let v = TypedValue::from_rest("a", json!("x"), Some("string"), Map::new()).expect("string");
        assert_eq!(v.kind, ValueType::String);
        assert_eq!(
            TypedValue::from_rest("a", json!(5), None, Map::new())
                .expect("inferred")
                .kind,
            ValueType::Integer
        );
        assert_eq!(
            TypedValue::infer(json!(5_000_000_000_i64)).kind,
            ValueType::Long
        );
        assert_eq!(TypedValue::infer(json!(1.5)).kind, ValueType::Double);
        assert_eq!(
            TypedValue::infer(json!({"a": 1})).to_expression_value(),
            json!({"a": 1})
        );
        assert!(
            TypedValue::from_rest("a", json!(5_000_000_000_i64), Some("Integer"), Map::new())
                .is_err()
        );
        assert!(TypedValue::from_rest("a", json!("x"), Some("Tensor"), Map::new()).is_err());
        assert!(TypedValue::from_rest("a", json!("{bad"), Some("json"), Map::new()).is_err());
        let date = TypedValue::from_rest(
            "d",
            json!("2026-01-02T03:04:05.000Z"),
            Some("date"),
            Map::new(),
        )
        .expect("date");
        assert_eq!(date.value, json!("2026-01-02T03:04:05.000+0000"));
        assert!(TypedValue::from_rest("d", json!("yesterday"), Some("Date"), Map::new()).is_err());
    }
}

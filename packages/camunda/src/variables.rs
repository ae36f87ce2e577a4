//! Camunda's typed variable values, `{value, type, valueInfo}`, and the maps of them that every
//! start, complete, correlate and fetch carries.
//!
//! Outgoing values always carry the capitalized type name Camunda emits itself (`String`, `Long`,
//! `Json`…) and a `valueInfo` object. Incoming type names are compared case-insensitively, and a
//! value may have no type at all (some clients send `{"value": x}` only).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeZone};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::serde_ext::{format_date, null_as_default, parse_date};

/// Variables by name, as in every `variables` field of the API.
pub type Variables = BTreeMap<String, VariableValue>;

/// One typed value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariableValue {
    /// The value; Json and Object values are serialized *strings*, Date values strings in
    /// Camunda's date format, Bytes/File values base64.
    #[serde(default)]
    pub value: Value,
    /// `String`, `Integer`, `Long`, `Double`, `Boolean`, `Date`, `Json`, `Object`, `Null`, …
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// `transient`, `objectTypeName`, `serializationDataFormat`, `filename`…
    #[serde(default, deserialize_with = "null_as_default")]
    pub value_info: Map<String, Value>,
}

impl VariableValue {
    fn typed(value: Value, type_: &str) -> Self {
        Self {
            value,
            type_: Some(type_.to_owned()),
            value_info: Map::new(),
        }
    }

    pub fn string(value: impl Into<String>) -> Self {
        Self::typed(Value::String(value.into()), "String")
    }

    /// A 32-bit `Integer`.
    pub fn integer(value: i32) -> Self {
        Self::typed(Value::from(value), "Integer")
    }

    /// A 64-bit `Long`.
    pub fn long(value: i64) -> Self {
        Self::typed(Value::from(value), "Long")
    }

    /// A `Double`; NaN and infinities (which JSON cannot carry) become `null`.
    pub fn double(value: f64) -> Self {
        Self::typed(Value::from(value), "Double")
    }

    pub fn boolean(value: bool) -> Self {
        Self::typed(Value::Bool(value), "Boolean")
    }

    /// A `Json` value (Camunda Spin): the document travels as a JSON string.
    pub fn json(value: &Value) -> Self {
        Self::typed(Value::String(value.to_string()), "Json")
    }

    /// A `Date`, written `yyyy-MM-dd'T'HH:mm:ss.SSS+hhmm`.
    pub fn date<Tz: TimeZone>(value: &DateTime<Tz>) -> Self
    where
        Tz::Offset: std::fmt::Display,
    {
        Self::typed(Value::String(format_date(value)), "Date")
    }

    pub fn null() -> Self {
        Self::typed(Value::Null, "Null")
    }

    /// A value without a type: the engine infers it from the JSON (string → String, integer →
    /// Integer/Long, float → Double, bool → Boolean).
    pub fn untyped(value: Value) -> Self {
        Self {
            value,
            type_: None,
            value_info: Map::new(),
        }
    }

    /// Marks the value transient (`valueInfo.transient = true`): used by the engine, not stored.
    pub fn transient(self) -> Self {
        self.with_value_info("transient", Value::Bool(true))
    }

    pub fn with_value_info(mut self, key: &str, value: Value) -> Self {
        self.value_info.insert(key.to_owned(), value);
        self
    }

    /// The type name as sent (not normalized).
    pub fn type_name(&self) -> Option<&str> {
        self.type_.as_deref()
    }

    /// Whether the type is `name`, compared case-insensitively.
    pub fn is_type(&self, name: &str) -> bool {
        self.type_
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(name))
    }

    pub fn is_null(&self) -> bool {
        self.value.is_null()
    }

    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }

    /// An integral value (Short, Integer or Long; or an untyped integer).
    pub fn as_i64(&self) -> Option<i64> {
        self.value.as_i64()
    }

    /// A number (a Double, or an integral value widened).
    pub fn as_f64(&self) -> Option<f64> {
        self.value.as_f64()
    }

    pub fn as_bool(&self) -> Option<bool> {
        self.value.as_bool()
    }

    /// A Date value (Camunda's format, or RFC 3339).
    pub fn as_date(&self) -> Option<DateTime<FixedOffset>> {
        self.value.as_str().and_then(parse_date)
    }

    /// The JSON document of a value: a `Json`/`Object` value's string is parsed, anything else is
    /// returned as it is. `None` when a Json string does not parse.
    pub fn to_json(&self) -> Option<Value> {
        match &self.value {
            Value::String(text) if self.is_type("json") || self.is_type("object") => {
                serde_json::from_str(text).ok()
            }
            other => Some(other.clone()),
        }
    }

    /// Deserializes the value (a Json/Object value from its document) into `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match &self.value {
            Value::String(text) if self.is_type("json") || self.is_type("object") => {
                serde_json::from_str(text)
            }
            other => T::deserialize(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;

    use super::*;

    #[test]
    fn constructors_write_camundas_shapes() {
        let date = Utc
            .with_ymd_and_hms(2024, 5, 1, 10, 20, 30)
            .single()
            .expect("date");
        let vars = Variables::from([
            ("s".to_owned(), VariableValue::string("x")),
            ("i".to_owned(), VariableValue::integer(7)),
            ("l".to_owned(), VariableValue::long(1 << 40)),
            ("d".to_owned(), VariableValue::double(1.5)),
            ("b".to_owned(), VariableValue::boolean(true)),
            ("j".to_owned(), VariableValue::json(&json!({"a": [1]}))),
            ("t".to_owned(), VariableValue::date(&date)),
            ("n".to_owned(), VariableValue::null()),
            ("u".to_owned(), VariableValue::untyped(json!(3)).transient()),
        ]);
        assert_eq!(
            serde_json::to_value(&vars).expect("json"),
            json!({
                "s": {"value": "x", "type": "String", "valueInfo": {}},
                "i": {"value": 7, "type": "Integer", "valueInfo": {}},
                "l": {"value": 1_099_511_627_776_i64, "type": "Long", "valueInfo": {}},
                "d": {"value": 1.5, "type": "Double", "valueInfo": {}},
                "b": {"value": true, "type": "Boolean", "valueInfo": {}},
                "j": {"value": "{\"a\":[1]}", "type": "Json", "valueInfo": {}},
                "t": {"value": "2024-05-01T10:20:30.000+0000", "type": "Date", "valueInfo": {}},
                "n": {"value": null, "type": "Null", "valueInfo": {}},
                "u": {"value": 3, "valueInfo": {"transient": true}},
            })
        );
    }

    #[test]
    fn getters_read_any_casing_and_missing_fields() {
        let v: VariableValue = serde_json::from_value(
            json!({"value": "{\"n\":2}", "type": "json", "valueInfo": null}),
        )
        .expect("decodes");
        assert!(v.is_type("Json"));
        assert_eq!(v.to_json(), Some(json!({"n": 2})));
        #[derive(Deserialize, PartialEq, Debug)]
        struct N {
            n: i32,
        }
        assert_eq!(v.deserialize::<N>().expect("n"), N { n: 2 });

        let bare: VariableValue = serde_json::from_value(json!({"value": 5})).expect("bare");
        assert_eq!(
            (bare.type_name(), bare.as_i64(), bare.as_f64()),
            (None, Some(5), Some(5.0))
        );
        let date = VariableValue::string("2013-01-23T14:42:45.000+0200");
        assert_eq!(date.as_date().map(|d| d.timestamp()), Some(1_358_944_965));
        assert!(VariableValue::null().is_null());
        assert_eq!(VariableValue::boolean(false).as_bool(), Some(false));
        assert_eq!(VariableValue::string("a").as_str(), Some("a"));
    }
}

//! Variables as REST carries them: `{name: {value, type, valueInfo}}`. In, the type is parsed
//! case-insensitively or inferred when missing, and `null` maps are empty; out, every value has
//! its capitalized `type` and a `valueInfo` (`{}` when empty).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::variables::{TypedValue, Variables};

use super::error::RestError;

/// One `{value, type, valueInfo}` as it arrives; `null` fields are absent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VariableValueDto {
    #[serde(default)]
    pub value: Value,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub value_info: Option<Map<String, Value>>,
}

impl VariableValueDto {
    pub fn into_typed(self, name: &str) -> Result<TypedValue, RestError> {
        TypedValue::from_rest(
            name,
            self.value,
            self.kind.as_deref(),
            self.value_info.unwrap_or_default(),
        )
        .map_err(|e| {
            RestError::bad_request(format!(
                "Cannot convert value of variable '{name}': {}",
                e.reason
            ))
        })
    }
}

/// A variables map of a request body; `null` or missing is empty.
pub(crate) type VariablesDto = Option<Map<String, Value>>;

/// Parses a `{name: {value, type, valueInfo}}` map.
pub(crate) fn to_variables(dto: VariablesDto) -> Result<Variables, RestError> {
    let mut out = Variables::new();
    for (name, raw) in dto.unwrap_or_default() {
        let typed = one_variable(&name, raw)?;
        out.insert(name, typed);
    }
    Ok(out)
}

/// One `{value, type, valueInfo}` given as raw JSON (so the error names the variable).
pub(crate) fn one_variable(name: &str, raw: Value) -> Result<TypedValue, RestError> {
    if !raw.is_object() {
        return Err(RestError::bad_request(format!(
            "variable '{name}' must be an object {{\"value\": …, \"type\": …, \"valueInfo\": …}}, not {raw}"
        )));
    }
    let dto: VariableValueDto = serde_json::from_value(raw)
        .map_err(|e| RestError::bad_request(format!("variable '{name}' is not valid: {e}")))?;
    dto.into_typed(name)
}

/// A plain `{name: value}` map (fetchAndLock `processVariables`): each value typed by its JSON
/// shape, or taken as `{value, type, valueInfo}` when it is one.
pub(crate) fn to_plain_variables(dto: VariablesDto) -> Result<Variables, RestError> {
    let mut out = Variables::new();
    for (name, raw) in dto.unwrap_or_default() {
        let typed = match &raw {
            Value::Object(m)
                if m.contains_key("value")
                    && m.keys()
                        .all(|k| matches!(k.as_str(), "value" | "type" | "valueInfo")) =>
            {
                one_variable(&name, raw)?
            }
            _ => TypedValue::infer(raw),
        };
        out.insert(name, typed);
    }
    Ok(out)
}

/// One value out: `{type, value, valueInfo}`.
pub(crate) fn typed_to_json(value: &TypedValue) -> Value {
    json!({
        "type": value.kind.name(),
        "value": value.value,
        "valueInfo": value.info,
    })
}

/// A variables map out.
pub(crate) fn variables_to_json(variables: &Variables) -> Value {
    Value::Object(
        variables
            .iter()
            .map(|(name, v)| (name.clone(), typed_to_json(v)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variables::ValueType;

    fn parse(value: Value) -> Result<Variables, RestError> {
        match value {
            Value::Object(m) => to_variables(Some(m)),
            Value::Null => to_variables(None),
            other => panic!("not a map: {other}"),
        }
    }

    #[test]
    fn lowercase_missing_and_canonical_types() {
        let vars = parse(json!({
            "s": {"value": "x", "type": "string"},
            "i": {"value": 5, "type": "INTEGER", "valueInfo": null},
            "l": {"value": 5_000_000_000_i64},
            "d": {"value": 1.5, "type": null},
            "b": {"value": true},
            "n": {"value": null},
            "j": {"value": "{\"a\":1}", "type": "json"},
            "at": {"value": "2026-01-02T03:04:05.123Z", "type": "date"},
            "t": {"value": "x", "type": "String", "valueInfo": {"transient": true}},
        }))
        .expect("parse");
        let kinds: Vec<(&str, ValueType)> =
            vars.iter().map(|(k, v)| (k.as_str(), v.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("at", ValueType::Date),
                ("b", ValueType::Boolean),
                ("d", ValueType::Double),
                ("i", ValueType::Integer),
                ("j", ValueType::Json),
                ("l", ValueType::Long),
                ("n", ValueType::Null),
                ("s", ValueType::String),
                ("t", ValueType::String),
            ]
        );
        let out = variables_to_json(&vars);
        assert_eq!(
            out["s"],
            json!({"type": "String", "value": "x", "valueInfo": {}})
        );
        assert_eq!(out["i"]["type"], "Integer");
        assert_eq!(out["at"]["value"], "2026-01-02T03:04:05.123+0000");
        assert_eq!(
            out["n"],
            json!({"type": "Null", "value": null, "valueInfo": {}})
        );
        assert_eq!(out["t"]["valueInfo"], json!({"transient": true}));
    }

    #[test]
    fn round_trip_is_stable() {
        let first = parse(json!({
            "a": {"value": 7, "type": "long"},
            "b": {"value": "2026-01-02T03:04:05.000+0200", "type": "Date"},
            "c": {"value": {"k": [1, 2]}},
        }))
        .expect("first");
        let again = parse(variables_to_json(&first)).expect("again");
        assert_eq!(first, again);
        assert_eq!(first["c"].kind, ValueType::Json);
    }

    #[test]
    fn refusals_name_the_variable() {
        assert!(parse(Value::Null).expect("null").is_empty());
        for bad in [
            json!({"x": 5}),
            json!({"x": {"value": "abc", "type": "Integer"}}),
            json!({"x": {"value": 1, "type": "Tensor"}}),
            json!({"x": {"value": 1, "valueInfo": 3}}),
        ] {
            let e = parse(bad.clone()).expect_err("refused");
            assert_eq!(e.status.as_u16(), 400, "{bad}");
            assert!(e.message.contains("'x'"), "{}", e.message);
        }
    }

    #[test]
    fn plain_maps_infer_or_accept_typed_values() {
        let vars = to_plain_variables(Some(
            json!({"a": 1, "b": "x", "c": {"value": "y", "type": "string"}, "d": {"k": 1}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        ))
        .expect("plain");
        assert_eq!(vars["a"].kind, ValueType::Integer);
        assert_eq!(vars["b"].kind, ValueType::String);
        assert_eq!(vars["c"].value, json!("y"));
        assert_eq!(vars["d"].kind, ValueType::Json);
    }
}

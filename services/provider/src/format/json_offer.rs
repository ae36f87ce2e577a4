//! A JSON offer object as an offer: keys matched like CSV headers (the column mapping or its
//! defaults, case-insensitive), scalars as text, lists for barcodes and pictures, and `params`
//! as `[{"name", "value", "unit"}]` or `{"name": "value"}` (a unit may be in the name).

use std::collections::HashMap;

use carpetti_yml::{Item, Param, Position};
use serde_json::Value;

use super::fields::{Field, OfferBuilder, named_fields, normalize_name, rejected, split_unit};
use crate::settings::SupplierSettings;

/// What a key of an offer object is for.
#[derive(Clone, Copy)]
enum Role {
    Field(usize),
    Params,
    Ignored,
}

/// Cached key lookups kept at most (feeds repeat the same few keys; a hostile one may not).
const MAX_CACHED_KEYS: usize = 4096;

/// Which key of an offer object feeds which field.
pub(crate) struct JsonFields {
    keys: Vec<(String, Field)>,
    /// Key as written → its role (normalizing every key of every offer is the costly part).
    roles: HashMap<String, Role>,
}

impl JsonFields {
    pub fn new(settings: &SupplierSettings) -> Self {
        let mut keys: Vec<(String, Field)> = named_fields(&settings.columns)
            .into_iter()
            .map(|(field, name)| (normalize_name(&name), field))
            .collect();
        for (key, param) in &settings.columns.params {
            let (name, unit) = match param.trim() {
                "" => split_unit(key),
                given => split_unit(given),
            };
            keys.push((normalize_name(key), Field::Param { name, unit }));
        }
        Self {
            keys,
            roles: HashMap::new(),
        }
    }

    fn role(&mut self, key: &str) -> Role {
        if let Some(role) = self.roles.get(key) {
            return *role;
        }
        let wanted = normalize_name(key);
        let role = match self.keys.iter().position(|(k, _)| *k == wanted) {
            Some(i) => Role::Field(i),
            None if wanted == "params" => Role::Params,
            None => Role::Ignored,
        };
        if self.roles.len() < MAX_CACHED_KEYS {
            self.roles.insert(key.to_owned(), role);
        }
        role
    }

    pub fn offer(&mut self, value: &Value, at: Position) -> Item {
        let Value::Object(object) = value else {
            return rejected(
                None,
                at,
                format!("an offer must be a JSON object, not {}", kind(value)),
            );
        };
        let mut offer = OfferBuilder::new(at);
        for (key, value) in object {
            match self.role(key) {
                Role::Field(i) => set_value(&mut offer, &self.keys[i].1, key, value),
                Role::Params => params(&mut offer, value),
                Role::Ignored => {}
            }
        }
        offer.finish()
    }
}

/// One key's value into a field: scalars as text, arrays only for lists (barcodes, pictures,
/// repeated params).
fn set_value(offer: &mut OfferBuilder, field: &Field, key: &str, value: &Value) {
    match value {
        Value::Array(items)
            if matches!(field, Field::Barcode | Field::Picture | Field::Param { .. }) =>
        {
            for item in items {
                match scalar(item) {
                    Some(text) => offer.set(field, &text),
                    None => offer.fail(format!("{key:?}: expected a list of values")),
                }
            }
        }
        _ => match scalar(value) {
            Some(text) => offer.set(field, &text),
            None if value.is_null() => {}
            None => offer.fail(format!("{key:?}: expected a value, found {}", kind(value))),
        },
    }
}

/// `params`: `[{"name", "value", "unit"}]` or `{"name": "value"}` (a unit may be in the name).
fn params(offer: &mut OfferBuilder, value: &Value) {
    let mut push = |name: &str, unit: Option<String>, value: &Value| {
        let (name, name_unit) = split_unit(name);
        let values = match value {
            Value::Array(items) => items.iter().filter_map(scalar).collect(),
            other => scalar(other).into_iter().collect::<Vec<_>>(),
        };
        for text in values.into_iter().filter(|t| !t.trim().is_empty()) {
            offer.push_param(Param {
                name: name.clone(),
                unit: unit.clone().or_else(|| name_unit.clone()),
                value: text.trim().to_owned(),
            });
        }
    };
    match value {
        Value::Array(items) => {
            for item in items {
                let name = item
                    .get("name")
                    .and_then(scalar)
                    .filter(|n| !n.trim().is_empty());
                let (Some(name), Some(value)) = (name, item.get("value")) else {
                    continue; // a param without a name or value says nothing
                };
                let unit = item
                    .get("unit")
                    .and_then(scalar)
                    .filter(|u| !u.trim().is_empty());
                push(&name, unit, value);
            }
        }
        Value::Object(map) => {
            for (name, value) in map {
                push(name, None, value);
            }
        }
        _ => {}
    }
}

/// A string, number or boolean as text.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

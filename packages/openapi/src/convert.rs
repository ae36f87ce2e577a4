//! OpenAPI 3.0 Schema Objects → JSON Schema (Draft 7), in place, once per document.
//!
//! Only the places where the document holds schemas are walked (component schemas, media types of
//! request bodies and responses, parameters), and inside a schema only its subschema keywords, so a
//! property named `nullable` or `type` is never mistaken for the keyword. The conversions:
//! - `nullable: true` adds `"null"` to `type`; a schema whose value set `type` alone does not
//!   decide (`$ref`, `allOf`/`anyOf`/`oneOf`, `enum`, `not`) becomes `anyOf: [schema, {type: null}]`;
//! - defects of the published specs are repaired: a `null` keyword value (`enum: null`) is
//!   dropped, non-JSON type names (`int`, `bool`, `timestamp`, `array of strings`) become the type
//!   meant or are dropped, a `pattern` that is no regex (a mask) is dropped, and `required: true` on a property joins the object's `required` list;
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` (draft-4 style) become the numeric Draft 7 form;
//! - annotations (`example`, `x-*`, `discriminator`, `xml`, `externalDocs`, `deprecated`,
//!   `readOnly`, `writeOnly`) stay: Draft 7 ignores unknown keywords and treats the rest as
//!   annotations; `format` is not asserted (see [`crate::validate`]).

use serde_json::{Map, Value, json};

/// Converts every schema of an OpenAPI 3.0 document.
pub(crate) fn convert_document(doc: &mut Value) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            convert_path_item(item);
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
        for schema in schemas.values_mut() {
            convert_schema(schema);
        }
    }
    for holders in ["requestBodies", "responses", "parameters", "headers"] {
        if let Some(holders) = components.get_mut(holders).and_then(Value::as_object_mut) {
            for holder in holders.values_mut() {
                convert_holder(holder);
            }
        }
    }
}

fn convert_path_item(item: &mut Value) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    for (key, value) in item.iter_mut() {
        if key == "parameters" {
            convert_each(value, convert_holder);
        } else if value.is_object() {
            convert_operation(value);
        }
    }
}

fn convert_operation(operation: &mut Value) {
    if let Some(parameters) = operation.get_mut("parameters") {
        convert_each(parameters, convert_holder);
    }
    if let Some(body) = operation.get_mut("requestBody") {
        convert_holder(body);
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        for response in responses.values_mut() {
            convert_holder(response);
            if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
                headers.values_mut().for_each(convert_holder);
            }
        }
    }
}

/// A request body, response, parameter or header: a `schema` of its own and/or `content`.
fn convert_holder(holder: &mut Value) {
    if let Some(schema) = holder.get_mut("schema") {
        convert_schema(schema);
    }
    if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                convert_schema(schema);
            }
        }
    }
}

fn convert_each(list: &mut Value, convert: fn(&mut Value)) {
    if let Some(list) = list.as_array_mut() {
        list.iter_mut().for_each(convert);
    }
}

/// Converts one schema and its subschemas.
pub(crate) fn convert_schema(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    // `enum: null`, `type: null` (Ozon's generated spec has both) mean "not given"
    object.retain(|keyword, value| !(value.is_null() && KEYWORDS.contains(&keyword.as_str())));
    repair_type(object);
    drop_invalid_pattern(object);
    lift_required_flags(object);
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        properties.values_mut().for_each(convert_schema);
    }
    for key in ["additionalProperties", "items", "not"] {
        if let Some(sub) = object.get_mut(key) {
            convert_schema(sub);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        convert_each_schema(object, key);
    }
    exclusive_bound(object, "exclusiveMinimum", "minimum");
    exclusive_bound(object, "exclusiveMaximum", "maximum");
    if object.remove("nullable") == Some(Value::Bool(true)) {
        make_nullable(schema);
    }
}

/// Type names that are not JSON types (Ozon's spec has `int`, `bool`, `timestamp`, `array of
/// strings`, `enum`): the unambiguous ones become the JSON type meant, the others are dropped.
fn repair_type(object: &mut Map<String, Value>) {
    let Some(Value::String(name)) = object.get("type") else {
        return;
    };
    let repaired = match name.as_str() {
        "string" | "number" | "integer" | "boolean" | "array" | "object" | "null" => return,
        "int" => "integer",
        "bool" => "boolean",
        "timestamp" => "string",
        "array of strings" => {
            object
                .entry("items")
                .or_insert_with(|| json!({ "type": "string" }));
            "array"
        }
        _ => {
            object.remove("type");
            return;
        }
    };
    object.insert("type".to_owned(), json!(repaired));
}

/// A `pattern` that is no regular expression (Ozon writes masks: `+7(XXX)XXX-XX-XX`) says
/// nothing the validator can check: dropped rather than failing the whole operation.
fn drop_invalid_pattern(object: &mut Map<String, Value>) {
    let Some(pattern) = object.get("pattern") else {
        return;
    };
    let probe = json!({ "pattern": pattern });
    if jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&probe)
        .is_err()
    {
        object.remove("pattern");
    }
}

/// `required: true` on a property (Swagger 2 parameter style) → the property's name in the
/// object's `required` list.
fn lift_required_flags(object: &mut Map<String, Value>) {
    let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let mut flagged = Vec::new();
    for (name, property) in properties.iter_mut() {
        if let Some(property) = property.as_object_mut()
            && let Some(Value::Bool(flag)) = property.get("required")
        {
            if *flag {
                flagged.push(json!(name));
            }
            property.remove("required");
        }
    }
    if flagged.is_empty() {
        return;
    }
    match object.get_mut("required") {
        Some(Value::Array(required)) => {
            for name in flagged {
                if !required.contains(&name) {
                    required.push(name);
                }
            }
        }
        _ => {
            object.insert("required".to_owned(), Value::Array(flagged));
        }
    }
}

fn convert_each_schema(object: &mut Map<String, Value>, key: &str) {
    if let Some(list) = object.get_mut(key).and_then(Value::as_array_mut) {
        list.iter_mut().for_each(convert_schema);
    }
}

/// `exclusiveMinimum: true, minimum: 5` → `exclusiveMinimum: 5`; `false` is dropped.
fn exclusive_bound(object: &mut Map<String, Value>, exclusive: &str, bound: &str) {
    match object.get(exclusive) {
        Some(Value::Bool(true)) => match object.remove(bound) {
            Some(limit @ Value::Number(_)) => {
                object.insert(exclusive.to_owned(), limit);
            }
            other => {
                // `exclusiveMinimum: true` without a number to apply it to says nothing
                object.remove(exclusive);
                if let Some(other) = other {
                    object.insert(bound.to_owned(), other);
                }
            }
        },
        Some(Value::Bool(false)) => {
            object.remove(exclusive);
        }
        _ => {}
    }
}

/// The keywords of a 3.0 Schema Object that assert or apply (a `null` value is dropped).
const KEYWORDS: [&str; 27] = [
    "type",
    "enum",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "nullable",
    "format",
    "$ref",
    "discriminator",
];

const SET_BY_MORE_THAN_TYPE: [&str; 6] = ["$ref", "allOf", "anyOf", "oneOf", "enum", "not"];

fn make_nullable(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if SET_BY_MORE_THAN_TYPE
        .iter()
        .any(|key| object.contains_key(*key))
    {
        let inner = schema.take();
        *schema = json!({ "anyOf": [inner, { "type": "null" }] });
        return;
    }
    match object.get_mut("type") {
        Some(Value::String(single)) => {
            let single = std::mem::take(single);
            object.insert("type".to_owned(), json!([single, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push(json!("null"));
        }
        // no `type` (or one with null): the schema already accepts null
        _ => {}
    }
}

//! The OpenAPI 3.0 → JSON Schema conversions and response selection, on small documents.

use carpetti_openapi::Spec;
use serde_json::{Value, json};

use crate::{accepted, violations};

fn spec() -> Spec {
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {"post": {
                "requestBody": {"$ref": "#/components/requestBodies/Thing"},
                "responses": {
                    "200": {"description": "ok", "content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "4XX": {"$ref": "#/components/responses/Problem"},
                    "default": {"description": "any", "content": {"application/json": {}}}
                }
            }},
            "/things/{id}.pdf": {"get": {"responses": {"200": {"description": "pdf", "content": {"application/pdf": {}}}}}}
        },
        "components": {
            "requestBodies": {"Thing": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
            "responses": {"Problem": {"description": "p", "content": {"application/problem+json": {"schema": {
                "type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}
            }}}}},
            "schemas": {
                "Kind": {"type": "string", "enum": ["A", "B"]},
                "Inner": {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer"}}, "example": {"x": 1}},
                "Thing": {
                    "type": "object",
                    "additionalProperties": false,
                    "discriminator": {"propertyName": "kind"},
                    "x-extension": {"anything": true},
                    "properties": {
                        "name": {"type": "string", "nullable": true, "minLength": 1},
                        "kind_ref": {"$ref": "#/components/schemas/Kind", "nullable": true},
                        "kind_enum": {"type": "string", "enum": ["A", "B"], "nullable": true},
                        "inner": {"allOf": [{"$ref": "#/components/schemas/Inner"}], "nullable": true},
                        "untyped": {"nullable": true, "description": "anything"},
                        "price": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": false},
                        "nullable": {"type": "boolean", "readOnly": true, "deprecated": true},
                        "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "format": "uuid"}},
                        "stamp": {"type": "string", "format": "date-time", "xml": {"name": "s"}}
                    }
                }
            }
        }
    });
    Spec::from_value(document).unwrap_or_else(|error| panic!("{error}"))
}

fn request(spec: &Spec, body: &Value) -> Result<(), carpetti_openapi::CheckError> {
    spec.check_request("POST", "/things", body)
}

#[test]
fn nullable_fields_accept_null_in_every_shape() {
    let spec = spec();
    let all_null =
        json!({"name": null, "kind_ref": null, "kind_enum": null, "inner": null, "untyped": null});
    accepted(request(&spec, &all_null));
    let all_set =
        json!({"name": "n", "kind_ref": "A", "kind_enum": "B", "inner": {"x": 1}, "untyped": [1]});
    accepted(request(&spec, &all_set));
}

#[test]
fn nullable_fields_still_check_their_non_null_values() {
    let spec = spec();
    for (field, value) in [
        ("name", json!(5)),
        ("name", json!("")),
        ("kind_ref", json!("C")),
        ("kind_enum", json!("C")),
        ("inner", json!({"x": "one"})),
        ("inner", json!({})),
    ] {
        let found = violations(request(&spec, &json!({ field: value })));
        assert!(
            found
                .errors
                .iter()
                .any(|e| e.instance_path.starts_with(&format!("/{field}"))),
            "{field}={value}: {found}"
        );
    }
}

#[test]
fn boolean_exclusive_bounds_become_numeric() {
    let spec = spec();
    accepted(request(&spec, &json!({"price": 0.5})));
    accepted(request(&spec, &json!({"price": 10})));
    let found = violations(request(&spec, &json!({"price": 0})));
    assert_eq!(found.errors[0].instance_path, "/price", "{found}");
    assert!(
        violations(request(&spec, &json!({"price": 10.5}))).errors[0].instance_path == "/price"
    );
}

#[test]
fn a_property_named_nullable_is_a_property() {
    let spec = spec();
    accepted(request(&spec, &json!({"nullable": true})));
    let found = violations(request(&spec, &json!({"nullable": "yes"})));
    assert_eq!(found.errors[0].instance_path, "/nullable", "{found}");
}

#[test]
fn additional_properties_false_max_items_and_types_are_asserted_formats_not() {
    let spec = spec();
    accepted(request(
        &spec,
        &json!({"tags": ["not-a-uuid"], "stamp": "yesterday"}),
    ));
    let found = violations(request(&spec, &json!({"unknown": 1})));
    assert_eq!(found.errors[0].instance_path, "", "{found}");
    assert!(found.errors[0].message.contains("unknown"), "{found}");
    let found = violations(request(&spec, &json!({"tags": ["a", "b", "c"]})));
    assert_eq!(found.errors[0].instance_path, "/tags", "{found}");
    let found = violations(request(&spec, &json!({"tags": [1]})));
    assert_eq!(found.errors[0].instance_path, "/tags/0", "{found}");
}

#[test]
fn every_violation_is_listed() {
    let spec = spec();
    let found = violations(request(
        &spec,
        &json!({"name": 1, "price": -1, "tags": [2]}),
    ));
    let mut paths: Vec<&str> = found
        .errors
        .iter()
        .map(|e| e.instance_path.as_str())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/name", "/price", "/tags/0"], "{found}");
    let shown = found.to_string();
    for path in ["/name", "/price", "/tags/0"] {
        assert!(shown.contains(path), "{shown}");
    }
}

#[test]
fn responses_fall_back_from_exact_to_range_to_default() {
    let spec = spec();
    accepted(spec.check_response("POST", "/things", 200, &json!({"name": "n"})));
    // 404 → 4XX (a referenced response, problem+json)
    accepted(spec.check_response("POST", "/things", 404, &json!({"title": "gone"})));
    let found = violations(spec.check_response("POST", "/things", 404, &json!({})));
    assert!(found.errors[0].message.contains("title"), "{found}");
    // 500 → default, a JSON media type without a schema: anything
    accepted(spec.check_response("POST", "/things", 500, &json!(["whatever"])));
    let types = spec
        .response_content_types("POST", "/things", 200)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(types, ["application/json; charset=utf-8"]);
}

#[test]
fn a_segment_mixing_text_and_a_parameter_matches() {
    let spec = spec();
    let operation = spec
        .operation("GET", "/things/42.pdf")
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(operation.template, "/things/{id}.pdf");
    assert!(spec.operation("GET", "/things/42.png").is_err());
    let types = spec
        .response_content_types("GET", "/things/42.pdf", 200)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(types, ["application/pdf"]);
    // and an operation without a request body refuses one
    let found = violations(spec.check_request("GET", "/things/42.pdf", &json!({})));
    assert!(
        found.errors[0].message.contains("no request body"),
        "{found}"
    );
}

#[test]
fn known_defects_of_published_specs_are_repaired() {
    let spec = Spec::from_value(json!({
        "openapi": "3.0.0",
        "paths": {"/d": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "id": {"type": "int", "required": true},
                    "flag": {"type": "bool"},
                    "codes": {"type": "array of strings"},
                    "status": {"type": "enum", "enum": null},
                    "phone": {"type": "string", "pattern": "+7(XXX)XXX-XX-XX"},
                    "sku": {"type": "string", "pattern": "^[0-9]+$"}
                }
            }}}},
            "responses": {"200": {"description": "ok"}}
        }}}
    }))
    .unwrap_or_else(|error| panic!("{error}"));
    let ok = json!({"id": 1, "flag": true, "codes": ["a"], "status": 5, "phone": "+7(912)000-00-00", "sku": "12"});
    accepted(spec.check_request("POST", "/d", &ok));
    for (body, at) in [
        (json!({}), ""),
        (json!({"id": "1"}), "/id"),
        (json!({"id": 1, "flag": "yes"}), "/flag"),
        (json!({"id": 1, "codes": [1]}), "/codes/0"),
        (json!({"id": 1, "sku": "x12"}), "/sku"),
    ] {
        let found = violations(spec.check_request("POST", "/d", &body));
        assert_eq!(found.errors[0].instance_path, at, "{body}: {found}");
    }
}

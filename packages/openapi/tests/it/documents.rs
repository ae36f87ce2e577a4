//! Loading documents: parse failures name the file; every operation of the marketplace specs
//! resolves and compiles.

use std::io::Write;

use carpetti_openapi::{CheckError, Spec, SpecError};
use serde_json::json;

use crate::{OZON, WB_FBS, WB_GENERAL, WB_PRODUCTS, YM, spec_path};

fn file_with(suffix: &str, text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(suffix)
        .tempfile()
        .unwrap_or_else(|error| panic!("{error}"));
    file.write_all(text.as_bytes())
        .unwrap_or_else(|error| panic!("{error}"));
    file
}

#[test]
fn a_broken_json_file_is_a_parse_error_naming_it() {
    let file = file_with(".json", r#"{"openapi": "3.0.0", "paths": {"#);
    let error = Spec::from_json_file(file.path())
        .err()
        .unwrap_or_else(|| panic!("parsed"));
    assert!(
        matches!(error, SpecError::Parse { format: "JSON", .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains(&file.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn a_broken_yaml_file_is_a_parse_error_naming_it() {
    let file = file_with(".yaml", "openapi: 3.0.1\npaths: [unclosed\n  x: 1\n");
    let error = Spec::from_yaml_file(file.path())
        .err()
        .unwrap_or_else(|| panic!("parsed"));
    assert!(
        matches!(error, SpecError::Parse { format: "YAML", .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains(&file.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_a_read_error_naming_it() {
    let path = spec_path("no-such-spec.json");
    let error = Spec::from_json_file(&path)
        .err()
        .unwrap_or_else(|| panic!("read"));
    assert!(matches!(error, SpecError::Read { .. }), "{error:?}");
    assert!(error.to_string().contains("no-such-spec.json"), "{error}");
}

#[test]
fn documents_that_are_not_openapi_3_0_are_refused_naming_the_file() {
    let file = file_with(".yaml", "swagger: '2.0'\npaths: {}\n");
    let error = Spec::from_yaml_file(file.path())
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(matches!(error, SpecError::Document { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains(&file.path().display().to_string()),
        "{error}"
    );
    let error = Spec::from_value(json!({"openapi": "3.1.0", "paths": {}}))
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(error.to_string().contains("3.1.0"), "{error}");
    let error = Spec::from_value(json!({"openapi": "3.0.0"}))
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    assert!(error.to_string().contains("paths"), "{error}");
}

#[test]
fn a_broken_reference_is_a_spec_error_not_a_violation() {
    let spec = Spec::from_value(json!({
        "openapi": "3.0.0",
        "paths": {"/a": {"post": {
            "requestBody": {"$ref": "#/components/requestBodies/Missing"},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}
        }}}
    }))
    .unwrap_or_else(|error| panic!("{error}"));
    match spec.check_request("POST", "/a", &json!({})) {
        Err(CheckError::Spec(SpecError::Operation { message, .. })) => {
            assert!(message.contains("requestBodies/Missing"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        spec.check_response("POST", "/a", 200, &json!({})),
        Err(CheckError::Spec(SpecError::Operation { .. }))
    ));
}

const STATUSES: [u16; 12] = [200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 503];

/// Every request body and response schema of a spec resolves and compiles (a body of `null`
/// passes or violates, but never hits a spec error).
fn every_operation_compiles(spec: &Spec) {
    let operations = spec.operations();
    assert!(!operations.is_empty(), "{}", spec.origin());
    for operation in operations {
        let (method, path) = (operation.method.as_str(), operation.template.as_str());
        let checks = std::iter::once(spec.check_request(method, path, &json!(null))).chain(
            STATUSES
                .iter()
                .map(|status| spec.check_response(method, path, *status, &json!(null))),
        );
        for check in checks {
            if let Err(CheckError::Spec(error)) = check {
                panic!("{error}");
            }
        }
    }
}

#[test]
fn every_ozon_operation_compiles() {
    every_operation_compiles(&OZON);
}

#[test]
fn every_ym_operation_compiles() {
    every_operation_compiles(&YM);
}

#[test]
fn every_wb_operation_compiles() {
    every_operation_compiles(&WB_GENERAL);
    every_operation_compiles(&WB_PRODUCTS);
    every_operation_compiles(&WB_FBS);
}

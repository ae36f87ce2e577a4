//! Ozon Seller API: /v3/product/import request and responses.

use serde_json::json;

use crate::{OZON, accepted, violations};

fn import_request() -> serde_json::Value {
    json!({"items": [{
        "offer_id": "A1", "name": "x", "description_category_id": 17028922, "type_id": 91565,
        "price": "100", "vat": "0.2",
        "attributes": [{"complex_id": 0, "id": 85, "values": [{"value": "Brand"}]}]
    }]})
}

#[test]
fn a_valid_product_import_request_passes() {
    accepted(OZON.check_request("POST", "/v3/product/import", &import_request()));
}

#[test]
fn items_as_a_string_fails_at_items() {
    let found =
        violations(OZON.check_request("POST", "/v3/product/import", &json!({"items": "A1"})));
    assert_eq!(found.errors.len(), 1, "{found}");
    let error = &found.errors[0];
    assert_eq!(error.instance_path, "/items");
    assert_eq!(
        error.schema_path,
        "/components/schemas/v3ImportProductsRequest/properties/items/type"
    );
    assert!(
        found
            .operation
            .starts_with("POST /v3/product/import request body"),
        "{found}"
    );
    assert!(found.to_string().contains("/items"), "{found}");
}

#[test]
fn a_wrong_type_deep_inside_is_reported_with_its_path() {
    let mut body = import_request();
    body["items"][0]["attributes"][0]["id"] = json!("eighty-five");
    let found = violations(OZON.check_request("POST", "/v3/product/import", &body));
    let paths: Vec<&str> = found
        .errors
        .iter()
        .map(|e| e.instance_path.as_str())
        .collect();
    assert_eq!(paths, ["/items/0/attributes/0/id"], "{found}");
}

#[test]
fn the_documented_200_response_passes() {
    let body = json!({"result": {"task_id": 172549793}});
    accepted(OZON.check_response("POST", "/v3/product/import", 200, &body));
}

#[test]
fn a_200_response_of_the_wrong_shape_fails() {
    let body = json!({"result": {"task_id": "not a number"}});
    let found = violations(OZON.check_response("POST", "/v3/product/import", 200, &body));
    assert_eq!(found.errors[0].instance_path, "/result/task_id", "{found}");
}

#[test]
fn an_undocumented_status_is_a_violation() {
    let found = violations(OZON.check_response("POST", "/v3/product/import", 418, &json!({})));
    assert!(found.errors[0].message.contains("418"), "{found}");
    assert!(
        found.errors[0].message.contains("200"),
        "lists the documented ones: {found}"
    );
    assert!(
        OZON.response_content_types("POST", "/v3/product/import", 418)
            .is_err()
    );
}

#[test]
fn the_error_response_uses_the_documented_rpc_status() {
    let body = json!({"code": 3, "message": "invalid", "details": []});
    accepted(OZON.check_response("POST", "/v3/product/import", 400, &body));
    let found =
        violations(OZON.check_response("POST", "/v3/product/import", 400, &json!({"code": "x"})));
    assert_eq!(found.errors[0].instance_path, "/code", "{found}");
}

#[test]
fn a_request_to_an_operation_without_a_json_body_is_a_violation() {
    // certificates are uploaded as multipart/form-data
    let found =
        violations(OZON.check_request("POST", "/v1/product/certificate/create", &json!({})));
    assert!(
        found.errors[0].message.contains("multipart/form-data"),
        "{found}"
    );
}

//! Wildberries (YAML specs): card upload, FBS stocks, referenced responses, nullable data.

use serde_json::json;

use crate::{WB_GENERAL, WB_PRODUCTS, accepted, violations};

const UPLOAD: &str = "/content/v2/cards/upload";
const STOCKS: &str = "/api/v3/stocks/507";

#[test]
fn a_card_upload_array_passes() {
    let body = json!([{
        "subjectID": 105,
        "variants": [{
            "vendorCode": "A1", "brand": "Brand", "title": "Shirt",
            "dimensions": {"length": 10, "width": 20, "height": 5, "weightBrutto": 0.25},
            "sizes": [{"techSize": "XL", "wbSize": "50", "price": 1000, "skus": ["2000000000017"]}],
            "characteristics": [{"id": 14177449, "value": ["red"]}]
        }]
    }]);
    accepted(WB_PRODUCTS.check_request("POST", UPLOAD, &body));
}

#[test]
fn a_card_upload_object_fails_at_the_root() {
    let body = json!({"subjectID": 105, "variants": [{"vendorCode": "A1"}]});
    let found = violations(WB_PRODUCTS.check_request("POST", UPLOAD, &body));
    assert_eq!(found.errors.len(), 1, "{found}");
    assert_eq!(found.errors[0].instance_path, "");
    assert!(found.errors[0].message.contains("array"), "{found}");
}

#[test]
fn a_card_upload_missing_a_required_property_fails() {
    let body = json!([{"subjectID": 105, "variants": [{"brand": "no vendor code"}]}]);
    let found = violations(WB_PRODUCTS.check_request("POST", UPLOAD, &body));
    assert_eq!(found.errors[0].instance_path, "/0/variants/0", "{found}");
    assert!(found.errors[0].message.contains("vendorCode"), "{found}");
}

#[test]
fn stock_updates_check_min_items_and_maximum() {
    let ok = json!({"stocks": [{"chrtId": 12345678, "amount": 10}]});
    accepted(WB_PRODUCTS.check_request("PUT", STOCKS, &ok));
    let empty = violations(WB_PRODUCTS.check_request("PUT", STOCKS, &json!({"stocks": []})));
    assert_eq!(empty.errors[0].instance_path, "/stocks", "{empty}");
    let too_many = json!({"stocks": [{"chrtId": 1, "amount": 100_001}]});
    let found = violations(WB_PRODUCTS.check_request("PUT", STOCKS, &too_many));
    assert_eq!(found.errors[0].instance_path, "/stocks/0/amount", "{found}");
}

#[test]
fn a_204_documents_no_body() {
    let types = WB_PRODUCTS
        .response_content_types("PUT", STOCKS, 204)
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(types.is_empty(), "{types:?}");
    let found = violations(WB_PRODUCTS.check_response("PUT", STOCKS, 204, &json!({})));
    assert!(found.errors[0].message.contains("no body"), "{found}");
}

#[test]
fn a_referenced_response_with_nullable_data_accepts_null() {
    // 404 is `$ref: '#/components/responses/NotFound'` → schemas/Error, whose `data` is nullable
    let body = json!({"code": "NotFound", "message": "", "data": null});
    accepted(WB_PRODUCTS.check_response("PUT", STOCKS, 404, &body));
    let found = violations(WB_PRODUCTS.check_response("PUT", STOCKS, 404, &json!({"code": 404})));
    assert_eq!(found.errors[0].instance_path, "/code", "{found}");
    // `nullable: false` stays non-nullable
    let found = violations(WB_PRODUCTS.check_response("PUT", STOCKS, 404, &json!({"code": null})));
    assert_eq!(found.errors[0].instance_path, "/code", "{found}");
}

#[test]
fn the_card_upload_response_asserts_additional_properties_false() {
    let ok = json!({"data": null, "error": false, "errorText": "", "additionalErrors": {}});
    accepted(WB_PRODUCTS.check_response("POST", UPLOAD, 200, &ok));
    let error_object = json!({"data": null, "error": true, "errorText": "bad", "additionalErrors": {"error": "x"}});
    accepted(WB_PRODUCTS.check_response("POST", UPLOAD, 200, &error_object));
    // neither {string} without extras (additionalProperties: false), nor a string, nor {error}
    let extra =
        json!({"data": null, "error": true, "errorText": "", "additionalErrors": {"other": 1}});
    let found = violations(WB_PRODUCTS.check_response("POST", UPLOAD, 200, &extra));
    assert_eq!(
        found.errors[0].instance_path, "/additionalErrors",
        "{found}"
    );
}

#[test]
fn ping_asserts_its_enum() {
    let ok = json!({"TS": "2024-08-16T11:19:05+03:00", "Status": "OK"});
    accepted(WB_GENERAL.check_response("GET", "/ping", 200, &ok));
    let found =
        violations(WB_GENERAL.check_response("GET", "/ping", 200, &json!({"Status": "FAIL"})));
    assert_eq!(found.errors[0].instance_path, "/Status", "{found}");
}

#[test]
fn formats_are_not_asserted() {
    // the documented example itself has a `sid` of `format: UUID` that is no UUID (`47q8`)
    let body = json!({"name": "ИП Кружинин В. Р.", "sid": "e8923014-e233-47q8-898e-3cc86d67ea61", "tradeMark": "Flax Store"});
    accepted(WB_GENERAL.check_response("GET", "/api/v1/seller-info", 200, &body));
    let found = violations(WB_GENERAL.check_response(
        "GET",
        "/api/v1/seller-info",
        200,
        &json!({"sid": 7}),
    ));
    assert_eq!(
        found.errors[0].instance_path, "/sid",
        "types still are: {found}"
    );
}

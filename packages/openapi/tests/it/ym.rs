//! Yandex Market: offer-mappings/update request and response (allOf, nullable, enum, minItems).

use serde_json::json;

use crate::{YM, accepted, violations};

const UPDATE: &str = "/v2/businesses/4321/offer-mappings/update";

#[test]
fn an_offer_mappings_update_passes() {
    let body = json!({"offerMappings": [{
        "offer": {"offerId": "A1", "name": "Shirt", "marketCategoryId": 91491, "vendor": "Brand",
                  "barcodes": ["4607086562215"], "pictures": ["https://example.org/a.jpg"]},
        "mapping": {"marketSku": 101}
    }]});
    accepted(YM.check_request("POST", UPDATE, &body));
}

#[test]
fn an_offer_mappings_update_without_offer_id_or_mappings_fails() {
    let found = violations(YM.check_request("POST", UPDATE, &json!({"offerMappings": []})));
    assert_eq!(
        found.errors[0].instance_path, "/offerMappings",
        "minItems: {found}"
    );
    let found = violations(YM.check_request("POST", UPDATE, &json!({})));
    assert!(
        found.errors[0].message.contains("offerMappings"),
        "required: {found}"
    );
    // offerId is required through UpdateOfferDTO's allOf
    let body = json!({"offerMappings": [{"offer": {"name": "no id"}}]});
    let found = violations(YM.check_request("POST", UPDATE, &body));
    assert_eq!(
        found.errors[0].instance_path, "/offerMappings/0/offer",
        "{found}"
    );
    assert!(found.errors[0].message.contains("offerId"), "{found}");
}

#[test]
fn the_update_response_requires_a_known_status() {
    // UpdateOfferMappingsResponse = allOf[ApiResponse (required status: OK|ERROR), {results}]
    accepted(YM.check_response("POST", UPDATE, 200, &json!({"status": "OK"})));
    // `results` is `type: array, nullable: true`
    accepted(YM.check_response(
        "POST",
        UPDATE,
        200,
        &json!({"status": "OK", "results": null}),
    ));
    let found = violations(YM.check_response("POST", UPDATE, 200, &json!({"status": "FINE"})));
    assert_eq!(found.errors[0].instance_path, "/status", "enum: {found}");
    let found = violations(YM.check_response("POST", UPDATE, 200, &json!({"results": []})));
    let paths: Vec<&str> = found
        .errors
        .iter()
        .map(|e| e.instance_path.as_str())
        .collect();
    assert!(paths.contains(&""), "status is required: {found}");
    assert!(paths.contains(&"/results"), "minItems 1: {found}");
}

#[test]
fn a_referenced_error_response_is_checked() {
    // 401 is `$ref: '#/components/responses/401'`
    let types = YM
        .response_content_types("POST", UPDATE, 401)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(types, ["application/json"]);
    let body =
        json!({"status": "ERROR", "errors": [{"code": "UNAUTHORIZED", "message": "no token"}]});
    accepted(YM.check_response("POST", UPDATE, 401, &body));
    let found = violations(YM.check_response(
        "POST",
        UPDATE,
        401,
        &json!({"status": "ERROR", "errors": "x"}),
    ));
    assert_eq!(found.errors[0].instance_path, "/errors", "{found}");
}

#[test]
fn pdf_responses_list_their_content_type() {
    let labels = "/v2/campaigns/1/orders/2/delivery/labels";
    let types = YM
        .response_content_types("GET", labels, 200)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(types, ["application/pdf"]);
    let found = violations(YM.check_response("GET", labels, 200, &json!({})));
    assert!(
        found.errors[0].message.contains("application/pdf"),
        "{found}"
    );
}

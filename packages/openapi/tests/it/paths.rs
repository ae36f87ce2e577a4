//! Operation lookup: templated segments, literal-over-template, query strings, methods.

use carpetti_openapi::SpecError;

use crate::{OZON, WB_PRODUCTS, YM};

#[test]
fn a_templated_wb_segment_matches_a_concrete_id() {
    let operation = WB_PRODUCTS
        .operation("PUT", "/api/v3/stocks/123")
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(operation.method, "PUT");
    assert_eq!(operation.template, "/api/v3/stocks/{warehouseId}");
    assert_eq!(operation.to_string(), "PUT /api/v3/stocks/{warehouseId}");
}

#[test]
fn a_templated_ym_business_path_matches() {
    let operation = YM
        .operation("post", "/v2/businesses/4321/offer-mappings/update")
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        operation.template,
        "/v2/businesses/{businessId}/offer-mappings/update"
    );
    assert_eq!(operation.method, "POST");
    assert!(operation.operation_id.is_some(), "YM names its operations");
}

#[test]
fn a_literal_segment_wins_over_a_templated_one() {
    // YM documents both /outlets/licenses and /outlets/{outletId} for GET
    let licenses = YM
        .operation("GET", "/v2/campaigns/77/outlets/licenses")
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        licenses.template,
        "/v2/campaigns/{campaignId}/outlets/licenses"
    );
    let outlet = YM
        .operation("GET", "/v2/campaigns/77/outlets/12")
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        outlet.template,
        "/v2/campaigns/{campaignId}/outlets/{outletId}"
    );
}

#[test]
fn the_query_string_and_the_origin_are_ignored() {
    for target in [
        "/v3/product/import?dry=1&x=2",
        "https://api-seller.ozon.ru/v3/product/import",
        "https://api-seller.ozon.ru/v3/product/import?dry=1#top",
    ] {
        let operation = OZON
            .operation("POST", target)
            .unwrap_or_else(|error| panic!("{target}: {error}"));
        assert_eq!(operation.template, "/v3/product/import", "{target}");
    }
}

#[test]
fn an_unknown_path_or_method_is_no_operation() {
    for (method, path) in [
        ("POST", "/v3/product/nonexistent"),
        ("GET", "/v3/product/import"),
        ("POST", "/v3/product/import/extra"),
        ("PUT", "/api/v3/stocks/"),
    ] {
        let spec = if path.starts_with("/api") {
            &*WB_PRODUCTS
        } else {
            &*OZON
        };
        match spec.operation(method, path) {
            Err(SpecError::NoOperation { origin, .. }) => {
                assert!(
                    origin.ends_with(".json") || origin.ends_with(".yaml"),
                    "{origin}"
                );
            }
            other => panic!("{method} {path}: {other:?}"),
        }
    }
}

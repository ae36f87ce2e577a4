//! After a session of every operation — successes, per-item refusals, logical failures, auth
//! failures, a blocked User-Agent, 429 and 500 faults — every exchange in the sandbox log validates
//! against megamarket-notes.yaml: each request body, and each response body for its status.

use std::collections::BTreeSet;

use carpetti_marketplace::sandbox::Fault;
use carpetti_marketplace::{Connector, ListingIds, PriceUpdate, RetryPolicy, StockUpdate};
use carpetti_megamarket::seed::{COLOUR, KETTLES, MICROWAVES, T_SHIRTS, TYPE};
use carpetti_megamarket::{EmitLot, MegamarketConnector, Settings, path};
use carpetti_openapi::Spec;
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde_json::json;

use crate::{FAST, card, settle, spec_path, start, with_attribute};

#[tokio::test]
async fn every_exchange_of_a_session_fits_the_notes_spec() {
    let spec = Spec::from_yaml_file(spec_path()).expect("megamarket-notes.yaml loads");
    let setup = start().await;
    let c = &setup.connector;
    let kit = setup.sandbox.toolkit();
    let url = setup.url();
    let token = setup.sandbox.config().token.clone();

    // Dictionaries, one of them refused.
    c.categories().await.expect("categories");
    c.category_attributes(&MICROWAVES.to_string())
        .await
        .expect("attributes");
    c.category_attributes("12345")
        .await
        .expect_err("unknown category");

    // Cards: accepted, refused per card, refused as a batch; read back, listed.
    let cards = vec![
        card("SC-1", MICROWAVES),
        card("SC-2", KETTLES),
        with_attribute(card("SC-3", MICROWAVES), TYPE, None),
        with_attribute(card("SC-4", T_SHIRTS), COLOUR, Some("зелёный")),
        card("SC-5", 999),
    ];
    let submission = c.submit_cards(&cards).await.expect("submit");
    settle(c, &submission).await;
    c.list_offers().await.expect("offers");

    // Prices and stocks, with a warning each, and a storm on each.
    let prices = [
        PriceUpdate {
            ids: ListingIds::offer("SC-1"),
            price: Decimal::new(1990, 0),
            old_price: None,
        },
        PriceUpdate {
            ids: ListingIds::offer("NOPE"),
            price: Decimal::new(10, 0),
            old_price: None,
        },
    ];
    kit.add_fault(Fault {
        path_prefix: path::PRICE_SAVE.into(),
        status: 429,
        count: 1,
        retry_after_secs: None,
    });
    c.update_prices(&prices).await.expect("prices");
    let stocks = [StockUpdate {
        ids: ListingIds::offer("SC-2"),
        warehouse_id: "main".into(),
        quantity: 3,
    }];
    kit.add_fault(Fault {
        path_prefix: path::STOCK_UPDATE.into(),
        status: 500,
        count: 1,
        retry_after_secs: None,
    });
    c.update_stocks(&stocks).await.expect("stocks");

    // Orders: search, get, a refused sticker, confirm + packing, PDF and HTML stickers.
    let shipment = setup.sandbox.emit_order(&[EmitLot {
        offer_id: "SC-1".into(),
        quantity: 2,
        price: Decimal::new(1990, 0),
    }]);
    c.orders(Utc::now() - Duration::minutes(5))
        .await
        .expect("orders");
    let client = reqwest::Client::new();
    let box_code = format!("{}*{shipment}*1", setup.sandbox.config().merchant_id);
    let sticker = json!({ "meta": {}, "data": {
        "token": token, "shipmentId": shipment, "boxCodes": [box_code],
    }});
    let raw = |path: &str, body: &serde_json::Value| {
        client.post(format!("{url}{path}")).json(body).send()
    };
    assert_eq!(
        raw(path::STICKER_PRINT, &sticker)
            .await
            .expect("early sticker")
            .status(),
        200
    );
    c.label(&shipment).await.expect_err("not packed");
    c.pack(&shipment).await.expect("pack");
    c.label(&shipment).await.expect("label");
    raw(path::STICKER_PRINT, &sticker)
        .await
        .expect("html sticker");

    // A wrong token on both APIs; a blocked User-Agent.
    let wrong = MegamarketConnector::new(
        Settings::for_sandbox(&url, "175306", "WRONG"),
        RetryPolicy::quick(),
        FAST,
    )
    .expect("connector");
    wrong.categories().await.expect_err("401");
    wrong.update_stocks(&stocks).await.expect_err("success: 0");
    reqwest::Client::builder()
        .user_agent("python-requests/2.31.0")
        .build()
        .expect("client")
        .post(format!("{url}{}", path::STOCK_UPDATE))
        .json(&json!({ "meta": {}, "data": { "token": token, "stocks": [{ "offerId": "SC-2", "quantity": 1 }] } }))
        .send()
        .await
        .expect("403");

    let exchanges = kit.exchanges();
    let mut failures = Vec::new();
    let mut statuses = BTreeSet::new();
    let mut operations = BTreeSet::new();
    for exchange in &exchanges {
        let (method, path) = (exchange.method.as_str(), exchange.path.as_str());
        operations.insert(path.to_owned());
        statuses.insert(exchange.status);
        // Every request of these operations has a JSON body, every answer is JSON: nothing is
        // exempt from the check.
        match &exchange.request {
            Some(body) => {
                if let Err(e) = spec.check_request(method, path, body) {
                    failures.push(e.to_string());
                }
            }
            None => failures.push(format!("{method} {path}: request without a JSON body")),
        }
        match &exchange.response {
            Some(body) => {
                if let Err(e) = spec.check_response(method, path, exchange.status, body) {
                    failures.push(e.to_string());
                }
            }
            None => failures.push(format!(
                "{method} {path} {}: answer is not JSON",
                exchange.status
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        operations.len(),
        11,
        "every operation was exercised: {operations:?}"
    );
    assert_eq!(statuses, BTreeSet::from([200, 401, 403, 429, 500]));
    let bodies = |code: &str| {
        exchanges
            .iter()
            .filter_map(|e| e.response.as_ref())
            .filter(|r| r["success"] == 0)
            .any(|r| r["error"].to_string().contains(code))
    };
    for code in [
        "CATEGORY_NOT_FOUND",
        "INVALID_SHIPMENT_STATUS",
        "UNAUTHORIZED",
        "FORBIDDEN",
    ] {
        assert!(bodies(code), "no {code} failure in the session");
    }
}

/// The document is strict enough to catch wrong shapes (so the session check can fail).
#[test]
fn the_notes_spec_refuses_what_notes_rules_out() {
    let spec = Spec::from_yaml_file(spec_path()).expect("loads");
    let envelope = |data: serde_json::Value| json!({ "meta": {}, "data": data });
    let refused = |path: &str, body: serde_json::Value| {
        assert!(
            spec.check_request("POST", path, &body).is_err(),
            "{path} accepted {body}"
        );
    };
    // The token travels in the body.
    refused(
        path::STOCK_UPDATE,
        envelope(json!({ "stocks": [{ "offerId": "a", "quantity": 1 }] })),
    );
    // Prices are numbers, at most 300 of them.
    refused(
        path::PRICE_SAVE,
        envelope(
            json!({ "token": "t", "prices": [{ "offerId": "a", "price": "10", "isDeleted": false }] }),
        ),
    );
    let many: Vec<_> = (0..301)
        .map(|i| json!({ "offerId": i.to_string(), "price": 1, "isDeleted": false }))
        .collect();
    refused(
        path::PRICE_SAVE,
        envelope(json!({ "token": "t", "prices": many })),
    );
    // One unit per lot; box codes `<merchantId>*<shipmentId>*<n>`.
    let packing = |quantity: u32, code: &str| {
        envelope(
            json!({ "token": "t", "shipments": [{ "shipmentId": "1", "orderCode": "1", "items": [
                { "itemIndex": 1, "quantity": quantity, "boxes": [{ "boxIndex": 1, "boxCode": code }] }
            ]}]}),
        )
    };
    refused(path::ORDER_PACKING, packing(2, "1*1*1"));
    refused(path::ORDER_PACKING, packing(1, "box-1"));
    assert!(
        spec.check_request("POST", path::ORDER_PACKING, &packing(1, "175306*1*1"))
            .is_ok()
    );
    // At most 15 photos.
    let photos: Vec<String> = (0..16).map(|i| format!("https://p/{i}.jpg")).collect();
    refused(
        path::CARD_SAVE,
        json!({ "categoryId": 1, "cards": [{ "offerId": "a", "photos": photos,
            "masterAttributes": [], "contentAttributes": [] }] }),
    );
    // Answers: success is 1 with data, or 0 with an error.
    let answer =
        |body: serde_json::Value| spec.check_response("POST", path::STOCK_UPDATE, 200, &body);
    assert!(answer(json!({ "success": 1, "meta": {}, "data": {} })).is_ok());
    assert!(answer(json!({ "success": 0, "meta": {}, "data": null, "error": { "code": "X", "message": "m" } })).is_ok());
    assert!(answer(json!({ "success": 0, "meta": {}, "data": null })).is_err());
    assert!(answer(json!({ "success": true, "meta": {}, "data": {} })).is_err());
    assert!(
        spec.check_response("POST", path::STOCK_UPDATE, 404, &json!({}))
            .is_err()
    );
}

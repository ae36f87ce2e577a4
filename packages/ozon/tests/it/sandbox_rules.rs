//! The sandbox checks what it receives the way Ozon does: whole-request 400s for what the method
//! cannot read or over the batch maximum, item errors for the rest, the item quota's 429.

use std::time::Duration;

use carpetti_marketplace::{CardState, Connector};
use carpetti_ozon::SandboxConfig;
use carpetti_ozon::sandbox::seed;
use serde_json::{Value, json};

use crate::{Harness, carpet, publish, raw_post, result_of};

fn item(offer_id: &str) -> Value {
    json!({
        "offer_id": offer_id, "name": "Ковер", "description_category_id": 17_028_650, "type_id": 94765,
        "price": "1000", "vat": "0.2", "depth": 10, "width": 10, "height": 10, "dimension_unit": "mm",
        "weight": 100, "weight_unit": "g",
        "attributes": [
            {"complex_id": 0, "id": 85, "values": [{"dictionary_value_id": seed::BRAND_NONE, "value": "Нет бренда"}]},
            {"complex_id": 0, "id": 9048, "values": [{"value": "M"}]},
            {"complex_id": 0, "id": 11025, "values": [{"value": "ШЕРСТЬ"}]},
            {"complex_id": 0, "id": 123_456, "values": [{"value": "?"}]}
        ]
    })
}

async fn import_info(h: &Harness, items: Vec<Value>) -> anyhow::Result<Vec<Value>> {
    let (status, body) =
        raw_post(h, "/v3/product/import", &json!({ "items": items }), true).await?;
    assert_eq!(status, 200, "{body}");
    let task_id = body["result"]["task_id"].clone();
    let (status, body) = raw_post(
        h,
        "/v1/product/import/info",
        &json!({ "task_id": task_id.to_string() }),
        true,
    )
    .await?;
    assert_eq!(status, 200, "task ids are read as strings too: {body}");
    Ok(body["result"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

#[tokio::test]
async fn whole_requests_are_refused_with_a_400() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let items: Vec<Value> = (0..101).map(|n| item(&format!("X-{n}"))).collect();
    let (status, body) =
        raw_post(&h, "/v3/product/import", &json!({ "items": items }), true).await?;
    assert_eq!((status, body["code"].as_i64()), (400, Some(3)), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("100")));

    let mut no_price = item("X");
    no_price.as_object_mut().map(|o| o.remove("price"));
    let (status, _) = raw_post(
        &h,
        "/v3/product/import",
        &json!({ "items": [no_price] }),
        true,
    )
    .await?;
    assert_eq!(status, 400);
    let (status, _) = raw_post(&h, "/v3/product/list", &json!({"limit": 5000}), true).await?;
    assert_eq!(status, 400);
    let (status, body) = raw_post(&h, "/v9/unknown", &json!({}), true).await?;
    assert_eq!((status, body["code"].as_i64()), (404, Some(5)));
    assert_eq!(h.sandbox.product_count(), 0);
    Ok(())
}

#[tokio::test]
async fn item_checks_come_back_per_item() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let mut long_name = item("LONG");
    long_name["name"] = json!("я".repeat(501));
    let mut no_dimensions = item("FLAT");
    no_dimensions["weight"] = json!(0);
    let mut unknown_type = item("ODD");
    unknown_type["type_id"] = json!(1);
    let mut bad_vat = item("VAT");
    bad_vat["vat"] = json!("0.18");
    let items = import_info(
        &h,
        vec![
            item("GOOD"),
            long_name,
            no_dimensions,
            unknown_type,
            bad_vat,
        ],
    )
    .await?;
    let codes: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            let codes: Vec<&str> = i["errors"]
                .as_array()
                .map(|e| e.iter().filter_map(|e| e["code"].as_str()).collect())
                .unwrap_or_default();
            (
                i["status"].as_str().unwrap_or("").to_owned(),
                codes.join(","),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("imported".to_owned(), "attribute_not_found".to_owned()),
            (
                "failed".to_owned(),
                "name_too_long,attribute_not_found".to_owned()
            ),
            (
                "failed".to_owned(),
                "missing_dimension,attribute_not_found".to_owned()
            ),
            ("failed".to_owned(), "levels_category_not_found".to_owned()),
            (
                "failed".to_owned(),
                "invalid_vat,attribute_not_found".to_owned()
            ),
        ]
    );
    assert_eq!(items[0]["errors"][0]["level"], "warning");
    assert!(items[0]["product_id"].as_i64().is_some_and(|id| id > 0));
    assert_eq!(items[1]["product_id"], 0);
    Ok(())
}

#[tokio::test]
async fn stock_is_refused_until_the_product_is_created() -> anyhow::Result<()> {
    let mut config = SandboxConfig::paced(1000.0).immediate();
    config.processing_delay = Duration::from_secs(30);
    let h = Harness::start(config).await?;
    import_info(&h, vec![item("SLOW")]).await?;
    let stock = json!({"stocks": [{"offer_id": "SLOW", "product_id": 0, "stock": 4, "warehouse_id": seed::WAREHOUSE_MAIN}]});
    let (status, body) = raw_post(&h, "/v2/products/stocks", &stock, true).await?;
    assert_eq!(status, 200);
    assert_eq!(body["result"][0]["updated"], false);
    assert_eq!(
        body["result"][0]["errors"][0]["code"],
        "PRODUCT_IS_NOT_CREATED"
    );
    Ok(())
}

#[tokio::test]
async fn the_item_quota_answers_429_with_item_retry_after_and_the_connector_waits()
-> anyhow::Result<()> {
    let mut config = SandboxConfig::paced(1000.0).immediate();
    config.import_items_per_minute = Some(150); // a 60 ms window at pace 1000
    let h = Harness::start(config).await?;
    let cards: Vec<_> = (0..200u32).map(|n| carpet(&format!("Q-{n}"), n)).collect();
    let results = publish(&h.connector, &cards).await?;
    assert!(matches!(
        result_of(&results, "Q-199")?,
        CardState::Published { .. }
    ));
    let imports = h.sandbox.toolkit().exchanges_to("/v3/product/import");
    let limited: Vec<_> = imports.iter().filter(|e| e.status == 429).collect();
    assert!(!limited.is_empty(), "the second batch went over the quota");
    assert!(
        limited[0]
            .response
            .as_ref()
            .and_then(|r| r["message"].as_str())
            .is_some_and(|m| m.contains("operation items limits")),
        "{:?}",
        limited[0].response
    );
    assert_eq!(h.sandbox.product_count(), 200);
    assert_eq!(h.connector.limits().cards_per_call, 100);
    Ok(())
}

#[tokio::test]
async fn over_the_item_quota_ozon_names_the_wait_in_minutes() -> anyhow::Result<()> {
    let mut config = SandboxConfig::default().immediate();
    config.import_items_per_minute = Some(150);
    let h = Harness::start(config).await?;
    let items: Vec<Value> = (0..100).map(|n| item(&format!("Q-{n}"))).collect();
    let client = reqwest::Client::new();
    let send = || {
        client
            .post(format!("{}/v3/product/import", h.url()))
            .header("Client-Id", &h.sandbox.config().client_id)
            .header("Api-Key", &h.sandbox.config().api_key)
            .json(&json!({ "items": items }))
            .send()
    };
    assert_eq!(send().await?.status().as_u16(), 200);
    let refused = send().await?;
    assert_eq!(refused.status().as_u16(), 429);
    let header = |name: &str| {
        refused
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("item-retry-after").as_deref(), Some("1"));
    assert_eq!(header("item-rate-limit-remaining").as_deref(), Some("50"));
    let body: Value = refused.json().await?;
    assert_eq!(body["code"], 8);
    assert_eq!(
        h.sandbox.import_count("Q-0"),
        1,
        "the refused batch was not taken"
    );
    Ok(())
}

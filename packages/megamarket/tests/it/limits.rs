//! Rate limits: with the real quota (5 requests/s, pace 1) the client limiter keeps the
//! connector under the sandbox's gate; a client that ignores it is answered 429 + Retry-After.

use std::time::Duration;

use carpetti_marketplace::{Connector, ListingIds, StockUpdate};
use carpetti_megamarket::seed::KETTLES;
use carpetti_megamarket::{SandboxConfig, path};
use serde_json::json;

use crate::{card, start_with};

#[tokio::test]
async fn the_connector_never_meets_the_sandbox_limit_at_real_pace() {
    let config = SandboxConfig::paced(1.0).with_processing_delay(Duration::ZERO);
    let setup = start_with(config, 1.0).await;
    setup
        .connector
        .submit_cards(&[card("RL-1", KETTLES)])
        .await
        .expect("submit");
    let update = [StockUpdate {
        ids: ListingIds::offer("RL-1"),
        warehouse_id: "main".to_owned(),
        quantity: 1,
    }];
    for _ in 0..20 {
        setup
            .connector
            .update_stocks(&update)
            .await
            .expect("stocks");
    }
    let exchanges = setup.sandbox.toolkit().exchanges();
    assert_eq!(exchanges.len(), 21);
    let limited: Vec<_> = exchanges.iter().filter(|e| e.status == 429).collect();
    assert!(limited.is_empty(), "{limited:?}");
}

#[tokio::test]
async fn a_burst_over_five_per_second_is_answered_429_with_retry_after() {
    let config = SandboxConfig::paced(1.0).with_processing_delay(Duration::ZERO);
    let setup = start_with(config, 1.0).await;
    let client = reqwest::Client::new();
    let body = json!({
        "meta": {},
        "data": { "token": setup.sandbox.config().token, "stocks": [{ "offerId": "x", "quantity": 1 }] },
    });
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let response = client
            .post(format!("{}{}", setup.url(), path::STOCK_UPDATE))
            .json(&body)
            .send()
            .await
            .expect("send");
        statuses.push(response.status().as_u16());
        if response.status().as_u16() == 429 {
            retry_after = response.headers().get("retry-after").cloned();
            let answer: serde_json::Value = response.json().await.expect("json");
            assert_eq!(answer["success"], 0);
            assert_eq!(answer["error"][0]["code"], "TOO_MANY_REQUESTS");
        }
    }
    assert_eq!(&statuses[..5], [200; 5]);
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(
        retry_after.expect("Retry-After").to_str().expect("text"),
        "1"
    );
}

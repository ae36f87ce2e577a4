//! A wrong token is `MpError::Auth` on both APIs (HTTP 401 on the content API, HTTP 200 with
//! `success: 0` on the Merchant API); a python-requests User-Agent is refused as a bot.

use carpetti_marketplace::{Connector, ListingIds, MpError, RetryPolicy, StockUpdate};
use carpetti_megamarket::{MegamarketConnector, Settings, path};
use serde_json::json;

use crate::{FAST, start};

#[tokio::test]
async fn wrong_token_is_an_auth_error_on_both_apis() {
    let setup = start().await;
    let settings = Settings::for_sandbox(&setup.url(), "175306", "WRONG-TOKEN");
    let connector = MegamarketConnector::new(settings, RetryPolicy::quick(), FAST).expect("c");

    let error = connector.categories().await.expect_err("content API");
    assert!(
        matches!(error, MpError::Auth { status: 401, .. }),
        "{error:?}"
    );
    let error = connector
        .update_stocks(&[StockUpdate {
            ids: ListingIds::offer("A"),
            warehouse_id: "main".to_owned(),
            quantity: 1,
        }])
        .await
        .expect_err("merchant API");
    assert!(
        matches!(error, MpError::Auth { status: 200, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    assert!(setup.sandbox.stocks().is_empty());
    // The connector presents itself as carpetti, never as python-requests.
    for exchange in setup.sandbox.toolkit().exchanges() {
        let agent = exchange.header("user-agent").expect("user agent");
        assert!(agent.starts_with("carpetti/"), "{agent}");
    }
}

#[tokio::test]
async fn python_requests_user_agent_is_blocked() {
    let setup = start().await;
    let response = reqwest::Client::builder()
        .user_agent("python-requests/2.31.0")
        .build()
        .expect("client")
        .post(format!("{}{}", setup.url(), path::STOCK_UPDATE))
        .json(
            &json!({ "meta": {}, "data": { "token": setup.sandbox.config().token, "stocks": [] } }),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 403);
}

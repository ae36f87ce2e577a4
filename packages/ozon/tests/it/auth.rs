//! Credentials: wrong ones are MpError::Auth; missing headers get Ozon's 401; the settings read
//! the channel and never print the key.

use carpetti_marketplace::{Connector, Credentials, MpError, RetryPolicy};
use carpetti_ozon::{OzonConnector, PRODUCTION_BASE_URL, Settings};
use serde_json::json;

use crate::{Harness, raw_post};

#[tokio::test]
async fn a_wrong_api_key_is_an_auth_error() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let settings = Settings::new(h.url(), &h.sandbox.config().client_id, "wrong-key");
    let connector = OzonConnector::new(settings, RetryPolicy::quick(), 1000.0)?;
    let refused = connector.categories().await;
    let Err(MpError::Auth {
        status, message, ..
    }) = &refused
    else {
        panic!("{refused:?}");
    };
    assert_eq!(*status, 403);
    assert_eq!(message, "Invalid Api-Key, please contact support");
    assert!(!refused.as_ref().is_err_and(MpError::is_transient));

    let settings = Settings::new(h.url(), "999", &h.sandbox.config().api_key);
    let connector = OzonConnector::new(settings, RetryPolicy::quick(), 1000.0)?;
    assert!(matches!(
        connector.list_offers().await,
        Err(MpError::Auth { status: 403, .. })
    ));
    Ok(())
}

#[tokio::test]
async fn missing_headers_get_ozons_401() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let (status, body) = raw_post(&h, "/v1/description-category/tree", &json!({}), false).await?;
    assert_eq!(status, 401);
    assert_eq!(body["code"], 16);
    assert_eq!(
        body["message"],
        "Client-Id and Api-Key headers are required"
    );
    Ok(())
}

#[test]
fn settings_come_from_the_channel_and_hide_the_key() -> anyhow::Result<()> {
    let credentials = Credentials::new()
        .with("api_key", "secret-key-123")
        .with("client_id", "4242");
    let defaults = Settings::from_channel(&json!({}), &credentials)?;
    assert_eq!(defaults.base_url, PRODUCTION_BASE_URL);
    assert_eq!(defaults.client_id, "4242");
    assert!(defaults.warehouses.is_empty());

    let settings = Settings::from_channel(
        &json!({"base_url": "http://127.0.0.1:9000/", "client_id": 777, "warehouses": ["22142605386000", 5]}),
        &credentials,
    )?;
    assert_eq!(settings.base_url, "http://127.0.0.1:9000");
    assert_eq!(settings.client_id, "777");
    assert_eq!(settings.warehouses, ["22142605386000", "5"]);
    let printed = format!("{settings:?}");
    assert!(
        !printed.contains("secret-key-123") && printed.contains("***"),
        "{printed}"
    );

    let no_key = Settings::from_channel(&json!({"client_id": "1"}), &Credentials::new());
    assert!(matches!(no_key, Err(MpError::Settings { .. })));
    let bad_url = Settings::from_channel(&json!({"base_url": "ftp://x"}), &credentials);
    assert!(matches!(bad_url, Err(MpError::Settings { .. })));
    let bad_warehouse = Settings::from_channel(&json!({"warehouses": ["main"]}), &credentials);
    assert!(matches!(bad_warehouse, Err(MpError::Settings { .. })));
    Ok(())
}

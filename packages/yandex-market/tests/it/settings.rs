//! Channel settings: ids, the base URL override, warehouses, the key kept out of `Debug`.

use carpetti_marketplace::{Connector, Credentials, MpError, RetryPolicy};
use carpetti_yandex_market::{DEFAULT_BASE_URL, Settings, YandexMarketConnector};
use serde_json::json;

fn key() -> Credentials {
    Credentials::new().with("api_key", "secret-key-value")
}

#[test]
fn settings_read_ids_as_numbers_or_strings_and_default_the_host() -> anyhow::Result<()> {
    let settings = Settings::from_channel(
        &json!({"business_id": "7700001", "campaign_id": 21000001, "warehouses": ["21000001", 5]}),
        &key(),
    )?;
    assert_eq!(settings.base_url, DEFAULT_BASE_URL);
    assert_eq!(
        (settings.business_id, settings.campaign_id),
        (7_700_001, 21_000_001)
    );
    assert_eq!(settings.warehouses, ["21000001", "5"]);
    let local = Settings::from_channel(
        &json!({"business_id": 1, "campaign_id": 2, "base_url": "http://127.0.0.1:9000/"}),
        &key(),
    )?;
    assert_eq!(local.base_url, "http://127.0.0.1:9000");
    Ok(())
}

#[test]
fn the_key_never_shows_in_debug() -> anyhow::Result<()> {
    let settings = Settings::from_channel(&json!({"business_id": 1, "campaign_id": 2}), &key())?;
    let shown = format!("{settings:?}");
    assert!(!shown.contains("secret-key-value"), "{shown}");
    assert!(shown.contains("***"));
    let connector = YandexMarketConnector::new(settings, RetryPolicy::quick(), 1.0)?;
    assert_eq!(connector.limits().cards_per_call, 500);
    assert_eq!(connector.limits().stocks_per_call, 2000);
    Ok(())
}

#[test]
fn missing_ids_or_key_are_settings_errors() {
    let no_campaign = Settings::from_channel(&json!({"business_id": 1}), &key());
    assert!(
        matches!(no_campaign, Err(MpError::Settings { ref reason, .. }) if reason.contains("campaign_id"))
    );
    let negative = Settings::from_channel(&json!({"business_id": -4, "campaign_id": 2}), &key());
    assert!(matches!(negative, Err(MpError::Settings { .. })));
    let no_key = Settings::from_channel(
        &json!({"business_id": 1, "campaign_id": 2}),
        &Credentials::new(),
    );
    assert!(
        matches!(no_key, Err(MpError::Settings { ref reason, .. }) if reason.contains("api_key"))
    );
    let bad_url = Settings::from_channel(
        &json!({"business_id": 1, "campaign_id": 2, "base_url": "ftp://x"}),
        &key(),
    );
    assert!(matches!(bad_url, Err(MpError::Settings { .. })));
}

//! Channel settings: hosts, merchant id, warehouses; the token only from the credentials and
//! never in `Debug`.

use carpetti_marketplace::{Credentials, MpError};
use carpetti_megamarket::{PRODUCTION_URL, Settings, TEST_URL};
use serde_json::json;

fn token() -> Credentials {
    Credentials::new().with("token", "SECRET-TOKEN-123")
}

#[test]
fn production_by_default_and_one_base_url_overrides_every_host() {
    let settings = Settings::from_channel(&json!({ "merchant_id": 175306 }), &token()).expect("ok");
    assert_eq!(settings.merchant_url, PRODUCTION_URL);
    assert_eq!(settings.content_url, PRODUCTION_URL);
    assert_eq!(settings.merchant_id, "175306");
    assert_eq!(settings.box_code("9000000001"), "175306*9000000001*1");

    let test =
        Settings::from_channel(&json!({ "merchant_id": "1", "test": true }), &token()).expect("ok");
    assert_eq!(test.merchant_url, TEST_URL);

    let sandbox = Settings::from_channel(
        &json!({
            "merchant_id": "1",
            "base_url": "http://127.0.0.1:4010/",
            "content_url": "https://elsewhere.example",
            "warehouses": ["wh-1", 2],
        }),
        &token(),
    )
    .expect("ok");
    assert_eq!(sandbox.merchant_url, "http://127.0.0.1:4010");
    assert_eq!(sandbox.content_url, "http://127.0.0.1:4010");
    assert_eq!(sandbox.warehouses, ["wh-1", "2"]);
}

#[test]
fn missing_or_bad_settings_are_refused() {
    let refused = |settings: serde_json::Value, credentials: Credentials| {
        matches!(
            Settings::from_channel(&settings, &credentials),
            Err(MpError::Settings { .. })
        )
    };
    assert!(refused(json!({}), token()));
    assert!(refused(json!({ "merchant_id": "abc" }), token()));
    assert!(refused(
        json!({ "merchant_id": 1, "base_url": "ftp://x" }),
        token()
    ));
    assert!(refused(
        json!({ "merchant_id": 1, "warehouses": "wh" }),
        token()
    ));
    assert!(refused(json!({ "merchant_id": 1 }), Credentials::new()));
}

#[test]
fn debug_hides_the_token() {
    let settings = Settings::from_channel(&json!({ "merchant_id": 7 }), &token()).expect("ok");
    let printed = format!("{settings:?}");
    assert!(!printed.contains("SECRET-TOKEN-123"), "{printed}");
    assert!(printed.contains("merchant_id"));
}

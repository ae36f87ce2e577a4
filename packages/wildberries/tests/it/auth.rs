//! Credentials and settings: a wrong token is `MpError::Auth`; settings pick the hosts and never
//! show the token.

use carpetti_marketplace::{Connector, Credentials, MpError, RetryPolicy};
use carpetti_wildberries::{Settings, WildberriesConnector};
use serde_json::json;

use crate::common::{FAST, Setup, connect};

#[tokio::test]
async fn a_wrong_token_is_an_auth_error() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let intruder = connect(&setup.served, "not-the-token", FAST)?;
    let refused = intruder.categories().await;
    assert!(
        matches!(refused, Err(MpError::Auth { status: 401, .. })),
        "{refused:?}"
    );
    let refused = intruder.orders(chrono::Utc::now()).await;
    assert!(matches!(refused, Err(MpError::Auth { .. })), "{refused:?}");
    let exchange = &setup.sandbox.toolkit().exchanges()[0];
    assert_eq!(exchange.status, 401);
    assert_eq!(
        exchange.response.as_ref().map(|r| r["title"].clone()),
        Some(json!("unauthorized"))
    );
    Ok(())
}

#[test]
fn settings_read_the_hosts_warehouses_and_token() -> anyhow::Result<()> {
    let credentials = Credentials::new().with("token", "secret-token-value");
    let defaults = Settings::from_channel(&json!({}), &credentials)?;
    assert_eq!(defaults.content_url, "https://content-api.wildberries.ru");
    assert_eq!(
        defaults.prices_url,
        "https://discounts-prices-api.wildberries.ru"
    );
    assert_eq!(
        defaults.marketplace_url,
        "https://marketplace-api.wildberries.ru"
    );
    let sandbox = Settings::from_channel(
        &json!({ "base_url": "http://127.0.0.1:9/", "content_url": "https://other",
                 "warehouses": ["507001", 507002] }),
        &credentials,
    )?;
    assert_eq!(sandbox.content_url, "http://127.0.0.1:9");
    assert_eq!(sandbox.marketplace_url, "http://127.0.0.1:9");
    assert_eq!(sandbox.warehouses, vec![507_001, 507_002]);
    assert!(!format!("{sandbox:?}").contains("secret-token-value"));
    let missing = Settings::from_channel(&json!({}), &Credentials::new());
    assert!(matches!(missing, Err(MpError::Settings { .. })));
    let bad = Settings::from_channel(&json!({ "warehouses": ["north"] }), &credentials);
    assert!(matches!(bad, Err(MpError::Settings { .. })));
    let connector = WildberriesConnector::new(defaults, RetryPolicy::default(), 1.0)?;
    let limits = connector.limits();
    assert_eq!(
        (
            limits.cards_per_call,
            limits.prices_per_call,
            limits.stocks_per_call
        ),
        (100, 1000, 1000)
    );
    assert_eq!(limits.card_calls_per_minute, 10);
    Ok(())
}

#[tokio::test]
async fn stocks_to_a_warehouse_outside_the_channel_are_refused_before_sending() -> anyhow::Result<()>
{
    let setup = Setup::fast().await?;
    let credentials = Credentials::new().with("token", setup.sandbox.config().token.clone());
    let settings = Settings::from_channel(
        &json!({ "base_url": setup.served.base_url(), "warehouses": ["507001"] }),
        &credentials,
    )?;
    let connector = WildberriesConnector::new(settings, RetryPolicy::quick(), FAST)?;
    let stock = carpetti_marketplace::StockUpdate {
        ids: carpetti_marketplace::ListingIds {
            offer_id: "X".into(),
            product_id: Some("1".into()),
            sku: Some("2".into()),
        },
        warehouse_id: "507002".into(),
        quantity: 1,
    };
    let outcomes = connector.update_stocks(&[stock]).await?;
    assert_eq!(outcomes[0].problems[0].code, "unknown_warehouse");
    assert!(setup.sandbox.toolkit().exchanges().is_empty());
    Ok(())
}

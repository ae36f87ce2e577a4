//! Wrong or missing credentials get the Market's 401 / 403 and `MpError::Auth`.

use carpetti_marketplace::{Connector, Credentials, MpError, RetryPolicy};
use carpetti_yandex_market::{Settings, YandexMarketConnector};

use crate::{fast, start};

#[tokio::test]
async fn a_wrong_key_is_an_auth_error() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let settings = Settings::from_channel(
        &env.sandbox
            .config()
            .channel_settings(&env.served.base_url()),
        &Credentials::new().with("api_key", "not-the-key"),
    )?;
    let connector = YandexMarketConnector::new(settings, RetryPolicy::quick(), 1000.0)?;
    let refused = connector.categories().await;
    assert!(
        matches!(refused, Err(MpError::Auth { status: 403, .. })),
        "{refused:?}"
    );
    let refused = connector.submit_cards(&[crate::carpet("X")]).await;
    assert!(matches!(refused, Err(MpError::Auth { .. })), "{refused:?}");
    assert_eq!(env.sandbox.offer_count(), 0);
    Ok(())
}

#[tokio::test]
async fn a_missing_key_gets_the_markets_401() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let answer = reqwest::Client::new()
        .post(format!("{}/v2/categories/tree", env.served.base_url()))
        .json(&serde_json::json!({}))
        .send()
        .await?;
    assert_eq!(answer.status().as_u16(), 401);
    let body: serde_json::Value = answer.json().await?;
    assert_eq!(body["status"], "ERROR");
    assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED");
    Ok(())
}

#[tokio::test]
async fn another_accounts_business_is_forbidden() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let mut settings = env
        .sandbox
        .config()
        .channel_settings(&env.served.base_url());
    settings["business_id"] = serde_json::json!(1234);
    let settings = Settings::from_channel(&settings, &env.sandbox.config().credentials())?;
    let connector = YandexMarketConnector::new(settings, RetryPolicy::quick(), 1000.0)?;
    let refused = connector.list_offers().await;
    assert!(
        matches!(refused, Err(MpError::Auth { status: 403, .. })),
        "{refused:?}"
    );
    Ok(())
}

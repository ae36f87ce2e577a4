//! With the real quotas on both sides, the connector's own limiter keeps it under WB's: the
//! sandbox never answers 429.

use std::time::Duration;

use carpetti_wildberries::SandboxConfig;

use crate::common::Setup;

#[tokio::test]
async fn the_client_limiter_keeps_under_the_real_quota() -> anyhow::Result<()> {
    // Marketplace API: 300/min, burst 20 — 30 calls take about two seconds.
    let setup =
        Setup::start(SandboxConfig::default().with_processing_delay(Duration::ZERO)).await?;
    for _ in 0..30 {
        let warehouses = setup.connector.warehouses().await?;
        assert_eq!(warehouses.len(), 2);
    }
    let exchanges = setup.sandbox.toolkit().exchanges_to("/api/v3/warehouses");
    assert_eq!(exchanges.len(), 30);
    let refused = exchanges.iter().filter(|e| e.status == 429).count();
    assert_eq!(refused, 0);
    Ok(())
}

#[tokio::test]
async fn the_sandbox_enforces_the_quota_with_wb_headers() -> anyhow::Result<()> {
    let setup =
        Setup::start(SandboxConfig::default().with_processing_delay(Duration::ZERO)).await?;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v3/warehouses", setup.served.base_url());
    let mut limited = None;
    for _ in 0..25 {
        let answer = client
            .get(&url)
            .header("Authorization", &setup.sandbox.config().token)
            .send()
            .await?;
        if answer.status() == 429 {
            limited = Some(answer);
            break;
        }
    }
    let answer = limited.expect("a burst of 25 exceeds 20");
    let headers = answer.headers().clone();
    let retry: f64 = headers["x-ratelimit-retry"].to_str()?.parse()?;
    assert!(retry > 0.0 && retry <= 0.2, "{retry}");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert_eq!(headers["x-ratelimit-limit"], "20");
    assert!(headers.contains_key("x-ratelimit-reset"));
    let body: serde_json::Value = answer.json().await?;
    assert_eq!(body["title"], "too many requests");
    assert_eq!(body["status"], 429);
    Ok(())
}

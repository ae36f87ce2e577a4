//! The Market's limits at their real values: 4 parallel requests per account, 600 reads of
//! offer mappings a minute. The connector keeps under them; a client without limits does not.

use std::time::Duration;

use carpetti_marketplace::Connector;
use carpetti_yandex_market::SandboxConfig;
use futures::future::join_all;

use crate::start;

/// Real quotas, and answers slow enough that parallel requests overlap.
fn real() -> SandboxConfig {
    SandboxConfig {
        latency: Duration::from_millis(25),
        processing_delay: Duration::ZERO,
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn thirty_concurrent_reads_never_meet_a_420() -> anyhow::Result<()> {
    let env = start(real()).await?;
    let calls = (0..30).map(|_| env.connector.list_offers());
    for listed in join_all(calls).await {
        assert!(listed?.is_empty());
    }
    let exchanges = env
        .sandbox
        .toolkit()
        .exchanges_to("/v2/businesses/7700001/offer-mappings");
    assert_eq!(exchanges.len(), 30, "one call each, no retry");
    assert!(exchanges.iter().all(|e| e.status == 200), "{exchanges:#?}");
    Ok(())
}

#[tokio::test]
async fn a_client_without_limits_meets_the_markets_420s() -> anyhow::Result<()> {
    let env = start(real()).await?;
    let client = reqwest::Client::new();
    let key = env.sandbox.config().api_key.clone();
    let tree = format!("{}/v2/categories/tree", env.served.base_url());
    let parallel = (0..12).map(|_| {
        client
            .post(&tree)
            .header("Api-Key", &key)
            .json(&serde_json::json!({}))
            .send()
    });
    let mut refused = 0;
    for answer in join_all(parallel).await {
        let answer = answer?;
        if answer.status().as_u16() == 420 {
            let body: serde_json::Value = answer.json().await?;
            assert_eq!(body["errors"][0]["code"], "LIMIT_EXCEEDED");
            let message = body["errors"][0]["message"].as_str().unwrap_or("");
            assert!(
                message
                    .starts_with("Hit rate limit of 4 parallel requests for campaignId 21000001")
            );
            refused += 1;
        }
    }
    assert!(refused > 0, "12 parallel requests must exceed 4");

    // and 15 quick reads exceed the 600/min bucket's burst of 10
    let reads = format!(
        "{}/v2/businesses/7700001/offer-mappings",
        env.served.base_url()
    );
    let mut limited = None;
    for _ in 0..15 {
        let answer = client
            .post(&reads)
            .header("Api-Key", &key)
            .json(&serde_json::json!({}))
            .send()
            .await?;
        if answer.status().as_u16() == 420 {
            limited = answer.headers().get("retry-after").cloned();
            break;
        }
    }
    let wait: f64 = limited.expect("a 420 with Retry-After").to_str()?.parse()?;
    assert!(
        wait > 0.0 && wait <= 0.1,
        "the wait until the next call: {wait}"
    );
    Ok(())
}

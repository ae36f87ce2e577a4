//! With the real quotas (pace 1.0) the client limiter keeps under the sandbox's: no 429 in the
//! exchange log. The same burst sent without the limiter is refused, so the check can fail.

use carpetti_ozon::SandboxConfig;
use serde_json::json;

use crate::Harness;

/// More calls than Ozon's per-second burst of 50.
const CALLS: usize = 90;

#[tokio::test]
async fn the_connector_stays_under_the_real_per_second_limit() -> anyhow::Result<()> {
    let h = Harness::start(SandboxConfig::default().immediate()).await?;
    for _ in 0..CALLS {
        let warehouses = h.connector.warehouses().await?;
        assert_eq!(warehouses.len(), 2);
    }
    let log = h.sandbox.toolkit().exchanges();
    assert_eq!(log.len(), CALLS, "no call was retried");
    let refused = log.iter().filter(|e| e.status == 429).count();
    assert_eq!(refused, 0, "the sandbox never answered 429");
    Ok(())
}

#[tokio::test]
async fn the_same_burst_without_a_limiter_is_refused_with_ozons_429() -> anyhow::Result<()> {
    let h = Harness::start(SandboxConfig::default().immediate()).await?;
    let client = reqwest::Client::new();
    let config = h.sandbox.config();
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..CALLS {
        let request = client
            .post(format!("{}/v2/warehouse/list", h.url()))
            .header("Client-Id", &config.client_id)
            .header("Api-Key", &config.api_key)
            .json(&json!({"limit": 200}));
        burst.spawn(async move {
            let response = request.send().await?;
            let status = response.status().as_u16();
            anyhow::Ok((status, response.json::<serde_json::Value>().await?))
        });
    }
    let mut refused = Vec::new();
    while let Some(answer) = burst.join_next().await {
        let (status, body) = answer??;
        if status == 429 {
            refused.push(body);
        }
    }
    assert!(
        !refused.is_empty(),
        "the gate refuses {CALLS} calls at once (burst 50)"
    );
    assert_eq!(refused[0]["code"], 8);
    assert_eq!(
        refused[0]["message"],
        "You have reached request rate limit per second"
    );
    Ok(())
}

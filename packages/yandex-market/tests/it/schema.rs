//! Every exchange of a session of all the operations — requests the connector sent, answers the
//! sandbox gave, errors included — validates against the official Yandex Market OpenAPI.

use std::sync::LazyLock;
use std::time::Duration;

use carpetti_marketplace::sandbox::Fault;
use carpetti_marketplace::{
    Connector, Credentials, ListingIds, PriceUpdate, RetryPolicy, StockUpdate,
};
use carpetti_openapi::Spec;
use carpetti_yandex_market::sandbox::{DEFAULT_CAMPAIGN_ID, seed};
use carpetti_yandex_market::{OrderLine, Settings, YandexMarketConnector};
use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::json;

use crate::{Env, attribute, carpet, fast, settle, start, towel};

static SPEC: LazyLock<Spec> = LazyLock::new(|| {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/marketplaces/specs/ym.json"
    );
    Spec::from_json_file(path).unwrap_or_else(|e| panic!("{e}"))
});

/// A request sent on purpose against the schema, to see the sandbox's 400: only its answer is
/// checked.
const MALFORMED: &str = "malformed-on-purpose";

async fn session(env: &Env) -> anyhow::Result<()> {
    let connector = &env.connector;
    let base = env.served.base_url();
    let key = env.sandbox.config().api_key.clone();
    let client = reqwest::Client::new();

    connector.categories().await?;
    connector
        .category_attributes(&seed::CARPETS.to_string())
        .await?;
    let _ = connector
        .category_attributes(&seed::HOME_TEXTILES.to_string())
        .await;

    let mut cards = vec![carpet("S-1"), carpet("S-2"), towel("S-3")];
    let mut no_color = carpet("S-NO-COLOR");
    no_color
        .attributes
        .retain(|a| a.id != seed::COLOR.to_string());
    let mut bad_number = carpet("S-BAD-NUMBER");
    bad_number
        .attributes
        .retain(|a| a.id != seed::WIDTH.to_string());
    bad_number
        .attributes
        .push(attribute(seed::WIDTH, "широкий"));
    let mut bad_category = carpet("S-BAD-CATEGORY");
    bad_category.category = "31337".to_owned();
    cards.extend([no_color, bad_number, bad_category]);
    let kit = env.sandbox.toolkit();
    kit.add_fault(Fault {
        path_prefix: "/v2/businesses/7700001/offer-mappings/update".to_owned(),
        status: 420,
        count: 1,
        retry_after_secs: None,
    });
    kit.add_fault(Fault {
        path_prefix: "/v2/businesses/7700001/offer-mappings/update".to_owned(),
        status: 500,
        count: 1,
        retry_after_secs: None,
    });
    let submission = connector.submit_cards(&cards).await?;
    settle(connector, &submission, Duration::from_secs(5)).await?;
    connector.list_offers().await?;

    connector
        .update_prices(&[PriceUpdate {
            ids: ListingIds::offer("S-1"),
            price: Decimal::new(990, 0),
            old_price: Some(Decimal::new(1290, 0)),
        }])
        .await?;
    connector
        .update_stocks(&[StockUpdate {
            ids: ListingIds::offer("S-1"),
            warehouse_id: DEFAULT_CAMPAIGN_ID.to_string(),
            quantity: 7,
        }])
        .await?;

    let order = env.sandbox.emit_order(&[OrderLine {
        offer_id: "S-1".to_owned(),
        quantity: 2,
        price: Decimal::new(990, 0),
    }]);
    connector
        .orders(Utc::now() - chrono::Duration::hours(1))
        .await?;
    let _ = connector.label(&order.to_string()).await;
    connector.pack(&order.to_string()).await?;
    connector.pack(&order.to_string()).await?;
    connector.label(&order.to_string()).await?;
    let _ = connector.pack("99").await;

    // refusals: a wrong key (403), no key (401), a body against the schema (400)
    let settings = Settings::from_channel(
        &env.sandbox.config().channel_settings(&base),
        &Credentials::new().with("api_key", "wrong"),
    )?;
    let _ = YandexMarketConnector::new(settings, RetryPolicy::quick(), 1000.0)?
        .categories()
        .await;
    client
        .post(format!("{base}/v2/categories/tree"))
        .json(&json!({}))
        .send()
        .await?;
    client
        .post(format!(
            "{base}/v2/businesses/7700001/offer-mappings/update"
        ))
        .header("Api-Key", &key)
        .header("x-test", MALFORMED)
        .json(&json!({"offerMappings": [{"offer": {"offerId": "L", "name": "x".repeat(300)}}]}))
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn every_exchange_of_a_session_fits_the_official_spec() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    session(&env).await?;
    let exchanges = env.sandbox.toolkit().exchanges();
    let mut failures = Vec::new();
    let mut statuses = std::collections::BTreeSet::new();
    for exchange in &exchanges {
        statuses.insert(exchange.status);
        let what = format!(
            "{} {} → {}",
            exchange.method, exchange.path, exchange.status
        );
        let malformed = exchange.header("x-test") == Some(MALFORMED);
        if let Some(request) = &exchange.request
            && !malformed
            && let Err(e) = SPEC.check_request(&exchange.method, &exchange.path, request)
        {
            failures.push(format!("{what}: request: {e}"));
        }
        if exchange.response_content_type.as_deref() == Some("application/pdf") {
            // the label: a binary PDF, nothing to validate but its documented content type
            let documented =
                SPEC.response_content_types(&exchange.method, &exchange.path, exchange.status)?;
            if !documented.iter().any(|t| t == "application/pdf") {
                failures.push(format!("{what}: application/pdf is not documented"));
            }
            continue;
        }
        match &exchange.response {
            Some(response) => {
                if let Err(e) =
                    SPEC.check_response(&exchange.method, &exchange.path, exchange.status, response)
                {
                    failures.push(format!("{what}: response: {e}"));
                }
            }
            None => failures.push(format!("{what}: no JSON answer")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // the session met every kind of answer
    for status in [200, 400, 401, 403, 404, 420, 500] {
        assert!(
            statuses.contains(&status),
            "no {status} in the session: {statuses:?}"
        );
    }
    assert!(exchanges.len() > 20, "{} exchanges", exchanges.len());
    Ok(())
}

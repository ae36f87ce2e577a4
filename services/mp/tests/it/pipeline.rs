//! Plan, sending and follow-up run side by side: a batch goes out as soon as it is planned and is
//! polled as soon as it is stored, before the later batches are handed over, and every card
//! still ends with its ids.

use std::time::Duration;

use anyhow::{Context, Result};
use carpetti_mp::publish::{Outcome, Quiet, Selection};

use crate::harness::{Backend, Harness, Kettle};
use crate::markets::ozon::Ozon;
use crate::scenarios::Market;

#[tokio::test]
async fn batches_are_followed_while_later_ones_are_sent() -> Result<()> {
    let market = Ozon::start().await?;
    let h = Harness::start(Backend::Sqlite).await?;
    // Four import calls of at most 100 cards. The catalog helper takes static SKUs.
    let kettles: Vec<Kettle> = (0..350)
        .map(|i| Kettle {
            sku: Box::leak(format!("P-{i:03}").into_boxed_str()),
            material: Some("glass"),
            category: true,
        })
        .collect();
    h.catalog(&kettles).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let channel = h.channel(setup.code).await?;
    let kit = market.sandbox.toolkit();
    kit.clear_exchanges();

    let report = h
        .publisher(Duration::from_secs(30))
        .publish(&channel, &Selection::All, &Quiet)
        .await?;

    assert_eq!(report.count(Outcome::Created), 350, "{:?}", report.counts());
    assert_eq!(report.submissions, 4);
    let calls: Vec<String> = kit
        .exchanges()
        .into_iter()
        .map(|e| e.path)
        .filter(|p| p == "/v3/product/import" || p == "/v1/product/import/info")
        .collect();
    let last_import = calls
        .iter()
        .rposition(|p| p == "/v3/product/import")
        .context("no import")?;
    let first_poll = calls
        .iter()
        .position(|p| p == "/v1/product/import/info")
        .context("no poll")?;
    assert!(
        first_poll < last_import,
        "the first batch is polled before the last is sent: {calls:?}"
    );
    let listings = h.listings(setup.code).await?;
    assert_eq!(listings.len(), 350);
    for (sku, listing) in &listings {
        assert!(
            listing.external_product_id.is_some() && listing.external_sku.is_some(),
            "{sku}: {listing:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_first_batch_is_published_before_the_plan_ends() -> Result<()> {
    let market = Ozon::start().await?;
    let h = Harness::start(Backend::Sqlite).await?;
    // 250 cards to send, then one product without a category mapping: the plan saves its
    // refusal only once it has gone through every selected product.
    let mut kettles: Vec<Kettle> = (0..250)
        .map(|i| Kettle {
            sku: Box::leak(format!("Q-{i:03}").into_boxed_str()),
            material: Some("glass"),
            category: true,
        })
        .collect();
    kettles.push(Kettle {
        sku: "Q-NOCAT",
        material: Some("metal"),
        category: false,
    });
    h.catalog(&kettles).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let channel = h.channel(setup.code).await?;
    // By SKU: the plan reads the products one by one.
    let skus = kettles.iter().map(|k| k.sku.to_owned()).collect();

    let report = h
        .publisher(Duration::from_secs(30))
        .publish(&channel, &Selection::Skus(skus), &Quiet)
        .await?;

    assert_eq!(report.count(Outcome::Created), 250, "{:?}", report.counts());
    assert_eq!(report.count(Outcome::Failed), 1);
    let listings = h.listings(setup.code).await?;
    let seq = |sku: &str| listings[sku].meta.as_ref().map_or(0, |m| m.change_seq);
    let refused = seq("Q-NOCAT");
    let first_published = (0..250)
        .map(|i| seq(&format!("Q-{i:03}")))
        .min()
        .context("no listing")?;
    assert!(
        first_published < refused,
        "a published listing ({first_published}) is written before the plan's refusal ({refused})"
    );
    Ok(())
}

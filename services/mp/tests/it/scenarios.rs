//! The same journeys against every marketplace's sandbox: publish a catalog with products that
//! must fail, see the external ids on the listings; publish again and send nothing; prices and
//! stocks arrive; orders come back matched; a label is kept; a crash between hand-over and outcome
//! re-sends nothing; a duplicate queue delivery sends nothing.

use std::time::Duration;

use anyhow::Result;
use carpetti_mp::files::{FileBlobs, LocalFiles};
use carpetti_mp::listings::{ids_of, published_listings};
use carpetti_mp::publish::{Outcome, Quiet, Selection};
use carpetti_mp::stocks::{StockQueue, drain};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use rust_decimal::Decimal;

use crate::harness::{Backend, ChannelSetup, Harness, Kettle, key};

/// One marketplace's sandbox, as the journeys drive it.
pub trait Market: Send + Sync {
    fn setup(&self) -> ChannelSetup;
    /// How many times the marketplace created (not updated) the offer.
    fn creations(&self, offer: &str) -> usize;
    /// Card calls the marketplace received in all.
    fn card_calls(&self) -> usize;
    fn price(&self, offer: &str) -> Option<Decimal>;
    fn stock(&self, offer: &str) -> Option<u32>;
    /// Emits an order of one unit of `offer` at `price`; its marketplace id.
    fn emit_order(&self, offer: &str, price: Decimal) -> String;
}

/// Good kettles, one with no material (required by every sandbox's kettle category), one with a
/// material the marketplace's dictionary does not know, one with no category.
pub fn kettles() -> Vec<Kettle> {
    let mut kettles: Vec<Kettle> = ["K-01", "K-02", "K-03", "K-04", "K-05", "K-06"]
        .into_iter()
        .map(|sku| Kettle {
            sku,
            material: Some("glass"),
            category: true,
        })
        .collect();
    kettles.push(Kettle {
        sku: "K-NOMAT",
        material: None,
        category: true,
    });
    kettles.push(Kettle {
        sku: "K-WOOD",
        material: Some("wood"),
        category: true,
    });
    kettles.push(Kettle {
        sku: "K-NOCAT",
        material: Some("metal"),
        category: false,
    });
    kettles
}

const GOOD: [&str; 6] = ["K-01", "K-02", "K-03", "K-04", "K-05", "K-06"];

pub async fn publish_and_republish(market: &dyn Market, backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    h.catalog(&kettles()).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let channel = h.channel(setup.code).await?;
    let publisher = h.publisher(Duration::from_secs(30));

    let report = publisher.publish(&channel, &Selection::All, &Quiet).await?;
    assert_eq!(report.count(Outcome::Created), GOOD.len(), "{report:#?}");
    assert_eq!(report.count(Outcome::Failed), 3, "{report:#?}");
    let listings = h.listings(setup.code).await?;
    for sku in GOOD {
        let listing = &listings[sku];
        assert_eq!(
            listing.status(),
            cat::ListingStatus::Published,
            "{sku}: {listing:?}"
        );
        assert!(
            listing.external_product_id.is_some() || listing.external_sku.is_some(),
            "{sku} has the marketplace's id: {listing:?}"
        );
        assert!(listing.published_hash.is_some());
        assert_eq!(market.creations(sku), 1, "{sku} created once");
    }
    let no_material = &listings["K-NOMAT"];
    assert_eq!(no_material.status(), cat::ListingStatus::Rejected);
    assert!(
        no_material
            .errors
            .iter()
            .any(|e| e.code == "missing_attribute" && e.attribute.is_some()),
        "the listing says which attribute is missing: {:?}",
        no_material.errors
    );
    assert!(
        listings["K-WOOD"]
            .errors
            .iter()
            .any(|e| e.code == "unknown_value")
    );
    assert!(
        listings["K-NOCAT"]
            .errors
            .iter()
            .any(|e| e.code == "unmapped_category")
    );
    for sku in ["K-NOMAT", "K-WOOD", "K-NOCAT"] {
        assert_eq!(market.creations(sku), 0, "{sku} was not sent");
    }

    // The same content again: nothing is sent.
    let calls = market.card_calls();
    let again = publisher.publish(&channel, &Selection::All, &Quiet).await?;
    assert_eq!(again.count(Outcome::Unchanged), GOOD.len(), "{again:#?}");
    assert_eq!(again.cards_sent, 0);
    assert_eq!(market.card_calls(), calls, "no card call the second time");

    // A changed product is an update, not a second creation.
    let mut product = h
        .persist
        .products()
        .get_product(key("K-01"))
        .await?
        .into_inner();
    product.name = "Электрочайник Carpetti K-01 (новая модель)".into();
    if let Some(meta) = product.meta.as_mut() {
        meta.change_seq = 0;
    }
    h.persist.products().update_product(product).await?;
    let changed = publisher
        .publish(&channel, &Selection::Skus(vec!["K-01".into()]), &Quiet)
        .await?;
    assert_eq!(changed.count(Outcome::Updated), 1, "{changed:#?}");
    assert_eq!(market.creations("K-01"), 1);
    Ok(())
}

pub async fn prices_stocks_orders_and_labels(market: &dyn Market) -> Result<()> {
    let h = Harness::start(Backend::Sqlite).await?;
    h.catalog(&kettles()).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let channel = h.channel(setup.code).await?;
    h.publisher(Duration::from_secs(30))
        .publish(&channel, &Selection::All, &Quiet)
        .await?;

    // Prices of the published products arrive in one call.
    let mut products = Vec::new();
    for sku in GOOD {
        let mut product = h
            .persist
            .products()
            .get_product(key(sku))
            .await?
            .into_inner();
        product.price = "2490.00".into();
        product.old_price = None;
        products.push(product);
    }
    let prices = carpetti_mp::prices::push_prices(&h.persist, &channel, &products).await?;
    assert_eq!(
        (prices.sent, prices.calls, prices.applied),
        (6, 1, 6),
        "{prices:?}"
    );
    for sku in GOOD {
        assert_eq!(market.price(sku), Some(Decimal::new(2490, 0)), "{sku}");
    }

    // Three changes per offer coalesce into one update each, in one call.
    let listings = published_listings(&h.persist, &channel).await?;
    let warehouse = channel.stock_warehouse.clone().unwrap_or_default();
    let mut queue = StockQueue::new();
    for quantity in [3, 9, 7] {
        for listing in listings.values() {
            queue.push(carpetti_marketplace::StockUpdate {
                ids: ids_of(listing),
                warehouse_id: warehouse.clone(),
                quantity,
            });
        }
    }
    let stocks = drain(channel.connector.as_ref(), &mut queue).await?;
    assert_eq!((stocks.received, stocks.coalesced), (18, 12), "{stocks:?}");
    assert_eq!(
        (stocks.sent, stocks.calls, stocks.applied),
        (6, 1, 6),
        "{stocks:?}"
    );
    for sku in GOOD {
        assert_eq!(market.stock(sku), Some(7), "{sku}");
    }

    // Orders come back with their lines matched to our products.
    let first = market.emit_order("K-02", Decimal::new(2490, 0));
    let second = market.emit_order("K-03", Decimal::new(2490, 0));
    let since = chrono::Utc::now() - chrono::Duration::days(1);
    let synced = carpetti_mp::orders::sync_orders(&h.persist, &channel, since).await?;
    assert_eq!(synced.created, 2, "{synced:#?}");
    assert_eq!(synced.unmatched_lines, 0, "{synced:#?}");
    let order = h
        .persist
        .orders()
        .get_order(api::GetRequest {
            key: first.clone(),
            scope_id: channel.channel_id.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(order.lines.len(), 1);
    assert_eq!(order.lines[0].sku.as_deref(), Some("K-02"));
    assert!(!order.history.is_empty(), "the status history starts");
    let again = carpetti_mp::orders::sync_orders(&h.persist, &channel, since).await?;
    assert_eq!((again.created, again.unchanged), (0, 2), "{again:#?}");

    // Packing makes the label; it is kept as a file with its metadata.
    let blobs = LocalFiles::new(h.work.path());
    let early = carpetti_mp::labels::fetch_label(&h.persist, &channel, &blobs, &second).await;
    assert!(early.is_err(), "no label before packing");
    channel.connector.pack(&first).await?;
    channel.connector.pack(&first).await?;
    let label = carpetti_mp::labels::fetch_label(&h.persist, &channel, &blobs, &first).await?;
    let bytes = blobs.get(&label.storage_key).await?;
    assert!(bytes.len() > 20 && bytes.len() == label.size_bytes);
    let meta = h
        .persist
        .files()
        .get_file_meta(key(&label.storage_key))
        .await?
        .into_inner();
    assert_eq!(meta.sha256, label.sha256);
    assert_eq!(meta.owner_kind.as_deref(), Some("order"));
    Ok(())
}

/// A run that hands cards over and stops before their outcome; the next run follows them and
/// sends nothing again.
pub async fn crash_between_hand_over_and_outcome(market: &dyn Market) -> Result<()> {
    let h = Harness::start(Backend::Sqlite).await?;
    h.catalog(&kettles()).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let channel = h.channel(setup.code).await?;
    let interrupted = h
        .publisher(Duration::ZERO)
        .publish(&channel, &Selection::All, &Quiet)
        .await?;
    assert_eq!(
        interrupted.count(Outcome::Pending),
        GOOD.len(),
        "{interrupted:#?}"
    );
    let calls = market.card_calls();
    let resumed = h
        .publisher(Duration::from_secs(30))
        .publish(&channel, &Selection::All, &Quiet)
        .await?;
    assert_eq!(resumed.recovered, 1, "{resumed:#?}");
    assert_eq!(resumed.cards_sent, 0, "nothing is sent again: {resumed:#?}");
    assert_eq!(resumed.count(Outcome::Created), GOOD.len(), "{resumed:#?}");
    assert_eq!(market.card_calls(), calls);
    for sku in GOOD {
        assert_eq!(market.creations(sku), 1);
    }
    Ok(())
}

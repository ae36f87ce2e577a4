//! Saving listings and outbox entries in batches: creates and replaces in one transaction, in
//! input order, all or nothing.

use carpetti_persist::StoreError;
use carpetti_persist::model::channel::{
    Channel, ChannelKind, Listing, ListingStatus, OutboxKind, OutboxStatus,
};
use carpetti_persist::model::{ListFilter, Lookup, Record, Target};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::super::links::product;
use super::channel;
use super::publication::{listing, outbox};

/// A channel, `count` products with SKUs `{prefix}-{n}`, and a new listing of the first one.
async fn channel_with_products(
    store: &DynStore,
    code: &str,
    kind: ChannelKind,
    prefix: &str,
    count: usize,
) -> anyhow::Result<(Record<Channel>, Vec<Uuid>, Record<Listing>)> {
    let channel = store.create_channel(channel(code, kind)).await?;
    let mut products = Vec::new();
    for n in 0..count {
        let created = store
            .create_product(product(&format!("{prefix}-{n}")))
            .await?;
        products.push(created.meta.id);
    }
    let existing = store
        .create_listing(listing(products[0], channel.meta.id, ListingStatus::New))
        .await?;
    Ok((channel, products, existing))
}

pub async fn batches_save_in_order_and_all_or_nothing(store: DynStore) -> anyhow::Result<()> {
    let (ozon, products, existing) =
        channel_with_products(&store, "ozon-batch", ChannelKind::Ozon, "B", 3).await?;

    let mut replaced = existing.value.clone();
    replaced.status = ListingStatus::Published;
    let saved = store
        .save_listings(vec![
            (
                None,
                listing(products[1], ozon.meta.id, ListingStatus::Pending),
            ),
            (
                Some(Target {
                    id: existing.meta.id,
                    expected_seq: Some(existing.meta.change_seq),
                }),
                replaced,
            ),
            (None, listing(products[2], ozon.meta.id, ListingStatus::New)),
        ])
        .await?;
    let order: Vec<Uuid> = saved.iter().map(|r| r.value.product_id).collect();
    assert_eq!(
        order,
        vec![products[1], products[0], products[2]],
        "input order"
    );
    assert_eq!(saved[1].meta.id, existing.meta.id, "replaced in place");
    assert_eq!(saved[1].value.status, ListingStatus::Published);
    assert!(saved[1].meta.change_seq > existing.meta.change_seq);
    let seqs: Vec<i64> = saved.iter().map(|r| r.meta.change_seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive sequence numbers: {seqs:?}"
    );
    assert_eq!(saved[0].refs.get("channel_code"), "ozon-batch");

    // A stale replace fails the whole batch: the create before it is not kept either.
    let before = store
        .list_listings(&ListFilter::default())
        .await?
        .items
        .len();
    let stale = store
        .save_listings(vec![
            (
                None,
                listing(Uuid::now_v7(), ozon.meta.id, ListingStatus::New),
            ),
            (
                Some(Target {
                    id: existing.meta.id,
                    expected_seq: Some(existing.meta.change_seq),
                }),
                existing.value.clone(),
            ),
        ])
        .await;
    assert!(
        stale.is_err(),
        "a stale or bad item fails the batch: {stale:?}"
    );
    assert_eq!(
        store
            .list_listings(&ListFilter::default())
            .await?
            .items
            .len(),
        before
    );

    let entries = store
        .save_outbox_entries(vec![
            (
                None,
                outbox(
                    ozon.meta.id,
                    products[0],
                    OutboxKind::Content,
                    OutboxStatus::Pending,
                ),
            ),
            (
                None,
                outbox(
                    ozon.meta.id,
                    products[1],
                    OutboxKind::Content,
                    OutboxStatus::Pending,
                ),
            ),
        ])
        .await?;
    assert_eq!(entries.len(), 2);
    let mut sent = entries[0].value.clone();
    sent.status = OutboxStatus::Sent;
    let again = store
        .save_outbox_entries(vec![(
            Some(Target {
                id: entries[0].meta.id,
                expected_seq: None,
            }),
            sent,
        )])
        .await?;
    assert_eq!(again[0].value.status, OutboxStatus::Sent);
    let duplicate = store
        .save_outbox_entries(vec![(
            None,
            outbox(
                ozon.meta.id,
                products[1],
                OutboxKind::Content,
                OutboxStatus::Pending,
            ),
        )])
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::AlreadyExists { .. })),
        "{duplicate:?}"
    );
    assert!(store.save_listings(Vec::new()).await?.is_empty());
    Ok(())
}

/// A failed batch names the row at fault and writes nothing; a target may repeat within a batch;
/// a full batch of 1,000 rows (the most a call takes) comes back in input order.
pub async fn batch_errors_name_the_row(store: DynStore) -> anyhow::Result<()> {
    let (wb, products, existing) =
        channel_with_products(&store, "wb-batch", ChannelKind::Wildberries, "E", 1_000).await?;
    let on_wb = ListFilter {
        channel_id: Some(wb.meta.id),
        limit: ListFilter::MAX_LIMIT,
        ..ListFilter::default()
    };
    let count = |store: DynStore| {
        let filter = on_wb.clone();
        async move { anyhow::Ok(store.list_listings(&filter).await?.items.len()) }
    };
    let before = count(store.clone()).await?;

    // A second listing of the same product on the channel: the error names that product.
    let duplicate = store
        .save_listings(vec![
            (None, listing(products[1], wb.meta.id, ListingStatus::New)),
            (None, listing(products[0], wb.meta.id, ListingStatus::New)),
        ])
        .await;
    match &duplicate {
        Err(StoreError::AlreadyExists { key, .. }) => {
            assert!(key.contains(&products[0].to_string()), "{key}")
        }
        other => panic!("expected ALREADY_EXISTS, got {other:?}"),
    }
    // An unknown product: INVALID_ARGUMENT naming the field and the id.
    let ghost = Uuid::now_v7();
    let unknown = store
        .save_listings(vec![
            (None, listing(products[1], wb.meta.id, ListingStatus::New)),
            (None, listing(ghost, wb.meta.id, ListingStatus::New)),
        ])
        .await;
    match &unknown {
        Err(StoreError::InvalidArgument { field, reason }) => {
            assert_eq!(field, "product_id");
            assert!(reason.contains(&ghost.to_string()), "{reason}");
        }
        other => panic!("expected INVALID_ARGUMENT, got {other:?}"),
    }
    // A target that does not exist.
    let missing = store
        .save_listings(vec![(
            Some(Target {
                id: Uuid::now_v7(),
                expected_seq: None,
            }),
            listing(products[1], wb.meta.id, ListingStatus::New),
        )])
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    assert_eq!(
        count(store.clone()).await?,
        before,
        "failed batches write nothing"
    );

    // The same row twice in one batch: applied in order, the second sees the first.
    let target = Target {
        id: existing.meta.id,
        expected_seq: None,
    };
    let mut pending = existing.value.clone();
    pending.status = ListingStatus::Pending;
    let mut published = existing.value.clone();
    published.status = ListingStatus::Published;
    let twice = store
        .save_listings(vec![(Some(target), pending), (Some(target), published)])
        .await?;
    assert_eq!(twice.len(), 2);
    assert_eq!(twice[0].value.status, ListingStatus::Pending);
    assert_eq!(twice[1].value.status, ListingStatus::Published);
    assert_eq!(twice[1].meta.change_seq, twice[0].meta.change_seq + 1);

    // A full batch: 999 creates and one replace, in input order.
    let mut items = vec![(
        Some(Target {
            id: existing.meta.id,
            expected_seq: Some(twice[1].meta.change_seq),
        }),
        listing(products[0], wb.meta.id, ListingStatus::Rejected),
    )];
    items.extend(
        products[1..]
            .iter()
            .map(|p| (None, listing(*p, wb.meta.id, ListingStatus::Pending))),
    );
    let saved = store.save_listings(items).await?;
    assert_eq!(saved.len(), 1_000);
    let order: Vec<Uuid> = saved.iter().map(|r| r.value.product_id).collect();
    assert_eq!(order, products, "input order");
    assert_eq!(saved[0].meta.id, existing.meta.id);
    assert_eq!(saved[0].meta.created_at, existing.meta.created_at);
    assert_eq!(saved[0].value.status, ListingStatus::Rejected);
    assert_eq!(saved[999].refs.get("sku"), "E-999");
    let stored = store.get_listing(&Lookup::Id(saved[500].meta.id)).await?;
    assert_eq!(stored, saved[500], "what a batch returns is what is stored");
    assert_eq!(count(store.clone()).await?, before + 999);
    Ok(())
}

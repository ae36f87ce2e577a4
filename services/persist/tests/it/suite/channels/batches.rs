//! Saving listings and outbox entries in batches: creates and replaces in one transaction, in
//! input order, all or nothing.

use carpetti_persist::StoreError;
use carpetti_persist::model::channel::{ChannelKind, ListingStatus, OutboxKind, OutboxStatus};
use carpetti_persist::model::{ListFilter, Target};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::super::links::product;
use super::channel;
use super::publication::{listing, outbox};

pub async fn batches_save_in_order_and_all_or_nothing(store: DynStore) -> anyhow::Result<()> {
    let ozon = store
        .create_channel(channel("ozon-batch", ChannelKind::Ozon))
        .await?;
    let mut products = Vec::new();
    for n in 0..3 {
        products.push(
            store
                .create_product(product(&format!("B-{n}")))
                .await?
                .meta
                .id,
        );
    }
    let existing = store
        .create_listing(listing(products[0], ozon.meta.id, ListingStatus::New))
        .await?;

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

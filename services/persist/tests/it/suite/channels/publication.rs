//! Listings (unique per product and channel, status filters) and the publication outbox (one
//! pending entry per channel, product and kind).

use carpetti_persist::StoreError;
use carpetti_persist::model::channel::{
    ChannelKind, ItemError, Listing, ListingStatus, OutboxEntry, OutboxKind, OutboxStatus,
};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::super::links::product;
use super::{assert_invalid, channel, id};

pub(crate) fn listing(product_id: Uuid, channel_id: Uuid, status: ListingStatus) -> Listing {
    Listing {
        product_id,
        channel_id,
        external_offer_id: Some("OFFER-1".into()),
        external_product_id: None,
        external_sku: None,
        status,
        published_hash: None,
        errors: Vec::new(),
        published_at: None,
        synced_at: None,
    }
}

pub(crate) fn outbox(
    channel_id: Uuid,
    product_id: Uuid,
    kind: OutboxKind,
    status: OutboxStatus,
) -> OutboxEntry {
    OutboxEntry {
        channel_id,
        product_id,
        kind,
        payload_hash: "h1".into(),
        status,
        attempts: 0,
        next_attempt_at: carpetti_util::now(),
        last_error: None,
        batch_id: None,
    }
}

pub async fn listing_rules_and_filters(store: DynStore) -> anyhow::Result<()> {
    let ozon = store
        .create_channel(channel("ozon", ChannelKind::Ozon))
        .await?;
    let wb = store
        .create_channel(channel("wb", ChannelKind::Wildberries))
        .await?;
    let p1 = store.create_product(product("A-1")).await?.meta.id;
    let p2 = store.create_product(product("A-2")).await?.meta.id;

    let mut rejected = listing(p1, ozon.meta.id, ListingStatus::Rejected);
    rejected.errors = vec![ItemError {
        code: "E42".into(),
        message: "нет фото".into(),
        attribute: Some("pictures".into()),
    }];
    rejected.synced_at = Some(carpetti_util::now());
    let l1 = store.create_listing(rejected).await?;
    assert_eq!(
        (
            l1.refs.get("sku").as_str(),
            l1.refs.get("channel_code").as_str()
        ),
        ("A-1", "ozon")
    );
    let read = store
        .get_listing(&Lookup::ScopedKey(ozon.meta.id, p1.to_string()))
        .await?;
    assert_eq!(read, l1);
    assert_eq!(read.value.errors[0].attribute.as_deref(), Some("pictures"));

    let err = store
        .create_listing(listing(p1, ozon.meta.id, ListingStatus::New))
        .await
        .expect_err("dup");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "listing",
                ..
            }
        ),
        "{err:?}"
    );
    let err = store
        .create_listing(listing(Uuid::now_v7(), ozon.meta.id, ListingStatus::New))
        .await;
    assert_invalid(&err.expect_err("unknown product"), "product_id");

    let mut published = listing(p2, ozon.meta.id, ListingStatus::Published);
    published.published_at = Some(carpetti_util::now());
    published.published_hash = Some("abc".into());
    let l2 = store.create_listing(published).await?;
    let l3 = store
        .create_listing(listing(p1, wb.meta.id, ListingStatus::Published))
        .await?;

    let f = |channel: Option<Uuid>, status: Option<&str>, product: Option<Uuid>| ListFilter {
        channel_id: channel,
        status: status.map(str::to_owned),
        product_id: product,
        ..ListFilter::new()
    };
    let ids = |page: carpetti_persist::model::Page<Listing>| {
        page.items
            .into_iter()
            .map(|r| r.meta.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store
            .list_listings(&f(Some(ozon.meta.id), Some("published"), None))
            .await?),
        vec![l2.meta.id]
    );
    assert_eq!(
        ids(store
            .list_listings(&f(None, Some("published"), None))
            .await?),
        vec![l2.meta.id, l3.meta.id]
    );
    assert_eq!(
        ids(store.list_listings(&f(None, None, Some(p1))).await?),
        vec![l1.meta.id, l3.meta.id]
    );
    let err = store
        .list_listings(&f(None, Some("live"), None))
        .await
        .expect_err("bad status");
    assert_invalid(&err, "status");

    let mut fixed = l1.value.clone();
    fixed.status = ListingStatus::Pending;
    fixed.errors.clear();
    let updated = store
        .update_listing(
            Target {
                id: l1.meta.id,
                expected_seq: Some(l1.meta.change_seq),
            },
            fixed,
        )
        .await?;
    assert!(updated.value.errors.is_empty());
    assert_eq!(
        ids(store
            .list_listings(&f(None, Some("rejected"), None))
            .await?),
        Vec::<Uuid>::new()
    );
    // the listing dies with its product
    store.delete_product(id(p2)).await?;
    assert!(store.get_listing(&Lookup::Id(l2.meta.id)).await.is_err());
    Ok(())
}

pub async fn outbox_keeps_one_pending_entry(store: DynStore) -> anyhow::Result<()> {
    let ch = store
        .create_channel(channel("ozon", ChannelKind::Ozon))
        .await?
        .meta
        .id;
    let p1 = store.create_product(product("O-1")).await?.meta.id;
    let p2 = store.create_product(product("O-2")).await?.meta.id;
    let first = store
        .create_outbox_entry(outbox(ch, p1, OutboxKind::Price, OutboxStatus::Pending))
        .await?;
    assert_eq!(
        (
            first.refs.get("channel_code").as_str(),
            first.refs.get("sku").as_str()
        ),
        ("ozon", "O-1")
    );
    assert_eq!(
        store.get_outbox_entry(&Lookup::Id(first.meta.id)).await?,
        first
    );

    let err = store
        .create_outbox_entry(outbox(ch, p1, OutboxKind::Price, OutboxStatus::Pending))
        .await
        .expect_err("second pending");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "outbox entry",
                ..
            }
        ),
        "{err:?}"
    );
    // other kinds and other statuses are separate
    let stock = store
        .create_outbox_entry(outbox(ch, p1, OutboxKind::Stock, OutboxStatus::Pending))
        .await?;
    store
        .create_outbox_entry(outbox(ch, p1, OutboxKind::Price, OutboxStatus::Sent))
        .await?;
    store
        .create_outbox_entry(outbox(ch, p1, OutboxKind::Price, OutboxStatus::Sent))
        .await?;

    let mut bad = outbox(ch, p2, OutboxKind::Content, OutboxStatus::Pending);
    bad.attempts = -1;
    assert_invalid(
        &store.create_outbox_entry(bad).await.expect_err("attempts"),
        "attempts",
    );
    let mut bad = outbox(ch, p2, OutboxKind::Content, OutboxStatus::Pending);
    bad.payload_hash = String::new();
    assert_invalid(
        &store.create_outbox_entry(bad).await.expect_err("hash"),
        "payload_hash",
    );
    let err = store
        .create_outbox_entry(outbox(
            ch,
            Uuid::now_v7(),
            OutboxKind::Content,
            OutboxStatus::Pending,
        ))
        .await;
    assert_invalid(&err.expect_err("unknown product"), "product_id");

    // sending frees the pending slot; flipping it back to pending collides with the new one
    let mut sending = first.value.clone();
    sending.status = OutboxStatus::Sending;
    sending.attempts = 1;
    sending.batch_id = Some("batch-7".into());
    let sent = store
        .update_outbox_entry(id(first.meta.id), sending)
        .await?;
    let again = store
        .create_outbox_entry(outbox(ch, p1, OutboxKind::Price, OutboxStatus::Pending))
        .await?;
    let mut back = sent.value.clone();
    back.status = OutboxStatus::Pending;
    let err = store
        .update_outbox_entry(id(first.meta.id), back)
        .await
        .expect_err("collides");
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        store.get_outbox_entry(&Lookup::Id(first.meta.id)).await?,
        sent,
        "not written"
    );

    let f = |status: Option<&str>, product: Option<Uuid>| ListFilter {
        channel_id: Some(ch),
        status: status.map(str::to_owned),
        product_id: product,
        ..ListFilter::new()
    };
    let pending = store
        .list_outbox_entries(&f(Some("pending"), Some(p1)))
        .await?;
    assert_eq!(
        pending.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![stock.meta.id, again.meta.id]
    );
    assert_eq!(
        store
            .list_outbox_entries(&f(Some("sent"), None))
            .await?
            .items
            .len(),
        2
    );
    let all = store.list_outbox_entries(&f(None, None)).await?;
    assert!(
        all.items
            .windows(2)
            .all(|w| w[0].meta.change_seq < w[1].meta.change_seq),
        "by change_seq"
    );
    let tail: Vec<Uuid> = all.items.iter().rev().take(2).map(|r| r.meta.id).collect();
    assert_eq!(
        tail,
        vec![again.meta.id, first.meta.id],
        "the updated entry moved to the end"
    );
    assert_invalid(
        &store
            .list_outbox_entries(&f(Some("new"), None))
            .await
            .expect_err("status"),
        "status",
    );

    let mark = store.current_seq().await?;
    store.delete_outbox_entry(id(stock.meta.id)).await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(
        (
            tombstones[0].entity.as_str(),
            tombstones[0].business_key.as_str()
        ),
        ("publication_outbox", "ozon/O-1/stock")
    );
    Ok(())
}

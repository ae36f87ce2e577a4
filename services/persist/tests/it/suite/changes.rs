//! The change sequence.

use carpetti_persist::store::DynStore;

use super::fixtures;

pub async fn sequence_is_monotonic_and_unique(store: DynStore) -> anyhow::Result<()> {
    let start = store.current_seq().await?;
    let mut seen = Vec::new();
    for i in 0..5 {
        let supplier = store
            .create_supplier(fixtures::supplier(&format!("s{i}")))
            .await?;
        seen.push(supplier.meta.change_seq);
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {seen:?}"
    );
    assert!(seen[0] > start);
    assert_eq!(
        store.current_seq().await?,
        *seen.last().expect("five writes")
    );
    Ok(())
}

/// Deleting a product removes its links and listings through `ON DELETE CASCADE`; each of them
/// must still be reported as deleted to "what changed since N" consumers.
pub async fn cascaded_deletes_leave_tombstones(store: DynStore) -> anyhow::Result<()> {
    use carpetti_persist::model::Target;
    use carpetti_persist::model::channel::{ChannelKind, ListingStatus};
    use carpetti_persist::model::link::builtin;

    let pack = store
        .create_product(super::links::product("PACK-6"))
        .await?;
    let base = store
        .create_product(super::links::product("BASE-1"))
        .await?;
    let link = store
        .create_product_link(super::links::link(
            builtin::PACKAGE,
            pack.meta.id,
            base.meta.id,
            6,
        ))
        .await?;
    let ozon = store
        .create_channel(super::channels::channel("ozon", ChannelKind::Ozon))
        .await?;
    let listing = store
        .create_listing(super::channels::publication::listing(
            base.meta.id,
            ozon.meta.id,
            ListingStatus::Published,
        ))
        .await?;

    let mark = store.current_seq().await?;
    let seq = store
        .delete_product(Target {
            id: base.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store.list_tombstones(mark, 100, None).await?;
    let mut deleted: Vec<(String, uuid::Uuid)> = tombstones
        .iter()
        .map(|t| (t.entity.clone(), t.entity_id))
        .collect();
    deleted.sort();
    let mut expected = vec![
        ("listing".to_owned(), listing.meta.id),
        ("product".to_owned(), base.meta.id),
        ("product_link".to_owned(), link.meta.id),
    ];
    expected.sort();
    assert_eq!(deleted, expected);
    assert!(
        tombstones.iter().all(|t| t.seq > mark),
        "fresh sequence numbers"
    );
    let mut seqs: Vec<i64> = tombstones.iter().map(|t| t.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), 3, "each tombstone has its own number");
    assert_eq!(
        tombstones
            .iter()
            .find(|t| t.entity == "product")
            .map(|t| t.seq),
        Some(seq)
    );
    // the pack product itself is untouched
    assert!(
        store
            .get_product(&carpetti_persist::model::Lookup::Id(pack.meta.id))
            .await
            .is_ok()
    );
    Ok(())
}

/// Tombstones older than the retention period are pruned, and the store remembers up to which
/// sequence number, so a lagging consumer can tell it missed deletions.
pub async fn tombstones_are_pruned_after_retention(store: DynStore) -> anyhow::Result<()> {
    use carpetti_persist::model::Target;

    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            store
                .create_supplier(fixtures::supplier(&format!("r{i}")))
                .await?
                .meta
                .id,
        );
    }
    let first = store
        .delete_supplier(Target {
            id: ids[0],
            expected_seq: None,
        })
        .await?;
    let second = store
        .delete_supplier(Target {
            id: ids[1],
            expected_seq: None,
        })
        .await?;
    assert_eq!(store.pruned_through().await?, 0);

    // nothing is old enough yet
    let long_ago = carpetti_util::now() - chrono::Duration::days(1);
    assert_eq!(store.prune_tombstones(long_ago).await?, 0);
    assert_eq!(store.list_tombstones(0, 10, None).await?.len(), 2);

    let later = carpetti_util::now() + chrono::Duration::seconds(1);
    assert_eq!(store.prune_tombstones(later).await?, 2);
    assert!(store.list_tombstones(0, 10, None).await?.is_empty());
    assert_eq!(store.pruned_through().await?, second.max(first));
    assert_eq!(store.prune_tombstones(later).await?, 0, "idempotent");

    // a newer deletion is kept by a prune of older ones, and pruned_through does not go back
    let third = store
        .delete_supplier(Target {
            id: ids[2],
            expected_seq: None,
        })
        .await?;
    assert_eq!(store.prune_tombstones(long_ago).await?, 0);
    let kept = store.list_tombstones(0, 10, None).await?;
    assert_eq!(kept.iter().map(|t| t.seq).collect::<Vec<_>>(), vec![third]);
    assert_eq!(store.pruned_through().await?, second);
    Ok(())
}

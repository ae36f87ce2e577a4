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

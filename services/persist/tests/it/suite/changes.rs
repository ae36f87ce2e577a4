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

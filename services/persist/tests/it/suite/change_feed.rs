//! The change feed as `ChangeService.ListChanges` reads it (through the store API): tombstones of
//! the file, import and process entities, paged by `since`, filtered by entity.

use carpetti_persist::model::Target;
use carpetti_persist::model::import::ItemOutcome;
use carpetti_persist::store::DynStore;

use super::{files, fixtures, imports, processes};

pub async fn tombstones_page_by_since_and_filter_by_entity(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = store
        .create_supplier(fixtures::supplier("feed"))
        .await?
        .meta
        .id;
    let run = store.create_import_run(imports::run(supplier_id)).await?;
    let report = store
        .create_import_item_report(imports::report(run.meta.id, 1, ItemOutcome::Gone))
        .await?;
    let file = store
        .create_file_meta(files::file("feeds/feed.xml"))
        .await?;
    let process = store
        .create_process_report(processes::process("cycle-9"))
        .await?;
    let start = store.current_seq().await?;
    assert!(store.list_tombstones(start, 100, None).await?.is_empty());

    let delete = |id| Target {
        id,
        expected_seq: None,
    };
    let seqs = vec![
        store
            .delete_import_item_report(delete(report.meta.id))
            .await?,
        store.delete_file_meta(delete(file.meta.id)).await?,
        store.delete_process_report(delete(process.meta.id)).await?,
        store.delete_import_run(delete(run.meta.id)).await?,
    ];
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(
        store.current_seq().await?,
        seqs[3],
        "a delete takes one sequence number"
    );

    // page by page, two at a time, `since` = the last seq seen
    let mut since = start;
    let mut seen = Vec::new();
    loop {
        let page = store.list_tombstones(since, 2, None).await?;
        let Some(last) = page.last() else { break };
        since = last.seq;
        seen.extend(page.into_iter().map(|t| (t.seq, t.entity, t.business_key)));
    }
    let expected = vec![
        (
            seqs[0],
            "import_item_report".to_owned(),
            "offer-1".to_owned(),
        ),
        (seqs[1], "file".to_owned(), "feeds/feed.xml".to_owned()),
        (seqs[2], "process_report".to_owned(), "cycle-9".to_owned()),
        (seqs[3], "import_run".to_owned(), "feed".to_owned()),
    ];
    assert_eq!(seen, expected);

    let files_only = store.list_tombstones(start, 100, Some("file")).await?;
    assert_eq!(
        files_only.iter().map(|t| t.entity_id).collect::<Vec<_>>(),
        vec![file.meta.id]
    );
    assert!(
        store
            .list_tombstones(seqs[1], 100, Some("file"))
            .await?
            .is_empty(),
        "after since only"
    );
    assert!(
        store
            .list_tombstones(start, 100, Some("supplier"))
            .await?
            .is_empty()
    );
    Ok(())
}

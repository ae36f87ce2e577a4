//! File metadata: the storage key as business key, the shape rules of the metadata, text lists.

use carpetti_persist::StoreError;
use carpetti_persist::model::file::{FileMeta, FileStorage};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;

/// A valid file meta stored under `key`.
pub fn file(key: &str) -> FileMeta {
    FileMeta {
        storage_key: key.to_owned(),
        name: key.rsplit('/').next().unwrap_or(key).to_owned(),
        content_type: "application/xml".to_owned(),
        size_bytes: 1024,
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned(),
        storage: FileStorage::Local,
        owner_kind: None,
        owner_id: None,
    }
}

fn invalid_field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

pub async fn file_crud_round_trip(store: DynStore) -> anyhow::Result<()> {
    let mut value = file("feeds/acme/2024-05-01.xml");
    value.owner_kind = Some("supplier".into());
    value.owner_id = Some(carpetti_util::new_id());
    let created = store.create_file_meta(value.clone()).await?;
    assert_eq!(created.value, value);
    assert_eq!(
        store.get_file_meta(&Lookup::Id(created.meta.id)).await?,
        created
    );
    let by_key = store
        .get_file_meta(&Lookup::Key("feeds/acme/2024-05-01.xml".into()))
        .await?;
    assert_eq!(by_key, created);

    let mut changed = value.clone();
    changed.storage = FileStorage::S3;
    changed.size_bytes = 0;
    changed.owner_kind = None;
    changed.owner_id = None;
    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let updated = store.update_file_meta(target, changed.clone()).await?;
    assert!(updated.meta.change_seq > created.meta.change_seq);
    assert_eq!(updated.meta.created_at, created.meta.created_at);
    assert_eq!(
        store.get_file_meta(&Lookup::Id(created.meta.id)).await?,
        updated
    );
    let err = store
        .update_file_meta(target, changed)
        .await
        .expect_err("stale change_seq");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let before = store.current_seq().await?;
    let seq = store
        .delete_file_meta(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    let err = store
        .get_file_meta(&Lookup::Key("feeds/acme/2024-05-01.xml".into()))
        .await
        .expect_err("gone");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let tombstones = store.list_tombstones(before, 10, Some("file")).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].seq, seq);
    assert_eq!(tombstones[0].entity_id, created.meta.id);
    assert_eq!(tombstones[0].business_key, "feeds/acme/2024-05-01.xml");
    Ok(())
}

pub async fn file_duplicate_storage_key_is_already_exists(store: DynStore) -> anyhow::Result<()> {
    store.create_file_meta(file("a/one.xml")).await?;
    let other = store.create_file_meta(file("a/two.xml")).await?;
    let err = store
        .create_file_meta(file("a/one.xml"))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(err, StoreError::AlreadyExists { entity: "file", .. }),
        "{err:?}"
    );
    let err = store
        .update_file_meta(
            Target {
                id: other.meta.id,
                expected_seq: None,
            },
            file("a/one.xml"),
        )
        .await
        .expect_err("duplicate on update");
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        store.get_file_meta(&Lookup::Id(other.meta.id)).await?,
        other,
        "update rolled back"
    );
    assert_eq!(
        store.list_file_metas(&ListFilter::new()).await?.items.len(),
        2
    );
    Ok(())
}

pub async fn file_rules_are_invalid_argument(store: DynStore) -> anyhow::Result<()> {
    type Change = fn(&mut FileMeta);
    let cases: Vec<(&str, Change)> = vec![
        ("storage_key", |f| f.storage_key = String::new()),
        ("storage_key", |f| f.storage_key = "/etc/passwd".into()),
        ("storage_key", |f| f.storage_key = "feeds/../secrets".into()),
        ("name", |f| f.name = "  ".into()),
        ("content_type", |f| f.content_type = String::new()),
        ("content_type", |f| f.content_type = "xml".into()),
        ("size_bytes", |f| f.size_bytes = -1),
        ("sha256", |f| f.sha256 = "abc".into()),
        ("sha256", |f| f.sha256 = f.sha256.to_uppercase()),
        ("sha256", |f| f.sha256 = "g".repeat(64)),
        ("owner_id", |f| f.owner_kind = Some("product".into())),
        ("owner_kind", |f| f.owner_id = Some(carpetti_util::new_id())),
    ];
    let stored = store.create_file_meta(file("ok/kept.xml")).await?;
    for (expected, change) in cases {
        let mut value = file("bad/one.xml");
        change(&mut value);
        let err = store
            .create_file_meta(value.clone())
            .await
            .expect_err(expected);
        assert_eq!(invalid_field(err), expected, "create {value:?}");
        let target = Target {
            id: stored.meta.id,
            expected_seq: None,
        };
        let err = store
            .update_file_meta(target, value.clone())
            .await
            .expect_err(expected);
        assert_eq!(invalid_field(err), expected, "update {value:?}");
    }
    let all = store.list_file_metas(&ListFilter::new()).await?;
    assert_eq!(all.items.len(), 1, "nothing half-written");
    assert_eq!(all.items[0], stored, "the stored one untouched");
    Ok(())
}

pub async fn file_list_text_and_pages(store: DynStore) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            store
                .create_file_meta(file(&format!("feeds/acme/{i}.xml")))
                .await?
                .meta
                .id,
        );
    }
    let mut invoice = file("docs/2024/0001.pdf");
    invoice.name = "Invoice_May.PDF".into();
    invoice.content_type = "application/pdf".into();
    ids.push(store.create_file_meta(invoice).await?.meta.id);

    let mut filter = ListFilter {
        limit: 4,
        ..ListFilter::new()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.list_file_metas(&filter).await?;
        seen.extend(page.items.iter().map(|r| r.meta.id));
        match page.next_after_seq {
            Some(next) => filter.after_seq = next,
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let text = |t: &str| ListFilter {
        text: Some(carpetti_util::normalize_search_text(t)),
        ..ListFilter::new()
    };
    let by_name = store.list_file_metas(&text("invoice_may")).await?;
    assert_eq!(
        by_name.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![ids[5]],
        "name, case folded"
    );
    assert_eq!(
        store
            .list_file_metas(&text("feeds/acme"))
            .await?
            .items
            .len(),
        5,
        "storage key"
    );
    assert!(
        store.list_file_metas(&text("%")).await?.items.is_empty(),
        "wildcards escaped"
    );
    assert_eq!(
        store.list_file_metas(&text("_may")).await?.items.len(),
        1,
        "underscore literal"
    );

    let mut price = file("docs/price.xlsx");
    price.name = "Прайс ЗЕЛЁНЫЙ.xlsx".into();
    let price = store.create_file_meta(price).await?;
    let cyrillic = store.list_file_metas(&text("прайс зеленый")).await?;
    assert_eq!(
        cyrillic.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![price.meta.id],
        "Cyrillic case and ё folded on both backends"
    );

    let mark = store.current_seq().await?;
    let second = store.get_file_meta(&Lookup::Id(ids[1])).await?;
    store
        .update_file_meta(
            Target {
                id: ids[1],
                expected_seq: None,
            },
            second.value,
        )
        .await?;
    let since = store
        .list_file_metas(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(
        since.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );

    let err = store
        .list_file_metas(&ListFilter {
            status: Some("local".into()),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert_eq!(invalid_field(err), "status");
    Ok(())
}

//! What an import reads and writes besides the bulk upsert, at the store: a supplier's offer
//! fingerprints and items in offer-id pages, marking offers missing from a feed as gone, and the
//! products in SKU pages.

use std::collections::HashMap;

use carpetti_persist::StoreError;
use carpetti_persist::model::import::ItemOutcome;
use carpetti_persist::model::product::ProductStatus;
use carpetti_persist::model::supplier::SupplierItem;
use carpetti_persist::model::{ListFilter, Lookup};
use carpetti_persist::store::{DynStore, MAX_GONE_PER_CALL, OfferState, UpsertOutcome};
use carpetti_util::Money;
use uuid::Uuid;

use super::fixtures;
use super::imports::run;
use super::products::{catalog, full_product, product};

fn invalid_field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// `name`, `Some(change_seq)` of an outcome (`None` for rejections and content-needed).
fn named(o: &UpsertOutcome) -> (String, Option<i64>) {
    match o {
        UpsertOutcome::Created { change_seq, .. } => ("created".into(), Some(*change_seq)),
        UpsertOutcome::Updated { change_seq, .. } => ("updated".into(), Some(*change_seq)),
        UpsertOutcome::Unchanged { change_seq, .. } => ("unchanged".into(), Some(*change_seq)),
        UpsertOutcome::Rejected(StoreError::InvalidArgument { field, reason }) => {
            (format!("rejected {field}: {reason}"), None)
        }
        UpsertOutcome::Rejected(other) => (format!("rejected {other}"), None),
        UpsertOutcome::ContentNeeded => ("content needed".into(), None),
    }
}

fn names(outcomes: &[UpsertOutcome]) -> Vec<String> {
    outcomes.iter().map(|o| named(o).0).collect()
}

/// A supplier with items `O-00` … `O-{n-1}` (every third one unavailable), written by upsert.
async fn stocked(
    store: &DynStore,
    code: &str,
    n: usize,
) -> anyhow::Result<(Uuid, Vec<SupplierItem>)> {
    let supplier_id = store
        .create_supplier(fixtures::supplier(code))
        .await?
        .meta
        .id;
    let items: Vec<SupplierItem> = (0..n)
        .map(|i| SupplierItem {
            available: i % 3 != 2,
            ..fixtures::item(supplier_id, &format!("O-{i:02}"))
        })
        .collect();
    let outcomes = store
        .upsert_supplier_items(supplier_id, None, items.clone())
        .await?;
    assert!(names(&outcomes).iter().all(|n| n == "created"));
    Ok((supplier_id, items))
}

async fn all_hashes(
    store: &DynStore,
    supplier_id: Uuid,
    only_available: bool,
    limit: u32,
) -> anyhow::Result<Vec<OfferState>> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_supplier_item_hashes(supplier_id, only_available, after.as_deref(), limit)
            .await?;
        assert!(page.len() <= limit as usize);
        let done = page.len() < limit as usize;
        after = page.last().map(|s| s.offer_id.clone());
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

pub async fn hash_pages_follow_offer_ids_and_match_upsert(store: DynStore) -> anyhow::Result<()> {
    let (supplier_id, items) = stocked(&store, "hashes", 10).await?;
    // another supplier's offers never show up
    stocked(&store, "other", 4).await?;

    let listed = all_hashes(&store, supplier_id, false, 3).await?;
    let offers: Vec<&str> = listed.iter().map(|s| s.offer_id.as_str()).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("O-{i:02}")).collect();
    assert_eq!(
        offers, expected,
        "each offer once, in offer-id order, across pages of 3"
    );
    for (state, item) in listed.iter().zip(&items) {
        assert_eq!(state.content_hash, item.content_hash().as_str());
        assert_eq!(state.available, item.available);
    }
    // a page that ends exactly at the last offer, then an empty one
    assert_eq!(all_hashes(&store, supplier_id, false, 5).await?.len(), 10);
    let available = all_hashes(&store, supplier_id, true, 4).await?;
    assert_eq!(available.len(), 7);
    assert!(available.iter().all(|s| s.available));

    // what the listing says is exactly what the upsert compares with
    let prints: Vec<(String, String)> = listed
        .iter()
        .map(|s| (s.offer_id.clone(), s.content_hash.clone()))
        .collect();
    let answers = store
        .match_supplier_item_hashes(supplier_id, prints)
        .await?;
    assert!(names(&answers).iter().all(|n| n == "unchanged"));
    let again = store
        .upsert_supplier_items(supplier_id, None, items)
        .await?;
    assert!(names(&again).iter().all(|n| n == "unchanged"));

    let err = store
        .list_supplier_item_hashes(Uuid::now_v7(), false, None, 10)
        .await
        .expect_err("unknown supplier");
    assert_eq!(invalid_field(err), "supplier_id");
    Ok(())
}

pub async fn item_pages_follow_offer_ids(store: DynStore) -> anyhow::Result<()> {
    let (supplier_id, _) = stocked(&store, "pages", 8).await?;
    let mut streamed = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_supplier_items_by_offer_id(supplier_id, false, after.as_deref(), 3)
            .await?;
        let done = page.len() < 3;
        after = page.last().map(|r| r.value.offer_id.to_string());
        streamed.extend(page);
        if done {
            break;
        }
    }
    assert_eq!(streamed.len(), 8);
    for record in &streamed {
        // the page read returns exactly what a single get does, supplier code included
        let single = store.get_supplier_item(&Lookup::Id(record.meta.id)).await?;
        assert_eq!(record, &single);
        assert_eq!(record.refs.get("supplier_code"), "pages");
    }
    let offers: Vec<String> = streamed
        .iter()
        .map(|r| r.value.offer_id.to_string())
        .collect();
    let mut sorted = offers.clone();
    sorted.sort();
    assert_eq!(offers, sorted);
    let available = store
        .list_supplier_items_by_offer_id(supplier_id, true, None, 100)
        .await?;
    assert_eq!(available.len(), 6);
    assert!(available.iter().all(|r| r.value.available));

    let err = store
        .list_supplier_items_by_offer_id(Uuid::now_v7(), false, None, 10)
        .await
        .expect_err("unknown supplier");
    assert_eq!(invalid_field(err), "supplier_id");
    Ok(())
}

pub async fn gone_flips_only_available_offers(store: DynStore) -> anyhow::Result<()> {
    let (supplier_id, items) = stocked(&store, "gone", 4).await?;
    let run_id = store.create_import_run(run(supplier_id)).await?.meta.id;
    let before: HashMap<String, _> = store
        .list_supplier_items_by_offer_id(supplier_id, false, None, 100)
        .await?
        .into_iter()
        .map(|r| (r.value.offer_id.to_string(), r))
        .collect();
    let seq_before = store.current_seq().await?;

    // O-00 available, O-02 already unavailable, O-99 unknown, O-00 again, an empty id
    let request = ["O-00", "O-02", "O-99", "O-00", " "]
        .map(String::from)
        .to_vec();
    let outcomes = store
        .mark_supplier_items_gone(supplier_id, run_id, request)
        .await?;
    assert_eq!(
        names(&outcomes),
        [
            "updated",
            "unchanged",
            "rejected offer_ids[2]: unknown offer",
            "rejected offer_ids[3]: offer O-00 appears earlier in the same request",
            "rejected offer_ids[4]: must not be empty",
        ]
    );
    let gone_seq = named(&outcomes[0]).1.expect("seq");
    assert!(gone_seq > seq_before, "a new change_seq");
    assert_eq!(named(&outcomes[1]).1, Some(before["O-02"].meta.change_seq));

    // only `available`, the hash, the sequence, the time and the run changed
    let stored = store
        .get_supplier_item(&Lookup::ScopedKey(supplier_id, "O-00".into()))
        .await?;
    let mut expected = before["O-00"].value.clone();
    expected.available = false;
    expected.last_import_run_id = Some(run_id);
    assert_eq!(stored.value, expected);
    assert_eq!(stored.meta.change_seq, gone_seq);
    assert_eq!(stored.meta.created_at, before["O-00"].meta.created_at);
    let hashes = all_hashes(&store, supplier_id, false, 100).await?;
    assert_eq!(hashes[0].content_hash, expected.content_hash().as_str());
    assert!(!hashes[0].available);
    // the others are untouched
    for offer in ["O-01", "O-02", "O-03"] {
        let now = store
            .get_supplier_item(&Lookup::ScopedKey(supplier_id, offer.into()))
            .await?;
        assert_eq!(now, before[offer], "{offer}");
    }

    // one GONE report for the run, with the offer id
    let reports = store
        .list_import_item_reports(&ListFilter {
            import_run_id: Some(run_id),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(reports.items.len(), 1);
    assert_eq!(reports.items[0].value.outcome, ItemOutcome::Gone);
    assert_eq!(reports.items[0].value.offer_id.as_deref(), Some("O-00"));
    assert_eq!(reports.items[0].value.line, None);
    assert!(reports.items[0].meta.change_seq > seq_before);

    // a later re-import sees the truth: unavailable again = unchanged, back in stock = updated
    let as_gone = SupplierItem {
        available: false,
        ..items[0].clone()
    };
    let answer = store
        .upsert_supplier_items(supplier_id, None, vec![as_gone])
        .await?;
    assert_eq!(names(&answer), ["unchanged"]);
    assert_eq!(named(&answer[0]).1, Some(gone_seq));
    let back = store
        .upsert_supplier_items(supplier_id, None, vec![items[0].clone()])
        .await?;
    assert_eq!(names(&back), ["updated"]);
    let restored = store
        .get_supplier_item(&Lookup::ScopedKey(supplier_id, "O-00".into()))
        .await?;
    assert!(restored.value.available);
    assert_eq!(
        all_hashes(&store, supplier_id, false, 100).await?[0].content_hash,
        items[0].content_hash().as_str()
    );
    Ok(())
}

pub async fn gone_is_idempotent_and_checks_its_scope(store: DynStore) -> anyhow::Result<()> {
    let (supplier_id, _) = stocked(&store, "again", 3).await?;
    let (other_supplier, _) = stocked(&store, "stranger", 1).await?;
    let run_id = store.create_import_run(run(supplier_id)).await?.meta.id;
    let ids = || ["O-00", "O-01", "O-02"].map(String::from).to_vec();

    let first = store
        .mark_supplier_items_gone(supplier_id, run_id, ids())
        .await?;
    assert_eq!(names(&first), ["updated", "updated", "unchanged"]);
    let seq = store.current_seq().await?;
    // a retried call of the same run: the same answers, nothing written
    let retried = store
        .mark_supplier_items_gone(supplier_id, run_id, ids())
        .await?;
    let first_named: Vec<_> = first.iter().map(named).collect();
    let retried_named: Vec<_> = retried.iter().map(named).collect();
    assert_eq!(retried_named, first_named);
    assert_eq!(store.current_seq().await?, seq, "nothing written");
    // a later run finds them already gone
    let next_run = store.create_import_run(run(supplier_id)).await?.meta.id;
    let later = store
        .mark_supplier_items_gone(supplier_id, next_run, ids())
        .await?;
    assert_eq!(names(&later), ["unchanged", "unchanged", "unchanged"]);
    let reports = |run_id| ListFilter {
        import_run_id: Some(run_id),
        ..ListFilter::new()
    };
    assert_eq!(
        store
            .list_import_item_reports(&reports(run_id))
            .await?
            .items
            .len(),
        2
    );
    assert!(
        store
            .list_import_item_reports(&reports(next_run))
            .await?
            .items
            .is_empty()
    );

    // the scope is checked before anything is read or written
    let fresh = store.create_import_run(run(supplier_id)).await?.meta.id;
    let foreign_run = store.create_import_run(run(other_supplier)).await?.meta.id;
    let seq = store.current_seq().await?;
    let err = store
        .mark_supplier_items_gone(supplier_id, foreign_run, ids())
        .await
        .expect_err("run of another supplier");
    assert_eq!(invalid_field(err), "import_run_id");
    let err = store
        .mark_supplier_items_gone(supplier_id, Uuid::now_v7(), ids())
        .await
        .expect_err("unknown run");
    assert_eq!(invalid_field(err), "import_run_id");
    let err = store
        .mark_supplier_items_gone(Uuid::now_v7(), fresh, ids())
        .await
        .expect_err("unknown supplier");
    assert_eq!(invalid_field(err), "supplier_id");
    let too_many: Vec<String> = (0..=MAX_GONE_PER_CALL).map(|i| format!("X-{i}")).collect();
    let err = store
        .mark_supplier_items_gone(supplier_id, fresh, too_many)
        .await
        .expect_err("too many");
    assert_eq!(invalid_field(err), "offer_ids");
    assert_eq!(store.current_seq().await?, seq, "nothing written");
    // an empty request is fine and writes nothing
    assert!(
        store
            .mark_supplier_items_gone(supplier_id, fresh, Vec::new())
            .await?
            .is_empty()
    );
    Ok(())
}

pub async fn product_pages_follow_skus(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let mut chunk = Vec::new();
    for i in 0..7 {
        let mut p = if i % 2 == 0 {
            full_product(&format!("SKU-{i}"), &c)
        } else {
            product(&format!("SKU-{i}"))
        };
        if i == 3 {
            p.status = ProductStatus::Archived;
        }
        p.price = Money::parse(&format!("{}.50", 100 + i))?;
        chunk.push(p);
    }
    // written in reverse: the pages follow the SKU, not the write order
    chunk.reverse();
    store.upsert_products(chunk).await?;

    let mut streamed = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_products_by_sku(None, after.as_deref(), 2)
            .await?;
        let done = page.len() < 2;
        after = page.last().map(|r| r.value.sku.as_str().to_owned());
        streamed.extend(page);
        if done {
            break;
        }
    }
    let skus: Vec<&str> = streamed.iter().map(|r| r.value.sku.as_str()).collect();
    assert_eq!(
        skus,
        [
            "SKU-0", "SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5", "SKU-6"
        ]
    );
    for record in &streamed {
        let single = store.get_product(&Lookup::Id(record.meta.id)).await?;
        assert_eq!(record, &single, "values and refs as a single get has them");
    }
    assert_eq!(streamed[0].value.values.len(), 6);
    let archived = store
        .list_products_by_sku(Some(ProductStatus::Archived), None, 100)
        .await?;
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].value.sku.as_str(), "SKU-3");
    let active = store
        .list_products_by_sku(Some(ProductStatus::Active), Some("SKU-3"), 100)
        .await?;
    let skus: Vec<&str> = active.iter().map(|r| r.value.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-4", "SKU-5", "SKU-6"]);
    Ok(())
}

// Suppliers and supplier items, compiled once per backend (see store/mod.rs).

use async_trait::async_trait;
use carpetti_util::{Code, ContentHash, Currency, OfferId};
use sqlx::Row;
use sqlx::types::Json;

use crate::error::{StoreError, StoreResult};
use crate::model::supplier::{FeedFormat, Supplier, SupplierItem};
use crate::model::{ListFilter, Lookup, Page, Record, Target};
use crate::store::SupplierStore;

const SUPPLIER_COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name, feed_url, \
     feed_format, schedule, active, settings";

pub(crate) const ITEM_COLUMNS: &str = "id, change_seq, created_at, updated_at, supplier_id, \
     offer_id, name, vendor, vendor_code, barcodes, description, category_name, url, pictures, \
     price, old_price, currency, stock, available, pack_quantity, group_id, params, weight_g, \
     length_mm, width_mm, height_mm, content_hash, last_import_run_id, search_text, \
     (SELECT code FROM supplier s WHERE s.id = supplier_item.supplier_id) AS supplier_code";

fn supplier_from_row(row: &DbRow) -> StoreResult<Record<Supplier>> {
    let code: String = row.try_get("code")?;
    let format: String = row.try_get("feed_format")?;
    let settings: Json<serde_json::Value> = row.try_get("settings")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: crate::model::Refs::default(),
        value: Supplier {
            code: stored_enum(Code::parse(&code), "supplier.code")?,
            name: row.try_get("name")?,
            feed_url: row.try_get("feed_url")?,
            feed_format: stored_enum(FeedFormat::parse(&format), "supplier.feed_format")?,
            schedule: row.try_get("schedule")?,
            active: row.try_get("active")?,
            settings: settings.0,
        },
    })
}

/// Decodes a supplier item row selected with [`ITEM_COLUMNS`]; also returns its stored hash.
pub(crate) fn item_from_row(row: &DbRow) -> StoreResult<Record<SupplierItem>> {
    let offer_id: String = row.try_get("offer_id")?;
    let currency: String = row.try_get("currency")?;
    let barcodes: Json<Vec<String>> = row.try_get("barcodes")?;
    let pictures: Json<Vec<String>> = row.try_get("pictures")?;
    let params: Json<Vec<crate::model::supplier::Param>> = row.try_get("params")?;
    let price: DbMoney = row.try_get("price")?;
    let old_price: Option<DbMoney> = row.try_get("old_price")?;
    let mut refs = crate::model::Refs::default();
    refs.set("supplier_code", row.try_get("supplier_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: SupplierItem {
            supplier_id: row.try_get("supplier_id")?,
            offer_id: stored_enum(OfferId::parse(&offer_id), "supplier_item.offer_id")?,
            name: row.try_get("name")?,
            vendor: row.try_get("vendor")?,
            vendor_code: row.try_get("vendor_code")?,
            barcodes: barcodes.0,
            description: row.try_get("description")?,
            category_name: row.try_get("category_name")?,
            url: row.try_get("url")?,
            pictures: pictures.0,
            price: money_from_db(price, "supplier_item.price")?,
            old_price: old_price
                .map(|p| money_from_db(p, "supplier_item.old_price"))
                .transpose()?,
            currency: stored_enum(Currency::parse(&currency), "supplier_item.currency")?,
            stock: row.try_get("stock")?,
            available: row.try_get("available")?,
            pack_quantity: row.try_get("pack_quantity")?,
            group_id: row.try_get("group_id")?,
            params: params.0,
            weight_g: row.try_get("weight_g")?,
            length_mm: row.try_get("length_mm")?,
            width_mm: row.try_get("width_mm")?,
            height_mm: row.try_get("height_mm")?,
            last_import_run_id: row.try_get("last_import_run_id")?,
        },
    })
}

/// Writes one supplier item row (insert when `insert`, else update by id) inside `tx`.
pub(crate) async fn write_item(
    tx: &mut Tx,
    meta: &crate::model::Meta,
    item: &SupplierItem,
    hash: &ContentHash,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO supplier_item (id, change_seq, created_at, updated_at, supplier_id, offer_id, \
         name, vendor, vendor_code, barcodes, description, category_name, url, pictures, price, \
         old_price, currency, stock, available, pack_quantity, group_id, params, weight_g, \
         length_mm, width_mm, height_mm, content_hash, last_import_run_id, search_text) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
         $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
    } else {
        "UPDATE supplier_item SET change_seq = $2, created_at = $3, updated_at = $4, supplier_id = $5, \
         offer_id = $6, name = $7, vendor = $8, vendor_code = $9, barcodes = $10, \
         description = $11, category_name = $12, url = $13, pictures = $14, price = $15, \
         old_price = $16, currency = $17, stock = $18, available = $19, pack_quantity = $20, \
         group_id = $21, params = $22, weight_g = $23, length_mm = $24, width_mm = $25, \
         height_mm = $26, content_hash = $27, last_import_run_id = $28, search_text = $29 \
         WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(item.supplier_id)
        .bind(item.offer_id.as_str())
        .bind(&item.name)
        .bind(&item.vendor)
        .bind(&item.vendor_code)
        .bind(Json(&item.barcodes))
        .bind(&item.description)
        .bind(&item.category_name)
        .bind(&item.url)
        .bind(Json(&item.pictures))
        .bind(money_to_db(item.price))
        .bind(item.old_price.map(money_to_db))
        .bind(item.currency.as_str())
        .bind(item.stock)
        .bind(item.available)
        .bind(item.pack_quantity)
        .bind(&item.group_id)
        .bind(Json(&item.params))
        .bind(item.weight_g)
        .bind(item.length_mm)
        .bind(item.width_mm)
        .bind(item.height_mm)
        .bind(hash.as_str())
        .bind(item.last_import_run_id)
        .bind(item.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("supplier item", item.offer_id.as_str()))?;
    Ok(())
}

async fn read_item(tx: &mut Tx, id: uuid::Uuid) -> StoreResult<Record<SupplierItem>> {
    read_back(tx, ITEM_COLUMNS, "supplier_item", id, item_from_row).await
}

async fn check_item_refs(tx: &mut Tx, item: &SupplierItem) -> StoreResult<()> {
    require_ref(tx, "supplier", "supplier_id", item.supplier_id).await?;
    if let Some(run) = item.last_import_run_id {
        require_ref(tx, "import_run", "last_import_run_id", run).await?;
    }
    Ok(())
}

async fn write_supplier(
    tx: &mut Tx,
    meta: &crate::model::Meta,
    value: &Supplier,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO supplier (id, change_seq, created_at, updated_at, code, name, feed_url, \
         feed_format, schedule, active, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    } else {
        "UPDATE supplier SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, name = $6, \
         feed_url = $7, feed_format = $8, schedule = $9, active = $10, settings = $11 \
         WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(&value.feed_url)
        .bind(value.feed_format.as_str())
        .bind(&value.schedule)
        .bind(value.active)
        .bind(Json(&value.settings))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("supplier", value.code.as_str()))?;
    Ok(())
}

#[async_trait]
impl SupplierStore for Backend {
    async fn create_supplier(&self, value: Supplier) -> StoreResult<Record<Supplier>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_supplier(&mut tx, &meta, &value, true).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: crate::model::Refs::default(),
        })
    }

    async fn get_supplier(&self, lookup: &Lookup) -> StoreResult<Record<Supplier>> {
        let row = fetch_one_by(
            &self.read,
            "supplier",
            lookup,
            &format!("SELECT {SUPPLIER_COLUMNS} FROM supplier WHERE id = $1"),
            Some(&format!(
                "SELECT {SUPPLIER_COLUMNS} FROM supplier WHERE code = $1"
            )),
            None,
        )
        .await?;
        supplier_from_row(&row)
    }

    async fn update_supplier(
        &self,
        target: Target,
        value: Supplier,
    ) -> StoreResult<Record<Supplier>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "supplier", "supplier", target).await?;
        let meta = stamped(old, seq);
        write_supplier(&mut tx, &meta, &value, false).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: crate::model::Refs::default(),
        })
    }

    async fn delete_supplier(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(&self.write, "supplier", "supplier", "code", target).await
    }

    async fn list_suppliers(&self, filter: &ListFilter) -> StoreResult<Page<Supplier>> {
        filter.allow_only(&["text"])?;
        let mut qb = start_list(SUPPLIER_COLUMNS, "supplier", filter);
        if let Some(text) = &filter.text {
            // Suppliers are few; matching code or name case-insensitively (ASCII) is enough.
            let pattern = format!("%{}%", text.replace(['%', '_'], ""));
            qb.push(" AND (lower(code) LIKE ");
            qb.push_bind(pattern.clone());
            qb.push(" OR lower(name) LIKE ");
            qb.push_bind(pattern);
            qb.push(")");
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(supplier_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }

    async fn create_supplier_item(&self, value: SupplierItem) -> StoreResult<Record<SupplierItem>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        check_item_refs(&mut tx, &value).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_item(&mut tx, &meta, &value, &value.content_hash(), true).await?;
        let stored = read_item(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_supplier_item(&self, lookup: &Lookup) -> StoreResult<Record<SupplierItem>> {
        let row = fetch_one_by(
            &self.read,
            "supplier item",
            lookup,
            &format!("SELECT {ITEM_COLUMNS} FROM supplier_item WHERE id = $1"),
            None,
            Some(&format!(
                "SELECT {ITEM_COLUMNS} FROM supplier_item WHERE supplier_id = $1 AND offer_id = $2"
            )),
        )
        .await?;
        item_from_row(&row)
    }

    async fn update_supplier_item(
        &self,
        target: Target,
        value: SupplierItem,
    ) -> StoreResult<Record<SupplierItem>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "supplier_item", "supplier item", target).await?;
        check_item_refs(&mut tx, &value).await?;
        let meta = stamped(old, seq);
        write_item(&mut tx, &meta, &value, &value.content_hash(), false).await?;
        let stored = read_item(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_supplier_item(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(
            &self.write,
            "supplier_item",
            "supplier item",
            "offer_id",
            target,
        )
        .await
    }

    async fn list_supplier_items(&self, filter: &ListFilter) -> StoreResult<Page<SupplierItem>> {
        filter.allow_only(&["supplier_id", "text", "status", "import_run_id"])?;
        let mut qb = start_list(ITEM_COLUMNS, "supplier_item", filter);
        if let Some(supplier) = filter.supplier_id {
            qb.push(" AND supplier_id = ");
            qb.push_bind(supplier);
        }
        if let Some(run) = filter.import_run_id {
            qb.push(" AND last_import_run_id = ");
            qb.push_bind(run);
        }
        if let Some(status) = &filter.status {
            let available = match status.as_str() {
                "available" => true,
                "unavailable" => false,
                other => {
                    return Err(StoreError::invalid(
                        "status",
                        format!("{other:?} is not one of: available, unavailable"),
                    ));
                }
            };
            qb.push(" AND available = ");
            qb.push_bind(available);
        }
        if let Some(text) = &filter.text {
            push_text_filter(&mut qb, "search_text", text);
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(item_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }

    async fn upsert_supplier_items(
        &self,
        supplier_id: uuid::Uuid,
        import_run_id: Option<uuid::Uuid>,
        items: Vec<SupplierItem>,
    ) -> StoreResult<Vec<crate::store::UpsertOutcome>> {
        super::supplier_bulk::upsert_items(self, supplier_id, import_run_id, items).await
    }

    async fn match_supplier_item_hashes(
        &self,
        supplier_id: uuid::Uuid,
        fingerprints: Vec<(String, String)>,
    ) -> StoreResult<Vec<crate::store::UpsertOutcome>> {
        super::supplier_bulk::match_hashes(self, supplier_id, fingerprints).await
    }

    async fn list_supplier_item_hashes(
        &self,
        supplier_id: uuid::Uuid,
        only_available: bool,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<crate::store::OfferState>> {
        super::supplier_pages::hashes_page(self, supplier_id, only_available, after, limit).await
    }

    async fn list_supplier_items_by_offer_id(
        &self,
        supplier_id: uuid::Uuid,
        only_available: bool,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record<SupplierItem>>> {
        super::supplier_pages::items_page(self, supplier_id, only_available, after, limit).await
    }

    async fn mark_supplier_items_gone(
        &self,
        supplier_id: uuid::Uuid,
        import_run_id: uuid::Uuid,
        offer_ids: Vec<String>,
    ) -> StoreResult<Vec<crate::store::UpsertOutcome>> {
        super::supplier_gone::mark_gone(self, supplier_id, import_run_id, offer_ids).await
    }
}

//! PostgreSQL's side of the bulk upsert: set-based. Keys are looked up with `= ANY($2)`; a
//! chunk's new rows go in with one `INSERT … SELECT FROM UNNEST(arrays)` and its changed rows with
//! one `UPDATE … FROM UNNEST(arrays)`, so a chunk of thousands of items is two statements.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::Row;
use uuid::Uuid;

use super::Db;
use super::base::Tx;
use super::supplier_bulk::{ExistingItem, ItemRow};
use crate::error::{StoreError, StoreResult};

/// Stored id, sequence, creation time and hash of the given offers of one supplier.
pub(crate) async fn existing_items<'c, E>(
    executor: E,
    supplier_id: Uuid,
    keys: &[String],
) -> StoreResult<HashMap<String, ExistingItem>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT offer_id, id, change_seq, created_at, content_hash FROM supplier_item \
         WHERE supplier_id = $1 AND offer_id = ANY($2)",
    )
    .bind(supplier_id)
    .bind(keys)
    .fetch_all(executor)
    .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(
            row.try_get("offer_id")?,
            ExistingItem {
                id: row.try_get("id")?,
                change_seq: row.try_get("change_seq")?,
                created_at: row.try_get("created_at")?,
                content_hash: row.try_get("content_hash")?,
            },
        );
    }
    Ok(found)
}

/// The rows of a chunk as one array per column.
#[derive(Default)]
struct Columns {
    id: Vec<Uuid>,
    change_seq: Vec<i64>,
    offer_id: Vec<String>,
    name: Vec<String>,
    vendor: Vec<Option<String>>,
    vendor_code: Vec<Option<String>>,
    barcodes: Vec<String>,
    description: Vec<Option<String>>,
    category_name: Vec<Option<String>>,
    url: Vec<Option<String>>,
    pictures: Vec<String>,
    price: Vec<Decimal>,
    old_price: Vec<Option<Decimal>>,
    currency: Vec<String>,
    stock: Vec<Option<i64>>,
    available: Vec<bool>,
    pack_quantity: Vec<i64>,
    group_id: Vec<Option<String>>,
    params: Vec<String>,
    weight_g: Vec<Option<i64>>,
    length_mm: Vec<Option<i64>>,
    width_mm: Vec<Option<i64>>,
    height_mm: Vec<Option<i64>>,
    content_hash: Vec<String>,
    search_text: Vec<String>,
}

fn json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::invalid("item", format!("cannot encode: {e}")))
}

impl Columns {
    fn of(rows: &[ItemRow<'_>]) -> StoreResult<Self> {
        let mut c = Columns::default();
        for row in rows {
            let item = row.item;
            c.id.push(row.meta.id);
            c.change_seq.push(row.meta.change_seq);
            c.offer_id.push(item.offer_id.as_str().to_owned());
            c.name.push(item.name.clone());
            c.vendor.push(item.vendor.clone());
            c.vendor_code.push(item.vendor_code.clone());
            c.barcodes.push(json(&item.barcodes)?);
            c.description.push(item.description.clone());
            c.category_name.push(item.category_name.clone());
            c.url.push(item.url.clone());
            c.pictures.push(json(&item.pictures)?);
            c.price.push(item.price.amount());
            c.old_price.push(item.old_price.map(|p| p.amount()));
            c.currency.push(item.currency.as_str().to_owned());
            c.stock.push(item.stock);
            c.available.push(item.available);
            c.pack_quantity.push(item.pack_quantity);
            c.group_id.push(item.group_id.clone());
            c.params.push(json(&item.params)?);
            c.weight_g.push(item.weight_g);
            c.length_mm.push(item.length_mm);
            c.width_mm.push(item.width_mm);
            c.height_mm.push(item.height_mm);
            c.content_hash.push(row.hash.as_str().to_owned());
            c.search_text.push(item.search_text());
        }
        Ok(c)
    }

    /// Binds the arrays as `$4 … $28` in column order.
    fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments> {
        query
            .bind(self.id)
            .bind(self.change_seq)
            .bind(self.offer_id)
            .bind(self.name)
            .bind(self.vendor)
            .bind(self.vendor_code)
            .bind(self.barcodes)
            .bind(self.description)
            .bind(self.category_name)
            .bind(self.url)
            .bind(self.pictures)
            .bind(self.price)
            .bind(self.old_price)
            .bind(self.currency)
            .bind(self.stock)
            .bind(self.available)
            .bind(self.pack_quantity)
            .bind(self.group_id)
            .bind(self.params)
            .bind(self.weight_g)
            .bind(self.length_mm)
            .bind(self.width_mm)
            .bind(self.height_mm)
            .bind(self.content_hash)
            .bind(self.search_text)
    }
}

const UNNEST: &str = "UNNEST($4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], \
     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], \
     $15::numeric[], $16::numeric[], $17::text[], $18::bigint[], $19::bool[], $20::bigint[], \
     $21::text[], $22::text[], $23::bigint[], $24::bigint[], $25::bigint[], $26::bigint[], \
     $27::text[], $28::text[]) AS t(id, change_seq, offer_id, name, vendor, vendor_code, \
     barcodes, description, category_name, url, pictures, price, old_price, currency, stock, \
     available, pack_quantity, group_id, params, weight_g, length_mm, width_mm, height_mm, \
     content_hash, search_text)";

fn chunk_scope(rows: &[ItemRow<'_>]) -> Option<(Uuid, Option<Uuid>, DateTime<Utc>)> {
    rows.first().map(|r| {
        (
            r.item.supplier_id,
            r.item.last_import_run_id,
            r.meta.updated_at,
        )
    })
}

/// Inserts new items: one statement for the chunk.
pub(crate) async fn insert_items(tx: &mut Tx, rows: &[ItemRow<'_>]) -> StoreResult<()> {
    let Some((supplier_id, run, now)) = chunk_scope(rows) else {
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO supplier_item (id, change_seq, created_at, updated_at, supplier_id, \
         offer_id, name, vendor, vendor_code, barcodes, description, category_name, url, \
         pictures, price, old_price, currency, stock, available, pack_quantity, group_id, params, \
         weight_g, length_mm, width_mm, height_mm, content_hash, last_import_run_id, search_text) \
         SELECT t.id, t.change_seq, $3, $3, $1, t.offer_id, t.name, t.vendor, t.vendor_code, \
         t.barcodes::jsonb, t.description, t.category_name, t.url, t.pictures::jsonb, t.price, \
         t.old_price, t.currency, t.stock, t.available, t.pack_quantity, t.group_id, \
         t.params::jsonb, t.weight_g, t.length_mm, t.width_mm, t.height_mm, t.content_hash, $2, \
         t.search_text FROM {UNNEST}"
    );
    let query = sqlx::query(&sql).bind(supplier_id).bind(run).bind(now);
    Columns::of(rows)?.bind(query).execute(&mut **tx).await?;
    Ok(())
}

/// Replaces changed items: one statement for the chunk.
pub(crate) async fn update_items(tx: &mut Tx, rows: &[ItemRow<'_>]) -> StoreResult<()> {
    let Some((supplier_id, run, now)) = chunk_scope(rows) else {
        return Ok(());
    };
    let sql = format!(
        "UPDATE supplier_item AS s SET change_seq = t.change_seq, updated_at = $3, \
         name = t.name, vendor = t.vendor, vendor_code = t.vendor_code, \
         barcodes = t.barcodes::jsonb, description = t.description, \
         category_name = t.category_name, url = t.url, pictures = t.pictures::jsonb, \
         price = t.price, old_price = t.old_price, currency = t.currency, stock = t.stock, \
         available = t.available, pack_quantity = t.pack_quantity, group_id = t.group_id, \
         params = t.params::jsonb, weight_g = t.weight_g, length_mm = t.length_mm, \
         width_mm = t.width_mm, height_mm = t.height_mm, content_hash = t.content_hash, \
         last_import_run_id = $2, search_text = t.search_text \
         FROM {UNNEST} WHERE s.id = t.id AND s.supplier_id = $1"
    );
    let query = sqlx::query(&sql).bind(supplier_id).bind(run).bind(now);
    Columns::of(rows)?.bind(query).execute(&mut **tx).await?;
    Ok(())
}

//! PostgreSQL's side of the bulk product upsert: set-based. SKUs are looked up with `= ANY($1)`;
//! a chunk's new products go in with one `INSERT … SELECT FROM UNNEST(arrays)`, its changed ones
//! with one `UPDATE … FROM UNNEST(arrays)`, and the values of all written products are replaced
//! with one `DELETE … = ANY` and one `INSERT … UNNEST`.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::Row;
use uuid::Uuid;

use super::Db;
use super::base::Tx;
use super::product_upsert::{ExistingProduct, ProductRow};
use crate::error::{StoreError, StoreResult};

/// Stored id, sequence, creation time and hash of the products with the given SKUs.
pub(crate) async fn existing_products<'c, E>(
    executor: E,
    keys: &[String],
) -> StoreResult<HashMap<String, ExistingProduct>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let rows = sqlx::query(
        "SELECT sku, id, change_seq, created_at, content_hash FROM product WHERE sku = ANY($1)",
    )
    .bind(keys)
    .fetch_all(executor)
    .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(
            row.try_get("sku")?,
            ExistingProduct {
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
    created_at: Vec<chrono::DateTime<chrono::Utc>>,
    sku: Vec<String>,
    name: Vec<String>,
    vendor: Vec<Option<String>>,
    vendor_code: Vec<Option<String>>,
    barcodes: Vec<String>,
    description: Vec<Option<String>>,
    pictures: Vec<String>,
    length_mm: Vec<Option<i64>>,
    width_mm: Vec<Option<i64>>,
    height_mm: Vec<Option<i64>>,
    weight_g: Vec<Option<i64>>,
    price: Vec<Decimal>,
    old_price: Vec<Option<Decimal>>,
    currency: Vec<String>,
    stock: Vec<i64>,
    vat: Vec<String>,
    family_id: Vec<Option<Uuid>>,
    category_id: Vec<Option<Uuid>>,
    status: Vec<String>,
    content_hash: Vec<String>,
    search_text: Vec<String>,
}

fn json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::invalid("item", format!("cannot encode: {e}")))
}

impl Columns {
    fn of(rows: &[ProductRow<'_>]) -> StoreResult<Self> {
        let mut c = Columns::default();
        for row in rows {
            let p = row.product;
            c.id.push(row.meta.id);
            c.change_seq.push(row.meta.change_seq);
            c.created_at.push(row.meta.created_at);
            c.sku.push(p.sku.as_str().to_owned());
            c.name.push(p.name.clone());
            c.vendor.push(p.vendor.clone());
            c.vendor_code.push(p.vendor_code.clone());
            c.barcodes.push(json(
                &p.barcodes.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
            )?);
            c.description.push(p.description.clone());
            c.pictures.push(json(&p.pictures)?);
            c.length_mm.push(p.length_mm);
            c.width_mm.push(p.width_mm);
            c.height_mm.push(p.height_mm);
            c.weight_g.push(p.weight_g);
            c.price.push(p.price.amount());
            c.old_price.push(p.old_price.map(|m| m.amount()));
            c.currency.push(p.currency.as_str().to_owned());
            c.stock.push(p.stock);
            c.vat.push(p.vat.as_str().to_owned());
            c.family_id.push(p.family_id);
            c.category_id.push(p.category_id);
            c.status.push(p.status.as_str().to_owned());
            c.content_hash.push(row.hash.as_str().to_owned());
            c.search_text.push(p.search_text());
        }
        Ok(c)
    }

    /// Binds the arrays as `$2 … $25` in column order.
    fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments> {
        query
            .bind(self.id)
            .bind(self.change_seq)
            .bind(self.created_at)
            .bind(self.sku)
            .bind(self.name)
            .bind(self.vendor)
            .bind(self.vendor_code)
            .bind(self.barcodes)
            .bind(self.description)
            .bind(self.pictures)
            .bind(self.length_mm)
            .bind(self.width_mm)
            .bind(self.height_mm)
            .bind(self.weight_g)
            .bind(self.price)
            .bind(self.old_price)
            .bind(self.currency)
            .bind(self.stock)
            .bind(self.vat)
            .bind(self.family_id)
            .bind(self.category_id)
            .bind(self.status)
            .bind(self.content_hash)
            .bind(self.search_text)
    }
}

const UNNEST: &str = "UNNEST($2::uuid[], $3::bigint[], $4::timestamptz[], $5::text[], \
     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], \
     $13::bigint[], $14::bigint[], $15::bigint[], $16::numeric[], $17::numeric[], $18::text[], \
     $19::bigint[], $20::text[], $21::uuid[], $22::uuid[], $23::text[], $24::text[], \
     $25::text[]) AS t(id, change_seq, created_at, sku, name, vendor, vendor_code, barcodes, \
     description, pictures, length_mm, width_mm, height_mm, weight_g, price, old_price, \
     currency, stock, vat, family_id, category_id, status, content_hash, search_text)";

/// The write time of a chunk (every row of it carries the same `updated_at`).
fn chunk_time(rows: &[ProductRow<'_>]) -> Option<chrono::DateTime<chrono::Utc>> {
    rows.first().map(|r| r.meta.updated_at)
}

/// Inserts new products: one statement for the chunk.
pub(crate) async fn insert_products(tx: &mut Tx, rows: &[ProductRow<'_>]) -> StoreResult<()> {
    let Some(now) = chunk_time(rows) else {
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO product (id, change_seq, created_at, updated_at, sku, name, vendor, \
         vendor_code, barcodes, description, pictures, length_mm, width_mm, height_mm, weight_g, \
         price, old_price, currency, stock, vat, family_id, category_id, status, content_hash, \
         search_text) \
         SELECT t.id, t.change_seq, t.created_at, $1, t.sku, t.name, t.vendor, t.vendor_code, \
         t.barcodes::jsonb, t.description, t.pictures::jsonb, t.length_mm, t.width_mm, \
         t.height_mm, t.weight_g, t.price, t.old_price, t.currency, t.stock, t.vat, t.family_id, \
         t.category_id, t.status, t.content_hash, t.search_text FROM {UNNEST}"
    );
    let query = sqlx::query(&sql).bind(now);
    Columns::of(rows)?.bind(query).execute(&mut **tx).await?;
    Ok(())
}

/// Replaces changed products: one statement for the chunk.
pub(crate) async fn update_products(tx: &mut Tx, rows: &[ProductRow<'_>]) -> StoreResult<()> {
    let Some(now) = chunk_time(rows) else {
        return Ok(());
    };
    let sql = format!(
        "UPDATE product AS p SET change_seq = t.change_seq, updated_at = $1, name = t.name, \
         vendor = t.vendor, vendor_code = t.vendor_code, barcodes = t.barcodes::jsonb, \
         description = t.description, pictures = t.pictures::jsonb, length_mm = t.length_mm, \
         width_mm = t.width_mm, height_mm = t.height_mm, weight_g = t.weight_g, \
         price = t.price, old_price = t.old_price, currency = t.currency, stock = t.stock, \
         vat = t.vat, family_id = t.family_id, category_id = t.category_id, status = t.status, \
         content_hash = t.content_hash, search_text = t.search_text \
         FROM {UNNEST} WHERE p.id = t.id AND p.sku = t.sku"
    );
    let query = sqlx::query(&sql).bind(now);
    Columns::of(rows)?.bind(query).execute(&mut **tx).await?;
    Ok(())
}

/// Replaces the values of the written products: one delete (updated products only) and one
/// insert for the chunk.
pub(crate) async fn replace_values(
    tx: &mut Tx,
    inserted: &[ProductRow<'_>],
    updated: &[ProductRow<'_>],
) -> StoreResult<()> {
    if !updated.is_empty() {
        let ids: Vec<Uuid> = updated.iter().map(|r| r.meta.id).collect();
        sqlx::query("DELETE FROM product_value WHERE product_id = ANY($1)")
            .bind(ids)
            .execute(&mut **tx)
            .await?;
    }
    let (mut products, mut attributes, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for row in inserted.iter().chain(updated) {
        for (attribute_id, value) in row.values {
            products.push(row.meta.id);
            attributes.push(*attribute_id);
            values.push(json(value)?);
        }
    }
    if products.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO product_value (product_id, attribute_id, value) \
         SELECT t.product_id, t.attribute_id, t.value::jsonb \
         FROM UNNEST($1::uuid[], $2::uuid[], $3::text[]) AS t(product_id, attribute_id, value)",
    )
    .bind(products)
    .bind(attributes)
    .bind(values)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

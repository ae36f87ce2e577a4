// Products, compiled once per backend (see store/mod.rs): the row mapping, the single-product
// writes and the reads. Values are checked and stored by `product_values`; the bulk upsert is in
// `product_upsert`.

use async_trait::async_trait;
use carpetti_util::{Barcode, ContentHash, Currency, Sku};
use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use super::product_values::{Catalog, ValueRow, read_values, resolve_values, write_values};
use crate::error::{StoreError, StoreResult};
use crate::model::product::{Product, ProductStatus, Vat};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::ProductStore;

const PRODUCT_COLUMNS: &str = "id, change_seq, created_at, updated_at, sku, name, vendor, \
     vendor_code, barcodes, description, pictures, length_mm, width_mm, height_mm, weight_g, \
     price, old_price, currency, stock, vat, family_id, category_id, status, \
     (SELECT code FROM family f WHERE f.id = product.family_id) AS family_code, \
     (SELECT code FROM category c WHERE c.id = product.category_id) AS category_code";

/// Decodes a product row selected with [`PRODUCT_COLUMNS`], without its values.
fn product_from_row(row: &DbRow) -> StoreResult<Record<Product>> {
    let sku: String = row.try_get("sku")?;
    let barcodes: Json<Vec<String>> = row.try_get("barcodes")?;
    let pictures: Json<Vec<String>> = row.try_get("pictures")?;
    let price: DbMoney = row.try_get("price")?;
    let old_price: Option<DbMoney> = row.try_get("old_price")?;
    let currency: String = row.try_get("currency")?;
    let vat: String = row.try_get("vat")?;
    let status: String = row.try_get("status")?;
    let mut refs = Refs::default();
    refs.set("family_code", row.try_get("family_code")?);
    refs.set("category_code", row.try_get("category_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Product {
            sku: stored_enum(Sku::parse(&sku), "product.sku")?,
            name: row.try_get("name")?,
            vendor: row.try_get("vendor")?,
            vendor_code: row.try_get("vendor_code")?,
            barcodes: barcodes
                .0
                .iter()
                .map(|b| stored_enum(Barcode::parse(b), "product.barcodes"))
                .collect::<StoreResult<_>>()?,
            description: row.try_get("description")?,
            pictures: pictures.0,
            length_mm: row.try_get("length_mm")?,
            width_mm: row.try_get("width_mm")?,
            height_mm: row.try_get("height_mm")?,
            weight_g: row.try_get("weight_g")?,
            price: money_from_db(price, "product.price")?,
            old_price: old_price
                .map(|p| money_from_db(p, "product.old_price"))
                .transpose()?,
            currency: stored_enum(Currency::parse(&currency), "product.currency")?,
            stock: row.try_get("stock")?,
            vat: stored_enum(Vat::parse(&vat), "product.vat")?,
            family_id: row.try_get("family_id")?,
            category_id: row.try_get("category_id")?,
            status: stored_enum(ProductStatus::parse(&status), "product.status")?,
            values: Vec::new(),
        },
    })
}

/// Decodes rows and attaches each product's values.
async fn with_values<'c, E>(executor: E, rows: &[DbRow]) -> StoreResult<Vec<Record<Product>>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let mut records = rows
        .iter()
        .map(product_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let ids: Vec<Uuid> = records.iter().map(|r| r.meta.id).collect();
    let mut values = read_values(executor, &ids).await?;
    for record in &mut records {
        record.value.values = values.remove(&record.meta.id).unwrap_or_default();
    }
    Ok(records)
}

/// Writes one product row (insert when `insert`, else update by id) inside `tx`, not its values.
pub(crate) async fn write_product(
    tx: &mut Tx,
    meta: &Meta,
    product: &Product,
    hash: &ContentHash,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO product (id, change_seq, created_at, updated_at, sku, name, vendor, \
         vendor_code, barcodes, description, pictures, length_mm, width_mm, height_mm, weight_g, \
         price, old_price, currency, stock, vat, family_id, category_id, status, content_hash, \
         search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    } else {
        "UPDATE product SET change_seq = $2, created_at = $3, updated_at = $4, sku = $5, \
         name = $6, vendor = $7, vendor_code = $8, barcodes = $9, description = $10, \
         pictures = $11, length_mm = $12, width_mm = $13, height_mm = $14, weight_g = $15, \
         price = $16, old_price = $17, currency = $18, stock = $19, vat = $20, family_id = $21, \
         category_id = $22, status = $23, content_hash = $24, search_text = $25 WHERE id = $1"
    };
    let barcodes: Vec<&str> = product.barcodes.iter().map(Barcode::as_str).collect();
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(product.sku.as_str())
        .bind(&product.name)
        .bind(&product.vendor)
        .bind(&product.vendor_code)
        .bind(Json(&barcodes))
        .bind(&product.description)
        .bind(Json(&product.pictures))
        .bind(product.length_mm)
        .bind(product.width_mm)
        .bind(product.height_mm)
        .bind(product.weight_g)
        .bind(money_to_db(product.price))
        .bind(product.old_price.map(money_to_db))
        .bind(product.currency.as_str())
        .bind(product.stock)
        .bind(product.vat.as_str())
        .bind(product.family_id)
        .bind(product.category_id)
        .bind(product.status.as_str())
        .bind(hash.as_str())
        .bind(product.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("product", product.sku.as_str()))?;
    Ok(())
}

async fn read_product(tx: &mut Tx, id: Uuid) -> StoreResult<Record<Product>> {
    let row = sqlx::query(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM product WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let mut records = with_values(&mut **tx, std::slice::from_ref(&row)).await?;
    records.pop().ok_or_else(|| StoreError::NotFound {
        entity: "product",
        key: id.to_string(),
    })
}

/// Checks the product's family and category exist (INVALID_ARGUMENT naming the field if not).
pub(crate) async fn check_product_refs(tx: &mut Tx, product: &Product) -> StoreResult<()> {
    if let Some(family) = product.family_id {
        require_ref(tx, "family", "family_id", family).await?;
    }
    if let Some(category) = product.category_id {
        require_ref(tx, "category", "category_id", category).await?;
    }
    Ok(())
}

/// Checks refs and values, writes the product with its values and recomputes its completeness.
async fn write_one(
    tx: &mut Tx,
    meta: &Meta,
    mut value: Product,
    insert: bool,
) -> StoreResult<Record<Product>> {
    check_product_refs(tx, &value).await?;
    let catalog = Catalog::load(tx, &[&value]).await?;
    let rows: Vec<ValueRow> = resolve_values(&catalog, &mut value)?;
    write_product(tx, meta, &value, &value.content_hash(), insert).await?;
    write_values(tx, meta.id, &rows, !insert).await?;
    super::completeness::recompute_for_products(tx, &[meta.id]).await?;
    read_product(tx, meta.id).await
}

#[async_trait]
impl ProductStore for Backend {
    async fn create_product(&self, value: Product) -> StoreResult<Record<Product>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let meta = new_meta(seq, carpetti_util::now());
        let stored = write_one(&mut tx, &meta, value, true).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_product(&self, lookup: &Lookup) -> StoreResult<Record<Product>> {
        let row = fetch_one_by(
            &self.read,
            "product",
            lookup,
            &format!("SELECT {PRODUCT_COLUMNS} FROM product WHERE id = $1"),
            Some(&format!(
                "SELECT {PRODUCT_COLUMNS} FROM product WHERE sku = $1"
            )),
            None,
        )
        .await?;
        let mut records = with_values(&self.read, std::slice::from_ref(&row)).await?;
        records.pop().ok_or_else(|| StoreError::NotFound {
            entity: "product",
            key: format!("{lookup:?}"),
        })
    }

    async fn update_product(&self, target: Target, value: Product) -> StoreResult<Record<Product>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "product", "product", target).await?;
        let meta = stamped(old, seq);
        let stored = write_one(&mut tx, &meta, value, false).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_product(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(&self.write, "product", "product", "sku", target).await
    }

    async fn list_products(&self, filter: &ListFilter) -> StoreResult<Page<Product>> {
        filter.allow_only(&["text", "category_id", "status"])?;
        let mut qb = start_list(PRODUCT_COLUMNS, "product", filter);
        if let Some(category) = filter.category_id {
            qb.push(" AND category_id = ");
            qb.push_bind(category);
        }
        if let Some(status) = &filter.status {
            let status = ProductStatus::parse(status).map_err(StoreError::parse("status"))?;
            qb.push(" AND status = ");
            qb.push_bind(status.as_str());
        }
        if let Some(text) = &filter.text {
            push_text_filter(&mut qb, "search_text", text);
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = with_values(&self.read, &rows).await?;
        Ok(into_page(items, filter))
    }

    async fn upsert_products(
        &self,
        items: Vec<Product>,
    ) -> StoreResult<Vec<crate::store::UpsertOutcome>> {
        super::product_upsert::upsert_products(self, items).await
    }

    async fn list_products_by_sku(
        &self,
        status: Option<ProductStatus>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record<Product>>> {
        // '' sorts before every SKU (never empty); one indexed range read on `product (sku)`.
        let status_filter = if status.is_some() {
            " AND status = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM product WHERE sku > $1{status_filter} \
             ORDER BY sku LIMIT $2"
        );
        let mut query = sqlx::query(&sql)
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit));
        if let Some(status) = status {
            query = query.bind(status.as_str());
        }
        let rows = query.fetch_all(&self.read).await?;
        with_values(&self.read, &rows).await
    }
}

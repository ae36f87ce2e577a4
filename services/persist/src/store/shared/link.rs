// Product links and the `LinkStore` impl, compiled once per backend (see store/mod.rs). Association
// types live in `link_type.rs`, supplier item links in `link_item.rs`.
//
// Two-way types (VARIANT, RELATED): one row stands for both directions, so creating B→A while A→B
// exists is ALREADY_EXISTS, and listing by product_id returns the links where the product is the
// source OR the target (for every type, as the proto says).

use async_trait::async_trait;
use carpetti_util::Quantity;
use sqlx::Row;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::link::{AssociationType, ProductLink, SupplierItemLink};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::LinkStore;

const LINK_COLUMNS: &str = "id, change_seq, created_at, updated_at, association_type_id, \
     source_product_id, target_product_id, quantity, \
     (SELECT code FROM association_type t WHERE t.id = product_link.association_type_id) \
     AS association_type_code, \
     (SELECT sku FROM product p WHERE p.id = product_link.source_product_id) AS source_sku, \
     (SELECT sku FROM product p WHERE p.id = product_link.target_product_id) AS target_sku";

/// The business key written into a product link's tombstone: `TYPE:SOURCE_SKU->TARGET_SKU`.
const LINK_KEY: &str = "(SELECT code FROM association_type t WHERE t.id = product_link.association_type_id) \
     || ':' || (SELECT sku FROM product p WHERE p.id = product_link.source_product_id) \
     || '->' || (SELECT sku FROM product p WHERE p.id = product_link.target_product_id)";

fn link_from_row(row: &DbRow) -> StoreResult<Record<ProductLink>> {
    let quantity: i64 = row.try_get("quantity")?;
    let mut refs = Refs::default();
    refs.set(
        "association_type_code",
        row.try_get("association_type_code")?,
    );
    refs.set("source_sku", row.try_get("source_sku")?);
    refs.set("target_sku", row.try_get("target_sku")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: ProductLink {
            association_type_id: row.try_get("association_type_id")?,
            source_product_id: row.try_get("source_product_id")?,
            target_product_id: row.try_get("target_product_id")?,
            quantity: stored_enum(Quantity::parse(quantity), "product_link.quantity")?,
        },
    })
}

fn link_key(value: &ProductLink) -> String {
    format!(
        "{} {} -> {}",
        value.association_type_id, value.source_product_id, value.target_product_id
    )
}

/// Checks a link against the database: the type and both products exist, the quantity suits the
/// type, and for a two-way type the reverse link (other than `own_id`) does not exist.
async fn check_link(tx: &mut Tx, value: &ProductLink, own_id: Option<Uuid>) -> StoreResult<()> {
    value.validate()?;
    let kind = sqlx::query("SELECT code, quantified, two_way FROM association_type WHERE id = $1")
        .bind(value.association_type_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            StoreError::unknown(
                "association_type_id",
                "association type",
                value.association_type_id,
            )
        })?;
    require_ref(tx, "product", "source_product_id", value.source_product_id).await?;
    require_ref(tx, "product", "target_product_id", value.target_product_id).await?;
    let code: String = kind.try_get("code")?;
    let quantified: bool = kind.try_get("quantified")?;
    let two_way: bool = kind.try_get("two_way")?;
    if !quantified && value.quantity != Quantity::ONE {
        return Err(StoreError::invalid(
            "quantity",
            format!(
                "must be 1: association type {code} is not quantified, got {}",
                value.quantity.get()
            ),
        ));
    }
    if two_way {
        let reverse: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM product_link WHERE association_type_id = $1 AND source_product_id = $2 \
             AND target_product_id = $3 AND id <> $4",
        )
        .bind(value.association_type_id)
        .bind(value.target_product_id)
        .bind(value.source_product_id)
        .bind(own_id.unwrap_or(Uuid::nil()))
        .fetch_optional(&mut **tx)
        .await?;
        if reverse.is_some() {
            return Err(StoreError::AlreadyExists {
                entity: "product link",
                key: format!(
                    "{} (two-way {code}: the reverse link exists)",
                    link_key(value)
                ),
            });
        }
    }
    Ok(())
}

async fn write_link(
    tx: &mut Tx,
    meta: &Meta,
    value: &ProductLink,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO product_link (id, change_seq, created_at, updated_at, association_type_id, \
         source_product_id, target_product_id, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    } else {
        "UPDATE product_link SET change_seq = $2, created_at = $3, updated_at = $4, \
         association_type_id = $5, source_product_id = $6, target_product_id = $7, quantity = $8 \
         WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.association_type_id)
        .bind(value.source_product_id)
        .bind(value.target_product_id)
        .bind(i64::from(value.quantity.get()))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("product link", link_key(value)))?;
    Ok(())
}

async fn read_link(tx: &mut Tx, id: Uuid) -> StoreResult<Record<ProductLink>> {
    read_back(tx, LINK_COLUMNS, "product_link", id, link_from_row).await
}

#[async_trait]
impl LinkStore for Backend {
    async fn create_association_type(
        &self,
        value: AssociationType,
    ) -> StoreResult<Record<AssociationType>> {
        super::link_type::create(self, value).await
    }

    async fn get_association_type(&self, lookup: &Lookup) -> StoreResult<Record<AssociationType>> {
        super::link_type::get(self, lookup).await
    }

    async fn update_association_type(
        &self,
        target: Target,
        value: AssociationType,
    ) -> StoreResult<Record<AssociationType>> {
        super::link_type::update(self, target, value).await
    }

    async fn delete_association_type(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(
            &self.write,
            "association_type",
            "association type",
            "code",
            target,
        )
        .await
    }

    async fn list_association_types(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<AssociationType>> {
        super::link_type::list(self, filter).await
    }

    async fn create_product_link(&self, value: ProductLink) -> StoreResult<Record<ProductLink>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        check_link(&mut tx, &value, None).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_link(&mut tx, &meta, &value, true).await?;
        let stored = read_link(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_product_link(&self, lookup: &Lookup) -> StoreResult<Record<ProductLink>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM product_link WHERE id = $1");
        let row = fetch_one_by(&self.read, "product link", lookup, &sql, None, None).await?;
        link_from_row(&row)
    }

    async fn update_product_link(
        &self,
        target: Target,
        value: ProductLink,
    ) -> StoreResult<Record<ProductLink>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "product_link", "product link", target).await?;
        check_link(&mut tx, &value, Some(target.id)).await?;
        let meta = stamped(old, seq);
        write_link(&mut tx, &meta, &value, false).await?;
        let stored = read_link(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_product_link(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(
            &self.write,
            "product_link",
            "product link",
            LINK_KEY,
            target,
        )
        .await
    }

    async fn list_product_links(&self, filter: &ListFilter) -> StoreResult<Page<ProductLink>> {
        filter.allow_only(&["product_id"])?;
        let mut qb = start_list(LINK_COLUMNS, "product_link", filter);
        if let Some(product) = filter.product_id {
            qb.push(" AND (source_product_id = ");
            qb.push_bind(product);
            qb.push(" OR target_product_id = ");
            qb.push_bind(product);
            qb.push(")");
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(link_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }

    async fn create_supplier_item_link(
        &self,
        value: SupplierItemLink,
    ) -> StoreResult<Record<SupplierItemLink>> {
        super::link_item::create(self, value).await
    }

    async fn get_supplier_item_link(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<SupplierItemLink>> {
        super::link_item::get(self, lookup).await
    }

    async fn update_supplier_item_link(
        &self,
        target: Target,
        value: SupplierItemLink,
    ) -> StoreResult<Record<SupplierItemLink>> {
        super::link_item::update(self, target, value).await
    }

    async fn delete_supplier_item_link(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(
            &self.write,
            "supplier_item_link",
            "supplier item link",
            super::link_item::KEY,
            target,
        )
        .await
    }

    async fn list_supplier_item_links(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<SupplierItemLink>> {
        super::link_item::list(self, filter).await
    }
}

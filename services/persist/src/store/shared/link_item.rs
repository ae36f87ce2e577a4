// Supplier item links (a supplier's offer → our product), compiled once per backend; called by the
// `LinkStore` impl in `link.rs`.

use sqlx::Row;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::link::SupplierItemLink;
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const COLUMNS: &str = "id, change_seq, created_at, updated_at, supplier_item_id, product_id, \
     priority, \
     (SELECT supplier_id FROM supplier_item i WHERE i.id = supplier_item_link.supplier_item_id) \
     AS item_supplier_id, \
     (SELECT offer_id FROM supplier_item i WHERE i.id = supplier_item_link.supplier_item_id) \
     AS offer_id, \
     (SELECT sku FROM product p WHERE p.id = supplier_item_link.product_id) AS sku";

/// The business key written into the tombstone: `SUPPLIER_CODE/OFFER_ID`.
pub(crate) const KEY: &str = "(SELECT s.code || '/' || i.offer_id FROM supplier_item i \
     JOIN supplier s ON s.id = i.supplier_id WHERE i.id = supplier_item_link.supplier_item_id)";

fn from_row(row: &DbRow) -> StoreResult<Record<SupplierItemLink>> {
    let supplier_id: Option<Uuid> = row.try_get("item_supplier_id")?;
    let mut refs = Refs::default();
    refs.set("supplier_id", supplier_id.map(|id| id.to_string()));
    refs.set("offer_id", row.try_get("offer_id")?);
    refs.set("sku", row.try_get("sku")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: SupplierItemLink {
            supplier_item_id: row.try_get("supplier_item_id")?,
            product_id: row.try_get("product_id")?,
            priority: row.try_get("priority")?,
        },
    })
}

async fn check_refs(tx: &mut Tx, value: &SupplierItemLink) -> StoreResult<()> {
    value.validate()?;
    require_ref(
        tx,
        "supplier_item",
        "supplier_item_id",
        value.supplier_item_id,
    )
    .await?;
    require_ref(tx, "product", "product_id", value.product_id).await
}

async fn write(
    tx: &mut Tx,
    meta: &Meta,
    value: &SupplierItemLink,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO supplier_item_link (id, change_seq, created_at, updated_at, supplier_item_id, \
         product_id, priority) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    } else {
        "UPDATE supplier_item_link SET change_seq = $2, created_at = $3, updated_at = $4, \
         supplier_item_id = $5, product_id = $6, priority = $7 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.supplier_item_id)
        .bind(value.product_id)
        .bind(value.priority)
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate(
            "supplier item link",
            value.supplier_item_id.to_string(),
        ))?;
    Ok(())
}

async fn read(tx: &mut Tx, id: Uuid) -> StoreResult<Record<SupplierItemLink>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM supplier_item_link WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    from_row(&row)
}

/// Creates a supplier item link.
pub(crate) async fn create(
    store: &Backend,
    value: SupplierItemLink,
) -> StoreResult<Record<SupplierItemLink>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_refs(&mut tx, &value).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write(&mut tx, &meta, &value, true).await?;
    let stored = read(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Gets a supplier item link by id or by `Key(supplier_item_id)`.
pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<SupplierItemLink>> {
    let row = match lookup {
        Lookup::Key(key) => {
            let item = Uuid::parse_str(key.trim()).map_err(|_| {
                StoreError::invalid("key", format!("{key:?} is not a supplier item id"))
            })?;
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM supplier_item_link WHERE supplier_item_id = $1"
            ))
            .bind(item)
            .fetch_optional(&store.read)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "supplier item link",
                key: key.clone(),
            })?
        }
        other => {
            let sql = format!("SELECT {COLUMNS} FROM supplier_item_link WHERE id = $1");
            fetch_one_by(&store.read, "supplier item link", other, &sql, None, None).await?
        }
    };
    from_row(&row)
}

/// Replaces a supplier item link.
pub(crate) async fn update(
    store: &Backend,
    target: Target,
    value: SupplierItemLink,
) -> StoreResult<Record<SupplierItemLink>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "supplier_item_link", "supplier item link", target).await?;
    check_refs(&mut tx, &value).await?;
    let meta = stamped(old, seq);
    write(&mut tx, &meta, &value, false).await?;
    let stored = read(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Lists supplier item links; filters: product_id, supplier_id.
pub(crate) async fn list(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<SupplierItemLink>> {
    filter.allow_only(&["product_id", "supplier_id"])?;
    let mut qb = start_list(COLUMNS, "supplier_item_link", filter);
    if let Some(product) = filter.product_id {
        qb.push(" AND product_id = ");
        qb.push_bind(product);
    }
    if let Some(supplier) = filter.supplier_id {
        qb.push(" AND supplier_item_id IN (SELECT id FROM supplier_item WHERE supplier_id = ");
        qb.push_bind(supplier);
        qb.push(")");
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

// Association types (kinds of product links), compiled once per backend; called by the
// `LinkStore` impl in `link.rs`. Built-in types are seeded by the migration with fixed ids.

use carpetti_util::Code;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::model::link::AssociationType;
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name, quantified, two_way";

fn from_row(row: &DbRow) -> StoreResult<Record<AssociationType>> {
    let code: String = row.try_get("code")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: AssociationType {
            code: stored_enum(Code::parse(&code), "association_type.code")?,
            name: row.try_get("name")?,
            quantified: row.try_get("quantified")?,
            two_way: row.try_get("two_way")?,
        },
    })
}

fn validate(value: &AssociationType) -> StoreResult<()> {
    if value.name.trim().is_empty() {
        return Err(StoreError::invalid("name", "must not be empty"));
    }
    Ok(())
}

async fn write(tx: &mut Tx, meta: &Meta, value: &AssociationType, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO association_type (id, change_seq, created_at, updated_at, code, name, \
         quantified, two_way) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    } else {
        "UPDATE association_type SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, \
         name = $6, quantified = $7, two_way = $8 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(value.quantified)
        .bind(value.two_way)
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("association type", value.code.as_str()))?;
    Ok(())
}

/// Creates an association type.
pub(crate) async fn create(
    store: &Backend,
    value: AssociationType,
) -> StoreResult<Record<AssociationType>> {
    validate(&value)?;
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write(&mut tx, &meta, &value, true).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

/// Gets an association type by id or code.
pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<AssociationType>> {
    let row = fetch_one_by(
        &store.read,
        "association type",
        lookup,
        &format!("SELECT {COLUMNS} FROM association_type WHERE id = $1"),
        Some(&format!(
            "SELECT {COLUMNS} FROM association_type WHERE code = $1"
        )),
        None,
    )
    .await?;
    from_row(&row)
}

/// Replaces an association type; the existing links must still fit it.
pub(crate) async fn update(
    store: &Backend,
    target: Target,
    value: AssociationType,
) -> StoreResult<Record<AssociationType>> {
    validate(&value)?;
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "association_type", "association type", target).await?;
    if !value.quantified {
        let quantified_links: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM product_link WHERE association_type_id = $1 AND quantity <> 1",
        )
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
        if quantified_links > 0 {
            return Err(StoreError::invalid(
                "quantified",
                format!("{quantified_links} links of this type have a quantity other than 1"),
            ));
        }
    }
    if value.two_way {
        let pairs: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM product_link a JOIN product_link b \
             ON b.association_type_id = a.association_type_id \
             AND b.source_product_id = a.target_product_id \
             AND b.target_product_id = a.source_product_id \
             WHERE a.association_type_id = $1",
        )
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
        if pairs > 0 {
            return Err(StoreError::invalid(
                "two_way",
                "links of this type exist in both directions; delete one of each pair first",
            ));
        }
    }
    let meta = stamped(old, seq);
    write(&mut tx, &meta, &value, false).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

/// Lists association types (no filters).
pub(crate) async fn list(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<AssociationType>> {
    filter.allow_only(&[])?;
    let mut qb = start_list(COLUMNS, "association_type", filter);
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

// Attributes and their options, compiled once per backend (see store/mod.rs); the
// `StructureStore` impl in `structure_impl.rs` delegates here.

use carpetti_util::Code;
use sqlx::Row;
use uuid::Uuid;

use super::structure_category::delete_in_tx;
use crate::error::{StoreError, StoreResult};
use crate::model::structure::{Attribute, AttributeKind, AttributeOption};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const ATTRIBUTE_COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name, kind, \
     group_id, unit, multi_value, position, \
     (SELECT code FROM attribute_group g WHERE g.id = attribute.group_id) AS group_code";

const OPTION_COLUMNS: &str = "id, change_seq, created_at, updated_at, attribute_id, code, label, \
     position, (SELECT code FROM attribute a WHERE a.id = attribute_option.attribute_id) AS attribute_code";

fn attribute_from_row(row: &DbRow) -> StoreResult<Record<Attribute>> {
    let code: String = row.try_get("code")?;
    let kind: String = row.try_get("kind")?;
    let mut refs = Refs::default();
    refs.set("group_code", row.try_get("group_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Attribute {
            code: stored_enum(Code::parse(&code), "attribute.code")?,
            name: row.try_get("name")?,
            kind: stored_enum(AttributeKind::parse(&kind), "attribute.kind")?,
            group_id: row.try_get("group_id")?,
            unit: row.try_get("unit")?,
            multi_value: row.try_get("multi_value")?,
            position: row.try_get("position")?,
        },
    })
}

async fn write_attribute(
    tx: &mut Tx,
    meta: &Meta,
    value: &Attribute,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO attribute (id, change_seq, created_at, updated_at, code, name, kind, group_id, \
         unit, multi_value, position, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    } else {
        "UPDATE attribute SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, \
         name = $6, kind = $7, group_id = $8, unit = $9, multi_value = $10, position = $11, \
         search_text = $12 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(value.kind.as_str())
        .bind(value.group_id)
        .bind(value.unit.as_deref().map(str::trim))
        .bind(value.multi_value)
        .bind(value.position)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("attribute", value.code.as_str()))?;
    Ok(())
}

async fn read_attribute(tx: &mut Tx, id: Uuid) -> StoreResult<Record<Attribute>> {
    read_back(tx, ATTRIBUTE_COLUMNS, "attribute", id, attribute_from_row).await
}

async fn check_attribute(tx: &mut Tx, value: &Attribute) -> StoreResult<()> {
    value.validate()?;
    if let Some(group) = value.group_id {
        require_ref(tx, "attribute_group", "group_id", group).await?;
    }
    Ok(())
}

pub(crate) async fn create_attribute(
    store: &Backend,
    value: Attribute,
) -> StoreResult<Record<Attribute>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_attribute(&mut tx, &value).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_attribute(&mut tx, &meta, &value, true).await?;
    let stored = read_attribute(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn get_attribute(
    store: &Backend,
    lookup: &Lookup,
) -> StoreResult<Record<Attribute>> {
    let row = fetch_one_by(
        &store.read,
        "attribute",
        lookup,
        &format!("SELECT {ATTRIBUTE_COLUMNS} FROM attribute WHERE id = $1"),
        Some(&format!(
            "SELECT {ATTRIBUTE_COLUMNS} FROM attribute WHERE code = $1"
        )),
        None,
    )
    .await?;
    attribute_from_row(&row)
}

/// Whether any row of `table` has `attribute_id = id`.
async fn used_in(tx: &mut Tx, table: &'static str, id: Uuid) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT CAST(1 AS BIGINT) FROM {table} WHERE attribute_id = $1 LIMIT 1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

pub(crate) async fn update_attribute(
    store: &Backend,
    target: Target,
    value: Attribute,
) -> StoreResult<Record<Attribute>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "attribute", "attribute", target).await?;
    check_attribute(&mut tx, &value).await?;
    let old_kind: String = sqlx::query_scalar("SELECT kind FROM attribute WHERE id = $1")
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
    if old_kind != value.kind.as_str() {
        for (table, what) in [
            ("attribute_option", "options"),
            ("product_value", "product values"),
        ] {
            if used_in(&mut tx, table, target.id).await? {
                return Err(StoreError::FailedPrecondition(format!(
                    "attribute {} has {what}; its kind cannot change from {old_kind} to {}",
                    value.code.as_str(),
                    value.kind.as_str()
                )));
            }
        }
    }
    let meta = stamped(old, seq);
    write_attribute(&mut tx, &meta, &value, false).await?;
    let stored = read_attribute(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Deletes an attribute and (CASCADE) its options, leaving a tombstone for each.
pub(crate) async fn delete_attribute(store: &Backend, target: Target) -> StoreResult<i64> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_target(&mut tx, "attribute", "attribute", target).await?;
    let code: String = sqlx::query_scalar("SELECT code FROM attribute WHERE id = $1")
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
    let options = sqlx::query(
        "SELECT id, code FROM attribute_option WHERE attribute_id = $1 ORDER BY change_seq",
    )
    .bind(target.id)
    .fetch_all(&mut *tx)
    .await?;
    delete_in_tx(&mut tx, seq, "attribute", "attribute", target.id, &code).await?;
    if !options.is_empty() {
        let mut next = take_seqs(&mut tx, i64::try_from(options.len()).unwrap_or(i64::MAX)).await?;
        for row in &options {
            let option_code: String = row.try_get("code")?;
            sqlx::query(
                "INSERT INTO change_log (seq, entity, entity_id, business_key, deleted_at) \
                 VALUES ($1, 'attribute_option', $2, $3, $4)",
            )
            .bind(next)
            .bind(row.try_get::<Uuid, _>("id")?)
            .bind(format!("{code}/{option_code}"))
            .bind(carpetti_util::now())
            .execute(&mut *tx)
            .await?;
            next += 1;
        }
    }
    tx.commit().await?;
    Ok(seq)
}

pub(crate) async fn list_attributes(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<Attribute>> {
    filter.allow_only(&["text"])?;
    let mut qb = start_list(ATTRIBUTE_COLUMNS, "attribute", filter);
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(attribute_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

fn option_from_row(row: &DbRow) -> StoreResult<Record<AttributeOption>> {
    let code: String = row.try_get("code")?;
    let mut refs = Refs::default();
    refs.set("attribute_code", row.try_get("attribute_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: AttributeOption {
            attribute_id: row.try_get("attribute_id")?,
            code: stored_enum(Code::parse(&code), "attribute_option.code")?,
            label: row.try_get("label")?,
            position: row.try_get("position")?,
        },
    })
}

/// The option's attribute must exist and be of kind option (INVALID_ARGUMENT on `attribute_id`).
async fn check_option(tx: &mut Tx, value: &AttributeOption) -> StoreResult<()> {
    let row = sqlx::query("SELECT code, kind FROM attribute WHERE id = $1")
        .bind(value.attribute_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::unknown("attribute_id", "attribute", value.attribute_id))?;
    let kind: String = row.try_get("kind")?;
    if kind != AttributeKind::Option.as_str() {
        let code: String = row.try_get("code")?;
        return Err(StoreError::invalid(
            "attribute_id",
            format!("attribute {code} is of kind {kind}; only option attributes have options"),
        ));
    }
    Ok(())
}

async fn write_option(
    tx: &mut Tx,
    meta: &Meta,
    value: &AttributeOption,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO attribute_option (id, change_seq, created_at, updated_at, attribute_id, code, \
         label, position, search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE attribute_option SET change_seq = $2, created_at = $3, updated_at = $4, \
         attribute_id = $5, code = $6, label = $7, position = $8, search_text = $9 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.attribute_id)
        .bind(value.code.as_str())
        .bind(&value.label)
        .bind(value.position)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("attribute option", value.code.as_str()))?;
    Ok(())
}

async fn read_option(tx: &mut Tx, id: Uuid) -> StoreResult<Record<AttributeOption>> {
    read_back(tx, OPTION_COLUMNS, "attribute_option", id, option_from_row).await
}

pub(crate) async fn create_attribute_option(
    store: &Backend,
    value: AttributeOption,
) -> StoreResult<Record<AttributeOption>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_option(&mut tx, &value).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_option(&mut tx, &meta, &value, true).await?;
    let stored = read_option(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn get_attribute_option(
    store: &Backend,
    lookup: &Lookup,
) -> StoreResult<Record<AttributeOption>> {
    let row = fetch_one_by(
        &store.read,
        "attribute option",
        lookup,
        &format!("SELECT {OPTION_COLUMNS} FROM attribute_option WHERE id = $1"),
        None,
        Some(&format!(
            "SELECT {OPTION_COLUMNS} FROM attribute_option WHERE attribute_id = $1 AND code = $2"
        )),
    )
    .await?;
    option_from_row(&row)
}

pub(crate) async fn update_attribute_option(
    store: &Backend,
    target: Target,
    value: AttributeOption,
) -> StoreResult<Record<AttributeOption>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "attribute_option", "attribute option", target).await?;
    check_option(&mut tx, &value).await?;
    let meta = stamped(old, seq);
    write_option(&mut tx, &meta, &value, false).await?;
    let stored = read_option(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Tombstone key: `<attribute code>/<option code>`.
pub(crate) async fn delete_attribute_option(store: &Backend, target: Target) -> StoreResult<i64> {
    delete_with_tombstone(
        &store.write,
        "attribute_option",
        "attribute option",
        "(SELECT a.code FROM attribute a WHERE a.id = attribute_option.attribute_id) || '/' || code",
        target,
    )
    .await
}

pub(crate) async fn list_attribute_options(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<AttributeOption>> {
    filter.allow_only(&["attribute_id", "text"])?;
    let mut qb = start_list(OPTION_COLUMNS, "attribute_option", filter);
    if let Some(attribute) = filter.attribute_id {
        qb.push(" AND attribute_id = ");
        qb.push_bind(attribute);
    }
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(option_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

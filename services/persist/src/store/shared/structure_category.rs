// Categories (the tree, kept free of cycles) and attribute groups, compiled once per backend (see
// store/mod.rs); the `StructureStore` impl in `structure_impl.rs` delegates here. Also the
// in-transaction delete-with-tombstone the other structure modules use.

use carpetti_util::Code;
use sqlx::Row;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::structure::{AttributeGroup, Category};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const CATEGORY_COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name, parent_id, \
     position, (SELECT code FROM category p WHERE p.id = category.parent_id) AS parent_code";

const GROUP_COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name, position";

/// Deletes row `id` of `table` inside `tx` and appends its tombstone with `seq` and `key`. A
/// row still referenced (RESTRICT) is FAILED_PRECONDITION.
pub(crate) async fn delete_in_tx(
    tx: &mut Tx,
    seq: i64,
    table: &'static str,
    entity: &'static str,
    id: Uuid,
    key: &str,
) -> StoreResult<()> {
    super::cascade::tombstone_dependents(tx, table, id).await?;
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::FailedPrecondition(_) => StoreError::FailedPrecondition(format!(
                "{entity} {key} is still referenced by other entities; remove those first"
            )),
            other => other,
        })?;
    sqlx::query(
        "INSERT INTO change_log (seq, entity, entity_id, business_key, deleted_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(table)
    .bind(id)
    .bind(key)
    .bind(carpetti_util::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn category_from_row(row: &DbRow) -> StoreResult<Record<Category>> {
    let code: String = row.try_get("code")?;
    let mut refs = Refs::default();
    refs.set("parent_code", row.try_get("parent_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Category {
            code: stored_enum(Code::parse(&code), "category.code")?,
            name: row.try_get("name")?,
            parent_id: row.try_get("parent_id")?,
            position: row.try_get("position")?,
        },
    })
}

/// Fails with INVALID_ARGUMENT on `parent_id` unless the parent exists and, for an existing
/// category `own` (`None` on create), is not the category itself or one of its descendants.
async fn check_parent(tx: &mut Tx, own: Option<Uuid>, value: &Category) -> StoreResult<()> {
    let Some(parent) = value.parent_id else {
        return Ok(());
    };
    let code = value.code.as_str();
    if own == Some(parent) {
        return Err(StoreError::invalid(
            "parent_id",
            format!("would create a cycle: {code} → {code}"),
        ));
    }
    require_ref(tx, "category", "parent_id", parent).await?;
    let Some(own) = own else {
        return Ok(());
    };
    // The parent and its ancestors, nearest first; the depth bound only guards against a cycle
    // already stored, which this check exists to prevent.
    let rows = sqlx::query(
        "WITH RECURSIVE ancestor (id, code, parent_id, depth) AS ( \
             SELECT id, code, parent_id, 0 FROM category WHERE id = $1 \
             UNION ALL \
             SELECT c.id, c.code, c.parent_id, a.depth + 1 FROM category c \
             JOIN ancestor a ON c.id = a.parent_id WHERE a.depth < 10000 AND a.id <> $2 \
         ) SELECT id, code FROM ancestor ORDER BY depth",
    )
    .bind(parent)
    .bind(own)
    .fetch_all(&mut **tx)
    .await?;
    let mut chain = vec![code.to_owned()];
    for row in &rows {
        let id: Uuid = row.try_get("id")?;
        if id == own {
            chain.push(code.to_owned());
            return Err(StoreError::invalid(
                "parent_id",
                format!("would create a cycle: {}", chain.join(" → ")),
            ));
        }
        chain.push(row.try_get("code")?);
    }
    Ok(())
}

async fn write_category(
    tx: &mut Tx,
    meta: &Meta,
    value: &Category,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO category (id, change_seq, created_at, updated_at, code, name, parent_id, \
         position, search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE category SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, \
         name = $6, parent_id = $7, position = $8, search_text = $9 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(value.parent_id)
        .bind(value.position)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("category", value.code.as_str()))?;
    Ok(())
}

async fn read_category(tx: &mut Tx, id: Uuid) -> StoreResult<Record<Category>> {
    read_back(tx, CATEGORY_COLUMNS, "category", id, category_from_row).await
}

pub(crate) async fn create_category(
    store: &Backend,
    value: Category,
) -> StoreResult<Record<Category>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_parent(&mut tx, None, &value).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_category(&mut tx, &meta, &value, true).await?;
    let stored = read_category(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn get_category(
    store: &Backend,
    lookup: &Lookup,
) -> StoreResult<Record<Category>> {
    let row = fetch_one_by(
        &store.read,
        "category",
        lookup,
        &format!("SELECT {CATEGORY_COLUMNS} FROM category WHERE id = $1"),
        Some(&format!(
            "SELECT {CATEGORY_COLUMNS} FROM category WHERE code = $1"
        )),
        None,
    )
    .await?;
    category_from_row(&row)
}

pub(crate) async fn update_category(
    store: &Backend,
    target: Target,
    value: Category,
) -> StoreResult<Record<Category>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "category", "category", target).await?;
    check_parent(&mut tx, Some(target.id), &value).await?;
    let meta = stamped(old, seq);
    write_category(&mut tx, &meta, &value, false).await?;
    let stored = read_category(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn delete_category(store: &Backend, target: Target) -> StoreResult<i64> {
    delete_with_tombstone(&store.write, "category", "category", "code", target).await
}

pub(crate) async fn list_categories(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<Category>> {
    filter.allow_only(&["text", "parent_id"])?;
    let mut qb = start_list(CATEGORY_COLUMNS, "category", filter);
    if let Some(parent) = filter.parent_id {
        qb.push(" AND parent_id = ");
        qb.push_bind(parent);
    }
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(category_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

fn group_from_row(row: &DbRow) -> StoreResult<Record<AttributeGroup>> {
    let code: String = row.try_get("code")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: AttributeGroup {
            code: stored_enum(Code::parse(&code), "attribute_group.code")?,
            name: row.try_get("name")?,
            position: row.try_get("position")?,
        },
    })
}

async fn write_group(
    tx: &mut Tx,
    meta: &Meta,
    value: &AttributeGroup,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO attribute_group (id, change_seq, created_at, updated_at, code, name, position, \
         search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    } else {
        "UPDATE attribute_group SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, \
         name = $6, position = $7, search_text = $8 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(value.position)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("attribute group", value.code.as_str()))?;
    Ok(())
}

pub(crate) async fn create_attribute_group(
    store: &Backend,
    value: AttributeGroup,
) -> StoreResult<Record<AttributeGroup>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_group(&mut tx, &meta, &value, true).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

pub(crate) async fn get_attribute_group(
    store: &Backend,
    lookup: &Lookup,
) -> StoreResult<Record<AttributeGroup>> {
    let row = fetch_one_by(
        &store.read,
        "attribute group",
        lookup,
        &format!("SELECT {GROUP_COLUMNS} FROM attribute_group WHERE id = $1"),
        Some(&format!(
            "SELECT {GROUP_COLUMNS} FROM attribute_group WHERE code = $1"
        )),
        None,
    )
    .await?;
    group_from_row(&row)
}

pub(crate) async fn update_attribute_group(
    store: &Backend,
    target: Target,
    value: AttributeGroup,
) -> StoreResult<Record<AttributeGroup>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "attribute_group", "attribute group", target).await?;
    let meta = stamped(old, seq);
    write_group(&mut tx, &meta, &value, false).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

/// Deletes a group; its attributes become ungrouped, each taking a new change seq so that
/// "changed since N" readers see their `group_id` go.
pub(crate) async fn delete_attribute_group(store: &Backend, target: Target) -> StoreResult<i64> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_target(&mut tx, "attribute_group", "attribute group", target).await?;
    let code: String = sqlx::query_scalar("SELECT code FROM attribute_group WHERE id = $1")
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
    let members: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM attribute WHERE group_id = $1 ORDER BY change_seq")
            .bind(target.id)
            .fetch_all(&mut *tx)
            .await?;
    if !members.is_empty() {
        let count = i64::try_from(members.len()).unwrap_or(i64::MAX);
        let mut next = take_seqs(&mut tx, count).await?;
        let now = carpetti_util::now();
        for id in members {
            sqlx::query(
                "UPDATE attribute SET group_id = NULL, change_seq = $2, updated_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(next)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            next += 1;
        }
    }
    delete_in_tx(
        &mut tx,
        seq,
        "attribute_group",
        "attribute group",
        target.id,
        &code,
    )
    .await?;
    tx.commit().await?;
    Ok(seq)
}

pub(crate) async fn list_attribute_groups(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<AttributeGroup>> {
    filter.allow_only(&["text"])?;
    let mut qb = start_list(GROUP_COLUMNS, "attribute_group", filter);
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(group_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

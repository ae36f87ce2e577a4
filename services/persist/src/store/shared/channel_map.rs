// Channel category and attribute mappings, compiled once per backend; called by the
// `ChannelStore` impl in `channel.rs`. Both are keyed by (channel, our entity); both CASCADE with
// either end.

use std::collections::BTreeMap;

use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::channel::{ChannelAttributeMap, ChannelCategoryMap};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

use super::channel::key_id;

const CATEGORY_COLUMNS: &str = "id, change_seq, created_at, updated_at, channel_id, category_id, \
     external_id, external_name, \
     (SELECT code FROM channel c WHERE c.id = channel_category_map.channel_id) AS channel_code, \
     (SELECT code FROM category c WHERE c.id = channel_category_map.category_id) AS category_code";

const ATTRIBUTE_COLUMNS: &str = "id, change_seq, created_at, updated_at, channel_id, attribute_id, \
     external_id, external_name, value_map, \
     (SELECT code FROM channel c WHERE c.id = channel_attribute_map.channel_id) AS channel_code, \
     (SELECT code FROM attribute a WHERE a.id = channel_attribute_map.attribute_id) AS attribute_code";

/// Tombstone key of a category map: `CHANNEL_CODE/CATEGORY_CODE`.
pub(crate) const CATEGORY_MAP_KEY: &str = "(SELECT code FROM channel c WHERE c.id = channel_category_map.channel_id) \
     || '/' || (SELECT code FROM category c WHERE c.id = channel_category_map.category_id)";

/// Tombstone key of an attribute map: `CHANNEL_CODE/ATTRIBUTE_CODE`.
pub(crate) const ATTRIBUTE_MAP_KEY: &str = "(SELECT code FROM channel c WHERE c.id = channel_attribute_map.channel_id) \
     || '/' || (SELECT code FROM attribute a WHERE a.id = channel_attribute_map.attribute_id)";

fn category_from_row(row: &DbRow) -> StoreResult<Record<ChannelCategoryMap>> {
    let mut refs = Refs::default();
    refs.set("channel_code", row.try_get("channel_code")?);
    refs.set("category_code", row.try_get("category_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: ChannelCategoryMap {
            channel_id: row.try_get("channel_id")?,
            category_id: row.try_get("category_id")?,
            external_id: row.try_get("external_id")?,
            external_name: row.try_get("external_name")?,
        },
    })
}

fn attribute_from_row(row: &DbRow) -> StoreResult<Record<ChannelAttributeMap>> {
    let value_map: Json<BTreeMap<String, String>> = row.try_get("value_map")?;
    let mut refs = Refs::default();
    refs.set("channel_code", row.try_get("channel_code")?);
    refs.set("attribute_code", row.try_get("attribute_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: ChannelAttributeMap {
            channel_id: row.try_get("channel_id")?,
            attribute_id: row.try_get("attribute_id")?,
            external_id: row.try_get("external_id")?,
            external_name: row.try_get("external_name")?,
            value_map: value_map.0,
        },
    })
}

async fn write_category(
    tx: &mut Tx,
    meta: &Meta,
    value: &ChannelCategoryMap,
    insert: bool,
) -> StoreResult<()> {
    value.validate()?;
    require_ref(tx, "channel", "channel_id", value.channel_id).await?;
    require_ref(tx, "category", "category_id", value.category_id).await?;
    let sql = if insert {
        "INSERT INTO channel_category_map (id, change_seq, created_at, updated_at, channel_id, \
         category_id, external_id, external_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    } else {
        "UPDATE channel_category_map SET change_seq = $2, created_at = $3, updated_at = $4, \
         channel_id = $5, category_id = $6, external_id = $7, external_name = $8 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.channel_id)
        .bind(value.category_id)
        .bind(value.external_id.trim())
        .bind(&value.external_name)
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate(
            "channel category map",
            format!(
                "channel {} category {}",
                value.channel_id, value.category_id
            ),
        ))?;
    Ok(())
}

async fn write_attribute(
    tx: &mut Tx,
    meta: &Meta,
    value: &ChannelAttributeMap,
    insert: bool,
) -> StoreResult<()> {
    value.validate()?;
    require_ref(tx, "channel", "channel_id", value.channel_id).await?;
    require_ref(tx, "attribute", "attribute_id", value.attribute_id).await?;
    let sql = if insert {
        "INSERT INTO channel_attribute_map (id, change_seq, created_at, updated_at, channel_id, \
         attribute_id, external_id, external_name, value_map) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE channel_attribute_map SET change_seq = $2, created_at = $3, updated_at = $4, \
         channel_id = $5, attribute_id = $6, external_id = $7, external_name = $8, value_map = $9 \
         WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.channel_id)
        .bind(value.attribute_id)
        .bind(value.external_id.trim())
        .bind(&value.external_name)
        .bind(Json(&value.value_map))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate(
            "channel attribute map",
            format!(
                "channel {} attribute {}",
                value.channel_id, value.attribute_id
            ),
        ))?;
    Ok(())
}

/// Creates a category map.
pub(crate) async fn create_category_map(
    store: &Backend,
    value: ChannelCategoryMap,
) -> StoreResult<Record<ChannelCategoryMap>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_category(&mut tx, &meta, &value, true).await?;
    let stored = read_back(
        &mut tx,
        CATEGORY_COLUMNS,
        "channel_category_map",
        meta.id,
        category_from_row,
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Replaces a category map.
pub(crate) async fn update_category_map(
    store: &Backend,
    target: Target,
    value: ChannelCategoryMap,
) -> StoreResult<Record<ChannelCategoryMap>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(
        &mut tx,
        "channel_category_map",
        "channel category map",
        target,
    )
    .await?;
    let meta = stamped(old, seq);
    write_category(&mut tx, &meta, &value, false).await?;
    let stored = read_back(
        &mut tx,
        CATEGORY_COLUMNS,
        "channel_category_map",
        meta.id,
        category_from_row,
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Creates an attribute map.
pub(crate) async fn create_attribute_map(
    store: &Backend,
    value: ChannelAttributeMap,
) -> StoreResult<Record<ChannelAttributeMap>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_attribute(&mut tx, &meta, &value, true).await?;
    let stored = read_back(
        &mut tx,
        ATTRIBUTE_COLUMNS,
        "channel_attribute_map",
        meta.id,
        attribute_from_row,
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Replaces an attribute map.
pub(crate) async fn update_attribute_map(
    store: &Backend,
    target: Target,
    value: ChannelAttributeMap,
) -> StoreResult<Record<ChannelAttributeMap>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(
        &mut tx,
        "channel_attribute_map",
        "channel attribute map",
        target,
    )
    .await?;
    let meta = stamped(old, seq);
    write_attribute(&mut tx, &meta, &value, false).await?;
    let stored = read_back(
        &mut tx,
        ATTRIBUTE_COLUMNS,
        "channel_attribute_map",
        meta.id,
        attribute_from_row,
    )
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// Selects one map row by id or by `ScopedKey(channel_id, "<other id>")`.
async fn fetch_map(
    store: &Backend,
    entity: &'static str,
    lookup: &Lookup,
    columns: &str,
    table: &str,
    other_column: &str,
) -> StoreResult<DbRow> {
    match lookup {
        Lookup::ScopedKey(channel, key) => {
            let other = key_id(key, other_column.trim_end_matches("_id"))?;
            sqlx::query(&format!(
                "SELECT {columns} FROM {table} WHERE channel_id = $1 AND {other_column} = $2"
            ))
            .bind(*channel)
            .bind(other)
            .fetch_optional(&store.read)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity,
                key: format!("{key} (in {channel})"),
            })
        }
        other => {
            let sql = format!("SELECT {columns} FROM {table} WHERE id = $1");
            fetch_one_by(&store.read, entity, other, &sql, None, None).await
        }
    }
}

/// Gets a category map by id or by `ScopedKey(channel_id, category_id)`.
pub(crate) async fn get_category_map(
    store: &Backend,
    lookup: &Lookup,
) -> StoreResult<Record<ChannelCategoryMap>> {
    let row = fetch_map(
        store,
        "channel category map",
        lookup,
        CATEGORY_COLUMNS,
        "channel_category_map",
        "category_id",
    )
    .await?;
    category_from_row(&row)
}

/// Gets an attribute map by id or by `ScopedKey(channel_id, attribute_id)`.
pub(crate) async fn get_attribute_map(
    store: &Backend,
    lookup: &Lookup,
) -> StoreResult<Record<ChannelAttributeMap>> {
    let row = fetch_map(
        store,
        "channel attribute map",
        lookup,
        ATTRIBUTE_COLUMNS,
        "channel_attribute_map",
        "attribute_id",
    )
    .await?;
    attribute_from_row(&row)
}

/// Appends `AND column = id` when the filter is set.
pub(crate) fn push_id_filter(qb: &mut sqlx::QueryBuilder<'_, Db>, column: &str, id: Option<Uuid>) {
    if let Some(id) = id {
        qb.push(format!(" AND {column} = "));
        qb.push_bind(id);
    }
}

/// Lists category maps; filters: channel_id, category_id.
pub(crate) async fn list_category_maps(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<ChannelCategoryMap>> {
    filter.allow_only(&["channel_id", "category_id"])?;
    let mut qb = start_list(CATEGORY_COLUMNS, "channel_category_map", filter);
    push_id_filter(&mut qb, "channel_id", filter.channel_id);
    push_id_filter(&mut qb, "category_id", filter.category_id);
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(category_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

/// Lists attribute maps; filters: channel_id, attribute_id.
pub(crate) async fn list_attribute_maps(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<ChannelAttributeMap>> {
    filter.allow_only(&["channel_id", "attribute_id"])?;
    let mut qb = start_list(ATTRIBUTE_COLUMNS, "channel_attribute_map", filter);
    push_id_filter(&mut qb, "channel_id", filter.channel_id);
    push_id_filter(&mut qb, "attribute_id", filter.attribute_id);
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(attribute_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

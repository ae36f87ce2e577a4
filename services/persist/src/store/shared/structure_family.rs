// Families (members and per-channel requirements, given by codes and resolved inside the
// transaction) and the completeness list, compiled once per backend (see store/mod.rs); the
// `StructureStore` impl in `structure_impl.rs` delegates here.

use std::collections::{BTreeMap, HashMap, HashSet};

use carpetti_util::Code;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::completeness::recompute_for_family;
use crate::error::{StoreError, StoreResult};
use crate::model::structure::{Completeness, Family, FamilyRequirement};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

type DbConn = <Db as sqlx::Database>::Connection;

const FAMILY_COLUMNS: &str = "id, change_seq, created_at, updated_at, code, name";

const COMPLETENESS_COLUMNS: &str = "id, change_seq, created_at, updated_at, product_id, \
     channel_id, required, filled, missing, computed_at, \
     (SELECT sku FROM product p WHERE p.id = completeness.product_id) AS sku, \
     (SELECT code FROM channel ch WHERE ch.id = completeness.channel_id) AS channel_code";

/// Members and requirements of the families `ids`, codes sorted.
type Members = HashMap<Uuid, (Vec<Code>, Vec<FamilyRequirement>)>;

fn push_ids(qb: &mut QueryBuilder<'_, Db>, ids: &[Uuid]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

async fn load_members(conn: &mut DbConn, ids: &[Uuid]) -> StoreResult<Members> {
    let mut out: Members = ids.iter().map(|id| (*id, Default::default())).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "SELECT fa.family_id AS family_id, a.code AS code FROM family_attribute fa \
         JOIN attribute a ON a.id = fa.attribute_id WHERE fa.family_id IN ",
    );
    push_ids(&mut qb, ids);
    qb.push(" ORDER BY a.code");
    for row in qb.build().fetch_all(&mut *conn).await? {
        let code: String = row.try_get("code")?;
        if let Some(entry) = out.get_mut(&row.try_get::<Uuid, _>("family_id")?) {
            entry
                .0
                .push(stored_enum(Code::parse(&code), "attribute.code")?);
        }
    }
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "SELECT fr.family_id AS family_id, ch.code AS channel_code, a.code AS code \
         FROM family_requirement fr JOIN channel ch ON ch.id = fr.channel_id \
         JOIN attribute a ON a.id = fr.attribute_id WHERE fr.family_id IN ",
    );
    push_ids(&mut qb, ids);
    qb.push(" ORDER BY ch.code, a.code");
    for row in qb.build().fetch_all(&mut *conn).await? {
        let channel: String = row.try_get("channel_code")?;
        let code: String = row.try_get("code")?;
        let Some(entry) = out.get_mut(&row.try_get::<Uuid, _>("family_id")?) else {
            continue;
        };
        let code = stored_enum(Code::parse(&code), "attribute.code")?;
        match entry.1.last_mut() {
            Some(last) if last.channel_code.as_str() == channel => last.attribute_codes.push(code),
            _ => entry.1.push(FamilyRequirement {
                channel_code: stored_enum(Code::parse(&channel), "channel.code")?,
                attribute_codes: vec![code],
            }),
        }
    }
    Ok(out)
}

async fn families_from_rows(conn: &mut DbConn, rows: &[DbRow]) -> StoreResult<Vec<Record<Family>>> {
    let ids = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<Vec<Uuid>, _>>()?;
    let mut members = load_members(conn, &ids).await?;
    rows.iter()
        .map(|row| {
            let meta = meta_from_row(row)?;
            let code: String = row.try_get("code")?;
            let (attribute_codes, requirements) = members.remove(&meta.id).unwrap_or_default();
            Ok(Record {
                meta,
                refs: Refs::default(),
                value: Family {
                    code: stored_enum(Code::parse(&code), "family.code")?,
                    name: row.try_get("name")?,
                    attribute_codes,
                    requirements,
                },
            })
        })
        .collect()
}

async fn id_by_code(tx: &mut Tx, table: &'static str, code: &str) -> StoreResult<Option<Uuid>> {
    Ok(
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE code = $1"))
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Resolves the codes of a family to (attribute ids, channel id → required attribute ids).
async fn resolve(
    tx: &mut Tx,
    value: &Family,
) -> StoreResult<(Vec<Uuid>, BTreeMap<Uuid, Vec<Uuid>>)> {
    let mut members: HashMap<&str, Uuid> = HashMap::new();
    let mut attribute_ids = Vec::new();
    for (i, code) in value.attribute_codes.iter().enumerate() {
        let field = format!("attribute_codes[{i}]");
        if members.contains_key(code.as_str()) {
            return Err(StoreError::invalid(
                field,
                format!("attribute {} is listed twice", code.as_str()),
            ));
        }
        let id = id_by_code(tx, "attribute", code.as_str())
            .await?
            .ok_or_else(|| StoreError::unknown(&field, "attribute", code.as_str()))?;
        members.insert(code.as_str(), id);
        attribute_ids.push(id);
    }
    let mut requirements: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for (r, requirement) in value.requirements.iter().enumerate() {
        let channel_code = requirement.channel_code.as_str();
        let field = format!("requirements[{r}].channel_code");
        let channel = id_by_code(tx, "channel", channel_code)
            .await?
            .ok_or_else(|| StoreError::unknown(&field, "channel", channel_code))?;
        if requirements.contains_key(&channel) {
            return Err(StoreError::invalid(
                field,
                format!("channel {channel_code} is listed twice"),
            ));
        }
        if requirement.attribute_codes.is_empty() {
            return Err(StoreError::invalid(
                format!("requirements[{r}].attribute_codes"),
                "must not be empty",
            ));
        }
        let mut seen = HashSet::new();
        let mut required = Vec::new();
        for (i, code) in requirement.attribute_codes.iter().enumerate() {
            let field = format!("requirements[{r}].attribute_codes[{i}]");
            let code = code.as_str();
            if !seen.insert(code) {
                return Err(StoreError::invalid(
                    field,
                    format!("attribute {code} is listed twice"),
                ));
            }
            match members.get(code) {
                Some(id) => required.push(*id),
                None if id_by_code(tx, "attribute", code).await?.is_some() => {
                    return Err(StoreError::invalid(
                        field,
                        format!("attribute {code} is not one of the family's attribute_codes"),
                    ));
                }
                None => return Err(StoreError::unknown(field, "attribute", code)),
            }
        }
        requirements.insert(channel, required);
    }
    Ok((attribute_ids, requirements))
}

/// Writes the family row, replaces its members and requirements, and recomputes the
/// completeness of its products.
async fn write_family(tx: &mut Tx, meta: &Meta, value: &Family, insert: bool) -> StoreResult<()> {
    let (attribute_ids, requirements) = resolve(tx, value).await?;
    let sql = if insert {
        "INSERT INTO family (id, change_seq, created_at, updated_at, code, name, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    } else {
        "UPDATE family SET change_seq = $2, created_at = $3, updated_at = $4, code = $5, \
         name = $6, search_text = $7 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.code.as_str())
        .bind(&value.name)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("family", value.code.as_str()))?;
    for table in ["family_requirement", "family_attribute"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE family_id = $1"))
            .bind(meta.id)
            .execute(&mut **tx)
            .await?;
    }
    for attribute in attribute_ids {
        sqlx::query("INSERT INTO family_attribute (family_id, attribute_id) VALUES ($1, $2)")
            .bind(meta.id)
            .bind(attribute)
            .execute(&mut **tx)
            .await?;
    }
    for (channel, attributes) in requirements {
        for attribute in attributes {
            sqlx::query(
                "INSERT INTO family_requirement (family_id, channel_id, attribute_id) VALUES ($1, $2, $3)",
            )
            .bind(meta.id)
            .bind(channel)
            .bind(attribute)
            .execute(&mut **tx)
            .await?;
        }
    }
    recompute_for_family(tx, meta.id).await
}

async fn read_family(tx: &mut Tx, id: Uuid) -> StoreResult<Record<Family>> {
    let row = sqlx::query(&format!(
        "SELECT {FAMILY_COLUMNS} FROM family WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let mut records = families_from_rows(tx, std::slice::from_ref(&row)).await?;
    records.pop().ok_or_else(|| StoreError::NotFound {
        entity: "family",
        key: id.to_string(),
    })
}

pub(crate) async fn create_family(store: &Backend, value: Family) -> StoreResult<Record<Family>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_family(&mut tx, &meta, &value, true).await?;
    let stored = read_family(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn get_family(store: &Backend, lookup: &Lookup) -> StoreResult<Record<Family>> {
    let row = fetch_one_by(
        &store.read,
        "family",
        lookup,
        &format!("SELECT {FAMILY_COLUMNS} FROM family WHERE id = $1"),
        Some(&format!(
            "SELECT {FAMILY_COLUMNS} FROM family WHERE code = $1"
        )),
        None,
    )
    .await?;
    let mut conn = store.read.acquire().await?;
    let mut records = families_from_rows(&mut conn, std::slice::from_ref(&row)).await?;
    records.pop().ok_or_else(|| StoreError::NotFound {
        entity: "family",
        key: format!("{lookup:?}"),
    })
}

pub(crate) async fn update_family(
    store: &Backend,
    target: Target,
    value: Family,
) -> StoreResult<Record<Family>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "family", "family", target).await?;
    let meta = stamped(old, seq);
    write_family(&mut tx, &meta, &value, false).await?;
    let stored = read_family(&mut tx, meta.id).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn delete_family(store: &Backend, target: Target) -> StoreResult<i64> {
    delete_with_tombstone(&store.write, "family", "family", "code", target).await
}

pub(crate) async fn list_families(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<Family>> {
    filter.allow_only(&["text"])?;
    let mut qb = start_list(FAMILY_COLUMNS, "family", filter);
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let mut conn = store.read.acquire().await?;
    let rows = qb.build().fetch_all(&mut *conn).await?;
    let items = families_from_rows(&mut conn, &rows).await?;
    Ok(into_page(items, filter))
}

fn completeness_from_row(row: &DbRow) -> StoreResult<Record<Completeness>> {
    let missing: Json<Vec<String>> = row.try_get("missing")?;
    let mut refs = Refs::default();
    refs.set("sku", row.try_get("sku")?);
    refs.set("channel_code", row.try_get("channel_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Completeness {
            product_id: row.try_get("product_id")?,
            channel_id: row.try_get("channel_id")?,
            required: row.try_get("required")?,
            filled: row.try_get("filled")?,
            missing: missing.0,
            computed_at: row.try_get("computed_at")?,
        },
    })
}

pub(crate) async fn list_completeness(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<Completeness>> {
    filter.allow_only(&["product_id", "channel_id"])?;
    let mut qb = start_list(COMPLETENESS_COLUMNS, "completeness", filter);
    if let Some(product) = filter.product_id {
        qb.push(" AND product_id = ");
        qb.push_bind(product);
    }
    if let Some(channel) = filter.channel_id {
        qb.push(" AND channel_id = ");
        qb.push_bind(channel);
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(completeness_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

pub(crate) async fn recompute_completeness(
    store: &Backend,
    product_ids: &[Uuid],
) -> StoreResult<()> {
    let mut tx = store.write.begin().await?;
    // Takes the writer lock first, like every write; the recompute takes the numbers it needs.
    take_seqs(&mut tx, 0).await?;
    super::completeness::recompute_for_products(&mut tx, product_ids).await?;
    tx.commit().await?;
    Ok(())
}

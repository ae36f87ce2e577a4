// Attribute values of products, compiled once per backend (see store/mod.rs): checking values
// against their attributes (kind, options, unit), and reading and writing `product_value` rows.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::product::{AttributeValue, Product, Value};

/// A database connection (a pool's or a transaction's).
pub(crate) type Conn = <Db as sqlx::Database>::Connection;

/// One `product_value` row to write: the attribute's id and the typed JSON value.
pub(crate) type ValueRow = (Uuid, serde_json::Value);

/// What values are checked against: one attribute.
pub(crate) struct AttributeInfo {
    pub id: Uuid,
    pub kind: String,
    pub unit: Option<String>,
    pub multi_value: bool,
    /// Option codes (only for `option` attributes).
    pub options: HashSet<String>,
}

/// The attributes named by a set of products, by code (`None` = no such attribute).
#[derive(Default)]
pub(crate) struct Catalog {
    attributes: HashMap<String, Option<AttributeInfo>>,
}

impl Catalog {
    /// Loads every attribute the products' values name, with its options.
    pub(crate) async fn load(conn: &mut Conn, products: &[&Product]) -> StoreResult<Catalog> {
        let mut catalog = Catalog::default();
        for product in products {
            for value in &product.values {
                let code = value.attribute_code.as_str();
                if catalog.attributes.contains_key(code) {
                    continue;
                }
                let info = load_attribute(conn, code).await?;
                catalog.attributes.insert(code.to_owned(), info);
            }
        }
        Ok(catalog)
    }
}

async fn load_attribute(conn: &mut Conn, code: &str) -> StoreResult<Option<AttributeInfo>> {
    let Some(row) =
        sqlx::query("SELECT id, kind, unit, multi_value FROM attribute WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let id: Uuid = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let options = if kind == "option" {
        sqlx::query_scalar::<_, String>("SELECT code FROM attribute_option WHERE attribute_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    Ok(Some(AttributeInfo {
        id,
        kind,
        unit: row.try_get("unit")?,
        multi_value: row.try_get("multi_value")?,
        options,
    }))
}

fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Checks one value against its attribute; fills a measure's missing unit with the attribute's.
fn check_value(
    field: &str,
    code: &str,
    attribute: &AttributeInfo,
    value: &mut Value,
) -> StoreResult<()> {
    if value.kind() != attribute.kind {
        let kind = &attribute.kind;
        return Err(StoreError::invalid(
            field,
            format!(
                "attribute {code} is {} {kind} attribute, got {} {}",
                article(kind),
                article(value.kind()),
                value.kind()
            ),
        ));
    }
    match value {
        Value::Text(text) if text.trim().is_empty() => Err(StoreError::invalid(
            field,
            format!("the text of attribute {code} must not be empty"),
        )),
        Value::Options(codes) => {
            if codes.is_empty() {
                return Err(StoreError::invalid(
                    field,
                    format!("attribute {code} needs an option code"),
                ));
            }
            if !attribute.multi_value && codes.len() > 1 {
                return Err(StoreError::invalid(
                    field,
                    format!(
                        "attribute {code} takes exactly one option, got {}",
                        codes.len()
                    ),
                ));
            }
            let mut seen = HashSet::new();
            for option in codes.iter() {
                if !attribute.options.contains(option.as_str()) {
                    return Err(StoreError::invalid(
                        field,
                        format!("unknown option {option} of attribute {code}"),
                    ));
                }
                if !seen.insert(option.as_str()) {
                    return Err(StoreError::invalid(
                        field,
                        format!("option {option} is given twice"),
                    ));
                }
            }
            Ok(())
        }
        Value::Measure { unit, .. } => {
            if unit.is_none() {
                unit.clone_from(&attribute.unit);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks a product's values against the catalog (field names `values[i]…` by input position),
/// fills default units, orders the values by attribute code and returns the rows to store.
pub(crate) fn resolve_values(
    catalog: &Catalog,
    product: &mut Product,
) -> StoreResult<Vec<ValueRow>> {
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(product.values.len());
    for (i, value) in product.values.iter_mut().enumerate() {
        let code = value.attribute_code.as_str();
        if !seen.insert(code.to_owned()) {
            return Err(StoreError::invalid(
                format!("values[{i}]"),
                format!("attribute {code} has a value already; at most one value per attribute"),
            ));
        }
        let Some(Some(attribute)) = catalog.attributes.get(code) else {
            return Err(StoreError::unknown(
                format!("values[{i}].attribute_code"),
                "attribute",
                code,
            ));
        };
        check_value(&format!("values[{i}]"), code, attribute, &mut value.value)?;
        rows.push((attribute.id, value.value.to_json()));
    }
    product
        .values
        .sort_by(|a, b| a.attribute_code.cmp(&b.attribute_code));
    Ok(rows)
}

/// Replaces the stored values of one product with `rows`.
pub(crate) async fn write_values(
    tx: &mut Tx,
    product_id: Uuid,
    rows: &[ValueRow],
    replace: bool,
) -> StoreResult<()> {
    if replace {
        sqlx::query("DELETE FROM product_value WHERE product_id = $1")
            .bind(product_id)
            .execute(&mut **tx)
            .await?;
    }
    for (attribute_id, value) in rows {
        sqlx::query(
            "INSERT INTO product_value (product_id, attribute_id, value) VALUES ($1, $2, $3)",
        )
        .bind(product_id)
        .bind(attribute_id)
        .bind(Json(value))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Reads the values of the given products, each list ordered by attribute code.
pub(crate) async fn read_values<'c, E>(
    executor: E,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<AttributeValue>>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let mut found: HashMap<Uuid, Vec<AttributeValue>> = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let mut qb = sqlx::QueryBuilder::<Db>::new(
        "SELECT pv.product_id, a.code, pv.value FROM product_value pv \
         JOIN attribute a ON a.id = pv.attribute_id WHERE pv.product_id IN (",
    );
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
    for row in qb.build().fetch_all(executor).await? {
        let code: String = row.try_get("code")?;
        let value: Json<serde_json::Value> = row.try_get("value")?;
        found
            .entry(row.try_get("product_id")?)
            .or_default()
            .push(AttributeValue {
                attribute_code: stored_enum(carpetti_util::Code::parse(&code), "attribute.code")?,
                value: stored_enum(Value::from_json(&value.0), "product_value.value")?,
            });
    }
    for values in found.values_mut() {
        values.sort_by(|a, b| a.attribute_code.cmp(&b.attribute_code));
    }
    Ok(found)
}

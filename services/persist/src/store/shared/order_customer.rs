// Customers, compiled once per backend (see store/mod.rs); `OrderStore` (shared/order.rs)
// delegates its customer methods here. E-mail and phone arrive normalized (model::order::{Email,
// Phone}), so equality is the right comparison for uniqueness and lookups.

use sqlx::Row;
use uuid::Uuid;

use super::crm::{begin_delete, delete_customer_interactions, finish_delete};

use crate::error::{StoreError, StoreResult};
use crate::model::order::{Customer, Email, Phone};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const CUSTOMER_COLUMNS: &str = "id, change_seq, created_at, updated_at, name, email, phone, note";

fn customer_from_row(row: &DbRow) -> StoreResult<Record<Customer>> {
    let email: Option<String> = row.try_get("email")?;
    let phone: Option<String> = row.try_get("phone")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: Customer {
            name: row.try_get("name")?,
            email: email
                .map(|e| stored_enum(Email::parse(&e), "customer.email"))
                .transpose()?,
            phone: phone
                .map(|p| stored_enum(Phone::parse(&p), "customer.phone"))
                .transpose()?,
            note: row.try_get("note")?,
        },
    })
}

fn search_text(value: &Customer) -> String {
    let mut fields = vec![value.name.as_str()];
    fields.extend(value.email.as_ref().map(Email::as_str));
    fields.extend(value.phone.as_ref().map(Phone::as_str));
    carpetti_util::search_text(fields)
}

/// ALREADY_EXISTS naming the e-mail or phone another customer has (`id` excluded).
async fn check_unique(tx: &mut Tx, id: Uuid, value: &Customer) -> StoreResult<()> {
    let keys = [
        ("email", value.email.as_ref().map(Email::as_str)),
        ("phone", value.phone.as_ref().map(Phone::as_str)),
    ];
    for (column, key) in keys {
        let Some(key) = key else { continue };
        let taken: Option<Uuid> = sqlx::query_scalar(&format!(
            "SELECT id FROM customer WHERE {column} = $1 AND id <> $2"
        ))
        .bind(key)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::AlreadyExists {
                entity: "customer",
                key: format!("{column} {key}"),
            });
        }
    }
    Ok(())
}

async fn write_customer(
    tx: &mut Tx,
    meta: &Meta,
    value: &Customer,
    insert: bool,
) -> StoreResult<()> {
    if value.name.trim().is_empty() {
        return Err(StoreError::invalid("name", "must not be empty"));
    }
    check_unique(tx, meta.id, value).await?;
    let sql = if insert {
        "INSERT INTO customer (id, change_seq, created_at, updated_at, name, email, phone, note, \
         search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE customer SET change_seq = $2, created_at = $3, updated_at = $4, name = $5, \
         email = $6, phone = $7, note = $8, search_text = $9 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(&value.name)
        .bind(value.email.as_ref().map(Email::as_str))
        .bind(value.phone.as_ref().map(Phone::as_str))
        .bind(&value.note)
        .bind(search_text(value))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("customer", value.name.clone()))?;
    Ok(())
}

pub(crate) async fn create(store: &Backend, value: Customer) -> StoreResult<Record<Customer>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_customer(&mut tx, &meta, &value, true).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<Customer>> {
    let row = match lookup {
        Lookup::Key(key) => {
            // An e-mail when it has an '@', else a phone; normalized like stored ones.
            let (email, phone) = if key.contains('@') {
                (
                    Some(Email::parse(key).map_err(StoreError::parse("key"))?),
                    None,
                )
            } else {
                (
                    None,
                    Some(Phone::parse(key).map_err(StoreError::parse("key"))?),
                )
            };
            sqlx::query(&format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customer WHERE email = $1 OR phone = $2"
            ))
            .bind(email.as_ref().map(Email::as_str))
            .bind(phone.as_ref().map(Phone::as_str))
            .fetch_optional(&store.read)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "customer",
                key: key.clone(),
            })?
        }
        other => {
            fetch_one_by(
                &store.read,
                "customer",
                other,
                &format!("SELECT {CUSTOMER_COLUMNS} FROM customer WHERE id = $1"),
                None,
                None,
            )
            .await?
        }
    };
    customer_from_row(&row)
}

pub(crate) async fn update(
    store: &Backend,
    target: Target,
    value: Customer,
) -> StoreResult<Record<Customer>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "customer", "customer", target).await?;
    let meta = stamped(old, seq);
    write_customer(&mut tx, &meta, &value, false).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

pub(crate) async fn delete(store: &Backend, target: Target) -> StoreResult<i64> {
    let (mut tx, seq) = begin_delete(&store.write, "customer", "customer", target).await?;
    let orders: Option<String> =
        sqlx::query_scalar("SELECT external_id FROM orders WHERE customer_id = $1 LIMIT 1")
            .bind(target.id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(order) = orders {
        return Err(StoreError::FailedPrecondition(format!(
            "customer {} has orders (e.g. {order}); move or delete them first",
            target.id
        )));
    }
    delete_customer_interactions(&mut tx, target.id).await?;
    finish_delete(
        tx,
        seq,
        "customer",
        "customer",
        target.id,
        &target.id.to_string(),
    )
    .await
}

pub(crate) async fn list(store: &Backend, filter: &ListFilter) -> StoreResult<Page<Customer>> {
    filter.allow_only(&["text"])?;
    let mut qb = start_list(CUSTOMER_COLUMNS, "customer", filter);
    if let Some(text) = &filter.text {
        push_text_filter(&mut qb, "search_text", text);
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(customer_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

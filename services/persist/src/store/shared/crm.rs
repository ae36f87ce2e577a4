// CRM interactions, compiled once per backend (see store/mod.rs), and the bookkeeping other
// deletes need when they reach interactions through the schema's CASCADE / SET NULL: each
// interaction they change gets a new change_seq, each one they delete a tombstone.

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::model::crm::{Direction, Interaction, InteractionKind, Medium};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::CrmStore;

const INTERACTION_COLUMNS: &str = "id, change_seq, created_at, updated_at, customer_id, order_id, \
     user_id, kind, direction, medium, subject, body, occurred_at, \
     (SELECT login FROM app_user u WHERE u.id = interaction.user_id) AS user_login";

fn interaction_from_row(row: &DbRow) -> StoreResult<Record<Interaction>> {
    let kind: String = row.try_get("kind")?;
    let direction: String = row.try_get("direction")?;
    let medium: Option<String> = row.try_get("medium")?;
    let mut refs = Refs::default();
    refs.set("user_login", row.try_get("user_login")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Interaction {
            customer_id: row.try_get("customer_id")?,
            order_id: row.try_get("order_id")?,
            user_id: row.try_get("user_id")?,
            kind: stored_enum(InteractionKind::parse(&kind), "interaction.kind")?,
            direction: stored_enum(Direction::parse(&direction), "interaction.direction")?,
            medium: medium
                .map(|m| stored_enum(Medium::parse(&m), "interaction.medium"))
                .transpose()?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
            occurred_at: row.try_get("occurred_at")?,
        },
    })
}

async fn check_refs(tx: &mut Tx, value: &Interaction) -> StoreResult<()> {
    require_ref(tx, "customer", "customer_id", value.customer_id).await?;
    if let Some(order) = value.order_id {
        require_ref(tx, "orders", "order_id", order).await?;
    }
    if let Some(user) = value.user_id {
        require_ref(tx, "app_user", "user_id", user).await?;
    }
    if value.body.trim().is_empty() {
        return Err(crate::StoreError::invalid("body", "must not be empty"));
    }
    Ok(())
}

async fn write_interaction(
    tx: &mut Tx,
    meta: &Meta,
    value: &Interaction,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO interaction (id, change_seq, created_at, updated_at, customer_id, order_id, \
         user_id, kind, direction, medium, subject, body, occurred_at) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, $12, $13)"
    } else {
        "UPDATE interaction SET change_seq = $2, created_at = $3, updated_at = $4, customer_id = $5, \
         order_id = $6, user_id = $7, kind = $8, direction = $9, medium = $10, subject = $11, \
         body = $12, occurred_at = $13 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.customer_id)
        .bind(value.order_id)
        .bind(value.user_id)
        .bind(value.kind.as_str())
        .bind(value.direction.as_str())
        .bind(value.medium.map(Medium::as_str))
        .bind(&value.subject)
        .bind(&value.body)
        .bind(value.occurred_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn read_interaction(tx: &mut Tx, id: Uuid) -> StoreResult<Record<Interaction>> {
    read_back(
        tx,
        INTERACTION_COLUMNS,
        "interaction",
        id,
        interaction_from_row,
    )
    .await
}

/// Appends a tombstone for a row deleted inside `tx`.
pub(crate) async fn tombstone(
    tx: &mut Tx,
    seq: i64,
    entity: &str,
    id: Uuid,
    key: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO change_log (seq, entity, entity_id, business_key, deleted_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(entity)
    .bind(id)
    .bind(key)
    .bind(carpetti_util::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Starts the delete of `target` from `table`: the write transaction, its change_seq (for the
/// tombstone), the target checked. Steps specific to the entity go between this and
/// [`finish_delete`].
pub(crate) async fn begin_delete(
    pool: &sqlx::Pool<Db>,
    table: &'static str,
    entity: &'static str,
    target: Target,
) -> StoreResult<(Tx, i64)> {
    let mut tx = pool.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_target(&mut tx, table, entity, target).await?;
    Ok((tx, seq))
}

/// Deletes the row, leaves its tombstone (business key `key`) and commits.
pub(crate) async fn finish_delete(
    mut tx: Tx,
    seq: i64,
    table: &'static str,
    entity: &'static str,
    id: Uuid,
    key: &str,
) -> StoreResult<i64> {
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match crate::StoreError::from(e) {
            crate::StoreError::FailedPrecondition(_) => crate::StoreError::FailedPrecondition(
                format!("{entity} {key} is still referenced by other entities; remove those first"),
            ),
            other => other,
        })?;
    tombstone(&mut tx, seq, table, id, key).await?;
    tx.commit().await?;
    Ok(seq)
}

async fn interactions_where(tx: &mut Tx, column: &str, id: Uuid) -> StoreResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT id FROM interaction WHERE {column} = $1 ORDER BY change_seq"
    ))
    .bind(id)
    .fetch_all(&mut **tx)
    .await?)
}

/// Before deleting the order or user `id` (`column` = `order_id` / `user_id`): clears the
/// reference in the interactions that mention it, each with a new change_seq, so readers of "what
/// changed since N" see the change the schema's SET NULL would otherwise make silently.
pub(crate) async fn detach_interactions(
    tx: &mut Tx,
    column: &'static str,
    id: Uuid,
) -> StoreResult<()> {
    let ids = interactions_where(tx, column, id).await?;
    if ids.is_empty() {
        return Ok(());
    }
    let first = take_seqs(tx, i64::try_from(ids.len()).unwrap_or(i64::MAX)).await?;
    let now = carpetti_util::now();
    for (seq, interaction) in (first..).zip(ids) {
        sqlx::query(&format!(
            "UPDATE interaction SET {column} = NULL, change_seq = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(seq)
        .bind(now)
        .bind(interaction)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Before deleting the customer `id`: deletes its interactions (the schema would CASCADE), each
/// leaving a tombstone.
pub(crate) async fn delete_customer_interactions(tx: &mut Tx, customer: Uuid) -> StoreResult<()> {
    let ids = interactions_where(tx, "customer_id", customer).await?;
    if ids.is_empty() {
        return Ok(());
    }
    let first = take_seqs(tx, i64::try_from(ids.len()).unwrap_or(i64::MAX)).await?;
    for (seq, interaction) in (first..).zip(ids) {
        sqlx::query("DELETE FROM interaction WHERE id = $1")
            .bind(interaction)
            .execute(&mut **tx)
            .await?;
        tombstone(
            tx,
            seq,
            "interaction",
            interaction,
            &interaction.to_string(),
        )
        .await?;
    }
    Ok(())
}

#[async_trait]
impl CrmStore for Backend {
    async fn create_interaction(&self, value: Interaction) -> StoreResult<Record<Interaction>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        check_refs(&mut tx, &value).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_interaction(&mut tx, &meta, &value, true).await?;
        let stored = read_interaction(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_interaction(&self, lookup: &Lookup) -> StoreResult<Record<Interaction>> {
        let row = fetch_one_by(
            &self.read,
            "interaction",
            lookup,
            &format!("SELECT {INTERACTION_COLUMNS} FROM interaction WHERE id = $1"),
            None,
            None,
        )
        .await?;
        interaction_from_row(&row)
    }

    async fn update_interaction(
        &self,
        target: Target,
        value: Interaction,
    ) -> StoreResult<Record<Interaction>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "interaction", "interaction", target).await?;
        check_refs(&mut tx, &value).await?;
        let meta = stamped(old, seq);
        write_interaction(&mut tx, &meta, &value, false).await?;
        let stored = read_interaction(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_interaction(&self, target: Target) -> StoreResult<i64> {
        let (tx, seq) = begin_delete(&self.write, "interaction", "interaction", target).await?;
        finish_delete(
            tx,
            seq,
            "interaction",
            "interaction",
            target.id,
            &target.id.to_string(),
        )
        .await
    }

    async fn list_interactions(&self, filter: &ListFilter) -> StoreResult<Page<Interaction>> {
        filter.allow_only(&["customer_id", "order_id"])?;
        let mut qb = start_list(INTERACTION_COLUMNS, "interaction", filter);
        if let Some(customer) = filter.customer_id {
            qb.push(" AND customer_id = ");
            qb.push_bind(customer);
        }
        if let Some(order) = filter.order_id {
            qb.push(" AND order_id = ");
            qb.push_bind(order);
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(interaction_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }
}

// Orders with their lines and status history, compiled once per backend (see store/mod.rs).
// An order is written as one unit: the `orders` row, its whole set of `order_line` rows (replaced
// on every write) and, when the status changes, one appended `order_status_history` row — all
// covered by the order's change_seq. Customers live in shared/order_customer.rs.

use std::collections::HashMap;

use async_trait::async_trait;
use carpetti_util::{Currency, Quantity};
use sqlx::types::Json;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::crm::{begin_delete, detach_interactions, finish_delete};
use super::order_customer as customer;
use crate::error::{StoreError, StoreResult};
use crate::model::order::{
    Customer, Order, OrderLine, OrderStatus, StatusAuthor, StatusChange, number_lines,
};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::OrderStore;

const ORDER_COLUMNS: &str = "id, change_seq, created_at, updated_at, channel_id, external_id, \
     customer_id, status, total, currency, placed_at, shipping_address, \
     (SELECT code FROM channel c WHERE c.id = orders.channel_id) AS channel_code";

type Conn = <Db as sqlx::Database>::Connection;

/// Decodes an order row without its lines and history (see [`attach_children`]).
fn order_from_row(row: &DbRow) -> StoreResult<Record<Order>> {
    let status: String = row.try_get("status")?;
    let currency: String = row.try_get("currency")?;
    let total: DbMoney = row.try_get("total")?;
    let address: Json<serde_json::Value> = row.try_get("shipping_address")?;
    let mut refs = Refs::default();
    refs.set("channel_code", row.try_get("channel_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Order {
            channel_id: row.try_get("channel_id")?,
            external_id: row.try_get("external_id")?,
            customer_id: row.try_get("customer_id")?,
            status: stored_enum(OrderStatus::parse(&status), "orders.status")?,
            total: money_from_db(total, "orders.total")?,
            currency: stored_enum(Currency::parse(&currency), "orders.currency")?,
            placed_at: row.try_get("placed_at")?,
            shipping_address: address.0,
            lines: Vec::new(),
            history: Vec::new(),
        },
    })
}

fn push_ids(qb: &mut QueryBuilder<'_, Db>, ids: &[Uuid]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

/// Reads the lines (by line_no) and history (oldest first) of `orders` into them.
async fn attach_children(conn: &mut Conn, orders: &mut [Record<Order>]) -> StoreResult<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = orders.iter().map(|o| o.meta.id).collect();
    let mut lines: HashMap<Uuid, Vec<OrderLine>> = HashMap::new();
    let mut qb = QueryBuilder::new(
        "SELECT id, order_id, line_no, product_id, sku, external_sku, name, quantity, price \
         FROM order_line WHERE order_id IN ",
    );
    push_ids(&mut qb, &ids);
    qb.push(" ORDER BY order_id, line_no");
    for row in qb.build().fetch_all(&mut *conn).await? {
        let line_no: i64 = row.try_get("line_no")?;
        let quantity: i64 = row.try_get("quantity")?;
        let price: DbMoney = row.try_get("price")?;
        lines
            .entry(row.try_get("order_id")?)
            .or_default()
            .push(OrderLine {
                id: Some(row.try_get("id")?),
                line_no: stored_enum(
                    u32::try_from(line_no).map_err(|e| carpetti_util::ParseError(e.to_string())),
                    "order_line.line_no",
                )?,
                product_id: row.try_get("product_id")?,
                sku: row.try_get("sku")?,
                external_sku: row.try_get("external_sku")?,
                name: row.try_get("name")?,
                quantity: stored_enum(Quantity::parse(quantity), "order_line.quantity")?,
                price: money_from_db(price, "order_line.price")?,
            });
    }
    let mut history: HashMap<Uuid, Vec<StatusChange>> = HashMap::new();
    let mut qb = QueryBuilder::new(
        "SELECT order_id, status, changed_at, source, note FROM order_status_history \
         WHERE order_id IN ",
    );
    push_ids(&mut qb, &ids);
    qb.push(" ORDER BY order_id, changed_at, id");
    for row in qb.build().fetch_all(&mut *conn).await? {
        let status: String = row.try_get("status")?;
        history
            .entry(row.try_get("order_id")?)
            .or_default()
            .push(StatusChange {
                status: stored_enum(OrderStatus::parse(&status), "order_status_history.status")?,
                changed_at: row.try_get("changed_at")?,
                source: row.try_get("source")?,
                note: row.try_get("note")?,
            });
    }
    for order in orders.iter_mut() {
        order.value.lines = lines.remove(&order.meta.id).unwrap_or_default();
        order.value.history = history.remove(&order.meta.id).unwrap_or_default();
    }
    Ok(())
}

async fn read_order(tx: &mut Tx, id: Uuid) -> StoreResult<Record<Order>> {
    let row = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let mut order = [order_from_row(&row)?];
    attach_children(tx, &mut order).await?;
    let [order] = order;
    Ok(order)
}

/// Checks what the types don't (non-empty texts, an object address) and the references; numbers
/// the lines. Errors name the proto field.
async fn check_order(tx: &mut Tx, value: &mut Order) -> StoreResult<()> {
    if value.external_id.trim().is_empty() {
        return Err(StoreError::invalid("external_id", "must not be empty"));
    }
    if !value.shipping_address.is_object() {
        return Err(StoreError::invalid(
            "shipping_address",
            "must be a JSON object",
        ));
    }
    number_lines(&mut value.lines)?;
    require_ref(tx, "channel", "channel_id", value.channel_id).await?;
    if let Some(customer) = value.customer_id {
        require_ref(tx, "customer", "customer_id", customer).await?;
    }
    for (i, line) in value.lines.iter().enumerate() {
        if line.name.trim().is_empty() {
            return Err(StoreError::invalid(
                format!("lines[{i}].name"),
                "must not be empty",
            ));
        }
        if let Some(product) = line.product_id {
            require_ref(tx, "product", &format!("lines[{i}].product_id"), product).await?;
        }
    }
    Ok(())
}

async fn write_order(tx: &mut Tx, meta: &Meta, value: &Order, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO orders (id, change_seq, created_at, updated_at, channel_id, external_id, \
         customer_id, status, total, currency, placed_at, shipping_address) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    } else {
        "UPDATE orders SET change_seq = $2, created_at = $3, updated_at = $4, channel_id = $5, \
         external_id = $6, customer_id = $7, status = $8, total = $9, currency = $10, \
         placed_at = $11, shipping_address = $12 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.channel_id)
        .bind(&value.external_id)
        .bind(value.customer_id)
        .bind(value.status.as_str())
        .bind(money_to_db(value.total))
        .bind(value.currency.as_str())
        .bind(value.placed_at)
        .bind(Json(&value.shipping_address))
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate("order", value.external_id.clone()))?;
    sqlx::query("DELETE FROM order_line WHERE order_id = $1")
        .bind(meta.id)
        .execute(&mut **tx)
        .await?;
    for line in &value.lines {
        sqlx::query(
            "INSERT INTO order_line (id, order_id, line_no, product_id, sku, external_sku, name, \
             quantity, price) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(carpetti_util::new_id())
        .bind(meta.id)
        .bind(i64::from(line.line_no))
        .bind(line.product_id)
        .bind(&line.sku)
        .bind(&line.external_sku)
        .bind(&line.name)
        .bind(i64::from(line.quantity.get()))
        .bind(money_to_db(line.price))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn append_history(
    tx: &mut Tx,
    meta: &Meta,
    status: OrderStatus,
    author: &StatusAuthor,
) -> StoreResult<()> {
    let source = match author.source.trim() {
        "" => "api",
        source => source,
    };
    sqlx::query(
        "INSERT INTO order_status_history (id, order_id, status, changed_at, source, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(carpetti_util::new_id())
    .bind(meta.id)
    .bind(status.as_str())
    .bind(meta.updated_at)
    .bind(source)
    .bind(&author.note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl OrderStore for Backend {
    async fn create_order(
        &self,
        mut value: Order,
        author: StatusAuthor,
    ) -> StoreResult<Record<Order>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        check_order(&mut tx, &mut value).await?;
        let meta = new_meta(seq, carpetti_util::now());
        write_order(&mut tx, &meta, &value, true).await?;
        append_history(&mut tx, &meta, value.status, &author).await?;
        let stored = read_order(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_order(&self, lookup: &Lookup) -> StoreResult<Record<Order>> {
        let row = fetch_one_by(
            &self.read,
            "order",
            lookup,
            &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"),
            None,
            Some(&format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE channel_id = $1 AND external_id = $2"
            )),
        )
        .await?;
        let mut order = [order_from_row(&row)?];
        let mut conn = self.read.acquire().await?;
        attach_children(&mut conn, &mut order).await?;
        let [order] = order;
        Ok(order)
    }

    async fn update_order(
        &self,
        target: Target,
        mut value: Order,
        author: StatusAuthor,
    ) -> StoreResult<Record<Order>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "orders", "order", target).await?;
        check_order(&mut tx, &mut value).await?;
        let old_status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(target.id)
            .fetch_one(&mut *tx)
            .await?;
        let meta = stamped(old, seq);
        write_order(&mut tx, &meta, &value, false).await?;
        if old_status != value.status.as_str() {
            append_history(&mut tx, &meta, value.status, &author).await?;
        }
        let stored = read_order(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_order(&self, target: Target) -> StoreResult<i64> {
        let (mut tx, seq) = begin_delete(&self.write, "orders", "order", target).await?;
        // composite business key: "<channel code>/<external id>"
        let key: String = sqlx::query_scalar(
            "SELECT (SELECT code FROM channel c WHERE c.id = orders.channel_id) || '/' || external_id \
             FROM orders WHERE id = $1",
        )
        .bind(target.id)
        .fetch_one(&mut *tx)
        .await?;
        detach_interactions(&mut tx, "order_id", target.id).await?;
        finish_delete(tx, seq, "orders", "order", target.id, &key).await
    }

    async fn list_orders(&self, filter: &ListFilter) -> StoreResult<Page<Order>> {
        filter.allow_only(&["channel_id", "customer_id", "status", "text"])?;
        let mut qb = start_list(ORDER_COLUMNS, "orders", filter);
        if let Some(channel) = filter.channel_id {
            qb.push(" AND channel_id = ");
            qb.push_bind(channel);
        }
        if let Some(customer) = filter.customer_id {
            qb.push(" AND customer_id = ");
            qb.push_bind(customer);
        }
        if let Some(status) = &filter.status {
            let status = OrderStatus::parse(status).map_err(StoreError::parse("status"))?;
            qb.push(" AND status = ");
            qb.push_bind(status.as_str());
        }
        if let Some(text) = &filter.text {
            push_text_filter(&mut qb, "lower(external_id)", text);
        }
        finish_list(&mut qb, filter);
        let mut conn = self.read.acquire().await?;
        let rows = qb.build().fetch_all(&mut *conn).await?;
        let mut items = rows
            .iter()
            .map(order_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // the extra row `finish_list` asks for is cut by `into_page`; its children are cheap
        attach_children(&mut conn, &mut items).await?;
        Ok(into_page(items, filter))
    }

    async fn create_customer(&self, value: Customer) -> StoreResult<Record<Customer>> {
        customer::create(self, value).await
    }

    async fn get_customer(&self, lookup: &Lookup) -> StoreResult<Record<Customer>> {
        customer::get(self, lookup).await
    }

    async fn update_customer(
        &self,
        target: Target,
        value: Customer,
    ) -> StoreResult<Record<Customer>> {
        customer::update(self, target, value).await
    }

    async fn delete_customer(&self, target: Target) -> StoreResult<i64> {
        customer::delete(self, target).await
    }

    async fn list_customers(&self, filter: &ListFilter) -> StoreResult<Page<Customer>> {
        customer::list(self, filter).await
    }
}

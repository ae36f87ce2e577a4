//! The sandbox's own controls: orders emitted as a buyer would place them (in Rust and at
//! `POST /_sandbox/orders`), and the whole state as JSON at `GET /_sandbox/state`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::WildberriesSandbox;
use super::reply::json as reply_json;
use super::state::{SandboxOrder, timestamp};

/// An order to emit: `quantity` units of the card with vendor code `offer_id` at `price` RUB
/// each (WB makes one assembly task per unit, sharing one `orderUid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmitOrder {
    pub offer_id: String,
    #[serde(default = "one")]
    pub quantity: u32,
    pub price: Decimal,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    #[error("no card with vendor code `{0}`")]
    UnknownOffer(String),
    #[error("the quantity must be at least 1")]
    NoQuantity,
    #[error("the price must be positive")]
    BadPrice,
    #[error("the sandbox has no FBS warehouse")]
    NoWarehouse,
}

impl WildberriesSandbox {
    /// Places an order; returns the ids of its assembly tasks. The stock of the warehouse it is
    /// taken from goes down by the quantity.
    pub fn emit_order(&self, order: &EmitOrder) -> Result<Vec<i64>, SandboxError> {
        if order.quantity == 0 {
            return Err(SandboxError::NoQuantity);
        }
        let kopecks = (order.price * Decimal::from(100))
            .round()
            .to_i64()
            .filter(|k| *k > 0)
            .ok_or(SandboxError::BadPrice)?;
        let mut state = self.current();
        let card = state
            .card_by_vendor(&order.offer_id)
            .cloned()
            .ok_or_else(|| SandboxError::UnknownOffer(order.offer_id.clone()))?;
        let chrt = card.chrt_id().unwrap_or(0);
        let skus = card
            .sizes
            .first()
            .map(|s| s.skus.clone())
            .unwrap_or_default();
        let fbs: Vec<_> = self
            .seed()
            .warehouses
            .iter()
            .filter(|w| w.delivery_type == 1)
            .collect();
        let warehouse = fbs
            .iter()
            .find(|w| {
                state
                    .stocks
                    .get(&w.id)
                    .and_then(|s| s.get(&chrt))
                    .is_some_and(|n| *n > 0)
            })
            .or(fbs.first())
            .copied()
            .cloned()
            .ok_or(SandboxError::NoWarehouse)?;
        let order_uid = format!("{}_{}", state.next_order, uuid::Uuid::now_v7().simple());
        let mut ids = Vec::with_capacity(order.quantity as usize);
        for _ in 0..order.quantity {
            let id = state.next_order;
            state.next_order += 1;
            if let Some(left) = state
                .stocks
                .get_mut(&warehouse.id)
                .and_then(|s| s.get_mut(&chrt))
            {
                *left = left.saturating_sub(1);
            }
            state.orders.insert(
                id,
                SandboxOrder {
                    id,
                    rid: uuid::Uuid::now_v7().simple().to_string(),
                    order_uid: order_uid.clone(),
                    created_at: Utc::now(),
                    article: card.vendor_code.clone(),
                    nm_id: card.nm_id,
                    chrt_id: chrt,
                    skus: skus.clone(),
                    warehouse_id: warehouse.id,
                    office_id: warehouse.office_id,
                    price: kopecks,
                    cargo_type: 1,
                    supplier_status: "new".to_owned(),
                    wb_status: "waiting".to_owned(),
                    supply_id: None,
                },
            );
            ids.push(id);
        }
        Ok(ids)
    }

    /// Everything the sandbox holds, as JSON (cards by vendor code, errors, prices, stocks,
    /// orders, supplies, calls received).
    pub fn state_json(&self) -> Value {
        let state = self.current();
        let cards: Map<String, Value> = state
            .cards
            .values()
            .map(|c| {
                let value = json!({
                    "nmID": c.nm_id, "imtID": c.imt_id, "chrtID": c.chrt_id(),
                    "subjectID": c.subject_id, "title": c.title,
                    "barcodes": c.sizes.iter().flat_map(|s| s.skus.clone()).collect::<Vec<_>>(),
                    "updatedAt": timestamp(c.updated_at),
                    "price": state.prices.get(&c.nm_id),
                });
                (c.vendor_code.clone(), value)
            })
            .collect();
        let errors: Map<String, Value> = state
            .batch_by_vendor
            .keys()
            .map(|code| (code.clone(), json!(state.errors_of(code))))
            .collect();
        let stocks: Map<String, Value> = state
            .stocks
            .iter()
            .map(|(warehouse, items)| {
                let items: Map<String, Value> = items
                    .iter()
                    .map(|(chrt, amount)| (chrt.to_string(), json!(amount)))
                    .collect();
                (warehouse.to_string(), Value::Object(items))
            })
            .collect();
        json!({
            "cards": cards,
            "pendingCards": state.pending_vendors.values().sum::<u32>(),
            "errors": errors,
            "stocks": stocks,
            "priceTasks": state.price_tasks.len(),
            "orders": state.orders.values().collect::<Vec<_>>(),
            "supplies": state.supplies.values().collect::<Vec<_>>(),
            "uploadCalls": state.upload_calls,
            "updateCalls": state.update_calls,
        })
    }
}

pub(crate) async fn state(State(sb): State<WildberriesSandbox>) -> Json<Value> {
    Json(sb.state_json())
}

pub(crate) async fn post_order(
    State(sb): State<WildberriesSandbox>,
    Json(order): Json<EmitOrder>,
) -> Response {
    match sb.emit_order(&order) {
        Ok(ids) => reply_json(201, json!({ "orders": ids })),
        Err(error) => reply_json(400, json!({ "error": error.to_string() })),
    }
}

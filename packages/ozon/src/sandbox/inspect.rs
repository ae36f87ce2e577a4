//! What tests look at and drive: products with the ids the sandbox gave them, prices, stocks,
//! create counts, postings; orders emitted in Rust ([`OzonSandbox::emit_order`]) or over HTTP
//! (`POST /_sandbox/orders`); `GET /_sandbox/state`.

use std::time::Instant;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;
use http::StatusCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::state::{Posting, PostingLine, Product};
use super::{OzonSandbox, SandboxError};

/// A product as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductView {
    pub offer_id: String,
    pub product_id: i64,
    pub sku: i64,
    pub name: String,
    /// `description_category_id/type_id`.
    pub category: String,
    pub price: Decimal,
    pub old_price: Option<Decimal>,
    pub barcode: Option<String>,
}

/// One line of a posting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostingLineView {
    pub sku: i64,
    pub offer_id: String,
    pub quantity: u32,
    pub price: Decimal,
}

/// A posting as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostingView {
    pub posting_number: String,
    pub status: String,
    pub substatus: String,
    pub lines: Vec<PostingLineView>,
}

/// A line of an order to emit: one of the seller's offers, how many, at what unit price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmittedLine {
    pub offer_id: String,
    pub quantity: u32,
    pub price: Decimal,
}

/// `POST /_sandbox/orders`: `{"lines": [...]}` or one line as the whole body.
#[derive(Deserialize)]
#[serde(untagged)]
enum EmitRequest {
    Lines { lines: Vec<EmittedLine> },
    One(EmittedLine),
}

fn view(p: &Product) -> ProductView {
    ProductView {
        offer_id: p.offer_id.clone(),
        product_id: p.product_id,
        sku: p.sku,
        name: p.name.clone(),
        category: format!("{}/{}", p.description_category_id, p.type_id),
        price: p.price,
        old_price: p.old_price,
        barcode: p.barcode.clone(),
    }
}

impl OzonSandbox {
    /// Every product (created by an import), in product id order.
    pub fn products(&self) -> Vec<ProductView> {
        let mut state = self.state();
        state.settle(Instant::now());
        state
            .by_product_id
            .values()
            .filter_map(|offer| state.products.get(offer))
            .map(view)
            .collect()
    }

    pub fn product(&self, offer_id: &str) -> Option<ProductView> {
        let mut state = self.state();
        state.settle(Instant::now());
        state.products.get(offer_id).map(view)
    }

    pub fn product_count(&self) -> usize {
        let mut state = self.state();
        state.settle(Instant::now());
        state.products.len()
    }

    /// How many products were created for `offer_id` (1 when nothing was duplicated).
    pub fn created_count(&self, offer_id: &str) -> u32 {
        let mut state = self.state();
        state.settle(Instant::now());
        state.created.get(offer_id).copied().unwrap_or(0)
    }

    /// How many import items for `offer_id` were received (create and update calls).
    pub fn import_count(&self, offer_id: &str) -> u32 {
        self.state().received.get(offer_id).copied().unwrap_or(0)
    }

    /// The stock of an offer at a warehouse, when one was set.
    pub fn stock(&self, offer_id: &str, warehouse_id: i64) -> Option<u32> {
        self.state()
            .stocks
            .get(&(offer_id.to_owned(), warehouse_id))
            .map(|s| s.present)
    }

    /// Every stock set: (offer id, warehouse id, quantity).
    pub fn stocks(&self) -> Vec<(String, i64, u32)> {
        let mut all: Vec<_> = self
            .state()
            .stocks
            .iter()
            .map(|((offer, warehouse), s)| (offer.clone(), *warehouse, s.present))
            .collect();
        all.sort();
        all
    }

    /// Postings in creation order.
    pub fn postings(&self) -> Vec<PostingView> {
        let state = self.state();
        state
            .posting_order
            .iter()
            .filter_map(|n| state.postings.get(n))
            .map(|p| PostingView {
                posting_number: p.posting_number.clone(),
                status: p.status.clone(),
                substatus: p.substatus.clone(),
                lines: p
                    .lines
                    .iter()
                    .map(|l| PostingLineView {
                        sku: l.sku,
                        offer_id: l.offer_id.clone(),
                        quantity: l.quantity,
                        price: l.price,
                    })
                    .collect(),
            })
            .collect()
    }

    /// A new FBS posting awaiting packaging, of created products; its posting number.
    pub fn emit_order(&self, lines: &[EmittedLine]) -> Result<String, SandboxError> {
        if lines.is_empty() || lines.iter().any(|l| l.quantity == 0) {
            return Err(SandboxError::EmptyOrder);
        }
        let warehouse = self
            .config
            .warehouses
            .first()
            .cloned()
            .ok_or(SandboxError::NoWarehouse)?;
        let mut state = self.state();
        state.settle(Instant::now());
        let mut posting_lines = Vec::with_capacity(lines.len());
        for line in lines {
            let product = state
                .products
                .get(&line.offer_id)
                .ok_or_else(|| SandboxError::UnknownOffer(line.offer_id.clone()))?;
            posting_lines.push(PostingLine {
                sku: product.sku,
                offer_id: product.offer_id.clone(),
                name: product.name.clone(),
                quantity: line.quantity,
                price: line.price,
            });
        }
        state.next_order_id += 1;
        let order_id = state.next_order_id;
        let order_number = format!("{:08}-{:04}", order_id, order_id % 10_000);
        let posting_number = format!("{order_number}-1");
        let now = Utc::now();
        let posting = Posting {
            posting_number: posting_number.clone(),
            parent_posting_number: String::new(),
            order_id,
            order_number,
            status: "awaiting_packaging".to_owned(),
            substatus: "posting_created".to_owned(),
            in_process_at: now,
            status_changed_at: now,
            shipment_date: now + chrono::Duration::days(1),
            warehouse_id: warehouse.id,
            warehouse_name: warehouse.name,
            lines: posting_lines,
            customer_name: "Иванов Иван".to_owned(),
            shipped: None,
        };
        state.posting_order.push(posting_number.clone());
        state.postings.insert(posting_number.clone(), posting);
        Ok(posting_number)
    }

    /// The state as JSON (`GET /_sandbox/state`).
    pub fn state_json(&self) -> serde_json::Value {
        let stocks: Vec<_> = self
            .stocks()
            .into_iter()
            .map(|(offer_id, warehouse_id, present)| {
                json!({"offer_id": offer_id, "warehouse_id": warehouse_id, "stock": present})
            })
            .collect();
        let (created, received, pending_tasks) = {
            let state = self.state();
            (
                state.created.clone(),
                state.received.clone(),
                state.queue.len(),
            )
        };
        json!({
            "products": self.products(),
            "stocks": stocks,
            "postings": self.postings(),
            "created": created,
            "received": received,
            "pending_tasks": pending_tasks,
        })
    }
}

pub(crate) async fn state(State(sandbox): State<OzonSandbox>) -> Response {
    axum::Json(sandbox.state_json()).into_response()
}

pub(crate) async fn emit(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let lines = match serde_json::from_slice::<EmitRequest>(&body) {
        Ok(EmitRequest::Lines { lines }) => lines,
        Ok(EmitRequest::One(line)) => vec![line],
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": format!("expected {{offer_id, quantity, price}} or {{lines: [...]}}: {e}")})),
            )
                .into_response();
        }
    };
    match sandbox.emit_order(&lines) {
        Ok(posting_number) => {
            axum::Json(json!({ "posting_number": posting_number })).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

//! What the sandbox holds: products by offer id (with the ids it gave them), import tasks still
//! processing, stocks per warehouse, postings. Import tasks settle lazily: every request first
//! applies the tasks whose processing delay has passed, in submission order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

/// A product Ozon holds (created by an import).
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub product_id: i64,
    pub sku: i64,
    pub offer_id: String,
    pub name: String,
    pub description_category_id: i64,
    pub type_id: i64,
    pub price: Decimal,
    pub old_price: Option<Decimal>,
    pub vat: String,
    pub barcode: Option<String>,
    pub images: Vec<String>,
    /// The import item as last received (an identical re-import is `skipped`).
    pub item: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One item of an import task.
#[derive(Debug, Clone)]
pub(crate) struct TaskItem {
    pub offer_id: String,
    pub item: Value,
    /// The checks' findings (errors and warnings), made when the task was received.
    pub errors: Vec<Value>,
    pub blocking: bool,
    /// Set when the task settles.
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub status: &'static str,
    pub product_id: i64,
}

#[derive(Debug)]
pub(crate) struct Task {
    pub due: Instant,
    pub items: Vec<TaskItem>,
}

#[derive(Debug, Clone)]
pub(crate) struct Stock {
    pub present: u32,
    pub updated: Instant,
}

/// One line of a posting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PostingLine {
    pub sku: i64,
    pub offer_id: String,
    pub name: String,
    pub quantity: u32,
    pub price: Decimal,
}

#[derive(Debug, Clone)]
pub(crate) struct Posting {
    pub posting_number: String,
    pub parent_posting_number: String,
    pub order_id: i64,
    pub order_number: String,
    pub status: String,
    pub substatus: String,
    pub in_process_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
    pub shipment_date: DateTime<Utc>,
    pub warehouse_id: i64,
    pub warehouse_name: String,
    pub lines: Vec<PostingLine>,
    pub customer_name: String,
    pub shipped: Option<Instant>,
}

#[derive(Default)]
pub(crate) struct State {
    pub products: HashMap<String, Product>,
    /// product_id → offer_id, ordered (the `/v3/product/list` cursor walks it).
    pub by_product_id: BTreeMap<i64, String>,
    pub by_sku: HashMap<i64, String>,
    pub tasks: HashMap<i64, Task>,
    /// Tasks not settled yet, oldest first.
    pub queue: VecDeque<i64>,
    /// Offers in tasks not settled yet (how many items of them).
    pub pending_offers: HashMap<String, u32>,
    /// Products created per offer id (1 when nothing was duplicated).
    pub created: HashMap<String, u32>,
    /// Import items received per offer id.
    pub received: HashMap<String, u32>,
    pub stocks: HashMap<(String, i64), Stock>,
    pub price_changes: HashMap<String, VecDeque<Instant>>,
    pub postings: HashMap<String, Posting>,
    /// Posting numbers in creation order.
    pub posting_order: Vec<String>,
    /// Import items accepted recently (the per-minute item quota).
    pub import_window: VecDeque<(Instant, u32)>,
    pub next_task_id: i64,
    pub next_product_id: i64,
    pub next_sku: i64,
    pub next_order_id: i64,
}

impl State {
    pub fn new() -> Self {
        Self {
            next_task_id: 1_725_497_930,
            next_product_id: 1_372_857_920,
            next_sku: 1_496_189_720,
            next_order_id: 5_708_065,
            ..Self::default()
        }
    }

    /// Applies every task due by `now`, oldest first.
    pub fn settle(&mut self, now: Instant) {
        while let Some(task_id) = self.queue.front().copied() {
            let due = self.tasks.get(&task_id).is_none_or(|t| t.due <= now);
            if !due {
                return;
            }
            self.queue.pop_front();
            let Some(mut task) = self.tasks.remove(&task_id) else {
                continue;
            };
            for item in &mut task.items {
                if let Some(count) = self.pending_offers.get_mut(&item.offer_id) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        self.pending_offers.remove(&item.offer_id);
                    }
                }
                item.outcome = Some(self.apply(item));
            }
            self.tasks.insert(task_id, task);
        }
    }

    /// Creates or updates the product of one item (or fails it).
    fn apply(&mut self, item: &TaskItem) -> Outcome {
        let existing = self.products.get(&item.offer_id).map(|p| p.product_id);
        if item.blocking {
            return Outcome {
                status: "failed",
                product_id: existing.unwrap_or(0),
            };
        }
        let now = Utc::now();
        if let Some(product) = self.products.get_mut(&item.offer_id) {
            if product.item == item.item {
                return Outcome {
                    status: "skipped",
                    product_id: product.product_id,
                };
            }
            fill(product, &item.item);
            product.updated_at = now;
            return Outcome {
                status: "imported",
                product_id: product.product_id,
            };
        }
        self.next_product_id += 1;
        self.next_sku += 1;
        let mut product = Product {
            product_id: self.next_product_id,
            sku: self.next_sku,
            offer_id: item.offer_id.clone(),
            name: String::new(),
            description_category_id: 0,
            type_id: 0,
            price: Decimal::ZERO,
            old_price: None,
            vat: "0".to_owned(),
            barcode: None,
            images: Vec::new(),
            item: Value::Null,
            created_at: now,
            updated_at: now,
        };
        fill(&mut product, &item.item);
        self.by_product_id
            .insert(product.product_id, item.offer_id.clone());
        self.by_sku.insert(product.sku, item.offer_id.clone());
        *self.created.entry(item.offer_id.clone()).or_default() += 1;
        let product_id = product.product_id;
        self.products.insert(item.offer_id.clone(), product);
        Outcome {
            status: "imported",
            product_id,
        }
    }
}

/// Copies a checked import item into the product.
fn fill(product: &mut Product, item: &Value) {
    let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
    let id = |key: &str| {
        item.get(key).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    product.name = text("name").unwrap_or_default();
    product.description_category_id = id("description_category_id").unwrap_or_default();
    product.type_id = id("type_id").unwrap_or_default();
    product.price = text("price")
        .and_then(|p| p.parse().ok())
        .unwrap_or_default();
    product.old_price = text("old_price")
        .and_then(|p| p.parse::<Decimal>().ok())
        .filter(|p| !p.is_zero());
    product.vat = text("vat").unwrap_or_else(|| "0".to_owned());
    product.barcode = text("barcode").filter(|b| !b.is_empty());
    product.images = item
        .get("images")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    product.item = item.clone();
}

//! The sandbox account's state: cards with their indexes (vendor code, chrtID, barcode, the
//! update-time order the card list pages through), cards waiting to be processed, the error
//! list, prices and price tasks, stocks, orders and supplies. Every lookup is a hash or a B-tree.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// A card as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxCard {
    pub nm_id: i64,
    pub imt_id: i64,
    pub nm_uuid: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub vendor_code: String,
    pub brand: String,
    pub title: String,
    pub description: String,
    /// (length cm, width cm, height cm, weight kg)
    pub dimensions: Option<(i64, i64, i64, f64)>,
    /// (charcID, name, value as sent)
    pub characteristics: Vec<(i64, String, Value)>,
    pub sizes: Vec<SandboxSize>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SandboxCard {
    pub fn chrt_id(&self) -> Option<i64> {
        self.sizes.first().map(|s| s.chrt_id)
    }

    pub fn characteristic(&self, id: i64) -> Option<&Value> {
        self.characteristics
            .iter()
            .find(|(c, _, _)| *c == id)
            .map(|(_, _, v)| v)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxSize {
    pub chrt_id: i64,
    pub tech_size: String,
    pub wb_size: String,
    pub skus: Vec<String>,
}

/// Work accepted and processed after the delay.
#[derive(Debug, Clone)]
pub(crate) enum Job {
    /// One merged card of an upload.
    Upload {
        subject_id: i64,
        variants: Vec<Value>,
    },
    /// One update request.
    Update { items: Vec<Value> },
}

#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub ready_at: Instant,
    pub job: Job,
}

/// A batch of the error list.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorBatch {
    pub uuid: String,
    pub vendor_codes: Vec<String>,
    /// vendorCode → (subject id, subject name)
    pub subjects: HashMap<String, (i64, String)>,
    pub errors: HashMap<String, Vec<String>>,
}

pub(crate) type BatchKey = (DateTime<Utc>, u64);

/// A price upload task, processed on arrival.
#[derive(Debug, Clone)]
pub(crate) struct PriceTask {
    pub id: i64,
    pub status: i64,
    pub uploaded_at: DateTime<Utc>,
    /// (nmID, vendorCode, chrtID, price, discount, status 2|3, errorText)
    pub goods: Vec<TaskGood>,
}

#[derive(Debug, Clone)]
pub(crate) struct TaskGood {
    pub nm_id: i64,
    pub vendor_code: String,
    pub chrt_id: i64,
    pub price: i64,
    pub discount: i64,
    pub status: i64,
    pub error: String,
}

/// A price and discount of one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SandboxPrice {
    pub price: i64,
    pub discount: i64,
}

/// An FBS assembly task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxOrder {
    pub id: i64,
    pub rid: String,
    pub order_uid: String,
    pub created_at: DateTime<Utc>,
    pub article: String,
    pub nm_id: i64,
    pub chrt_id: i64,
    pub skus: Vec<String>,
    pub warehouse_id: i64,
    pub office_id: i64,
    /// Kopecks.
    pub price: i64,
    pub cargo_type: i64,
    pub supplier_status: String,
    pub wb_status: String,
    pub supply_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxSupply {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub done: bool,
    pub warehouse_id: Option<i64>,
    pub cargo_type: Option<i64>,
    pub orders: Vec<i64>,
}

#[derive(Default)]
pub(crate) struct State {
    pub cards: HashMap<i64, SandboxCard>,
    pub by_vendor: HashMap<String, i64>,
    pub by_chrt: HashMap<i64, i64>,
    pub by_barcode: HashMap<String, i64>,
    /// (updatedAt, nmID) of every card: the card list's order.
    pub by_update: BTreeSet<(DateTime<Utc>, i64)>,
    pub pending: VecDeque<Pending>,
    /// Vendor codes of pending uploads (taken: a second upload is refused).
    pub pending_vendors: HashMap<String, u32>,
    pub batches: BTreeMap<BatchKey, ErrorBatch>,
    pub batch_by_uuid: HashMap<String, BatchKey>,
    pub batch_by_vendor: HashMap<String, BatchKey>,
    pub upload_calls: HashMap<String, u32>,
    pub update_calls: HashMap<String, u32>,
    pub prices: HashMap<i64, SandboxPrice>,
    pub price_tasks: BTreeMap<i64, PriceTask>,
    /// The data of the last accepted price task and its id (an identical one answers 208).
    pub last_task: Option<(String, i64)>,
    pub stocks: HashMap<i64, HashMap<i64, u32>>,
    pub orders: BTreeMap<i64, SandboxOrder>,
    pub supplies: BTreeMap<String, SandboxSupply>,
    pub seq: u64,
    pub next_nm: i64,
    pub next_imt: i64,
    pub next_chrt: i64,
    pub next_barcode: i64,
    pub next_task: i64,
    pub next_order: i64,
    pub next_supply: i64,
}

impl State {
    pub fn new() -> Self {
        Self {
            next_nm: 180_000_001,
            next_imt: 160_000_001,
            next_chrt: 310_000_001,
            next_barcode: 200_000_000_001,
            next_task: 4_600_001,
            next_order: 13_833_701,
            next_supply: 1_234_501,
            ..Self::default()
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A new EAN-13 barcode (prefix 2: in-store numbering) with its check digit.
    pub fn new_barcode(&mut self) -> String {
        loop {
            let body = format!("2{:011}", self.next_barcode);
            self.next_barcode += 1;
            let sum: u32 = body
                .chars()
                .filter_map(|c| c.to_digit(10))
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { d } else { d * 3 })
                .sum();
            let code = format!("{body}{}", (10 - sum % 10) % 10);
            if !self.by_barcode.contains_key(&code) {
                return code;
            }
        }
    }

    pub fn card_by_vendor(&self, vendor_code: &str) -> Option<&SandboxCard> {
        self.by_vendor
            .get(vendor_code)
            .and_then(|nm| self.cards.get(nm))
    }

    /// Whether a vendor code belongs to a card or to an upload being processed.
    pub fn vendor_taken(&self, vendor_code: &str) -> bool {
        self.by_vendor.contains_key(vendor_code) || self.pending_vendors.contains_key(vendor_code)
    }

    /// Stores a card (new or changed) and indexes it.
    pub fn put_card(&mut self, card: SandboxCard) {
        if let Some(old) = self.cards.get(&card.nm_id) {
            self.by_update.remove(&(old.updated_at, old.nm_id));
            if old.vendor_code != card.vendor_code {
                self.by_vendor.remove(&old.vendor_code);
            }
        }
        self.by_update.insert((card.updated_at, card.nm_id));
        self.by_vendor.insert(card.vendor_code.clone(), card.nm_id);
        for size in &card.sizes {
            self.by_chrt.insert(size.chrt_id, card.nm_id);
            for sku in &size.skus {
                self.by_barcode.insert(sku.clone(), card.nm_id);
            }
        }
        self.cards.insert(card.nm_id, card);
    }

    /// Removes a vendor code from the error list (a new request for it replaces its errors).
    pub fn clear_errors(&mut self, vendor_code: &str) {
        let Some(key) = self.batch_by_vendor.remove(vendor_code) else {
            return;
        };
        let empty = match self.batches.get_mut(&key) {
            Some(batch) => {
                batch.vendor_codes.retain(|v| v != vendor_code);
                batch.errors.remove(vendor_code);
                batch.subjects.remove(vendor_code);
                batch.vendor_codes.is_empty()
            }
            None => false,
        };
        if empty && let Some(batch) = self.batches.remove(&key) {
            self.batch_by_uuid.remove(&batch.uuid);
        }
    }

    /// Adds a batch to the error list.
    pub fn add_batch(&mut self, mut batch: ErrorBatch) {
        if batch.vendor_codes.is_empty() {
            return;
        }
        for vendor_code in batch.vendor_codes.clone() {
            self.clear_errors(&vendor_code);
        }
        let key = (Utc::now(), self.next_seq());
        batch.uuid = uuid::Uuid::now_v7().to_string();
        for vendor_code in &batch.vendor_codes {
            self.batch_by_vendor.insert(vendor_code.clone(), key);
        }
        self.batch_by_uuid.insert(batch.uuid.clone(), key);
        self.batches.insert(key, batch);
    }

    /// The current error messages of a vendor code.
    pub fn errors_of(&self, vendor_code: &str) -> Vec<String> {
        self.batch_by_vendor
            .get(vendor_code)
            .and_then(|key| self.batches.get(key))
            .and_then(|batch| batch.errors.get(vendor_code))
            .cloned()
            .unwrap_or_default()
    }
}

/// WB's timestamps: RFC 3339 in UTC with the fraction (round-trips exactly through cursors).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

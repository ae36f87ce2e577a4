//! The sandbox's memory: the dictionary, cards (by offerId, with a sorted index for paging),
//! prices, stocks and shipments. Everything keyed by hash map: 100,000 cards stay cheap.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::seed::{SeedAttribute, SeedCategory, master_attributes};

/// A leaf category with its whole info model.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Leaf {
    pub masters: Vec<SeedAttribute>,
    pub contents: Vec<SeedAttribute>,
}

/// A card Megamarket holds.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CardRecord {
    pub category_id: u64,
    pub goods_id: u64,
    /// When the asynchronous processing ends and the goodsId shows.
    pub ready_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `attributeId → values` as last saved.
    pub masters: Vec<(u64, Vec<String>)>,
    pub contents: Vec<(u64, Vec<String>)>,
}

impl CardRecord {
    pub fn ready(&self, now: DateTime<Utc>) -> bool {
        now >= self.ready_at
    }

    pub fn master(&self, id: u64) -> Option<&str> {
        self.masters
            .iter()
            .find(|(a, _)| *a == id)
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Status {
    New,
    Confirmed,
    Packed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::New => "NEW",
            Status::Confirmed => "CONFIRMED",
            Status::Packed => "PACKED",
        }
    }
}

/// One lot: one unit.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Lot {
    pub item_index: u32,
    pub offer_id: String,
    pub goods_id: Option<String>,
    pub name: String,
    pub price: Decimal,
    pub final_price: Decimal,
    pub confirmed: bool,
    pub box_code: Option<String>,
    pub events: Vec<(DateTime<Utc>, &'static str)>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ShipmentRecord {
    pub shipment_id: String,
    pub order_code: Option<String>,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub customer_name: String,
    pub phone: String,
    pub lots: Vec<Lot>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct State {
    pub tree: Vec<SeedCategory>,
    pub leaves: HashMap<u64, Leaf>,
    pub cards: HashMap<String, CardRecord>,
    #[serde(skip)]
    pub card_index: BTreeSet<String>,
    pub next_goods_id: u64,
    /// `card/save` calls that carried each offer (refused ones included).
    pub save_calls: HashMap<String, u32>,
    /// Cards created per offer (more than one would be a duplicate).
    pub creates: HashMap<String, u32>,
    pub prices: HashMap<String, u64>,
    pub stocks: HashMap<String, u32>,
    pub shipments: HashMap<String, ShipmentRecord>,
    pub next_shipment: u64,
}

impl State {
    pub fn new(tree: Vec<SeedCategory>) -> Self {
        let mut leaves = HashMap::new();
        let mut stack: Vec<&SeedCategory> = tree.iter().collect();
        while let Some(category) = stack.pop() {
            if category.children.is_empty() {
                leaves.insert(
                    category.id,
                    Leaf {
                        masters: master_attributes(),
                        contents: category.attributes.clone(),
                    },
                );
            }
            stack.extend(category.children.iter());
        }
        Self {
            tree,
            leaves,
            next_goods_id: 100_000_000_001,
            next_shipment: 9_000_000_001,
            ..Self::default()
        }
    }
}

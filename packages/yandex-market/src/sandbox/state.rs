//! The sandbox's memory: the catalog (with the Market's asynchronous processing), prices,
//! stocks and orders. Everything is keyed by hash maps; processing is a queue ordered by due
//! time, drained on every request, so each offer is processed once whatever the catalog's size.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::content::content_errors;
use super::dictionary::Dictionary;
use crate::wire::offers::{OfferError, UpdateOffer, card_status};
use crate::wire::orders::Order;

/// First `marketSku` the sandbox assigns.
const FIRST_SKU: i64 = 101_000_000_001;
/// First order id.
const FIRST_ORDER: i64 = 52_000_000_001;

#[derive(Debug)]
pub(crate) struct State {
    pub offers: HashMap<String, OfferRecord>,
    /// Offer ids in the order they were created (pages of the catalog).
    pub catalog: Vec<String>,
    processing: VecDeque<(DateTime<Utc>, String, u64)>,
    next_sku: i64,
    pub prices: HashMap<String, PriceRecord>,
    /// Offer → warehouse → count.
    pub stocks: HashMap<String, HashMap<String, StockRecord>>,
    pub orders: BTreeMap<i64, OrderRecord>,
    next_order: i64,
    pub next_item: i64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            offers: HashMap::new(),
            catalog: Vec::new(),
            processing: VecDeque::new(),
            next_sku: FIRST_SKU,
            prices: HashMap::new(),
            stocks: HashMap::new(),
            orders: BTreeMap::new(),
            next_order: FIRST_ORDER,
            next_item: 1,
        }
    }
}

/// One offer of the business catalog.
#[derive(Debug, Clone)]
pub(crate) struct OfferRecord {
    /// Everything received so far, merged.
    pub offer: UpdateOffer,
    pub market_sku: Option<i64>,
    pub card_status: String,
    pub errors: Vec<OfferError>,
    /// When the running processing ends.
    pub due: Option<DateTime<Utc>>,
    version: u64,
    /// Accepted update calls that carried this offer.
    pub received: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PriceRecord {
    pub value: Decimal,
    pub discount_base: Option<Decimal>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StockRecord {
    pub count: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct OrderRecord {
    pub order: Order,
    pub updated: DateTime<Utc>,
}

impl State {
    /// Takes an accepted offer: merged into the catalog and (re)processed after `delay`.
    pub fn accept(
        &mut self,
        offer: UpdateOffer,
        now: DateTime<Utc>,
        delay: chrono::Duration,
        dictionary: &Dictionary,
    ) {
        let offer_id = offer.offer_id.clone();
        if let Some(price) = &offer.basic_price {
            self.prices
                .insert(offer_id.clone(), super::prices::price_record(price, now));
        }
        let record = match self.offers.get_mut(&offer_id) {
            Some(record) => {
                merge(&mut record.offer, offer);
                record
            }
            None => {
                self.catalog.push(offer_id.clone());
                self.offers.entry(offer_id.clone()).or_insert(OfferRecord {
                    offer,
                    market_sku: None,
                    card_status: card_status::NO_CARD_PROCESSING.to_owned(),
                    errors: Vec::new(),
                    due: None,
                    version: 0,
                    received: 0,
                })
            }
        };
        record.received += 1;
        record.version += 1;
        record.card_status = if record.market_sku.is_some() {
            card_status::HAS_CARD_CAN_UPDATE_PROCESSING
        } else {
            card_status::NO_CARD_PROCESSING
        }
        .to_owned();
        record.errors.clear();
        if delay <= chrono::Duration::zero() {
            record.due = None;
            let mut record = record.clone();
            self.process(&mut record, dictionary);
            self.offers.insert(offer_id, record);
        } else {
            let due = now + delay;
            record.due = Some(due);
            self.processing.push_back((due, offer_id, record.version));
        }
    }

    /// Finishes the processing of every offer due by `now`.
    pub fn settle(&mut self, now: DateTime<Utc>, dictionary: &Dictionary) {
        while let Some((due, _, _)) = self.processing.front() {
            if *due > now {
                break;
            }
            let Some((_, offer_id, version)) = self.processing.pop_front() else {
                break;
            };
            let Some(mut record) = self.offers.remove(&offer_id) else {
                continue;
            };
            if record.version == version {
                record.due = None;
                self.process(&mut record, dictionary);
            }
            self.offers.insert(offer_id, record);
        }
    }

    /// The Market's verdict on an offer's content: a card (a `marketSku`) or errors.
    fn process(&mut self, record: &mut OfferRecord, dictionary: &Dictionary) {
        let (errors, needs_content) = content_errors(&record.offer, dictionary);
        if errors.is_empty() {
            if record.market_sku.is_none() {
                record.market_sku = Some(self.next_sku);
                self.next_sku += 1;
            }
            record.card_status = card_status::HAS_CARD_CAN_UPDATE.to_owned();
        } else {
            record.card_status = if record.market_sku.is_some() {
                card_status::HAS_CARD_CAN_UPDATE_ERRORS
            } else if needs_content {
                card_status::NO_CARD_NEED_CONTENT
            } else {
                card_status::NO_CARD_ERRORS
            }
            .to_owned();
        }
        record.errors = errors;
    }

    pub fn new_order_id(&mut self) -> i64 {
        let id = self.next_order;
        self.next_order += 1;
        id
    }
}

/// The fields an update carries replace the stored ones; parameter values replace those of the
/// same parameters and keep the others.
fn merge(stored: &mut UpdateOffer, update: UpdateOffer) {
    macro_rules! take {
        ($($field:ident),*) => {$(
            if update.$field.is_some() {
                stored.$field = update.$field;
            }
        )*};
    }
    if let Some(values) = update.parameter_values {
        let mut kept: Vec<_> = stored
            .parameter_values
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|old| {
                !values
                    .iter()
                    .any(|new| new.parameter_id == old.parameter_id)
            })
            .collect();
        kept.extend(values);
        stored.parameter_values = Some(kept);
    }
    take!(
        name,
        market_category_id,
        pictures,
        vendor,
        vendor_code,
        barcodes,
        description,
        weight_dimensions,
        basic_price
    );
}

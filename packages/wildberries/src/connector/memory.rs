//! What the connector has learnt about the account, in memory: the ids of existing cards (WB
//! refuses an upload of a vendor code it already holds, so known cards go through update), the
//! cards uploaded and not yet seen, the subjects' characteristics, and the open supply per
//! warehouse and cargo type. All of it can be lost: it is re-learnt from WB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::wire::{Charc, ListedCard, WireSize};

/// An existing card, as WB listed it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KnownCard {
    pub nm_id: i64,
    pub imt_id: i64,
    pub subject_id: i64,
    pub sizes: Vec<WireSize>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl KnownCard {
    pub fn from_listed(card: &ListedCard) -> Self {
        Self {
            nm_id: card.nm_id,
            imt_id: card.imt_id,
            subject_id: card.subject_id,
            sizes: card.sizes.clone(),
            updated_at: parse_time(&card.updated_at),
        }
    }

    /// The chrtID of the card's (first) size: our offer is one size.
    pub fn chrt_id(&self) -> Option<i64> {
        self.sizes.iter().find_map(|s| s.chrt_id)
    }
}

pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[derive(Default)]
pub(crate) struct Memory {
    inner: Mutex<State>,
}

#[derive(Default)]
struct State {
    known: HashMap<String, KnownCard>,
    /// Uploaded vendor codes not yet seen as cards or errors, with the upload time.
    in_flight: HashMap<String, DateTime<Utc>>,
    charcs: HashMap<i64, Arc<Vec<Charc>>>,
    supplies: HashMap<(i64, i64), String>,
}

impl Memory {
    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn known(&self, vendor_code: &str) -> Option<KnownCard> {
        self.state().known.get(vendor_code).cloned()
    }

    pub fn learn(&self, vendor_code: &str, card: KnownCard) {
        let mut state = self.state();
        state.in_flight.remove(vendor_code);
        state.known.insert(vendor_code.to_owned(), card);
    }

    pub fn forget(&self, vendor_code: &str) {
        self.state().known.remove(vendor_code);
    }

    /// The chrtID of a known card whose barcodes include `barcode`.
    pub fn chrt_by_barcode(&self, barcode: &str) -> Option<i64> {
        self.state().known.values().find_map(|card| {
            card.sizes
                .iter()
                .find(|s| s.skus.iter().any(|b| b == barcode))
                .and_then(|s| s.chrt_id)
        })
    }

    pub fn in_flight_since(&self, vendor_code: &str) -> Option<DateTime<Utc>> {
        self.state().in_flight.get(vendor_code).copied()
    }

    pub fn mark_in_flight(&self, vendor_codes: &[String], at: DateTime<Utc>) {
        let mut state = self.state();
        for code in vendor_codes {
            state.in_flight.insert(code.clone(), at);
        }
    }

    pub fn settle(&self, vendor_code: &str) {
        self.state().in_flight.remove(vendor_code);
    }

    pub fn charcs(&self, subject_id: i64) -> Option<Arc<Vec<Charc>>> {
        self.state().charcs.get(&subject_id).cloned()
    }

    pub fn remember_charcs(&self, subject_id: i64, charcs: Arc<Vec<Charc>>) {
        self.state().charcs.insert(subject_id, charcs);
    }

    pub fn supply(&self, warehouse_id: i64, cargo_type: i64) -> Option<String> {
        self.state()
            .supplies
            .get(&(warehouse_id, cargo_type))
            .cloned()
    }

    pub fn remember_supply(&self, warehouse_id: i64, cargo_type: i64, supply_id: &str) {
        self.state()
            .supplies
            .insert((warehouse_id, cargo_type), supply_id.to_owned());
    }

    pub fn drop_supply(&self, warehouse_id: i64, cargo_type: i64) {
        self.state().supplies.remove(&(warehouse_id, cargo_type));
    }
}

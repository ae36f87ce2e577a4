//! What tests look at: cards with the ids the sandbox gave them, calls per offer, prices, stocks,
//! shipments, and the whole state as JSON.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;

use super::MegamarketSandbox;
use super::state::{CardRecord, ShipmentRecord};
use crate::api::master;

/// A card as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxCard {
    pub offer_id: String,
    pub category_id: u64,
    /// The goodsId assigned at creation (shown by the API once processing is over).
    pub goods_id: String,
    /// Whether processing is over (`card/getAttributes` shows the goodsId).
    pub processed: bool,
    pub name: Option<String>,
    pub brand: Option<String>,
    pub master_attributes: Vec<(u64, Vec<String>)>,
    pub content_attributes: Vec<(u64, Vec<String>)>,
}

/// One lot of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxLot {
    pub item_index: u32,
    pub offer_id: String,
    pub confirmed: bool,
    pub box_code: Option<String>,
}

/// A shipment as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxShipment {
    pub shipment_id: String,
    /// `NEW`, `CONFIRMED`, `PACKED`.
    pub status: String,
    pub order_code: Option<String>,
    pub lots: Vec<SandboxLot>,
}

fn card(offer: &str, record: &CardRecord) -> SandboxCard {
    SandboxCard {
        offer_id: offer.to_owned(),
        category_id: record.category_id,
        goods_id: record.goods_id.to_string(),
        processed: record.ready(Utc::now()),
        name: record.master(master::NAME).map(str::to_owned),
        brand: record.master(master::BRAND).map(str::to_owned),
        master_attributes: record.masters.clone(),
        content_attributes: record.contents.clone(),
    }
}

fn shipment(record: &ShipmentRecord) -> SandboxShipment {
    SandboxShipment {
        shipment_id: record.shipment_id.clone(),
        status: record.status.word().to_owned(),
        order_code: record.order_code.clone(),
        lots: record
            .lots
            .iter()
            .map(|l| SandboxLot {
                item_index: l.item_index,
                offer_id: l.offer_id.clone(),
                confirmed: l.confirmed,
                box_code: l.box_code.clone(),
            })
            .collect(),
    }
}

impl MegamarketSandbox {
    /// Every card, by offerId.
    pub fn cards(&self) -> Vec<SandboxCard> {
        let state = self.state();
        state
            .card_index
            .iter()
            .filter_map(|offer| state.cards.get(offer).map(|r| card(offer, r)))
            .collect()
    }

    pub fn card(&self, offer_id: &str) -> Option<SandboxCard> {
        self.state().cards.get(offer_id).map(|r| card(offer_id, r))
    }

    pub fn card_count(&self) -> usize {
        self.state().cards.len()
    }

    /// `card/save` calls that carried the offer (refused ones included).
    pub fn save_calls(&self, offer_id: &str) -> u32 {
        self.state().save_calls.get(offer_id).copied().unwrap_or(0)
    }

    /// Cards created for the offer: 1 once published, never more.
    pub fn create_calls(&self, offer_id: &str) -> u32 {
        self.state().creates.get(offer_id).copied().unwrap_or(0)
    }

    /// Ends the processing of every card now (their goodsIds show).
    pub fn finish_processing(&self) {
        let now = Utc::now();
        for card in self.state().cards.values_mut() {
            card.ready_at = card.ready_at.min(now);
        }
    }

    /// Manual prices in whole rubles, by offerId.
    pub fn prices(&self) -> HashMap<String, u64> {
        self.state().prices.clone()
    }

    pub fn price(&self, offer_id: &str) -> Option<u64> {
        self.state().prices.get(offer_id).copied()
    }

    /// Stocks by offerId (Megamarket keeps one stock per offer and merchant token: the
    /// account's warehouse).
    pub fn stocks(&self) -> HashMap<String, u32> {
        self.state().stocks.clone()
    }

    pub fn stock(&self, offer_id: &str) -> Option<u32> {
        self.state().stocks.get(offer_id).copied()
    }

    pub fn shipments(&self) -> Vec<SandboxShipment> {
        let state = self.state();
        let mut all: Vec<&ShipmentRecord> = state.shipments.values().collect();
        all.sort_by(|a, b| a.shipment_id.cmp(&b.shipment_id));
        all.into_iter().map(shipment).collect()
    }

    pub fn shipment(&self, shipment_id: &str) -> Option<SandboxShipment> {
        self.state().shipments.get(shipment_id).map(shipment)
    }

    /// Everything, as `GET /_sandbox/state` serves it.
    pub fn state_json(&self) -> Value {
        serde_json::to_value(&*self.state()).unwrap_or(Value::Null)
    }
}

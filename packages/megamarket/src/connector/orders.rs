//! Shipments: `order/search` for the ids, `order/get` for the lots (one unit per lot), and the
//! packing step: `order/confirm` + `order/packing` into one box `<merchantId>*<shipmentId>*1`.

use std::str::FromStr;

use carpetti_marketplace::{MarketOrder, MarketOrderLine, MpError};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire::{flexible_id, text_of};
use super::{MP, MegamarketConnector};
use crate::api::{self, path};

/// Every status NOTES lists, so that changes after creation come back too.
const STATUSES: [&str; 10] = [
    "NEW",
    "PENDING",
    "PENDING_CONFIRMATION",
    "CONFIRMED",
    "PENDING_PACKING",
    "PACKED",
    "PENDING_SHIPPING",
    "SHIPPED",
    "DELIVERED",
    "CANCELED",
];
/// Statuses in which the shipment is packed (its sticker can be printed).
pub(super) const PACKED: [&str; 4] = ["PACKED", "PENDING_SHIPPING", "SHIPPED", "DELIVERED"];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Search {
    date_from: String,
    date_to: String,
    statuses: &'static [&'static str],
}

#[derive(Deserialize)]
struct Found {
    #[serde(default)]
    shipments: Vec<Value>,
}

#[derive(Serialize)]
struct Ids<'a> {
    shipments: &'a [String],
}

#[derive(Deserialize)]
struct Shipments {
    #[serde(default)]
    shipments: Vec<Shipment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Shipment {
    #[serde(deserialize_with = "flexible_id")]
    pub shipment_id: Option<String>,
    #[serde(default)]
    pub order_code: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    creation_date: String,
    #[serde(default)]
    customer: Option<Customer>,
    #[serde(default)]
    pub items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Customer {
    #[serde(default)]
    customer_full_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Item {
    pub item_index: u32,
    #[serde(default, deserialize_with = "flexible_id")]
    goods_id: Option<String>,
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    goods_data: Option<GoodsData>,
    #[serde(default)]
    price: Value,
    #[serde(default)]
    final_price: Value,
    #[serde(default)]
    quantity: Option<u32>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
struct GoodsData {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    #[serde(default)]
    event_date: String,
}

pub(super) async fn since(
    c: &MegamarketConnector,
    since: DateTime<Utc>,
) -> Result<Vec<MarketOrder>, MpError> {
    const OP: &str = "order/search";
    let search = Search {
        date_from: since.to_rfc3339_opts(SecondsFormat::Secs, true),
        date_to: (Utc::now() + chrono::Duration::days(1))
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        statuses: &STATUSES,
    };
    let found: Found = c
        .merchant(OP, path::ORDER_SEARCH, &search)
        .await?
        .done(OP)?;
    let mut ids: Vec<String> = Vec::with_capacity(found.shipments.len());
    let mut seen = std::collections::HashSet::new();
    for id in found.shipments.iter().map(text_of) {
        if !id.is_empty() && seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    let mut orders = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(api::SHIPMENTS_PER_GET) {
        for shipment in get(c, chunk).await? {
            orders.push(to_order(shipment)?);
        }
    }
    Ok(orders)
}

async fn get(c: &MegamarketConnector, ids: &[String]) -> Result<Vec<Shipment>, MpError> {
    const OP: &str = "order/get";
    let got: Shipments = c
        .merchant(OP, path::ORDER_GET, &Ids { shipments: ids })
        .await?
        .done(OP)?;
    Ok(got.shipments)
}

/// One shipment, or `Rejected` when Megamarket does not know it.
pub(super) async fn fetch(c: &MegamarketConnector, id: &str) -> Result<Shipment, MpError> {
    get(c, &[id.to_owned()])
        .await?
        .into_iter()
        .find(|s| s.shipment_id.as_deref() == Some(id))
        .ok_or_else(|| MpError::Rejected {
            marketplace: MP,
            method: "order/get".to_owned(),
            status: 200,
            code: "SHIPMENT_NOT_FOUND".to_owned(),
            message: format!("shipment {id} is not known"),
        })
}

/// Confirms every lot (when not yet confirmed) and packs them all into one box.
pub(super) async fn pack(c: &MegamarketConnector, id: &str) -> Result<(), MpError> {
    let shipment = fetch(c, id).await?;
    let status = shipment.status.as_str();
    if PACKED.contains(&status) {
        return Ok(());
    }
    let confirm = match status {
        "NEW" | "PENDING" | "PENDING_CONFIRMATION" => true,
        "CONFIRMED" | "PENDING_PACKING" => false,
        other => {
            return Err(MpError::Rejected {
                marketplace: MP,
                method: "order/packing".to_owned(),
                status: 200,
                code: "INVALID_SHIPMENT_STATUS".to_owned(),
                message: format!("shipment {id} is {other}: it cannot be packed"),
            });
        }
    };
    let order_code = order_code(&shipment, id);
    if confirm {
        const OP: &str = "order/confirm";
        let items: Vec<Value> = shipment
            .items
            .iter()
            .map(|i| serde_json::json!({ "itemIndex": i.item_index, "offerId": i.offer_id }))
            .collect();
        let body = serde_json::json!({ "shipments": [{
            "shipmentId": id, "orderCode": order_code, "items": items,
        }]});
        c.merchant::<_, Value>(OP, path::ORDER_CONFIRM, &body)
            .await?
            .done(OP)?;
    }
    const OP: &str = "order/packing";
    let body = serde_json::json!({ "shipments": [{
        "shipmentId": id, "orderCode": order_code, "items": packed_items(c, &shipment, id),
    }]});
    c.merchant::<_, Value>(OP, path::ORDER_PACKING, &body)
        .await?
        .done(OP)?;
    Ok(())
}

/// Every lot, quantity 1, in box 1.
pub(super) fn packed_items(c: &MegamarketConnector, shipment: &Shipment, id: &str) -> Vec<Value> {
    let box_code = c.settings.box_code(id);
    shipment
        .items
        .iter()
        .map(|i| {
            serde_json::json!({
                "itemIndex": i.item_index,
                "quantity": 1,
                "boxes": [{ "boxIndex": 1, "boxCode": box_code }],
            })
        })
        .collect()
}

/// The seller's order code: the one already set, else the shipment id (Latin letters, digits,
/// `_` and `-` only).
fn order_code(shipment: &Shipment, id: &str) -> String {
    shipment
        .order_code
        .clone()
        .filter(|code| !code.is_empty())
        .unwrap_or_else(|| {
            id.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        })
}

/// Lots of the same offer at the same price become one line with their count.
fn to_order(shipment: Shipment) -> Result<MarketOrder, MpError> {
    let external_id = shipment.shipment_id.unwrap_or_default();
    let created_at = date(&shipment.creation_date).ok_or_else(|| MpError::Decode {
        marketplace: MP,
        method: "order/get".to_owned(),
        reason: format!(
            "shipment {external_id}: creationDate «{}» is not a date",
            shipment.creation_date
        ),
    })?;
    let mut updated_at: Option<DateTime<Utc>> = None;
    let mut lines: Vec<MarketOrderLine> = Vec::new();
    for item in shipment.items {
        for event in &item.events {
            if let Some(at) = date(&event.event_date) {
                updated_at = Some(updated_at.map_or(at, |u| u.max(at)));
            }
        }
        let price = money(&item.final_price)
            .or_else(|| money(&item.price))
            .unwrap_or_default();
        let quantity = item.quantity.unwrap_or(1).max(1);
        let offer_id = Some(item.offer_id).filter(|o| !o.is_empty());
        match lines
            .iter_mut()
            .find(|l| l.offer_id == offer_id && l.external_sku == item.goods_id && l.price == price)
        {
            Some(line) => line.quantity += quantity,
            None => lines.push(MarketOrderLine {
                offer_id,
                barcodes: Vec::new(),
                external_sku: item.goods_id,
                name: item.goods_data.map(|g| g.name).unwrap_or_default(),
                quantity,
                price,
            }),
        }
    }
    Ok(MarketOrder {
        external_id,
        status: shipment.status,
        created_at,
        updated_at,
        lines,
        customer_name: shipment
            .customer
            .and_then(|c| c.customer_full_name)
            .filter(|n| !n.is_empty()),
    })
}

fn date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// RUB from a JSON number or numeric string.
fn money(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

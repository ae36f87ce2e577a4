//! Orders from the marketplaces into persist: each order once per channel (by its external id),
//! lines matched to our products by offer id (our SKU) or barcode, status changes appended to the
//! order's history by persist.

use std::collections::HashMap;
use std::str::FromStr;

use carpetti_marketplace::{MarketOrder, MarketOrderLine};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::listings::timestamp;

/// What one order sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OrderSyncReport {
    pub channel: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines that matched none of our products (kept, with the marketplace's SKU and name).
    pub unmatched_lines: usize,
    pub orders: Vec<SyncedOrder>,
}

/// One order as synced.
#[derive(Debug, Clone, Serialize)]
pub struct SyncedOrder {
    pub external_id: String,
    pub marketplace_status: String,
    pub status: String,
    pub outcome: &'static str,
    pub lines: usize,
    pub matched_lines: usize,
    pub total: Decimal,
}

/// Our order status for a marketplace's status word.
pub fn status_of(word: &str) -> cat::OrderStatus {
    let word = word.to_lowercase();
    let has = |parts: &[&str]| parts.iter().any(|p| word.contains(p));
    if has(&["cancel", "not_accepted", "declined", "reject"]) {
        cat::OrderStatus::Cancelled
    } else if has(&["return"]) {
        cat::OrderStatus::Returned
    } else if has(&["delivered", "sold"]) && !has(&["awaiting_deliver"]) {
        cat::OrderStatus::Delivered
    } else if has(&[
        "delivering",
        "driver_pickup",
        "sent_by_seller",
        "complete",
        "shipped",
        "delivery",
        "pickup",
    ]) && !has(&["awaiting_deliver"])
    {
        cat::OrderStatus::Shipped
    } else if has(&[
        "awaiting_deliver",
        "ready_to_ship",
        "packed",
        "pending_shipping",
    ]) {
        cat::OrderStatus::Packed
    } else if has(&["confirm", "processing", "arbitration"]) {
        cat::OrderStatus::Confirmed
    } else {
        cat::OrderStatus::New
    }
}

/// Brings the channel's orders created or changed since `since` into persist.
pub async fn sync_orders(
    persist: &PersistClient,
    ctx: &ChannelContext,
    since: DateTime<Utc>,
) -> Result<OrderSyncReport, MpServiceError> {
    let orders = ctx.connector.orders(since).await?;
    let mut report = OrderSyncReport {
        channel: ctx.code().to_owned(),
        ..OrderSyncReport::default()
    };
    let mut matcher = Matcher::new(persist);
    for order in orders {
        let synced = sync_one(persist, ctx, &mut matcher, &order, &mut report).await?;
        report.orders.push(synced);
    }
    Ok(report)
}

async fn sync_one(
    persist: &PersistClient,
    ctx: &ChannelContext,
    matcher: &mut Matcher<'_>,
    order: &MarketOrder,
    report: &mut OrderSyncReport,
) -> Result<SyncedOrder, MpServiceError> {
    let mut lines = Vec::with_capacity(order.lines.len());
    let mut matched = 0;
    let mut total = Decimal::ZERO;
    for (index, line) in order.lines.iter().enumerate() {
        let product = matcher.product_of(line).await?;
        if product.is_some() {
            matched += 1;
        } else {
            report.unmatched_lines += 1;
        }
        total += line.price * Decimal::from(line.quantity);
        lines.push(cat::OrderLine {
            line_no: i32::try_from(index + 1).unwrap_or(i32::MAX),
            product_id: product.as_ref().map(|(id, _)| id.clone()),
            sku: product.map(|(_, sku)| sku),
            external_sku: line.external_sku.clone().or_else(|| line.offer_id.clone()),
            name: if line.name.trim().is_empty() {
                line.offer_id.clone().unwrap_or_default()
            } else {
                line.name.clone()
            },
            quantity: i32::try_from(line.quantity.max(1)).unwrap_or(i32::MAX),
            price: line.price.round_dp(2).to_string(),
            ..Default::default()
        });
    }
    let status = status_of(&order.status);
    let existing = persist
        .orders()
        .get_order(api::GetRequest {
            key: order.external_id.clone(),
            scope_id: ctx.channel_id.clone(),
            ..Default::default()
        })
        .await;
    let mut value = cat::Order {
        channel_id: ctx.channel_id.clone(),
        external_id: order.external_id.clone(),
        status: status as i32,
        total: total.round_dp(2).to_string(),
        currency: "RUB".to_owned(),
        placed_at: Some(timestamp(order.created_at)),
        lines,
        status_source: ctx.marketplace.as_str().to_owned(),
        status_note: Some(order.status.clone()),
        ..Default::default()
    };
    let outcome = match existing {
        Ok(found) => {
            let found = found.into_inner();
            let same_lines = found.lines.len() == value.lines.len()
                && found.lines.iter().zip(&value.lines).all(|(a, b)| {
                    a.product_id == b.product_id
                        && a.quantity == b.quantity
                        && Decimal::from_str(&a.price).ok() == Decimal::from_str(&b.price).ok()
                });
            if found.status == value.status && same_lines {
                report.unchanged += 1;
                "unchanged"
            } else {
                value.meta = found.meta.map(|mut m| {
                    m.change_seq = 0;
                    m
                });
                value.customer_id = found.customer_id;
                value.shipping_address = found.shipping_address;
                persist.orders().update_order(value).await?;
                report.updated += 1;
                "updated"
            }
        }
        Err(status) if status.code() == tonic::Code::NotFound => {
            persist.orders().create_order(value).await?;
            report.created += 1;
            "created"
        }
        Err(status) => return Err(status.into()),
    };
    Ok(SyncedOrder {
        external_id: order.external_id.clone(),
        marketplace_status: order.status.clone(),
        status: status
            .as_str_name()
            .trim_start_matches("ORDER_STATUS_")
            .to_lowercase(),
        outcome,
        lines: order.lines.len(),
        matched_lines: matched,
        total,
    })
}

/// Finds our product of a line, remembering answers within one sync.
struct Matcher<'a> {
    persist: &'a PersistClient,
    by_sku: HashMap<String, Option<(String, String)>>,
    by_barcode: HashMap<String, Option<(String, String)>>,
}

impl<'a> Matcher<'a> {
    fn new(persist: &'a PersistClient) -> Self {
        Self {
            persist,
            by_sku: HashMap::new(),
            by_barcode: HashMap::new(),
        }
    }

    /// (product id, sku) by the line's offer id, else by one of its barcodes.
    async fn product_of(
        &mut self,
        line: &MarketOrderLine,
    ) -> Result<Option<(String, String)>, MpServiceError> {
        if let Some(offer) = line.offer_id.as_deref().filter(|o| !o.is_empty()) {
            if !self.by_sku.contains_key(offer) {
                let found = match self
                    .persist
                    .products()
                    .get_product(api::GetRequest {
                        key: offer.to_owned(),
                        ..Default::default()
                    })
                    .await
                {
                    Ok(p) => {
                        let p = p.into_inner();
                        p.meta.map(|m| (m.id, p.sku))
                    }
                    Err(status) if status.code() == tonic::Code::NotFound => None,
                    Err(status) => return Err(status.into()),
                };
                self.by_sku.insert(offer.to_owned(), found);
            }
            if let Some(Some(found)) = self.by_sku.get(offer) {
                return Ok(Some(found.clone()));
            }
        }
        for barcode in &line.barcodes {
            if !self.by_barcode.contains_key(barcode) {
                let page = self
                    .persist
                    .products()
                    .list_products(api::ListQuery {
                        text: barcode.clone(),
                        page_size: 20,
                        ..Default::default()
                    })
                    .await?
                    .into_inner();
                let found = page
                    .items
                    .into_iter()
                    .find(|p| p.barcodes.iter().any(|b| b == barcode))
                    .and_then(|p| p.meta.map(|m| (m.id, p.sku)));
                self.by_barcode.insert(barcode.clone(), found);
            }
            if let Some(Some(found)) = self.by_barcode.get(barcode) {
                return Ok(Some(found.clone()));
            }
        }
        Ok(None)
    }
}

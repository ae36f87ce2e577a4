//! FBS orders (assembly tasks): `GET /api/v3/orders/new` (every new one), `GET /api/v3/orders`
//! (created in a window of at most 30 days, paged by `next`) and their current status from
//! `POST /api/v3/orders/status`. One WB order is one unit of one size; money is in kopecks.

use std::collections::BTreeMap;

use carpetti_marketplace::{MarketOrder, MarketOrderLine, MpError};
use chrono::{DateTime, Duration as Span, Utc};
use http::Method;
use rust_decimal::Decimal;
use serde_json::json;

use super::memory::parse_time;
use super::wire::{OrderStatus, OrderStatuses, OrdersPage, WireOrder};
use super::{Host, WildberriesConnector, errors, op};

/// Orders per page, and ids per status call (maxima).
const PAGE: usize = 1000;
/// Longest window of one history query.
const WINDOW_DAYS: i64 = 30;
/// How far back a history query goes at most.
const HISTORY_DAYS: i64 = 365;
/// RUB in ISO 4217.
const RUB: i64 = 643;

impl WildberriesConnector {
    pub(super) async fn orders_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<MarketOrder>, MpError> {
        let mut orders: BTreeMap<i64, WireOrder> = BTreeMap::new();
        for order in self.new_orders().await? {
            orders.insert(order.id, order);
        }
        let now = Utc::now();
        let mut from = since.max(now - Span::days(HISTORY_DAYS));
        while from < now {
            let to = (from + Span::days(WINDOW_DAYS)).min(now);
            let mut next = 0;
            loop {
                let path = format!(
                    "/api/v3/orders?limit={PAGE}&next={next}&dateFrom={}&dateTo={}",
                    from.timestamp(),
                    to.timestamp()
                );
                let call = self.get(op::ORDERS, Host::Marketplace, &path);
                let page: OrdersPage = errors::json_ok(&self.send(&call).await?, op::ORDERS)?;
                if page.orders.is_empty() {
                    break;
                }
                for order in page.orders {
                    orders.entry(order.id).or_insert(order);
                }
                if page.next == next {
                    break;
                }
                next = page.next;
            }
            from = to;
        }
        let ids: Vec<i64> = orders.keys().copied().collect();
        let statuses = self.statuses(&ids).await?;
        Ok(orders
            .into_values()
            .map(|order| {
                let status = statuses.get(&order.id);
                market_order(order, status)
            })
            .collect())
    }

    pub(super) async fn new_orders(&self) -> Result<Vec<WireOrder>, MpError> {
        let call = self.get(op::ORDERS_NEW, Host::Marketplace, "/api/v3/orders/new");
        let page: OrdersPage = errors::json_ok(&self.send(&call).await?, op::ORDERS_NEW)?;
        Ok(page.orders)
    }

    pub(super) async fn statuses(
        &self,
        ids: &[i64],
    ) -> Result<BTreeMap<i64, OrderStatus>, MpError> {
        let mut statuses = BTreeMap::new();
        for chunk in ids.chunks(PAGE) {
            let call = self.json(
                Method::POST,
                op::ORDERS_STATUS,
                Host::Marketplace,
                "/api/v3/orders/status",
                &json!({ "orders": chunk }),
            )?;
            let answer: OrderStatuses =
                errors::json_ok(&self.send(&call).await?, op::ORDERS_STATUS)?;
            for status in answer.orders {
                statuses.insert(status.id, status);
            }
        }
        Ok(statuses)
    }
}

/// The order's status word: WB's cancellations and `sold` win over the seller's status.
pub(crate) fn status_word(status: Option<&OrderStatus>) -> String {
    let Some(status) = status else {
        return "new".to_owned();
    };
    match status.wb_status.as_str() {
        "canceled" | "canceled_by_client" | "declined_by_client" | "defect" | "sold" => {
            status.wb_status.clone()
        }
        _ if status.supplier_status.is_empty() => "new".to_owned(),
        _ => status.supplier_status.clone(),
    }
}

fn market_order(order: WireOrder, status: Option<&OrderStatus>) -> MarketOrder {
    // The price in the seller's currency (RUB) when WB converted it, else the sale currency.
    let kopecks = match (order.converted_price, order.converted_currency_code) {
        (Some(price), Some(RUB) | None) => price,
        _ => order.price,
    };
    let offer_id = Some(order.article.clone()).filter(|a| !a.is_empty());
    MarketOrder {
        external_id: order.id.to_string(),
        status: status_word(status),
        created_at: parse_time(&order.created_at).unwrap_or_else(Utc::now),
        updated_at: None,
        lines: vec![MarketOrderLine {
            offer_id,
            barcodes: order.skus,
            external_sku: Some(order.chrt_id.to_string()).filter(|_| order.chrt_id != 0),
            name: order.article,
            quantity: 1,
            price: Decimal::new(kopecks, 2),
        }],
        customer_name: None,
    }
}

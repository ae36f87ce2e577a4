//! FBS orders: `GET /v2/campaigns/{campaignId}/orders` by update time (windows of at most 30
//! days, 50 orders a page), and packing — `PUT …/orders/{orderId}/status` to
//! `PROCESSING` / `READY_TO_SHIP`, which makes the label available.

use carpetti_marketplace::{MarketOrder, MarketOrderLine, MpError};
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use http::Method;
use rust_decimal::Decimal;

use super::errors::{decode, not_sent, refusal};
use super::poll::encode;
use super::{MARKETPLACE, YandexMarketConnector};
use crate::quotas::{self, op};
use crate::wire::orders::{
    DATE_TIME, MOSCOW_OFFSET_SECONDS, Order, OrderAnswer, OrdersPage, StatusChange,
    StatusChangeRequest,
};

/// The widest `updatedAtFrom`–`updatedAtTo` window the Market accepts.
const WINDOW: Duration = Duration::days(30);
/// How far back a first synchronisation looks.
const HORIZON: Duration = Duration::days(365);

impl YandexMarketConnector {
    pub(super) async fn orders_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<MarketOrder>, MpError> {
        let end = Utc::now() + Duration::minutes(1);
        let mut from = since.max(end - HORIZON);
        let mut orders = Vec::new();
        while from < end {
            let to = (from + WINDOW).min(end);
            self.orders_between(from, to, &mut orders).await?;
            from = to;
        }
        Ok(orders)
    }

    async fn orders_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        into: &mut Vec<MarketOrder>,
    ) -> Result<(), MpError> {
        let mut token: Option<String> = None;
        loop {
            let mut url = self.campaign_url(&format!(
                "/orders?updatedAtFrom={}&updatedAtTo={}&limit={}",
                encode(&from.to_rfc3339_opts(SecondsFormat::Secs, true)),
                encode(&to.to_rfc3339_opts(SecondsFormat::Secs, true)),
                quotas::ORDERS_PER_PAGE
            ));
            if let Some(token) = &token {
                url.push_str("&pageToken=");
                url.push_str(&encode(token));
            }
            let reply = self.send(&self.get_call(op::ORDERS, url)).await?;
            let page: OrdersPage = decode(&reply, op::ORDERS)?;
            let got = page.orders.len();
            for order in page.orders {
                into.push(market_order(order)?);
            }
            token = page.paging.and_then(|p| p.next_page_token);
            if token.is_none() || got == 0 {
                return Ok(());
            }
        }
    }

    pub(super) async fn ready_to_ship(&self, order_external_id: &str) -> Result<(), MpError> {
        let id = order_id(op::ORDER_STATUS, order_external_id)?;
        let url = self.campaign_url(&format!("/orders/{id}/status"));
        let body = StatusChangeRequest {
            order: StatusChange {
                status: "PROCESSING".to_owned(),
                substatus: Some("READY_TO_SHIP".to_owned()),
            },
        };
        let call = self.json_call(Method::PUT, op::ORDER_STATUS, url, &body)?;
        let reply = self.send(&call).await?;
        if reply.is_success() {
            return Ok(());
        }
        let refused = refusal(&reply, op::ORDER_STATUS);
        if reply.status != 400 {
            return Err(refused);
        }
        // refused: packed already (or further along) is success
        let order = self.order(id).await?;
        if is_packed(&order) {
            Ok(())
        } else {
            Err(refused)
        }
    }

    pub(super) async fn order(&self, id: i64) -> Result<Order, MpError> {
        let url = self.campaign_url(&format!("/orders/{id}"));
        let reply = self.send(&self.get_call(op::ORDER, url)).await?;
        let answer: OrderAnswer = decode(&reply, op::ORDER)?;
        Ok(answer.order)
    }
}

/// Ready to ship, or already handed over.
pub(super) fn is_packed(order: &Order) -> bool {
    match order.status.as_str() {
        "PROCESSING" => matches!(order.substatus.as_str(), "READY_TO_SHIP" | "SHIPPED"),
        "DELIVERY" | "PICKUP" | "DELIVERED" => true,
        _ => false,
    }
}

pub(super) fn order_id(operation: &str, external_id: &str) -> Result<i64, MpError> {
    external_id.trim().parse::<i64>().map_err(|_| {
        not_sent(
            operation,
            "invalid_order_id",
            format!("«{external_id}» is not a Yandex Market order id"),
        )
    })
}

fn market_order(order: Order) -> Result<MarketOrder, MpError> {
    let created_at = market_time(&order.creation_date).ok_or_else(|| MpError::Decode {
        marketplace: MARKETPLACE,
        method: op::ORDERS.to_owned(),
        reason: format!(
            "order {}: creationDate «{}» is not DD-MM-YYYY HH:MM:SS",
            order.id, order.creation_date
        ),
    })?;
    let customer = [
        order.buyer.last_name.as_deref(),
        order.buyer.first_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Ok(MarketOrder {
        external_id: order.id.to_string(),
        status: if order.substatus.is_empty() {
            order.status.clone()
        } else {
            format!("{}/{}", order.status, order.substatus)
        },
        created_at,
        updated_at: order.updated_at.as_deref().and_then(market_time),
        lines: order
            .items
            .into_iter()
            .map(|item| MarketOrderLine {
                offer_id: Some(item.offer_id),
                barcodes: Vec::new(),
                // order items carry our offer id (and `shopSku`, the same), not the marketSku
                external_sku: None,
                name: item.offer_name,
                quantity: u32::try_from(item.count).unwrap_or(0),
                price: decimal(item.buyer_price),
            })
            .collect(),
        customer_name: (!customer.is_empty()).then_some(customer),
    })
}

/// `DD-MM-YYYY HH:MM:SS` in Moscow time (ISO 8601 accepted too).
pub(crate) fn market_time(text: &str) -> Option<DateTime<Utc>> {
    let moscow = FixedOffset::east_opt(MOSCOW_OFFSET_SECONDS)?;
    if let Ok(naive) = NaiveDateTime::parse_from_str(text.trim(), DATE_TIME) {
        return moscow
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc));
    }
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A JSON number of roubles as a decimal (two places).
fn decimal(amount: f64) -> Decimal {
    Decimal::try_from(amount)
        .map(|d| d.round_dp(2))
        .unwrap_or_default()
}

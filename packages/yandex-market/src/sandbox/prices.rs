//! `POST /v2/businesses/{businessId}/offer-prices/updates` (1–500, roubles, a strike-through
//! price 5–99 % above) and `PUT /v2/campaigns/{campaignId}/offers/stocks` (1–2 000 SKUs, exactly
//! one item each; `warehouseId` tolerated).

use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::YandexMarketSandbox;
use super::catalog::check_offer_id;
use super::http::{Refusal, bad_request, json_ok};
use super::state::{PriceRecord, StockRecord};
use crate::quotas;
use crate::wire::Empty;
use crate::wire::offers::Price;
use crate::wire::prices::{UpdatePricesRequest, UpdateStocksRequest};

/// A JSON number as the decimal it was written as.
pub(crate) fn decimal(value: f64) -> Decimal {
    Decimal::from_str(&value.to_string()).unwrap_or_default()
}

/// `{value > 0, currencyId: RUR, discountBase: 5–99 % above}`.
pub(super) fn check_price(price: &Price) -> Result<(), String> {
    if !(price.value.is_finite() && price.value > 0.0) {
        return Err(format!("price value {} must be positive", price.value));
    }
    if price.currency_id != "RUR" {
        return Err(format!(
            "currencyId {} is not accepted: prices are in RUR",
            price.currency_id
        ));
    }
    if let Some(base) = price.discount_base {
        let discount = (base - price.value) / base;
        if !(base > price.value && (0.05..=0.99).contains(&discount)) {
            return Err(format!(
                "discountBase {base} must be 5 to 99 % above the price {}",
                price.value
            ));
        }
    }
    Ok(())
}

pub(crate) fn price_record(price: &Price, now: DateTime<Utc>) -> PriceRecord {
    PriceRecord {
        value: decimal(price.value),
        discount_base: price.discount_base.map(decimal),
        updated_at: now,
    }
}

pub(super) async fn prices(
    State(sandbox): State<YandexMarketSandbox>,
    Path(business): Path<String>,
    body: Bytes,
) -> Result<Response, Refusal> {
    sandbox.check_business(&business)?;
    let request: UpdatePricesRequest = serde_json::from_slice(&body)
        .map_err(|e| bad_request("BAD_REQUEST", format!("Invalid request body: {e}")))?;
    let count = request.offers.len();
    if count == 0 || count > quotas::PRICES_PER_CALL {
        return Err(bad_request(
            "BAD_REQUEST",
            format!(
                "offers must hold 1 to {} prices, got {count}",
                quotas::PRICES_PER_CALL
            ),
        ));
    }
    for offer in &request.offers {
        if let Err(reason) =
            check_offer_id(&offer.offer_id).and_then(|()| check_price(&offer.price))
        {
            return Err(bad_request(
                "BAD_REQUEST",
                format!("offer {}: {reason}", offer.offer_id),
            ));
        }
    }
    let now = Utc::now();
    let mut state = sandbox.state();
    for offer in request.offers {
        state
            .prices
            .insert(offer.offer_id, price_record(&offer.price, now));
    }
    Ok(json_ok(&Empty::ok()))
}

pub(super) async fn stocks(
    State(sandbox): State<YandexMarketSandbox>,
    Path(campaign): Path<String>,
    body: Bytes,
) -> Result<Response, Refusal> {
    sandbox.check_campaign(&campaign)?;
    let request: UpdateStocksRequest = serde_json::from_slice(&body)
        .map_err(|e| bad_request("BAD_REQUEST", format!("Invalid request body: {e}")))?;
    let count = request.skus.len();
    if count == 0 || count > quotas::STOCKS_PER_CALL {
        return Err(bad_request(
            "BAD_REQUEST",
            format!(
                "skus must hold 1 to {} SKUs, got {count}",
                quotas::STOCKS_PER_CALL
            ),
        ));
    }
    for sku in &request.skus {
        if let Err(reason) = check_offer_id(&sku.sku) {
            return Err(bad_request("BAD_REQUEST", reason));
        }
        if sku.items.len() != 1 {
            return Err(bad_request(
                "BAD_REQUEST",
                format!(
                    "sku {}: items must hold exactly one item, got {}",
                    sku.sku,
                    sku.items.len()
                ),
            ));
        }
        if sku
            .items
            .iter()
            .any(|i| !(0..=2_000_000_000).contains(&i.count))
        {
            return Err(bad_request(
                "BAD_REQUEST",
                format!("sku {}: count must be 0 to 2000000000", sku.sku),
            ));
        }
    }
    let now = Utc::now();
    let own_warehouse = sandbox.inner.config.campaign_id.to_string();
    let mut state = sandbox.state();
    for sku in request.skus {
        let warehouse = sku
            .warehouse_id
            .map_or_else(|| own_warehouse.clone(), |w| w.to_string());
        let count = sku.items.first().map_or(0, |i| i.count);
        state.stocks.entry(sku.sku).or_default().insert(
            warehouse,
            StockRecord {
                count,
                updated_at: now,
            },
        );
    }
    Ok(json_ok(&Empty::ok()))
}

//! The documented limits of the Yandex Market Partner API, shared by the connector (client-side
//! buckets) and the sandbox (server-side gate), so both speak of the same numbers.
//!
//! Yandex documents item quotas per method (offers 10 000 items/min, business prices 5 000
//! items/min, stocks 100 000 items/min); they are expressed here as calls per minute of a full
//! batch. Reading offer mappings is documented as 600 requests/min. On top of these, at most
//! [`PARALLEL`] requests of one account may be in flight at once.

use carpetti_marketplace::transport::{Limits, Quota};

/// Requests of one account in flight at once (more → 420 "Hit rate limit of 4 parallel requests").
pub const PARALLEL: usize = 4;

/// Offers per `offer-mappings/update` call.
pub const CARDS_PER_CALL: usize = 500;
/// Offers per `offer-prices/updates` call.
pub const PRICES_PER_CALL: usize = 500;
/// SKUs per `offers/stocks` call.
pub const STOCKS_PER_CALL: usize = 2000;
/// Offer ids per `offer-mappings` read.
pub const MAPPINGS_PER_READ: usize = 100;
/// Offer ids per `offer-cards` read.
pub const CARDS_PER_READ: usize = 100;
/// Orders per page of `GET orders`.
pub const ORDERS_PER_PAGE: usize = 50;

/// Operation names: the transport's buckets and the sandbox's gate groups.
pub mod op {
    pub const CATEGORIES: &str = "categories_tree";
    pub const PARAMETERS: &str = "category_parameters";
    pub const CARDS_UPDATE: &str = "offer_mappings_update";
    pub const MAPPINGS: &str = "offer_mappings";
    pub const OFFER_CARDS: &str = "offer_cards";
    pub const PRICES: &str = "offer_prices_updates";
    pub const STOCKS: &str = "offers_stocks";
    pub const ORDERS: &str = "orders";
    pub const ORDER: &str = "order";
    pub const ORDER_STATUS: &str = "order_status";
    pub const LABELS: &str = "order_labels";
}

/// 10 000 items/min at 500 per call.
pub const CARDS_CALLS_PER_MINUTE: u32 = 20;
/// 5 000 items/min at 500 per call.
pub const PRICE_CALLS_PER_MINUTE: u32 = 10;
/// 100 000 items/min at 2 000 per call.
pub const STOCK_CALLS_PER_MINUTE: u32 = 50;
/// 600 requests/min.
pub const MAPPINGS_CALLS_PER_MINUTE: u32 = 600;

/// The documented quotas by operation, as the marketplace enforces them. Per-minute quotas allow
/// their whole minute at once, except the 600/min read, which is spread out (burst of 10).
pub fn documented() -> Vec<(&'static str, Quota)> {
    vec![
        (
            op::CARDS_UPDATE,
            Quota::per_minute(CARDS_CALLS_PER_MINUTE, CARDS_CALLS_PER_MINUTE),
        ),
        (
            op::PRICES,
            Quota::per_minute(PRICE_CALLS_PER_MINUTE, PRICE_CALLS_PER_MINUTE),
        ),
        (
            op::STOCKS,
            Quota::per_minute(STOCK_CALLS_PER_MINUTE, STOCK_CALLS_PER_MINUTE),
        ),
        (
            op::MAPPINGS,
            Quota::per_minute(MAPPINGS_CALLS_PER_MINUTE, 10),
        ),
    ]
}

/// The client's buckets: the documented quotas with a tenth of each burst (at least one call)
/// kept in reserve, so that network jitter never pushes a call over the marketplace's own bucket;
/// and the parallel cap.
pub fn client_limits(pace: f64) -> Limits {
    documented()
        .into_iter()
        .fold(Limits::new(pace), |limits, (operation, quota)| {
            let margin = (quota.burst / 10).max(1);
            let burst = quota.burst.saturating_sub(margin).max(1);
            limits.with(&[operation], Quota { burst, ..quota })
        })
        .with_parallel(PARALLEL)
}

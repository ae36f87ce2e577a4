//! `POST /v2/businesses/{businessId}/offer-prices/updates` and
//! `PUT /v2/campaigns/{campaignId}/offers/stocks`.

use serde::{Deserialize, Serialize};

use super::offers::Price;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UpdatePricesRequest {
    pub offers: Vec<OfferPrice>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferPrice {
    pub offer_id: String,
    pub price: Price,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UpdateStocksRequest {
    pub skus: Vec<SkuStock>,
}

/// One SKU's stock. `warehouseId` is the older cabinets' field (still tolerated); the current
/// API takes the campaign's own warehouse.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SkuStock {
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<i64>,
    pub items: Vec<StockItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StockItem {
    pub count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Older clients send `"FIT"`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

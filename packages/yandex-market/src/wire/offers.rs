//! The business catalog: `offer-mappings/update`, `offer-mappings` and `offer-cards`.

use serde::{Deserialize, Serialize};

use super::Paging;

/// Card statuses (`OfferCardStatusType`).
pub(crate) mod card_status {
    pub const HAS_CARD_CAN_UPDATE: &str = "HAS_CARD_CAN_UPDATE";
    pub const HAS_CARD_CAN_UPDATE_ERRORS: &str = "HAS_CARD_CAN_UPDATE_ERRORS";
    pub const HAS_CARD_CAN_UPDATE_PROCESSING: &str = "HAS_CARD_CAN_UPDATE_PROCESSING";
    pub const NO_CARD_NEED_CONTENT: &str = "NO_CARD_NEED_CONTENT";
    pub const NO_CARD_ERRORS: &str = "NO_CARD_ERRORS";
    pub const NO_CARD_PROCESSING: &str = "NO_CARD_PROCESSING";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateOfferMappingsRequest {
    pub offer_mappings: Vec<UpdateOfferMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_partner_media_content: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UpdateOfferMapping {
    pub offer: UpdateOffer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<MappingRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MappingRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_sku: Option<i64>,
}

/// An offer as sent for creation or update (`UpdateOfferDTO`, the fields we use).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateOffer {
    pub offer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_category_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pictures: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcodes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_dimensions: Option<WeightDimensions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_values: Option<Vec<ParameterValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_price: Option<Price>,
}

/// Centimetres and kilograms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct WeightDimensions {
    pub length: f64,
    pub width: f64,
    pub height: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParameterValue {
    pub parameter_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `{value, currencyId, discountBase?}`; read back with `updatedAt`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Price {
    pub value: f64,
    pub currency_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_base: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `{"status": "OK"|"ERROR", "results": [{offerId, errors, warnings}]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UpdateOfferMappingsResponse {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<MappingResult>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MappingResult {
    pub offer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<MappingError>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<MappingError>>,
}

/// `OfferMappingErrorDTO`: `type` is one of `OfferMappingErrorType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MappingError {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_id: Option<i64>,
    pub message: String,
}

/// The body of `POST offer-mappings` (all filters optional; none lists the whole catalog).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferMappingsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_statuses: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_ids: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferMappingsResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
    pub offer_mappings: Vec<OfferMappingEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OfferMappingEntry {
    pub offer: ReadOffer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
}

/// An offer as read back (`GetOfferDTO`, the fields we use).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadOffer {
    pub offer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_category_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pictures: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcodes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_dimensions: Option<WeightDimensions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaigns: Option<Vec<CampaignStatus>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CampaignStatus {
    pub campaign_id: i64,
    pub status: String,
}

/// The Market card an offer is mapped to (absent until the Market has processed the offer).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Mapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_sku: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_sku_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_category_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_category_name: Option<String>,
}

/// The body of `POST offer-cards`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferCardsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_statuses: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferCardsResult {
    pub offer_cards: Vec<OfferCard>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

/// The content state of one offer's card.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OfferCard {
    pub offer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_values: Option<Vec<ParameterValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<OfferError>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<OfferError>>,
}

/// `OfferErrorDTO`: free text only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OfferError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

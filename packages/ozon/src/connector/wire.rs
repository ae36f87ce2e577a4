//! The Seller API's JSON shapes of the operations the connector uses, as the official OpenAPI
//! documents them. int64 ids are read from numbers or strings (protobuf JSON mapping).

use serde::{Deserialize, Deserializer, Serialize};

/// An int64 given as a JSON number or a string; absent/null as 0.
pub(crate) fn flex_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flex {
        Number(i64),
        Text(String),
        Null(()),
    }
    match Option::<Flex>::deserialize(deserializer)? {
        None | Some(Flex::Null(())) => Ok(0),
        Some(Flex::Number(n)) => Ok(n),
        Some(Flex::Text(s)) if s.is_empty() => Ok(0),
        Some(Flex::Text(s)) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// The error body of every method (`rpcStatus`); `code` is documented as int32 but is a word
/// in some answers (`"RESOURCE_EXHAUSTED"`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RpcStatus {
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    #[serde(default)]
    pub message: String,
}

// ---- dictionaries

#[derive(Serialize)]
pub(crate) struct TreeRequest {
    pub language: &'static str,
}

#[derive(Deserialize)]
pub(crate) struct TreeResponse {
    #[serde(default)]
    pub result: Vec<TreeNode>,
}

#[derive(Deserialize)]
pub(crate) struct TreeNode {
    #[serde(default, deserialize_with = "flex_i64")]
    pub description_category_id: i64,
    #[serde(default)]
    pub category_name: String,
    #[serde(default, deserialize_with = "flex_i64")]
    pub type_id: i64,
    #[serde(default)]
    pub type_name: String,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub children: Vec<TreeNode>,
}

#[derive(Serialize)]
pub(crate) struct AttributesRequest {
    pub description_category_id: i64,
    pub type_id: i64,
    pub language: &'static str,
}

#[derive(Deserialize)]
pub(crate) struct AttributesResponse {
    #[serde(default)]
    pub result: Vec<Attribute>,
}

#[derive(Deserialize)]
pub(crate) struct Attribute {
    #[serde(deserialize_with = "flex_i64")]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub is_required: bool,
    #[serde(default)]
    pub is_collection: bool,
    #[serde(default, deserialize_with = "flex_i64")]
    pub dictionary_id: i64,
}

#[derive(Serialize)]
pub(crate) struct ValuesRequest {
    pub attribute_id: i64,
    pub description_category_id: i64,
    pub type_id: i64,
    pub language: &'static str,
    pub last_value_id: i64,
    pub limit: i64,
}

#[derive(Deserialize)]
pub(crate) struct ValuesResponse {
    #[serde(default)]
    pub result: Vec<Value>,
    #[serde(default)]
    pub has_next: bool,
}

#[derive(Deserialize)]
pub(crate) struct Value {
    #[serde(deserialize_with = "flex_i64")]
    pub id: i64,
    #[serde(default)]
    pub value: String,
}

// ---- product import

#[derive(Debug, Serialize)]
pub(crate) struct ImportRequest {
    pub items: Vec<ImportItem>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ImportItem {
    pub offer_id: String,
    pub name: String,
    pub description_category_id: i64,
    pub type_id: i64,
    pub price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_price: Option<String>,
    pub currency_code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension_unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_unit: Option<&'static str>,
    pub images: Vec<String>,
    pub attributes: Vec<ImportAttribute>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ImportAttribute {
    pub complex_id: i64,
    pub id: i64,
    pub values: Vec<ImportValue>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ImportValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dictionary_value_id: Option<i64>,
    pub value: String,
}

#[derive(Deserialize)]
pub(crate) struct ImportResponse {
    pub result: ImportResult,
}

#[derive(Deserialize)]
pub(crate) struct ImportResult {
    #[serde(deserialize_with = "flex_i64")]
    pub task_id: i64,
}

#[derive(Serialize)]
pub(crate) struct ImportInfoRequest {
    pub task_id: i64,
}

#[derive(Deserialize)]
pub(crate) struct ImportInfoResponse {
    pub result: ImportInfoResult,
}

#[derive(Deserialize)]
pub(crate) struct ImportInfoResult {
    #[serde(default)]
    pub items: Vec<ImportInfoItem>,
}

#[derive(Deserialize)]
pub(crate) struct ImportInfoItem {
    #[serde(default)]
    pub offer_id: String,
    #[serde(default, deserialize_with = "flex_i64")]
    pub product_id: i64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub errors: Vec<ItemError>,
}

#[derive(Deserialize)]
pub(crate) struct ItemError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub level: String,
    #[serde(default, deserialize_with = "flex_i64")]
    pub attribute_id: i64,
    #[serde(default)]
    pub field: String,
}

// ---- reading products back

#[derive(Serialize, Default)]
pub(crate) struct InfoListRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offer_id: Vec<String>,
    /// int64 as strings, as the schema has them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_id: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct InfoListResponse {
    #[serde(default)]
    pub items: Vec<InfoItem>,
}

#[derive(Deserialize)]
pub(crate) struct InfoItem {
    #[serde(deserialize_with = "flex_i64")]
    pub id: i64,
    #[serde(default)]
    pub offer_id: String,
    #[serde(default, deserialize_with = "flex_i64")]
    pub sku: i64,
    #[serde(default)]
    pub statuses: InfoStatuses,
    #[serde(default)]
    pub is_archived: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct InfoStatuses {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub moderate_status: String,
}

#[derive(Serialize)]
pub(crate) struct ProductListRequest {
    pub filter: ProductListFilter,
    pub last_id: String,
    pub limit: i64,
}

#[derive(Serialize)]
pub(crate) struct ProductListFilter {
    pub visibility: &'static str,
}

#[derive(Deserialize)]
pub(crate) struct ProductListResponse {
    pub result: ProductListResult,
}

#[derive(Deserialize)]
pub(crate) struct ProductListResult {
    #[serde(default)]
    pub items: Vec<ProductListItem>,
    #[serde(default)]
    pub last_id: String,
}

#[derive(Deserialize)]
pub(crate) struct ProductListItem {
    #[serde(deserialize_with = "flex_i64")]
    pub product_id: i64,
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    pub archived: bool,
}

// ---- prices and stocks

#[derive(Serialize)]
pub(crate) struct PricesRequest {
    pub prices: Vec<PriceItem>,
}

#[derive(Serialize)]
pub(crate) struct PriceItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    pub price: String,
    pub old_price: String,
    pub currency_code: &'static str,
}

#[derive(Serialize)]
pub(crate) struct StocksRequest {
    pub stocks: Vec<StockItem>,
}

#[derive(Serialize)]
pub(crate) struct StockItem {
    pub offer_id: String,
    pub product_id: i64,
    /// Required by the schema: the quant (pack multiple) the stock counts; 1 for products sold
    /// one by one.
    pub quant_size: i64,
    pub stock: i64,
    pub warehouse_id: i64,
}

/// The answer of both the price and the stock update.
#[derive(Deserialize)]
pub(crate) struct UpdateResponse {
    #[serde(default)]
    pub result: Vec<UpdateResult>,
}

#[derive(Deserialize)]
pub(crate) struct UpdateResult {
    #[serde(default)]
    pub offer_id: String,
    #[serde(default, deserialize_with = "flex_i64")]
    pub product_id: i64,
    #[serde(default, deserialize_with = "flex_i64")]
    pub warehouse_id: i64,
    #[serde(default)]
    pub updated: bool,
    #[serde(default)]
    pub errors: Vec<UpdateError>,
}

#[derive(Deserialize)]
pub(crate) struct UpdateError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Serialize)]
pub(crate) struct WarehouseListRequest {
    pub limit: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

#[derive(Deserialize)]
pub(crate) struct WarehouseListResponse {
    #[serde(default)]
    pub warehouses: Vec<Warehouse>,
    #[serde(default)]
    pub cursor: String,
    #[serde(default)]
    pub has_next: bool,
}

#[derive(Deserialize)]
pub(crate) struct Warehouse {
    #[serde(deserialize_with = "flex_i64")]
    pub warehouse_id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: String,
}

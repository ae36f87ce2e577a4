//! The JSON shapes of the Wildberries operations the connector uses (field names as WB spells
//! them). Responses are read leniently: every field has a default.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The content and prices APIs' envelope: `{data, error, errorText, additionalErrors}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Envelope<T> {
    pub data: Option<T>,
    pub error: bool,
    #[serde(rename = "errorText")]
    pub error_text: String,
    #[serde(rename = "additionalErrors")]
    pub additional_errors: Option<Value>,
}

/// `GET /content/v2/object/all` item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Subject {
    #[serde(rename = "subjectID")]
    pub subject_id: i64,
    #[serde(rename = "parentID")]
    pub parent_id: i64,
    pub subject_name: String,
    pub parent_name: String,
}

/// `GET /content/v2/object/charcs/{subjectId}` item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Charc {
    #[serde(rename = "charcID")]
    pub charc_id: i64,
    pub name: String,
    pub required: bool,
    pub unit_name: String,
    pub max_count: i64,
    pub charc_type: i64,
}

/// `GET /content/v2/directory/colors|countries` item (kinds, seasons and vat are plain strings).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NamedValue {
    pub name: String,
}

/// One merged card of `POST /content/v2/cards/upload`.
#[derive(Debug, Clone, Serialize)]
pub struct UploadCard {
    #[serde(rename = "subjectID")]
    pub subject_id: i64,
    pub variants: Vec<Variant>,
}

/// One card (variant) of an upload, or of an update when `nm_id` is set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    #[serde(rename = "nmID", skip_serializing_if = "Option::is_none")]
    pub nm_id: Option<i64>,
    pub vendor_code: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<WireDimensions>,
    pub characteristics: Vec<Characteristic>,
    pub sizes: Vec<WireSize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct WireDimensions {
    pub length: i64,
    pub width: i64,
    pub height: i64,
    pub weight_brutto: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Characteristic {
    pub id: i64,
    /// A string array (`charcType` 1) or a number (`charcType` 4).
    pub value: Value,
}

/// A size: `chrtID` for an existing one, `price` only when a size is created.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
#[serde(default)]
pub struct WireSize {
    #[serde(rename = "chrtID", skip_serializing_if = "Option::is_none")]
    pub chrt_id: Option<i64>,
    #[serde(rename = "techSize", skip_serializing_if = "Option::is_none")]
    pub tech_size: Option<String>,
    #[serde(rename = "wbSize", skip_serializing_if = "Option::is_none")]
    pub wb_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
}

/// `POST /content/v2/get/cards/list` answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CardList {
    pub cards: Vec<ListedCard>,
    pub cursor: ListCursor,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ListedCard {
    #[serde(rename = "nmID")]
    pub nm_id: i64,
    #[serde(rename = "imtID")]
    pub imt_id: i64,
    #[serde(rename = "subjectID")]
    pub subject_id: i64,
    pub vendor_code: String,
    pub title: String,
    pub sizes: Vec<WireSize>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ListCursor {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(rename = "nmID", skip_serializing_if = "Option::is_none")]
    pub nm_id: Option<i64>,
    #[serde(skip_serializing)]
    pub total: i64,
}

/// `POST /content/v2/cards/error/list` data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ErrorTable {
    pub items: Vec<ErrorBatch>,
    pub cursor: ErrorCursor,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ErrorBatch {
    #[serde(rename = "batchUUID")]
    pub batch_uuid: String,
    pub vendor_codes: Vec<String>,
    /// The subject of each vendor code (`{id, name}`).
    pub subjects: std::collections::HashMap<String, Value>,
    pub errors: std::collections::HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ErrorCursor {
    pub next: bool,
    pub updated_at: String,
    #[serde(rename = "batchUUID")]
    pub batch_uuid: String,
}

/// `POST /api/v2/upload/task` item.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PriceItem {
    #[serde(rename = "nmID")]
    pub nm_id: i64,
    pub price: i64,
    pub discount: i64,
}

/// `data` of the price task answers (200 and 208).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TaskCreated {
    pub id: i64,
    pub already_exists: bool,
}

/// `GET /api/v2/history/tasks` data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TaskHistory {
    #[serde(rename = "uploadID")]
    pub upload_id: i64,
    pub status: i64,
}

/// `GET /api/v2/history/goods/task` data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GoodsHistory {
    pub history_goods: Vec<GoodHistory>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GoodHistory {
    #[serde(rename = "nmID")]
    pub nm_id: i64,
    pub status: i64,
    pub error_text: String,
}

/// `PUT /api/v3/stocks/{warehouseId}` item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StockItem {
    pub chrt_id: i64,
    pub amount: u32,
}

/// One error of the marketplace API (`{code, message, data}`); stock 409s are arrays of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MarketError {
    pub code: String,
    pub message: String,
    pub data: Option<Value>,
}

/// `GET /api/v3/warehouses` item.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct Warehouse {
    pub id: i64,
    pub name: String,
    pub office_id: i64,
    pub cargo_type: i64,
    pub delivery_type: i64,
    pub is_deleting: bool,
    pub is_processing: bool,
}

/// An FBS assembly task (`/api/v3/orders/new` and `/api/v3/orders`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WireOrder {
    pub id: i64,
    pub rid: String,
    pub order_uid: String,
    pub created_at: String,
    pub article: String,
    pub nm_id: i64,
    pub chrt_id: i64,
    pub skus: Vec<String>,
    pub warehouse_id: i64,
    pub cargo_type: i64,
    pub price: i64,
    pub converted_price: Option<i64>,
    pub converted_currency_code: Option<i64>,
    pub supply_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrdersPage {
    pub next: i64,
    pub orders: Vec<WireOrder>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OrderStatus {
    pub id: i64,
    pub supplier_status: String,
    pub wb_status: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrderStatuses {
    pub orders: Vec<OrderStatus>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SupplyCreated {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Stickers {
    pub stickers: Vec<Sticker>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Sticker {
    pub order_id: i64,
    pub file: String,
}

//! The JSON shapes on the wire: the Merchant API body envelope, the answer envelope, and the
//! payloads of each operation the connector uses.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `meta` is always `{}`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Meta {}

/// A Merchant API request: `{"meta":{},"data":{"token":…, …}}`.
#[derive(Serialize)]
pub(crate) struct Envelope<'a, T: Serialize> {
    pub meta: Meta,
    pub data: WithToken<'a, T>,
}

#[derive(Serialize)]
pub(crate) struct WithToken<'a, T: Serialize> {
    pub token: &'a str,
    #[serde(flatten)]
    pub body: &'a T,
}

/// Every answer: `{success: 1|0, meta, data, error}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Answer {
    #[serde(default)]
    pub success: Value,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub error: Option<Value>,
}

impl Answer {
    /// `1` or `true` (the content API may answer a boolean).
    pub fn succeeded(&self) -> bool {
        match &self.success {
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// The errors, whether sent as one object, an array of them, or a bare string.
    pub fn errors(&self) -> Vec<ApiError> {
        match &self.error {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.iter().map(ApiError::from_value).collect(),
            Some(other) => vec![ApiError::from_value(other)],
        }
    }
}

/// One `{code, message}` of a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    fn from_value(value: &Value) -> Self {
        match value {
            Value::Object(map) => Self {
                code: map.get("code").map(text_of).unwrap_or_default(),
                message: map.get("message").map(text_of).unwrap_or_default(),
            },
            other => Self {
                code: String::new(),
                message: text_of(other),
            },
        }
    }
}

/// A JSON scalar as text (`"12"` and `12` both give `12`).
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An id that may come as a string or a number (goodsId, shipmentId).
pub(crate) fn flexible_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.map(|v| text_of(&v)).filter(|s| !s.is_empty()))
}

/// `{attributeId, values[]}` of `card/save` and `card/getAttributes`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AttributeValues {
    pub attribute_id: u64,
    pub values: Vec<String>,
}

/// `package` of a card: kg and cm.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Package {
    pub weight: f64,
    pub height: f64,
    pub width: f64,
    pub length: f64,
}

/// One card of `card/save`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardToSave {
    pub offer_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer_no: Option<String>,
    pub photos: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    pub master_attributes: Vec<AttributeValues>,
    pub content_attributes: Vec<AttributeValues>,
    pub barcodes: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardSave<'a> {
    pub category_id: u64,
    pub cards: &'a [CardToSave],
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardSaveAnswer {
    #[serde(default)]
    pub error_cards: Vec<ErrorCard>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorCard {
    pub offer_id: String,
    #[serde(default)]
    pub errors: Vec<CardError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub attribute_id: Option<u64>,
}

/// `card/getAttributes` request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardQuery<'a> {
    pub filter: CardFilter<'a>,
    pub sorting: Sorting,
    pub limit: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_after: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardFilter<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<&'a [String]>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Sorting {
    pub field: &'static str,
    pub order: &'static str,
}

impl Sorting {
    pub fn by_offer() -> Self {
        Self {
            field: "offerId",
            order: "asc",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardPage {
    #[serde(default)]
    pub items: Vec<CardRead>,
    #[serde(default)]
    pub search_after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardRead {
    pub offer_id: String,
    #[serde(default, deserialize_with = "flexible_id")]
    pub goods_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `manualPrice/save` / `stock/update` answer.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saved {
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Warning {
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

//! The dictionaries: `/v1/description-category/tree`, `/attribute` and `/attribute/values`,
//! served from the seed, and the index the product checks use.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::OzonSandbox;
use super::rpc;
use super::seed::{SeedAttribute, SeedCategory};
use crate::connector::wire::flex_i64;

/// One product type with its attributes, looked up by (description category, type).
pub(crate) struct TypeEntry {
    pub attributes: Vec<SeedAttribute>,
    /// attribute id → index in `attributes`.
    pub by_id: HashMap<i64, usize>,
    /// Per dictionary attribute: value id → value, and lower-case text → value id.
    pub values: HashMap<i64, DictionaryIndex>,
}

#[derive(Default)]
pub(crate) struct DictionaryIndex {
    pub by_id: HashMap<i64, String>,
    pub by_text: HashMap<String, i64>,
}

/// The seed tree and its index.
pub(crate) struct Catalog {
    pub tree: Vec<SeedCategory>,
    pub types: HashMap<(i64, i64), TypeEntry>,
}

impl Catalog {
    pub fn new(tree: Vec<SeedCategory>) -> Self {
        let mut types = HashMap::new();
        let mut stack: Vec<&SeedCategory> = tree.iter().collect();
        while let Some(category) = stack.pop() {
            stack.extend(category.children.iter());
            for kind in &category.types {
                let by_id = kind
                    .attributes
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.id, i))
                    .collect();
                let values = kind
                    .attributes
                    .iter()
                    .filter(|a| a.dictionary_id != 0)
                    .map(|a| {
                        let index = DictionaryIndex {
                            by_id: a.values.iter().map(|v| (v.id, v.value.clone())).collect(),
                            by_text: a
                                .values
                                .iter()
                                .map(|v| (v.value.trim().to_lowercase(), v.id))
                                .collect(),
                        };
                        (a.id, index)
                    })
                    .collect();
                types.insert(
                    (category.id, kind.id),
                    TypeEntry {
                        attributes: kind.attributes.clone(),
                        by_id,
                        values,
                    },
                );
            }
        }
        Self { tree, types }
    }

    pub fn entry(&self, category_id: i64, type_id: i64) -> Option<&TypeEntry> {
        self.types.get(&(category_id, type_id))
    }
}

fn tree_json(category: &SeedCategory) -> Value {
    let mut children: Vec<Value> = category.children.iter().map(tree_json).collect();
    children.extend(
        category.types.iter().map(
            |t| json!({"type_id": t.id, "type_name": t.name, "disabled": false, "children": []}),
        ),
    );
    json!({
        "description_category_id": category.id,
        "category_name": category.name,
        "disabled": false,
        "children": children,
    })
}

#[derive(Deserialize)]
struct TreeRequest {
    #[serde(default)]
    language: Option<String>,
}

const LANGUAGES: [&str; 5] = ["DEFAULT", "RU", "EN", "TR", "ZH_HANS"];

/// Ozon's 400 for a language it does not know.
fn bad_language(language: Option<&str>) -> Option<Response> {
    language
        .filter(|l| !LANGUAGES.contains(l))
        .map(|l| rpc::invalid(format!("language: unknown value \"{l}\"")))
}

pub(crate) async fn tree(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: TreeRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Some(e) = bad_language(request.language.as_deref()) {
        return e;
    }
    let result: Vec<Value> = sandbox.catalog.tree.iter().map(tree_json).collect();
    rpc::ok(json!({ "result": result }))
}

#[derive(Deserialize)]
struct AttributeRequest {
    #[serde(deserialize_with = "flex_i64")]
    description_category_id: i64,
    #[serde(deserialize_with = "flex_i64")]
    type_id: i64,
    #[serde(default)]
    language: Option<String>,
}

pub(crate) async fn attributes(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: AttributeRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Some(e) = bad_language(request.language.as_deref()) {
        return e;
    }
    let Some(entry) = sandbox
        .catalog
        .entry(request.description_category_id, request.type_id)
    else {
        return rpc::error(404, "description category or type not found");
    };
    let result: Vec<Value> = entry
        .attributes
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "attribute_complex_id": 0,
                "name": a.name,
                "description": "",
                "type": a.kind,
                "is_collection": a.collection,
                "is_required": a.required,
                "is_aspect": false,
                "max_value_count": if a.collection { 30 } else { 1 },
                "group_name": "",
                "group_id": 0,
                "dictionary_id": a.dictionary_id,
                "category_dependent": a.dictionary_id != 0,
                "complex_is_collection": false,
            })
        })
        .collect();
    rpc::ok(json!({ "result": result }))
}

#[derive(Deserialize)]
struct ValuesRequest {
    #[serde(deserialize_with = "flex_i64")]
    attribute_id: i64,
    #[serde(deserialize_with = "flex_i64")]
    description_category_id: i64,
    #[serde(deserialize_with = "flex_i64")]
    type_id: i64,
    #[serde(default, deserialize_with = "flex_i64")]
    last_value_id: i64,
    #[serde(deserialize_with = "flex_i64")]
    limit: i64,
    #[serde(default)]
    language: Option<String>,
}

pub(crate) async fn values(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: ValuesRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Some(e) = bad_language(request.language.as_deref()) {
        return e;
    }
    if !(1..=2000).contains(&request.limit) {
        return rpc::invalid("limit: value must be inside range [1, 2000]");
    }
    let Some(entry) = sandbox
        .catalog
        .entry(request.description_category_id, request.type_id)
    else {
        return rpc::error(404, "description category or type not found");
    };
    let Some(attribute) = entry
        .by_id
        .get(&request.attribute_id)
        .map(|i| &entry.attributes[*i])
    else {
        return rpc::error(404, "attribute not found");
    };
    let mut all: Vec<_> = attribute
        .values
        .iter()
        .filter(|v| v.id > request.last_value_id)
        .collect();
    all.sort_by_key(|v| v.id);
    let limit = usize::try_from(request.limit).unwrap_or(2000);
    let has_next = all.len() > limit;
    let result: Vec<Value> = all
        .into_iter()
        .take(limit)
        .map(|v| json!({"id": v.id, "value": v.value, "info": "", "picture": ""}))
        .collect();
    rpc::ok(json!({ "result": result, "has_next": has_next }))
}

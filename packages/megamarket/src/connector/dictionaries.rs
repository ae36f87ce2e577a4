//! Categories (`categoryTree/get`) and a category's attributes (`infomodel/get`, not in NOTES:
//! from community notes, unverified).

use carpetti_marketplace::{
    AttributeKind, CategoryAttributes, DictionaryValue, MarketAttribute, MarketCategory, MpError,
};
use serde::Deserialize;
use serde_json::json;

use super::wire::text_of;
use super::{MP, MegamarketConnector};
use crate::api::path;

#[derive(Deserialize)]
struct Tree {
    #[serde(default)]
    categories: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: serde_json::Value,
    #[serde(default)]
    name: String,
    #[serde(default)]
    children: Vec<Node>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Infomodel {
    #[serde(default)]
    content_attributes: Vec<InfomodelAttribute>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InfomodelAttribute {
    attribute_id: u64,
    #[serde(default)]
    attribute_name: String,
    #[serde(default)]
    is_required: bool,
    #[serde(default)]
    value_type_code: String,
    #[serde(default)]
    is_multiple: bool,
    #[serde(default)]
    is_suggest: bool,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    dictionary_list: Vec<DictionaryEntry>,
}

#[derive(Deserialize)]
struct DictionaryEntry {
    id: serde_json::Value,
    value: String,
}

pub(super) async fn categories(c: &MegamarketConnector) -> Result<Vec<MarketCategory>, MpError> {
    const OP: &str = "categoryTree/get";
    let tree: Tree = c
        .content(OP, path::CATEGORY_TREE, &json!({}))
        .await?
        .done(OP)?;
    let mut out = Vec::new();
    let mut stack: Vec<(Option<String>, Node)> = tree
        .categories
        .into_iter()
        .rev()
        .map(|n| (None, n))
        .collect();
    while let Some((parent, node)) = stack.pop() {
        let id = text_of(&node.id);
        out.push(MarketCategory {
            id: id.clone(),
            name: node.name,
            parent_id: parent,
            leaf: node.children.is_empty(),
        });
        stack.extend(
            node.children
                .into_iter()
                .rev()
                .map(|child| (Some(id.clone()), child)),
        );
    }
    Ok(out)
}

/// The content attributes of a leaf category. Master attributes (name, brand, dimensions …) are
/// filled by the connector from the card's own fields, so they are not listed here.
pub(super) async fn attributes(
    c: &MegamarketConnector,
    category: &str,
) -> Result<CategoryAttributes, MpError> {
    const OP: &str = "infomodel/get";
    let id = category_id(category, OP)?;
    let model: Infomodel = c
        .content(
            OP,
            path::INFOMODEL,
            &json!({ "data": { "categoryId": id } }),
        )
        .await?
        .done(OP)?;
    let attributes = model
        .content_attributes
        .into_iter()
        .map(|a| {
            let kind = match a.value_type_code.as_str() {
                "number" => AttributeKind::Number,
                "boolean" => AttributeKind::Boolean,
                "enum" => AttributeKind::Dictionary,
                _ => AttributeKind::Text,
            };
            // An enum that takes values outside its dictionary is an open dictionary.
            let values = if kind == AttributeKind::Dictionary && !a.is_suggest {
                a.dictionary_list
                    .into_iter()
                    .map(|v| DictionaryValue {
                        id: text_of(&v.id),
                        value: v.value,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            MarketAttribute {
                id: a.attribute_id.to_string(),
                name: a.attribute_name,
                kind,
                required: a.is_required,
                multi_valued: a.is_multiple,
                values,
                unit: a.unit.filter(|u| !u.is_empty()),
            }
        })
        .collect();
    Ok(CategoryAttributes {
        category: category.to_owned(),
        attributes,
    })
}

/// Megamarket category ids are integers.
pub(super) fn category_id(category: &str, operation: &str) -> Result<u64, MpError> {
    category.trim().parse().map_err(|_| MpError::Rejected {
        marketplace: MP,
        method: operation.to_owned(),
        status: 0,
        code: "invalid_category".to_owned(),
        message: format!("«{category}» is not a Megamarket category id (an integer)"),
    })
}

//! The category tree and the parameters of a leaf category, as our dictionary types.

use carpetti_marketplace::{
    AttributeKind, CategoryAttributes, DictionaryValue, MarketAttribute, MarketCategory, MpError,
};
use http::Method;

use super::YandexMarketConnector;
use super::errors::{decode, not_sent};
use crate::quotas::op;
use crate::wire::Envelope;
use crate::wire::dictionary::{CategoriesRequest, CategoryNode, CategoryParameters, Parameter};

impl YandexMarketConnector {
    pub(super) async fn category_tree(&self) -> Result<Vec<MarketCategory>, MpError> {
        let url = format!("{}/v2/categories/tree", self.settings.base_url);
        let body = CategoriesRequest {
            language: Some("RU".to_owned()),
        };
        let call = self.json_call(Method::POST, op::CATEGORIES, url, &body)?;
        let reply = self.send(&call).await?;
        let tree: Envelope<CategoryNode> = decode(&reply, op::CATEGORIES)?;
        let mut categories = Vec::new();
        if let Some(root) = tree.result {
            flatten(&root, None, &mut categories);
        }
        Ok(categories)
    }

    pub(super) async fn attributes_of(
        &self,
        category: &str,
    ) -> Result<CategoryAttributes, MpError> {
        let id = category_id(category)?;
        let parameters = self.parameters_of(id).await?;
        Ok(attributes(category, &parameters))
    }

    /// The parameters of a category, fetched once per connector.
    pub(super) async fn parameters_of(&self, id: i64) -> Result<CategoryParameters, MpError> {
        if let Some(known) = self.cached(id) {
            return Ok(known);
        }
        let url = format!(
            "{}/v2/category/{id}/parameters?businessId={}",
            self.settings.base_url, self.settings.business_id
        );
        // the operation takes no body
        let call = self.bare_call(Method::POST, op::PARAMETERS, url);
        let reply = self.send(&call).await?;
        let answer: Envelope<CategoryParameters> = decode(&reply, op::PARAMETERS)?;
        let parameters = answer.result.unwrap_or(CategoryParameters {
            category_id: id,
            parameters: None,
        });
        self.parameters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, parameters.clone());
        Ok(parameters)
    }

    fn cached(&self, id: i64) -> Option<CategoryParameters> {
        self.parameters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}

pub(super) fn category_id(category: &str) -> Result<i64, MpError> {
    category
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            not_sent(
                op::PARAMETERS,
                "invalid_category",
                format!("«{category}» is not a Yandex Market category id"),
            )
        })
}

fn flatten(node: &CategoryNode, parent: Option<i64>, into: &mut Vec<MarketCategory>) {
    let children = node.children.as_deref().unwrap_or_default();
    into.push(MarketCategory {
        id: node.id.to_string(),
        name: node.name.clone(),
        parent_id: parent.map(|p| p.to_string()),
        leaf: children.is_empty(),
    });
    for child in children {
        flatten(child, Some(node.id), into);
    }
}

/// `TEXT` → text, `ENUM` → dictionary, `BOOLEAN`, `NUMERIC` → number; the unit is the default
/// unit's name.
pub(super) fn attributes(category: &str, parameters: &CategoryParameters) -> CategoryAttributes {
    CategoryAttributes {
        category: category.to_owned(),
        attributes: parameters
            .parameters
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(attribute)
            .collect(),
    }
}

fn attribute(parameter: &Parameter) -> MarketAttribute {
    let kind = match parameter.kind.as_str() {
        "ENUM" => AttributeKind::Dictionary,
        "BOOLEAN" => AttributeKind::Boolean,
        "NUMERIC" => AttributeKind::Number,
        _ => AttributeKind::Text,
    };
    let unit = parameter.unit.as_ref().and_then(|unit| {
        unit.units
            .iter()
            .find(|u| u.id == unit.default_unit_id)
            .map(|u| u.name.clone())
    });
    MarketAttribute {
        id: parameter.id.to_string(),
        name: parameter.name.clone().unwrap_or_default(),
        kind,
        required: parameter.required,
        multi_valued: parameter.multivalue,
        // an open dictionary is not checked against its listed values
        values: if parameter.allow_custom_values {
            Vec::new()
        } else {
            parameter
                .values
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|v| DictionaryValue {
                    id: v.id.to_string(),
                    value: v.value.clone(),
                })
                .collect()
        },
        unit,
    }
}

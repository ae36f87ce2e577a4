//! The category tree and the attributes of a leaf (description category × product type), with
//! the values of dictionary attributes.

use carpetti_marketplace::{
    AttributeKind, CategoryAttributes, DictionaryValue, MarketAttribute, MarketCategory, MpError,
};

use super::{OzonConnector, errors, op, wire};

/// Values per `/attribute/values` page (the documented maximum).
const VALUES_PER_PAGE: i64 = 2000;
/// Dictionaries longer than this many pages (brands hold millions) are left open: their values
/// are not fetched and not checked before sending.
const MAX_VALUE_PAGES: usize = 5;

/// `description_category_id/type_id` as the two ids.
pub(crate) fn parse_category(category: &str) -> Option<(i64, i64)> {
    let (category_id, type_id) = category.split_once('/')?;
    let category_id = category_id.trim().parse().ok()?;
    let type_id = type_id.trim().parse().ok()?;
    (category_id > 0 && type_id > 0).then_some((category_id, type_id))
}

impl OzonConnector {
    pub(crate) async fn category_tree(&self) -> Result<Vec<MarketCategory>, MpError> {
        let tree: wire::TreeResponse = self
            .post(
                op::TREE,
                &wire::TreeRequest {
                    language: "DEFAULT",
                },
            )
            .await?;
        let mut found = Vec::new();
        for node in &tree.result {
            flatten(node, None, 0, &mut found);
        }
        Ok(found)
    }

    pub(crate) async fn attributes_of(
        &self,
        category: &str,
    ) -> Result<CategoryAttributes, MpError> {
        let (category_id, type_id) = parse_category(category).ok_or_else(|| {
            errors::not_sendable(
                op::ATTRIBUTES,
                "bad_category",
                format!("`{category}` is not description_category_id/type_id"),
            )
        })?;
        let listed: wire::AttributesResponse = self
            .post(
                op::ATTRIBUTES,
                &wire::AttributesRequest {
                    description_category_id: category_id,
                    type_id,
                    language: "DEFAULT",
                },
            )
            .await?;
        let mut attributes = Vec::with_capacity(listed.result.len());
        for attribute in listed.result {
            let kind = kind_of(&attribute);
            let values = if kind == AttributeKind::Dictionary {
                self.values_of(category_id, type_id, attribute.id).await?
            } else {
                Vec::new()
            };
            attributes.push(MarketAttribute {
                id: attribute.id.to_string(),
                name: attribute.name,
                kind,
                required: attribute.is_required,
                multi_valued: attribute.is_collection,
                values,
                unit: None,
            });
        }
        Ok(CategoryAttributes {
            category: category.to_owned(),
            attributes,
        })
    }

    /// The values of a dictionary attribute, or none when it is too long to fetch.
    async fn values_of(
        &self,
        category_id: i64,
        type_id: i64,
        attribute_id: i64,
    ) -> Result<Vec<DictionaryValue>, MpError> {
        let mut values = Vec::new();
        let mut last_value_id = 0;
        for _ in 0..MAX_VALUE_PAGES {
            let page: wire::ValuesResponse = self
                .post(
                    op::VALUES,
                    &wire::ValuesRequest {
                        attribute_id,
                        description_category_id: category_id,
                        type_id,
                        language: "DEFAULT",
                        last_value_id,
                        limit: VALUES_PER_PAGE,
                    },
                )
                .await?;
            let Some(last) = page.result.last() else {
                return Ok(values);
            };
            last_value_id = last.id;
            values.extend(page.result.into_iter().map(|v| DictionaryValue {
                id: v.id.to_string(),
                value: v.value,
            }));
            if !page.has_next {
                return Ok(values);
            }
        }
        tracing::debug!(attribute_id, "dictionary too long to fetch; left unchecked");
        Ok(Vec::new())
    }
}

fn kind_of(attribute: &wire::Attribute) -> AttributeKind {
    if attribute.dictionary_id != 0 {
        return AttributeKind::Dictionary;
    }
    match attribute.kind.to_lowercase().as_str() {
        "integer" | "decimal" => AttributeKind::Number,
        "boolean" => AttributeKind::Boolean,
        _ => AttributeKind::Text,
    }
}

/// Description categories become inner nodes (`description_category_id`), product types the
/// leaves (`description_category_id/type_id`). Disabled nodes are left out: nothing can be
/// created in them.
fn flatten(
    node: &wire::TreeNode,
    parent: Option<(&str, i64)>,
    depth: usize,
    found: &mut Vec<MarketCategory>,
) {
    if node.disabled || depth > 32 {
        return;
    }
    if node.type_id != 0 {
        let Some((parent_id, category_id)) = parent else {
            return;
        };
        found.push(MarketCategory {
            id: format!("{category_id}/{}", node.type_id),
            name: node.type_name.clone(),
            parent_id: Some(parent_id.to_owned()),
            leaf: true,
        });
        return;
    }
    let id = node.description_category_id.to_string();
    found.push(MarketCategory {
        id: id.clone(),
        name: node.category_name.clone(),
        parent_id: parent.map(|(p, _)| p.to_owned()),
        leaf: false,
    });
    for child in &node.children {
        flatten(
            child,
            Some((&id, node.description_category_id)),
            depth + 1,
            found,
        );
    }
}

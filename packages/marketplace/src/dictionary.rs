//! Marketplace dictionaries — categories and their attributes with allowed values — and the check
//! of a card against them before it is sent.

use serde::{Deserialize, Serialize};

use crate::{Card, Problem};

/// A marketplace category; cards go only to leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketCategory {
    /// The id cards use (Ozon: `description_category_id/type_id`).
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub leaf: bool,
}

/// The kind of values an attribute takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Text,
    Number,
    Boolean,
    /// One of the dictionary values (`values`).
    Dictionary,
}

/// One allowed value of a dictionary attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictionaryValue {
    pub id: String,
    pub value: String,
}

/// An attribute of a marketplace category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketAttribute {
    pub id: String,
    pub name: String,
    pub kind: AttributeKind,
    pub required: bool,
    pub multi_valued: bool,
    /// Allowed values of a dictionary attribute (may be empty when the dictionary is open or too
    /// large to fetch; then values are not checked).
    pub values: Vec<DictionaryValue>,
    pub unit: Option<String>,
}

/// The attributes of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryAttributes {
    pub category: String,
    pub attributes: Vec<MarketAttribute>,
}

impl CategoryAttributes {
    pub fn attribute(&self, id: &str) -> Option<&MarketAttribute> {
        self.attributes.iter().find(|a| a.id == id)
    }

    /// Fills in the dictionary value id of every dictionary-attribute value given only as text,
    /// where the dictionary knows the text (marketplaces such as Ozon want the id).
    pub fn resolve(&self, card: &mut Card) {
        for card_attribute in &mut card.attributes {
            let Some(attribute) = self.attribute(&card_attribute.id) else {
                continue;
            };
            if attribute.kind != AttributeKind::Dictionary {
                continue;
            }
            for value in &mut card_attribute.values {
                if value.dictionary_id.is_none() {
                    value.dictionary_id = attribute
                        .values
                        .iter()
                        .find(|v| same_text(&v.value, &value.value))
                        .map(|v| v.id.clone());
                }
            }
        }
    }

    /// What is wrong with `card` for this category: required attributes missing, values that are
    /// not numbers or booleans where the marketplace wants them, dictionary values it does not
    /// know, several values for a single-valued attribute. Empty when the card may be sent.
    pub fn check(&self, card: &Card) -> Vec<Problem> {
        let mut problems = Vec::new();
        for attribute in &self.attributes {
            let values = card
                .attribute(&attribute.id)
                .map(|a| a.values.as_slice())
                .unwrap_or_default();
            let values: Vec<_> = values
                .iter()
                .filter(|v| !v.value.trim().is_empty())
                .collect();
            if values.is_empty() {
                if attribute.required {
                    problems.push(
                        Problem::new(
                            "missing_attribute",
                            format!(
                                "required attribute «{}» ({}) of category {} is missing",
                                attribute.name, attribute.id, self.category
                            ),
                        )
                        .on_attribute(&attribute.id),
                    );
                }
                continue;
            }
            if values.len() > 1 && !attribute.multi_valued {
                problems.push(
                    Problem::new(
                        "too_many_values",
                        format!(
                            "attribute «{}» ({}) takes one value, got {}",
                            attribute.name,
                            attribute.id,
                            values.len()
                        ),
                    )
                    .on_attribute(&attribute.id),
                );
            }
            for value in values {
                if let Some(problem) =
                    check_value(attribute, &value.value, value.dictionary_id.as_deref())
                {
                    problems.push(problem.on_attribute(&attribute.id));
                }
            }
        }
        problems
    }
}

/// Dictionary values compare without case and surrounding spaces (Cyrillic included).
fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn check_value(
    attribute: &MarketAttribute,
    value: &str,
    dictionary_id: Option<&str>,
) -> Option<Problem> {
    let value = value.trim();
    match attribute.kind {
        AttributeKind::Text => None,
        AttributeKind::Number => value.replace(',', ".").parse::<f64>().is_err().then(|| {
            Problem::new(
                "not_a_number",
                format!(
                    "attribute «{}» ({}) wants a number, got «{value}»",
                    attribute.name, attribute.id
                ),
            )
        }),
        AttributeKind::Boolean => (!matches!(
            value.to_lowercase().as_str(),
            "true" | "false" | "да" | "нет" | "1" | "0"
        ))
        .then(|| {
            Problem::new(
                "not_a_boolean",
                format!(
                    "attribute «{}» ({}) wants yes or no, got «{value}»",
                    attribute.name, attribute.id
                ),
            )
        }),
        AttributeKind::Dictionary => {
            if attribute.values.is_empty() {
                return None;
            }
            let known = attribute
                .values
                .iter()
                .any(|v| dictionary_id.is_some_and(|id| id == v.id) || same_text(&v.value, value));
            (!known).then(|| {
                Problem::new(
                    "unknown_value",
                    format!(
                        "«{value}» is not a value of attribute «{}» ({})",
                        attribute.name, attribute.id
                    ),
                )
            })
        }
    }
}

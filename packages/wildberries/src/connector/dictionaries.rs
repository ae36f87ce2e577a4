//! Subjects (WB's leaf categories, under parent categories), their characteristics, and the
//! directories of the characteristics whose values WB lists (colour, gender, country, season, VAT).

use std::collections::BTreeMap;
use std::sync::Arc;

use carpetti_marketplace::{
    AttributeKind, CategoryAttributes, DictionaryValue, MarketAttribute, MarketCategory,
    Marketplace, MpError,
};
use serde_json::Value;

use super::wire::{Charc, NamedValue, Subject};
use super::{Host, WildberriesConnector, errors, op};

/// Subjects per page of `/content/v2/object/all` (the documented maximum).
const SUBJECTS_PER_PAGE: usize = 1000;

/// The directory listing the values of a characteristic, by its name.
pub(crate) fn directory_of(charc_name: &str) -> Option<&'static str> {
    match charc_name.trim().to_lowercase().as_str() {
        "цвет" => Some("/content/v2/directory/colors"),
        "пол" => Some("/content/v2/directory/kinds"),
        "страна производства" => Some("/content/v2/directory/countries"),
        "сезон" => Some("/content/v2/directory/seasons"),
        "ставка ндс" => Some("/content/v2/directory/vat"),
        _ => None,
    }
}

/// The subject id of a card category (WB cards take a subject: `Card.category` = `subjectID`).
pub(crate) fn subject_id(category: &str) -> Option<i64> {
    category.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

impl WildberriesConnector {
    pub(super) async fn subjects(&self) -> Result<Vec<MarketCategory>, MpError> {
        let mut parents = BTreeMap::new();
        let mut leaves = Vec::new();
        let mut offset = 0;
        loop {
            let path = format!("/content/v2/object/all?limit={SUBJECTS_PER_PAGE}&offset={offset}");
            let call = self.get(op::SUBJECTS, Host::Content, &path);
            let page: Vec<Subject> =
                errors::envelope_ok(&self.send(&call).await?, op::SUBJECTS)?.unwrap_or_default();
            let count = page.len();
            for subject in page {
                parents
                    .entry(subject.parent_id)
                    .or_insert_with(|| subject.parent_name.clone());
                leaves.push(MarketCategory {
                    id: subject.subject_id.to_string(),
                    name: subject.subject_name,
                    parent_id: Some(subject.parent_id.to_string()),
                    leaf: true,
                });
            }
            if count < SUBJECTS_PER_PAGE {
                break;
            }
            offset += count;
        }
        let mut categories: Vec<MarketCategory> = parents
            .into_iter()
            .map(|(id, name)| MarketCategory {
                id: id.to_string(),
                name,
                parent_id: None,
                leaf: false,
            })
            .collect();
        categories.extend(leaves);
        Ok(categories)
    }

    /// The characteristics of a subject (cached for the connector's life).
    pub(super) async fn charcs(&self, subject_id: i64) -> Result<Arc<Vec<Charc>>, MpError> {
        if let Some(charcs) = self.memory.charcs(subject_id) {
            return Ok(charcs);
        }
        let path = format!("/content/v2/object/charcs/{subject_id}");
        let call = self.get(op::CHARCS, Host::Content, &path);
        let charcs: Vec<Charc> =
            errors::envelope_ok(&self.send(&call).await?, op::CHARCS)?.unwrap_or_default();
        let charcs = Arc::new(charcs);
        self.memory.remember_charcs(subject_id, Arc::clone(&charcs));
        Ok(charcs)
    }

    pub(super) async fn attributes(&self, category: &str) -> Result<CategoryAttributes, MpError> {
        let subject = subject_id(category).ok_or_else(|| MpError::Settings {
            marketplace: Marketplace::Wildberries,
            reason: format!("category `{category}` is not a WB subject id"),
        })?;
        let charcs = self.charcs(subject).await?;
        let mut attributes = Vec::with_capacity(charcs.len());
        for charc in charcs.iter().filter(|c| c.charc_type != 0) {
            let directory = directory_of(&charc.name);
            let values = match directory {
                Some(path) if charc.charc_type == 1 => self.directory(path).await?,
                _ => Vec::new(),
            };
            let kind = match (charc.charc_type, directory) {
                (4, _) => AttributeKind::Number,
                (_, Some(_)) => AttributeKind::Dictionary,
                _ => AttributeKind::Text,
            };
            attributes.push(MarketAttribute {
                id: charc.charc_id.to_string(),
                name: charc.name.clone(),
                kind,
                required: charc.required,
                multi_valued: charc.charc_type == 1 && charc.max_count != 1,
                values,
                unit: Some(charc.unit_name.clone()).filter(|u| !u.is_empty()),
            });
        }
        Ok(CategoryAttributes {
            category: subject.to_string(),
            attributes,
        })
    }

    /// A directory's values; WB identifies them by their text, so the id is the text.
    async fn directory(&self, path: &str) -> Result<Vec<DictionaryValue>, MpError> {
        let call = self.get(op::DIRECTORY, Host::Content, path);
        let data: Vec<Value> =
            errors::envelope_ok(&self.send(&call).await?, op::DIRECTORY)?.unwrap_or_default();
        Ok(data
            .into_iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text),
                other => serde_json::from_value::<NamedValue>(other)
                    .ok()
                    .map(|v| v.name),
            })
            .filter(|text| !text.is_empty())
            .map(|text| DictionaryValue {
                id: text.clone(),
                value: text,
            })
            .collect())
    }
}

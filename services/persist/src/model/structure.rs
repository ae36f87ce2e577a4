//! The catalog structure (Akeneo-style): the category tree, attribute groups, typed attributes and
//! their options, families (attribute sets with per-channel requirements) and the derived
//! completeness of products against their family's requirements.

use carpetti_util::Code;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text_enum;
use crate::StoreError;

/// A node of our category tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: Code,
    pub name: String,
    /// The parent; `None` = a root. Must exist and must not make a cycle.
    pub parent_id: Option<Uuid>,
    /// Sort position among siblings.
    pub position: i64,
}

impl Category {
    /// The normalized text searched by `ListQuery.text` (code, name).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.code.as_str(), self.name.as_str()])
    }
}

/// A group attributes are shown in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeGroup {
    pub code: Code,
    pub name: String,
    pub position: i64,
}

impl AttributeGroup {
    /// The normalized text searched by `ListQuery.text` (code, name).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.code.as_str(), self.name.as_str()])
    }
}

text_enum!(
    /// The type of an attribute's values.
    AttributeKind {
        Text => "text",
        Number => "number",
        Boolean => "boolean",
        Option => "option",
        Measure => "measure",
    }
);

/// A typed attribute products carry values of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub code: Code,
    pub name: String,
    pub kind: AttributeKind,
    pub group_id: Option<Uuid>,
    /// Required for `measure`, forbidden otherwise.
    pub unit: Option<String>,
    /// Only for `option`.
    pub multi_value: bool,
    pub position: i64,
}

impl Attribute {
    /// Checks the rules between the fields: `unit` is required for a measure and forbidden
    /// otherwise; `multi_value` only for an option attribute.
    pub fn validate(&self) -> Result<(), StoreError> {
        let has_unit = self.unit.as_deref().is_some_and(|u| !u.trim().is_empty());
        match (self.kind, has_unit) {
            (AttributeKind::Measure, false) => {
                return Err(StoreError::invalid(
                    "unit",
                    "is required for a measure attribute",
                ));
            }
            (kind, true) if kind != AttributeKind::Measure => {
                return Err(StoreError::invalid(
                    "unit",
                    format!(
                        "only a measure attribute has a unit, this one is {}",
                        kind.as_str()
                    ),
                ));
            }
            _ => {}
        }
        if self.multi_value && self.kind != AttributeKind::Option {
            return Err(StoreError::invalid(
                "multi_value",
                format!(
                    "only an option attribute can be multi-value, this one is {}",
                    self.kind.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// The normalized text searched by `ListQuery.text` (code, name).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.code.as_str(), self.name.as_str()])
    }
}

/// One allowed value of an option attribute; the code is unique per attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeOption {
    pub attribute_id: Uuid,
    pub code: Code,
    pub label: String,
    pub position: i64,
}

impl AttributeOption {
    /// The normalized text searched by `ListQuery.text` (code, label).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.code.as_str(), self.label.as_str()])
    }
}

/// The attributes a family requires for one channel, by codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyRequirement {
    pub channel_code: Code,
    /// Each must be among the family's attributes.
    pub attribute_codes: Vec<Code>,
}

/// A family: the attribute set of a kind of product, and which attributes are required per
/// channel. Members and requirements are given by codes; the store resolves them. As stored, codes
/// are sorted (requirements by channel code), since the tables hold sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub code: Code,
    pub name: String,
    pub attribute_codes: Vec<Code>,
    pub requirements: Vec<FamilyRequirement>,
}

impl Family {
    /// The normalized text searched by `ListQuery.text` (code, name).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.code.as_str(), self.name.as_str()])
    }
}

/// How complete a product is for a channel (read-only projection). `Record.refs` holds `sku` and
/// `channel_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completeness {
    pub product_id: Uuid,
    pub channel_id: Uuid,
    /// Number of attributes the family requires for the channel.
    pub required: i64,
    /// How many of them the product has a non-empty value for.
    pub filled: i64,
    /// Codes of the unfilled required attributes, sorted.
    pub missing: Vec<String>,
    pub computed_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(kind: AttributeKind, unit: Option<&str>, multi_value: bool) -> Attribute {
        Attribute {
            code: Code::parse("a").expect("code"),
            name: "A".into(),
            kind,
            group_id: None,
            unit: unit.map(str::to_owned),
            multi_value,
            position: 0,
        }
    }

    fn field_of(result: Result<(), StoreError>) -> Option<String> {
        match result {
            Err(StoreError::InvalidArgument { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn unit_and_multi_value_follow_the_kind() {
        assert!(
            attribute(AttributeKind::Measure, Some("mm"), false)
                .validate()
                .is_ok()
        );
        assert!(
            attribute(AttributeKind::Option, None, true)
                .validate()
                .is_ok()
        );
        assert_eq!(
            field_of(attribute(AttributeKind::Measure, None, false).validate()).as_deref(),
            Some("unit")
        );
        assert_eq!(
            field_of(attribute(AttributeKind::Text, Some("kg"), false).validate()).as_deref(),
            Some("unit")
        );
        assert_eq!(
            field_of(attribute(AttributeKind::Number, None, true).validate()).as_deref(),
            Some("multi_value")
        );
    }
}

//! The domain model of service_persist: one module per business concept, each type parsed from
//! untrusted input once (newtypes from `carpetti_util`) and stored as is. See docs/domain.md.

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub mod access;
pub mod channel;
pub mod crm;
pub mod file;
pub mod import;
pub mod link;
pub mod order;
pub mod process;
pub mod product;
pub mod structure;
pub mod supplier;

/// What the store keeps about every entity besides its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// UUIDv7 id.
    pub id: Uuid,
    /// The change sequence number of the last write (unique across the database).
    pub change_seq: i64,
    /// When the entity was created.
    pub created_at: DateTime<Utc>,
    /// When the entity was last written.
    pub updated_at: DateTime<Utc>,
}

/// A stored entity: its metadata, its content, and the business keys of the entities it refers
/// to (read-only, e.g. `supplier_code` beside `supplier_id`) for people reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T> {
    /// Id, change sequence, timestamps.
    pub meta: Meta,
    /// The content.
    pub value: T,
    /// Business keys of referenced entities, by proto field name.
    pub refs: Refs,
}

/// Read-only business keys of referenced entities, filled by the store when it reads a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs(std::collections::BTreeMap<&'static str, String>);

impl Refs {
    /// Records the key of a referenced entity (absent references are simply not set).
    pub fn set(&mut self, field: &'static str, key: Option<String>) {
        if let Some(key) = key {
            self.0.insert(field, key);
        }
    }

    /// The key for a proto field, or empty.
    pub fn get(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_default()
    }
}

/// How a caller names one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// By id.
    Id(Uuid),
    /// By business key (SKU, code, login…).
    Key(String),
    /// By a business key unique within a scope (offer id within a supplier, external id within a
    /// channel).
    ScopedKey(Uuid, String),
}

/// An update of an entity: which one, and optionally the change sequence the caller last saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The entity's id.
    pub id: Uuid,
    /// When set, the write fails with `Conflict` unless the stored `change_seq` equals it.
    pub expected_seq: Option<i64>,
}

/// Filters of a list request. Each list honours a documented subset and rejects the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Page size, 1..=1000.
    pub limit: u32,
    /// Only rows with `change_seq` greater than this (the cursor and "changed since N" combined).
    pub after_seq: i64,
    /// Normalized search text.
    pub text: Option<String>,
    pub supplier_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub channel_id: Option<Uuid>,
    pub status: Option<String>,
    pub parent_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub attribute_id: Option<Uuid>,
    pub import_run_id: Option<Uuid>,
}

impl ListFilter {
    /// Default page size.
    pub const DEFAULT_LIMIT: u32 = 100;
    /// Largest page size.
    pub const MAX_LIMIT: u32 = 1000;

    /// A filter with the default page size and nothing else.
    pub fn new() -> Self {
        Self {
            limit: Self::DEFAULT_LIMIT,
            ..Self::default()
        }
    }

    /// Fails with INVALID_ARGUMENT if a filter outside `allowed` is set.
    pub fn allow_only(&self, allowed: &[&str]) -> Result<(), crate::StoreError> {
        let set = [
            ("text", self.text.is_some()),
            ("supplier_id", self.supplier_id.is_some()),
            ("category_id", self.category_id.is_some()),
            ("channel_id", self.channel_id.is_some()),
            ("status", self.status.is_some()),
            ("parent_id", self.parent_id.is_some()),
            ("product_id", self.product_id.is_some()),
            ("customer_id", self.customer_id.is_some()),
            ("order_id", self.order_id.is_some()),
            ("attribute_id", self.attribute_id.is_some()),
            ("import_run_id", self.import_run_id.is_some()),
        ];
        match set.iter().find(|(name, on)| *on && !allowed.contains(name)) {
            Some((name, _)) => Err(crate::StoreError::invalid(
                *name,
                format!(
                    "this list cannot be filtered by {name}; it supports: {}",
                    allowed.join(", ")
                ),
            )),
            None => Ok(()),
        }
    }
}

/// One page of a list, in change-sequence order.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The entities.
    pub items: Vec<Record<T>>,
    /// The `after_seq` of the next page, when there is one.
    pub next_after_seq: Option<i64>,
}

/// Declares a closed set of lower-case text values stored in a `CHECK`-constrained column.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the stored text.
            pub fn parse(text: &str) -> Result<Self, carpetti_util::ParseError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(carpetti_util::ParseError(format!(
                        "{other:?} is not one of: {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}
pub(crate) use text_enum;

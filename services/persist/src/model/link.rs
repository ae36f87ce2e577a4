//! Links: association types, product-to-product links (packages, variants, related goods) and the
//! tie from a supplier's offer to our product. See docs/domain.md, "Links".

use carpetti_util::{Code, Quantity};
use uuid::Uuid;

use crate::StoreError;

/// A kind of product-to-product link. Built-in: `PACKAGE` (quantified), `VARIANT` and `RELATED`
/// (two-way), `SIMILAR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationType {
    pub code: Code,
    pub name: String,
    /// Links of this type carry a quantity (packages: N units of the target).
    pub quantified: bool,
    /// A link of this type holds in both directions: one row stands for both, so the reverse of an
    /// existing link is a duplicate.
    pub two_way: bool,
}

/// Ids of the built-in association types (fixed by the migration, shared by every installation).
pub mod builtin {
    use uuid::Uuid;

    /// `PACKAGE`: the pack product → its base product, quantity N.
    pub const PACKAGE: Uuid = Uuid::from_u128(0x01941f29_7c00_7000_8000_000000000001);
    /// `VARIANT`: two-way.
    pub const VARIANT: Uuid = Uuid::from_u128(0x01941f29_7c00_7000_8000_000000000002);
    /// `RELATED`: two-way.
    pub const RELATED: Uuid = Uuid::from_u128(0x01941f29_7c00_7000_8000_000000000003);
    /// `SIMILAR`: one-way.
    pub const SIMILAR: Uuid = Uuid::from_u128(0x01941f29_7c00_7000_8000_000000000004);
}

/// A link from one product to another. Business key: (type, source, target); for two-way types the
/// pair is unordered. A *package* is a `PACKAGE` link from the pack product to its base product
/// with quantity N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductLink {
    pub association_type_id: Uuid,
    pub source_product_id: Uuid,
    pub target_product_id: Uuid,
    /// Units of the target; exactly 1 unless the type is quantified (checked by the store, which
    /// knows the type).
    pub quantity: Quantity,
}

impl ProductLink {
    /// Checks what needs no database: a product cannot link to itself.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.source_product_id == self.target_product_id {
            return Err(StoreError::invalid(
                "target_product_id",
                "a product cannot link to itself",
            ));
        }
        Ok(())
    }
}

/// Ties a supplier's offer to the product it supplies: one product per supplier item, many supplier
/// items per product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierItemLink {
    pub supplier_item_id: Uuid,
    pub product_id: Uuid,
    /// Priority among the product's offers, ≥ 0: lower wins; the best offer drives price and stock.
    pub priority: i64,
}

impl SupplierItemLink {
    /// Checks what needs no database: the priority is not negative.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.priority < 0 {
            return Err(StoreError::invalid(
                "priority",
                format!("must not be negative, got {}", self.priority),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ids_match_the_migration() {
        assert_eq!(
            builtin::PACKAGE.to_string(),
            "01941f29-7c00-7000-8000-000000000001"
        );
        assert_eq!(
            builtin::SIMILAR.to_string(),
            "01941f29-7c00-7000-8000-000000000004"
        );
    }

    #[test]
    fn self_link_names_the_target() {
        let id = Uuid::now_v7();
        let link = ProductLink {
            association_type_id: builtin::RELATED,
            source_product_id: id,
            target_product_id: id,
            quantity: Quantity::ONE,
        };
        let err = link.validate().expect_err("self link");
        assert!(
            matches!(err, StoreError::InvalidArgument { field, .. } if field == "target_product_id")
        );
    }
}

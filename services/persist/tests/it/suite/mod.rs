//! Behavioural tests, one module per business concept, each a function of a `DynStore`.

pub mod access;
pub mod api;
pub mod crm;
pub mod orders;
pub mod change_feed;
pub mod changes;
pub mod files;
pub mod import_reports;
pub mod imports;
pub mod processes;
pub mod fixtures;
pub mod links;
pub mod channels;
pub mod products;
pub mod products_bulk;
pub mod structure;
pub mod structure_attributes;
pub mod structure_families;
pub mod suppliers;

//! Behavioural tests, one module per business concept, each a function of a `DynStore`.

pub mod access;
pub mod api;
pub mod api_sync;
pub mod change_feed;
pub mod changes;
pub mod channels;
pub mod crm;
pub mod files;
pub mod fixtures;
pub mod import_reports;
pub mod imports;
pub mod links;
pub mod orders;
pub mod processes;
pub mod products;
pub mod products_bulk;
pub mod structure;
pub mod structure_attributes;
pub mod structure_families;
pub mod supplier_sync;
pub mod suppliers;

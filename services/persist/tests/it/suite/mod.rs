//! Behavioural tests, one module per business concept, each a function of a `DynStore`.

pub mod changes;
pub mod fixtures;
pub mod suppliers;

//! The behavioural suite, one module per concept; each function takes the harness of a backend.

pub mod basics;
pub mod invalidation;
pub mod leases;
pub mod loads;
pub mod typed;

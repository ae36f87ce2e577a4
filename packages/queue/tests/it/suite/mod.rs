//! The behavioural suite: every case takes a [`crate::backends::TestBus`] (and for the outbox a
//! [`crate::db::TestDb`]) and must pass on every backend.

pub mod consumer;
pub mod delivery;
pub mod durability;
pub mod ephemeral;
pub mod instrument;
pub mod outbox;
pub mod retry;
pub mod store;

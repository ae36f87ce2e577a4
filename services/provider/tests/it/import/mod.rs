//! The import pipeline end to end against a real service_persist, on SQLite and on PostgreSQL.

mod feeds;
pub mod harness;
mod lifecycle;

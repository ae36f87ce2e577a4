//! The import pipeline end to end against a real service_persist, on SQLite and on PostgreSQL.

pub mod feed_server;
mod feeds;
pub mod harness;
mod interrupted;
mod lifecycle;
mod scale;

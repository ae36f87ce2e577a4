//! carpetti-wildberries: the connector against its loopback sandbox.

mod auth;
mod common;
mod dictionaries;
mod faults;
mod limits;
mod orders;
mod prices_stocks;
mod publish;
mod sandbox;
mod schema;

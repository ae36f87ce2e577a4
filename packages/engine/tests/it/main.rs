//! carpetti-engine's integration tests: the BPMN conformance suite (testdata/bpmn, one behaviour
//! per file) over the in-memory engine, and the models refused at deployment.

mod conformance;
mod official_clients;
mod persisted;
mod refusals;
mod rest;
mod rust_client;
mod support;

//! The Camunda REST API over HTTP: a real server (`rest::router` on 127.0.0.1:0) over the
//! persisted engine on SQLite, driven with reqwest the way the JS/Python workers drive Camunda.

mod flow;
mod protocol;
mod support;

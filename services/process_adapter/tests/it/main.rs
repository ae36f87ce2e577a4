//! process_adapter's integration tests: the protocol against the embedded engine, engine calls
//! counted at the engine, fan-out, dropping silent clients, two instances sharing channels on
//! both backend sets, and the live page in Chromium.

mod browser;
mod cluster;
mod definition;
mod fanout;
mod protocol;
mod support;

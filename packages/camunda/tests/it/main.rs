//! Integration tests of carpetti-camunda against a loopback of the documented Camunda 7 REST
//! endpoints (`support::loopback`), which records the exact requests the client sends.

mod calls;
mod reports;
mod resilience;
mod support;
mod worker;

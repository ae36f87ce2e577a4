//! carpetti-provider's integration tests: one binary, one module per area.

mod consumer;
mod formats;
mod grpc;
mod import;
mod normalize;
mod source_http;
mod validators;

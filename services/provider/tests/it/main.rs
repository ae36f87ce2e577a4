//! carpetti-provider's integration tests: one binary, one module per area.

mod formats;
mod import;
mod normalize;
mod source_http;

//! Why the adapter could not start or serve.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("binding {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("serving HTTP: {0}")]
    Serve(std::io::Error),
}

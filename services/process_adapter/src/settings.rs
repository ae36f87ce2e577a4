//! [`AdapterSettings`]: where the adapter listens and how it paces polls and treats sockets.

use std::net::{Ipv4Addr, SocketAddr};

use crate::stats::Pacing;
use crate::ws::SocketSettings;

/// Everything the adapter is built with, besides the engine and the cluster.
#[derive(Debug, Clone)]
pub struct AdapterSettings {
    /// The HTTP port of `/ws`, `/processes/{businessKey}` and `/health`.
    pub listen: SocketAddr,
    pub pacing: Pacing,
    pub sockets: SocketSettings,
    /// Open sockets allowed at once (this machine allows 20,000 descriptors per process).
    pub max_connections: usize,
    /// Per-socket read buffer: tungstenite's default of 128 KiB per idle socket is what the
    /// research measured at 135 KB per connection; 4 KiB gives about 7 KB.
    pub read_buffer: usize,
    /// Cap of a socket's pending output (a stuck peer cannot grow it beyond).
    pub max_write_buffer: usize,
    /// The largest message a client may send (they only subscribe and unsubscribe).
    pub max_incoming: usize,
}

impl Default for AdapterSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8090)),
            pacing: Pacing::default(),
            sockets: SocketSettings::default(),
            max_connections: 18_000,
            read_buffer: 4096,
            max_write_buffer: 4 << 20,
            max_incoming: 64 << 10,
        }
    }
}

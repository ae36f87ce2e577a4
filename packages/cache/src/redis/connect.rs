//! Opening a Redis connection the way every Redis-backed type of this crate does: the URL checked
//! (and never repeated in an error: it may carry a password), a lazily connecting, reconnecting
//! redis-rs `ConnectionManager` with the options' connect and response timeouts.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::options::RedisOptions;
use crate::error::CacheError;

/// A client, its managed connection, and the server's address for logs.
pub(crate) struct Connection {
    pub client: redis::Client,
    pub conn: ConnectionManager,
    pub address: String,
}

/// Opens `url` lazily: only a bad URL fails here; an unreachable server shows on the first call.
pub(crate) fn open(url: &str, options: &RedisOptions) -> Result<Connection, CacheError> {
    let client = redis::Client::open(url).map_err(|e| CacheError::InvalidUrl(e.to_string()))?;
    let address = client.get_connection_info().addr().to_string();
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(options.connect_timeout))
        .set_response_timeout(Some(options.command_timeout))
        .set_number_of_retries(3)
        .set_max_delay(Duration::from_secs(1));
    let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
        .map_err(|e| CacheError::InvalidUrl(e.to_string()))?;
    Ok(Connection {
        client,
        conn,
        address,
    })
}

//! The Redis leases: a lease is the key `carpetti:<namespace>:lease:<name>` holding the holder's
//! name with a `PX` expiry. `acquire` is one Lua script (take if missing, renew if ours, else name
//! the holder) and `release` a compare-and-delete script, so each is atomic in Redis whatever
//! number of instances race. Every call has the options' command timeout; a failed or timed-out
//! call is [`CacheError::Unavailable`] (no circuit breaker: each caller must learn of an outage).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::ConnectionManager;
use ::redis::{RedisResult, Script};

use super::{Lease, Leases, check_acquire, check_holder, check_name};
use crate::error::CacheError;
use crate::key;
use crate::redis::RedisOptions;
use crate::redis::connect::{self, Connection};

/// KEYS[1] the lease, ARGV[1] the holder, ARGV[2] the TTL in ms.
const ACQUIRE: &str = r"
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'acquired'}
end
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'renewed'}
end
return {'held', current}
";

/// KEYS[1] the lease, ARGV[1] the holder; 1 when deleted.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Leases in Redis. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct RedisLeases {
    inner: Arc<Inner>,
}

struct Inner {
    namespace: Arc<str>,
    /// `carpetti:<namespace>:lease:`
    prefix: String,
    address: String,
    conn: ConnectionManager,
    command_timeout: Duration,
    connect_timeout: Duration,
    acquire: Script,
    release: Script,
}

impl RedisLeases {
    /// Connects to Redis at `url` (`redis://[user:password@]host:port[/db]`). Of the options,
    /// `namespace`, `command_timeout` (the deadline of every call) and `connect_timeout` apply;
    /// the breaker and near-cache settings do not. Only a bad URL or namespace fails: an
    /// unreachable Redis is logged and every call fails with [`CacheError::Unavailable`] until it
    /// is back. Must run inside a Tokio runtime.
    ///
    /// Leases live under `carpetti:<namespace>:lease:`; a [`crate::RedisCache`] in the same
    /// namespace would see them as its keys `lease:…` (and its `delete_prefix("")` would drop
    /// them), so give leases a namespace of their own.
    pub async fn connect(url: &str, options: RedisOptions) -> Result<Self, CacheError> {
        let namespace = key::namespace(&options.namespace)?;
        let Connection { conn, address, .. } = connect::open(url, &options)?;
        let leases = Self {
            inner: Arc::new(Inner {
                prefix: format!("{}lease:", key::namespace_prefix(&namespace)),
                namespace,
                address,
                conn,
                command_timeout: options.command_timeout,
                connect_timeout: options.connect_timeout,
                acquire: Script::new(ACQUIRE),
                release: Script::new(RELEASE),
            }),
        };
        if let Err(e) = leases.ping().await {
            tracing::warn!(address = %leases.inner.address, error = %e,
                "Redis is not reachable: no lease can be taken until it is");
        }
        Ok(leases)
    }

    /// Checks that Redis answers (a health check).
    pub async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.inner.conn.clone();
        let ping = async move { ::redis::cmd("PING").query_async::<String>(&mut conn).await };
        self.call("ping", self.inner.connect_timeout, ping)
            .await
            .map(drop)
    }

    fn full(&self, name: &str) -> String {
        format!("{}{name}", self.inner.prefix)
    }

    /// Runs one Redis call under `timeout`; a failure or timeout is [`CacheError::Unavailable`].
    async fn call<T>(
        &self,
        op: &'static str,
        timeout: Duration,
        call: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, CacheError> {
        let address = &self.inner.address;
        let error = match tokio::time::timeout(timeout, call).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => format!("lease {op} on Redis {address} failed: {e}"),
            Err(_) => format!("lease {op} on Redis {address}: no answer within {timeout:?}"),
        };
        tracing::debug!(op, namespace = %self.inner.namespace, %error, "lease call failed");
        Err(CacheError::Unavailable(error))
    }
}

#[async_trait::async_trait]
impl Leases for RedisLeases {
    async fn acquire(&self, name: &str, holder: &str, ttl: Duration) -> Result<Lease, CacheError> {
        check_acquire(name, holder, ttl)?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let mut conn = self.inner.conn.clone();
        let mut invocation = self.inner.acquire.prepare_invoke();
        invocation.key(self.full(name)).arg(holder).arg(ms);
        let script = async move { invocation.invoke_async::<Vec<Vec<u8>>>(&mut conn).await };
        let answer = self
            .call("acquire", self.inner.command_timeout, script)
            .await?;
        match answer.as_slice() {
            [state] if state == b"acquired" => Ok(Lease::Acquired),
            [state] if state == b"renewed" => Ok(Lease::Renewed),
            [state, other] if state == b"held" => {
                Ok(Lease::HeldBy(String::from_utf8_lossy(other).into_owned()))
            }
            _ => Err(CacheError::Unavailable(format!(
                "lease acquire on Redis {}: unexpected answer of the script ({} parts)",
                self.inner.address,
                answer.len()
            ))),
        }
    }

    async fn release(&self, name: &str, holder: &str) -> Result<bool, CacheError> {
        check_name(name)?;
        check_holder(holder)?;
        let mut conn = self.inner.conn.clone();
        let mut invocation = self.inner.release.prepare_invoke();
        invocation.key(self.full(name)).arg(holder);
        let script = async move { invocation.invoke_async::<u64>(&mut conn).await };
        let deleted = self
            .call("release", self.inner.command_timeout, script)
            .await?;
        Ok(deleted > 0)
    }

    async fn holder(&self, name: &str) -> Result<Option<String>, CacheError> {
        check_name(name)?;
        let mut conn = self.inner.conn.clone();
        let mut get = ::redis::cmd("GET");
        get.arg(self.full(name));
        let get = async move { get.query_async::<Option<Vec<u8>>>(&mut conn).await };
        let holder = self.call("holder", self.inner.command_timeout, get).await?;
        Ok(holder.map(|h| String::from_utf8_lossy(&h).into_owned()))
    }

    fn describe(&self) -> String {
        format!(
            "redis {} leases in namespace {}",
            self.inner.address, self.inner.namespace
        )
    }
}

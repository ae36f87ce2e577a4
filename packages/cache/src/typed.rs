//! Typed helpers over the byte cache: protobuf messages (prost) and JSON values (serde). A cached
//! value that no longer decodes (its type changed between deployments) counts as a miss: it is
//! deleted with a warning and loaded again.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cache::Cache;
use crate::error::{BoxError, CacheError};

/// How values of one encoding go to and come from bytes.
trait Codec<T> {
    fn encode(value: &T) -> Result<Bytes, String>;
    fn decode(bytes: &[u8]) -> Result<T, String>;
}

struct Json;
struct Proto;

impl<T: Serialize + DeserializeOwned> Codec<T> for Json {
    fn encode(value: &T) -> Result<Bytes, String> {
        serde_json::to_vec(value)
            .map(Bytes::from)
            .map_err(|e| e.to_string())
    }
    fn decode(bytes: &[u8]) -> Result<T, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

impl<T: prost::Message + Default> Codec<T> for Proto {
    fn encode(value: &T) -> Result<Bytes, String> {
        Ok(Bytes::from(value.encode_to_vec()))
    }
    fn decode(bytes: &[u8]) -> Result<T, String> {
        T::decode(bytes).map_err(|e| e.to_string())
    }
}

async fn get_typed<C, K, T>(cache: &C, key: &str) -> Result<Option<T>, CacheError>
where
    C: Cache + ?Sized,
    K: Codec<T>,
{
    let Some(bytes) = cache.get(key).await? else {
        return Ok(None);
    };
    match K::decode(&bytes) {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            tracing::warn!(cache = cache.namespace(), key, %error,
                "cached value does not decode: deleted, treated as a miss");
            cache.delete(key).await?;
            Ok(None)
        }
    }
}

async fn set_typed<C, K, T>(
    cache: &C,
    key: &str,
    value: &T,
    ttl: Duration,
) -> Result<(), CacheError>
where
    C: Cache + ?Sized,
    K: Codec<T>,
{
    let bytes = K::encode(value).map_err(|message| CacheError::Encode {
        key: key.to_owned(),
        message,
    })?;
    cache.set(key, bytes, ttl).await
}

async fn get_or_load_typed<C, K, T, F, Fut, E>(
    cache: &C,
    key: &str,
    ttl: Duration,
    load: F,
) -> Result<T, CacheError>
where
    C: Cache + ?Sized,
    K: Codec<T>,
    T: Send + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    E: Into<BoxError>,
{
    if let Some(value) = get_typed::<C, K, T>(cache, key).await? {
        return Ok(value);
    }
    let fut = load();
    let loader = async move {
        let value = fut.await.map_err(Into::into)?;
        K::encode(&value).map_err(BoxError::from)
    }
    .boxed();
    let bytes = cache.get_or_load(key, ttl, loader).await?;
    K::decode(&bytes).map_err(|message| CacheError::Decode {
        key: key.to_owned(),
        message,
    })
}

/// Typed access to any [`Cache`]: `*_json` for serde values, `*_proto` for prost messages.
pub trait CacheExt: Cache {
    /// The JSON value under `key` (a value that does not decode is deleted: a miss).
    fn get_json<T>(&self, key: &str) -> impl Future<Output = Result<Option<T>, CacheError>> + Send
    where
        T: Serialize + DeserializeOwned + Send,
    {
        get_typed::<Self, Json, T>(self, key)
    }

    /// Stores `value` as JSON.
    fn set_json<T>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), CacheError>> + Send
    where
        T: Serialize + DeserializeOwned + Sync,
    {
        set_typed::<Self, Json, T>(self, key, value, ttl)
    }

    /// [`Cache::get_or_load`] for a JSON value; `load` is called only if this caller starts
    /// the load.
    fn get_or_load_json<T, F, Fut, E>(
        &self,
        key: &str,
        ttl: Duration,
        load: F,
    ) -> impl Future<Output = Result<T, CacheError>> + Send
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        get_or_load_typed::<Self, Json, T, F, Fut, E>(self, key, ttl, load)
    }

    /// The protobuf message under `key` (a value that does not decode is deleted: a miss).
    fn get_proto<M>(&self, key: &str) -> impl Future<Output = Result<Option<M>, CacheError>> + Send
    where
        M: prost::Message + Default + Send,
    {
        get_typed::<Self, Proto, M>(self, key)
    }

    /// Stores `message` in its protobuf encoding.
    fn set_proto<M>(
        &self,
        key: &str,
        message: &M,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), CacheError>> + Send
    where
        M: prost::Message + Default + Sync,
    {
        set_typed::<Self, Proto, M>(self, key, message, ttl)
    }

    /// [`Cache::get_or_load`] for a protobuf message.
    fn get_or_load_proto<M, F, Fut, E>(
        &self,
        key: &str,
        ttl: Duration,
        load: F,
    ) -> impl Future<Output = Result<M, CacheError>> + Send
    where
        M: prost::Message + Default + Send + 'static,
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = Result<M, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        get_or_load_typed::<Self, Proto, M, F, Fut, E>(self, key, ttl, load)
    }
}

impl<C: Cache + ?Sized> CacheExt for C {}

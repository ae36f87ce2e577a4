//! The calling side: [`TokenIssuer`] signs (and caches) tokens, [`AuthInterceptor`] puts them on
//! outgoing gRPC requests.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, Header};
use secrecy::SecretString;
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use super::keys::SigningKey;
use super::{AuthError, Claims, SigningKeyConfig};

const DEFAULT_TTL: Duration = Duration::from_secs(60);
const MIN_TTL: Duration = Duration::from_secs(2);
const MAX_TTL: Duration = Duration::from_secs(3600);

/// Signs service tokens for one calling service, caching one per audience and signing a new one
/// once three quarters of the cached one's lifetime have passed. Cheap to clone (the cache is
/// shared).
#[derive(Clone)]
pub struct TokenIssuer {
    issuer: String,
    subject: String,
    key: SigningKey,
    ttl: Duration,
    cache: Arc<Mutex<HashMap<String, Cached>>>,
}

struct Cached {
    header: AsciiMetadataValue,
    refresh_at: Instant,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("kid", &self.key.kid)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// An issuer for the calling service `issuer` (e.g. `"process"`), signing with `key`; tokens
    /// live 60 s and their subject is the issuer.
    pub fn new(
        issuer: impl Into<String>,
        key: &SigningKeyConfig,
    ) -> Result<TokenIssuer, AuthError> {
        let issuer = issuer.into();
        Ok(TokenIssuer {
            subject: issuer.clone(),
            issuer,
            key: SigningKey::parse(key)?,
            ttl: DEFAULT_TTL,
            cache: Arc::default(),
        })
    }

    /// Sets the `sub` claim (e.g. the calling instance's id).
    pub fn with_subject(mut self, subject: impl Into<String>) -> TokenIssuer {
        self.subject = subject.into();
        self.cache = Arc::default();
        self
    }

    /// Sets the token lifetime (2 s to 1 h; whole seconds, rounded up).
    pub fn with_ttl(mut self, ttl: Duration) -> Result<TokenIssuer, AuthError> {
        if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
            return Err(AuthError::Lifetime(ttl));
        }
        self.ttl = Duration::from_secs(ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0));
        self.cache = Arc::default();
        Ok(self)
    }

    /// The calling service tokens are issued for.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A token for calls to `audience` (cached while fresh).
    pub fn token(&self, audience: &str) -> Result<SecretString, AuthError> {
        let header = self.header(audience)?;
        let text = header
            .to_str()
            .map_err(|e| AuthError::Sign(e.to_string()))?;
        Ok(SecretString::from(
            text.strip_prefix("Bearer ").unwrap_or(text),
        ))
    }

    /// A client interceptor adding tokens for `audience` (the called service) to every request.
    pub fn interceptor(&self, audience: impl Into<String>) -> AuthInterceptor {
        AuthInterceptor {
            issuer: self.clone(),
            audience: audience.into(),
        }
    }

    /// The `authorization` value for `audience`: cached, or freshly signed.
    fn header(&self, audience: &str) -> Result<AsciiMetadataValue, AuthError> {
        let now = Instant::now();
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = cache.get(audience)
            && now < cached.refresh_at
        {
            return Ok(cached.header.clone());
        }
        let token = self.sign(audience)?;
        let mut header: AsciiMetadataValue = MetadataValue::try_from(format!("Bearer {token}"))
            .map_err(|e| AuthError::Sign(e.to_string()))?;
        header.set_sensitive(true);
        cache.insert(
            audience.to_owned(),
            Cached {
                header: header.clone(),
                refresh_at: now + self.ttl * 3 / 4,
            },
        );
        Ok(header)
    }

    fn sign(&self, audience: &str) -> Result<String, AuthError> {
        let iat = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: audience.to_owned(),
            sub: self.subject.clone(),
            iat,
            exp: iat + self.ttl.as_secs(),
            jti: uuid::Uuid::now_v7().to_string(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.key.key)
            .map_err(|e| AuthError::Sign(e.to_string()))
    }
}

/// A tonic client interceptor that adds `authorization: Bearer <token>` for one called service.
/// Use with `XClient::with_interceptor(channel, interceptor)` or
/// `tonic::service::interceptor::InterceptedService::new`.
#[derive(Clone, Debug)]
pub struct AuthInterceptor {
    issuer: TokenIssuer,
    audience: String,
}

impl AuthInterceptor {
    /// The called service tokens are made for.
    pub fn audience(&self) -> &str {
        &self.audience
    }
}

impl Interceptor for AuthInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let header = self.issuer.header(&self.audience).map_err(|e| {
            tracing::error!(audience = %self.audience, error = %e, "cannot sign a service token");
            Status::internal(format!("cannot sign a service token: {e}"))
        })?;
        request.metadata_mut().insert("authorization", header);
        Ok(request)
    }
}

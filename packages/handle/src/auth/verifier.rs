//! The called side: [`Verifier`] checks a service token against the configured keys.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};

use super::keys::VerificationKey;
use super::{AuthError, Caller, Claims, VerificationKeyConfig};

const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);
/// Tokens meant to live longer than this are refused: service tokens are short-lived.
const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// Why a token was refused; its `Display` is the message sent with `UNAUTHENTICATED`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No `authorization` header.
    #[error("missing service token (authorization: Bearer <jwt>)")]
    Missing,
    /// An `authorization` header that is not `Bearer <token>`.
    #[error("authorization header is not `Bearer <jwt>`")]
    NotBearer,
    /// Not a decodable JWT, or its claims are not those of a service token.
    #[error("malformed service token: {0}")]
    Malformed(String),
    /// Signed with an algorithm other than EdDSA.
    #[error("service token algorithm {0} is not accepted (EdDSA only)")]
    Algorithm(String),
    /// No `kid` in the header.
    #[error("service token has no key id (kid)")]
    NoKeyId,
    /// A `kid` this service does not know (e.g. a retired key).
    #[error("service token key id `{0}` is unknown")]
    UnknownKeyId(String),
    /// The signature does not verify with the named key.
    #[error("service token signature is invalid")]
    BadSignature,
    /// Past its `exp` (beyond the leeway).
    #[error("service token expired")]
    Expired,
    /// Issued in the future (beyond the leeway).
    #[error("service token issued in the future")]
    NotYetValid,
    /// Its lifetime (`exp - iat`) is longer than allowed.
    #[error("service token lifetime exceeds {0} s")]
    TooLongLived(u64),
    /// Made for another service.
    #[error("service token audience is not `{0}`")]
    WrongAudience(String),
    /// Signed with a key that may not sign for its issuer.
    #[error("key `{kid}` may not sign for issuer `{issuer}`")]
    IssuerNotAllowed {
        /// The key id.
        kid: String,
        /// The token's issuer.
        issuer: String,
    },
}

/// Verifies service tokens for one called service. Cheap to clone; clones share the key set, so
/// [`Verifier::replace_keys`] on any clone rotates keys for all.
#[derive(Clone)]
pub struct Verifier {
    audience: Arc<str>,
    leeway: Duration,
    max_lifetime: Duration,
    keys: Arc<RwLock<Arc<HashMap<String, VerificationKey>>>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .field("key_ids", &self.key_ids())
            .finish()
    }
}

impl Verifier {
    /// A verifier for tokens addressed to `audience` (this service's name), accepting tokens
    /// signed by any of `keys`, with 5 s of leeway on `exp` and `iat`.
    pub fn new(
        audience: impl Into<String>,
        keys: &[VerificationKeyConfig],
    ) -> Result<Verifier, AuthError> {
        Ok(Verifier {
            audience: Arc::from(audience.into()),
            leeway: DEFAULT_LEEWAY,
            max_lifetime: DEFAULT_MAX_LIFETIME,
            keys: Arc::new(RwLock::new(Arc::new(parse_keys(keys)?))),
        })
    }

    /// Sets the clock-skew leeway on `exp` and `iat`.
    pub fn with_leeway(mut self, leeway: Duration) -> Verifier {
        self.leeway = leeway;
        self
    }

    /// The service tokens must be addressed to.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Replaces the key set (e.g. adds the new key of a rotation, or retires the old one). On an
    /// error the current keys stay.
    pub fn replace_keys(&self, keys: &[VerificationKeyConfig]) -> Result<(), AuthError> {
        let parsed = Arc::new(parse_keys(keys)?);
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = parsed;
        Ok(())
    }

    /// The ids of the keys currently accepted, sorted.
    pub fn key_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.current_keys().keys().cloned().collect();
        ids.sort();
        ids
    }

    fn current_keys(&self) -> Arc<HashMap<String, VerificationKey>> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Verifies the value of an `authorization` header.
    pub fn verify_authorization(&self, header: Option<&str>) -> Result<Caller, Rejection> {
        let header = header.ok_or(Rejection::Missing)?.trim();
        let token = match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(Rejection::NotBearer),
        };
        self.verify(token)
    }

    /// Verifies a token.
    pub fn verify(&self, token: &str) -> Result<Caller, Rejection> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| Rejection::Malformed(e.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(Rejection::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(Rejection::NoKeyId)?;
        let keys = self.current_keys();
        let key = keys
            .get(&kid)
            .ok_or_else(|| Rejection::UnknownKeyId(kid.clone()))?;

        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = self.leeway.as_secs();
        validation.set_audience(&[&*self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|e| self.rejection(e.into_kind()))?
            .claims;

        let now = jsonwebtoken::get_current_timestamp();
        if claims.iat > now + self.leeway.as_secs() {
            return Err(Rejection::NotYetValid);
        }
        if claims.exp.saturating_sub(claims.iat) > self.max_lifetime.as_secs() {
            return Err(Rejection::TooLongLived(self.max_lifetime.as_secs()));
        }
        if !key.issuers.is_empty() && !key.issuers.contains(&claims.iss) {
            return Err(Rejection::IssuerNotAllowed {
                kid,
                issuer: claims.iss,
            });
        }
        Ok(Caller {
            service: claims.iss,
            subject: claims.sub,
            token_id: claims.jti,
            key_id: kid,
        })
    }

    fn rejection(&self, kind: ErrorKind) -> Rejection {
        match kind {
            ErrorKind::InvalidSignature => Rejection::BadSignature,
            ErrorKind::ExpiredSignature => Rejection::Expired,
            ErrorKind::ImmatureSignature => Rejection::NotYetValid,
            ErrorKind::InvalidAudience => Rejection::WrongAudience(self.audience.to_string()),
            ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                Rejection::Algorithm("mismatch".to_owned())
            }
            ErrorKind::MissingRequiredClaim(claim) => {
                Rejection::Malformed(format!("missing claim `{claim}`"))
            }
            ErrorKind::InvalidEddsaKey | ErrorKind::InvalidKeyFormat => {
                // The configured key parsed at start-up; this is the token's fault.
                Rejection::BadSignature
            }
            other => Rejection::Malformed(jsonwebtoken::errors::Error::from(other).to_string()),
        }
    }
}

fn parse_keys(
    keys: &[VerificationKeyConfig],
) -> Result<HashMap<String, VerificationKey>, AuthError> {
    if keys.is_empty() {
        return Err(AuthError::NoKeys);
    }
    let mut parsed = HashMap::new();
    for config in keys {
        let key = VerificationKey::parse(config)?;
        if parsed.insert(config.kid.clone(), key).is_some() {
            return Err(AuthError::DuplicateKeyId(config.kid.clone()));
        }
    }
    Ok(parsed)
}

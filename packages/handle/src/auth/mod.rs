//! Service-to-service authentication: every gRPC call between Carpetti services carries a
//! short-lived JWT in `authorization: Bearer …`.
//!
//! - Tokens are EdDSA (Ed25519) signed, with the signing key's id in the header (`kid`). Ed25519
//!   rather than a shared HS256 secret: a called service holds only public keys, so it cannot
//!   mint tokens in anyone's name, and a key may be limited to the issuers it signs for
//!   ([`VerificationKeyConfig::issuers`]). Keys are small, signing and verifying are fast.
//! - Claims ([`Claims`]): `iss` = calling service, `aud` = called service, `sub`, `iat`, `exp`
//!   (60 s by default), `jti`.
//! - The caller side, [`TokenIssuer`], caches one token per audience and signs a new one before
//!   the cached one gets close to its expiry; [`AuthInterceptor`] is the tonic client interceptor.
//! - The called side, [`Verifier`], knows a set of verification keys by `kid` — two at once during
//!   a rotation, replaceable while serving ([`Verifier::replace_keys`]) — and
//!   [`ServiceAuthLayer`] rejects missing, malformed, badly signed, expired, not-yet-valid,
//!   wrong-audience and unknown-`kid` tokens with `UNAUTHENTICATED` and the reason. The verified
//!   [`Caller`] is put in the request's extensions. `grpc.health.v1.Health` and
//!   `grpc.reflection.*` stay open. [`crate::GrpcServer::with_service_auth`] installs it.
//!
//! Tokens are never logged: the header value is marked sensitive and rejections log the reason
//! only. Private keys are held as [`secrecy::SecretString`] in configuration.

mod issuer;
mod keys;
mod layer;
mod verifier;

use serde::{Deserialize, Serialize};

pub use issuer::{AuthInterceptor, TokenIssuer};
pub use keys::{SigningKeyConfig, VerificationKeyConfig, generate_key_pair};
pub use layer::{ServiceAuth, ServiceAuthLayer};
pub use verifier::{Rejection, Verifier};

/// The claims of a service token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The calling service, e.g. `"process"`.
    pub iss: String,
    /// The called service, e.g. `"persist"`.
    pub aud: String,
    /// Who the call is made as: the calling service (or its instance) by default.
    pub sub: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: u64,
    /// The token's unique id (a UUIDv7).
    pub jti: String,
}

/// The verified caller of a request, put in its extensions by [`ServiceAuthLayer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The calling service (the token's `iss`).
    pub service: String,
    /// The token's `sub`.
    pub subject: String,
    /// The token's `jti`.
    pub token_id: String,
    /// The id of the key that signed it.
    pub key_id: String,
}

impl Caller {
    /// The caller of a request being handled, if the server verifies service tokens.
    pub fn of<T>(request: &tonic::Request<T>) -> Option<&Caller> {
        request.extensions().get::<Caller>()
    }
}

/// A key or token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A configured key does not parse (the reason never contains key material).
    #[error("service-token key `{kid}`: {reason}")]
    Key {
        /// The key's id.
        kid: String,
        /// Why it is unusable.
        reason: String,
    },

    /// Two verification keys share one id.
    #[error("service-token key id `{0}` is configured twice")]
    DuplicateKeyId(String),

    /// A verifier was given no key at all.
    #[error("no service-token verification key configured")]
    NoKeys,

    /// A token lifetime is out of bounds.
    #[error("service-token lifetime must be 2 s to 1 h, got {0:?}")]
    Lifetime(std::time::Duration),

    /// Signing a token failed.
    #[error("signing a service token: {0}")]
    Sign(String),
}

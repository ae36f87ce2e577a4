//! Service-token keys: Ed25519 key pairs in PEM, named by key ids (`kid`).

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::AuthError;

/// The key a service signs its tokens with (configuration): an Ed25519 private key as PKCS#8
/// PEM (`-----BEGIN PRIVATE KEY-----`, what `openssl genpkey -algorithm ed25519` writes).
#[derive(Debug, Clone, Deserialize)]
pub struct SigningKeyConfig {
    /// The key id written in each token's header, e.g. `"2026-05"`.
    pub kid: String,
    /// The private key (secret).
    pub private_key_pem: SecretString,
}

/// A key tokens are verified with (configuration): an Ed25519 public key as SPKI PEM
/// (`-----BEGIN PUBLIC KEY-----`). A verifier holds several, so that during a rotation tokens
/// signed with the old and with the new key are both accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationKeyConfig {
    /// The key id tokens name in their header.
    pub kid: String,
    /// The public key.
    pub public_key_pem: String,
    /// The issuers (calling services) this key may sign for; empty: any.
    #[serde(default)]
    pub issuers: Vec<String>,
}

/// Generates a fresh Ed25519 key pair named `kid`: the signing half for the calling services'
/// configuration, the verification half for the called services'.
pub fn generate_key_pair(
    kid: impl Into<String>,
) -> Result<(SigningKeyConfig, VerificationKeyConfig), AuthError> {
    let kid = kid.into();
    let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| key_error(&kid, e))?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| key_error(&kid, e))?;
    Ok((
        SigningKeyConfig {
            kid: kid.clone(),
            private_key_pem: SecretString::from(private.as_str()),
        },
        VerificationKeyConfig {
            kid,
            public_key_pem: public,
            issuers: Vec::new(),
        },
    ))
}

/// A parsed signing key.
#[derive(Clone)]
pub(super) struct SigningKey {
    pub kid: String,
    pub key: EncodingKey,
}

impl SigningKey {
    pub(super) fn parse(config: &SigningKeyConfig) -> Result<SigningKey, AuthError> {
        check_kid(&config.kid)?;
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(config.private_key_pem.expose_secret())
            .map_err(|e| key_error(&config.kid, e))?;
        let der = key.to_pkcs8_der().map_err(|e| key_error(&config.kid, e))?;
        Ok(SigningKey {
            kid: config.kid.clone(),
            key: EncodingKey::from_ed_der(der.as_bytes()),
        })
    }
}

/// A parsed verification key.
#[derive(Clone)]
pub(super) struct VerificationKey {
    pub key: DecodingKey,
    pub issuers: Vec<String>,
}

impl VerificationKey {
    pub(super) fn parse(config: &VerificationKeyConfig) -> Result<VerificationKey, AuthError> {
        check_kid(&config.kid)?;
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(config.public_key_pem.trim())
            .map_err(|e| key_error(&config.kid, e))?;
        Ok(VerificationKey {
            key: DecodingKey::from_ed_der(key.as_bytes()),
            issuers: config.issuers.clone(),
        })
    }
}

fn check_kid(kid: &str) -> Result<(), AuthError> {
    let ok = !kid.is_empty() && kid.len() <= 64 && kid.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(AuthError::Key {
            kid: kid.to_owned(),
            reason: "a key id is 1 to 64 visible ASCII characters".to_owned(),
        })
    }
}

fn key_error(kid: &str, error: impl std::fmt::Display) -> AuthError {
    AuthError::Key {
        kid: kid.to_owned(),
        reason: error.to_string(),
    }
}

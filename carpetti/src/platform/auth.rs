//! Service keys from configuration: the signing key (this process's tokens) and the verification
//! keys (tokens sent to it), read from the files `[auth]` names.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use carpetti_config::AuthConfig;
use carpetti_handle::auth::{SigningKeyConfig, TokenIssuer, VerificationKeyConfig, Verifier};
use secrecy::SecretString;

/// What a process verifies with, and the id of the key it signs with; either may be absent.
/// (The signing key is checked at start; the services that call other services take their
/// `TokenIssuer` from it as they arrive.)
#[derive(Clone, Default)]
pub struct ServiceKeys {
    signing: Option<SigningKeyConfig>,
    token_ttl: Duration,
    signing_kid: Option<String>,
    verification: Vec<VerificationKeyConfig>,
}

impl ServiceKeys {
    /// Reads the configured key files. With `required` and no key at all it fails with what to do.
    pub fn load(config: &AuthConfig, required: bool) -> anyhow::Result<ServiceKeys> {
        let signing = match (&config.signing_kid, &config.signing_key_file) {
            (Some(kid), Some(file)) => Some(SigningKeyConfig {
                kid: kid.clone(),
                private_key_pem: SecretString::from(read(file, "auth.signing_key_file")?),
            }),
            _ => None,
        };
        let verification = match &config.verification_keys_file {
            Some(file) => parse_verification_keys(&read(file, "auth.verification_keys_file")?)
                .with_context(|| format!("auth.verification_keys_file {}", file.display()))?,
            None => Vec::new(),
        };
        if required && verification.is_empty() {
            bail!(
                "no service keys: set auth.verification_keys_file (and auth.signing_kid + \
                 auth.signing_key_file for the calls this service makes) — `carpetti keys \
                 generate` writes both — or set auth.required = false to serve without service \
                 authentication"
            );
        }
        if let Some(signing) = &signing {
            // Fail at start, not at the first call, on a bad key file.
            TokenIssuer::new("carpetti", signing)
                .and_then(|issuer| issuer.with_ttl(Duration::from_secs(config.token_ttl_secs)))
                .context("auth.signing_key_file")?;
        }
        Ok(ServiceKeys {
            signing_kid: signing.as_ref().map(|s| s.kid.clone()),
            signing,
            token_ttl: Duration::from_secs(config.token_ttl_secs),
            verification,
        })
    }

    /// The verifier for calls to `service`, when verification keys are configured.
    pub fn verifier(&self, service: &str) -> anyhow::Result<Option<Verifier>> {
        if self.verification.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            Verifier::new(service, &self.verification).context("auth.verification_keys_file")?,
        ))
    }

    /// The issuer of `caller`'s tokens for its calls to other services, when a signing key is
    /// configured (else calls go out without a token).
    pub fn issuer(&self, caller: &str) -> anyhow::Result<Option<TokenIssuer>> {
        let Some(signing) = &self.signing else {
            return Ok(None);
        };
        let issuer = TokenIssuer::new(caller, signing)
            .and_then(|issuer| issuer.with_ttl(self.token_ttl))
            .context("auth.signing_key_file")?;
        Ok(Some(issuer))
    }

    /// For people: `off`, or the key ids verified and signed with.
    pub fn describe(&self) -> String {
        if self.verification.is_empty() {
            return "off (no verification keys)".to_owned();
        }
        let kids: Vec<&str> = self.verification.iter().map(|k| k.kid.as_str()).collect();
        let signing = match &self.signing_kid {
            Some(kid) => format!(", signing with {kid}"),
            None => String::new(),
        };
        format!(
            "service JWT (EdDSA), verifying {}{signing}",
            kids.join(", ")
        )
    }
}

/// The verification keys file: a JSON array of `{"kid", "public_key_pem", "issuers"}`.
pub fn parse_verification_keys(text: &str) -> anyhow::Result<Vec<VerificationKeyConfig>> {
    let keys: Vec<VerificationKeyConfig> =
        serde_json::from_str(text).context("expected a JSON array of {kid, public_key_pem}")?;
    if keys.is_empty() {
        bail!("the list of verification keys is empty");
    }
    Ok(keys)
}

fn read(path: &Path, key: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{key}: reading {}", path.display()))
}

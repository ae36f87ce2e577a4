//! Optional authentication of every request: none (Camunda's default), HTTP Basic, or a static
//! Bearer token. Credentials are compared in constant time.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use super::error::RestError;

/// How `/engine-rest` authenticates requests.
#[derive(Clone, Default)]
pub enum RestAuth {
    /// Every request is accepted.
    #[default]
    None,
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        user: String,
        password: SecretString,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(SecretString),
}

impl std::fmt::Debug for RestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestAuth::None => f.write_str("None"),
            RestAuth::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            RestAuth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

impl RestAuth {
    /// Whether an `Authorization` header value satisfies this configuration.
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        match self {
            RestAuth::None => true,
            RestAuth::Basic { user, password } => {
                let Some(encoded) = authorization.and_then(|a| strip_scheme(a, "Basic")) else {
                    return false;
                };
                let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim())
                else {
                    return false;
                };
                let mut expected =
                    Vec::with_capacity(user.len() + 1 + password.expose_secret().len());
                expected.extend_from_slice(user.as_bytes());
                expected.push(b':');
                expected.extend_from_slice(password.expose_secret().as_bytes());
                bool::from(decoded.ct_eq(&expected))
            }
            RestAuth::Bearer(token) => authorization
                .and_then(|a| strip_scheme(a, "Bearer"))
                .is_some_and(|given| {
                    bool::from(
                        given
                            .trim()
                            .as_bytes()
                            .ct_eq(token.expose_secret().as_bytes()),
                    )
                }),
        }
    }

    fn challenge(&self) -> Option<&'static str> {
        match self {
            RestAuth::None => None,
            RestAuth::Basic { .. } => Some("Basic realm=\"engine-rest\""),
            RestAuth::Bearer(_) => Some("Bearer realm=\"engine-rest\""),
        }
    }
}

/// `scheme <rest>` with the scheme matched case-insensitively.
fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.trim_start().split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// The middleware: 401 `AuthenticationException` unless the request is authenticated.
pub(super) async fn require(
    State(auth): State<Arc<RestAuth>>,
    request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    if auth.accepts(header) {
        return next.run(request).await;
    }
    let mut response = RestError::new(
        StatusCode::UNAUTHORIZED,
        "AuthenticationException",
        if header.is_some() {
            "the credentials are not valid"
        } else {
            "authentication is required"
        },
    )
    .into_response();
    if let Some(challenge) = auth.challenge() {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    #[test]
    fn basic_accepts_only_the_configured_pair() {
        let auth = RestAuth::Basic {
            user: "demo".into(),
            password: SecretString::from("s3cret"),
        };
        assert!(auth.accepts(Some(&basic("demo", "s3cret"))));
        assert!(auth.accepts(Some(&basic("demo", "s3cret").replace("Basic", "basic"))));
        assert!(!auth.accepts(Some(&basic("demo", "wrong"))));
        assert!(!auth.accepts(Some(&basic("other", "s3cret"))));
        assert!(!auth.accepts(Some("Basic !!notbase64")));
        assert!(!auth.accepts(Some("Bearer s3cret")));
        assert!(!auth.accepts(None));
    }

    #[test]
    fn bearer_and_none() {
        let auth = RestAuth::Bearer(SecretString::from("tok"));
        assert!(auth.accepts(Some("Bearer tok")));
        assert!(!auth.accepts(Some("Bearer tok2")));
        assert!(!auth.accepts(Some(&basic("a", "tok"))));
        assert!(!auth.accepts(None));
        assert!(RestAuth::None.accepts(None));
        assert!(!format!("{auth:?}").contains("tok"));
    }
}

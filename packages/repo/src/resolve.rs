//! Glue to package_handle: instance addresses from discovery, and the service JWT and trace
//! context stamped on every call.

use std::net::SocketAddr;

use carpetti_handle::auth::TokenIssuer;
use carpetti_handle::discovery::Discovery;
use http::{HeaderMap, HeaderValue};
use secrecy::ExposeSecret;
use tokio::sync::watch;

use crate::HeaderStamp;

/// The addresses of `service`'s healthy instances, kept current from `discovery.watch`. The
/// forwarding task ends when the returned receiver (and its clones) are dropped.
pub fn addresses_of(discovery: &dyn Discovery, service: &str) -> watch::Receiver<Vec<SocketAddr>> {
    let mut instances = discovery.watch(service);
    let initial = instances.borrow().iter().map(|i| i.address).collect();
    let (tx, rx) = watch::channel(initial);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                changed = instances.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let addresses = instances.borrow_and_update().iter().map(|i| i.address).collect();
                    if tx.send(addresses).is_err() {
                        return;
                    }
                }
                () = tx.closed() => return,
            }
        }
    });
    rx
}

/// Stamps `authorization: Bearer <jwt>` with the called service as audience (tokens are cached
/// and re-signed by the issuer before they expire).
pub struct ServiceToken(pub TokenIssuer);

impl HeaderStamp for ServiceToken {
    fn stamp(&self, service: &str, headers: &mut HeaderMap) {
        match self.0.token(service) {
            Ok(token) => {
                match HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        headers.insert(http::header::AUTHORIZATION, value);
                    }
                    Err(_) => tracing::warn!(service, "service token is not a valid header value"),
                }
            }
            // The call goes out without a token and the server answers UNAUTHENTICATED.
            Err(err) => tracing::warn!(service, error = %err, "cannot sign a service token"),
        }
    }
}

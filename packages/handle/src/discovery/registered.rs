//! [`Registered`]: an instance registered for as long as its server runs, and
//! [`GrpcServer::serve_registered`], which wires it around a server.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;

use super::{Discovery, DiscoveryError, Registration};
use crate::{GrpcServer, HandleError};

/// Longest a deregistration on shutdown may take before the server goes on draining anyway.
const DEREGISTER_TIMEOUT: Duration = Duration::from_secs(10);

/// An instance registered in discovery until [`Registered::deregister`] is called. If dropped
/// while still registered, it deregisters in a background task (best effort; call
/// `deregister` on a graceful shutdown).
pub struct Registered {
    discovery: Arc<dyn Discovery>,
    id: String,
    registered: AtomicBool,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("id", &self.id)
            .field("registered", &self.registered.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Registered {
    /// Registers `registration` in `discovery`.
    pub async fn new(
        discovery: Arc<dyn Discovery>,
        registration: Registration,
    ) -> Result<Registered, DiscoveryError> {
        let id = registration.id.clone();
        discovery.register(registration).await?;
        Ok(Registered {
            discovery,
            id,
            registered: AtomicBool::new(true),
        })
    }

    /// The registered instance id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Deregisters the instance; later calls do nothing.
    pub async fn deregister(&self) -> Result<(), DiscoveryError> {
        if !self.registered.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        self.discovery.deregister(&self.id).await
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if !self.registered.swap(false, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(id = %self.id, "dropped while registered outside a runtime; not deregistered");
            return;
        };
        let discovery = Arc::clone(&self.discovery);
        let id = self.id.clone();
        runtime.spawn(async move {
            match tokio::time::timeout(DEREGISTER_TIMEOUT, discovery.deregister(&id)).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%id, %error, "deregistration on drop failed"),
                Err(_) => tracing::warn!(%id, "deregistration on drop timed out"),
            }
        });
    }
}

impl GrpcServer {
    /// Like [`GrpcServer::serve`], registered in `discovery` meanwhile: registers `registration`
    /// (the listener is already bound, so the registry's health checks are answered), serves,
    /// and deregisters as soon as `shutdown` resolves — before the server reports `NOT_SERVING`
    /// and drains, so that callers stop picking this instance first. A failed deregistration is
    /// logged (the registry's `deregister_critical_after` removes the instance anyway); a failed
    /// registration fails the call before serving.
    pub async fn serve_registered(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
        discovery: Arc<dyn Discovery>,
        registration: Registration,
    ) -> Result<(), HandleError> {
        let registered = Arc::new(Registered::new(discovery, registration).await?);
        let on_shutdown = Arc::clone(&registered);
        let shutdown = async move {
            shutdown.await;
            deregister_logged(&on_shutdown).await;
        };
        let served = self.serve(listener, shutdown).await;
        deregister_logged(&registered).await;
        served
    }

    /// [`GrpcServer::serve_registered`] when a registry is given, else [`GrpcServer::serve`]:
    /// what every service's `run` does with its optional registration.
    pub async fn serve_maybe_registered(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
        registration: Option<(Arc<dyn Discovery>, Registration)>,
    ) -> Result<(), HandleError> {
        match registration {
            Some((discovery, registration)) => {
                self.serve_registered(listener, shutdown, discovery, registration)
                    .await
            }
            None => self.serve(listener, shutdown).await,
        }
    }
}

async fn deregister_logged(registered: &Registered) {
    match tokio::time::timeout(DEREGISTER_TIMEOUT, registered.deregister()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(id = registered.id(), %error, "deregistration failed"),
        Err(_) => tracing::warn!(id = registered.id(), "deregistration timed out"),
    }
}

//! The process-wide shutdown signal.

use std::future::Future;

/// A future resolving when the process is asked to stop: SIGTERM or SIGINT/Ctrl-C.
///
/// The handlers are installed when this function is called, not when the future is first polled,
/// so a caller that creates it before announcing itself (e.g. printing its address) cannot be
/// killed by a signal that arrives in between. If a handler cannot be installed, that is logged
/// and the other signal still works.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate())
            .inspect_err(|e| tracing::warn!(error = %e, "cannot listen for SIGTERM"))
            .ok();
        let interrupt = signal(SignalKind::interrupt())
            .inspect_err(|e| tracing::warn!(error = %e, "cannot listen for Ctrl-C"))
            .ok();
        async move {
            let terminated = async {
                match terminate {
                    Some(mut s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let interrupted = async {
                match interrupt {
                    Some(mut s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = interrupted => tracing::info!("Ctrl-C received, shutting down"),
                _ = terminated => tracing::info!("SIGTERM received, shutting down"),
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("Ctrl-C received, shutting down");
    }
}

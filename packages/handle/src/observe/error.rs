//! The error type of the observability setup.

/// Why logging or metrics could not be set up or served.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    /// A global tracing subscriber was already installed.
    #[error("a global tracing subscriber is already installed: {0}")]
    Subscriber(#[from] tracing::dispatcher::SetGlobalDefaultError),

    /// The Fluent output's options are invalid (`log.fluent_address`, `log.fluent_tag`).
    #[error("fluent output: {0}")]
    FluentOptions(String),

    /// The Fluent output's thread or runtime could not be started.
    #[error("fluent output thread: {0}")]
    FluentThread(std::io::Error),

    /// The Prometheus recorder could not be built or installed (another recorder is installed).
    #[error("metrics recorder: {0}")]
    Metrics(#[from] metrics_exporter_prometheus::BuildError),

    /// The `/metrics` listener failed.
    #[error("metrics endpoint: {0}")]
    Io(#[from] std::io::Error),
}

//! The error type of the server plumbing.

/// Why a server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// The listener's socket failed (e.g. reading its local address).
    #[error("listener socket: {0}")]
    Io(#[from] std::io::Error),

    /// A file descriptor set given to [`crate::GrpcServer::file_descriptor_set`] does not decode.
    #[error("server reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),

    /// The gRPC transport failed while serving.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),

    /// Registering the server in discovery failed (see [`crate::GrpcServer::serve_registered`]).
    #[error("discovery registration: {0}")]
    Discovery(#[from] crate::discovery::DiscoveryError),
}

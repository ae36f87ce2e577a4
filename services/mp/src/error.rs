use carpetti_marketplace::MpError;

/// Why a service_mp operation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum MpServiceError {
    #[error("persist: {0}")]
    Persist(#[from] tonic::Status),
    #[error(transparent)]
    Marketplace(#[from] MpError),
    #[error("channel {channel}: {reason}")]
    Channel { channel: String, reason: String },
    /// The marketplace's dictionary of a category could not be had.
    #[error("dictionary of category {category}: {reason}")]
    Dictionary {
        category: String,
        reason: String,
        /// Whether asking later may succeed (else the marketplace refused the category).
        transient: bool,
    },
    #[error("files: {0}")]
    Files(#[from] std::io::Error),
    #[error("cache: {0}")]
    Cache(#[from] carpetti_cache::CacheError),
    #[error("queue: {0}")]
    Queue(#[from] carpetti_queue::QueueError),
}

impl MpServiceError {
    pub fn channel(channel: &str, reason: impl Into<String>) -> Self {
        MpServiceError::Channel {
            channel: channel.to_owned(),
            reason: reason.into(),
        }
    }

    /// Whether doing the same later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            MpServiceError::Persist(status) => matches!(
                status.code(),
                tonic::Code::Unavailable
                    | tonic::Code::DeadlineExceeded
                    | tonic::Code::Aborted
                    | tonic::Code::ResourceExhausted
            ),
            MpServiceError::Marketplace(error) => error.is_transient(),
            MpServiceError::Cache(_) | MpServiceError::Files(_) => true,
            MpServiceError::Dictionary { transient, .. } => *transient,
            MpServiceError::Channel { .. } | MpServiceError::Queue(_) => false,
        }
    }
}

//! The one place that maps store errors to gRPC status codes.
//!
//! INVALID_ARGUMENT carries a `google.rpc.BadRequest` detail naming the field, so clients can
//! point at it; the message says the same in words.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::StoreError;

impl From<StoreError> for Status {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::InvalidArgument { field, reason } => {
                let details =
                    ErrorDetails::with_bad_request_violation(field.clone(), reason.clone());
                Status::with_error_details(
                    Code::InvalidArgument,
                    format!("invalid {field}: {reason}"),
                    details,
                )
            }
            StoreError::NotFound { .. } => Status::not_found(error.to_string()),
            StoreError::AlreadyExists { .. } => Status::already_exists(error.to_string()),
            StoreError::Conflict { .. } => Status::aborted(error.to_string()),
            StoreError::FailedPrecondition(_) => Status::failed_precondition(error.to_string()),
            StoreError::Database(ref db) if is_unavailable(db) => {
                tracing::warn!(error = %error, "database unavailable");
                Status::unavailable("the database is unavailable; retry later")
            }
            StoreError::Database(_) | StoreError::Migrate(_) => {
                // Internals stay in the log, not in the answer.
                tracing::error!(error = %error, "store failure");
                Status::internal("internal storage error")
            }
        }
    }
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_names_the_field() {
        let status = Status::from(StoreError::invalid("price", "must not be negative, got -1"));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "invalid price: must not be negative, got -1"
        );
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request detail");
        assert_eq!(bad.field_violations[0].field, "price");
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let status = Status::from(StoreError::Database(sqlx::Error::Protocol("secret".into())));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
    }
}

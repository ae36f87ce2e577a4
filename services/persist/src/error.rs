//! The one error type of the store. `grpc::status` maps it to gRPC codes; nothing else does.

use carpetti_util::ParseError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request is wrong; `field` names the offending field (proto field path).
    #[error("invalid {field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    /// No entity with that id or key.
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    /// An entity with the same business key exists already.
    #[error("{entity} {key} already exists")]
    AlreadyExists { entity: &'static str, key: String },
    /// The entity changed since the caller read it (optimistic concurrency).
    #[error(
        "{entity} {id} was changed concurrently: expected change_seq {expected}, found {actual}"
    )]
    Conflict {
        entity: &'static str,
        id: String,
        expected: i64,
        actual: i64,
    },
    /// The operation is not allowed in the current state (e.g. deleting a row others reference).
    #[error("{0}")]
    FailedPrecondition(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// An invalid field with a reason.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An unknown referenced entity: INVALID_ARGUMENT naming the field that referenced it.
    pub fn unknown(field: impl Into<String>, entity: &str, key: impl std::fmt::Display) -> Self {
        Self::InvalidArgument {
            field: field.into(),
            reason: format!("unknown {entity} {key}"),
        }
    }

    /// Attaches the field name to a parse error of a newtype.
    pub fn parse(field: impl Into<String>) -> impl FnOnce(ParseError) -> Self {
        let field = field.into();
        move |e| Self::InvalidArgument { field, reason: e.0 }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            // SQLite reports RESTRICT violations with SQLITE_CONSTRAINT_TRIGGER (1811), which
            // sqlx does not classify; its message is the same as for other key violations.
            let foreign_key = db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
                || db.message().contains("FOREIGN KEY constraint failed");
            match db.kind() {
                _ if foreign_key => {
                    return Self::FailedPrecondition(format!(
                        "the change would break a reference between entities: {}",
                        db.message()
                    ));
                }
                sqlx::error::ErrorKind::CheckViolation => {
                    return Self::invalid(
                        "value",
                        format!("violates a constraint: {}", db.message()),
                    );
                }
                _ => {}
            }
        }
        Self::Database(error)
    }
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

//! What goes wrong: a document that cannot be used ([`SpecError`]) and a body that does not fit it
//! ([`Violations`]); [`CheckError`] is either, as the checks return it.

use std::{fmt, path::PathBuf};

/// The document cannot be read or used: unreadable or unparsable file, not OpenAPI 3.0, no such
/// operation, a broken `$ref` or a schema the validator cannot compile. Every variant names the
/// document (its file path, or `<value>` for [`crate::Spec::from_value`]).
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a valid {format} document: {message}")]
    Parse {
        path: PathBuf,
        format: &'static str,
        message: String,
    },
    #[error("{origin}: {message}")]
    Document { origin: String, message: String },
    #[error("{origin}: no operation matches {method} {path}")]
    NoOperation {
        origin: String,
        method: String,
        path: String,
    },
    #[error("{origin}: {operation}: status {status} is not documented (documented: {documented})")]
    UndocumentedStatus {
        origin: String,
        operation: String,
        status: u16,
        documented: String,
    },
    #[error("{origin}: {operation}: {message}")]
    Operation {
        origin: String,
        operation: String,
        message: String,
    },
}

/// One way a body does not fit its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the body (`/items/0/price`); empty for the body itself.
    pub instance_path: String,
    /// JSON pointer into the (converted) OpenAPI document of the keyword that failed
    /// (`/components/schemas/v3ImportProductsRequest/properties/items/type`).
    pub schema_path: String,
    pub message: String,
}

/// Every violation of one body against one operation part; `Display` lists them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violations {
    /// The operation part checked, e.g. `POST /v3/product/import request body (ozon-seller.json)`.
    pub operation: String,
    pub errors: Vec<Violation>,
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        write!(f, "{}: {count} violation(s)", self.operation)?;
        for error in &self.errors {
            let at = if error.instance_path.is_empty() {
                "the body"
            } else {
                error.instance_path.as_str()
            };
            write!(
                f,
                "\n  at {at}: {} (schema {})",
                error.message, error.schema_path
            )?;
        }
        Ok(())
    }
}

/// What [`crate::Spec::check_request`] and [`crate::Spec::check_response`] return on failure.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The document could not answer (no such operation, broken reference, …).
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The body does not fit the documented schema, or the operation documents no JSON body /
    /// no response for that status.
    #[error(transparent)]
    Invalid(#[from] Violations),
}

impl CheckError {
    /// The violations, when the failure is one.
    #[must_use]
    pub fn violations(&self) -> Option<&Violations> {
        match self {
            Self::Invalid(violations) => Some(violations),
            Self::Spec(_) => None,
        }
    }
}

//! carpetti-openapi: checks JSON request and response bodies against the operations of an
//! OpenAPI 3.0 document (the marketplaces' official specs), for the tests of the marketplace
//! connectors and their loopback sandboxes.
//!
//! It owns the 3.0 → JSON Schema conversion (`convert`), path-template matching (`paths`),
//! locating an operation's request body and responses (`document`) and the lazily compiled,
//! cached validators (`validate`). It validates bodies only: no parameters, headers, security.

mod convert;
mod document;
mod error;
mod paths;
mod validate;

use std::{fmt, path::Path, sync::Arc};

use serde_json::Value;

pub use error::{CheckError, SpecError, Violation, Violations};

use document::{Body, Broken, Chosen};
use paths::PathIndex;
use validate::Validators;

/// A parsed, converted OpenAPI 3.0 document; validators are compiled per schema on first use and
/// cached, so a `Spec` is meant to be loaded once (e.g. in a `LazyLock`) and shared. `Sync`.
pub struct Spec {
    /// The file path, or `<value>`: named in every error.
    origin: String,
    document: Arc<Value>,
    paths: PathIndex,
    validators: Validators,
}

/// One operation of the document: a method and a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    /// Uppercase: `POST`.
    pub method: String,
    /// As in the document: `/api/v3/stocks/{warehouseId}`.
    pub template: String,
    pub operation_id: Option<String>,
    /// JSON pointer of the operation object.
    pointer: String,
}

impl fmt::Display for OperationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// Reads an OpenAPI 3.0 document in JSON.
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self, SpecError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| SpecError::Read {
            path: path.to_owned(),
            source,
        })?;
        let value = serde_json::from_slice(&bytes).map_err(|error| SpecError::Parse {
            path: path.to_owned(),
            format: "JSON",
            message: error.to_string(),
        })?;
        Self::build(path.display().to_string(), value)
    }

    /// Reads an OpenAPI 3.0 document in YAML.
    pub fn from_yaml_file(path: impl AsRef<Path>) -> Result<Self, SpecError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_owned(),
            source,
        })?;
        let value = serde_norway::from_str(&text).map_err(|error| SpecError::Parse {
            path: path.to_owned(),
            format: "YAML",
            message: error.to_string(),
        })?;
        Self::build(path.display().to_string(), value)
    }

    /// Takes an OpenAPI 3.0 document already parsed.
    pub fn from_value(document: Value) -> Result<Self, SpecError> {
        Self::build("<value>".to_owned(), document)
    }

    fn build(origin: String, mut document: Value) -> Result<Self, SpecError> {
        let invalid = |message: String| SpecError::Document {
            origin: origin.clone(),
            message,
        };
        match document.get("openapi").and_then(Value::as_str) {
            Some(version) if version.starts_with("3.0") => {}
            Some(version) => return Err(invalid(format!("openapi {version} is not OpenAPI 3.0"))),
            None => {
                return Err(invalid(
                    "no `openapi` version: not an OpenAPI 3 document".into(),
                ));
            }
        }
        let Some(paths) = document.get("paths").and_then(Value::as_object) else {
            return Err(invalid("no `paths` object".into()));
        };
        let paths = PathIndex::new(paths);
        convert::convert_document(&mut document);
        let document = Arc::new(document);
        let validators = Validators::new(Arc::clone(&document)).map_err(invalid)?;
        Ok(Self {
            origin,
            document,
            paths,
            validators,
        })
    }

    /// The file the document was read from, or `<value>`.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The operation for a concrete method and request path: `/api/v3/stocks/123` matches
    /// `/api/v3/stocks/{warehouseId}`, a literal segment wins over a templated one. A query
    /// string, a fragment and a `scheme://host` prefix are ignored.
    pub fn operation(&self, method: &str, path: &str) -> Result<OperationRef, SpecError> {
        let lower = method.to_ascii_lowercase();
        let template = self
            .paths
            .find(&lower, paths::request_path(path))
            .ok_or_else(|| SpecError::NoOperation {
                origin: self.origin.clone(),
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
            })?;
        Ok(self.operation_ref(template, &lower))
    }

    /// Every operation of the document, in document order.
    #[must_use]
    pub fn operations(&self) -> Vec<OperationRef> {
        self.paths
            .all()
            .map(|(template, method)| self.operation_ref(template, method))
            .collect()
    }

    fn operation_ref(&self, template: &str, lower_method: &str) -> OperationRef {
        let pointer = document::operation_pointer(template, lower_method);
        let operation_id = self
            .document
            .pointer(&format!("{pointer}/operationId"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        OperationRef {
            method: lower_method.to_ascii_uppercase(),
            template: template.to_owned(),
            operation_id,
            pointer,
        }
    }

    /// Validates a JSON request body against the operation's `application/json` (or `+json`)
    /// request body schema. An operation without a JSON request body is a violation.
    pub fn check_request(&self, method: &str, path: &str, body: &Value) -> Result<(), CheckError> {
        let operation = self.operation(method, path)?;
        let part = format!("{operation} request body ({})", self.origin);
        let located = document::request_body(&self.document, &operation.pointer)
            .map_err(|broken| self.broken(&operation, broken))?;
        self.check_body(&operation, part, &located, body)
    }

    /// Validates a JSON response body for a status: the response documented for the exact status,
    /// else for its range (`4XX`), else `default`. An undocumented status, or a response without a
    /// JSON body, is a violation.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), CheckError> {
        let operation = self.operation(method, path)?;
        let part = format!("{operation} response {status} ({})", self.origin);
        let chosen = document::choose_response(&self.document, &operation.pointer, status)
            .map_err(|broken| self.broken(&operation, broken))?;
        let located = match chosen {
            Chosen::Found(pointer) => {
                let response = self.document.pointer(&pointer).unwrap_or(&Value::Null);
                document::json_body(&pointer, response)
            }
            Chosen::Undocumented(documented) => Body::NotJson {
                at: format!("{}/responses", operation.pointer),
                message: format!(
                    "status {status} is not documented (documented: {})",
                    documented.join(", ")
                ),
            },
        };
        self.check_body(&operation, part, &located, body)
    }

    /// The content types documented for the response to `status` (chosen as in
    /// [`Spec::check_response`]); empty for a response without a body (e.g. 204).
    pub fn response_content_types(
        &self,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<Vec<String>, SpecError> {
        let operation = self.operation(method, path)?;
        let chosen = document::choose_response(&self.document, &operation.pointer, status)
            .map_err(|broken| self.broken(&operation, broken))?;
        match chosen {
            Chosen::Found(pointer) => Ok(document::content_types(
                self.document.pointer(&pointer).unwrap_or(&Value::Null),
            )),
            Chosen::Undocumented(documented) => Err(SpecError::UndocumentedStatus {
                origin: self.origin.clone(),
                operation: operation.to_string(),
                status,
                documented: documented.join(", "),
            }),
        }
    }

    fn check_body(
        &self,
        operation: &OperationRef,
        part: String,
        located: &Body,
        body: &Value,
    ) -> Result<(), CheckError> {
        let errors = match located {
            Body::AnyJson => return Ok(()),
            Body::NotJson { at, message } => vec![Violation {
                instance_path: String::new(),
                schema_path: at.clone(),
                message: message.clone(),
            }],
            Body::Schema(pointer) => {
                let validator = self
                    .validators
                    .get(pointer)
                    .map_err(|message| self.broken(operation, Broken(message)))?;
                validate::violations(&validator, body)
            }
        };
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Violations {
                operation: part,
                errors,
            }
            .into())
        }
    }

    fn broken(&self, operation: &OperationRef, Broken(message): Broken) -> SpecError {
        SpecError::Operation {
            origin: self.origin.clone(),
            operation: operation.to_string(),
            message,
        }
    }
}

//! Compiled validators: the converted document is registered once as a JSON Schema resource, and
//! each schema pointer is compiled on first use as `{"$ref": "<document>#<pointer>"}` (so its
//! `#/components/schemas/...` references resolve against the whole document), then cached.
//!
//! Validation is JSON Schema Draft 7 without `format` assertions: marketplaces send int64 as
//! strings, dates in several shapes, and so on, while types, `required`, `enum`, bounds and
//! `additionalProperties: false` are asserted.

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
};

use jsonschema::{Draft, Registry, ValidationError, Validator};
use serde_json::{Value, json};

use crate::{document::percent_decode, error::Violation};

/// The URI the converted document is registered under.
const DOCUMENT_URI: &str = "urn:carpetti-openapi:document";

pub(crate) struct Validators {
    registry: Registry<'static>,
    /// Compiled validators by schema pointer (shared by operations that share a schema).
    cache: RwLock<HashMap<String, Arc<Validator>>>,
}

impl Validators {
    pub(crate) fn new(document: Arc<Value>) -> Result<Self, String> {
        let registry = Registry::new()
            .draft(Draft::Draft7)
            .retrieve_known_draft_meta_schemas(false)
            .add(DOCUMENT_URI, document)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|error| error.to_string())?;
        Ok(Self {
            registry,
            cache: RwLock::new(HashMap::new()),
        })
    }

    /// The validator of the schema at `pointer`, compiled on first use.
    pub(crate) fn get(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        let cached = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(pointer)
            .cloned();
        if let Some(validator) = cached {
            return Ok(validator);
        }
        let wrapper = json!({ "$ref": format!("{DOCUMENT_URI}#{}", encode_fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft7)
            .with_registry(&self.registry)
            .should_validate_formats(false)
            .offline()
            .build(&wrapper)
            .map_err(|error| format!("the schema at #{pointer} does not compile: {error}"))?;
        let validator = Arc::new(validator);
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        Ok(Arc::clone(
            cache.entry(pointer.to_owned()).or_insert(validator),
        ))
    }
}

/// Every violation of `body`, in the validator's order.
pub(crate) fn violations(validator: &Validator, body: &Value) -> Vec<Violation> {
    validator.iter_errors(body).map(violation).collect()
}

fn violation(error: ValidationError<'_>) -> Violation {
    // the keyword's place in the document, when the error went through the document's resource
    let schema_path = error
        .absolute_keyword_location()
        .and_then(|uri| uri.as_str().split_once('#'))
        .map_or_else(
            || error.schema_path().as_str().to_owned(),
            |(_, fragment)| percent_decode(fragment),
        );
    Violation {
        instance_path: error.instance_path().as_str().to_owned(),
        schema_path,
        message: error.to_string(),
    }
}

/// Percent-encodes a JSON pointer for a URI fragment (path templates hold `{`, `}`).
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

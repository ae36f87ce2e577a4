//! Remembering a feed's validators (ETag / Last-Modified) in its supplier's settings (`fetched`)
//! for the next conditional GET, without undoing what an operator changed in the supplier while
//! the import ran: the supplier is read again and written back compare-and-set.

use carpetti_persist::grpc::convert::{json_to_struct, struct_to_json};

use super::ImportError;
use super::catalog::Catalog;
use crate::source::Validators;

/// Writes lost to concurrent edits before giving up (validators are only a cache).
const ATTEMPTS: usize = 3;

/// Saves `validators` as the `fetched` setting of supplier `code`, unless it holds them already.
/// Failures are logged: the next import then downloads the feed again.
pub async fn save_validators(catalog: &dyn Catalog, code: &str, validators: &Validators) {
    let value = match serde_json::to_value(validators) {
        Ok(value) => value,
        Err(err) => {
            tracing::warn!(supplier = %code, %err, "could not remember the feed's validators");
            return;
        }
    };
    for _ in 0..ATTEMPTS {
        let current = match catalog.supplier(code).await {
            Ok(current) => current,
            Err(err) => {
                tracing::warn!(supplier = %code, %err, "could not remember the feed's validators");
                return;
            }
        };
        let mut settings = struct_to_json(current.settings.clone());
        if settings.get("fetched") == Some(&value) {
            return;
        }
        match &mut settings {
            serde_json::Value::Object(map) => {
                map.insert("fetched".into(), value.clone());
            }
            _ => settings = serde_json::json!({ "fetched": value }),
        }
        let mut updated = current;
        updated.settings = Some(json_to_struct(&settings));
        // `meta.change_seq` stays what was read: an edit since then fails the write (ABORTED)
        // instead of being overwritten, and the settings are merged again.
        match catalog.update_supplier(updated).await {
            Ok(_) => return,
            Err(ImportError::Persist {
                code: tonic::Code::Aborted,
                ..
            }) => {}
            Err(err) => {
                tracing::warn!(supplier = %code, %err, "could not remember the feed's validators");
                return;
            }
        }
    }
    tracing::warn!(supplier = %code, "could not remember the feed's validators: the supplier kept changing");
}

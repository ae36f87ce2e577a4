//! Ozon's error answers as [`MpError`]s: 401/403 refuse the credentials, every other non-2xx
//! carries `{code, message, details}` and refuses the whole request.

use carpetti_marketplace::{Marketplace, MpError, Reply};

use super::wire::RpcStatus;

/// The error body of a reply, when it has the documented shape.
pub(crate) fn rpc_status(reply: &Reply) -> RpcStatus {
    serde_json::from_slice(&reply.body).unwrap_or_default()
}

/// The `code` of an error body as text (`7`, `RESOURCE_EXHAUSTED`).
pub(crate) fn code_text(status: &RpcStatus) -> String {
    match &status.code {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Whether the answer is Ozon's "labels are not ready yet" (for postings not yet packed, or
/// asked for too soon after packing).
pub(crate) fn is_not_ready(message: &str) -> bool {
    let lower = message.to_lowercase();
    lower.contains("aren't ready") || lower.contains("are not ready")
}

/// A non-2xx reply as the error of the whole request.
pub(crate) fn refused(operation: &str, reply: &Reply) -> MpError {
    let status = rpc_status(reply);
    let message = if status.message.is_empty() {
        reply.snippet()
    } else {
        status.message.clone()
    };
    match reply.status {
        401 | 403 => MpError::Auth {
            marketplace: Marketplace::Ozon,
            method: operation.to_owned(),
            status: reply.status,
            message,
        },
        _ if is_not_ready(&message) => MpError::NotReady {
            marketplace: Marketplace::Ozon,
            message,
        },
        _ => MpError::Rejected {
            marketplace: Marketplace::Ozon,
            method: operation.to_owned(),
            status: reply.status,
            code: code_text(&status),
            message,
        },
    }
}

/// A request the connector will not send (over the batch maximum, ids that are not numbers).
pub(crate) fn not_sendable(operation: &str, code: &str, message: String) -> MpError {
    MpError::Rejected {
        marketplace: Marketplace::Ozon,
        method: operation.to_owned(),
        status: 0,
        code: code.to_owned(),
        message,
    }
}

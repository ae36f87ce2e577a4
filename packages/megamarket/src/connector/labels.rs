//! The sticker of a packed shipment: `sticker/print` with `printAsPdf: true`. The sandbox (and
//! this document's choice) answers the PDF in base64 as `data`; a raw `application/pdf` body and
//! an HTML `data` are taken too, as NOTES says clients have seen both.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use carpetti_marketplace::{Label, MpError};
use serde_json::Value;

use super::errors::{self, Answered};
use super::orders::{PACKED, fetch, packed_items};
use super::{MP, MegamarketConnector};
use crate::api::path;

pub(super) async fn sticker(c: &MegamarketConnector, id: &str) -> Result<Label, MpError> {
    const OP: &str = "sticker/print";
    let shipment = fetch(c, id).await?;
    if !PACKED.contains(&shipment.status.as_str()) {
        return Err(not_ready(id, &shipment.status));
    }
    let body = serde_json::json!({
        "shipmentId": id,
        "boxCodes": [c.settings.box_code(id)],
        "items": packed_items(c, &shipment, id),
        "printAsPdf": true,
    });
    let reply = c.merchant_reply(OP, path::STICKER_PRINT, &body).await?;
    if reply.is_success() && reply.content_type().starts_with("application/pdf") {
        return Ok(label(id, "application/pdf", reply.body.to_vec()));
    }
    match errors::read::<Value>(&reply, OP)? {
        Answered::Done(Value::String(text)) => Ok(decode(id, &text)),
        Answered::Done(other) => Err(MpError::Decode {
            marketplace: MP,
            method: OP.to_owned(),
            reason: format!("the sticker is not a string: {other}"),
        }),
        Answered::Refused(errors) if errors.iter().any(|e| e.code == "INVALID_SHIPMENT_STATUS") => {
            Err(not_ready(id, &shipment.status))
        }
        Answered::Refused(errors) => Err(errors::refused(OP, &errors)),
    }
}

/// Base64 of a PDF, a PDF as text, or the HTML sticker.
fn decode(id: &str, text: &str) -> Label {
    let trimmed = text.trim();
    if let Ok(bytes) = STANDARD.decode(trimmed)
        && bytes.starts_with(b"%PDF")
    {
        return label(id, "application/pdf", bytes);
    }
    if trimmed.starts_with("%PDF") {
        return label(id, "application/pdf", trimmed.as_bytes().to_vec());
    }
    label(id, "text/html", text.as_bytes().to_vec())
}

fn label(id: &str, content_type: &str, bytes: Vec<u8>) -> Label {
    Label {
        order_external_id: id.to_owned(),
        content_type: content_type.to_owned(),
        bytes,
    }
}

fn not_ready(id: &str, status: &str) -> MpError {
    MpError::NotReady {
        marketplace: MP,
        message: format!("shipment {id} is {status}: its sticker comes after packing"),
    }
}

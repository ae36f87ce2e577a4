//! Package labels: `/v2/posting/fbs/package-label` answers the raw PDF for postings awaiting
//! delivery; "The next postings aren't ready" before packing or too soon after it.

use base64::Engine;
use carpetti_marketplace::{Label, Marketplace, MpError};
use serde::{Deserialize, Serialize};

use super::{OzonConnector, op};

#[derive(Serialize)]
struct LabelRequest<'a> {
    posting_number: [&'a str; 1],
}

/// The documented JSON form of the answer (the real one is the raw PDF).
#[derive(Deserialize)]
struct LabelFile {
    #[serde(default)]
    content_type: String,
    file_content: String,
}

impl OzonConnector {
    pub(crate) async fn package_label(&self, posting_number: &str) -> Result<Label, MpError> {
        let call = self
            .call(
                op::LABEL,
                &LabelRequest {
                    posting_number: [posting_number],
                },
            )?
            .header("accept", "application/pdf, application/json");
        // "aren't ready" answers come back from `send` as MpError::NotReady
        let reply = self.send(&call).await?;
        let content_type = reply
            .content_type()
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        if content_type.contains("json") || reply.body.first() == Some(&b'{') {
            let file: LabelFile = reply.json(Marketplace::Ozon, op::LABEL)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(file.file_content.trim())
                .map_err(|e| MpError::Decode {
                    marketplace: Marketplace::Ozon,
                    method: op::LABEL.to_owned(),
                    reason: format!("file_content is not base64: {e}"),
                })?;
            return Ok(Label {
                order_external_id: posting_number.to_owned(),
                content_type: if file.content_type.is_empty() {
                    "application/pdf".to_owned()
                } else {
                    file.content_type
                },
                bytes,
            });
        }
        if !reply.body.starts_with(b"%PDF") {
            return Err(MpError::Decode {
                marketplace: Marketplace::Ozon,
                method: op::LABEL.to_owned(),
                reason: format!(
                    "expected a PDF, got {} bytes of `{content_type}`",
                    reply.body.len()
                ),
            });
        }
        Ok(Label {
            order_external_id: posting_number.to_owned(),
            content_type: "application/pdf".to_owned(),
            bytes: reply.body.to_vec(),
        })
    }
}

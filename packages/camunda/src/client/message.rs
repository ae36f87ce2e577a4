//! `POST /message`.

use reqwest::Method;

use super::{CamundaClient, Retry, decode, json_payload};
use crate::dto::{MessageCorrelationResult, MessageRequest};
use crate::error::Result;

impl CamundaClient {
    /// Correlates a message to a waiting instance or a message start event. With
    /// `result_enabled` the engine answers the results; without, 204 and this returns `[]`.
    /// Not retried (unless nothing was sent).
    pub async fn correlate_message(
        &self,
        request: &MessageRequest,
    ) -> Result<Vec<MessageCorrelationResult>> {
        let body = self
            .send(
                "correlate_message",
                Method::POST,
                &["message"],
                json_payload(request)?,
                Retry::Once,
                self.request_timeout(),
            )
            .await?;
        if body.is_empty() {
            return Ok(Vec::new());
        }
        decode("correlate_message", &body)
    }
}

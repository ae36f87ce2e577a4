//! The label of a packed order: `GET /v2/campaigns/{campaignId}/orders/{orderId}/delivery/labels`
//! → `application/pdf` (A7). The Market refuses it (400) until the order is `READY_TO_SHIP`.

use carpetti_marketplace::{Label, MpError};

use super::errors::refusal;
use super::orders::{is_packed, order_id};
use super::{MARKETPLACE, YandexMarketConnector};
use crate::quotas::op;

impl YandexMarketConnector {
    pub(super) async fn labels_of(&self, order_external_id: &str) -> Result<Label, MpError> {
        let id = order_id(op::LABELS, order_external_id)?;
        let url = self.campaign_url(&format!("/orders/{id}/delivery/labels?format=A7"));
        let reply = self.send(&self.get_call(op::LABELS, url)).await?;
        if reply.is_success() {
            if !reply.body.starts_with(b"%PDF") {
                return Err(MpError::Decode {
                    marketplace: MARKETPLACE,
                    method: op::LABELS.to_owned(),
                    reason: format!(
                        "expected a PDF, got {} bytes of {}",
                        reply.body.len(),
                        reply.content_type()
                    ),
                });
            }
            return Ok(Label {
                order_external_id: order_external_id.to_owned(),
                content_type: "application/pdf".to_owned(),
                bytes: reply.body.to_vec(),
            });
        }
        let refused = refusal(&reply, op::LABELS);
        if reply.status != 400 {
            return Err(refused);
        }
        // a label before packing is not an error of the request: the order is not ready yet
        let order = self.order(id).await?;
        if is_packed(&order) {
            return Err(refused);
        }
        Err(MpError::NotReady {
            marketplace: MARKETPLACE,
            message: format!(
                "order {id} is {}/{}: its label exists once it is READY_TO_SHIP",
                order.status, order.substatus
            ),
        })
    }
}

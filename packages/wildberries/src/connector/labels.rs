//! Packing and stickers. Packing an FBS order = adding it to an open supply of its warehouse and
//! cargo type (`POST /api/v3/supplies`, `PATCH /api/marketplace/v3/supplies/{supplyId}/orders`),
//! which moves it to `confirm`; stickers (`POST /api/v3/orders/stickers`, PNG 58×40, base64) exist
//! only for `confirm` and `complete` orders.

use base64::Engine;
use carpetti_marketplace::{Label, Marketplace, MpError};
use chrono::Utc;
use http::Method;
use serde_json::json;

use super::wire::{Stickers, SupplyCreated};
use super::{Host, WildberriesConnector, errors, op};

const WB: Marketplace = Marketplace::Wildberries;

fn order_id(external_id: &str, operation: &str) -> Result<i64, MpError> {
    external_id
        .trim()
        .parse::<i64>()
        .map_err(|_| MpError::Rejected {
            marketplace: WB,
            method: operation.to_owned(),
            status: 400,
            code: "IncorrectParameter".into(),
            message: format!("`{external_id}` is not a WB order id"),
        })
}

fn not_found(operation: &str, id: i64) -> MpError {
    MpError::Rejected {
        marketplace: WB,
        method: operation.to_owned(),
        status: 404,
        code: "NotFound".into(),
        message: format!("WB knows no order {id}"),
    }
}

impl WildberriesConnector {
    pub(super) async fn pack_order(&self, external_id: &str) -> Result<(), MpError> {
        let id = order_id(external_id, op::SUPPLY_ORDERS)?;
        let statuses = self.statuses(&[id]).await?;
        let status = statuses
            .get(&id)
            .ok_or_else(|| not_found(op::ORDERS_STATUS, id))?;
        match status.supplier_status.as_str() {
            "confirm" | "complete" => return Ok(()),
            "cancel" => {
                return Err(MpError::Rejected {
                    marketplace: WB,
                    method: op::SUPPLY_ORDERS.to_owned(),
                    status: 409,
                    code: "cancel".into(),
                    message: format!("order {id} is cancelled"),
                });
            }
            _ => {}
        }
        let order = self
            .new_orders()
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| MpError::NotReady {
                marketplace: WB,
                message: format!("order {id} is not among the new orders yet"),
            })?;
        let (warehouse, cargo) = (order.warehouse_id, order.cargo_type);
        for fresh in [false, true] {
            let supply = match self.memory.supply(warehouse, cargo).filter(|_| !fresh) {
                Some(supply) => supply,
                None => {
                    let supply = self.create_supply(warehouse).await?;
                    self.memory.remember_supply(warehouse, cargo, &supply);
                    supply
                }
            };
            let path = format!("/api/marketplace/v3/supplies/{supply}/orders");
            let call = self.json(
                Method::PATCH,
                op::SUPPLY_ORDERS,
                Host::Marketplace,
                &path,
                &json!({ "orders": [id] }),
            )?;
            let reply = self.send(&call).await?;
            match reply.status {
                200..=299 => return Ok(()),
                // The supply is gone, closed or of another kind: a new one.
                404 | 409 if !fresh => self.memory.drop_supply(warehouse, cargo),
                _ => return Err(errors::refused(&reply, op::SUPPLY_ORDERS)),
            }
        }
        Ok(())
    }

    async fn create_supply(&self, warehouse: i64) -> Result<String, MpError> {
        let name = format!(
            "carpetti {warehouse} {}",
            Utc::now().format("%Y-%m-%d %H:%M")
        );
        let call = self.json(
            Method::POST,
            op::SUPPLIES,
            Host::Marketplace,
            "/api/v3/supplies",
            &json!({ "name": name }),
        )?;
        let created: SupplyCreated = errors::json_ok(&self.send(&call).await?, op::SUPPLIES)?;
        if created.id.is_empty() {
            return Err(errors::decode(op::SUPPLIES, "no supply id in the answer"));
        }
        Ok(created.id)
    }

    pub(super) async fn sticker(&self, external_id: &str) -> Result<Label, MpError> {
        let id = order_id(external_id, op::STICKERS)?;
        let call = self.json(
            Method::POST,
            op::STICKERS,
            Host::Marketplace,
            "/api/v3/orders/stickers?type=png&width=58&height=40",
            &json!({ "orders": [id] }),
        )?;
        let stickers: Stickers = errors::json_ok(&self.send(&call).await?, op::STICKERS)?;
        if let Some(sticker) = stickers.stickers.into_iter().find(|s| s.order_id == id) {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(sticker.file.trim())
                .map_err(|e| errors::decode(op::STICKERS, format!("sticker file: {e}")))?;
            return Ok(Label {
                order_external_id: external_id.trim().to_owned(),
                content_type: "image/png".to_owned(),
                bytes,
            });
        }
        let statuses = self.statuses(&[id]).await?;
        match statuses.get(&id).map(|s| s.supplier_status.as_str()) {
            None => Err(not_found(op::STICKERS, id)),
            Some("cancel") => Err(MpError::Rejected {
                marketplace: WB,
                method: op::STICKERS.to_owned(),
                status: 409,
                code: "cancel".into(),
                message: format!("order {id} is cancelled: no sticker"),
            }),
            Some(status) => Err(MpError::NotReady {
                marketplace: WB,
                message: format!("order {id} is `{status}`: stickers exist once it is packed"),
            }),
        }
    }
}

//! `carpetti.persist.v1.CrmService`: interactions with customers.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::crm_service_server::CrmService;
use tonic::{Request, Response, Status};

use super::convert::{self, opt_text, required_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::crm::{Direction, Interaction, InteractionKind, Medium};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Crm {
    store: DynStore,
}

impl Crm {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn kind(raw: i32) -> Result<InteractionKind, StoreError> {
    match pb::InteractionKind::try_from(raw) {
        Ok(pb::InteractionKind::Note) => Ok(InteractionKind::Note),
        Ok(pb::InteractionKind::Call) => Ok(InteractionKind::Call),
        Ok(pb::InteractionKind::Email) => Ok(InteractionKind::Email),
        Ok(pb::InteractionKind::Message) => Ok(InteractionKind::Message),
        Ok(pb::InteractionKind::OrderEvent) => Ok(InteractionKind::OrderEvent),
        Ok(pb::InteractionKind::Unspecified) | Err(_) => Err(StoreError::invalid(
            "kind",
            "must be one of NOTE, CALL, EMAIL, MESSAGE, ORDER_EVENT",
        )),
    }
}

fn kind_pb(kind: InteractionKind) -> pb::InteractionKind {
    match kind {
        InteractionKind::Note => pb::InteractionKind::Note,
        InteractionKind::Call => pb::InteractionKind::Call,
        InteractionKind::Email => pb::InteractionKind::Email,
        InteractionKind::Message => pb::InteractionKind::Message,
        InteractionKind::OrderEvent => pb::InteractionKind::OrderEvent,
    }
}

fn direction(raw: i32) -> Result<Direction, StoreError> {
    match pb::InteractionDirection::try_from(raw) {
        Ok(pb::InteractionDirection::Inbound) => Ok(Direction::Inbound),
        Ok(pb::InteractionDirection::Outbound) => Ok(Direction::Outbound),
        Ok(pb::InteractionDirection::Internal) => Ok(Direction::Internal),
        Ok(pb::InteractionDirection::Unspecified) | Err(_) => Err(StoreError::invalid(
            "direction",
            "must be one of INBOUND, OUTBOUND, INTERNAL",
        )),
    }
}

fn direction_pb(direction: Direction) -> pb::InteractionDirection {
    match direction {
        Direction::Inbound => pb::InteractionDirection::Inbound,
        Direction::Outbound => pb::InteractionDirection::Outbound,
        Direction::Internal => pb::InteractionDirection::Internal,
    }
}

fn medium(raw: i32) -> Result<Medium, StoreError> {
    match pb::InteractionMedium::try_from(raw) {
        Ok(pb::InteractionMedium::Telegram) => Ok(Medium::Telegram),
        Ok(pb::InteractionMedium::Email) => Ok(Medium::Email),
        Ok(pb::InteractionMedium::Vk) => Ok(Medium::Vk),
        Ok(pb::InteractionMedium::Phone) => Ok(Medium::Phone),
        Ok(pb::InteractionMedium::Web) => Ok(Medium::Web),
        Ok(pb::InteractionMedium::Unspecified) | Err(_) => Err(StoreError::invalid(
            "medium",
            "must be one of TELEGRAM, EMAIL, VK, PHONE, WEB (leave it unset when unknown)",
        )),
    }
}

fn medium_pb(medium: Medium) -> pb::InteractionMedium {
    match medium {
        Medium::Telegram => pb::InteractionMedium::Telegram,
        Medium::Email => pb::InteractionMedium::Email,
        Medium::Vk => pb::InteractionMedium::Vk,
        Medium::Phone => pb::InteractionMedium::Phone,
        Medium::Web => pb::InteractionMedium::Web,
    }
}

/// Parses an interaction from the wire; an unset `occurred_at` is now.
pub fn interaction_from_pb(p: pb::Interaction) -> Result<Interaction, StoreError> {
    Ok(Interaction {
        customer_id: convert::id("customer_id", &p.customer_id)?,
        order_id: convert::opt_id("order_id", p.order_id.as_deref())?,
        user_id: convert::opt_id("user_id", p.user_id.as_deref())?,
        kind: kind(p.kind)?,
        direction: direction(p.direction)?,
        medium: p.medium.map(medium).transpose()?,
        subject: opt_text(p.subject),
        body: required_text("body", &p.body)?,
        occurred_at: match &p.occurred_at {
            Some(ts) => convert::from_timestamp("occurred_at", ts)?,
            None => carpetti_util::now(),
        },
    })
}

/// A stored interaction for the wire.
pub fn interaction_to_pb(r: Record<Interaction>) -> pb::Interaction {
    let v = r.value;
    pb::Interaction {
        meta: Some(convert::meta(&r.meta)),
        customer_id: v.customer_id.to_string(),
        order_id: v.order_id.map(|id| id.to_string()),
        user_id: v.user_id.map(|id| id.to_string()),
        user_login: r.refs.get("user_login"),
        kind: kind_pb(v.kind).into(),
        direction: direction_pb(v.direction).into(),
        medium: v.medium.map(|m| medium_pb(m).into()),
        subject: v.subject,
        body: v.body,
        occurred_at: Some(convert::timestamp(v.occurred_at)),
    }
}

#[tonic::async_trait]
impl CrmService for Crm {
    async fn create_interaction(
        &self,
        request: Request<pb::Interaction>,
    ) -> Result<Response<pb::Interaction>, Status> {
        let value = interaction_from_pb(request.into_inner())?;
        Ok(Response::new(interaction_to_pb(
            self.store.create_interaction(value).await?,
        )))
    }

    async fn get_interaction(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Interaction>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(interaction_to_pb(
            self.store.get_interaction(&lookup).await?,
        )))
    }

    async fn update_interaction(
        &self,
        request: Request<pb::Interaction>,
    ) -> Result<Response<pb::Interaction>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = interaction_from_pb(p)?;
        Ok(Response::new(interaction_to_pb(
            self.store.update_interaction(target, value).await?,
        )))
    }

    async fn delete_interaction(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_interaction(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_interactions(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListInteractionsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_interactions(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListInteractionsResponse {
            items: page.items.into_iter().map(interaction_to_pb).collect(),
            next_cursor,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interaction() -> pb::Interaction {
        pb::Interaction {
            customer_id: uuid::Uuid::now_v7().to_string(),
            kind: pb::InteractionKind::Call.into(),
            direction: pb::InteractionDirection::Inbound.into(),
            body: "Спросил про доставку".into(),
            ..Default::default()
        }
    }

    #[test]
    fn interaction_parsing_names_fields() {
        let parsed = interaction_from_pb(interaction()).expect("valid");
        assert_eq!(parsed.medium, None);
        let field = |f: fn(&mut pb::Interaction)| {
            let mut p = interaction();
            f(&mut p);
            match interaction_from_pb(p) {
                Err(StoreError::InvalidArgument { field, .. }) => field,
                other => panic!("expected InvalidArgument, got {other:?}"),
            }
        };
        assert_eq!(field(|p| p.kind = 0), "kind");
        assert_eq!(field(|p| p.direction = 99), "direction");
        assert_eq!(field(|p| p.medium = Some(0)), "medium");
        assert_eq!(field(|p| p.body = "  ".into()), "body");
        assert_eq!(field(|p| p.customer_id = String::new()), "customer_id");
        assert_eq!(field(|p| p.order_id = Some("nope".into())), "order_id");
    }
}

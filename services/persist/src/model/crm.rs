//! CRM: the timeline of interactions with a customer (notes, calls, messages, order events).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text_enum;

text_enum!(
    /// What kind of interaction it was.
    InteractionKind {
        Note => "note",
        Call => "call",
        Email => "email",
        Message => "message",
        OrderEvent => "order_event",
    }
);

text_enum!(
    /// Which way an interaction went.
    Direction {
        Inbound => "inbound",
        Outbound => "outbound",
        Internal => "internal",
    }
);

text_enum!(
    /// The medium an interaction went through.
    Medium {
        Telegram => "telegram",
        Email => "email",
        Vk => "vk",
        Phone => "phone",
        Web => "web",
    }
);

/// One interaction with a customer. Lists order interactions by `change_seq` (the write order);
/// `occurred_at` is the business time, for the timeline a person reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub customer_id: Uuid,
    /// The order it is about.
    pub order_id: Option<Uuid>,
    /// The staff user involved.
    pub user_id: Option<Uuid>,
    pub kind: InteractionKind,
    pub direction: Direction,
    pub medium: Option<Medium>,
    pub subject: Option<String>,
    /// Content; never empty.
    pub body: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

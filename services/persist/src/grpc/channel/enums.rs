//! Proto ↔ domain mappings of the channel enums (kind, listing status, outbox kind and status);
//! UNSPECIFIED or unknown values are INVALID_ARGUMENT naming the field.

use carpetti_proto::catalog::v1 as pb;

use crate::StoreError;
use crate::model::channel::{ChannelKind, ListingStatus, OutboxKind, OutboxStatus};

pub(super) fn kind(raw: i32) -> Result<ChannelKind, StoreError> {
    match pb::ChannelKind::try_from(raw) {
        Ok(pb::ChannelKind::Ozon) => Ok(ChannelKind::Ozon),
        Ok(pb::ChannelKind::Wildberries) => Ok(ChannelKind::Wildberries),
        Ok(pb::ChannelKind::YandexMarket) => Ok(ChannelKind::YandexMarket),
        Ok(pb::ChannelKind::Megamarket) => Ok(ChannelKind::Megamarket),
        Ok(pb::ChannelKind::Shop) => Ok(ChannelKind::Shop),
        Ok(pb::ChannelKind::Unspecified) | Err(_) => Err(StoreError::invalid(
            "kind",
            "must be one of OZON, WILDBERRIES, YANDEX_MARKET, MEGAMARKET, SHOP",
        )),
    }
}

pub(super) fn kind_pb(kind: ChannelKind) -> pb::ChannelKind {
    match kind {
        ChannelKind::Ozon => pb::ChannelKind::Ozon,
        ChannelKind::Wildberries => pb::ChannelKind::Wildberries,
        ChannelKind::YandexMarket => pb::ChannelKind::YandexMarket,
        ChannelKind::Megamarket => pb::ChannelKind::Megamarket,
        ChannelKind::Shop => pb::ChannelKind::Shop,
    }
}

pub(super) fn listing_status(raw: i32) -> Result<ListingStatus, StoreError> {
    match pb::ListingStatus::try_from(raw) {
        Ok(pb::ListingStatus::New) => Ok(ListingStatus::New),
        Ok(pb::ListingStatus::Pending) => Ok(ListingStatus::Pending),
        Ok(pb::ListingStatus::Published) => Ok(ListingStatus::Published),
        Ok(pb::ListingStatus::Rejected) => Ok(ListingStatus::Rejected),
        Ok(pb::ListingStatus::Archived) => Ok(ListingStatus::Archived),
        Ok(pb::ListingStatus::Unspecified) | Err(_) => Err(StoreError::invalid(
            "status",
            "must be one of NEW, PENDING, PUBLISHED, REJECTED, ARCHIVED",
        )),
    }
}

pub(super) fn listing_status_pb(status: ListingStatus) -> pb::ListingStatus {
    match status {
        ListingStatus::New => pb::ListingStatus::New,
        ListingStatus::Pending => pb::ListingStatus::Pending,
        ListingStatus::Published => pb::ListingStatus::Published,
        ListingStatus::Rejected => pb::ListingStatus::Rejected,
        ListingStatus::Archived => pb::ListingStatus::Archived,
    }
}

pub(super) fn outbox_kind(raw: i32) -> Result<OutboxKind, StoreError> {
    match pb::OutboxKind::try_from(raw) {
        Ok(pb::OutboxKind::Content) => Ok(OutboxKind::Content),
        Ok(pb::OutboxKind::Price) => Ok(OutboxKind::Price),
        Ok(pb::OutboxKind::Stock) => Ok(OutboxKind::Stock),
        Ok(pb::OutboxKind::Unspecified) | Err(_) => Err(StoreError::invalid(
            "kind",
            "must be one of CONTENT, PRICE, STOCK",
        )),
    }
}

pub(super) fn outbox_kind_pb(kind: OutboxKind) -> pb::OutboxKind {
    match kind {
        OutboxKind::Content => pb::OutboxKind::Content,
        OutboxKind::Price => pb::OutboxKind::Price,
        OutboxKind::Stock => pb::OutboxKind::Stock,
    }
}

pub(super) fn outbox_status(raw: i32) -> Result<OutboxStatus, StoreError> {
    match pb::OutboxStatus::try_from(raw) {
        Ok(pb::OutboxStatus::Pending) => Ok(OutboxStatus::Pending),
        Ok(pb::OutboxStatus::Sending) => Ok(OutboxStatus::Sending),
        Ok(pb::OutboxStatus::Sent) => Ok(OutboxStatus::Sent),
        Ok(pb::OutboxStatus::Failed) => Ok(OutboxStatus::Failed),
        Ok(pb::OutboxStatus::Unspecified) | Err(_) => Err(StoreError::invalid(
            "status",
            "must be one of PENDING, SENDING, SENT, FAILED",
        )),
    }
}

pub(super) fn outbox_status_pb(status: OutboxStatus) -> pb::OutboxStatus {
    match status {
        OutboxStatus::Pending => pb::OutboxStatus::Pending,
        OutboxStatus::Sending => pb::OutboxStatus::Sending,
        OutboxStatus::Sent => pb::OutboxStatus::Sent,
        OutboxStatus::Failed => pb::OutboxStatus::Failed,
    }
}

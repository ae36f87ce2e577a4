//! Proto ↔ domain conversions of `ChannelService` messages: channels, mappings, listings, outbox
//! entries. Errors name the proto field.

use carpetti_proto::catalog::v1 as pb;
use carpetti_util::{Code, Currency};

use super::enums::{
    kind, kind_pb, listing_status, listing_status_pb, outbox_kind, outbox_kind_pb, outbox_status,
    outbox_status_pb,
};
use crate::StoreError;
use crate::grpc::convert::{self, opt_text, required_text};
use crate::model::Record;
use crate::model::channel::{
    Channel, ChannelAttributeMap, ChannelCategoryMap, DEFAULT_LOCALE, ItemError, Listing,
    OutboxEntry,
};
#[cfg(test)]
use crate::model::channel::{OutboxKind, OutboxStatus};

fn opt_timestamp(
    field: &str,
    ts: Option<&prost_types::Timestamp>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    ts.map(|ts| convert::from_timestamp(field, ts)).transpose()
}

/// Parses a channel: locale `ru_RU` and currency `RUB` when empty.
pub fn channel_from_pb(p: pb::Channel) -> Result<Channel, StoreError> {
    let locale = p.locale.trim();
    Ok(Channel {
        code: Code::parse(&p.code).map_err(StoreError::parse("code"))?,
        name: required_text("name", &p.name)?,
        kind: kind(p.kind)?,
        locale: if locale.is_empty() {
            DEFAULT_LOCALE.to_owned()
        } else {
            locale.to_owned()
        },
        currency: Currency::parse(&p.currency).map_err(StoreError::parse("currency"))?,
        active: p.active,
        settings: convert::struct_to_json(p.settings),
    })
}

/// A stored channel for the wire.
pub fn channel_to_pb(r: Record<Channel>) -> pb::Channel {
    pb::Channel {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        kind: kind_pb(r.value.kind).into(),
        locale: r.value.locale,
        currency: r.value.currency.as_str().to_owned(),
        active: r.value.active,
        settings: Some(convert::json_to_struct(&r.value.settings)),
    }
}

/// Parses a category map (read-only codes ignored).
pub fn category_map_from_pb(p: pb::ChannelCategoryMap) -> Result<ChannelCategoryMap, StoreError> {
    Ok(ChannelCategoryMap {
        channel_id: convert::id("channel_id", &p.channel_id)?,
        category_id: convert::id("category_id", &p.category_id)?,
        external_id: required_text("external_id", &p.external_id)?,
        external_name: opt_text(p.external_name),
    })
}

/// A stored category map for the wire.
pub fn category_map_to_pb(r: Record<ChannelCategoryMap>) -> pb::ChannelCategoryMap {
    pb::ChannelCategoryMap {
        meta: Some(convert::meta(&r.meta)),
        channel_id: r.value.channel_id.to_string(),
        channel_code: r.refs.get("channel_code"),
        category_id: r.value.category_id.to_string(),
        category_code: r.refs.get("category_code"),
        external_id: r.value.external_id,
        external_name: r.value.external_name,
    }
}

/// Parses an attribute map (read-only codes ignored).
pub fn attribute_map_from_pb(
    p: pb::ChannelAttributeMap,
) -> Result<ChannelAttributeMap, StoreError> {
    Ok(ChannelAttributeMap {
        channel_id: convert::id("channel_id", &p.channel_id)?,
        attribute_id: convert::id("attribute_id", &p.attribute_id)?,
        external_id: required_text("external_id", &p.external_id)?,
        external_name: opt_text(p.external_name),
        value_map: p.value_map.into_iter().collect(),
    })
}

/// A stored attribute map for the wire.
pub fn attribute_map_to_pb(r: Record<ChannelAttributeMap>) -> pb::ChannelAttributeMap {
    pb::ChannelAttributeMap {
        meta: Some(convert::meta(&r.meta)),
        channel_id: r.value.channel_id.to_string(),
        channel_code: r.refs.get("channel_code"),
        attribute_id: r.value.attribute_id.to_string(),
        attribute_code: r.refs.get("attribute_code"),
        external_id: r.value.external_id,
        external_name: r.value.external_name,
        value_map: r.value.value_map.into_iter().collect(),
    }
}

/// Parses a listing (read-only `sku`/`channel_code` ignored).
pub fn listing_from_pb(p: pb::Listing) -> Result<Listing, StoreError> {
    Ok(Listing {
        product_id: convert::id("product_id", &p.product_id)?,
        channel_id: convert::id("channel_id", &p.channel_id)?,
        external_offer_id: opt_text(p.external_offer_id),
        external_product_id: opt_text(p.external_product_id),
        external_sku: opt_text(p.external_sku),
        status: listing_status(p.status)?,
        published_hash: opt_text(p.published_hash),
        errors: p
            .errors
            .into_iter()
            .map(|e| ItemError {
                code: e.code,
                message: e.message,
                attribute: opt_text(e.attribute),
            })
            .collect(),
        published_at: opt_timestamp("published_at", p.published_at.as_ref())?,
        synced_at: opt_timestamp("synced_at", p.synced_at.as_ref())?,
    })
}

/// A stored listing for the wire.
pub fn listing_to_pb(r: Record<Listing>) -> pb::Listing {
    let v = r.value;
    pb::Listing {
        meta: Some(convert::meta(&r.meta)),
        product_id: v.product_id.to_string(),
        sku: r.refs.get("sku"),
        channel_id: v.channel_id.to_string(),
        channel_code: r.refs.get("channel_code"),
        external_offer_id: v.external_offer_id,
        external_product_id: v.external_product_id,
        external_sku: v.external_sku,
        status: listing_status_pb(v.status).into(),
        published_hash: v.published_hash,
        errors: v
            .errors
            .into_iter()
            .map(|e| pb::ItemError {
                code: e.code,
                message: e.message,
                attribute: e.attribute,
            })
            .collect(),
        published_at: v.published_at.map(convert::timestamp),
        synced_at: v.synced_at.map(convert::timestamp),
    }
}

/// Parses an outbox entry: attempts ≥ 0; no `next_attempt_at` means now.
pub fn outbox_from_pb(p: pb::OutboxEntry) -> Result<OutboxEntry, StoreError> {
    if p.attempts < 0 {
        return Err(StoreError::invalid(
            "attempts",
            format!("must not be negative, got {}", p.attempts),
        ));
    }
    Ok(OutboxEntry {
        channel_id: convert::id("channel_id", &p.channel_id)?,
        product_id: convert::id("product_id", &p.product_id)?,
        kind: outbox_kind(p.kind)?,
        payload_hash: required_text("payload_hash", &p.payload_hash)?,
        status: outbox_status(p.status)?,
        attempts: i64::from(p.attempts),
        next_attempt_at: opt_timestamp("next_attempt_at", p.next_attempt_at.as_ref())?
            .unwrap_or_else(carpetti_util::now),
        last_error: opt_text(p.last_error),
        batch_id: opt_text(p.batch_id),
    })
}

/// A stored outbox entry for the wire.
pub fn outbox_to_pb(r: Record<OutboxEntry>) -> pb::OutboxEntry {
    let v = r.value;
    pb::OutboxEntry {
        meta: Some(convert::meta(&r.meta)),
        channel_id: v.channel_id.to_string(),
        channel_code: r.refs.get("channel_code"),
        product_id: v.product_id.to_string(),
        sku: r.refs.get("sku"),
        kind: outbox_kind_pb(v.kind).into(),
        payload_hash: v.payload_hash,
        status: outbox_status_pb(v.status).into(),
        attempts: i32::try_from(v.attempts).unwrap_or(i32::MAX),
        next_attempt_at: Some(convert::timestamp(v.next_attempt_at)),
        last_error: v.last_error,
        batch_id: v.batch_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: StoreError) -> String {
        match err {
            StoreError::InvalidArgument { field, .. } => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn id() -> String {
        uuid::Uuid::now_v7().to_string()
    }

    #[test]
    fn channel_defaults_and_errors() {
        let p = pb::Channel {
            code: "ozon".into(),
            name: "Ozon".into(),
            kind: 1,
            ..Default::default()
        };
        let c = channel_from_pb(p.clone()).expect("valid");
        assert_eq!((c.locale.as_str(), c.currency.as_str()), ("ru_RU", "RUB"));
        assert_eq!(c.settings, serde_json::json!({}));
        assert_eq!(
            field_of(
                channel_from_pb(pb::Channel {
                    kind: 0,
                    ..p.clone()
                })
                .expect_err("kind")
            ),
            "kind"
        );
        assert_eq!(
            field_of(
                channel_from_pb(pb::Channel {
                    kind: 99,
                    ..p.clone()
                })
                .expect_err("kind")
            ),
            "kind"
        );
        assert_eq!(
            field_of(
                channel_from_pb(pb::Channel {
                    code: "".into(),
                    ..p.clone()
                })
                .expect_err("code")
            ),
            "code"
        );
        let bad = pb::Channel {
            currency: "rubles".into(),
            ..p
        };
        assert_eq!(
            field_of(channel_from_pb(bad).expect_err("currency")),
            "currency"
        );
    }

    #[test]
    fn listing_and_map_errors() {
        let p = pb::Listing {
            product_id: id(),
            channel_id: id(),
            status: 1,
            ..Default::default()
        };
        assert!(listing_from_pb(p.clone()).is_ok());
        assert_eq!(
            field_of(
                listing_from_pb(pb::Listing {
                    status: 0,
                    ..p.clone()
                })
                .expect_err("status")
            ),
            "status"
        );
        let bad_time = pb::Listing {
            published_at: Some(prost_types::Timestamp {
                seconds: 0,
                nanos: -1,
            }),
            ..p.clone()
        };
        assert_eq!(
            field_of(listing_from_pb(bad_time).expect_err("time")),
            "published_at"
        );
        assert_eq!(
            field_of(
                listing_from_pb(pb::Listing {
                    channel_id: "x".into(),
                    ..p
                })
                .expect_err("id")
            ),
            "channel_id"
        );
        let m = pb::ChannelCategoryMap {
            channel_id: id(),
            category_id: id(),
            external_id: " ".into(),
            ..Default::default()
        };
        assert_eq!(
            field_of(category_map_from_pb(m).expect_err("external")),
            "external_id"
        );
        let a = pb::ChannelAttributeMap {
            channel_id: id(),
            external_id: "1".into(),
            ..Default::default()
        };
        assert_eq!(
            field_of(attribute_map_from_pb(a).expect_err("attribute")),
            "attribute_id"
        );
    }

    #[test]
    fn outbox_errors_and_defaults() {
        let p = pb::OutboxEntry {
            channel_id: id(),
            product_id: id(),
            kind: 2,
            payload_hash: "h".into(),
            status: 1,
            ..Default::default()
        };
        let e = outbox_from_pb(p.clone()).expect("valid");
        assert_eq!(
            (e.kind, e.status, e.attempts),
            (OutboxKind::Price, OutboxStatus::Pending, 0)
        );
        assert_eq!(
            field_of(
                outbox_from_pb(pb::OutboxEntry {
                    attempts: -1,
                    ..p.clone()
                })
                .expect_err("a")
            ),
            "attempts"
        );
        assert_eq!(
            field_of(
                outbox_from_pb(pb::OutboxEntry {
                    kind: 0,
                    ..p.clone()
                })
                .expect_err("k")
            ),
            "kind"
        );
        assert_eq!(
            field_of(
                outbox_from_pb(pb::OutboxEntry {
                    status: 0,
                    ..p.clone()
                })
                .expect_err("s")
            ),
            "status"
        );
        let empty = pb::OutboxEntry {
            payload_hash: "".into(),
            ..p
        };
        assert_eq!(
            field_of(outbox_from_pb(empty).expect_err("hash")),
            "payload_hash"
        );
    }
}

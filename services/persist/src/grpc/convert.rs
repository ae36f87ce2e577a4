//! Conversions shared by every service: ids, timestamps, metadata, list queries and cursors,
//! `google.protobuf.Struct` ↔ JSON. Entity-specific conversions live beside each service.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use prost_types::value::Kind;
use uuid::Uuid;

use crate::StoreError;
use crate::model::{ListFilter, Lookup, Meta, Page, Target};

/// Parses a required id field.
pub fn id(field: &str, raw: &str) -> Result<Uuid, StoreError> {
    if raw.trim().is_empty() {
        return Err(StoreError::invalid(field, "is required"));
    }
    Uuid::parse_str(raw.trim())
        .map_err(|_| StoreError::invalid(field, format!("{raw:?} is not a UUID")))
}

/// Parses an optional id field (empty = none).
pub fn opt_id(field: &str, raw: Option<&str>) -> Result<Option<Uuid>, StoreError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => id(field, raw).map(Some),
    }
}

/// A timestamp for proto.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A timestamp from proto.
pub fn from_timestamp(
    field: &str,
    ts: &prost_types::Timestamp,
) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    let nanos =
        u32::try_from(ts.nanos).map_err(|_| StoreError::invalid(field, "negative nanos"))?;
    chrono::DateTime::from_timestamp(ts.seconds, nanos)
        .map(|t| chrono::SubsecRound::trunc_subsecs(t, 6))
        .ok_or_else(|| StoreError::invalid(field, "timestamp out of range"))
}

/// The entity metadata for proto.
pub fn meta(meta: &Meta) -> pb::EntityMeta {
    pb::EntityMeta {
        id: meta.id.to_string(),
        change_seq: meta.change_seq,
        created_at: Some(timestamp(meta.created_at)),
        updated_at: Some(timestamp(meta.updated_at)),
    }
}

/// The target of an update: `meta.id` required; a non-zero `meta.change_seq` is the expected one.
pub fn target(meta: Option<&pb::EntityMeta>) -> Result<Target, StoreError> {
    let meta = meta.ok_or_else(|| StoreError::invalid("meta.id", "is required to update"))?;
    Ok(Target {
        id: id("meta.id", &meta.id)?,
        expected_seq: (meta.change_seq != 0).then_some(meta.change_seq),
    })
}

/// The target of a delete.
pub fn delete_target(request: &api::DeleteRequest) -> Result<Target, StoreError> {
    Ok(Target {
        id: id("id", &request.id)?,
        expected_seq: (request.expected_change_seq != 0).then_some(request.expected_change_seq),
    })
}

/// How a `GetRequest` names the entity: id, else business key (within `scope_id` when given).
pub fn lookup(request: &api::GetRequest) -> Result<Lookup, StoreError> {
    if !request.id.trim().is_empty() {
        return Ok(Lookup::Id(id("id", &request.id)?));
    }
    let key = request.key.trim();
    if key.is_empty() {
        return Err(StoreError::invalid("id", "either id or key is required"));
    }
    match opt_id("scope_id", Some(&request.scope_id))? {
        Some(scope) => Ok(Lookup::ScopedKey(scope, key.to_owned())),
        None => Ok(Lookup::Key(key.to_owned())),
    }
}

const CURSOR_PREFIX: &str = "cs1.";

/// The cursor of the next page: opaque to clients (it is the last change sequence read).
pub fn cursor<T>(page: &Page<T>) -> String {
    page.next_after_seq
        .map(|seq| format!("{CURSOR_PREFIX}{seq}"))
        .unwrap_or_default()
}

/// Parses a `ListQuery` into the store's filter.
pub fn list_filter(query: &api::ListQuery) -> Result<ListFilter, StoreError> {
    let limit = match query.page_size {
        0 => ListFilter::DEFAULT_LIMIT,
        n if n < 0 => return Err(StoreError::invalid("page_size", "must not be negative")),
        n => u32::try_from(n)
            .unwrap_or(ListFilter::MAX_LIMIT)
            .min(ListFilter::MAX_LIMIT),
    };
    let after_cursor = if query.cursor.is_empty() {
        0
    } else {
        query
            .cursor
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|n| n.parse::<i64>().ok())
            .ok_or_else(|| StoreError::invalid("cursor", "not a cursor returned by this service"))?
    };
    if query.changed_since < 0 {
        return Err(StoreError::invalid("changed_since", "must not be negative"));
    }
    let opt_text = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    Ok(ListFilter {
        limit,
        after_seq: after_cursor.max(query.changed_since),
        text: opt_text(&query.text).map(|t| carpetti_util::normalize_search_text(&t)),
        supplier_id: opt_id("supplier_id", Some(&query.supplier_id))?,
        category_id: opt_id("category_id", Some(&query.category_id))?,
        channel_id: opt_id("channel_id", Some(&query.channel_id))?,
        status: opt_text(&query.status).map(|s| s.to_lowercase()),
        parent_id: opt_id("parent_id", Some(&query.parent_id))?,
        product_id: opt_id("product_id", Some(&query.product_id))?,
        customer_id: opt_id("customer_id", Some(&query.customer_id))?,
        order_id: opt_id("order_id", Some(&query.order_id))?,
        attribute_id: opt_id("attribute_id", Some(&query.attribute_id))?,
        import_run_id: opt_id("import_run_id", Some(&query.import_run_id))?,
    })
}

/// A required, non-blank text field.
pub fn required_text(field: &str, raw: &str) -> Result<String, StoreError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(StoreError::invalid(field, "must not be empty"))
    } else {
        Ok(trimmed.to_owned())
    }
}

/// A required, non-blank text field taken by value (no copy unless it needs trimming).
pub fn required_owned(field: &str, raw: String) -> Result<String, StoreError> {
    let text = trimmed(raw);
    if text.is_empty() {
        Err(StoreError::invalid(field, "must not be empty"))
    } else {
        Ok(text)
    }
}

/// An optional text field; blank means none.
pub fn opt_text(raw: Option<String>) -> Option<String> {
    raw.map(trimmed).filter(|s| !s.is_empty())
}

/// The text without surrounding whitespace, reusing the allocation when there is none (the usual
/// case: this runs for every text field of every imported item).
pub fn trimmed(raw: String) -> String {
    let trimmed = raw.trim();
    if trimmed.len() == raw.len() {
        raw
    } else {
        trimmed.to_owned()
    }
}

/// A `google.protobuf.Struct` as a JSON object (absent = `{}`).
pub fn struct_to_json(value: Option<prost_types::Struct>) -> serde_json::Value {
    let fields = value.map(|s| s.fields).unwrap_or_default();
    serde_json::Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k, value_to_json(v)))
            .collect(),
    )
}

fn value_to_json(value: prost_types::Value) -> serde_json::Value {
    match value.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(b),
        Some(Kind::NumberValue(n)) => number_to_json(n),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s),
        Some(Kind::ListValue(list)) => {
            serde_json::Value::Array(list.values.into_iter().map(value_to_json).collect())
        }
        Some(Kind::StructValue(s)) => struct_to_json(Some(s)),
    }
}

/// Largest integer a double holds exactly (2^53).
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// A Struct number as JSON: a whole number that a double holds exactly is an integer (an id of
/// `42` reads back as `42`, not `42.0`), anything else a float; NaN and infinities are null.
fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() <= EXACT_INTEGER {
        // In range and whole: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        return serde_json::Value::Number((n as i64).into());
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A JSON object as a `google.protobuf.Struct` (non-objects become an empty struct).
pub fn json_to_struct(value: &serde_json::Value) -> prost_types::Struct {
    let fields = match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), json_to_value(v)))
            .collect(),
        _ => Default::default(),
    };
    prost_types::Struct { fields }
}

fn json_to_value(value: &serde_json::Value) -> prost_types::Value {
    let kind = match value {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(*b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Kind::StringValue(s.clone()),
        serde_json::Value::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.iter().map(json_to_value).collect(),
        }),
        serde_json::Value::Object(_) => Kind::StructValue(json_to_struct(value)),
    };
    prost_types::Value { kind: Some(kind) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_limits_and_cursor() {
        let q = api::ListQuery {
            page_size: 5000,
            cursor: "cs1.42".into(),
            changed_since: 10,
            ..Default::default()
        };
        let f = list_filter(&q).expect("valid");
        assert_eq!(f.limit, ListFilter::MAX_LIMIT);
        assert_eq!(f.after_seq, 42);
        let bad = api::ListQuery {
            cursor: "42".into(),
            ..Default::default()
        };
        assert!(
            matches!(list_filter(&bad), Err(StoreError::InvalidArgument { field, .. }) if field == "cursor")
        );
        let neg = api::ListQuery {
            page_size: -1,
            ..Default::default()
        };
        assert!(list_filter(&neg).is_err());
    }

    #[test]
    fn struct_round_trip() {
        let json = serde_json::json!({"a": "x", "b": true, "c": [1.5, null], "d": {"e": "f"}});
        assert_eq!(struct_to_json(Some(json_to_struct(&json))), json);
    }

    #[test]
    fn lookup_prefers_id_then_scoped_key() {
        let sid = Uuid::now_v7();
        let req = api::GetRequest {
            key: "K".into(),
            scope_id: sid.to_string(),
            ..Default::default()
        };
        assert_eq!(
            lookup(&req).expect("ok"),
            Lookup::ScopedKey(sid, "K".into())
        );
        assert!(lookup(&api::GetRequest::default()).is_err());
        let bad = api::GetRequest {
            id: "nope".into(),
            ..Default::default()
        };
        assert!(
            matches!(lookup(&bad), Err(StoreError::InvalidArgument { field, .. }) if field == "id")
        );
    }
}

//! `carpetti.persist.v1.ChangeService`: the change feed (tombstones of deletes) and the current
//! change sequence number.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::change_service_server::ChangeService;
use tonic::{Request, Response, Status};

use super::convert;
use crate::StoreError;
use crate::model::ListFilter;
use crate::store::{DynStore, Tombstone};

/// The tables whose deletes leave tombstones: the valid `ListChangesRequest.entity` values (every
/// table of the migrations but the bookkeeping `change_counter` and `change_log`).
pub const ENTITIES: &[&str] = &[
    "app_user",
    "association_type",
    "attribute",
    "attribute_group",
    "attribute_option",
    "category",
    "channel",
    "channel_attribute_map",
    "channel_category_map",
    "completeness",
    "customer",
    "family",
    "family_attribute",
    "family_requirement",
    "file",
    "import_item_report",
    "import_run",
    "interaction",
    "listing",
    "order_line",
    "order_status_history",
    "orders",
    "process_report",
    "product",
    "product_link",
    "product_value",
    "publication_outbox",
    "role",
    "supplier",
    "supplier_item",
    "supplier_item_link",
    "user_role",
];

/// The service over a store.
#[derive(Clone)]
pub struct Changes {
    store: DynStore,
}

impl Changes {
    /// The service over `store`.
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

/// What a `ListChangesRequest` asks for, checked.
#[derive(Debug, PartialEq, Eq)]
struct ChangesQuery {
    since: i64,
    limit: u32,
    entity: Option<String>,
}

fn changes_query(request: &api::ListChangesRequest) -> Result<ChangesQuery, StoreError> {
    if request.since < 0 {
        return Err(StoreError::invalid("since", "must not be negative"));
    }
    let limit = match request.page_size {
        0 => ListFilter::DEFAULT_LIMIT,
        n if n < 0 => return Err(StoreError::invalid("page_size", "must not be negative")),
        n => u32::try_from(n)
            .unwrap_or(ListFilter::MAX_LIMIT)
            .min(ListFilter::MAX_LIMIT),
    };
    let entity = match request.entity.trim() {
        "" => None,
        name if ENTITIES.contains(&name) => Some(name.to_owned()),
        name => {
            return Err(StoreError::invalid(
                "entity",
                format!(
                    "{name:?} is not a table name; valid: {}",
                    ENTITIES.join(", ")
                ),
            ));
        }
    };
    Ok(ChangesQuery {
        since: request.since,
        limit,
        entity,
    })
}

fn tombstone_to_pb(t: Tombstone) -> pb::Tombstone {
    pb::Tombstone {
        seq: t.seq,
        entity: t.entity,
        entity_id: t.entity_id.to_string(),
        business_key: t.business_key,
        deleted_at: Some(convert::timestamp(t.deleted_at)),
    }
}

/// One page of tombstones; `current_seq` is read after them, so it is never below `next_since`.
async fn list_changes(
    store: &DynStore,
    request: &api::ListChangesRequest,
) -> Result<api::ListChangesResponse, StoreError> {
    let query = changes_query(request)?;
    let tombstones = store
        .list_tombstones(query.since, query.limit, query.entity.as_deref())
        .await?;
    let current_seq = store.current_seq().await?;
    let pruned_through = store.pruned_through().await?;
    let next_since = tombstones.last().map_or(query.since, |t| t.seq);
    Ok(api::ListChangesResponse {
        tombstones: tombstones.into_iter().map(tombstone_to_pb).collect(),
        next_since,
        current_seq,
        pruned_through,
    })
}

#[tonic::async_trait]
impl ChangeService for Changes {
    async fn list_changes(
        &self,
        request: Request<api::ListChangesRequest>,
    ) -> Result<Response<api::ListChangesResponse>, Status> {
        Ok(Response::new(
            list_changes(&self.store, request.get_ref()).await?,
        ))
    }

    async fn get_current_seq(
        &self,
        _request: Request<api::GetCurrentSeqRequest>,
    ) -> Result<Response<api::GetCurrentSeqResponse>, Status> {
        let current_seq = self.store.current_seq().await?;
        Ok(Response::new(api::GetCurrentSeqResponse { current_seq }))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::*;
    use crate::model::Target;
    use crate::model::process::{ProcessReport, ProcessStatus};

    fn request(since: i64, page_size: i32, entity: &str) -> api::ListChangesRequest {
        api::ListChangesRequest {
            since,
            page_size,
            entity: entity.to_owned(),
        }
    }

    #[test]
    fn entities_are_the_migrated_tables() {
        let sql = [
            include_str!("../../migrations/postgres/0001_core.sql"),
            include_str!("../../migrations/postgres/0002_catalog.sql"),
            include_str!("../../migrations/postgres/0003_suppliers.sql"),
            include_str!("../../migrations/postgres/0004_channels.sql"),
            include_str!("../../migrations/postgres/0005_orders_crm.sql"),
            include_str!("../../migrations/postgres/0006_ops.sql"),
        ]
        .concat();
        let tables: BTreeSet<&str> = sql
            .lines()
            .filter_map(|line| line.strip_prefix("CREATE TABLE "))
            .filter_map(|rest| rest.split_whitespace().next())
            .filter(|name| !["change_counter", "change_log"].contains(name))
            .collect();
        assert_eq!(tables, ENTITIES.iter().copied().collect::<BTreeSet<_>>());
    }

    #[test]
    fn query_defaults_clamps_and_rejects() {
        let q = changes_query(&request(5, 0, "")).expect("valid");
        assert_eq!(
            q,
            ChangesQuery {
                since: 5,
                limit: 100,
                entity: None
            }
        );
        assert_eq!(
            changes_query(&request(0, 5000, "file"))
                .expect("valid")
                .limit,
            1000
        );
        assert_eq!(
            changes_query(&request(0, 1, " product "))
                .expect("valid")
                .entity
                .as_deref(),
            Some("product")
        );
        for (bad, field) in [
            (request(-1, 0, ""), "since"),
            (request(0, -1, ""), "page_size"),
        ] {
            assert!(
                matches!(changes_query(&bad), Err(StoreError::InvalidArgument { field: f, .. }) if f == field)
            );
        }
        match changes_query(&request(0, 0, "products")) {
            Err(StoreError::InvalidArgument { field, reason }) => {
                assert_eq!(field, "entity");
                assert!(
                    reason.contains("supplier_item") && reason.contains("process_report"),
                    "{reason}"
                );
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn pages_tombstones_with_next_since_and_current_seq()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store: DynStore =
            Arc::new(crate::store::sqlite::SqliteStore::open(&dir.path().join("t.db")).await?);
        let mut seqs = Vec::new();
        for i in 0..3 {
            let created = store
                .create_process_report(ProcessReport {
                    process_key: format!("p{i}"),
                    definition_key: "cycle".into(),
                    step: None,
                    status: ProcessStatus::Running,
                    started_at: None,
                    finished_at: None,
                    counters: Default::default(),
                    message: None,
                })
                .await?;
            seqs.push(
                store
                    .delete_process_report(Target {
                        id: created.meta.id,
                        expected_seq: None,
                    })
                    .await?,
            );
        }
        let first = list_changes(&store, &request(0, 2, "")).await?;
        assert_eq!(
            first.tombstones.iter().map(|t| t.seq).collect::<Vec<_>>(),
            seqs[..2]
        );
        assert_eq!(first.next_since, seqs[1]);
        assert_eq!(first.current_seq, seqs[2]);
        assert_eq!(first.tombstones[0].business_key, "p0");
        assert_eq!(first.tombstones[0].entity, "process_report");
        let rest = list_changes(&store, &request(first.next_since, 2, "process_report")).await?;
        assert_eq!(rest.tombstones.len(), 1);
        assert_eq!(rest.next_since, seqs[2]);
        let empty = list_changes(&store, &request(rest.next_since, 0, "")).await?;
        assert!(empty.tombstones.is_empty());
        assert_eq!(
            empty.next_since, rest.next_since,
            "an empty page keeps since"
        );
        let other = list_changes(&store, &request(0, 0, "file")).await?;
        assert!(other.tombstones.is_empty());
        assert_eq!(other.next_since, 0);
        Ok(())
    }
}

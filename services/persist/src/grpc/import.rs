//! `carpetti.persist.v1.ImportService`: supplier import runs and their per-item reports.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::import_service_server::ImportService;
use tonic::{Request, Response, Status};

use super::convert::{self, opt_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::import::{
    ImportCounters, ImportItemReport, ImportRun, ImportRunStatus, ItemOutcome,
};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Imports {
    store: DynStore,
}

impl Imports {
    /// The service over `store`.
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn run_status(raw: i32) -> Result<ImportRunStatus, StoreError> {
    match pb::ImportRunStatus::try_from(raw) {
        Ok(pb::ImportRunStatus::Running) => Ok(ImportRunStatus::Running),
        Ok(pb::ImportRunStatus::Succeeded) => Ok(ImportRunStatus::Succeeded),
        Ok(pb::ImportRunStatus::Failed) => Ok(ImportRunStatus::Failed),
        Ok(pb::ImportRunStatus::Unspecified) | Err(_) => Err(StoreError::invalid(
            "status",
            "must be one of RUNNING, SUCCEEDED, FAILED",
        )),
    }
}

fn run_status_pb(status: ImportRunStatus) -> pb::ImportRunStatus {
    match status {
        ImportRunStatus::Running => pb::ImportRunStatus::Running,
        ImportRunStatus::Succeeded => pb::ImportRunStatus::Succeeded,
        ImportRunStatus::Failed => pb::ImportRunStatus::Failed,
    }
}

fn outcome(raw: i32) -> Result<ItemOutcome, StoreError> {
    match pb::ItemOutcome::try_from(raw) {
        Ok(pb::ItemOutcome::Created) => Ok(ItemOutcome::Created),
        Ok(pb::ItemOutcome::Updated) => Ok(ItemOutcome::Updated),
        Ok(pb::ItemOutcome::Unchanged) => Ok(ItemOutcome::Unchanged),
        Ok(pb::ItemOutcome::Rejected) => Ok(ItemOutcome::Rejected),
        Ok(pb::ItemOutcome::Gone) => Ok(ItemOutcome::Gone),
        Ok(pb::ItemOutcome::Unspecified) | Err(_) => Err(StoreError::invalid(
            "outcome",
            "must be one of CREATED, UPDATED, UNCHANGED, REJECTED, GONE",
        )),
    }
}

fn outcome_pb(outcome: ItemOutcome) -> pb::ItemOutcome {
    match outcome {
        ItemOutcome::Created => pb::ItemOutcome::Created,
        ItemOutcome::Updated => pb::ItemOutcome::Updated,
        ItemOutcome::Unchanged => pb::ItemOutcome::Unchanged,
        ItemOutcome::Rejected => pb::ItemOutcome::Rejected,
        ItemOutcome::Gone => pb::ItemOutcome::Gone,
    }
}

fn opt_time(
    field: &str,
    ts: Option<&prost_types::Timestamp>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    ts.map(|ts| convert::from_timestamp(field, ts)).transpose()
}

/// Parses an import run from the wire (counters and time order are checked by the store).
pub fn run_from_pb(p: pb::ImportRun) -> Result<ImportRun, StoreError> {
    Ok(ImportRun {
        supplier_id: convert::id("supplier_id", &p.supplier_id)?,
        source: convert::required_text("source", &p.source)?,
        status: run_status(p.status)?,
        started_at: opt_time("started_at", p.started_at.as_ref())?,
        finished_at: opt_time("finished_at", p.finished_at.as_ref())?,
        counters: ImportCounters {
            read: p.read,
            created: p.created,
            updated: p.updated,
            unchanged: p.unchanged,
            rejected: p.rejected,
            gone: p.gone,
        },
        error: opt_text(p.error),
    })
}

/// A stored import run for the wire.
pub fn run_to_pb(r: Record<ImportRun>) -> pb::ImportRun {
    let v = r.value;
    pb::ImportRun {
        meta: Some(convert::meta(&r.meta)),
        supplier_id: v.supplier_id.to_string(),
        supplier_code: r.refs.get("supplier_code"),
        source: v.source,
        status: run_status_pb(v.status).into(),
        started_at: v.started_at.map(convert::timestamp),
        finished_at: v.finished_at.map(convert::timestamp),
        read: v.counters.read,
        created: v.counters.created,
        updated: v.counters.updated,
        unchanged: v.counters.unchanged,
        rejected: v.counters.rejected,
        gone: v.counters.gone,
        error: v.error,
    }
}

/// Parses an import item report from the wire (`line` is checked by the store).
pub fn report_from_pb(p: pb::ImportItemReport) -> Result<ImportItemReport, StoreError> {
    Ok(ImportItemReport {
        import_run_id: convert::id("import_run_id", &p.import_run_id)?,
        line: p.line,
        offer_id: opt_text(p.offer_id),
        outcome: outcome(p.outcome)?,
        reason: opt_text(p.reason),
    })
}

/// A stored import item report for the wire.
pub fn report_to_pb(r: Record<ImportItemReport>) -> pb::ImportItemReport {
    let v = r.value;
    pb::ImportItemReport {
        meta: Some(convert::meta(&r.meta)),
        import_run_id: v.import_run_id.to_string(),
        line: v.line,
        offer_id: v.offer_id,
        outcome: outcome_pb(v.outcome).into(),
        reason: v.reason,
    }
}

#[tonic::async_trait]
impl ImportService for Imports {
    async fn create_import_run(
        &self,
        request: Request<pb::ImportRun>,
    ) -> Result<Response<pb::ImportRun>, Status> {
        let value = run_from_pb(request.into_inner())?;
        Ok(Response::new(run_to_pb(
            self.store.create_import_run(value).await?,
        )))
    }

    async fn get_import_run(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::ImportRun>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(run_to_pb(
            self.store.get_import_run(&lookup).await?,
        )))
    }

    async fn update_import_run(
        &self,
        request: Request<pb::ImportRun>,
    ) -> Result<Response<pb::ImportRun>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = run_from_pb(p)?;
        Ok(Response::new(run_to_pb(
            self.store.update_import_run(target, value).await?,
        )))
    }

    async fn delete_import_run(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_import_run(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_import_runs(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListImportRunsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_import_runs(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListImportRunsResponse {
            items: page.items.into_iter().map(run_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_import_item_report(
        &self,
        request: Request<pb::ImportItemReport>,
    ) -> Result<Response<pb::ImportItemReport>, Status> {
        let value = report_from_pb(request.into_inner())?;
        Ok(Response::new(report_to_pb(
            self.store.create_import_item_report(value).await?,
        )))
    }

    async fn get_import_item_report(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::ImportItemReport>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(report_to_pb(
            self.store.get_import_item_report(&lookup).await?,
        )))
    }

    async fn update_import_item_report(
        &self,
        request: Request<pb::ImportItemReport>,
    ) -> Result<Response<pb::ImportItemReport>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = report_from_pb(p)?;
        Ok(Response::new(report_to_pb(
            self.store.update_import_item_report(target, value).await?,
        )))
    }

    async fn delete_import_item_report(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_import_item_report(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_import_item_reports(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListImportItemReportsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_import_item_reports(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListImportItemReportsResponse {
            items: page.items.into_iter().map(report_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn add_import_item_reports(
        &self,
        request: Request<api::AddImportItemReportsRequest>,
    ) -> Result<Response<api::AddImportItemReportsResponse>, Status> {
        let response =
            super::gone::add_import_item_reports(&self.store, request.into_inner()).await?;
        Ok(Response::new(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
        match result {
            Err(StoreError::InvalidArgument { field, .. }) => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn run() -> pb::ImportRun {
        pb::ImportRun {
            supplier_id: uuid::Uuid::now_v7().to_string(),
            source: "https://acme.example/feed.yml".into(),
            status: pb::ImportRunStatus::Running.into(),
            ..Default::default()
        }
    }

    fn report() -> pb::ImportItemReport {
        pb::ImportItemReport {
            import_run_id: uuid::Uuid::now_v7().to_string(),
            outcome: pb::ItemOutcome::Rejected.into(),
            line: Some(3),
            ..Default::default()
        }
    }

    #[test]
    fn bad_run_input_names_the_field() {
        assert!(run_from_pb(run()).is_ok());
        assert_eq!(
            field(run_from_pb(pb::ImportRun {
                supplier_id: String::new(),
                ..run()
            })),
            "supplier_id"
        );
        assert_eq!(
            field(run_from_pb(pb::ImportRun {
                supplier_id: "x".into(),
                ..run()
            })),
            "supplier_id"
        );
        assert_eq!(
            field(run_from_pb(pb::ImportRun {
                source: " ".into(),
                ..run()
            })),
            "source"
        );
        assert_eq!(
            field(run_from_pb(pb::ImportRun { status: 0, ..run() })),
            "status"
        );
        let bad_time = prost_types::Timestamp {
            seconds: 0,
            nanos: -1,
        };
        assert_eq!(
            field(run_from_pb(pb::ImportRun {
                finished_at: Some(bad_time),
                ..run()
            })),
            "finished_at"
        );
        // the store's rules, checked on the parsed value
        let negative = run_from_pb(pb::ImportRun { gone: -1, ..run() }).expect("parses");
        assert_eq!(field(negative.validate()), "gone");
        let unfinished = run_from_pb(pb::ImportRun {
            status: pb::ImportRunStatus::Succeeded.into(),
            ..run()
        });
        assert_eq!(field(unfinished.expect("parses").validate()), "finished_at");
    }

    #[test]
    fn bad_report_input_names_the_field() {
        assert!(report_from_pb(report()).is_ok());
        assert_eq!(
            field(report_from_pb(pb::ImportItemReport {
                outcome: 0,
                ..report()
            })),
            "outcome"
        );
        assert_eq!(
            field(report_from_pb(pb::ImportItemReport {
                import_run_id: "x".into(),
                ..report()
            })),
            "import_run_id"
        );
        let zero = report_from_pb(pb::ImportItemReport {
            line: Some(0),
            ..report()
        })
        .expect("parses");
        assert_eq!(field(zero.validate()), "line");
    }
}

//! `carpetti.persist.v1.ProcessReportService`: reports of business process instances.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::process_report_service_server::ProcessReportService;
use tonic::{Request, Response, Status};

use super::convert::{self, opt_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::process::{ProcessReport, ProcessStatus};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct ProcessReports {
    store: DynStore,
}

impl ProcessReports {
    /// The service over `store`.
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn status(raw: i32) -> Result<ProcessStatus, StoreError> {
    match pb::ProcessStatus::try_from(raw) {
        Ok(pb::ProcessStatus::Running) => Ok(ProcessStatus::Running),
        Ok(pb::ProcessStatus::Completed) => Ok(ProcessStatus::Completed),
        Ok(pb::ProcessStatus::Failed) => Ok(ProcessStatus::Failed),
        Ok(pb::ProcessStatus::Incident) => Ok(ProcessStatus::Incident),
        Ok(pb::ProcessStatus::Unspecified) | Err(_) => Err(StoreError::invalid(
            "status",
            "must be one of RUNNING, COMPLETED, FAILED, INCIDENT",
        )),
    }
}

fn status_pb(status: ProcessStatus) -> pb::ProcessStatus {
    match status {
        ProcessStatus::Running => pb::ProcessStatus::Running,
        ProcessStatus::Completed => pb::ProcessStatus::Completed,
        ProcessStatus::Failed => pb::ProcessStatus::Failed,
        ProcessStatus::Incident => pb::ProcessStatus::Incident,
    }
}

fn opt_time(
    field: &str,
    ts: Option<&prost_types::Timestamp>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    ts.map(|ts| convert::from_timestamp(field, ts)).transpose()
}

/// Parses a process report from the wire (time order is checked by the store).
pub fn report_from_pb(p: pb::ProcessReport) -> Result<ProcessReport, StoreError> {
    Ok(ProcessReport {
        process_key: convert::required_text("process_key", &p.process_key)?,
        definition_key: convert::required_text("definition_key", &p.definition_key)?,
        step: opt_text(p.step),
        status: status(p.status)?,
        started_at: opt_time("started_at", p.started_at.as_ref())?,
        finished_at: opt_time("finished_at", p.finished_at.as_ref())?,
        counters: p.counters.into_iter().collect(),
        message: opt_text(p.message),
    })
}

/// A stored process report for the wire.
pub fn report_to_pb(r: Record<ProcessReport>) -> pb::ProcessReport {
    let v = r.value;
    pb::ProcessReport {
        meta: Some(convert::meta(&r.meta)),
        process_key: v.process_key,
        definition_key: v.definition_key,
        step: v.step,
        status: status_pb(v.status).into(),
        started_at: v.started_at.map(convert::timestamp),
        finished_at: v.finished_at.map(convert::timestamp),
        counters: v.counters.into_iter().collect(),
        message: v.message,
    }
}

#[tonic::async_trait]
impl ProcessReportService for ProcessReports {
    async fn create_process_report(
        &self,
        request: Request<pb::ProcessReport>,
    ) -> Result<Response<pb::ProcessReport>, Status> {
        let value = report_from_pb(request.into_inner())?;
        Ok(Response::new(report_to_pb(
            self.store.create_process_report(value).await?,
        )))
    }

    async fn get_process_report(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::ProcessReport>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(report_to_pb(
            self.store.get_process_report(&lookup).await?,
        )))
    }

    async fn update_process_report(
        &self,
        request: Request<pb::ProcessReport>,
    ) -> Result<Response<pb::ProcessReport>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = report_from_pb(p)?;
        Ok(Response::new(report_to_pb(
            self.store.update_process_report(target, value).await?,
        )))
    }

    async fn delete_process_report(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_process_report(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_process_reports(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListProcessReportsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_process_reports(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListProcessReportsResponse {
            items: page.items.into_iter().map(report_to_pb).collect(),
            next_cursor,
        }))
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

    fn valid() -> pb::ProcessReport {
        pb::ProcessReport {
            process_key: "cycle-1".into(),
            definition_key: "catalog-cycle".into(),
            status: pb::ProcessStatus::Running.into(),
            counters: [("items".to_owned(), 1200)].into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn bad_input_names_the_field() {
        let parsed = report_from_pb(valid()).expect("valid");
        assert_eq!(parsed.counters.get("items"), Some(&1200));
        assert_eq!(
            field(report_from_pb(pb::ProcessReport {
                process_key: " ".into(),
                ..valid()
            })),
            "process_key"
        );
        assert_eq!(
            field(report_from_pb(pb::ProcessReport {
                definition_key: String::new(),
                ..valid()
            })),
            "definition_key"
        );
        assert_eq!(
            field(report_from_pb(pb::ProcessReport {
                status: 0,
                ..valid()
            })),
            "status"
        );
        assert_eq!(
            field(report_from_pb(pb::ProcessReport {
                status: 42,
                ..valid()
            })),
            "status"
        );
        let later = prost_types::Timestamp {
            seconds: 2_000_000_000,
            nanos: 0,
        };
        let earlier = prost_types::Timestamp {
            seconds: 1_000_000_000,
            nanos: 0,
        };
        let backwards = report_from_pb(pb::ProcessReport {
            started_at: Some(later),
            finished_at: Some(earlier),
            ..valid()
        })
        .expect("parses");
        assert_eq!(field(backwards.validate()), "finished_at");
    }
}

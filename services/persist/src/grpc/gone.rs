//! `MarkSupplierItemsGone` (SupplierService) and `AddImportItemReports` (ImportService): the two
//! writes an import makes besides the bulk upsert — the offers a feed no longer has, and the
//! per-item reports of the run.

use carpetti_proto::persist::v1 as api;
use tonic::Status;

use super::bulk::{MAX_CHUNK, Tally};
use super::convert;
use crate::StoreError;
use crate::store::{DynStore, MAX_GONE_PER_CALL, UpsertOutcome};

/// `MarkSupplierItemsGone`: one transaction, one result per offer id in request order.
pub async fn mark_supplier_items_gone(
    store: &DynStore,
    request: api::MarkSupplierItemsGoneRequest,
) -> Result<api::MarkSupplierItemsGoneResponse, Status> {
    let supplier_id = convert::id("supplier_id", &request.supplier_id)?;
    let import_run_id = convert::id("import_run_id", &request.import_run_id)?;
    if request.offer_ids.len() > MAX_GONE_PER_CALL {
        return Err(StoreError::invalid(
            "offer_ids",
            format!(
                "at most {MAX_GONE_PER_CALL} offer ids per request, got {}",
                request.offer_ids.len()
            ),
        )
        .into());
    }
    let keys = request.offer_ids.clone();
    let outcomes = store
        .mark_supplier_items_gone(supplier_id, import_run_id, request.offer_ids)
        .await?;
    let mut tally = Tally::default();
    let mut gone = 0;
    let results = keys
        .into_iter()
        .zip(outcomes)
        .map(|(key, outcome)| {
            if matches!(outcome, UpsertOutcome::Updated { .. }) {
                gone += 1;
            }
            let index = tally.next_index();
            tally.result(index, key, outcome)
        })
        .collect();
    Ok(api::MarkSupplierItemsGoneResponse { results, gone })
}

/// `AddImportItemReports`: all reports of the request in one transaction, or none.
pub async fn add_import_item_reports(
    store: &DynStore,
    request: api::AddImportItemReportsRequest,
) -> Result<api::AddImportItemReportsResponse, Status> {
    let run_id = convert::id("import_run_id", &request.import_run_id)?;
    if request.reports.len() > MAX_CHUNK {
        return Err(StoreError::invalid(
            "reports",
            format!(
                "at most {MAX_CHUNK} reports per request, got {}",
                request.reports.len()
            ),
        )
        .into());
    }
    let mut reports = Vec::with_capacity(request.reports.len());
    for (i, mut report) in request.reports.into_iter().enumerate() {
        if report.import_run_id.trim().is_empty() {
            report.import_run_id = request.import_run_id.clone();
        }
        let parsed = super::import::report_from_pb(report).and_then(|r| {
            r.validate()?;
            if r.import_run_id == run_id {
                Ok(r)
            } else {
                Err(StoreError::invalid(
                    "import_run_id",
                    format!("differs from the request's import run {run_id}"),
                ))
            }
        });
        reports.push(parsed.map_err(|e| match e {
            StoreError::InvalidArgument { field, reason } => {
                StoreError::invalid(format!("reports[{i}].{field}"), reason)
            }
            other => other,
        })?);
    }
    let added = store.add_import_item_reports(run_id, reports).await?;
    Ok(api::AddImportItemReportsResponse { added })
}

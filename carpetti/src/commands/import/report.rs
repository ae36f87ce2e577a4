//! The summary of `carpetti import`: a table for people, one JSON document with `--json`.

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::provider::v1 as pb;
use serde_json::json;

use crate::context::Context;
use crate::output;

/// Rejected items shown in the table (all of the report's with `--json`).
const SHOWN: usize = 20;

fn status_name(status: i32) -> &'static str {
    match cat::ImportRunStatus::try_from(status) {
        Ok(cat::ImportRunStatus::Running) => "running",
        Ok(cat::ImportRunStatus::Succeeded) => "succeeded",
        Ok(cat::ImportRunStatus::Failed) => "failed",
        _ => "unknown",
    }
}

/// Whether the run failed.
pub fn failed(report: &pb::ImportReport) -> bool {
    report
        .run
        .as_ref()
        .is_none_or(|run| run.status != cat::ImportRunStatus::Succeeded as i32)
}

pub fn print(ctx: &Context, supplier: &str, report: &pb::ImportReport) {
    let run = report.run.clone().unwrap_or_default();
    let secs = report.duration_ms as f64 / 1000.0;
    let rate = if secs > 0.0 {
        run.read as f64 / secs
    } else {
        0.0
    };
    let run_id = run.meta.as_ref().map(|m| m.id.clone()).unwrap_or_default();
    if ctx.json {
        let rejected: Vec<_> = report
            .rejected
            .iter()
            .map(|r| json!({ "line": r.line, "offer_id": r.offer_id, "reason": r.reason }))
            .collect();
        output::json_line(&json!({
            "event": "import",
            "import_run_id": run_id,
            "supplier": supplier,
            "source": run.source,
            "status": status_name(run.status),
            "error": run.error,
            "not_modified": report.not_modified,
            "read": run.read,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
            "gone": run.gone,
            "noted": report.noted,
            "duration_ms": report.duration_ms,
            "offers_per_sec": rate.round(),
            "rejected_items": rejected,
        }));
        return;
    }
    let mut table = output::table(["import", "value"]);
    let rows: Vec<(&str, String)> = vec![
        ("supplier", supplier.to_owned()),
        ("source", run.source.clone()),
        ("status", status_name(run.status).to_owned()),
        ("read", run.read.to_string()),
        ("created", run.created.to_string()),
        ("updated", run.updated.to_string()),
        ("unchanged", run.unchanged.to_string()),
        ("rejected", run.rejected.to_string()),
        ("gone (now unavailable)", run.gone.to_string()),
        ("kept with remarks", report.noted.to_string()),
        ("duration", format!("{secs:.2} s")),
        ("offers/s", format!("{rate:.0}")),
        ("run id", run_id),
    ];
    for (name, value) in rows {
        table.add_row([name, value.as_str()]);
    }
    output::line(&table.to_string());
    if let Some(error) = &run.error {
        output::line(&format!("Note: {error}"));
    }
    if !report.rejected.is_empty() {
        let mut rejected = output::table(["line", "offer", "why rejected"]);
        for item in report.rejected.iter().take(SHOWN) {
            let line = item.line.map(|l| l.to_string()).unwrap_or_default();
            let offer = item.offer_id.clone().unwrap_or_default();
            let reason = item.reason.clone().unwrap_or_default();
            rejected.add_row([line, offer, reason]);
        }
        output::line(&rejected.to_string());
        if run.rejected as usize > SHOWN {
            output::line(&format!(
                "{} more rejected: --json lists the first {}; every one is stored with the run \
                 (persist ImportService.ListImportItemReports, import_run_id and status = rejected)",
                run.rejected as usize - SHOWN.min(report.rejected.len()),
                report.rejected.len()
            ));
        }
    }
}

//! Runs left RUNNING by a provider that died: a running import touches its run every
//! [`ImporterOptions::heartbeat`](super::ImporterOptions) (persist stamps `meta.updated_at` on
//! each write), so a RUNNING run not written for
//! [`ImporterOptions::stale_after`](super::ImporterOptions) has no live owner, and
//! [`sweep`] closes it as FAILED with [`INTERRUPTED`]. Both writes are compare-and-set on the
//! run's `change_seq`: a sweep racing with a heartbeat loses (the owner is alive), and a heartbeat
//! after a sweep stops beating (the run's final write, unconditional, still records the truth).

use std::time::Duration;

use carpetti_proto::catalog::v1 as cat;
use tokio::sync::watch;

use super::ImportError;
use super::catalog::Catalog;

/// The error of a run closed because its provider stopped during it.
pub const INTERRUPTED: &str = "interrupted: the provider stopped during the run";

/// Closes the RUNNING runs (of `supplier_id`, or of every supplier) whose last write is older
/// than `stale_after` as FAILED with [`INTERRUPTED`]; answers how many it closed. A run written
/// meanwhile (its owner's heartbeat or final write) is left alone.
pub async fn sweep(
    catalog: &dyn Catalog,
    supplier_id: Option<&str>,
    stale_after: Duration,
) -> Result<u64, ImportError> {
    let now = chrono::Utc::now();
    let stale = chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::MAX);
    let cutoff = now
        .checked_sub_signed(stale)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let mut closed = 0;
    for mut run in catalog.running_runs(supplier_id).await? {
        let written = run
            .meta
            .as_ref()
            .and_then(|m| m.updated_at.or(m.created_at))
            .and_then(|at| {
                chrono::DateTime::from_timestamp(at.seconds, u32::try_from(at.nanos).unwrap_or(0))
            });
        if written.is_some_and(|at| at > cutoff) {
            continue;
        }
        let started = run.started_at.map(|s| (s.seconds, s.nanos));
        let mut finished = timestamp(now);
        if let Some((seconds, nanos)) = started
            && (seconds, nanos) > (finished.seconds, finished.nanos)
        {
            // The owner's clock ran ahead of ours: a run never finishes before it started.
            finished = prost_types::Timestamp { seconds, nanos };
        }
        run.status = cat::ImportRunStatus::Failed as i32;
        run.error = Some(INTERRUPTED.to_owned());
        run.finished_at = Some(finished);
        let id = run.meta.as_ref().map(|m| m.id.clone()).unwrap_or_default();
        match catalog.update_run(run).await {
            Ok(_) => {
                tracing::warn!(run = %id, "closed an import run left running by a stopped provider");
                closed += 1;
            }
            Err(ImportError::Persist {
                code: tonic::Code::Aborted,
                ..
            }) => {
                tracing::debug!(run = %id, "a stale-looking import run was written meanwhile: alive");
            }
            Err(err) => return Err(err),
        }
    }
    Ok(closed)
}

/// Touches `run` every `every` until `stop` turns true, so that [`sweep`] sees a live owner.
/// Returns once stopped (never in the middle of a write). Stops beating when the run was closed
/// by someone else (a sweep that judged it dead): its final write will set it right.
pub async fn heartbeat(
    catalog: &dyn Catalog,
    mut run: cat::ImportRun,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let every = every.max(Duration::from_millis(10));
    loop {
        tokio::select! {
            biased;
            _ = stop.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(every) => {}
        }
        match catalog.update_run(run.clone()).await {
            Ok(written) => run = written,
            Err(ImportError::Persist {
                code: tonic::Code::Aborted,
                ..
            }) => {
                tracing::warn!(
                    run = %run.meta.as_ref().map(|m| m.id.as_str()).unwrap_or_default(),
                    "the running import run was closed by another provider; its end will be recorded"
                );
                let _ = stop.wait_for(|stop| *stop).await;
                return;
            }
            Err(err) => {
                // Persist is unreachable: keep trying; the run's end is written anyway.
                tracing::warn!(%err, "could not touch the running import run");
            }
        }
    }
}

pub(super) fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

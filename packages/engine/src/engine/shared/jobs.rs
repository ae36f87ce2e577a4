// The job executor: due timers (catch, boundary and start events) and the engine's own
// deferred work between instances (start a called instance, return its result, cancel it).
// Jobs are acquired with a lock (`SKIP LOCKED` on PostgreSQL), so several engine processes
// share them; a job that fails is retried later and, out of retries, becomes an incident.

use std::time::Duration;

use crate::runtime::{self, DueTimer, SuperRef};
use crate::variables::Variables;

/// Jobs acquired per round.
const BATCH: i64 = 32;
/// How long an acquired job is reserved for this process.
const LOCK: Duration = Duration::from_secs(60);

struct Job {
    id: String,
    kind: String,
    instance_id: Option<String>,
    definition_id: Option<String>,
    due_at: i64,
    activity_id: Option<String>,
    target: Option<String>,
    timer_kind: Option<String>,
    schedule: Option<String>,
    fired: i32,
    payload: Option<String>,
    retries: i32,
}

impl Store {
    /// Runs jobs until `shutdown`: at once when woken, else every `job_poll`.
    pub async fn run_jobs(&self, shutdown: tokio_util::sync::CancellationToken) {
        while !shutdown.is_cancelled() {
            let woken = self.jobs_ready.notified();
            match self.run_due_jobs().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "job executor round failed"),
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = woken => {}
                () = tokio::time::sleep(self.job_poll) => {}
            }
        }
    }

    /// Acquires and runs the jobs due now; returns how many ran.
    pub async fn run_due_jobs(&self) -> EngineResult<usize> {
        let now = Utc::now();
        let rows = sqlx::query(&format!(
            "UPDATE engine_job SET locked_until = $1, owner = $2 WHERE id IN (SELECT id FROM engine_job WHERE due_at <= $3 AND retries > 0 AND (locked_until IS NULL OR locked_until < $3) ORDER BY due_at LIMIT $4{SKIP_LOCKED}) \
             RETURNING id, kind, instance_id, definition_id, due_at, activity_id, target, timer_kind, schedule, fired, payload, retries"
        ))
        .bind(ms(now) + LOCK.as_millis() as i64)
        .bind(&self.node)
        .bind(ms(now))
        .bind(BATCH)
        .fetch_all(&self.write)
        .await?;
        let mut jobs = Vec::with_capacity(rows.len());
        for row in &rows {
            jobs.push(Job {
                id: get(row, "id")?,
                kind: get(row, "kind")?,
                instance_id: get(row, "instance_id")?,
                definition_id: get(row, "definition_id")?,
                due_at: get(row, "due_at")?,
                activity_id: get(row, "activity_id")?,
                target: get(row, "target")?,
                timer_kind: get(row, "timer_kind")?,
                schedule: get(row, "schedule")?,
                fired: get(row, "fired")?,
                payload: get(row, "payload")?,
                retries: get(row, "retries")?,
            });
        }
        jobs.sort_by_key(|j| j.due_at);
        let count = jobs.len();
        for job in jobs {
            if let Err(e) = self.execute(&job).await {
                self.job_failed(&job, &e).await?;
            }
        }
        Ok(count)
    }

    async fn execute(&self, job: &Job) -> EngineResult<()> {
        let instance = job.instance_id.clone().unwrap_or_default();
        let gone = |e: &EngineError| matches!(e, EngineError::NotFound(_));
        let outcome = match job.kind.as_str() {
            "timer" => {
                let timer = DueTimer {
                    job_id: job.id.clone(),
                    target: job.target.clone().unwrap_or_default(),
                    activity_id: job.activity_id.clone().unwrap_or_default(),
                    kind: job.timer_kind.clone().unwrap_or_default(),
                    schedule: job.schedule.clone().unwrap_or_default(),
                    due: from_ms(job.due_at),
                    fired: job.fired.max(0) as u32,
                };
                self.command(
                    &instance,
                    core::Consumes::Job(&job.id),
                    |model, state, now| runtime::fire_timer(model, state, &timer, now),
                )
                .await
                .map(|_| ())
            }
            "start-timer" => return self.fire_start_timer(job).await,
            "call-start" => {
                let payload: CallStartPayload =
                    serde_json::from_str(job.payload.as_deref().unwrap_or("{}"))
                        .map_err(json_error)?;
                let exists = sqlx::query("SELECT id FROM engine_instance WHERE id = $1")
                    .bind(&instance)
                    .fetch_optional(&self.read)
                    .await?
                    .is_some();
                if !exists {
                    let definition = self
                        .definition(&DefinitionRef::Key(payload.process_key.clone()))
                        .await
                        .map_err(|e| EngineError::Internal(format!("call activity: {e}")))?;
                    let parent = job.target.clone().unwrap_or_default();
                    let super_ref = SuperRef {
                        instance_id: parent,
                        token_id: payload.token_id,
                    };
                    self.start_instance(
                        &definition,
                        payload.business_key,
                        payload.variables,
                        None,
                        Some(super_ref),
                        instance.clone(),
                    )
                    .await?;
                }
                Ok(())
            }
            "call-result" => {
                let payload: CallResultPayload =
                    serde_json::from_str(job.payload.as_deref().unwrap_or("{}"))
                        .map_err(json_error)?;
                self.command(
                    &instance,
                    core::Consumes::Job(&job.id),
                    |model, state, now| {
                        runtime::call_returned(
                            model,
                            state,
                            &payload.token_id,
                            payload.variables,
                            payload.error,
                            now,
                        )
                    },
                )
                .await
                .map(|_| ())
            }
            "cancel" => self
                .command(&instance, core::Consumes::Job(&job.id), runtime::cancel)
                .await
                .map(|_| ()),
            other => Err(EngineError::Internal(format!("unknown job kind '{other}'"))),
        };
        match outcome {
            // the instance ended or no longer waits for this: nothing left to do
            Err(e) if gone(&e) => {}
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        sqlx::query("DELETE FROM engine_job WHERE id = $1")
            .bind(&job.id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn fire_start_timer(&self, job: &Job) -> EngineResult<()> {
        let definition_id = job.definition_id.clone().unwrap_or_default();
        let definition = self.definition(&DefinitionRef::Id(definition_id)).await?;
        let next = crate::model::parse_schedule(
            job.timer_kind.as_deref().unwrap_or_default(),
            job.schedule.as_deref().unwrap_or_default(),
        )
        .ok()
        .and_then(|s| s.next(from_ms(job.due_at), job.fired.max(0) as u32 + 1));
        // reschedule first: a crash after the start must not start the same round twice
        match next {
            Some(due) => {
                sqlx::query("UPDATE engine_job SET due_at = $2, fired = fired + 1, locked_until = NULL, owner = NULL WHERE id = $1").bind(&job.id).bind(ms(due)).execute(&self.write).await?;
            }
            None => {
                sqlx::query("DELETE FROM engine_job WHERE id = $1")
                    .bind(&job.id)
                    .execute(&self.write)
                    .await?;
            }
        }
        self.start_instance(
            &definition,
            None,
            Variables::new(),
            job.activity_id.as_deref(),
            None,
            new_id(),
        )
        .await?;
        Ok(())
    }

    async fn job_failed(&self, job: &Job, error: &EngineError) -> EngineResult<()> {
        let retries = job.retries - 1;
        let now = Utc::now();
        tracing::warn!(job = %job.id, kind = %job.kind, retries, %error, "job failed");
        sqlx::query("UPDATE engine_job SET retries = $2, error = $3, due_at = $4, locked_until = NULL, owner = NULL WHERE id = $1")
            .bind(&job.id)
            .bind(retries)
            .bind(error.to_string())
            .bind(ms(now) + 5_000)
            .execute(&self.write)
            .await?;
        if retries <= 0 {
            let instance = job
                .target
                .clone()
                .or_else(|| job.instance_id.clone())
                .unwrap_or_default();
            let definition = job.definition_id.clone().unwrap_or_default();
            let mut tx = self.write.begin().await?;
            self.insert_incident(
                &mut tx,
                &instance,
                &definition,
                &new_id(),
                &instance,
                job.activity_id.as_deref().unwrap_or(&job.kind),
                "failedJob",
                &error.to_string(),
                Some(&job.id),
                now,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

#[derive(serde::Deserialize)]
struct CallStartPayload {
    token_id: String,
    process_key: String,
    business_key: Option<String>,
    variables: Variables,
}

#[derive(serde::Deserialize)]
struct CallResultPayload {
    token_id: String,
    variables: Variables,
    error: Option<(String, Option<String>)>,
}

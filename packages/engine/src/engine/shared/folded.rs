// PostgreSQL's short path for completing an external task: the instance is locked and the task's
// worker read in one SELECT, and the whole write — the task's delete, the next tasks, the history
// upsert and the new state — is one statement of data-modifying CTEs, so a complete costs four
// round trips (BEGIN, SELECT, write, COMMIT) instead of seven. Commands with other effects (jobs,
// subscriptions, incidents, calls, user tasks, a cancelled end) take the general path. SQLite has
// no data-modifying CTEs and needs none (its round trips stay in the process): `FOLD_WRITES` is
// false there.

use super::core::InstanceCommand;
use crate::runtime::{Effects, InstanceState};

/// At most this many rows folded into one statement (parameters stay far below PostgreSQL's
/// 65,535 a statement).
const FOLD_ROWS: usize = 256;

impl Store {
    /// Whether `fx` can be written by [`Store::write_folded`].
    fn foldable(fx: &Effects, consumed: &str) -> bool {
        fx.user_tasks.is_empty()
            && fx.tasks_removed.iter().all(|t| t == consumed)
            && fx.jobs.is_empty()
            && fx.jobs_removed.is_empty()
            && fx.subscriptions.is_empty()
            && fx.subscriptions_removed.is_empty()
            && fx.incidents.is_empty()
            && fx.incidents_resolved.is_empty()
            && fx.calls.is_empty()
            && fx.calls_cancelled.is_empty()
            && fx.call_result.is_none()
            && fx
                .ended
                .is_none_or(|e| e == crate::runtime::EndState::Completed)
            && fx.external_tasks.len() + fx.history.len() <= FOLD_ROWS
    }

    /// Completes (or otherwise consumes) external task `task_id` held by `worker_id`.
    pub(crate) async fn command_on_task_folded<F>(
        &self,
        task_id: &str,
        worker_id: &str,
        command: F,
    ) -> EngineResult<Effects>
    where
        F: InstanceCommand,
    {
        let now = Utc::now();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "SELECT i.definition_id, i.state, t.worker_id FROM engine_instance i JOIN engine_external_task t ON t.instance_id = i.id \
             WHERE t.id = $1 AND i.ended_at IS NULL FOR UPDATE OF i",
        )
        .bind(task_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("External task with id {task_id} does not exist")))?;
        let holder: Option<String> = get(&row, "worker_id")?;
        if holder.as_deref() != Some(worker_id) {
            return Err(EngineError::BadRequest(format!(
                "External Task {task_id} cannot be completed by worker '{worker_id}'. It is locked by worker '{}'.",
                holder.unwrap_or_default()
            )));
        }
        let definition_id: String = get(&row, "definition_id")?;
        let text: String = get(&row, "state")?;
        let mut state: InstanceState = serde_json::from_str(&text).map_err(json_error)?;
        let model = self.model(&definition_id, &mut *tx).await?;
        let fx = command(&model, &mut state, now).map_err(core::runtime_error)?;
        if Self::foldable(&fx, task_id) {
            self.write_folded(&mut tx, &state, &model, &fx, now, task_id)
                .await?;
        } else {
            sqlx::query("DELETE FROM engine_external_task WHERE id = $1")
                .bind(task_id)
                .execute(&mut *tx)
                .await?;
            self.apply_effects(&mut tx, &state, &model, &fx, now, Some(task_id))
                .await?;
            self.save_state(&mut tx, &state, &fx, now).await?;
        }
        tx.commit().await?;
        self.after_commit(&fx);
        Ok(fx)
    }

    async fn write_folded(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        state: &InstanceState,
        model: &ProcessModel,
        fx: &Effects,
        now: DateTime<Utc>,
        consumed: &str,
    ) -> EngineResult<()> {
        let document = serde_json::to_string(state).map_err(json_error)?;
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "WITH consumed AS (DELETE FROM engine_external_task WHERE id = ",
        );
        q.push_bind(consumed.to_owned()).push(")");
        if !fx.external_tasks.is_empty() {
            q.push(", next_tasks AS (");
            apply::push_external_tasks(&mut q, state, model, &fx.external_tasks, ms(now))?;
            q.push(")");
        }
        if !fx.history.is_empty() {
            q.push(", history AS (");
            apply::push_history(&mut q, state, model, &fx.history);
            q.push(")");
        }
        q.push(" UPDATE engine_instance SET state = ")
            .push_bind(document);
        if let Some(how) = fx.ended {
            q.push(", ended_at = ")
                .push_bind(ms(now))
                .push(", end_state = ")
                .push_bind(how.name());
        }
        q.push(" WHERE id = ").push_bind(state.id.clone());
        q.build().execute(&mut **tx).await?;
        Ok(())
    }
}

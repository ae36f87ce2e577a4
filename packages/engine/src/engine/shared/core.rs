// The command cycle: lock the instance row, load its state and model, run a runtime command,
// write the effects and the new state, commit, then wake long polls and the job executor.

use crate::runtime::{Effects, InstanceState, RuntimeError};

/// A work-item row a command consumes in its own transaction.
pub(crate) enum Consumes<'a> {
    Nothing,
    ExternalTask {
        id: &'a str,
        worker_id: Option<&'a str>,
    },
    UserTask(&'a str),
    Job(&'a str),
    Subscription(&'a str),
}

/// A runtime command over one instance's model and state at a moment.
pub(crate) trait InstanceCommand:
    FnOnce(&ProcessModel, &mut InstanceState, DateTime<Utc>) -> Result<Effects, RuntimeError> + Send
{
}

impl<F> InstanceCommand for F where
    F: FnOnce(&ProcessModel, &mut InstanceState, DateTime<Utc>) -> Result<Effects, RuntimeError>
        + Send
{
}

pub(crate) fn runtime_error(e: RuntimeError) -> EngineError {
    match e {
        RuntimeError::NoNoneStart(_) => EngineError::BadRequest(e.to_string()),
        RuntimeError::Ended(_) | RuntimeError::NotWaiting(..) => {
            EngineError::NotFound(e.to_string())
        }
    }
}

impl Store {
    /// The parsed model of a definition (cached: definitions never change).
    pub(crate) async fn model<'c, E>(
        &self,
        definition_id: &str,
        executor: E,
    ) -> EngineResult<Arc<ProcessModel>>
    where
        E: sqlx::Executor<'c, Database = Db>,
    {
        if let Some(m) = self
            .models
            .lock()
            .map_err(|_| EngineError::Internal("model cache poisoned".into()))?
            .get(definition_id)
        {
            return Ok(m.clone());
        }
        let row = sqlx::query(
            "SELECT d.key, r.content FROM engine_definition d JOIN engine_resource r ON r.deployment_id = d.deployment_id AND r.name = d.resource WHERE d.id = $1",
        )
        .bind(definition_id)
        .fetch_optional(executor)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("No matching definition with id {definition_id}")))?;
        let key: String = get(&row, "key")?;
        let content: String = get(&row, "content")?;
        let model = crate::model::parse_definitions(&content)
            .map_err(|e| {
                EngineError::Internal(format!(
                    "the stored model of {definition_id} no longer parses: {e}"
                ))
            })?
            .processes
            .into_iter()
            .find(|p| p.key == key)
            .ok_or_else(|| {
                EngineError::Internal(format!(
                    "the resource of {definition_id} has no process '{key}'"
                ))
            })?;
        let model = Arc::new(model);
        if let Ok(mut cache) = self.models.lock() {
            cache.insert(definition_id.to_owned(), model.clone());
        }
        Ok(model)
    }

    /// Runs `command` over a running instance in one transaction.
    pub(crate) async fn command<F>(
        &self,
        instance_id: &str,
        consumes: Consumes<'_>,
        command: F,
    ) -> EngineResult<Effects>
    where
        F: InstanceCommand,
    {
        self.command_where(
            "id = $1",
            instance_id,
            || format!("Process instance with id {instance_id} does not exist"),
            consumes,
            command,
        )
        .await
    }

    /// [`Store::command`] on the instance an external task belongs to, found and locked in one
    /// statement.
    pub(crate) async fn command_on_task<F>(
        &self,
        task_id: &str,
        worker_id: &str,
        command: F,
    ) -> EngineResult<Effects>
    where
        F: InstanceCommand,
    {
        let consumes = Consumes::ExternalTask {
            id: task_id,
            worker_id: Some(worker_id),
        };
        let missing = || format!("External task with id {task_id} does not exist");
        self.command_where(
            "id = (SELECT instance_id FROM engine_external_task WHERE id = $1)",
            task_id,
            missing,
            consumes,
            command,
        )
        .await
    }

    async fn command_where<F>(
        &self,
        condition: &str,
        key: &str,
        missing: impl FnOnce() -> String,
        consumes: Consumes<'_>,
        command: F,
    ) -> EngineResult<Effects>
    where
        F: InstanceCommand,
    {
        let now = Utc::now();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(&format!("SELECT definition_id, state FROM engine_instance WHERE {condition} AND ended_at IS NULL{FOR_UPDATE}"))
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| EngineError::NotFound(missing()))?;
        let definition_id: String = get(&row, "definition_id")?;
        let text: String = get(&row, "state")?;
        let consumed = match &consumes {
            Consumes::ExternalTask { id, .. } | Consumes::UserTask(id) => Some(id.to_string()),
            _ => None,
        };
        self.consume(&mut tx, consumes).await?;
        let mut state: InstanceState = serde_json::from_str(&text).map_err(json_error)?;
        let model = self.model(&definition_id, &mut *tx).await?;
        let fx = command(&model, &mut state, now).map_err(runtime_error)?;
        self.apply_effects(&mut tx, &state, &model, &fx, now, consumed.as_deref())
            .await?;
        self.save_state(&mut tx, &state, &fx, now).await?;
        tx.commit().await?;
        self.after_commit(&fx);
        Ok(fx)
    }

    async fn consume(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        consumes: Consumes<'_>,
    ) -> EngineResult<()> {
        match consumes {
            Consumes::Nothing => {}
            Consumes::ExternalTask { id, worker_id } => {
                // deleted first and checked after: a wrong worker rolls the delete back
                let row = sqlx::query(
                    "DELETE FROM engine_external_task WHERE id = $1 RETURNING worker_id",
                )
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| {
                    EngineError::NotFound(format!("External task with id {id} does not exist"))
                })?;
                let holder: Option<String> = get(&row, "worker_id")?;
                if let Some(worker) = worker_id
                    && holder.as_deref() != Some(worker)
                {
                    return Err(EngineError::BadRequest(format!(
                        "External Task {id} cannot be completed by worker '{worker}'. It is locked by worker '{}'.",
                        holder.unwrap_or_default()
                    )));
                }
            }
            Consumes::UserTask(id) => {
                let done = sqlx::query("DELETE FROM engine_user_task WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(EngineError::NotFound(format!(
                        "Cannot find task with id {id}"
                    )));
                }
            }
            Consumes::Job(id) => {
                sqlx::query("DELETE FROM engine_job WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            Consumes::Subscription(id) => {
                sqlx::query("DELETE FROM engine_subscription WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    pub(crate) fn after_commit(&self, fx: &Effects) {
        if !fx.external_tasks.is_empty() {
            self.tasks_ready.notify_waiters();
        }
        if !fx.calls.is_empty() || fx.call_result.is_some() || !fx.calls_cancelled.is_empty() {
            self.jobs_ready.notify_one();
        }
    }

    /// Writes the instance document (and, when it ended, its end and leftovers).
    pub(crate) async fn save_state(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        state: &InstanceState,
        fx: &Effects,
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        let text = serde_json::to_string(state).map_err(json_error)?;
        match fx.ended {
            None => {
                sqlx::query("UPDATE engine_instance SET state = $2 WHERE id = $1")
                    .bind(&state.id)
                    .bind(text)
                    .execute(&mut **tx)
                    .await?;
            }
            Some(how) => {
                sqlx::query("UPDATE engine_instance SET state = $2, ended_at = $3, end_state = $4 WHERE id = $1")
                    .bind(&state.id)
                    .bind(text)
                    .bind(ms(now))
                    .bind(how.name())
                    .execute(&mut **tx)
                    .await?;
                if how == crate::runtime::EndState::Completed {
                    // every token ended normally: its effects withdrew all it had
                    return Ok(());
                }
                // cancelled or terminated: also sweep anything left behind
                for table in [
                    "engine_external_task",
                    "engine_user_task",
                    "engine_subscription",
                ] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE instance_id = $1"))
                        .bind(&state.id)
                        .execute(&mut **tx)
                        .await?;
                }
                sqlx::query("DELETE FROM engine_job WHERE instance_id = $1 AND kind = 'timer'")
                    .bind(&state.id)
                    .execute(&mut **tx)
                    .await?;
                sqlx::query("UPDATE engine_incident SET resolved_at = $2 WHERE instance_id = $1 AND resolved_at IS NULL")
                    .bind(&state.id)
                    .bind(ms(now))
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }
}

// External tasks after they were fetched: complete, failure (retries, incidents), BPMN error,
// lock extension, unlock, retries; and their lists.

use std::time::Duration;

use crate::runtime::{self, IncidentRef};
use crate::variables::Variables;

pub(crate) const TASK_COLUMNS: &str = "id, instance_id, definition_id, definition_key, business_key, topic, priority, activity_id, activity_instance_id, execution_id, properties, worker_id, lock_expires_at, retries, error_message, created_at";

pub(crate) fn task_from_row(row: &<Db as sqlx::Database>::Row) -> EngineResult<ExternalTaskInfo> {
    let properties: String = get(row, "properties")?;
    Ok(ExternalTaskInfo {
        id: get(row, "id")?,
        topic: get(row, "topic")?,
        worker_id: get(row, "worker_id")?,
        lock_expires_at: opt_ms(get(row, "lock_expires_at")?),
        retries: get(row, "retries")?,
        error_message: get(row, "error_message")?,
        activity_id: get(row, "activity_id")?,
        activity_instance_id: get(row, "activity_instance_id")?,
        execution_id: get(row, "execution_id")?,
        process_instance_id: get(row, "instance_id")?,
        process_definition_id: get(row, "definition_id")?,
        process_definition_key: get(row, "definition_key")?,
        business_key: get(row, "business_key")?,
        priority: get(row, "priority")?,
        created_at: from_ms(get(row, "created_at")?),
        properties: serde_json::from_str(&properties).map_err(json_error)?,
    })
}

impl Store {
    pub async fn bpmn_error(
        &self,
        id: &str,
        worker_id: &str,
        code: &str,
        message: Option<String>,
        variables: Variables,
    ) -> EngineResult<()> {
        self.command_on_task(id, worker_id, |model, state, now| {
            runtime::bpmn_error(model, state, id, code, message, variables, now)
        })
        .await?;
        Ok(())
    }

    async fn check_worker(
        &self,
        id: &str,
        worker_id: &str,
        action: &str,
    ) -> EngineResult<ExternalTaskInfo> {
        let task = self.external_task(id).await?;
        if task.worker_id.as_deref() != Some(worker_id) {
            return Err(EngineError::BadRequest(format!(
                "External Task {id} cannot be {action} by worker '{worker_id}'. It is locked by worker '{}'.",
                task.worker_id.unwrap_or_default()
            )));
        }
        Ok(task)
    }

    pub async fn fail_external_task(&self, id: &str, failure: Failure) -> EngineResult<()> {
        if failure.retries < 0 {
            return Err(EngineError::BadRequest(
                "retries must not be negative".into(),
            ));
        }
        let task = self.check_worker(id, &failure.worker_id, "failed").await?;
        if !failure.variables.is_empty() || !failure.local_variables.is_empty() {
            let (variables, locals) = (failure.variables.clone(), failure.local_variables.clone());
            self.command(
                &task.process_instance_id,
                core::Consumes::Nothing,
                move |model, state, now| {
                    runtime::set_task_variables(model, state, id, variables, locals, now)
                },
            )
            .await?;
        }
        let now = Utc::now();
        let retry_at = now + chrono::TimeDelta::from_std(failure.retry_timeout).unwrap_or_default();
        sqlx::query("UPDATE engine_external_task SET retries = $2, error_message = $3, error_details = $4, worker_id = NULL, lock_expires_at = NULL, available_at = $5 WHERE id = $1")
            .bind(id)
            .bind(failure.retries)
            .bind(&failure.error_message)
            .bind(&failure.error_details)
            .bind(ms(retry_at))
            .execute(&self.write)
            .await?;
        if failure.retries == 0 {
            let message = failure
                .error_message
                .clone()
                .unwrap_or_else(|| "the external task failed without a message".into());
            let incident_id = new_id();
            let reference = IncidentRef {
                id: incident_id.clone(),
                kind: "failedExternalTask".into(),
                message: message.clone(),
            };
            let (definition, execution, activity) = (
                task.process_definition_id.clone(),
                task.execution_id.clone(),
                task.activity_id.clone(),
            );
            self.command(
                &task.process_instance_id,
                core::Consumes::Nothing,
                move |_, state, _| {
                    runtime::set_task_incident(state, id, Some(reference))?;
                    Ok(runtime::Effects::default())
                },
            )
            .await?;
            let mut tx = self.write.begin().await?;
            self.insert_incident(
                &mut tx,
                &task.process_instance_id,
                &definition,
                &incident_id,
                &execution,
                &activity,
                "failedExternalTask",
                &message,
                Some(id),
                now,
            )
            .await?;
            tx.commit().await?;
        } else {
            self.tasks_ready.notify_waiters();
        }
        Ok(())
    }

    pub async fn set_external_task_retries(&self, id: &str, retries: i32) -> EngineResult<()> {
        if retries < 0 {
            return Err(EngineError::BadRequest(
                "retries must not be negative".into(),
            ));
        }
        let task = self.external_task(id).await?;
        sqlx::query("UPDATE engine_external_task SET retries = $2 WHERE id = $1")
            .bind(id)
            .bind(retries)
            .execute(&self.write)
            .await?;
        if retries > 0 && task.retries == Some(0) {
            sqlx::query("UPDATE engine_incident SET resolved_at = $2 WHERE configuration = $1 AND resolved_at IS NULL").bind(id).bind(ms(Utc::now())).execute(&self.write).await?;
            self.command(
                &task.process_instance_id,
                core::Consumes::Nothing,
                move |_, state, _| {
                    runtime::set_task_incident(state, id, None)?;
                    Ok(runtime::Effects::default())
                },
            )
            .await?;
            self.tasks_ready.notify_waiters();
        }
        Ok(())
    }

    pub async fn extend_lock(
        &self,
        id: &str,
        worker_id: &str,
        new_duration: Duration,
    ) -> EngineResult<()> {
        let task = self.check_worker(id, worker_id, "extended").await?;
        let now = Utc::now();
        if task.lock_expires_at.is_none_or(|at| at < now) {
            return Err(EngineError::BadRequest(format!(
                "The lock of external task {id} has expired"
            )));
        }
        let until = now
            + chrono::TimeDelta::from_std(new_duration)
                .map_err(|_| EngineError::BadRequest("the new duration is too long".into()))?;
        sqlx::query(
            "UPDATE engine_external_task SET lock_expires_at = $2 WHERE id = $1 AND worker_id = $3",
        )
        .bind(id)
        .bind(ms(until))
        .bind(worker_id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn lock_external_task(
        &self,
        id: &str,
        worker_id: &str,
        duration: Duration,
    ) -> EngineResult<()> {
        let now = Utc::now();
        let until = now
            + chrono::TimeDelta::from_std(duration)
                .map_err(|_| EngineError::BadRequest("the lock duration is too long".into()))?;
        let done = sqlx::query(
            "UPDATE engine_external_task SET worker_id = $2, lock_expires_at = $3 \
             WHERE id = $1 AND (retries IS NULL OR retries > 0) \
             AND (lock_expires_at IS NULL OR lock_expires_at < $4 OR worker_id = $2)",
        )
        .bind(id)
        .bind(worker_id)
        .bind(ms(until))
        .bind(ms(now))
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            let task = self.external_task(id).await?;
            return Err(EngineError::BadRequest(match task.retries {
                Some(0) => format!("External task {id} has no retries left"),
                _ => format!(
                    "External task {id} is already locked by worker '{}'",
                    task.worker_id.unwrap_or_default()
                ),
            }));
        }
        Ok(())
    }

    pub async fn unlock(&self, id: &str) -> EngineResult<()> {
        let done = sqlx::query("UPDATE engine_external_task SET worker_id = NULL, lock_expires_at = NULL WHERE id = $1").bind(id).execute(&self.write).await?;
        if done.rows_affected() == 0 {
            return Err(EngineError::NotFound(format!(
                "External task with id {id} does not exist"
            )));
        }
        self.tasks_ready.notify_waiters();
        Ok(())
    }

    pub async fn external_task(&self, id: &str) -> EngineResult<ExternalTaskInfo> {
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM engine_external_task WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.write)
        .await?
        .ok_or_else(|| {
            EngineError::NotFound(format!("External task with id {id} does not exist"))
        })?;
        task_from_row(&row)
    }

    pub async fn external_task_error_details(&self, id: &str) -> EngineResult<Option<String>> {
        let row = sqlx::query("SELECT error_details FROM engine_external_task WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or_else(|| {
                EngineError::NotFound(format!("External task with id {id} does not exist"))
            })?;
        get(&row, "error_details")
    }

    fn task_query<'q>(select: &str, query: &ExternalTaskQuery) -> sqlx::QueryBuilder<'q, Db> {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT {select} FROM engine_external_task WHERE 1 = 1"
        ));
        push_equals(
            &mut q,
            &[
                ("id", &query.id),
                ("topic", &query.topic),
                ("worker_id", &query.worker_id),
                ("activity_id", &query.activity_id),
                ("instance_id", &query.process_instance_id),
                ("definition_id", &query.definition_id),
            ],
        );
        let now = ms(Utc::now());
        match query.locked {
            Some(true) => {
                q.push(" AND lock_expires_at > ").push_bind(now);
            }
            Some(false) => {
                q.push(" AND (lock_expires_at IS NULL OR lock_expires_at <= ")
                    .push_bind(now)
                    .push(")");
            }
            None => {}
        }
        match query.with_retries_left {
            Some(true) => {
                q.push(" AND (retries IS NULL OR retries > 0)");
            }
            Some(false) => {
                q.push(" AND retries = 0");
            }
            None => {}
        }
        q
    }

    pub async fn external_tasks(
        &self,
        query: &ExternalTaskQuery,
    ) -> EngineResult<Vec<ExternalTaskInfo>> {
        let (limit, offset) = limits(&query.page);
        let mut q = Self::task_query(TASK_COLUMNS, query);
        let direction = if query.page.sort.as_ref().is_some_and(|(_, asc)| !asc) {
            "DESC"
        } else {
            "ASC"
        };
        q.push(format!(
            " ORDER BY created_at {direction}, id {direction} LIMIT "
        ))
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
        self.fetch_mapped(q, task_from_row).await
    }

    pub async fn external_task_count(&self, query: &ExternalTaskQuery) -> EngineResult<u64> {
        self.count(Self::task_query("COUNT(*) AS n", query)).await
    }

    pub async fn topic_names(&self) -> EngineResult<Vec<String>> {
        sqlx::query("SELECT DISTINCT topic FROM engine_external_task ORDER BY topic")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| get(r, "topic"))
            .collect()
    }
}

// Writes a command's effects in its transaction: work items created and withdrawn, incidents,
// history, and the jobs that carry call-activity traffic between instances.

use crate::runtime::{Effects, InstanceState};

impl Store {
    pub(crate) async fn apply_effects(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        state: &InstanceState,
        model: &ProcessModel,
        fx: &Effects,
        now: DateTime<Utc>,
        consumed: Option<&str>,
    ) -> EngineResult<()> {
        let at = ms(now);
        if !fx.external_tasks.is_empty() {
            for chunk in fx.external_tasks.chunks(1_000) {
                let mut q = sqlx::QueryBuilder::<Db>::new("");
                push_external_tasks(&mut q, &[(state, model, chunk)], at)?;
                q.build().execute(&mut **tx).await?;
            }
        }
        for t in &fx.user_tasks {
            sqlx::query(
                "INSERT INTO engine_user_task (id, instance_id, definition_id, business_key, name, activity_id, activity_instance_id, execution_id, assignee, candidate_groups, form_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&t.id)
            .bind(&state.id)
            .bind(&state.definition_id)
            .bind(&state.business_key)
            .bind(&t.name)
            .bind(&t.activity_id)
            .bind(&t.activity_instance_id)
            .bind(&t.execution_id)
            .bind(&t.assignee)
            .bind(&t.candidate_groups)
            .bind(&t.form_key)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        for id in fx
            .tasks_removed
            .iter()
            .filter(|id| Some(id.as_str()) != consumed)
        {
            let gone = sqlx::query("DELETE FROM engine_external_task WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            if gone.rows_affected() == 0 {
                sqlx::query("DELETE FROM engine_user_task WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        for j in &fx.jobs {
            sqlx::query(
                "INSERT INTO engine_job (id, kind, instance_id, definition_id, due_at, activity_id, target, timer_kind, schedule, fired) VALUES ($1, 'timer', $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&j.id)
            .bind(&state.id)
            .bind(&state.definition_id)
            .bind(ms(j.due))
            .bind(&j.activity_id)
            .bind(&j.target)
            .bind(j.kind.name())
            .bind(&j.schedule)
            .bind(j.fired as i32)
            .execute(&mut **tx)
            .await?;
        }
        for id in &fx.jobs_removed {
            sqlx::query("DELETE FROM engine_job WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        for s in &fx.subscriptions {
            sqlx::query("INSERT INTO engine_subscription (id, instance_id, message_name, activity_id, target, business_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&s.id)
                .bind(&state.id)
                .bind(&s.message_name)
                .bind(&s.activity_id)
                .bind(&s.target)
                .bind(&state.business_key)
                .bind(at)
                .execute(&mut **tx)
                .await?;
        }
        for id in &fx.subscriptions_removed {
            sqlx::query("DELETE FROM engine_subscription WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        for i in &fx.incidents {
            self.insert_incident(
                tx,
                &state.id,
                &state.definition_id,
                &i.id,
                &i.execution_id,
                &i.activity_id,
                &i.kind,
                &i.message,
                i.configuration.as_deref(),
                now,
            )
            .await?;
        }
        for id in &fx.incidents_resolved {
            sqlx::query("UPDATE engine_incident SET resolved_at = $2 WHERE id = $1")
                .bind(id)
                .bind(at)
                .execute(&mut **tx)
                .await?;
        }
        self.write_history(tx, state, model, fx).await?;
        for call in &fx.calls {
            let payload = serde_json::json!({
                "token_id": call.token_id,
                "process_key": call.process_key,
                "business_key": call.business_key,
                "variables": call.variables,
            });
            self.insert_internal_job(
                tx,
                "call-start",
                &call.child_instance_id,
                Some(&state.id),
                payload,
                now,
            )
            .await?;
        }
        for child in &fx.calls_cancelled {
            self.insert_internal_job(tx, "cancel", child, None, serde_json::Value::Null, now)
                .await?;
        }
        if let Some(result) = &fx.call_result {
            let payload = serde_json::json!({
                "token_id": result.token_id,
                "variables": result.variables,
                "error": result.error,
            });
            self.insert_internal_job(
                tx,
                "call-result",
                &result.parent_instance_id,
                Some(&state.id),
                payload,
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// A job the engine gives itself: `instance_id` is the instance it acts on, `target` the
    /// instance that caused it.
    async fn insert_internal_job(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        kind: &str,
        instance_id: &str,
        target: Option<&str>,
        payload: serde_json::Value,
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        sqlx::query("INSERT INTO engine_job (id, kind, instance_id, due_at, target, payload) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id())
            .bind(kind)
            .bind(instance_id)
            .bind(ms(now))
            .bind(target)
            .bind(payload.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_incident(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        instance_id: &str,
        definition_id: &str,
        id: &str,
        execution_id: &str,
        activity_id: &str,
        kind: &str,
        message: &str,
        configuration: Option<&str>,
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        sqlx::query("INSERT INTO engine_incident (id, instance_id, definition_id, execution_id, activity_id, kind, message, configuration, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id)
            .bind(instance_id)
            .bind(definition_id)
            .bind(execution_id)
            .bind(activity_id)
            .bind(kind)
            .bind(message)
            .bind(configuration)
            .bind(ms(now))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The activity history of a command in one statement (a multi-row upsert, see
    /// [`push_history`]), in chunks for very large commands.
    async fn write_history(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        state: &InstanceState,
        model: &ProcessModel,
        fx: &Effects,
    ) -> EngineResult<()> {
        if fx.history.is_empty() {
            return Ok(());
        }
        // an activity's start and end stay in one chunk: chunks split between activity instances
        let mut chunk_start = 0;
        while chunk_start < fx.history.len() {
            let mut end = (chunk_start + 1_000).min(fx.history.len());
            while end < fx.history.len() && fx.history[end].ended.is_some() {
                end += 1;
            }
            let mut q = sqlx::QueryBuilder::<Db>::new("");
            push_history(&mut q, &[(state, model, &fx.history[chunk_start..end])]);
            q.build().execute(&mut **tx).await?;
            chunk_start = end;
        }
        Ok(())
    }
}

/// One instance's part of a multi-row statement: its state, its model and its rows.
pub(crate) type InstanceRows<'a, T> = (&'a InstanceState, &'a ProcessModel, &'a [T]);

/// Appends `INSERT INTO engine_external_task … VALUES …` for the tasks of one or more instances.
pub(crate) fn push_external_tasks(
    q: &mut sqlx::QueryBuilder<'_, Db>,
    parts: &[InstanceRows<'_, crate::runtime::NewExternalTask>],
    at: i64,
) -> EngineResult<()> {
    let mut rows = Vec::new();
    for (state, model, tasks) in parts {
        for t in tasks.iter() {
            let properties = serde_json::to_string(&t.properties).map_err(json_error)?;
            rows.push((*state, *model, t, properties));
        }
    }
    q.push(
        "INSERT INTO engine_external_task (id, instance_id, definition_id, definition_key, business_key, topic, priority, activity_id, activity_instance_id, execution_id, properties, available_at, created_at) ",
    );
    q.push_values(rows, |mut row, (state, model, t, properties)| {
        row.push_bind(t.id.clone())
            .push_bind(state.id.clone())
            .push_bind(state.definition_id.clone())
            .push_bind(model.key.clone())
            .push_bind(state.business_key.clone())
            .push_bind(t.topic.clone())
            .push_bind(t.priority)
            .push_bind(t.activity_id.to_string())
            .push_bind(t.activity_instance_id.clone())
            .push_bind(t.execution_id.clone())
            .push_bind(properties)
            .push_bind(at)
            .push_bind(at);
    });
    Ok(())
}

/// Appends a multi-row upsert of the history of one or more instances: one row per activity
/// instance — its start (already ended when the same events end it, as for events and
/// gateways), or its end when it started in an earlier command (the conflict on its id then sets
/// only the end). Activity instance ids are unique across instances.
pub(crate) fn push_history(
    q: &mut sqlx::QueryBuilder<'_, Db>,
    parts: &[InstanceRows<'_, crate::runtime::ActivityEvent>],
) {
    let events = || parts.iter().flat_map(|(_, _, history)| history.iter());
    let ends: HashMap<&str, (i64, bool)> = events()
        .filter_map(|h| h.ended.map(|c| (h.id.as_str(), (ms(h.at), c))))
        .collect();
    let started: std::collections::HashSet<&str> = events()
        .filter(|h| h.ended.is_none())
        .map(|h| h.id.as_str())
        .collect();
    let rows: Vec<_> = parts
        .iter()
        .flat_map(|(state, model, history)| {
            history
                .iter()
                .enumerate()
                .map(move |(position, h)| (*state, *model, position, h))
        })
        .filter(|(_, _, _, h)| h.ended.is_none() || !started.contains(h.id.as_str()))
        .collect();
    q.push(
        "INSERT INTO engine_activity_history (id, instance_id, definition_id, definition_key, parent_id, activity_id, activity_name, activity_type, execution_id, task_id, called_instance_id, started_at, ended_at, canceled, seq) ",
    );
    q.push_values(rows, |mut row, (state, model, position, h)| {
        let end = ends.get(h.id.as_str());
        row.push_bind(h.id.clone())
            .push_bind(state.id.clone())
            .push_bind(state.definition_id.clone())
            .push_bind(model.key.clone())
            .push_bind(h.parent_id.clone())
            .push_bind(h.activity_id.to_string())
            .push_bind(h.activity_name.as_deref().map(str::to_owned))
            .push_bind(h.activity_type)
            .push_bind(h.execution_id.clone())
            .push_bind(h.task_id.clone())
            .push_bind(h.called_instance_id.clone())
            .push_bind(ms(h.at))
            .push_bind(end.map(|e| e.0))
            .push_bind(end.is_some_and(|e| e.1))
            .push_bind(ms(h.at) * 10_000 + (position as i64 % 10_000));
    });
    q.push(" ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, canceled = excluded.canceled");
}

// fetchAndLock with real long polling: tasks are acquired per topic with one UPDATE over a
// sub-select (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so engine processes never hand out the
// same task); while nothing matches, the request waits for a wake-up (a task created, unlocked
// or failed with a retry here) or re-checks every `fetch_poll` for other nodes' tasks.

use std::time::Duration;

use crate::runtime::{self, InstanceState};
use crate::variables::Variables;

/// The longest long poll accepted (Camunda's limit).
const MAX_ASYNC_RESPONSE: Duration = Duration::from_secs(30 * 60);

impl Store {
    pub async fn fetch_and_lock(&self, request: FetchRequest) -> EngineResult<Vec<LockedTask>> {
        if request.worker_id.trim().is_empty() {
            return Err(EngineError::BadRequest("workerId is required".into()));
        }
        let deadline = request
            .async_response_timeout
            .map(|t| tokio::time::Instant::now() + t.min(MAX_ASYNC_RESPONSE));
        loop {
            let woken = self.tasks_ready.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let locked = self.try_fetch(&request).await?;
            let Some(deadline) = deadline else {
                return Ok(locked);
            };
            let now = tokio::time::Instant::now();
            if !locked.is_empty() || now >= deadline {
                return Ok(locked);
            }
            let nap = (deadline - now).min(self.fetch_poll);
            tokio::select! {
                () = &mut woken => {}
                () = tokio::time::sleep(nap) => {}
            }
        }
    }

    async fn try_fetch(&self, request: &FetchRequest) -> EngineResult<Vec<LockedTask>> {
        let mut out = Vec::new();
        let now = Utc::now();
        for topic in &request.topics {
            let want = i64::from(request.max_tasks) - out.len() as i64;
            if want <= 0 {
                break;
            }
            let until = now
                + chrono::TimeDelta::from_std(topic.lock_duration)
                    .map_err(|_| EngineError::BadRequest("lockDuration is too long".into()))?;
            let mut q =
                sqlx::QueryBuilder::<Db>::new("UPDATE engine_external_task SET worker_id = ");
            q.push_bind(request.worker_id.clone())
                .push(", lock_expires_at = ")
                .push_bind(ms(until));
            q.push(" WHERE id IN (SELECT id FROM engine_external_task WHERE topic = ")
                .push_bind(topic.name.clone());
            q.push(" AND available_at <= ").push_bind(ms(now));
            q.push(" AND (lock_expires_at IS NULL OR lock_expires_at < ")
                .push_bind(ms(now))
                .push(")");
            q.push(" AND (retries IS NULL OR retries > 0)");
            push_equals(
                &mut q,
                &[
                    ("business_key", &topic.business_key),
                    ("definition_id", &topic.definition_id),
                    ("definition_key", &topic.definition_key),
                ],
            );
            push_in(&mut q, "definition_id", &topic.definition_ids);
            push_in(&mut q, "definition_key", &topic.definition_keys);
            let order = if request.use_priority {
                "priority DESC, created_at"
            } else {
                "created_at"
            };
            q.push(format!(" ORDER BY {order} LIMIT "))
                .push_bind(want)
                .push(format!(
                    "{SKIP_LOCKED}) RETURNING {}",
                    external::TASK_COLUMNS
                ));
            let rows = q.build().fetch_all(&self.write).await?;
            let mut tasks: Vec<ExternalTaskInfo> = rows
                .iter()
                .map(external::task_from_row)
                .collect::<EngineResult<_>>()?;
            tasks.sort_by(|a, b| {
                if request.use_priority {
                    b.priority
                        .cmp(&a.priority)
                        .then(a.created_at.cmp(&b.created_at))
                } else {
                    a.created_at.cmp(&b.created_at)
                }
            });
            let states = self.states_of(&tasks).await?;
            for task in tasks {
                match task_variables(&task, topic, states.get(&task.process_instance_id)) {
                    Some(variables) => out.push(LockedTask { task, variables }),
                    None => {
                        // its instance does not have the requested processVariables: hand it back
                        sqlx::query("UPDATE engine_external_task SET worker_id = NULL, lock_expires_at = NULL WHERE id = $1 AND worker_id = $2").bind(&task.id).bind(&request.worker_id).execute(&self.write).await?;
                    }
                }
            }
        }
        Ok(out)
    }

    /// The states of the tasks' instances, in one query.
    async fn states_of(
        &self,
        tasks: &[ExternalTaskInfo],
    ) -> EngineResult<HashMap<String, InstanceState>> {
        let mut states = HashMap::new();
        if tasks.is_empty() {
            return Ok(states);
        }
        let ids: Vec<String> = tasks
            .iter()
            .map(|t| t.process_instance_id.clone())
            .collect();
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT id, state FROM engine_instance WHERE 1 = 1");
        push_in(&mut q, "id", &ids);
        for row in q.build().fetch_all(&self.read).await? {
            let text: String = get(&row, "state")?;
            states.insert(
                get(&row, "id")?,
                serde_json::from_str(&text).map_err(json_error)?,
            );
        }
        Ok(states)
    }
}

/// The variables handed out with a task; `None` when the instance fails the topic's
/// `processVariables` filter.
fn task_variables(
    task: &ExternalTaskInfo,
    topic: &TopicFetch,
    state: Option<&InstanceState>,
) -> Option<Variables> {
    let Some(state) = state else {
        return Some(Variables::new());
    };
    let visible = runtime::variables_of(state, &task.execution_id, false);
    for (name, wanted) in &topic.process_variables {
        if visible.get(name).map(|v| v.to_expression_value()) != Some(wanted.to_expression_value())
        {
            return None;
        }
    }
    let mut variables = if topic.local_variables {
        runtime::variables_of(state, &task.execution_id, true)
    } else {
        visible
    };
    if let Some(names) = &topic.variables {
        variables.retain(|name, _| names.contains(name));
    }
    Some(variables)
}

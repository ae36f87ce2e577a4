// fetchAndLock with real long polling: the tasks of all the request's topics are acquired with
// one UPDATE over per-topic sub-selects (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so engine
// processes never hand out the same task); while nothing matches, the request waits for a
// wake-up (a task created, unlocked or failed with a retry here) or re-checks every
// `fetch_poll` for other nodes' tasks.

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

    /// One acquisition over every topic of the request: a single `UPDATE` locks, topic after
    /// topic in the request's order, up to `maxTasks` tasks (each topic's filters, order and lock
    /// duration): a `UNION ALL` of one limited sub-select per topic, read lazily, so a later
    /// topic's rows are only locked while the earlier ones left room. The same statement returns
    /// each task's instance state, for its variables.
    async fn try_fetch(&self, request: &FetchRequest) -> EngineResult<Vec<LockedTask>> {
        if request.topics.is_empty() || request.max_tasks == 0 {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let max = i64::from(request.max_tasks);
        let order = if request.use_priority {
            "priority DESC, created_at"
        } else {
            "created_at"
        };
        let mut q = sqlx::QueryBuilder::<Db>::new("UPDATE engine_external_task SET worker_id = ");
        q.push_bind(request.worker_id.clone())
            .push(", lock_expires_at = CASE");
        for topic in &request.topics {
            let until = now
                + chrono::TimeDelta::from_std(topic.lock_duration)
                    .map_err(|_| EngineError::BadRequest("lockDuration is too long".into()))?;
            q.push(" WHEN topic = ")
                .push_bind(topic.name.clone())
                .push(" THEN ")
                .push_bind(ms(until));
        }
        q.push(" END WHERE id IN (SELECT id FROM (");
        for (n, topic) in request.topics.iter().enumerate() {
            if n > 0 {
                q.push(" UNION ALL ");
            }
            q.push("SELECT id FROM (SELECT id FROM engine_external_task WHERE topic = ")
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
            q.push(format!(" ORDER BY {order} LIMIT "))
                .push_bind(max)
                .push(format!("{SKIP_LOCKED}) AS topic_{n}"));
        }
        q.push(") AS picked LIMIT ")
            .push_bind(max)
            .push(format!(
                ") RETURNING {}, (SELECT s.state FROM engine_instance s WHERE s.id = engine_external_task.instance_id) AS instance_state",
                external::TASK_COLUMNS
            ));
        let rows = q.build().fetch_all(&self.write).await?;
        let mut locked: Vec<(usize, ExternalTaskInfo)> = Vec::with_capacity(rows.len());
        // the variables of the tasks' instances come with the lock, read in the same statement
        let mut states: HashMap<String, InstanceState> = HashMap::new();
        for row in &rows {
            let task = external::task_from_row(row)?;
            if !states.contains_key(&task.process_instance_id)
                && let Some(text) = get::<Option<String>>(row, "instance_state")?
            {
                states.insert(
                    task.process_instance_id.clone(),
                    serde_json::from_str(&text).map_err(json_error)?,
                );
            }
            match topic_of(&request.topics, &task) {
                Some(n) => locked.push((n, task)),
                None => {
                    return Err(EngineError::Internal(format!(
                        "external task {} was locked for no topic of the request",
                        task.id
                    )));
                }
            }
        }
        // the request's topic order, then each topic's own order
        locked.sort_by(|(n, a), (m, b)| {
            n.cmp(m).then_with(|| {
                if request.use_priority {
                    b.priority
                        .cmp(&a.priority)
                        .then(a.created_at.cmp(&b.created_at))
                } else {
                    a.created_at.cmp(&b.created_at)
                }
            })
        });
        let locked: Vec<(ExternalTaskInfo, &TopicFetch)> = locked
            .into_iter()
            .map(|(n, task)| (task, &request.topics[n]))
            .collect();
        let mut out = Vec::with_capacity(locked.len());
        for (task, topic) in locked {
            match task_variables(&task, topic, states.get(&task.process_instance_id)) {
                Some(variables) => out.push(LockedTask { task, variables }),
                None => {
                    // its instance does not have the requested processVariables: hand it back
                    sqlx::query("UPDATE engine_external_task SET worker_id = NULL, lock_expires_at = NULL WHERE id = $1 AND worker_id = $2").bind(&task.id).bind(&request.worker_id).execute(&self.write).await?;
                }
            }
        }
        Ok(out)
    }
}

/// The first topic of the request a locked task matches: its name and its filters.
fn topic_of(topics: &[TopicFetch], task: &ExternalTaskInfo) -> Option<usize> {
    let equal = |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
    let listed = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    topics.iter().position(|t| {
        t.name == task.topic
            && t.business_key
                .as_deref()
                .is_none_or(|f| task.business_key.as_deref() == Some(f))
            && equal(&t.definition_id, &task.process_definition_id)
            && equal(&t.definition_key, &task.process_definition_key)
            && listed(&t.definition_ids, &task.process_definition_id)
            && listed(&t.definition_keys, &task.process_definition_key)
    })
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

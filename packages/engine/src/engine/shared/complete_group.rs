// Completes of external tasks written in groups (see `groups.rs`): one lock of the group's
// instances (in id order, so groups never deadlock each other), one delete of their tasks, one
// insert of the next tasks, one history upsert and one update of the states, instead of seven
// statements and a commit per complete. A complete the group cannot take (a second one on the
// same instance, the wrong worker, a missing task) and every complete of a group that fails are
// written alone afterwards.

use std::collections::HashSet;

use tokio::sync::oneshot;

use super::groups::{GroupKind, Groups, Written, fits_group};
use crate::runtime::{self, Effects, InstanceState};
use crate::variables::Variables;

impl GroupKind for Pending {
    fn groups(store: &Store) -> &Groups<Self> {
        &store.completions
    }

    fn write(store: &Store, group: Vec<Self>) -> impl Future<Output = ()> + Send + '_ {
        store.complete_group(group)
    }
}

/// A complete waiting for its group.
pub(crate) struct Pending {
    task_id: String,
    worker_id: String,
    variables: Variables,
    locals: Variables,
    reply: oneshot::Sender<EngineResult<()>>,
}

impl Store {
    /// How the completes since the engine opened were written (groups, and completes in them
    /// or alone).
    pub fn completion_stats(&self) -> crate::api::GroupStats {
        self.completions.stats()
    }

    pub async fn complete_external_task(
        &self,
        id: &str,
        worker_id: &str,
        variables: Variables,
        locals: Variables,
    ) -> EngineResult<()> {
        if !self.completions.enabled() {
            self.completions.count_alone(1);
            return self.complete_alone(id, worker_id, variables, locals).await;
        }
        let (reply, answer) = oneshot::channel();
        self.completions.push(Pending {
            task_id: id.to_owned(),
            worker_id: worker_id.to_owned(),
            variables,
            locals,
            reply,
        });
        answer
            .await
            .map_err(|_| EngineError::Internal("the complete's group was abandoned".into()))?
    }

    /// One complete in its own transaction.
    async fn complete_alone(
        &self,
        id: &str,
        worker_id: &str,
        variables: Variables,
        locals: Variables,
    ) -> EngineResult<()> {
        self.command_on_task(id, worker_id, |model, state, now| {
            runtime::complete_task(model, state, id, variables, locals, now)
        })
        .await?;
        Ok(())
    }

    async fn complete_group(&self, group: Vec<Pending>) {
        let size = group.len();
        let alone: Vec<Pending> = match self.write_group(&group).await {
            Ok(written) => {
                self.completions
                    .count_group(written.iter().filter(|fx| fx.is_some()).count());
                let mut alone = Vec::new();
                for (pending, fx) in group.into_iter().zip(written) {
                    match fx {
                        Some(fx) => {
                            self.after_commit(&fx);
                            let _ = pending.reply.send(Ok(()));
                        }
                        None => alone.push(pending),
                    }
                }
                alone
            }
            Err(e) => {
                tracing::debug!(error = %e, size, "a group of completes was rolled back; writing them one by one");
                group
            }
        };
        self.completions.count_alone(alone.len());
        futures::future::join_all(alone.into_iter().map(|p| async move {
            let result = self
                .complete_alone(&p.task_id, &p.worker_id, p.variables, p.locals)
                .await;
            let _ = p.reply.send(result);
        }))
        .await;
    }

    /// Writes the completes the group can take in one transaction; what each did, `None` for
    /// those left to be written alone. Any error rolls the whole group back.
    async fn write_group(&self, group: &[Pending]) -> EngineResult<Vec<Option<Effects>>> {
        let now = Utc::now();
        let mut tx = self.write.begin().await?;
        let ids: Vec<String> = group.iter().map(|p| p.task_id.clone()).collect();
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT t.id AS task_id, t.worker_id, i.id, i.definition_id, i.state FROM engine_external_task t JOIN engine_instance i ON i.id = t.instance_id WHERE i.ended_at IS NULL",
        );
        push_in(&mut q, "t.id", &ids);
        q.push(format!(" ORDER BY i.id{FOR_UPDATE_OF_INSTANCE}"));
        let rows = q.build().fetch_all(&mut *tx).await?;
        let mut found: HashMap<String, LockedTask> = HashMap::new();
        for row in &rows {
            found.insert(
                get(row, "task_id")?,
                LockedTask {
                    worker: get(row, "worker_id")?,
                    instance: get(row, "id")?,
                    definition: get(row, "definition_id")?,
                    state: get(row, "state")?,
                },
            );
        }
        // one complete per instance, by the worker holding the task
        let mut instances = HashSet::new();
        let mut taken = Vec::new();
        for (index, pending) in group.iter().enumerate() {
            let Some(locked) = found.remove(&pending.task_id) else {
                continue;
            };
            if locked.worker.as_deref() != Some(pending.worker_id.as_str())
                || !instances.insert(locked.instance)
            {
                continue;
            }
            taken.push((index, locked.definition, locked.state));
        }
        if taken.is_empty() {
            return Ok(group.iter().map(|_| None).collect());
        }
        self.delete_taken_tasks(&mut tx, group, &taken).await?;
        let mut written = Vec::with_capacity(taken.len());
        for (index, definition, text) in taken {
            let pending = &group[index];
            let mut state: InstanceState = serde_json::from_str(&text).map_err(json_error)?;
            let model = self.model(&definition, &mut *tx).await?;
            let fx = runtime::complete_task(
                &model,
                &mut state,
                &pending.task_id,
                pending.variables.clone(),
                pending.locals.clone(),
                now,
            )
            .map_err(core::runtime_error)?;
            let set_based = fits_group(&fx, Some(&pending.task_id));
            if !set_based {
                self.apply_effects(&mut tx, &state, &model, &fx, now, Some(&pending.task_id))
                    .await?;
                self.save_state(&mut tx, &state, &fx, now).await?;
            }
            written.push(Written {
                index,
                state,
                model,
                fx,
                set_based,
            });
        }
        self.write_set_based(&mut tx, &written, now).await?;
        self.update_states(&mut tx, &written, now).await?;
        tx.commit().await?;
        let mut out: Vec<Option<Effects>> = group.iter().map(|_| None).collect();
        for w in written {
            out[w.index] = Some(w.fx);
        }
        Ok(out)
    }

    /// Deletes the taken completes' tasks, checking each is still held by its worker.
    async fn delete_taken_tasks(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        group: &[Pending],
        taken: &[(usize, String, String)],
    ) -> EngineResult<()> {
        let ids: Vec<String> = taken
            .iter()
            .map(|(i, ..)| group[*i].task_id.clone())
            .collect();
        let mut q = sqlx::QueryBuilder::<Db>::new("DELETE FROM engine_external_task WHERE 1 = 1");
        push_in(&mut q, "id", &ids);
        q.push(" RETURNING id, worker_id");
        let rows = q.build().fetch_all(&mut **tx).await?;
        let mut holders: HashMap<String, Option<String>> = HashMap::new();
        for row in &rows {
            holders.insert(get(row, "id")?, get(row, "worker_id")?);
        }
        for (i, ..) in taken {
            let pending = &group[*i];
            if holders.get(&pending.task_id) != Some(&Some(pending.worker_id.clone())) {
                return Err(EngineError::Internal(format!(
                    "external task {} changed while its group was written",
                    pending.task_id
                )));
            }
        }
        Ok(())
    }

    /// The new states of the completes written set-based, in one statement.
    async fn update_states(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        written: &[Written],
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        let fitting: Vec<&Written> = written.iter().filter(|w| w.set_based).collect();
        if fitting.is_empty() {
            return Ok(());
        }
        let at = ms(now);
        let mut states = Vec::with_capacity(fitting.len());
        for w in &fitting {
            let text = serde_json::to_string(&w.state).map_err(json_error)?;
            let ended = w.fx.ended.map(|how| (at, how.name()));
            states.push((w.state.id.clone(), text, ended));
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "UPDATE engine_instance SET state = v.state, ended_at = v.ended_at, end_state = v.end_state \
             FROM (SELECT column1 AS id, column2 AS state, column3 AS ended_at, column4 AS end_state FROM (",
        );
        q.push_values(states, |mut row, (id, text, ended)| {
            row.push_bind(id)
                .push_bind(text)
                .push_bind(ended.map(|e| e.0))
                .push_bind(ended.map(|e| e.1));
        });
        q.push(") AS x) AS v WHERE engine_instance.id = v.id");
        q.build().execute(&mut **tx).await?;
        Ok(())
    }
}

/// A task of a complete group as the group's read found it: its lock holder and its instance
/// (id, definition, serialized state), the instance row locked for the transaction.
struct LockedTask {
    worker: Option<String>,
    instance: String,
    definition: String,
    state: String,
}

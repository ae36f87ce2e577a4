// Starts of instances (`POST /process-definition/…/start`) written in groups (see `groups.rs`):
// each start runs in the runtime on its own, then the group's new instances go in with one
// multi-row insert, their first tasks and history with one statement each, and one commit. A
// start that fails in the runtime (no such definition, no none start) is answered at once; if
// the group's transaction fails, every start in it is written alone.

use tokio::sync::oneshot;

use super::groups::{GroupKind, Groups, Written, fits_group};
use super::instances::{Started, started_info};

impl GroupKind for PendingStart {
    fn groups(store: &Store) -> &Groups<Self> {
        &store.starts
    }

    fn write(store: &Store, group: Vec<Self>) -> impl Future<Output = ()> + Send + '_ {
        store.start_group(group)
    }
}

/// A start waiting for its group.
pub(crate) struct PendingStart {
    by: DefinitionRef,
    request: StartRequest,
    reply: oneshot::Sender<EngineResult<InstanceInfo>>,
}

/// A start the runtime ran, with what the group needs to write and answer it.
struct Prepared {
    pending: PendingStart,
    definition: DefinitionInfo,
    id: String,
    start_activity: Option<String>,
    /// When the runtime started it: the instance's start time.
    started_at: DateTime<Utc>,
}

impl Store {
    /// How the starts since the engine opened were written (groups, and starts in them or alone).
    pub fn start_stats(&self) -> crate::api::GroupStats {
        self.starts.stats()
    }

    pub async fn start(
        &self,
        by: &DefinitionRef,
        request: StartRequest,
    ) -> EngineResult<InstanceInfo> {
        if !self.starts.enabled() {
            self.starts.count_alone(1);
            return self.start_alone(by, request).await;
        }
        let (reply, answer) = oneshot::channel();
        self.starts.push(PendingStart {
            by: by.clone(),
            request,
            reply,
        });
        answer
            .await
            .map_err(|_| EngineError::Internal("the start's group was abandoned".into()))?
    }

    async fn start_group(&self, group: Vec<PendingStart>) {
        // the group's transaction is open from the start: its definitions are read on its
        // connection, so a group costs one connection from the pool, not two
        let mut tx = match self.write.begin().await {
            Ok(tx) => tx,
            Err(e) => {
                tracing::debug!(error = %e, size = group.len(), "no transaction for a group of starts; writing them one by one");
                self.starts_alone(group).await;
                return;
            }
        };
        let mut definitions: HashMap<String, DefinitionInfo> = HashMap::new();
        let mut prepared = Vec::with_capacity(group.len());
        let mut written = Vec::with_capacity(group.len());
        // starts after a storage error (the transaction is then unusable) are written alone
        let mut alone = Vec::new();
        for pending in group {
            if !alone.is_empty() {
                alone.push(pending);
                continue;
            }
            match self
                .prepare_start(&pending, &mut definitions, &mut tx)
                .await
            {
                Ok((definition, id, started)) => {
                    let set_based = fits_group(&started.fx, None);
                    written.push(Written {
                        index: prepared.len(),
                        state: started.state,
                        model: started.model,
                        fx: started.fx,
                        set_based,
                    });
                    prepared.push(Prepared {
                        pending,
                        definition,
                        id,
                        start_activity: started.start_activity,
                        started_at: started.now,
                    });
                }
                Err(EngineError::Store(e)) => {
                    tracing::debug!(error = %e, "a group of starts lost its transaction; writing the rest one by one");
                    alone.push(pending);
                }
                Err(e) => {
                    let _ = pending.reply.send(Err(e));
                }
            }
        }
        if !alone.is_empty() {
            drop(tx);
            alone.splice(0..0, prepared.into_iter().map(|p| p.pending));
            self.starts_alone(alone).await;
            return;
        }
        if prepared.is_empty() {
            return;
        }
        let now = Utc::now();
        match self.write_starts(tx, &prepared, &written, now).await {
            Ok(()) => {
                self.starts.count_group(prepared.len());
                for (p, w) in prepared.into_iter().zip(written) {
                    self.after_commit(&w.fx);
                    let info = started_info(
                        &p.definition,
                        p.id,
                        p.pending.request.business_key.clone(),
                        &w.fx,
                        p.start_activity,
                        p.started_at,
                        None,
                    );
                    let _ = p.pending.reply.send(Ok(info));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, size = prepared.len(), "a group of starts was rolled back; writing them one by one");
                self.starts_alone(prepared.into_iter().map(|p| p.pending).collect())
                    .await;
            }
        }
    }

    /// Starts a group could not write, each in its own transaction with its own answer.
    async fn starts_alone(&self, pending: Vec<PendingStart>) {
        self.starts.count_alone(pending.len());
        for PendingStart { by, request, reply } in pending {
            let _ = reply.send(self.start_alone(&by, request).await);
        }
    }

    /// The definition of a start (read once per group and reference), a new instance id, and
    /// what the runtime did.
    async fn prepare_start(
        &self,
        pending: &PendingStart,
        definitions: &mut HashMap<String, DefinitionInfo>,
        tx: &mut sqlx::Transaction<'static, Db>,
    ) -> EngineResult<(DefinitionInfo, String, Started)> {
        let reference = match &pending.by {
            DefinitionRef::Id(id) => format!("id:{id}"),
            DefinitionRef::Key(key) => format!("key:{key}"),
        };
        let definition = match definitions.get(&reference) {
            Some(d) => d.clone(),
            None => {
                let d = super::deploy::definition_in(&pending.by, &mut **tx).await?;
                definitions.insert(reference, d.clone());
                d
            }
        };
        // the parsed model, read on the group's connection if it is not cached yet: the group
        // must not wait for a second connection while it holds one
        self.model(&definition.id, &mut **tx).await?;
        let id = new_id();
        let started = self
            .run_start(
                &definition,
                &id,
                pending.request.business_key.clone(),
                pending.request.variables.clone(),
                None,
                None,
            )
            .await?;
        Ok((definition, id, started))
    }

    /// The group's instances in one insert (with their end when they ended at once), then their
    /// effects, in one transaction.
    async fn write_starts(
        &self,
        mut tx: sqlx::Transaction<'static, Db>,
        prepared: &[Prepared],
        written: &[Written],
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        let mut rows = Vec::with_capacity(prepared.len());
        for (p, w) in prepared.iter().zip(written) {
            let document = serde_json::to_string(&w.state).map_err(json_error)?;
            rows.push((p, document, w.fx.ended.map(|how| how.name())));
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO engine_instance (id, definition_id, definition_key, business_key, super_instance_id, state, started_at, start_activity_id, ended_at, end_state) ",
        );
        q.push_values(rows, |mut row, (p, document, ended)| {
            row.push_bind(p.id.clone())
                .push_bind(p.definition.id.clone())
                .push_bind(p.definition.key.clone())
                .push_bind(p.pending.request.business_key.clone())
                .push_bind(None::<String>)
                .push_bind(document)
                .push_bind(ms(p.started_at))
                .push_bind(p.start_activity.clone())
                .push_bind(ended.map(|_| ms(p.started_at)))
                .push_bind(ended);
        });
        q.build().execute(&mut *tx).await?;
        for w in written.iter().filter(|w| !w.set_based) {
            self.apply_effects(&mut tx, &w.state, &w.model, &w.fx, now, None)
                .await?;
            if w.fx.ended.is_some() {
                self.save_state(&mut tx, &w.state, &w.fx, now).await?;
            }
        }
        self.write_set_based(&mut tx, written, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

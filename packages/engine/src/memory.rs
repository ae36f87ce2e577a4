//! The engine in memory: deployments, instances and their work items in maps, effects applied
//! at once (call activities start and return within the same call). It runs the conformance
//! suite and the in-memory benchmark; nothing survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{ElementIdx, ModelError, ProcessModel, parse_definitions};
use crate::runtime::{
    self, ActivityEvent, ActivityInstanceNode, DueTimer, Effects, InstanceState, NewExternalTask,
    NewIncident, NewJob, NewSubscription, NewUserTask, RuntimeError, SuperRef,
};
use crate::variables::Variables;

/// Why an in-memory call failed.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("not found: {0}")]
    NotFound(String),
}

/// A work item with the instance it belongs to (the id shared by all of one command's items).
#[derive(Debug, Clone)]
pub struct Item<T> {
    pub instance_id: Arc<str>,
    pub item: T,
}

/// Deployed definitions and running instances, in memory.
#[derive(Default)]
pub struct MemoryEngine {
    /// key → versions (definition id, model), oldest first.
    definitions: HashMap<String, Vec<(String, Arc<ProcessModel>)>>,
    /// Running instances by id (foldhash: std's SipHash cost ~240 instructions per look-up).
    instances: HashMap<String, InstanceState, foldhash::fast::RandomState>,
    pub external_tasks: BTreeMap<String, Item<NewExternalTask>>,
    pub user_tasks: BTreeMap<String, Item<NewUserTask>>,
    pub jobs: BTreeMap<String, Item<NewJob>>,
    pub subscriptions: BTreeMap<String, Item<NewSubscription>>,
    pub incidents: BTreeMap<String, Item<NewIncident>>,
    pub history: Vec<Item<ActivityEvent>>,
    /// Ended instances and how they ended.
    pub ended: BTreeMap<String, InstanceState>,
}

impl MemoryEngine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Deploys a BPMN resource; returns the definition ids.
    pub fn deploy(&mut self, xml: &str) -> Result<Vec<String>, MemoryError> {
        let defs = parse_definitions(xml)?;
        let mut ids = Vec::new();
        for model in defs.processes {
            let versions = self.definitions.entry(model.key.clone()).or_default();
            let id = format!("{}:{}:{}", model.key, versions.len() + 1, runtime::new_id());
            versions.push((id.clone(), Arc::new(model)));
            ids.push(id);
        }
        Ok(ids)
    }

    fn latest(&self, key: &str) -> Result<(String, Arc<ProcessModel>), MemoryError> {
        self.definitions
            .get(key)
            .and_then(|v| v.last())
            .cloned()
            .ok_or_else(|| MemoryError::NotFound(format!("process definition key {key}")))
    }

    /// Starts the latest version of `key`.
    pub fn start(
        &mut self,
        key: &str,
        business_key: Option<String>,
        variables: Variables,
    ) -> Result<String, MemoryError> {
        self.start_at(
            key,
            business_key,
            variables,
            None,
            None,
            runtime::new_id(),
            Utc::now(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn start_at(
        &mut self,
        key: &str,
        business_key: Option<String>,
        variables: Variables,
        at: Option<ElementIdx>,
        super_ref: Option<SuperRef>,
        id: String,
        now: DateTime<Utc>,
    ) -> Result<String, MemoryError> {
        let (definition_id, model) = self.latest(key)?;
        let (state, fx) = runtime::start(
            &model,
            &definition_id,
            id.clone(),
            business_key,
            variables,
            at,
            super_ref,
            now,
        )?;
        self.instances.insert(id.clone(), state);
        self.apply(&id, fx, now)?;
        Ok(id)
    }

    /// A running instance's state.
    pub fn instance(&self, id: &str) -> Option<&InstanceState> {
        self.instances.get(id).or_else(|| self.ended.get(id))
    }

    /// The activity-instance tree of a running instance.
    pub fn tree(&self, id: &str) -> Result<ActivityInstanceNode, MemoryError> {
        let state = self
            .instances
            .get(id)
            .ok_or_else(|| MemoryError::NotFound(format!("instance {id}")))?;
        let model = model_in(&self.definitions, &state.definition_id)?;
        Ok(runtime::activity_tree(&model, state))
    }

    fn with_instance(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        command: impl FnOnce(&ProcessModel, &mut InstanceState) -> Result<Effects, RuntimeError>,
    ) -> Result<(), MemoryError> {
        // One look-up of the instance; the definitions are a field of their own.
        let state = self
            .instances
            .get_mut(id)
            .ok_or_else(|| MemoryError::NotFound(format!("instance {id}")))?;
        let model = model_in(&self.definitions, &state.definition_id)?;
        let fx = command(&model, state)?;
        self.apply(id, fx, now)
    }

    /// Completes an external or user task.
    pub fn complete(&mut self, task_id: &str, variables: Variables) -> Result<(), MemoryError> {
        let instance = self.task_instance(task_id)?;
        let now = Utc::now();
        self.with_instance(&instance, now, |m, s| {
            runtime::complete_task(m, s, task_id, variables, Variables::new(), now)
        })
    }

    /// A worker's BPMN error.
    pub fn bpmn_error(
        &mut self,
        task_id: &str,
        code: &str,
        variables: Variables,
    ) -> Result<(), MemoryError> {
        let instance = self.task_instance(task_id)?;
        self.with_instance(&instance, Utc::now(), |m, s| {
            runtime::bpmn_error(m, s, task_id, code, None, variables, Utc::now())
        })
    }

    fn task_instance(&self, task_id: &str) -> Result<Arc<str>, MemoryError> {
        self.external_tasks
            .get(task_id)
            .map(|t| t.instance_id.clone())
            .or_else(|| self.user_tasks.get(task_id).map(|t| t.instance_id.clone()))
            .ok_or_else(|| MemoryError::NotFound(format!("task {task_id}")))
    }

    /// Fires every timer due at `now`; returns how many fired.
    pub fn fire_due(&mut self, now: DateTime<Utc>) -> Result<usize, MemoryError> {
        let due: Vec<Item<NewJob>> = self
            .jobs
            .values()
            .filter(|j| j.item.due <= now)
            .cloned()
            .collect();
        for job in &due {
            self.jobs.remove(&job.item.id);
            let timer = DueTimer {
                job_id: job.item.id.clone(),
                target: job.item.target.clone(),
                activity_id: job.item.activity_id.clone(),
                kind: job.item.kind.name().into(),
                schedule: job.item.schedule.clone(),
                due: job.item.due,
                fired: job.item.fired,
            };
            self.with_instance(&job.instance_id, now, |m, s| {
                runtime::fire_timer(m, s, &timer, now)
            })?;
        }
        Ok(due.len())
    }

    /// Correlates a message to the one waiting subscription with that name (and business key).
    pub fn correlate(
        &mut self,
        name: &str,
        business_key: Option<&str>,
        variables: Variables,
    ) -> Result<(), MemoryError> {
        let found = self
            .subscriptions
            .values()
            .find(|s| {
                s.item.message_name == name
                    && business_key.is_none_or(|bk| {
                        self.instances
                            .get(&*s.instance_id)
                            .and_then(|i| i.business_key.as_deref())
                            == Some(bk)
                    })
            })
            .cloned();
        let Some(sub) = found else {
            let (_, model) = self
                .definitions
                .values()
                .filter_map(|v| v.last())
                .find(|(_, m)| m.message_starts().any(|(_, n)| n == name))
                .cloned()
                .ok_or_else(|| MemoryError::NotFound(format!("message {name}")))?;
            let at = model
                .message_starts()
                .find(|(_, n)| *n == name)
                .map(|(i, _)| i);
            self.start_at(
                &model.key,
                business_key.map(str::to_owned),
                variables,
                at,
                None,
                runtime::new_id(),
                Utc::now(),
            )?;
            return Ok(());
        };
        self.subscriptions.remove(&sub.item.id);
        self.with_instance(&sub.instance_id, Utc::now(), |m, s| {
            runtime::deliver_message(m, s, &sub.item.id, &sub.item.target, variables, Utc::now())
        })
    }

    fn apply(
        &mut self,
        instance_id: &str,
        fx: Effects,
        now: DateTime<Utc>,
    ) -> Result<(), MemoryError> {
        let owner: Arc<str> = Arc::from(instance_id);
        for t in fx.external_tasks {
            self.external_tasks.insert(t.id.clone(), own(&owner, t));
        }
        for t in fx.user_tasks {
            self.user_tasks.insert(t.id.clone(), own(&owner, t));
        }
        for id in &fx.tasks_removed {
            self.external_tasks.remove(id);
            self.user_tasks.remove(id);
        }
        for j in fx.jobs {
            self.jobs.insert(j.id.clone(), own(&owner, j));
        }
        for id in &fx.jobs_removed {
            self.jobs.remove(id);
        }
        for s in fx.subscriptions {
            self.subscriptions.insert(s.id.clone(), own(&owner, s));
        }
        for id in &fx.subscriptions_removed {
            self.subscriptions.remove(id);
        }
        for i in fx.incidents {
            self.incidents.insert(i.id.clone(), own(&owner, i));
        }
        for id in &fx.incidents_resolved {
            self.incidents.remove(id);
        }
        self.history
            .extend(fx.history.into_iter().map(|h| own(&owner, h)));
        if fx.ended.is_some()
            && let Some(state) = self.instances.remove(instance_id)
        {
            self.ended.insert(instance_id.to_owned(), state);
        }
        for child in fx.calls_cancelled {
            if self.instances.contains_key(&child) {
                self.with_instance(&child, now, |m, s| runtime::cancel(m, s, now))?;
            }
        }
        for call in fx.calls {
            let sup = SuperRef {
                instance_id: instance_id.to_owned(),
                token_id: call.token_id.clone(),
            };
            self.start_at(
                &call.process_key,
                call.business_key,
                call.variables,
                None,
                Some(sup),
                call.child_instance_id,
                now,
            )?;
        }
        if let Some(result) = fx.call_result {
            self.with_instance(&result.parent_instance_id, now, |m, s| {
                runtime::call_returned(m, s, &result.token_id, result.variables, result.error, now)
            })?;
        }
        Ok(())
    }
}

fn own<T>(owner: &Arc<str>, item: T) -> Item<T> {
    Item {
        instance_id: Arc::clone(owner),
        item,
    }
}

fn model_in(
    definitions: &HashMap<String, Vec<(String, Arc<ProcessModel>)>>,
    definition_id: &str,
) -> Result<Arc<ProcessModel>, MemoryError> {
    definitions
        .values()
        .flatten()
        .find(|(id, _)| id == definition_id)
        .map(|(_, m)| Arc::clone(m))
        .ok_or_else(|| MemoryError::NotFound(format!("definition {definition_id}")))
}

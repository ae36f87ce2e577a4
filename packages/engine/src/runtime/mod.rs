//! The pure runtime: commands that take an instance's state (and its model), change it, and
//! return the [`Effects`] for the store. No I/O, no clock of its own, no locks: the same code runs
//! the in-memory benchmark and the persisted engine.

mod effects;
mod events;
mod exec;
mod ids;
mod scope;
mod state;
mod tree;
mod vars;

pub use effects::*;
pub use exec::MAX_STEPS;
pub(crate) use ids::new_id;
pub use state::*;
pub use tree::{ActivityInstanceNode, IncidentInfo, TransitionInstanceNode, activity_tree};

use chrono::{DateTime, Utc};

use crate::model::{ElementIdx, ElementKind, MappingSource, ProcessModel, parse_schedule};
use crate::variables::{TypedValue, Variables};
use exec::Run;

/// Why a command could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    #[error("the process instance {0} has ended")]
    Ended(String),
    #[error("{0} is not waiting in process instance {1}")]
    NotWaiting(String, String),
    #[error("the process '{0}' has no none start event")]
    NoNoneStart(String),
}

/// Starts an instance at the none start event, or at `start_at` (a message or timer start).
#[allow(clippy::too_many_arguments)]
pub fn start(
    model: &ProcessModel,
    definition_id: &str,
    instance_id: String,
    business_key: Option<String>,
    variables: Variables,
    start_at: Option<ElementIdx>,
    super_ref: Option<SuperRef>,
    now: DateTime<Utc>,
) -> Result<(InstanceState, Effects), RuntimeError> {
    let start = start_at
        .or(model.none_start)
        .ok_or_else(|| RuntimeError::NoNoneStart(model.key.clone()))?;
    let root = ScopeInstance {
        element: None,
        parent: None,
        execution_id: instance_id.clone(),
        variables: variables
            .into_iter()
            .filter(|(_, v)| !v.is_transient())
            .collect(),
        kind: ScopeKind::Process,
        joins: Default::default(),
    };
    let mut state = InstanceState {
        id: instance_id.clone(),
        definition_id: definition_id.to_owned(),
        business_key,
        scopes: [(instance_id.clone(), root)].into(),
        tokens: Default::default(),
        super_ref,
        armed: Default::default(),
        ended: None,
    };
    let mut fx = Effects::default();
    let mut run = Run::new(model, &mut state, &mut fx, now);
    run.push(&instance_id, start);
    run.drain();
    finish(&mut state, &mut fx);
    Ok((state, fx))
}

fn finish(state: &mut InstanceState, fx: &mut Effects) {
    if fx.ended.is_some()
        && let Some(sup) = &state.super_ref
    {
        let variables = state
            .scopes
            .get(&state.id)
            .map(|s| s.variables.clone())
            .unwrap_or_default();
        fx.call_result = Some(CallResult {
            parent_instance_id: sup.instance_id.clone(),
            token_id: sup.token_id.clone(),
            variables,
            error: fx.escaped_error.clone(),
        });
    }
    if fx.ended.is_some() {
        state.tokens.clear();
        state.armed.clear();
        state.scopes.retain(|id, _| *id == state.id);
    }
}

fn active(state: &InstanceState) -> Result<(), RuntimeError> {
    match state.ended {
        Some(_) => Err(RuntimeError::Ended(state.id.clone())),
        None => Ok(()),
    }
}

fn waiting_token(state: &InstanceState, task_id: &str) -> Result<String, RuntimeError> {
    active(state)?;
    state
        .token_of_task(task_id)
        .map(str::to_owned)
        .ok_or_else(|| RuntimeError::NotWaiting(format!("task {task_id}"), state.id.clone()))
}

/// Completes an external or user task with variables (set from the task's scope, Camunda's
/// propagation) and local variables (kept on the activity, visible to its output mappings).
pub fn complete_task(
    model: &ProcessModel,
    state: &mut InstanceState,
    task_id: &str,
    variables: Variables,
    locals: Variables,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    let token_id = waiting_token(state, task_id)?;
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    let element = run.state.tokens[&token_id].element;
    // an activity with output mappings keeps what the worker sent local; outputs map it
    let keep_local = !model.element(element).io.outputs.is_empty();
    report_variables(&mut run, &token_id, variables, locals, keep_local);
    run.fx.tasks_removed.push(task_id.to_owned());
    run.complete_token(&token_id);
    run.drain();
    finish(state, &mut fx);
    Ok(fx)
}

/// A worker's BPMN error on an external task: caught by the nearest matching error boundary.
pub fn bpmn_error(
    model: &ProcessModel,
    state: &mut InstanceState,
    task_id: &str,
    code: &str,
    message: Option<String>,
    variables: Variables,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    let token_id = waiting_token(state, task_id)?;
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    let scope = run.state.tokens[&token_id].scope.clone();
    run.set_variables(&scope, variables);
    run.throw_from_token(&token_id, code, message);
    run.drain();
    finish(state, &mut fx);
    Ok(fx)
}

/// Marks (or clears) the incident of the token waiting on `task_id` (retries ran out / raised).
pub fn set_task_incident(
    state: &mut InstanceState,
    task_id: &str,
    incident: Option<IncidentRef>,
) -> Result<(), RuntimeError> {
    let token_id = waiting_token(state, task_id)?;
    if let Some(token) = state.tokens.get_mut(&token_id) {
        token.incident = incident;
    }
    Ok(())
}

/// A due timer job.
#[derive(Debug, Clone)]
pub struct DueTimer {
    pub job_id: String,
    pub target: String,
    pub activity_id: String,
    pub kind: String,
    pub schedule: String,
    pub due: DateTime<Utc>,
    pub fired: u32,
}

/// Fires a timer of an intermediate catch event or a boundary event.
pub fn fire_timer(
    model: &ProcessModel,
    state: &mut InstanceState,
    timer: &DueTimer,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    active(state)?;
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    let catching = run
        .state
        .tokens
        .iter()
        .find(|(_, t)| {
            t.wait
                == Wait::Timer {
                    job_id: timer.job_id.clone(),
                }
        })
        .map(|(id, _)| id.clone());
    if let Some(token_id) = catching {
        run.complete_token(&token_id);
    } else {
        let boundary = model.element_by_id(&timer.activity_id);
        let non_interrupting = boundary.is_some_and(|b| {
            matches!(
                model.element(b).kind,
                ElementKind::Boundary {
                    cancel_activity: false,
                    ..
                }
            )
        });
        if !run.trigger_boundary(&timer.target, &timer.job_id, Variables::new()) {
            return Err(RuntimeError::NotWaiting(
                format!("timer {}", timer.job_id),
                run.state.id.clone(),
            ));
        }
        if non_interrupting
            && let Some(b) = boundary
            && let Ok(schedule) = parse_schedule(&timer.kind, &timer.schedule)
            && let Some(next) = schedule.next(timer.due, timer.fired + 1)
        {
            let job_id = ids::new_id();
            run.fx.jobs.push(NewJob {
                id: job_id.clone(),
                due: next,
                activity_id: timer.activity_id.clone(),
                target: timer.target.clone(),
                schedule: timer.schedule.clone(),
                kind: TimerKind::parse(&timer.kind).unwrap_or(TimerKind::Cycle),
                fired: timer.fired + 1,
            });
            run.rearm(&timer.target, b, job_id);
        }
    }
    run.drain();
    finish(state, &mut fx);
    Ok(fx)
}

/// Delivers a correlated message to the catch event or boundary event that subscribed.
pub fn deliver_message(
    model: &ProcessModel,
    state: &mut InstanceState,
    subscription_id: &str,
    target: &str,
    variables: Variables,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    active(state)?;
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    let catching = run.state.tokens.iter().find(|(_, t)| matches!(&t.wait, Wait::Message { subscription_id: s, .. } if s == subscription_id)).map(|(id, t)| (id.clone(), t.scope.clone()));
    if let Some((token_id, scope)) = catching {
        run.set_variables(&scope, variables);
        run.complete_token(&token_id);
    } else if !run.trigger_boundary(target, subscription_id, variables) {
        return Err(RuntimeError::NotWaiting(
            format!("subscription {subscription_id}"),
            run.state.id.clone(),
        ));
    }
    run.drain();
    finish(state, &mut fx);
    Ok(fx)
}

/// A called instance ended: its variables come back through the out mappings, or its escaped
/// BPMN error is thrown from the call activity.
pub fn call_returned(
    model: &ProcessModel,
    state: &mut InstanceState,
    token_id: &str,
    child: Variables,
    error: Option<(String, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    active(state)?;
    let Some(token) = state.tokens.get(token_id).cloned() else {
        return Err(RuntimeError::NotWaiting(
            format!("call activity execution {token_id}"),
            state.id.clone(),
        ));
    };
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    if let Some((code, message)) = error {
        run.throw_from_token(token_id, &code, message);
    } else {
        if let ElementKind::CallActivity {
            out_all, outputs, ..
        } = &model.element(token.element).kind
        {
            let mut values = if *out_all {
                child.clone()
            } else {
                Variables::new()
            };
            for mapping in outputs {
                let value = match &mapping.source {
                    MappingSource::Variable(name) => {
                        child.get(name).cloned().unwrap_or_else(TypedValue::null)
                    }
                    MappingSource::Expression(e) => {
                        let vars: serde_json::Map<String, serde_json::Value> = child
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_expression_value()))
                            .collect();
                        match e.evaluate(&vars) {
                            Ok(v) => TypedValue::infer(v),
                            Err(err) => {
                                run.stuck(&token.scope, token.element, format!("{e}: {err}"));
                                continue;
                            }
                        }
                    }
                };
                values.insert(mapping.target.clone(), value);
            }
            run.set_variables(&token.scope, values);
        }
        run.complete_token(token_id);
    }
    run.drain();
    finish(state, &mut fx);
    Ok(fx)
}

/// Cancels the instance (`DELETE /process-instance/{id}`).
pub fn cancel(
    model: &ProcessModel,
    state: &mut InstanceState,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    active(state)?;
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    let root = run.state.id.clone();
    run.cancel_contents(&root);
    run.state.ended = Some(EndState::ExternallyTerminated);
    run.fx.ended = Some(EndState::ExternallyTerminated);
    // a deleted called instance does not continue its caller
    state.super_ref = None;
    finish(state, &mut fx);
    Ok(fx)
}

/// The variables an execution sees (its activity's locals over its scope chain, nearest wins),
/// or only its locals; what fetchAndLock hands a worker.
pub fn variables_of(state: &InstanceState, execution_id: &str, local_only: bool) -> Variables {
    let Some(token) = state.tokens.get(execution_id) else {
        return state
            .scopes
            .get(&state.id)
            .map(|s| s.variables.clone())
            .unwrap_or_default();
    };
    if local_only {
        return token.locals.clone();
    }
    let mut chain = Vec::new();
    let mut current = Some(token.scope.as_str());
    while let Some(id) = current {
        let Some(scope) = state.scopes.get(id) else {
            break;
        };
        chain.push(&scope.variables);
        current = scope.parent.as_deref();
    }
    let mut all = Variables::new();
    for vars in chain.into_iter().rev() {
        all.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    all.extend(token.locals.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// Variables reported with a task's failure: set from the task's scope (Camunda's propagation),
/// local ones on the task's activity; the task keeps waiting.
pub fn set_task_variables(
    model: &ProcessModel,
    state: &mut InstanceState,
    task_id: &str,
    variables: Variables,
    locals: Variables,
    now: DateTime<Utc>,
) -> Result<Effects, RuntimeError> {
    let token_id = waiting_token(state, task_id)?;
    let mut fx = Effects::default();
    let mut run = Run::new(model, state, &mut fx, now);
    report_variables(&mut run, &token_id, variables, locals, false);
    Ok(fx)
}

/// What a worker reports with a task: `locals` on the task's activity, `variables` set from its
/// scope (Camunda's propagation), or kept local too when `keep_local`.
fn report_variables(
    run: &mut Run<'_>,
    token_id: &str,
    variables: Variables,
    locals: Variables,
    keep_local: bool,
) {
    let Some(token) = run.state.tokens.get_mut(token_id) else {
        return;
    };
    token
        .locals
        .extend(locals.into_iter().filter(|(_, v)| !v.is_transient()));
    if keep_local {
        token.locals.extend(variables);
    } else {
        let scope = token.scope.clone();
        run.set_variables(&scope, variables);
    }
}

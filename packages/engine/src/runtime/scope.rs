//! Scopes: embedded sub-processes and multi-instance bodies open and complete; a scope completes
//! when nothing rests or waits in it any more; cancellation withdraws everything inside (tasks,
//! timers, subscriptions, called instances, incidents) and records it in the history.

use serde_json::Value;

use super::exec::Run;
use super::ids::{activity_instance_id, new_id};
use super::state::{EndState, MultiInstanceState, ScopeInstance, ScopeKind, Wait};
use crate::model::{ElementIdx, ElementKind};
use crate::variables::{TypedValue, ValueType, Variables};

impl Run<'_> {
    /// Opens an embedded sub-process (or one inner instance of a multi-instance one).
    pub(crate) fn open_subprocess(
        &mut self,
        parent: &str,
        element: ElementIdx,
        mut variables: Variables,
    ) {
        let model = self.model;
        let e = model.element(element);
        let ElementKind::SubProcess { start } = e.kind else {
            return;
        };
        if !e.io.inputs.is_empty() {
            match self.evaluate_parameters(&e.io.inputs, parent, &variables) {
                Ok(inputs) => variables.extend(inputs),
                Err(reason) => return self.stuck(parent, element, reason),
            }
        }
        let id = activity_instance_id(&e.id);
        let execution_id = new_id();
        self.state.scopes.insert(
            id.clone(),
            ScopeInstance {
                element: Some(element),
                parent: Some(parent.to_owned()),
                execution_id: execution_id.clone(),
                variables,
                kind: ScopeKind::SubProcess,
                joins: Default::default(),
            },
        );
        self.history(&id, parent, element, &execution_id, None);
        self.arm_boundaries(element, &id, parent);
        self.push(&id, start);
    }

    /// A path in `scope` ended: completes the scope if nothing else is left in it.
    pub(crate) fn path_ended(&mut self, scope: &str) {
        let busy = self.state.tokens.values().any(|t| t.scope == scope)
            || self
                .state
                .scopes
                .values()
                .any(|s| s.parent.as_deref() == Some(scope))
            || self
                .state
                .scopes
                .get(scope)
                .is_some_and(|s| !s.joins.is_empty())
            || self.pending_in(scope);
        if !busy {
            self.complete_scope(scope, EndState::Completed);
        }
    }

    /// Completes a scope: the process ends, or the sub-process is left along its flows.
    pub(crate) fn complete_scope(&mut self, scope_id: &str, how: EndState) {
        if scope_id == self.state.id {
            if self.state.ended.is_none() {
                self.state.ended = Some(how);
                self.fx.ended = Some(how);
            }
            return;
        }
        let Some(scope) = self.state.scopes.remove(scope_id) else {
            return;
        };
        let (Some(element), Some(parent)) = (scope.element, scope.parent.clone()) else {
            return;
        };
        self.disarm(scope_id);
        self.history(scope_id, &parent, element, &scope.execution_id, Some(false));
        let e = self.model.element(element);
        if !e.io.outputs.is_empty() {
            // outputs see the sub-process's own variables, then the chain above it
            self.state.scopes.insert(scope_id.to_owned(), scope.clone());
            let outputs = self.evaluate_parameters(&e.io.outputs, scope_id, &Variables::new());
            self.state.scopes.remove(scope_id);
            match outputs {
                Ok(outputs) => self.set_variables(&parent, outputs),
                Err(reason) => return self.stuck(&parent, element, reason),
            }
        }
        self.after_activity(&parent, element);
    }

    /// A terminate end event: everything else in the scope is cancelled, then it completes.
    pub(crate) fn terminate_scope(&mut self, scope: &str) {
        self.cancel_contents(scope);
        let how = if scope == self.state.id {
            EndState::InternallyTerminated
        } else {
            EndState::Completed
        };
        self.complete_scope(scope, how);
    }

    /// Cancels every token and child scope of `scope` (not the scope itself).
    pub(crate) fn cancel_contents(&mut self, scope: &str) {
        let tokens: Vec<String> = self
            .state
            .tokens
            .iter()
            .filter(|(_, t)| t.scope == scope)
            .map(|(id, _)| id.clone())
            .collect();
        for t in tokens {
            self.cancel_token(&t);
        }
        let children: Vec<String> = self
            .state
            .scopes
            .iter()
            .filter(|(_, s)| s.parent.as_deref() == Some(scope))
            .map(|(id, _)| id.clone())
            .collect();
        for c in children {
            self.cancel_scope(&c);
        }
        if let Some(s) = self.state.scopes.get_mut(scope) {
            s.joins.clear();
        }
    }

    /// Cancels a child scope and all it holds.
    pub(crate) fn cancel_scope(&mut self, scope_id: &str) {
        self.cancel_contents(scope_id);
        self.disarm(scope_id);
        if let Some(scope) = self.state.scopes.remove(scope_id)
            && let (Some(element), Some(parent)) = (scope.element, scope.parent)
        {
            self.history(scope_id, &parent, element, &scope.execution_id, Some(true));
        }
    }

    /// Cancels one token and withdraws what it waits for.
    pub(crate) fn cancel_token(&mut self, token_id: &str) {
        let Some(token) = self.state.tokens.get(token_id).cloned() else {
            return;
        };
        self.history(
            &token.activity_instance_id,
            &token.scope,
            token.element,
            token_id,
            Some(true),
        );
        self.state.tokens.remove(token_id);
        self.disarm(&token.activity_instance_id);
        match token.wait {
            Wait::ExternalTask { task_id } | Wait::UserTask { task_id } => {
                self.fx.tasks_removed.push(task_id)
            }
            Wait::Timer { job_id } => self.fx.jobs_removed.push(job_id),
            Wait::Message {
                subscription_id, ..
            } => self.fx.subscriptions_removed.push(subscription_id),
            Wait::CallActivity {
                child_instance_id: Some(child),
            } => self.fx.calls_cancelled.push(child),
            Wait::CallActivity {
                child_instance_id: None,
            }
            | Wait::Stuck => {}
        }
        if let Some(incident) = token.incident {
            self.fx.incidents_resolved.push(incident.id);
        }
    }

    /// Whether `scope` is the multi-instance body of `element`.
    pub(crate) fn is_body_of(&self, scope: &str, element: ElementIdx) -> bool {
        self.state.scopes.get(scope).is_some_and(|s| {
            s.element == Some(element) && matches!(s.kind, ScopeKind::MultiInstance(_))
        })
    }

    /// Opens `X#multiInstanceBody` and its first (sequential) or all (parallel) inner instances.
    pub(crate) fn enter_multi_instance(&mut self, scope: &str, element: ElementIdx) {
        let model = self.model;
        let e = model.element(element);
        let Some(mi) = &e.multi_instance else { return };
        let items = match (&mi.collection, &mi.cardinality) {
            (Some(c), _) => match self.evaluate(c, scope, None) {
                Ok(Value::Array(items)) => items,
                Ok(Value::Null) => Vec::new(),
                Ok(other) => {
                    return self.stuck(
                        scope,
                        element,
                        format!("camunda:collection {c} is not a list: {other}"),
                    );
                }
                Err(err) => {
                    return self.stuck(scope, element, format!("camunda:collection {c}: {err}"));
                }
            },
            (None, Some(n)) => match self.evaluate(n, scope, None).map(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            }) {
                Ok(Some(n)) if (0..=100_000).contains(&n) => vec![Value::Null; n as usize],
                Ok(_) => {
                    return self.stuck(
                        scope,
                        element,
                        format!("loopCardinality {n} is not an integer between 0 and 100000"),
                    );
                }
                Err(err) => {
                    return self.stuck(scope, element, format!("loopCardinality {n}: {err}"));
                }
            },
            (None, None) => Vec::new(),
        };
        let total = items.len() as u32;
        let id = format!("{}#multiInstanceBody:{}", e.id, new_id());
        let execution_id = new_id();
        let mut variables = Variables::new();
        variables.insert(
            "nrOfInstances".into(),
            TypedValue::new(ValueType::Integer, total.into()),
        );
        variables.insert(
            "nrOfCompletedInstances".into(),
            TypedValue::new(ValueType::Integer, 0.into()),
        );
        variables.insert(
            "nrOfActiveInstances".into(),
            TypedValue::new(ValueType::Integer, 0.into()),
        );
        self.state.scopes.insert(
            id.clone(),
            ScopeInstance {
                element: Some(element),
                parent: Some(scope.to_owned()),
                execution_id: execution_id.clone(),
                variables,
                kind: ScopeKind::MultiInstance(MultiInstanceState {
                    items,
                    total,
                    started: 0,
                    completed: 0,
                }),
                joins: Default::default(),
            },
        );
        self.body_history(&id, scope, element, &execution_id, None);
        self.arm_boundaries(element, &id, scope);
        if total == 0 {
            return self.finish_body(&id);
        }
        let first_wave = if mi.sequential { 1 } else { total };
        for _ in 0..first_wave {
            self.start_inner(&id);
        }
    }

    fn body_history(
        &mut self,
        id: &str,
        parent: &str,
        element: ElementIdx,
        execution: &str,
        ended: Option<bool>,
    ) {
        self.history(id, parent, element, execution, ended);
        if let Some(last) = self.fx.history.last_mut() {
            last.activity_id = format!("{}#multiInstanceBody", last.activity_id).into();
            last.activity_type = "multiInstanceBody";
        }
    }

    /// Starts the next inner instance of a body.
    fn start_inner(&mut self, body: &str) {
        let Some(scope) = self.state.scopes.get_mut(body) else {
            return;
        };
        let Some(element) = scope.element else { return };
        let ScopeKind::MultiInstance(mi) = &mut scope.kind else {
            return;
        };
        let index = mi.started;
        mi.started += 1;
        let item = mi.items.get(index as usize).cloned().unwrap_or(Value::Null);
        let active = mi.started - mi.completed;
        scope.variables.insert(
            "nrOfActiveInstances".into(),
            TypedValue::new(ValueType::Integer, active.into()),
        );
        let mut locals = Variables::new();
        locals.insert(
            "loopCounter".into(),
            TypedValue::new(ValueType::Integer, index.into()),
        );
        if let Some(var) = self
            .model
            .element(element)
            .multi_instance
            .as_ref()
            .and_then(|m| m.element_variable.clone())
        {
            locals.insert(var, TypedValue::infer(item));
        }
        if matches!(
            self.model.element(element).kind,
            ElementKind::SubProcess { .. }
        ) {
            self.open_subprocess(body, element, locals);
        } else {
            self.enter_activity(body, element, locals);
        }
    }

    /// One inner instance completed: the next starts, or the body completes.
    pub(crate) fn inner_instance_done(&mut self, body: &str) {
        let Some(scope) = self.state.scopes.get_mut(body) else {
            return;
        };
        let Some(element) = scope.element else { return };
        let ScopeKind::MultiInstance(mi) = &mut scope.kind else {
            return;
        };
        mi.completed += 1;
        let (completed, started, total) = (mi.completed, mi.started, mi.total);
        scope.variables.insert(
            "nrOfCompletedInstances".into(),
            TypedValue::new(ValueType::Integer, completed.into()),
        );
        scope.variables.insert(
            "nrOfActiveInstances".into(),
            TypedValue::new(ValueType::Integer, (started - completed).into()),
        );
        let mi_def = self.model.element(element).multi_instance.clone();
        let condition_met = match mi_def
            .as_ref()
            .and_then(|m| m.completion_condition.as_ref())
        {
            None => false,
            Some(c) => match self.evaluate_bool(c, body, None) {
                Ok(met) => met,
                Err(err) => {
                    return self.stuck(body, element, format!("completionCondition {c}: {err}"));
                }
            },
        };
        if condition_met || completed >= total {
            self.cancel_contents(body);
            return self.finish_body(body);
        }
        if mi_def.is_some_and(|m| m.sequential) && started < total {
            self.start_inner(body);
        }
    }

    /// Closes a body and leaves the activity along its flows.
    fn finish_body(&mut self, body: &str) {
        self.disarm(body);
        let Some(scope) = self.state.scopes.remove(body) else {
            return;
        };
        let (Some(element), Some(parent)) = (scope.element, scope.parent) else {
            return;
        };
        self.body_history(body, &parent, element, &scope.execution_id, Some(false));
        self.leave_flows(&parent, element, None);
    }
}

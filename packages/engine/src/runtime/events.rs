//! Events around activities: boundary timers and messages armed while an activity instance
//! lives, BPMN errors propagated outward through scopes to the nearest matching error boundary
//! (or to the calling process), and the preparation of call activities.

use chrono::Utc;

use super::effects::{CallStart, NewJob, NewSubscription, TimerKind};
use super::exec::Run;
use super::ids::new_id;
use super::state::{Armed, ScopeKind};
use crate::model::{BoundaryTrigger, ElementIdx, ElementKind, MappingSource, TimerSpec};
use crate::variables::{TypedValue, ValueType, Variables};

/// An activity instance: a token, or a scope (sub-process, multi-instance body).
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    Token(String),
    Scope(String),
}

impl Run<'_> {
    /// Creates the timer job of a timer definition; `None` when it never fires.
    pub(crate) fn schedule_timer(
        &mut self,
        spec: &TimerSpec,
        scope: &str,
        locals: &Variables,
        element: ElementIdx,
        target: &str,
        fired: u32,
    ) -> Result<Option<String>, String> {
        let text = self.evaluate_text(spec.expression(), scope, Some(locals))?;
        let schedule = spec.schedule(&text)?;
        let Some(due) = schedule.first(self.now) else {
            return Ok(None);
        };
        let kind = match spec {
            TimerSpec::Date(_) => TimerKind::Date,
            TimerSpec::Duration(_) => TimerKind::Duration,
            TimerSpec::Cycle(_) => TimerKind::Cycle,
        };
        let id = new_id();
        self.fx.jobs.push(NewJob {
            id: id.clone(),
            due: due.with_timezone(&Utc),
            activity_id: self.model.element(element).id.to_string(),
            target: target.to_owned(),
            schedule: text,
            kind,
            fired,
        });
        Ok(Some(id))
    }

    /// Arms the timer and message boundary events of `element` for activity instance `aiid`.
    pub(crate) fn arm_boundaries(&mut self, element: ElementIdx, aiid: &str, scope: &str) {
        let model = self.model;
        for &b in &model.element(element).boundaries {
            let armed = match &model.element(b).kind {
                ElementKind::Boundary {
                    trigger: BoundaryTrigger::Timer(spec),
                    ..
                } => match self.schedule_timer(spec, scope, &Variables::new(), b, aiid, 0) {
                    Ok(Some(id)) => Armed {
                        boundary: b,
                        id,
                        is_timer: true,
                    },
                    Ok(None) => continue,
                    Err(reason) => {
                        self.stuck(scope, b, reason);
                        continue;
                    }
                },
                ElementKind::Boundary {
                    trigger: BoundaryTrigger::Message(name),
                    ..
                } => {
                    let id = new_id();
                    self.fx.subscriptions.push(NewSubscription {
                        id: id.clone(),
                        message_name: name.clone(),
                        activity_id: model.element(b).id.to_string(),
                        target: aiid.to_owned(),
                    });
                    Armed {
                        boundary: b,
                        id,
                        is_timer: false,
                    }
                }
                _ => continue,
            };
            self.state
                .armed
                .entry(aiid.to_owned())
                .or_default()
                .push(armed);
        }
    }

    /// Withdraws the boundary timers and subscriptions of an activity instance.
    pub(crate) fn disarm(&mut self, aiid: &str) {
        for armed in self.state.armed.remove(aiid).unwrap_or_default() {
            if armed.is_timer {
                self.fx.jobs_removed.push(armed.id);
            } else {
                self.fx.subscriptions_removed.push(armed.id);
            }
        }
    }

    /// A boundary timer or message of activity instance `aiid` was triggered.
    pub(crate) fn trigger_boundary(
        &mut self,
        aiid: &str,
        armed_id: &str,
        variables: Variables,
    ) -> bool {
        let Some(armed) = self
            .state
            .armed
            .get(aiid)
            .and_then(|list| list.iter().find(|a| a.id == armed_id))
            .cloned()
        else {
            return false;
        };
        let model = self.model;
        let ElementKind::Boundary {
            cancel_activity, ..
        } = model.element(armed.boundary).kind
        else {
            return false;
        };
        let Some((origin, parent)) = self.activity_instance(aiid) else {
            return false;
        };
        if cancel_activity {
            match origin {
                Origin::Token(t) => self.cancel_token(&t),
                Origin::Scope(s) => self.cancel_scope(&s),
            }
        } else if let Some(list) = self.state.armed.get_mut(aiid) {
            list.retain(|a| a.id != armed_id); // a non-interrupting event fires once (cycles re-arm)
        }
        self.set_variables(&parent, variables);
        self.push(&parent, armed.boundary);
        true
    }

    /// Re-arms a non-interrupting boundary timer cycle after it fired.
    pub(crate) fn rearm(&mut self, aiid: &str, boundary: ElementIdx, job_id: String) {
        self.state
            .armed
            .entry(aiid.to_owned())
            .or_default()
            .push(Armed {
                boundary,
                id: job_id,
                is_timer: true,
            });
    }

    /// The activity instance `aiid` and the scope it runs in.
    pub(crate) fn activity_instance(&self, aiid: &str) -> Option<(Origin, String)> {
        if let Some((id, t)) = self
            .state
            .tokens
            .iter()
            .find(|(_, t)| t.activity_instance_id == aiid)
        {
            return Some((Origin::Token(id.clone()), t.scope.clone()));
        }
        let scope = self.state.scopes.get(aiid)?;
        Some((Origin::Scope(aiid.to_owned()), scope.parent.clone()?))
    }

    /// A BPMN error thrown by a token's activity (an external task's `bpmnError`, a failing call).
    pub(crate) fn throw_from_token(&mut self, token_id: &str, code: &str, message: Option<String>) {
        self.propagate(Origin::Token(token_id.to_owned()), code, message);
    }

    /// A BPMN error thrown by an error end event inside `scope`.
    pub(crate) fn throw_from_scope(&mut self, scope: &str, code: &str, message: Option<String>) {
        if scope == self.state.id {
            return self.uncaught(code, message, scope);
        }
        self.propagate(Origin::Scope(scope.to_owned()), code, message);
    }

    fn propagate(&mut self, mut current: Origin, code: &str, message: Option<String>) {
        loop {
            let (element, scope, is_inner) = match &current {
                Origin::Token(t) => {
                    let Some(token) = self.state.tokens.get(t) else {
                        return;
                    };
                    (
                        token.element,
                        token.scope.clone(),
                        self.is_body_of(&token.scope, token.element),
                    )
                }
                Origin::Scope(s) => {
                    let Some(sc) = self.state.scopes.get(s) else {
                        return;
                    };
                    let (Some(element), Some(parent)) = (sc.element, sc.parent.clone()) else {
                        return self.uncaught(code, message, s);
                    };
                    let inner = !matches!(sc.kind, ScopeKind::MultiInstance(_))
                        && self.is_body_of(&parent, element);
                    (element, parent, inner)
                }
            };
            // an inner instance of a multi-instance activity: its boundaries hang on the body
            if !is_inner && let Some(boundary) = self.catching_boundary(element, code) {
                match &current {
                    Origin::Token(t) => self.cancel_token(t),
                    Origin::Scope(s) => self.cancel_scope(s),
                }
                if let ElementKind::Boundary {
                    trigger:
                        BoundaryTrigger::Error {
                            code_variable,
                            message_variable,
                            ..
                        },
                    ..
                } = &self.model.element(boundary).kind
                {
                    if let Some(var) = code_variable {
                        self.set_variable(
                            &scope,
                            var,
                            TypedValue::new(ValueType::String, code.into()),
                        );
                    }
                    if let Some(var) = message_variable {
                        let value = message.map_or(TypedValue::null(), |m| {
                            TypedValue::new(ValueType::String, m.into())
                        });
                        self.set_variable(&scope, var, value);
                    }
                }
                self.push(&scope, boundary);
                return;
            }
            if scope == self.state.id {
                // nothing in this process catches it
                return match current {
                    Origin::Token(t) => {
                        self.cancel_token(&t);
                        self.uncaught(code, message, &scope);
                    }
                    Origin::Scope(s) => {
                        self.cancel_scope(&s);
                        self.uncaught(code, message, &scope);
                    }
                };
            }
            current = Origin::Scope(scope);
        }
    }

    /// No boundary caught the error: a called process hands it to its call activity; otherwise
    /// the path ends as at a none end event (Camunda's behaviour for an uncaught BPMN error).
    fn uncaught(&mut self, code: &str, message: Option<String>, scope: &str) {
        if self.state.super_ref.is_some() {
            self.cancel_contents(&self.state.id.clone());
            self.fx.escaped_error = Some((code.to_owned(), message));
            return self.complete_scope(
                &self.state.id.clone(),
                super::state::EndState::InternallyTerminated,
            );
        }
        tracing::info!(instance = %self.state.id, code, "a BPMN error was not caught; the path ends");
        self.path_ended(scope);
    }

    fn catching_boundary(&self, element: ElementIdx, code: &str) -> Option<ElementIdx> {
        let boundaries = &self.model.element(element).boundaries;
        let by_code = boundaries.iter().copied().find(|&b| matches!(&self.model.element(b).kind, ElementKind::Boundary { trigger: BoundaryTrigger::Error { code: Some(c), .. }, .. } if c == code));
        by_code.or_else(|| {
            boundaries.iter().copied().find(|&b| {
                matches!(
                    &self.model.element(b).kind,
                    ElementKind::Boundary {
                        trigger: BoundaryTrigger::Error { code: None, .. },
                        ..
                    }
                )
            })
        })
    }

    /// Evaluates a call activity's called element, business key and in-mappings.
    pub(crate) fn prepare_call(
        &mut self,
        scope: &str,
        element: ElementIdx,
        token_id: &str,
        locals: &Variables,
    ) -> Result<String, String> {
        let ElementKind::CallActivity {
            called_element,
            business_key,
            in_all,
            inputs,
            ..
        } = &self.model.element(element).kind
        else {
            return Err("not a call activity".into());
        };
        let process_key = self.evaluate_text(called_element, scope, Some(locals))?;
        let business_key = business_key
            .as_ref()
            .map(|bk| self.evaluate_text(bk, scope, Some(locals)))
            .transpose()?;
        let mut variables = if *in_all {
            self.visible_variables(scope)
        } else {
            Variables::new()
        };
        if *in_all {
            variables.extend(locals.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for mapping in inputs {
            let value = match &mapping.source {
                MappingSource::Variable(name) => locals
                    .get(name)
                    .or_else(|| self.find_variable(scope, name))
                    .cloned()
                    .unwrap_or_else(TypedValue::null),
                MappingSource::Expression(e) => TypedValue::infer(
                    self.evaluate(e, scope, Some(locals))
                        .map_err(|err| format!("{e}: {err}"))?,
                ),
            };
            variables.insert(mapping.target.clone(), value);
        }
        let child_instance_id = new_id();
        self.fx.calls.push(CallStart {
            token_id: token_id.to_owned(),
            child_instance_id: child_instance_id.clone(),
            process_key,
            business_key,
            variables,
        });
        Ok(child_instance_id)
    }
}

//! The token game: entering elements, leaving them along their sequence flows, and the agenda
//! that runs a command's steps until every token rests. Steps go through an explicit queue (no
//! recursion per element), and a command that takes more than [`MAX_STEPS`] steps without
//! reaching a wait state is stopped with an incident (a loop of gateways would never end).

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::effects::{
    ActivityEvent, Effects, NewExternalTask, NewIncident, NewSubscription, NewUserTask,
};
use super::ids::{activity_instance_id, new_id};
use super::state::{IncidentRef, InstanceState, Token, Wait};
use crate::model::{CatchTrigger, ElementIdx, ElementKind, EndResult, FlowIdx, ProcessModel};
use crate::variables::Variables;

/// Steps one command may take before it is stopped with an incident.
pub const MAX_STEPS: usize = 100_000;

/// One command's execution over one instance.
pub(crate) struct Run<'a> {
    pub model: &'a ProcessModel,
    pub state: &'a mut InstanceState,
    pub fx: &'a mut Effects,
    pub now: DateTime<Utc>,
    agenda: VecDeque<(String, ElementIdx)>,
    steps: usize,
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        model: &'a ProcessModel,
        state: &'a mut InstanceState,
        fx: &'a mut Effects,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            model,
            state,
            fx,
            now,
            agenda: VecDeque::new(),
            steps: 0,
        }
    }

    /// Queues entering `element` in `scope`.
    pub(crate) fn push(&mut self, scope: &str, element: ElementIdx) {
        self.agenda.push_back((scope.to_owned(), element));
    }

    /// Runs queued steps until every token rests.
    pub(crate) fn drain(&mut self) {
        while let Some((scope, element)) = self.agenda.pop_front() {
            if !self.state.scopes.contains_key(&scope) {
                continue; // the scope was cancelled meanwhile
            }
            self.steps += 1;
            if self.steps > MAX_STEPS {
                self.agenda.clear();
                self.stuck(&scope, element, "the process took more than 100000 steps without reaching a wait state (an endless loop?)".into());
                return;
            }
            self.enter(&scope, element);
        }
    }

    /// Whether steps for `scope` are still queued.
    pub(crate) fn pending_in(&self, scope: &str) -> bool {
        self.agenda.iter().any(|(s, _)| s == scope)
    }

    pub(crate) fn history(
        &mut self,
        id: &str,
        parent: &str,
        element: ElementIdx,
        execution: &str,
        ended: Option<bool>,
    ) {
        let event = self.event(id.to_owned(), parent, element, execution.to_owned(), ended);
        self.fx.history.push(event);
    }

    fn event(
        &self,
        id: String,
        parent: &str,
        element: ElementIdx,
        execution_id: String,
        ended: Option<bool>,
    ) -> ActivityEvent {
        let e = self.model.element(element);
        ActivityEvent {
            id,
            parent_id: parent.to_owned(),
            activity_id: e.id.clone(),
            activity_name: e.name.clone(),
            activity_type: e.activity_type(),
            execution_id,
            task_id: None,
            called_instance_id: None,
            at: self.now,
            ended,
        }
    }

    /// An element passed through in one step (events, gateways): started and ended at once
    /// (the ended event takes the ids the started one copied).
    fn momentary(&mut self, scope: &str, element: ElementIdx) {
        let id = activity_instance_id(&self.model.element(element).id);
        let execution = self.scope_execution(scope);
        let started = self.event(id.clone(), scope, element, execution.clone(), None);
        let ended = self.event(id, scope, element, execution, Some(false));
        self.fx.history.extend([started, ended]);
    }

    pub(crate) fn scope_execution(&self, scope: &str) -> String {
        self.state
            .scopes
            .get(scope)
            .map(|s| s.execution_id.clone())
            .unwrap_or_else(|| self.state.id.clone())
    }

    fn enter(&mut self, scope: &str, element: ElementIdx) {
        let model = self.model;
        let e = model.element(element);
        if e.multi_instance.is_some() {
            return self.enter_multi_instance(scope, element);
        }
        match &e.kind {
            ElementKind::StartEvent { .. } | ElementKind::Boundary { .. } => {
                self.momentary(scope, element);
                self.leave_flows(scope, element, None);
            }
            ElementKind::EndEvent { result } => {
                self.momentary(scope, element);
                match result {
                    EndResult::None => self.path_ended(scope),
                    EndResult::Terminate => self.terminate_scope(scope),
                    EndResult::Error(def) => {
                        let code = def.as_ref().map(|d| d.code.clone()).unwrap_or_default();
                        let message = def.as_ref().and_then(|d| d.name.clone());
                        self.throw_from_scope(scope, &code, message);
                    }
                }
            }
            ElementKind::ExclusiveGateway => {
                self.momentary(scope, element);
                match self.choose_exclusive(scope, element) {
                    Ok(flow) => {
                        let target = model.flow(flow).target;
                        self.push(scope, target);
                    }
                    Err(reason) => self.stuck(scope, element, reason),
                }
            }
            ElementKind::ParallelGateway => {
                let needed = e.incoming.len().max(1) as u32;
                let Some(s) = self.state.scopes.get_mut(scope) else {
                    return;
                };
                let arrived = s.joins.entry(element).or_default();
                *arrived += 1;
                if *arrived < needed {
                    return;
                }
                *arrived -= needed;
                if *arrived == 0 {
                    s.joins.remove(&element);
                }
                self.momentary(scope, element);
                for &flow in &e.outgoing {
                    self.push(scope, model.flow(flow).target);
                }
            }
            ElementKind::SubProcess { .. } => {
                self.open_subprocess(scope, element, Variables::new())
            }
            ElementKind::ServiceTask { .. }
            | ElementKind::UserTask { .. }
            | ElementKind::IntermediateCatch { .. }
            | ElementKind::CallActivity { .. } => {
                self.enter_activity(scope, element, Variables::new());
            }
        }
    }

    /// The flow an exclusive gateway takes: the first true condition in XML order, else the default.
    fn choose_exclusive(&self, scope: &str, element: ElementIdx) -> Result<FlowIdx, String> {
        let e = self.model.element(element);
        for &flow in &e.outgoing {
            if Some(flow) == e.default_flow {
                continue;
            }
            match &self.model.flow(flow).condition {
                None => return Ok(flow),
                Some(c) => {
                    if self.evaluate_bool(c, scope, None).map_err(|err| {
                        format!("condition of '{}' {c}: {err}", self.model.flow(flow).id)
                    })? {
                        return Ok(flow);
                    }
                }
            }
        }
        e.default_flow.ok_or_else(|| format!("No outgoing sequence flow for the element with id '{}' could be selected for continuing the process", e.id))
    }

    /// Takes the outgoing flows of an activity or event: every flow without a condition or with
    /// a true one, else the default; no outgoing flow at all ends the path.
    pub(crate) fn leave_flows(
        &mut self,
        scope: &str,
        element: ElementIdx,
        locals: Option<&Variables>,
    ) {
        let model = self.model;
        let e = model.element(element);
        if e.outgoing.is_empty() {
            return self.path_ended(scope);
        }
        let mut taken = Vec::new();
        for &flow in &e.outgoing {
            if Some(flow) == e.default_flow {
                continue;
            }
            match &model.flow(flow).condition {
                None => taken.push(flow),
                Some(c) => match self.evaluate_bool(c, scope, locals) {
                    Ok(true) => taken.push(flow),
                    Ok(false) => {}
                    Err(err) => {
                        return self.stuck(
                            scope,
                            element,
                            format!("condition of '{}' {c}: {err}", model.flow(flow).id),
                        );
                    }
                },
            }
        }
        if taken.is_empty() {
            match e.default_flow {
                Some(d) => taken.push(d),
                None => return self.stuck(scope, element, format!("No conditional sequence flow leaving the Flow Node '{}' could be selected for continuing the process", e.id)),
            }
        }
        for flow in taken {
            self.push(scope, model.flow(flow).target);
        }
    }

    /// Creates the token of a wait-state activity and its work item.
    pub(crate) fn enter_activity(
        &mut self,
        scope: &str,
        element: ElementIdx,
        mut locals: Variables,
    ) {
        let model = self.model;
        let e = model.element(element);
        let token_id = new_id();
        let aiid = activity_instance_id(&e.id);
        if !e.io.inputs.is_empty() {
            match self.evaluate_parameters(&e.io.inputs, scope, &locals) {
                Ok(inputs) => locals.extend(inputs),
                Err(reason) => return self.stuck(scope, element, reason),
            }
        }
        let wait = match &e.kind {
            ElementKind::ServiceTask {
                topic,
                priority,
                properties,
            } => {
                let topic = match self.evaluate_text(topic, scope, Some(&locals)) {
                    Ok(t) => t,
                    Err(reason) => return self.stuck(scope, element, reason),
                };
                let priority = match priority
                    .as_ref()
                    .map(|p| self.evaluate_text(p, scope, Some(&locals)))
                {
                    None => 0,
                    Some(Ok(p)) => match p.trim().parse::<i64>() {
                        Ok(p) => p,
                        Err(_) => {
                            return self.stuck(
                                scope,
                                element,
                                format!("the priority '{p}' is not an integer"),
                            );
                        }
                    },
                    Some(Err(reason)) => return self.stuck(scope, element, reason),
                };
                let task_id = new_id();
                self.fx.external_tasks.push(NewExternalTask {
                    id: task_id.clone(),
                    topic,
                    priority,
                    activity_id: e.id.clone(),
                    activity_instance_id: aiid.clone(),
                    execution_id: token_id.clone(),
                    properties: properties.clone(),
                });
                Wait::ExternalTask { task_id }
            }
            ElementKind::UserTask {
                assignee,
                candidate_groups,
                form_key,
            } => {
                let text = |x: &Option<carpetti_expression::Expression>| {
                    x.as_ref()
                        .map(|x| self.evaluate_text(x, scope, Some(&locals)))
                        .transpose()
                };
                let (assignee, candidate_groups) = match (text(assignee), text(candidate_groups)) {
                    (Ok(a), Ok(c)) => (a, c),
                    (Err(reason), _) | (_, Err(reason)) => {
                        return self.stuck(scope, element, reason);
                    }
                };
                let task_id = new_id();
                self.fx.user_tasks.push(NewUserTask {
                    id: task_id.clone(),
                    name: e.name.as_deref().map(str::to_owned),
                    activity_id: e.id.to_string(),
                    activity_instance_id: aiid.clone(),
                    execution_id: token_id.clone(),
                    assignee,
                    candidate_groups,
                    form_key: form_key.clone(),
                });
                Wait::UserTask { task_id }
            }
            ElementKind::IntermediateCatch {
                trigger: CatchTrigger::Timer(spec),
            } => match self.schedule_timer(spec, scope, &locals, element, &token_id, 0) {
                Ok(Some(job_id)) => Wait::Timer { job_id },
                Ok(None) => return self.stuck(scope, element, "the timer never fires".into()),
                Err(reason) => return self.stuck(scope, element, reason),
            },
            ElementKind::IntermediateCatch {
                trigger: CatchTrigger::Message(name),
            } => {
                let subscription_id = new_id();
                self.fx.subscriptions.push(NewSubscription {
                    id: subscription_id.clone(),
                    message_name: name.clone(),
                    activity_id: e.id.to_string(),
                    target: token_id.clone(),
                });
                Wait::Message {
                    subscription_id,
                    name: name.clone(),
                }
            }
            ElementKind::CallActivity { .. } => {
                match self.prepare_call(scope, element, &token_id, &locals) {
                    Ok(child) => Wait::CallActivity {
                        child_instance_id: Some(child),
                    },
                    Err(reason) => return self.stuck(scope, element, reason),
                }
            }
            _ => return self.stuck(scope, element, format!("'{}' is not a wait state", e.id)),
        };
        let (task_id, called_instance_id) = match &wait {
            Wait::ExternalTask { task_id } | Wait::UserTask { task_id } => {
                (Some(task_id.clone()), None)
            }
            Wait::CallActivity { child_instance_id } => (None, child_instance_id.clone()),
            _ => (None, None),
        };
        let mut started = self.event(aiid.clone(), scope, element, token_id.clone(), None);
        // the start record names the activity's work item (only starts write these columns)
        started.task_id = task_id;
        started.called_instance_id = called_instance_id;
        self.fx.history.push(started);
        self.arm_boundaries(element, &aiid, scope);
        self.state.tokens.insert(
            token_id,
            Token {
                scope: scope.to_owned(),
                element,
                activity_instance_id: aiid,
                locals,
                wait,
                incident: None,
            },
        );
    }

    /// Leaves a token's activity normally: output mappings, then its outgoing flows (or the
    /// multi-instance body's bookkeeping).
    pub(crate) fn complete_token(&mut self, token_id: &str) {
        let Some(token) = self.state.tokens.remove(token_id) else {
            return;
        };
        self.disarm(&token.activity_instance_id);
        self.history(
            &token.activity_instance_id,
            &token.scope,
            token.element,
            token_id,
            Some(false),
        );
        if let Some(incident) = &token.incident {
            self.fx.incidents_resolved.push(incident.id.clone());
        }
        let e = self.model.element(token.element);
        if !e.io.outputs.is_empty() {
            match self.evaluate_parameters(&e.io.outputs, &token.scope, &token.locals) {
                Ok(outputs) => self.set_variables(&token.scope, outputs),
                Err(reason) => return self.stuck(&token.scope, token.element, reason),
            }
        }
        self.after_activity(&token.scope, token.element);
    }

    /// Continues after an activity instance of `element` in `scope` ended normally.
    pub(crate) fn after_activity(&mut self, scope: &str, element: ElementIdx) {
        if self.is_body_of(scope, element) {
            self.inner_instance_done(scope);
        } else {
            self.leave_flows(scope, element, None);
        }
    }

    /// Parks a token at `element` with an incident: the process waits there until the cause
    /// is fixed, and the command itself succeeds.
    pub(crate) fn stuck(&mut self, scope: &str, element: ElementIdx, message: String) {
        let e = self.model.element(element);
        let token_id = new_id();
        let aiid = activity_instance_id(&e.id);
        let incident_id = new_id();
        tracing::warn!(instance = %self.state.id, activity = %e.id, %message, "incident");
        self.fx.incidents.push(NewIncident {
            id: incident_id.clone(),
            kind: "failedExpression".into(),
            message: message.clone(),
            activity_id: e.id.to_string(),
            execution_id: token_id.clone(),
            configuration: None,
        });
        self.state.tokens.insert(
            token_id.clone(),
            Token {
                scope: scope.to_owned(),
                element,
                activity_instance_id: aiid.clone(),
                locals: Variables::new(),
                wait: Wait::Stuck,
                incident: Some(IncidentRef {
                    id: incident_id,
                    kind: "failedExpression".into(),
                    message,
                }),
            },
        );
        self.history(&aiid, scope, element, &token_id, None);
    }
}

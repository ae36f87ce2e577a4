//! Collects a process's elements and flows while the XML is walked, then resolves flow, default
//! and boundary references to indexes and checks the graph (ids unique, flows inside one scope,
//! defaults among the outgoing flows, start events without incoming flows…).

use std::collections::HashMap;

use carpetti_expression::Expression;
use roxmltree::Node;

use super::parse::{check_attributes, error, expression, is_bpmn, required};
use super::{Element, ElementKind, Flow, ModelError, StartTrigger};

struct PendingFlow {
    id: String,
    source: String,
    target: String,
    condition: Option<Expression>,
    scope: Option<usize>,
    line: u32,
}

#[derive(Default)]
pub(super) struct ScopeBuilder {
    elements: Vec<Element>,
    lines: Vec<u32>,
    defaults: Vec<(usize, String)>,
    by_id: HashMap<String, usize>,
    flows: Vec<PendingFlow>,
}

fn line_of(node: Node<'_, '_>) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

impl ScopeBuilder {
    pub(super) fn add_element(
        &mut self,
        node: Node<'_, '_>,
        element: Element,
    ) -> Result<usize, ModelError> {
        if self.by_id.contains_key(&*element.id) || self.flows.iter().any(|f| *f.id == *element.id)
        {
            return Err(error(node, "the id is used twice"));
        }
        let idx = self.elements.len();
        if let Some(default) = node.attribute("default") {
            self.defaults.push((idx, default.to_owned()));
        }
        self.by_id.insert(element.id.to_string(), idx);
        self.lines.push(line_of(node));
        self.elements.push(element);
        Ok(idx)
    }

    pub(super) fn add_flow(
        &mut self,
        node: Node<'_, '_>,
        scope: Option<usize>,
    ) -> Result<(), ModelError> {
        check_attributes(
            node,
            &["id", "name", "sourceRef", "targetRef", "isImmediate"],
            &[],
        )?;
        let id = required(node, "id")?.to_owned();
        if self.by_id.contains_key(&id) || self.flows.iter().any(|f| f.id == id) {
            return Err(error(node, "the id is used twice"));
        }
        let mut condition = None;
        for child in node.children().filter(Node::is_element) {
            if is_bpmn(child, "conditionExpression") {
                if let Some(language) = child.attribute("language") {
                    return Err(error(
                        node,
                        format!(
                            "condition language '{language}' is not supported (expressions only)"
                        ),
                    ));
                }
                let text = child.text().unwrap_or_default().trim();
                condition = Some(expression(node, "condition", text)?);
            } else if !is_bpmn(child, "documentation") && !is_bpmn(child, "extensionElements") {
                return Err(error(
                    node,
                    format!(
                        "'{}' is not supported in a sequence flow",
                        child.tag_name().name()
                    ),
                ));
            }
        }
        self.flows.push(PendingFlow {
            id,
            source: required(node, "sourceRef")?.to_owned(),
            target: required(node, "targetRef")?.to_owned(),
            condition,
            scope,
            line: line_of(node),
        });
        Ok(())
    }

    /// An activity (something a boundary event can be attached to) with this id in `scope`.
    pub(super) fn element_in_scope(&self, id: &str, scope: Option<usize>) -> Option<usize> {
        let idx = *self.by_id.get(id)?;
        let e = &self.elements[idx];
        let activity = matches!(
            e.kind,
            ElementKind::ServiceTask { .. }
                | ElementKind::UserTask { .. }
                | ElementKind::SubProcess { .. }
                | ElementKind::CallActivity { .. }
        );
        (e.scope == scope && activity).then_some(idx)
    }

    pub(super) fn attach_boundary(&mut self, activity: usize, boundary: usize) {
        self.elements[activity].boundaries.push(boundary);
    }

    /// Records the none start event of a finished sub-process.
    pub(super) fn finish_subprocess(
        &mut self,
        node: Node<'_, '_>,
        idx: usize,
    ) -> Result<(), ModelError> {
        let starts: Vec<usize> = (0..self.elements.len())
            .filter(|&i| {
                self.elements[i].scope == Some(idx)
                    && matches!(self.elements[i].kind, ElementKind::StartEvent { .. })
            })
            .collect();
        let [start] = starts.as_slice() else {
            return Err(error(
                node,
                "a sub-process needs exactly one none start event",
            ));
        };
        if !matches!(
            self.elements[*start].kind,
            ElementKind::StartEvent {
                trigger: StartTrigger::None
            }
        ) {
            return Err(error(
                node,
                "a sub-process's start event must be a none start event",
            ));
        }
        self.elements[idx].kind = ElementKind::SubProcess { start: *start };
        Ok(())
    }
}

type Resolved = (Vec<Element>, Vec<Flow>, HashMap<String, usize>);

/// Turns the collected flows into indexes and checks the graph.
pub(super) fn resolve_flows(b: ScopeBuilder) -> Result<Resolved, ModelError> {
    let ScopeBuilder {
        mut elements,
        lines,
        defaults,
        by_id,
        flows: pending,
    } = b;
    let flow_error = |f: &PendingFlow, message: String| ModelError {
        element: Some(f.id.clone()),
        line: f.line,
        message,
    };
    let mut flows = Vec::with_capacity(pending.len());
    let mut flow_ids = HashMap::new();
    for f in &pending {
        let end = |id: &str, role: &str| -> Result<usize, ModelError> {
            let idx = *by_id
                .get(id)
                .ok_or_else(|| flow_error(f, format!("{role} '{id}' does not exist")))?;
            if elements[idx].scope != f.scope {
                return Err(flow_error(f, format!("{role} '{id}' is in another scope")));
            }
            Ok(idx)
        };
        let (source, target) = (end(&f.source, "sourceRef")?, end(&f.target, "targetRef")?);
        let idx = flows.len();
        elements[source].outgoing.push(idx);
        elements[target].incoming.push(idx);
        flow_ids.insert(f.id.clone(), idx);
        flows.push(Flow {
            id: f.id.clone(),
            source,
            target,
            condition: f.condition.clone(),
        });
    }
    let element_error = |elements: &[Element], idx: usize, message: &str| ModelError {
        element: Some(elements[idx].id.to_string()),
        line: lines[idx],
        message: message.to_owned(),
    };
    for (idx, default) in defaults {
        match flow_ids.get(&default) {
            Some(&flow) if flows[flow].source == idx => {
                if flows[flow].condition.is_some() {
                    return Err(element_error(
                        &elements,
                        idx,
                        "the default flow must not have a condition",
                    ));
                }
                elements[idx].default_flow = Some(flow);
            }
            _ => {
                return Err(element_error(
                    &elements,
                    idx,
                    &format!(
                        "the default flow '{default}' is not an outgoing flow of this element"
                    ),
                ));
            }
        }
    }
    let elements_ro = &elements;
    for (idx, e) in elements_ro.iter().enumerate() {
        match &e.kind {
            ElementKind::StartEvent { .. } if !e.incoming.is_empty() => {
                return Err(element_error(
                    &elements,
                    idx,
                    "a start event cannot have incoming flows",
                ));
            }
            ElementKind::Boundary { .. } if !e.incoming.is_empty() => {
                return Err(element_error(
                    &elements,
                    idx,
                    "a boundary event cannot have incoming flows",
                ));
            }
            ElementKind::EndEvent { .. } if !e.outgoing.is_empty() => {
                return Err(element_error(
                    &elements,
                    idx,
                    "an end event cannot have outgoing flows",
                ));
            }
            ElementKind::ExclusiveGateway | ElementKind::ParallelGateway
                if e.outgoing.is_empty() =>
            {
                return Err(element_error(
                    &elements,
                    idx,
                    "a gateway needs at least one outgoing flow",
                ));
            }
            ElementKind::ExclusiveGateway if e.multi_instance.is_some() => {
                return Err(element_error(
                    &elements,
                    idx,
                    "a gateway cannot be multi-instance",
                ));
            }
            ElementKind::StartEvent { .. }
            | ElementKind::EndEvent { .. }
            | ElementKind::IntermediateCatch { .. }
            | ElementKind::ParallelGateway
                if e.multi_instance.is_some() =>
            {
                return Err(element_error(
                    &elements,
                    idx,
                    "only activities can be multi-instance",
                ));
            }
            _ => {}
        }
        if !e.kind.is_activity() && (!e.io.inputs.is_empty() || !e.io.outputs.is_empty()) {
            return Err(element_error(
                &elements,
                idx,
                "camunda:inputOutput is supported on activities only",
            ));
        }
    }
    Ok((elements, flows, by_id))
}

impl ElementKind {
    /// Tasks, sub-processes and call activities.
    pub fn is_activity(&self) -> bool {
        matches!(
            self,
            ElementKind::ServiceTask { .. }
                | ElementKind::UserTask { .. }
                | ElementKind::SubProcess { .. }
                | ElementKind::CallActivity { .. }
        )
    }
}

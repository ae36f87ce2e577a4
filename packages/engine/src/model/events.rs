//! Events and loops of the model: boundary events, event definitions (message, timer, error,
//! terminate) with their references resolved, timer definitions checked when literal, and
//! multi-instance characteristics.

use std::sync::Arc;

use carpetti_expression::Expression;
use roxmltree::Node;

use super::build::ScopeBuilder;
use super::extensions::{check_extensions, parse_io};
use super::parse::{
    BPMN_NS, Refs, camunda, check_attributes, error, expression, is_bpmn, required,
};
use super::{
    BoundaryTrigger, Element, ElementKind, ErrorDef, ModelError, MultiInstance, TimerSpec,
};

pub(super) fn parse_boundary(
    node: Node<'_, '_>,
    scope: Option<usize>,
    refs: &Refs,
    b: &mut ScopeBuilder,
) -> Result<(), ModelError> {
    check_attributes(
        node,
        &[
            "id",
            "name",
            "attachedToRef",
            "cancelActivity",
            "parallelMultiple",
        ],
        &[],
    )?;
    let attached = required(node, "attachedToRef")?;
    let attached_to = b.element_in_scope(attached, scope).ok_or_else(|| {
        error(
            node,
            format!("attachedToRef '{attached}' is not an activity of the same scope"),
        )
    })?;
    let cancel_activity = node.attribute("cancelActivity") != Some("false");
    let trigger = match event_definition(node, refs)? {
        Some(EventDef::Error(def)) => {
            let definition = node
                .children()
                .find(|c| is_bpmn(*c, "errorEventDefinition"));
            let var = |name| definition.and_then(|d| camunda(d, name)).map(str::to_owned);
            if !cancel_activity {
                return Err(error(
                    node,
                    "an error boundary event always interrupts (cancelActivity must not be false)",
                ));
            }
            BoundaryTrigger::Error {
                code: def.map(|d| d.code),
                code_variable: var("errorCodeVariable"),
                message_variable: var("errorMessageVariable"),
            }
        }
        Some(EventDef::Timer(t)) => BoundaryTrigger::Timer(t),
        Some(EventDef::Message(m)) => BoundaryTrigger::Message(m),
        _ => {
            return Err(error(
                node,
                "a boundary event must be an error, timer or message event",
            ));
        }
    };
    check_extensions(node)?;
    if parse_multi_instance(node)?.is_some() {
        return Err(error(node, "a boundary event cannot be multi-instance"));
    }
    let element = Element {
        id: required(node, "id")?.into(),
        name: node.attribute("name").map(Arc::from),
        kind: ElementKind::Boundary {
            attached_to,
            cancel_activity,
            trigger,
        },
        scope,
        incoming: Vec::new(),
        outgoing: Vec::new(),
        default_flow: None,
        boundaries: Vec::new(),
        io: parse_io(node)?,
        multi_instance: None,
    };
    let idx = b.add_element(node, element)?;
    b.attach_boundary(attached_to, idx);
    Ok(())
}

pub(super) enum EventDef {
    Message(String),
    Timer(TimerSpec),
    Error(Option<ErrorDef>),
    Terminate,
}

pub(super) fn event_definition(
    node: Node<'_, '_>,
    refs: &Refs,
) -> Result<Option<EventDef>, ModelError> {
    let mut found = None;
    for child in node.children().filter(Node::is_element) {
        if child.tag_name().namespace() != Some(BPMN_NS) {
            return Err(error(
                node,
                format!("'{}' is not supported in an event", child.tag_name().name()),
            ));
        }
        let def = match child.tag_name().name() {
            "incoming"
            | "outgoing"
            | "documentation"
            | "extensionElements"
            | "multiInstanceLoopCharacteristics" => continue,
            "messageEventDefinition" => {
                let r = child
                    .attribute("messageRef")
                    .ok_or_else(|| error(node, "messageEventDefinition needs a messageRef"))?;
                let name = refs.messages.get(r).ok_or_else(|| {
                    error(
                        node,
                        format!("messageRef '{r}' names no message of the definitions"),
                    )
                })?;
                EventDef::Message(name.clone())
            }
            "errorEventDefinition" => match child.attribute("errorRef") {
                None => EventDef::Error(None),
                Some(r) => EventDef::Error(Some(refs.errors.get(r).cloned().ok_or_else(|| {
                    error(
                        node,
                        format!("errorRef '{r}' names no error of the definitions"),
                    )
                })?)),
            },
            "terminateEventDefinition" => EventDef::Terminate,
            "timerEventDefinition" => EventDef::Timer(parse_timer(node, child)?),
            other => return Err(error(node, format!("'{other}' is not supported"))),
        };
        if found.is_some() {
            return Err(error(
                node,
                "an event with several event definitions is not supported",
            ));
        }
        found = Some(def);
    }
    Ok(found)
}

fn parse_timer(event: Node<'_, '_>, def: Node<'_, '_>) -> Result<TimerSpec, ModelError> {
    let mut spec = None;
    for child in def.children().filter(Node::is_element) {
        let text = child.text().unwrap_or_default().trim();
        let expr = expression(event, child.tag_name().name(), text)?;
        let made = match child.tag_name().name() {
            "timeDate" => TimerSpec::Date(expr),
            "timeDuration" => TimerSpec::Duration(expr),
            "timeCycle" => TimerSpec::Cycle(expr),
            other => return Err(error(event, format!("'{other}' is not a timer definition"))),
        };
        if made.expression().is_literal() {
            made.schedule(text).map_err(|e| error(event, e))?;
        }
        if spec.replace(made).is_some() {
            return Err(error(
                event,
                "a timer needs exactly one of timeDate, timeDuration, timeCycle",
            ));
        }
    }
    spec.ok_or_else(|| {
        error(
            event,
            "a timer needs one of timeDate, timeDuration, timeCycle",
        )
    })
}

pub(super) fn parse_multi_instance(
    node: Node<'_, '_>,
) -> Result<Option<MultiInstance>, ModelError> {
    if let Some(standard) = node
        .children()
        .find(|c| is_bpmn(*c, "standardLoopCharacteristics"))
    {
        return Err(error(
            standard.parent().unwrap_or(node),
            "standard loops are not supported (use multi-instance)",
        ));
    }
    let Some(mi) = node
        .children()
        .find(|c| is_bpmn(*c, "multiInstanceLoopCharacteristics"))
    else {
        return Ok(None);
    };
    check_attributes(
        mi,
        &["isSequential", "behavior"],
        &["collection", "elementVariable"],
    )
    .map_err(|e| ModelError {
        element: node.attribute("id").map(str::to_owned),
        ..e
    })?;
    let child_expr = |name: &str| -> Result<Option<Expression>, ModelError> {
        mi.children()
            .find(|c| is_bpmn(*c, name))
            .map(|c| expression(node, name, c.text().unwrap_or_default().trim()))
            .transpose()
    };
    let collection = camunda(mi, "collection")
        .map(|c| expression(node, "camunda:collection", c))
        .transpose()?;
    let cardinality = child_expr("loopCardinality")?;
    if collection.is_none() && cardinality.is_none() {
        return Err(error(
            node,
            "a multi-instance needs camunda:collection or loopCardinality",
        ));
    }
    Ok(Some(MultiInstance {
        sequential: mi.attribute("isSequential") == Some("true"),
        collection,
        element_variable: camunda(mi, "elementVariable").map(str::to_owned),
        cardinality,
        completion_condition: child_expr("completionCondition")?,
    }))
}

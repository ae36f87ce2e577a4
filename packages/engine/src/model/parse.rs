//! BPMN 2.0 XML → [`Definitions`]. Strict: every element and attribute outside the supported set
//! is refused with the element's id, its line and the reason, so a model never deploys with a
//! part the engine would silently skip. Diagram interchange (`bpmndi`), documentation, text
//! annotations, lanes and attributes of foreign (tooling) namespaces are ignored: they carry no
//! execution semantics.

use std::collections::HashMap;
use std::sync::Arc;

use carpetti_expression::Expression;
use roxmltree::{Document, Node, ParsingOptions};

use super::build::{ScopeBuilder, resolve_flows};
use super::events::{EventDef, event_definition, parse_boundary, parse_multi_instance};
use super::extensions::{check_extensions, parse_call_mappings, parse_io, parse_properties};
use super::{
    CatchTrigger, Definitions, Element, ElementKind, EndResult, ErrorDef, ProcessModel,
    StartTrigger,
};

pub(super) const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
pub(super) const CAMUNDA_NS: &str = "http://camunda.org/schema/1.0/bpmn";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Largest model accepted (the XML text).
pub const MAX_MODEL_BYTES: usize = 8 * 1024 * 1024;

/// Why a model was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(.element.as_deref(), *.line, .message))]
pub struct ModelError {
    /// The id of the element at fault, when there is one.
    pub element: Option<String>,
    /// 1-based line in the XML.
    pub line: u32,
    pub message: String,
}

fn describe(element: Option<&str>, line: u32, message: &str) -> String {
    match element {
        Some(id) => format!("element '{id}' (line {line}): {message}"),
        None => format!("line {line}: {message}"),
    }
}

pub(super) fn error(node: Node<'_, '_>, message: impl Into<String>) -> ModelError {
    let line = node.document().text_pos_at(node.range().start).row;
    ModelError {
        element: node.attribute("id").map(str::to_owned),
        line,
        message: message.into(),
    }
}

pub(super) fn is_bpmn(node: Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(BPMN_NS)
        && node.tag_name().name() == name
}

pub(super) fn camunda<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute((CAMUNDA_NS, name))
}

pub(super) fn expression(
    node: Node<'_, '_>,
    what: &str,
    source: &str,
) -> Result<Expression, ModelError> {
    Expression::parse(source).map_err(|e| error(node, format!("{what} '{source}': {e}")))
}

/// Parses one BPMN resource.
pub fn parse_definitions(xml: &str) -> Result<Definitions, ModelError> {
    if xml.len() > MAX_MODEL_BYTES {
        return Err(ModelError {
            element: None,
            line: 1,
            message: format!(
                "the model is {} bytes; at most {MAX_MODEL_BYTES} are accepted",
                xml.len()
            ),
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, options).map_err(|e| ModelError {
        element: None,
        line: e.pos().row,
        message: format!("malformed XML: {e}"),
    })?;
    let root = doc.root_element();
    if !is_bpmn(root, "definitions") {
        return Err(error(
            root,
            "the document is not BPMN 2.0: its root must be bpmn:definitions",
        ));
    }
    let mut errors = HashMap::new();
    let mut messages = HashMap::new();
    for child in root.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "error" if is_bpmn(child, "error") => {
                let id = required(child, "id")?;
                let code = child
                    .attribute("errorCode")
                    .ok_or_else(|| error(child, "an error needs an errorCode"))?;
                errors.insert(
                    id.to_owned(),
                    ErrorDef {
                        code: code.to_owned(),
                        name: child.attribute("name").map(str::to_owned),
                    },
                );
            }
            "message" if is_bpmn(child, "message") => {
                let id = required(child, "id")?;
                let name = child
                    .attribute("name")
                    .ok_or_else(|| error(child, "a message needs a name"))?;
                messages.insert(id.to_owned(), name.to_owned());
            }
            _ => {}
        }
    }
    let refs = Refs { errors, messages };
    let mut processes = Vec::new();
    for child in root.children().filter(Node::is_element) {
        let ns = child.tag_name().namespace();
        if ns != Some(BPMN_NS) {
            continue; // bpmndi and tool extensions
        }
        match child.tag_name().name() {
            "process" => {
                if child.attribute("isExecutable") == Some("false") {
                    continue;
                }
                processes.push(parse_process(child, &refs)?);
            }
            "error" | "message" | "collaboration" | "documentation" | "extensionElements" => {}
            other => return Err(error(child, format!("'{other}' is not supported"))),
        }
    }
    if processes.is_empty() {
        return Err(error(
            root,
            "the model has no executable process (isExecutable=\"true\")",
        ));
    }
    Ok(Definitions { processes })
}

pub(super) struct Refs {
    pub(super) errors: HashMap<String, ErrorDef>,
    pub(super) messages: HashMap<String, String>,
}

pub(super) fn required<'a>(node: Node<'a, '_>, attr: &str) -> Result<&'a str, ModelError> {
    node.attribute(attr)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            error(
                node,
                format!("'{}' needs the attribute '{attr}'", node.tag_name().name()),
            )
        })
}

fn parse_process(node: Node<'_, '_>, refs: &Refs) -> Result<ProcessModel, ModelError> {
    let key = required(node, "id")?.to_owned();
    check_attributes(
        node,
        &["id", "name", "isExecutable", "isClosed", "processType"],
        &[
            "versionTag",
            "historyTimeToLive",
            "isStartableInTasklist",
            "jobPriority",
            "taskPriority",
        ],
    )?;
    let mut builder = ScopeBuilder::default();
    parse_scope(node, None, refs, &mut builder)?;
    let (elements, flows, by_id) = resolve_flows(builder)?;
    let none_start = elements.iter().position(|e| {
        e.scope.is_none()
            && matches!(
                e.kind,
                ElementKind::StartEvent {
                    trigger: StartTrigger::None
                }
            )
    });
    if !elements
        .iter()
        .any(|e| e.scope.is_none() && matches!(e.kind, ElementKind::StartEvent { .. }))
    {
        return Err(error(node, "the process has no start event"));
    }
    Ok(ProcessModel {
        key,
        name: node.attribute("name").map(str::to_owned),
        version_tag: camunda(node, "versionTag").map(str::to_owned),
        elements,
        flows,
        none_start,
        by_id,
    })
}

/// Attributes allowed on an element: BPMN (unqualified) ones from `plain`, Camunda ones from
/// `camunda_allowed`; others of those two namespaces are refused; foreign ones are ignored.
pub(super) fn check_attributes(
    node: Node<'_, '_>,
    plain: &[&str],
    camunda_allowed: &[&str],
) -> Result<(), ModelError> {
    for attr in node.attributes() {
        match attr.namespace() {
            None => {
                if !plain.contains(&attr.name()) {
                    return Err(error(
                        node,
                        format!(
                            "the attribute '{}' is not supported on '{}'",
                            attr.name(),
                            node.tag_name().name()
                        ),
                    ));
                }
            }
            Some(CAMUNDA_NS) => {
                let name = attr.name();
                // `exclusive` only orders async jobs; async continuations switched off change nothing
                let harmless = name == "exclusive"
                    || (matches!(name, "asyncBefore" | "asyncAfter") && attr.value() == "false");
                if !camunda_allowed.contains(&name) && !harmless {
                    return Err(error(
                        node,
                        format!("the attribute 'camunda:{name}' is not supported"),
                    ));
                }
            }
            Some(XSI_NS) => {}
            Some(_) => {}
        }
    }
    Ok(())
}

const FLOW_NODE: &[&str] = &["id", "name"];
/// BPMN attributes of a task that change nothing here (quantities of 1, no compensation).
const TASK_ATTRIBUTES: &[&str] = &[
    "id",
    "name",
    "implementation",
    "startQuantity",
    "completionQuantity",
    "isForCompensation",
    "default",
];

fn parse_scope(
    scope_node: Node<'_, '_>,
    scope: Option<usize>,
    refs: &Refs,
    b: &mut ScopeBuilder,
) -> Result<(), ModelError> {
    let mut boundaries = Vec::new();
    for node in scope_node.children().filter(Node::is_element) {
        if node.tag_name().namespace() != Some(BPMN_NS) {
            return Err(error(
                node,
                format!("'{}' is not supported here", node.tag_name().name()),
            ));
        }
        let name = node.tag_name().name();
        match name {
            "documentation"
            | "extensionElements"
            | "laneSet"
            | "textAnnotation"
            | "association"
            | "group"
            | "multiInstanceLoopCharacteristics"
            | "incoming"
            | "outgoing" => {}
            "sequenceFlow" => b.add_flow(node, scope)?,
            "boundaryEvent" => boundaries.push(node),
            _ => {
                let idx = parse_node(node, scope, refs, b)?;
                if name == "subProcess" {
                    parse_scope(node, Some(idx), refs, b)?;
                    b.finish_subprocess(node, idx)?;
                }
            }
        }
    }
    for node in boundaries {
        parse_boundary(node, scope, refs, b)?;
    }
    Ok(())
}

fn parse_node(
    node: Node<'_, '_>,
    scope: Option<usize>,
    refs: &Refs,
    b: &mut ScopeBuilder,
) -> Result<usize, ModelError> {
    let name = node.tag_name().name();
    let kind = match name {
        "startEvent" => {
            check_attributes(
                node,
                &["id", "name", "isInterrupting", "parallelMultiple"],
                &["initiator", "formKey"],
            )?;
            let trigger = match event_definition(node, refs)? {
                None => StartTrigger::None,
                Some(EventDef::Message(m)) if scope.is_none() => StartTrigger::Message(m),
                Some(EventDef::Timer(t)) if scope.is_none() => StartTrigger::Timer(t),
                Some(_) => {
                    return Err(error(
                        node,
                        "a sub-process's start event must be a none start event; a process's may be none, message or timer",
                    ));
                }
            };
            ElementKind::StartEvent { trigger }
        }
        "endEvent" => {
            check_attributes(node, FLOW_NODE, &[])?;
            let result = match event_definition(node, refs)? {
                None => EndResult::None,
                Some(EventDef::Terminate) => EndResult::Terminate,
                Some(EventDef::Error(e)) => EndResult::Error(e),
                Some(_) => return Err(error(node, "an end event may be none, error or terminate")),
            };
            ElementKind::EndEvent { result }
        }
        "serviceTask" | "sendTask" => {
            check_attributes(node, TASK_ATTRIBUTES, &["type", "topic", "taskPriority"])?;
            if camunda(node, "type") != Some("external") {
                return Err(error(
                    node,
                    "only external service tasks are supported: set camunda:type=\"external\" and camunda:topic",
                ));
            }
            let topic = expression(node, "camunda:topic", required_camunda(node, "topic")?)?;
            let priority = camunda(node, "taskPriority")
                .map(|p| expression(node, "camunda:taskPriority", p))
                .transpose()?;
            ElementKind::ServiceTask {
                topic,
                priority,
                properties: parse_properties(node)?,
            }
        }
        "userTask" => {
            check_attributes(
                node,
                TASK_ATTRIBUTES,
                &[
                    "assignee",
                    "candidateGroups",
                    "candidateUsers",
                    "formKey",
                    "priority",
                    "dueDate",
                    "followUpDate",
                ],
            )?;
            let assignee = camunda(node, "assignee")
                .map(|a| expression(node, "camunda:assignee", a))
                .transpose()?;
            let candidate_groups = camunda(node, "candidateGroups")
                .map(|a| expression(node, "camunda:candidateGroups", a))
                .transpose()?;
            ElementKind::UserTask {
                assignee,
                candidate_groups,
                form_key: camunda(node, "formKey").map(str::to_owned),
            }
        }
        "exclusiveGateway" => {
            check_attributes(node, &["id", "name", "default", "gatewayDirection"], &[])?;
            ElementKind::ExclusiveGateway
        }
        "parallelGateway" => {
            check_attributes(node, &["id", "name", "gatewayDirection"], &[])?;
            ElementKind::ParallelGateway
        }
        "subProcess" => {
            check_attributes(
                node,
                &[
                    "id",
                    "name",
                    "triggeredByEvent",
                    "startQuantity",
                    "completionQuantity",
                    "isForCompensation",
                    "default",
                ],
                &[],
            )?;
            if node.attribute("triggeredByEvent") == Some("true") {
                return Err(error(node, "event sub-processes are not supported"));
            }
            ElementKind::SubProcess { start: usize::MAX }
        }
        "callActivity" => {
            check_attributes(
                node,
                &[
                    "id",
                    "name",
                    "calledElement",
                    "startQuantity",
                    "completionQuantity",
                    "isForCompensation",
                    "default",
                ],
                &[
                    "calledElementBinding",
                    "calledElementVersion",
                    "calledElementVersionTag",
                    "calledElementTenantId",
                    "variableMappingClass",
                    "variableMappingDelegateExpression",
                    "caseRef",
                ],
            )?;
            if let Some(binding) = camunda(node, "calledElementBinding")
                && binding != "latest"
            {
                return Err(error(
                    node,
                    format!(
                        "camunda:calledElementBinding '{binding}' is not supported (only 'latest')"
                    ),
                ));
            }
            for unsupported in [
                "calledElementVersion",
                "calledElementVersionTag",
                "calledElementTenantId",
                "variableMappingClass",
                "variableMappingDelegateExpression",
                "caseRef",
            ] {
                if camunda(node, unsupported).is_some() {
                    return Err(error(
                        node,
                        format!("camunda:{unsupported} is not supported"),
                    ));
                }
            }
            let called_element =
                expression(node, "calledElement", required(node, "calledElement")?)?;
            parse_call_mappings(node, called_element)?
        }
        "intermediateCatchEvent" => {
            check_attributes(node, &["id", "name", "parallelMultiple"], &[])?;
            let trigger = match event_definition(node, refs)? {
                Some(EventDef::Timer(t)) => CatchTrigger::Timer(t),
                Some(EventDef::Message(m)) => CatchTrigger::Message(m),
                _ => {
                    return Err(error(
                        node,
                        "an intermediate catch event must be a timer or a message",
                    ));
                }
            };
            ElementKind::IntermediateCatch { trigger }
        }
        other => {
            return Err(error(
                node,
                format!("the element '{other}' is not supported"),
            ));
        }
    };
    check_extensions(node)?;
    let multi_instance = parse_multi_instance(node)?;
    let io = parse_io(node)?;
    let element = Element {
        id: required(node, "id")?.into(),
        name: node.attribute("name").map(Arc::from),
        kind,
        scope,
        incoming: Vec::new(),
        outgoing: Vec::new(),
        default_flow: None,
        boundaries: Vec::new(),
        io,
        multi_instance,
    };
    b.add_element(node, element)
}

fn required_camunda<'a>(node: Node<'a, '_>, attr: &str) -> Result<&'a str, ModelError> {
    camunda(node, attr)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            error(
                node,
                format!("'{}' needs camunda:{attr}", node.tag_name().name()),
            )
        })
}

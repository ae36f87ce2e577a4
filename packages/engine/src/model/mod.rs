//! The executable model of a BPMN 2.0 process: the elements the engine runs, with every reference
//! (flows, boundary attachments, errors, messages) resolved to indexes at deployment, so the
//! runtime never looks anything up by string.

mod build;
mod events;
mod extensions;
mod parse;
mod timer;

pub use parse::{ModelError, parse_definitions};
pub use timer::{TimerSchedule, TimerSpec, parse_schedule};

use std::collections::HashMap;
use std::sync::Arc;

use carpetti_expression::Expression;

/// Index of an element in [`ProcessModel::elements`].
pub type ElementIdx = usize;
/// Index of a sequence flow in [`ProcessModel::flows`].
pub type FlowIdx = usize;

/// Everything one deployed resource defines: its executable processes.
#[derive(Debug, Clone)]
pub struct Definitions {
    pub processes: Vec<ProcessModel>,
}

/// One `<process>`: its key (the BPMN id), name and the flattened graph of all its scopes.
#[derive(Debug, Clone)]
pub struct ProcessModel {
    pub key: String,
    pub name: Option<String>,
    pub version_tag: Option<String>,
    pub elements: Vec<Element>,
    pub flows: Vec<Flow>,
    /// The none start event of the process scope, if it has one.
    pub none_start: Option<ElementIdx>,
    pub(crate) by_id: HashMap<String, ElementIdx>,
}

impl ProcessModel {
    /// The element with this BPMN id.
    pub fn element_by_id(&self, id: &str) -> Option<ElementIdx> {
        self.by_id.get(id).copied()
    }

    /// The element at `idx` (indexes come from this model, so they are always in range).
    pub fn element(&self, idx: ElementIdx) -> &Element {
        &self.elements[idx]
    }

    pub fn flow(&self, idx: FlowIdx) -> &Flow {
        &self.flows[idx]
    }

    /// Start events of the process scope with a message trigger: (element, message name).
    pub fn message_starts(&self) -> impl Iterator<Item = (ElementIdx, &str)> {
        self.elements
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match &e.kind {
                ElementKind::StartEvent {
                    trigger: StartTrigger::Message(name),
                } if e.scope.is_none() => Some((i, name.as_str())),
                _ => None,
            })
    }

    /// Start events of the process scope with a timer trigger.
    pub fn timer_starts(&self) -> impl Iterator<Item = (ElementIdx, &TimerSpec)> {
        self.elements
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match &e.kind {
                ElementKind::StartEvent {
                    trigger: StartTrigger::Timer(spec),
                } if e.scope.is_none() => Some((i, spec)),
                _ => None,
            })
    }
}

/// A flow node.
#[derive(Debug, Clone)]
pub struct Element {
    pub id: Arc<str>,
    pub name: Option<Arc<str>>,
    pub kind: ElementKind,
    /// The embedded sub-process that contains it; `None` for the process scope.
    pub scope: Option<ElementIdx>,
    pub incoming: Vec<FlowIdx>,
    pub outgoing: Vec<FlowIdx>,
    /// `default="flowId"` of a gateway or activity.
    pub default_flow: Option<FlowIdx>,
    /// Boundary events attached to this activity.
    pub boundaries: Vec<ElementIdx>,
    pub io: IoMapping,
    pub multi_instance: Option<MultiInstance>,
}

impl Element {
    /// The BPMN local name as the activity-instance tree and the history report it.
    pub fn activity_type(&self) -> &'static str {
        match &self.kind {
            ElementKind::StartEvent { trigger } => match trigger {
                StartTrigger::None => "startEvent",
                StartTrigger::Message(_) => "messageStartEvent",
                StartTrigger::Timer(_) => "startTimerEvent",
            },
            ElementKind::EndEvent { result } => match result {
                EndResult::None => "noneEndEvent",
                EndResult::Error(_) => "errorEndEvent",
                EndResult::Terminate => "terminateEndEvent",
            },
            ElementKind::ServiceTask { .. } => "serviceTask",
            ElementKind::UserTask { .. } => "userTask",
            ElementKind::ExclusiveGateway => "exclusiveGateway",
            ElementKind::ParallelGateway => "parallelGateway",
            ElementKind::SubProcess { .. } => "subProcess",
            ElementKind::CallActivity { .. } => "callActivity",
            ElementKind::IntermediateCatch { trigger } => match trigger {
                CatchTrigger::Timer(_) => "intermediateTimer",
                CatchTrigger::Message(_) => "intermediateMessageCatch",
            },
            ElementKind::Boundary { trigger, .. } => match trigger {
                BoundaryTrigger::Error { .. } => "boundaryError",
                BoundaryTrigger::Timer(_) => "boundaryTimer",
                BoundaryTrigger::Message(_) => "boundaryMessage",
            },
        }
    }

    /// Whether a token rests in this element (it is an activity with its own activity instance
    /// that lives until something outside the engine step ends it).
    pub fn is_wait_state(&self) -> bool {
        matches!(
            self.kind,
            ElementKind::ServiceTask { .. }
                | ElementKind::UserTask { .. }
                | ElementKind::IntermediateCatch { .. }
                | ElementKind::CallActivity { .. }
        )
    }
}

#[derive(Debug, Clone)]
pub enum ElementKind {
    StartEvent {
        trigger: StartTrigger,
    },
    EndEvent {
        result: EndResult,
    },
    /// `camunda:type="external"`: a task for an external worker on `topic`.
    ServiceTask {
        topic: Expression,
        priority: Option<Expression>,
        /// `camunda:properties` → `extensionProperties` of fetchAndLock.
        properties: Vec<(String, String)>,
    },
    UserTask {
        assignee: Option<Expression>,
        candidate_groups: Option<Expression>,
        form_key: Option<String>,
    },
    ExclusiveGateway,
    ParallelGateway,
    SubProcess {
        /// The none start event inside.
        start: ElementIdx,
    },
    CallActivity {
        called_element: Expression,
        business_key: Option<Expression>,
        /// `camunda:in variables="all"`.
        in_all: bool,
        inputs: Vec<VariableMapping>,
        /// `camunda:out variables="all"`.
        out_all: bool,
        outputs: Vec<VariableMapping>,
    },
    IntermediateCatch {
        trigger: CatchTrigger,
    },
    Boundary {
        attached_to: ElementIdx,
        cancel_activity: bool,
        trigger: BoundaryTrigger,
    },
}

#[derive(Debug, Clone)]
pub enum StartTrigger {
    None,
    Message(String),
    Timer(TimerSpec),
}

#[derive(Debug, Clone)]
pub enum EndResult {
    None,
    /// The error code thrown (`None` = an error end without errorRef).
    Error(Option<ErrorDef>),
    Terminate,
}

#[derive(Debug, Clone)]
pub enum CatchTrigger {
    Timer(TimerSpec),
    Message(String),
}

#[derive(Debug, Clone)]
pub enum BoundaryTrigger {
    /// Catches the error with `code`, or every error when `code` is `None`.
    Error {
        code: Option<String>,
        code_variable: Option<String>,
        message_variable: Option<String>,
    },
    Timer(TimerSpec),
    Message(String),
}

/// A `<error>` of the definitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDef {
    pub code: String,
    pub name: Option<String>,
}

/// A `camunda:in` / `camunda:out` of a call activity.
#[derive(Debug, Clone)]
pub struct VariableMapping {
    pub source: MappingSource,
    pub target: String,
}

#[derive(Debug, Clone)]
pub enum MappingSource {
    Variable(String),
    Expression(Expression),
}

/// `camunda:inputOutput`: input parameters become local variables of the activity; output
/// parameters are evaluated when it ends and set in the enclosing scope.
#[derive(Debug, Clone, Default)]
pub struct IoMapping {
    pub inputs: Vec<Parameter>,
    pub outputs: Vec<Parameter>,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub value: ParameterValue,
}

#[derive(Debug, Clone)]
pub enum ParameterValue {
    /// Text content: a constant or an expression.
    Expression(Expression),
    List(Vec<ParameterValue>),
    Map(Vec<(String, ParameterValue)>),
    /// An empty parameter: null.
    Null,
}

/// `multiInstanceLoopCharacteristics`.
#[derive(Debug, Clone)]
pub struct MultiInstance {
    pub sequential: bool,
    pub collection: Option<Expression>,
    pub element_variable: Option<String>,
    pub cardinality: Option<Expression>,
    pub completion_condition: Option<Expression>,
}

/// A sequence flow.
#[derive(Debug, Clone)]
pub struct Flow {
    pub id: String,
    pub source: ElementIdx,
    pub target: ElementIdx,
    pub condition: Option<Expression>,
}

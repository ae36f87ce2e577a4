//! The benchmark's one process, described once as a graph ([`NODES`], [`FLOWS`]) and written as
//! BPMN 2.0 XML for each engine ([`Flavour`]): the same elements, ids and flows in all three; only
//! how a task waits for the driver and how the condition is spelled differ.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The process id (our definition key).
pub const PROCESS_ID: &str = "bench_engine";

/// The variable the gateway tests and the driver sets on start.
pub const VARIABLE: &str = "amount";

/// Instance `i` starts with this amount: 150 when `i` is even (the conditional branch), 50 when
/// odd (the default branch). The peer scripts use the same rule.
pub fn amount(instance: u64) -> i64 {
    if instance.is_multiple_of(2) { 150 } else { 50 }
}

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Start,
    /// A task the driver completes: the unit of work counted in tasks/s.
    Task,
    /// A diverging exclusive gateway with its default flow.
    Split {
        default: &'static str,
    },
    /// A converging exclusive gateway.
    Merge,
    End,
}

/// `variable > value`, the one kind of condition the model uses.
#[derive(Debug, Clone, Copy)]
pub struct Condition {
    pub variable: &'static str,
    pub greater_than: i64,
}

/// A sequence flow.
#[derive(Debug, Clone, Copy)]
pub struct Flow {
    pub id: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub condition: Option<Condition>,
}

const fn flow(id: &'static str, from: &'static str, to: &'static str) -> Flow {
    Flow {
        id,
        from,
        to,
        condition: None,
    }
}

/// start → task1 → task2 → task3 → split (amount > 100 → task4a, default → task4b) → merge →
/// task5 → end.
pub const NODES: &[(&str, Node)] = &[
    ("start", Node::Start),
    ("task1", Node::Task),
    ("task2", Node::Task),
    ("task3", Node::Task),
    (
        "split",
        Node::Split {
            default: "toTask4b",
        },
    ),
    ("task4a", Node::Task),
    ("task4b", Node::Task),
    ("merge", Node::Merge),
    ("task5", Node::Task),
    ("end", Node::End),
];

/// The flows of [`NODES`].
pub const FLOWS: &[Flow] = &[
    flow("toTask1", "start", "task1"),
    flow("toTask2", "task1", "task2"),
    flow("toTask3", "task2", "task3"),
    flow("toSplit", "task3", "split"),
    Flow {
        id: "toTask4a",
        from: "split",
        to: "task4a",
        condition: Some(Condition {
            variable: VARIABLE,
            greater_than: 100,
        }),
    },
    flow("toTask4b", "split", "task4b"),
    flow("fromTask4a", "task4a", "merge"),
    flow("fromTask4b", "task4b", "merge"),
    flow("toTask5", "merge", "task5"),
    flow("toEnd", "task5", "end"),
];

/// Tasks every instance completes, whichever branch it takes.
pub const TASKS_PER_INSTANCE: u64 = 5;

/// How many times each task must have been completed after `instances` instances numbered from
/// 0 (see [`amount`]): the check that every engine ran the same graph down the same branches.
pub fn expected_counts(instances: u64) -> BTreeMap<String, u64> {
    let conditional = instances.div_ceil(2);
    NODES
        .iter()
        .filter(|(_, node)| *node == Node::Task)
        .map(|(id, _)| {
            let count = match *id {
                "task4a" => conditional,
                "task4b" => instances - conditional,
                _ => instances,
            };
            ((*id).to_owned(), count)
        })
        .collect()
}

/// Which engine a model is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Ours: Camunda external service tasks (topic = the task id), JUEL `${amount > 100}`.
    Carpetti,
    /// SpiffWorkflow: plain service tasks (they wait STARTED), a Python expression.
    Spiff,
    /// npm bpmn-engine: user tasks (they raise `wait`), an expression calling a service.
    BpmnEngine,
}

impl Flavour {
    /// The file name the model is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Carpetti => "bench-engine-carpetti.bpmn",
            Self::Spiff => "bench-engine-spiff.bpmn",
            Self::BpmnEngine => "bench-engine-bpmn-engine.bpmn",
        }
    }

    fn task(self, id: &str) -> String {
        match self {
            Self::Carpetti => {
                format!(
                    r#"<bpmn:serviceTask id="{id}" camunda:type="external" camunda:topic="{id}"/>"#
                )
            }
            Self::Spiff => format!(r#"<bpmn:serviceTask id="{id}"/>"#),
            Self::BpmnEngine => format!(r#"<bpmn:userTask id="{id}"/>"#),
        }
    }

    fn condition(self, c: Condition) -> String {
        let (variable, value) = (c.variable, c.greater_than);
        match self {
            Self::Carpetti => format!("${{{variable} > {value}}}"),
            Self::Spiff => format!("{variable} > {value}"),
            Self::BpmnEngine => format!(
                "${{environment.services.greaterThan(environment.variables.{variable}, {value})}}"
            ),
        }
    }
}

/// The model as BPMN 2.0 XML for `flavour`.
pub fn render(flavour: Flavour) -> String {
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" "#,
        r#"xmlns:camunda="http://camunda.org/schema/1.0/bpmn" "#,
        r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
        r#"id="benchEngineDefinitions" targetNamespace="http://carpetti.dev/bpmn/bench">"#,
        "\n"
    ));
    let _ = writeln!(
        xml,
        r#"  <bpmn:process id="{PROCESS_ID}" name="carpetti bench engine" isExecutable="true">"#
    );
    for (id, node) in NODES {
        let element = match node {
            Node::Start => format!(r#"<bpmn:startEvent id="{id}"/>"#),
            Node::Task => flavour.task(id),
            Node::Split { default } => {
                format!(r#"<bpmn:exclusiveGateway id="{id}" default="{default}"/>"#)
            }
            Node::Merge => format!(r#"<bpmn:exclusiveGateway id="{id}"/>"#),
            Node::End => format!(r#"<bpmn:endEvent id="{id}"/>"#),
        };
        let _ = writeln!(xml, "    {element}");
    }
    for f in FLOWS {
        let head = format!(
            r#"<bpmn:sequenceFlow id="{}" sourceRef="{}" targetRef="{}""#,
            f.id, f.from, f.to
        );
        match f.condition {
            None => {
                let _ = writeln!(xml, "    {head}/>");
            }
            Some(c) => {
                let _ = writeln!(
                    xml,
                    "    {head}>\n      <bpmn:conditionExpression \
                     xsi:type=\"bpmn:tFormalExpression\">{}</bpmn:conditionExpression>\n    \
                     </bpmn:sequenceFlow>",
                    escape(&flavour.condition(c))
                );
            }
        }
    }
    xml.push_str("  </bpmn:process>\n</bpmn:definitions>\n");
    xml
}

/// Text content escaped for XML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

//! Models the engine refuses at deployment, each with the element id and the reason.

use carpetti_engine::model::parse_definitions;

const HEAD: &str = r#"<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>"#;
const TAIL: &str = "</bpmn:process></bpmn:definitions>";

fn refused(body: &str) -> carpetti_engine::model::ModelError {
    match parse_definitions(&format!("{HEAD}{body}{TAIL}")) {
        Ok(_) => panic!("accepted: {body}"),
        Err(e) => e,
    }
}

#[test]
fn malformed_xml_names_the_line() {
    let e = parse_definitions("<bpmn:definitions>\n<oops").expect_err("malformed");
    assert!(e.message.contains("malformed XML"), "{e}");
}

#[test]
fn a_dtd_is_refused_billion_laughs_safe() {
    let xml = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>"#;
    assert!(parse_definitions(xml).is_err());
}

#[test]
fn unsupported_elements_and_attributes_are_named() {
    let e = refused(r#"<bpmn:scriptTask id="script" scriptFormat="js"/>"#);
    assert_eq!(e.element.as_deref(), Some("script"));
    assert!(e.message.contains("scriptTask"), "{e}");
    let e = refused(r#"<bpmn:serviceTask id="java" camunda:class="org.Example"/>"#);
    assert_eq!(e.element.as_deref(), Some("java"));
    let e = refused(
        r#"<bpmn:serviceTask id="async" camunda:type="external" camunda:topic="t" camunda:asyncBefore="true"/>"#,
    );
    assert!(e.message.contains("asyncBefore"), "{e}");
    let e = refused(
        r#"<bpmn:serviceTask id="listener" camunda:type="external" camunda:topic="t"><bpmn:extensionElements><camunda:executionListener class="X" event="start"/></bpmn:extensionElements></bpmn:serviceTask>"#,
    );
    assert!(e.message.contains("executionListener"), "{e}");
    let e = refused(
        r#"<bpmn:intermediateCatchEvent id="signal"><bpmn:signalEventDefinition/></bpmn:intermediateCatchEvent>"#,
    );
    assert_eq!(e.element.as_deref(), Some("signal"));
}

#[test]
fn broken_references_and_expressions_are_refused() {
    let e = refused(r#"<bpmn:sequenceFlow id="toNowhere" sourceRef="start" targetRef="missing"/>"#);
    assert_eq!(e.element.as_deref(), Some("toNowhere"));
    assert!(e.message.contains("missing"), "{e}");
    let e = refused(
        r#"<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="gw"/><bpmn:exclusiveGateway id="gw"/><bpmn:sequenceFlow id="g" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>${amount &gt;}</bpmn:conditionExpression></bpmn:sequenceFlow><bpmn:endEvent id="end"/>"#,
    );
    assert_eq!(e.element.as_deref(), Some("g"));
    let e = refused(
        r#"<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="gw"/><bpmn:exclusiveGateway id="gw"/><bpmn:sequenceFlow id="g" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>${score.numberValue() > 5}</bpmn:conditionExpression></bpmn:sequenceFlow><bpmn:endEvent id="end"/>"#,
    );
    assert!(e.message.to_lowercase().contains("method"), "{e}");
    let e = refused(
        r#"<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>ten minutes</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"#,
    );
    assert_eq!(e.element.as_deref(), Some("t"));
    let e = refused(
        r#"<bpmn:exclusiveGateway id="gw" default="nope"/><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="gw"/><bpmn:sequenceFlow id="g" sourceRef="gw" targetRef="end"/><bpmn:endEvent id="end"/>"#,
    );
    assert_eq!(e.element.as_deref(), Some("gw"));
    let e = refused(
        r#"<bpmn:serviceTask id="dup" camunda:type="external" camunda:topic="t"/><bpmn:serviceTask id="dup" camunda:type="external" camunda:topic="t"/>"#,
    );
    assert_eq!(e.element.as_deref(), Some("dup"));
}

#[test]
fn every_conformance_model_deploys() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bpmn");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        let xml = std::fs::read_to_string(&path).expect("read");
        parse_definitions(&xml).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        n += 1;
    }
    assert!(n >= 9);
}

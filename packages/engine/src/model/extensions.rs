//! The Camunda extension elements the engine runs: `camunda:inputOutput` (constants, expressions,
//! lists and maps; scripts are refused), `camunda:properties` and a call activity's
//! `camunda:in` / `camunda:out`. Any other extension element is refused.

use roxmltree::Node;

use super::parse::{CAMUNDA_NS, camunda, error, expression};
use super::{
    ElementKind, IoMapping, MappingSource, ModelError, Parameter, ParameterValue, VariableMapping,
};
use carpetti_expression::Expression;

fn extension_children<'a, 'input>(
    node: Node<'a, 'input>,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == "extensionElements")
        .flat_map(|ext| ext.children().filter(Node::is_element))
}

/// Refuses extension elements the engine would not run.
pub(super) fn check_extensions(node: Node<'_, '_>) -> Result<(), ModelError> {
    let is_call = node.tag_name().name() == "callActivity";
    for ext in extension_children(node) {
        let name = ext.tag_name().name();
        let ok = ext.tag_name().namespace() == Some(CAMUNDA_NS)
            && (matches!(name, "inputOutput" | "properties")
                || (is_call && matches!(name, "in" | "out")));
        if !ok {
            let shown = match ext.tag_name().namespace() {
                Some(CAMUNDA_NS) => format!("camunda:{name}"),
                _ => name.to_owned(),
            };
            return Err(error(
                node,
                format!("the extension element '{shown}' is not supported"),
            ));
        }
    }
    Ok(())
}

/// `camunda:inputOutput`.
pub(super) fn parse_io(node: Node<'_, '_>) -> Result<IoMapping, ModelError> {
    let mut io = IoMapping::default();
    for ext in extension_children(node).filter(|e| e.tag_name().name() == "inputOutput") {
        for param in ext.children().filter(Node::is_element) {
            let name = param
                .attribute("name")
                .ok_or_else(|| error(node, "an input/output parameter needs a name"))?
                .to_owned();
            let value = parameter_value(node, param)?;
            match param.tag_name().name() {
                "inputParameter" => io.inputs.push(Parameter { name, value }),
                "outputParameter" => io.outputs.push(Parameter { name, value }),
                other => {
                    return Err(error(
                        node,
                        format!("'camunda:{other}' is not supported in camunda:inputOutput"),
                    ));
                }
            }
        }
    }
    Ok(io)
}

fn parameter_value(
    owner: Node<'_, '_>,
    holder: Node<'_, '_>,
) -> Result<ParameterValue, ModelError> {
    let mut elements = holder.children().filter(Node::is_element);
    match (elements.next(), elements.next()) {
        (None, _) => {
            let text = holder.text().unwrap_or_default().trim();
            if text.is_empty() {
                Ok(ParameterValue::Null)
            } else {
                Ok(ParameterValue::Expression(expression(
                    owner,
                    "parameter",
                    text,
                )?))
            }
        }
        (Some(inner), None) => value_node(owner, inner),
        (Some(_), Some(_)) => Err(error(owner, "a parameter holds one value")),
    }
}

/// A `camunda:list`, `camunda:map` or list `camunda:value`.
fn value_node(owner: Node<'_, '_>, inner: Node<'_, '_>) -> Result<ParameterValue, ModelError> {
    match inner.tag_name().name() {
        "list" => inner
            .children()
            .filter(Node::is_element)
            .map(|item| value_node(owner, item))
            .collect::<Result<_, _>>()
            .map(ParameterValue::List),
        "map" => inner
            .children()
            .filter(Node::is_element)
            .map(|entry| {
                let key = entry
                    .attribute("key")
                    .ok_or_else(|| error(owner, "a camunda:entry needs a key"))?;
                Ok((key.to_owned(), parameter_value(owner, entry)?))
            })
            .collect::<Result<_, _>>()
            .map(ParameterValue::Map),
        "value" => parameter_value(owner, inner),
        "script" => Err(error(owner, "script parameters are not supported")),
        other => Err(error(
            owner,
            format!("'camunda:{other}' is not a parameter value"),
        )),
    }
}

/// `camunda:properties` → name/value pairs.
pub(super) fn parse_properties(node: Node<'_, '_>) -> Result<Vec<(String, String)>, ModelError> {
    let mut properties = Vec::new();
    for ext in extension_children(node).filter(|e| e.tag_name().name() == "properties") {
        for p in ext.children().filter(Node::is_element) {
            let name = p
                .attribute("name")
                .ok_or_else(|| error(node, "a camunda:property needs a name"))?;
            properties.push((
                name.to_owned(),
                p.attribute("value").unwrap_or_default().to_owned(),
            ));
        }
    }
    Ok(properties)
}

/// A call activity's `camunda:in` / `camunda:out` (and `camunda:in businessKey`).
pub(super) fn parse_call_mappings(
    node: Node<'_, '_>,
    called_element: Expression,
) -> Result<ElementKind, ModelError> {
    let (mut in_all, mut out_all, mut business_key) = (false, false, None);
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for ext in extension_children(node) {
        let name = ext.tag_name().name();
        if !matches!(name, "in" | "out") {
            continue;
        }
        if camunda(ext, "local").is_some() || ext.attribute("local").is_some_and(|l| l == "true") {
            return Err(error(
                node,
                format!("camunda:{name} local=\"true\" is not supported"),
            ));
        }
        if let Some(bk) = ext.attribute("businessKey") {
            if name == "out" {
                return Err(error(node, "businessKey belongs on camunda:in"));
            }
            business_key = Some(expression(node, "businessKey", bk)?);
            continue;
        }
        if ext.attribute("variables") == Some("all") {
            if name == "in" {
                in_all = true
            } else {
                out_all = true
            }
            continue;
        }
        let target = ext
            .attribute("target")
            .ok_or_else(|| error(node, format!("camunda:{name} needs a target")))?
            .to_owned();
        let source = match (ext.attribute("source"), ext.attribute("sourceExpression")) {
            (Some(s), None) => MappingSource::Variable(s.to_owned()),
            (None, Some(e)) => MappingSource::Expression(expression(node, "sourceExpression", e)?),
            _ => {
                return Err(error(
                    node,
                    format!("camunda:{name} needs exactly one of source, sourceExpression"),
                ));
            }
        };
        let mapping = VariableMapping { source, target };
        if name == "in" {
            inputs.push(mapping)
        } else {
            outputs.push(mapping)
        }
    }
    Ok(ElementKind::CallActivity {
        called_element,
        business_key,
        in_all,
        inputs,
        out_all,
        outputs,
    })
}

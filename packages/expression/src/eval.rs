//! Evaluation of a parsed [`Body`] against [`Variables`].

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use serde_json::{Map, Value};

use crate::ast::{Accessor, BinaryOp, Body, Node, Part, UnaryOp};
use crate::error::EvalError;
use crate::value::{self, arithmetic, compare, describe, equals, is_empty, negate, to_bool};

/// Variable lookup for an evaluation. `None` means the variable does not exist, which makes the
/// evaluation fail with [`EvalError::UnknownVariable`] (Camunda's behaviour), while `Some(Null)`
/// is a variable whose value is null.
pub trait Variables {
    /// The value of the variable `name`, or `None` if there is no such variable.
    fn variable(&self, name: &str) -> Option<Value>;
}

impl Variables for Map<String, Value> {
    fn variable(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

impl<S: BuildHasher> Variables for HashMap<String, Value, S> {
    fn variable(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

impl Variables for BTreeMap<String, Value> {
    fn variable(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

impl<F: Fn(&str) -> Option<Value>> Variables for F {
    fn variable(&self, name: &str) -> Option<Value> {
        self(name)
    }
}

pub(crate) fn evaluate_body(body: &Body, vars: &dyn Variables) -> Result<Value, EvalError> {
    match body {
        Body::Literal(text) => Ok(Value::String(text.clone())),
        Body::Single(node) => evaluate(node, vars),
        Body::Composite(parts) => {
            let mut out = String::new();
            for part in parts {
                match part {
                    Part::Text(text) => out.push_str(text),
                    Part::Expr(node) => out.push_str(&value::to_text(&evaluate(node, vars)?)),
                }
            }
            Ok(Value::String(out))
        }
    }
}

fn evaluate(node: &Node, vars: &dyn Variables) -> Result<Value, EvalError> {
    match node {
        Node::Literal(value) => Ok(value.clone()),
        Node::Ident(name) => vars
            .variable(name)
            .ok_or_else(|| EvalError::UnknownVariable(name.clone())),
        Node::Access { base, path } => access(evaluate(base, vars)?, path, vars),
        Node::Unary { op, operand } => {
            let operand = evaluate(operand, vars)?;
            match op {
                UnaryOp::Neg => negate(&operand),
                UnaryOp::Not => Ok(Value::Bool(!to_bool(&operand)?)),
                UnaryOp::Empty => Ok(Value::Bool(is_empty(&operand))),
            }
        }
        Node::Chain { first, rest } => chain(first, rest, vars),
        Node::Choice {
            condition,
            then,
            otherwise,
        } => {
            if to_bool(&evaluate(condition, vars)?)? {
                evaluate(then, vars)
            } else {
                evaluate(otherwise, vars)
            }
        }
    }
}

/// Applies the operators of one precedence level left to right; `&&` and `||` short-circuit.
fn chain(
    first: &Node,
    rest: &[(BinaryOp, Node)],
    vars: &dyn Variables,
) -> Result<Value, EvalError> {
    let mut acc = evaluate(first, vars)?;
    for (op, node) in rest {
        acc = match op {
            BinaryOp::And | BinaryOp::Or => {
                // `a && b && c` chains only one of the two operators
                let decided = to_bool(&acc)? == (*op == BinaryOp::Or);
                if decided {
                    return Ok(Value::Bool(*op == BinaryOp::Or));
                }
                Value::Bool(to_bool(&evaluate(node, vars)?)?)
            }
            BinaryOp::Eq => Value::Bool(equals(&acc, &evaluate(node, vars)?)?),
            BinaryOp::Ne => Value::Bool(!equals(&acc, &evaluate(node, vars)?)?),
            BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => {
                Value::Bool(compare(*op, &acc, &evaluate(node, vars)?)?)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                arithmetic(*op, &acc, &evaluate(node, vars)?)?
            }
        };
    }
    Ok(acc)
}

/// Follows a property path. A null base makes the whole path null (JUEL); a missing key of an
/// object is null; an array index out of range is null; properties of anything else are errors.
fn access(mut current: Value, path: &[Accessor], vars: &dyn Variables) -> Result<Value, EvalError> {
    for accessor in path {
        if current.is_null() {
            return Ok(Value::Null);
        }
        let key = match accessor {
            Accessor::Property(name) => Value::String(name.clone()),
            Accessor::Index(node) => evaluate(node, vars)?,
        };
        current = match current {
            Value::Object(mut object) => match key {
                Value::Null => return Ok(Value::Null),
                Value::String(name) => object.remove(&name).unwrap_or(Value::Null),
                other => object
                    .remove(&value::to_text(&other))
                    .unwrap_or(Value::Null),
            },
            Value::Array(mut array) => {
                let index = match accessor {
                    Accessor::Property(name) => {
                        return Err(EvalError::UnknownProperty {
                            property: name.clone(),
                            base: "array".to_owned(),
                        });
                    }
                    Accessor::Index(_) => value::to_index(&key)?,
                };
                match index {
                    Some(i) if i < array.len() => array.swap_remove(i),
                    _ => Value::Null,
                }
            }
            other => {
                return Err(EvalError::UnknownProperty {
                    property: value::to_text(&key),
                    base: describe(&other),
                });
            }
        };
    }
    Ok(current)
}

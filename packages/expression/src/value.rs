//! Coercions and operators on JSON values, after the JUEL 2.2 rules (spec section 1.7 and 1.18),
//! simplified to JSON's types: integers are `Long`, other numbers `Double`, there is no
//! BigDecimal/BigInteger. The crate documentation lists the rules.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use crate::ast::BinaryOp;
use crate::error::EvalError;

/// A number after coercion: JUEL's `Long` or `Double`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            // Precision loss above 2^53 is JUEL's too (Long → Double).
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }
}

/// Describes a value for error messages: `string "abc"`, `number 5`, `boolean true`, `null`,
/// `array`, `object`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            let head: String = s.chars().take(40).collect();
            format!("string \"{head}…\"")
        }
        Value::String(s) => format!("string \"{s}\""),
        Value::Array(_) => "array".to_owned(),
        Value::Object(_) => "object".to_owned(),
    }
}

/// JUEL coercion to a number: null and `""` are 0; a string with `.`, `e` or `E` parses as a
/// decimal, any other string as an integer; booleans, arrays and objects are errors.
pub(crate) fn to_number(value: &Value) -> Result<Num, EvalError> {
    let type_error = || EvalError::Type {
        expected: "number",
        found: describe(value),
    };
    match value {
        Value::Null => Ok(Num::Int(0)),
        Value::Number(n) => Ok(number_of(n)),
        Value::String(s) if s.is_empty() => Ok(Num::Int(0)),
        Value::String(s) if s.contains(['.', 'e', 'E']) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Num::Float(f)),
            _ => Err(type_error()),
        },
        Value::String(s) => s.parse::<i64>().map(Num::Int).map_err(|_| type_error()),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => Err(type_error()),
    }
}

fn number_of(n: &Number) -> Num {
    match n.as_i64() {
        Some(i) => Num::Int(i),
        // u64 above i64::MAX, or a decimal
        None => Num::Float(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// Coercion to a boolean: booleans as they are, null and `""` false, the strings `true` /
/// `false` (any case); anything else is an error (stricter than JUEL's `Boolean.valueOf`).
pub(crate) fn to_bool(value: &Value) -> Result<bool, EvalError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        Value::String(s) if s.is_empty() || s.eq_ignore_ascii_case("false") => Ok(false),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        _ => Err(EvalError::Type {
            expected: "boolean",
            found: describe(value),
        }),
    }
}

/// The text of a value in a composite: null is `""`, strings as they are, everything else its
/// JSON text.
pub(crate) fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `empty`: true for null, `""`, `[]` and `{}`.
pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn float_value(f: f64, op: &'static str) -> Result<Value, EvalError> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or(EvalError::NonFinite(op))
}

/// Unary `-`: null is 0; strings coerce to numbers.
pub(crate) fn negate(value: &Value) -> Result<Value, EvalError> {
    match to_number(value)? {
        Num::Int(i) => i
            .checked_neg()
            .map(Value::from)
            .ok_or(EvalError::Overflow("-")),
        Num::Float(f) => float_value(-f, "-"),
    }
}

/// `+ - * / %`. Both null → 0. `/` is always decimal; the others stay integer when both
/// operands coerce to integers, with overflow an error.
pub(crate) fn arithmetic(op: BinaryOp, left: &Value, right: &Value) -> Result<Value, EvalError> {
    if left.is_null() && right.is_null() {
        return Ok(Value::from(0));
    }
    let symbol = op.symbol();
    let (a, b) = (to_number(left)?, to_number(right)?);
    if op == BinaryOp::Div {
        let divisor = b.as_f64();
        if divisor == 0.0 {
            return Err(EvalError::DivisionByZero);
        }
        return float_value(a.as_f64() / divisor, symbol);
    }
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        let result = match op {
            BinaryOp::Add => x.checked_add(y),
            BinaryOp::Sub => x.checked_sub(y),
            BinaryOp::Mul => x.checked_mul(y),
            BinaryOp::Mod if y == 0 => return Err(EvalError::DivisionByZero),
            // i64::MIN % -1 is 0, as in Java
            BinaryOp::Mod => Some(x.wrapping_rem(y)),
            _ => None,
        };
        return result.map(Value::from).ok_or(EvalError::Overflow(symbol));
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    let result = match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Mod if y == 0.0 => return Err(EvalError::DivisionByZero),
        // Rust's `%` on f64 truncates like Java's
        _ => x % y,
    };
    float_value(result, symbol)
}

fn compare_numbers(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        _ => a.as_f64().partial_cmp(&b.as_f64()),
    }
}

/// `==` (`equal == true`) and `!=`. Null equals only null; a number against a number or string
/// compares numerically (the string must be numeric); a boolean against a boolean or string
/// compares as booleans; two strings by text; anything else by JSON equality.
pub(crate) fn equals(left: &Value, right: &Value) -> Result<bool, EvalError> {
    Ok(match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            compare_numbers(to_number(left)?, to_number(right)?) == Some(Ordering::Equal)
        }
        (Value::Bool(_), _) | (_, Value::Bool(_)) => to_bool(left)? == to_bool(right)?,
        _ => left == right,
    })
}

/// `< > <= >=`. Either side null → false; numbers (or a number and a string) numerically;
/// strings lexicographically by Unicode scalar value; booleans with false < true; anything else
/// is an error.
pub(crate) fn compare(op: BinaryOp, left: &Value, right: &Value) -> Result<bool, EvalError> {
    let ordering = match (left, right) {
        (Value::Null, _) | (_, Value::Null) => return Ok(false),
        (Value::Number(_), Value::Number(_) | Value::String(_))
        | (Value::String(_), Value::Number(_)) => {
            compare_numbers(to_number(left)?, to_number(right)?)
        }
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => {
            return Err(EvalError::Incomparable {
                operator: op.symbol(),
                left: describe(left),
                right: describe(right),
            });
        }
    };
    let Some(ordering) = ordering else {
        return Ok(false);
    };
    Ok(match op {
        BinaryOp::Lt => ordering == Ordering::Less,
        BinaryOp::Gt => ordering == Ordering::Greater,
        BinaryOp::Le => ordering != Ordering::Greater,
        _ => ordering != Ordering::Less,
    })
}

/// An array index: an integer, an integral decimal or a numeric string. Negative indexes come
/// back as `None` (out of range, like JUEL's list resolver).
pub(crate) fn to_index(value: &Value) -> Result<Option<usize>, EvalError> {
    let type_error = || EvalError::Type {
        expected: "array index",
        found: describe(value),
    };
    let index = match value {
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
            return Err(type_error());
        }
        _ => match to_number(value).map_err(|_| type_error())? {
            Num::Int(i) => i,
            Num::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => f as i64,
            Num::Float(_) => return Err(type_error()),
        },
    };
    Ok(usize::try_from(index).ok())
}

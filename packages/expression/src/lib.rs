//! carpetti-expression owns the expression language of Carpetti's embedded BPMN engine: the JUEL
//! (Unified Expression Language 2.2) subset that Camunda 7 models use in `${…}` / `#{…}` —
//! sequence-flow conditions, `camunda:topic`, `camunda:collection`, input/output parameters,
//! timer definitions, a call activity's business key. Values are [`serde_json::Value`]s.
//!
//! ```
//! use carpetti_expression::Expression;
//! use serde_json::{json, Map, Value};
//!
//! let vars: Map<String, Value> = json!({"amount": 150, "order": {"id": "A-7"}})
//!     .as_object().cloned().unwrap_or_default();
//! assert!(Expression::parse("${amount > 100 && not empty order.id}")?.evaluate_bool(&vars)?);
//! let text = Expression::parse("Order ${order.id} ready")?.evaluate(&vars)?;
//! assert_eq!(text, json!("Order A-7 ready"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Sources
//! A source is literal text (no `${`), exactly one `${…}` (evaluates to that expression's value,
//! of any type), or text with embedded expressions (evaluates to a string: each value converted
//! to text — null as `""`, strings as they are, anything else as its JSON text — and
//! concatenated). `\${` and `\#{` in text stand for a literal `${` / `#{`. `${…}` and `#{…}` are
//! the same (no deferred evaluation) but, as in JUEL, cannot be mixed in one source.
//!
//! # Grammar
//! Literals: `'…'` / `"…"` strings (escapes `\'`, `\"`, `\\`; any other backslash is kept),
//! integers (i64), decimals (`1.5`, `.5`, `1.`, `1e3`), `true`, `false`, `null`. Identifiers
//! (letters, digits, `_`, `$`), property access `a.b`, `a['b']`, `a["b"]`, index `a[0]`.
//! Operators, tightest first: `[] .`; unary `-`, `!`/`not`, `empty`; `*`, `/`/`div`, `%`/`mod`;
//! `+ -`; `<`/`lt`, `>`/`gt`, `<=`/`le`, `>=`/`ge`; `==`/`eq`, `!=`/`ne`; `&&`/`and`; `||`/`or`;
//! `? :` (right-associative); parentheses. Binary operators are left-associative. Reserved words
//! (`and or not eq ne lt gt le ge div mod empty true false null instanceof`) are not identifiers
//! nor property names (use `a['empty']`).
//!
//! Not supported, and a [`ParseError`] at parse time (the engine refuses such a model at
//! deployment): method calls (`${x.equals(y)}`, `${list.elements()}`), functions (`${f(x)}`,
//! `${fn:len(x)}`), `instanceof`, assignment, lambdas and every other EL 3.0 addition. Sources
//! longer than [`MAX_SOURCE_CHARS`] chars and expressions nested deeper than [`MAX_NESTING`]
//! levels (parentheses, brackets, unary operators, conditionals) are rejected too, so neither
//! parsing nor evaluation can overflow the stack.
//!
//! # Semantics
//! The JUEL 2.2 coercions (spec §1.7–1.18) over JSON types: a JSON integer is a `Long`, any
//! other number a `Double`.
//! - **Variables**: an identifier [`Variables`] does not know is [`EvalError::UnknownVariable`]
//!   everywhere, also under `empty` (Camunda throws `Cannot resolve identifier`; plain JUEL would
//!   give null).
//! - **Properties**: `a.b` / `a['b']` on an object is the member, null if missing (map
//!   semantics); on an array, `a[i]` takes an integer (or numeric string) index and is null out
//!   of range; a property of null is null (JUEL); a property of a string, number or boolean, or a
//!   named property of an array, is [`EvalError::UnknownProperty`].
//! - **To number** (arithmetic, comparisons with a number): null and `""` are 0; a string with
//!   `.`, `e` or `E` is parsed as a decimal, any other as an integer; failing that, or for a
//!   boolean, array or object, [`EvalError::Type`].
//! - **Arithmetic**: `+ - * %` stay integer when both operands are integers and fail with
//!   [`EvalError::Overflow`] outside i64 (JUEL silently wraps; an engine should not); otherwise
//!   they are decimal. `/` and `div` are always decimal (`4 / 2` is `2.0`). Division or modulo by
//!   zero is [`EvalError::DivisionByZero`]; a non-finite decimal result is
//!   [`EvalError::NonFinite`]. `+` never concatenates: `'1' + 2` is 3, `'a' + 1` an error. Both
//!   operands null gives 0. Unary `-` of null is 0.
//! - **`==` / `!=`**: null equals only null; if either side is a number both are coerced to
//!   numbers (1 == 1.0; a non-numeric string is an error); else if either is a boolean both
//!   are coerced to booleans; two strings compare by text; anything else (arrays, objects, a
//!   string against an object) by JSON equality.
//! - **`< > <= >=`**: false if either side is null; a number against a number or string
//!   compares numerically (the string is coerced); two strings lexicographically (by Unicode
//!   scalar value); booleans with false < true; anything else is [`EvalError::Incomparable`].
//! - **To boolean** (`! && || ?:`, [`Expression::evaluate_bool`]): booleans as they are, the
//!   strings `"true"`/`"false"` (any case); null and `""` are false; anything else is
//!   [`EvalError::Type`] (JUEL's `Boolean.valueOf` would read any other string as false).
//!   `&&` and `||` short-circuit and give booleans. `evaluate_bool` itself rejects null (a
//!   condition must give a boolean, as in Camunda).
//! - **`empty x`**: true for null, `""`, `[]` and `{}`, false otherwise.

mod ast;
mod error;
mod eval;
mod lexer;
mod parser;
mod value;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

pub use error::{EvalError, ParseError};
pub use eval::Variables;
pub use parser::{MAX_NESTING, MAX_SOURCE_CHARS};

/// A parsed expression source: a literal text, one `${…}`/`#{…}` expression, or a composite
/// text with embedded expressions (`Order ${id} ready`) which evaluates to a string.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    body: ast::Body,
}

impl Expression {
    /// Parses `source`; anything outside the supported grammar is an error with its position.
    pub fn parse(source: &str) -> Result<Expression, ParseError> {
        Ok(Expression {
            source: source.to_owned(),
            body: parser::parse_body(source)?,
        })
    }

    /// True if the source has no `${…}` / `#{…}` (it evaluates to its own text).
    pub fn is_literal(&self) -> bool {
        matches!(self.body, ast::Body::Literal(_))
    }

    /// The source as given to [`Expression::parse`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates against `vars`. A literal gives its text, a single `${…}` its value, a
    /// composite text the concatenated string.
    pub fn evaluate(&self, vars: &dyn Variables) -> Result<Value, EvalError> {
        eval::evaluate_body(&self.body, vars)
    }

    /// Evaluates a condition: the value must be a boolean or the string `"true"`/`"false"` (any
    /// case); anything else, null included, is [`EvalError::Type`].
    pub fn evaluate_bool(&self, vars: &dyn Variables) -> Result<bool, EvalError> {
        match self.evaluate(vars)? {
            Value::Bool(b) => Ok(b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            other => Err(EvalError::Type {
                expected: "boolean",
                found: value::describe(&other),
            }),
        }
    }

    /// The variable names the expression references (not property names), each once, in order
    /// of first appearance: `${a.b + c[d]}` gives `["a", "c", "d"]`.
    pub fn identifiers(&self) -> Vec<&str> {
        self.body.identifiers()
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Expression {
    type Err = ParseError;

    fn from_str(source: &str) -> Result<Self, Self::Err> {
        Self::parse(source)
    }
}

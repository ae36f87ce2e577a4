//! carpetti-expression's integration tests: what parses and how (`parse`), the values of every
//! operator, coercion and composite text (`eval`), and every parse and evaluation error (`errors`).

mod errors;
mod eval;
mod parse;

use carpetti_expression::{EvalError, Expression};
use serde_json::{Map, Value, json};

/// The variables every table evaluates against.
pub fn vars() -> Map<String, Value> {
    let value = json!({
        "amount": 150,
        "price": 2.5,
        "zero": 0,
        "big": i64::MAX,
        "name": "Alice",
        "num_str": "42",
        "dec_str": "1.5",
        "empty_str": "",
        "t_str": "true",
        "f_str": "FALSE",
        "flag": true,
        "off": false,
        "nothing": null,
        "items": [10, 20, 30],
        "no_items": [],
        "no_fields": {},
        "key": "id",
        "order": {
            "id": "A-7",
            "lines": [{"sku": "X", "qty": 2}],
            "note": null,
            "empty": true,
            "1": "one"
        }
    });
    value.as_object().cloned().expect("an object")
}

/// Parses and evaluates `source` against [`vars`].
pub fn eval(source: &str) -> Result<Value, EvalError> {
    Expression::parse(source)
        .unwrap_or_else(|e| panic!("{source} should parse: {e}"))
        .evaluate(&vars())
}

//! What parses: source kinds, identifiers, whitespace, the length and nesting limits.

use carpetti_expression::{Expression, MAX_NESTING, MAX_SOURCE_CHARS};
use serde_json::json;

use crate::eval;

#[test]
fn literal_single_and_composite_sources() {
    let literal = Expression::parse("external-topic").expect("parses");
    assert!(literal.is_literal());
    assert_eq!(literal.source(), "external-topic");
    assert!(literal.identifiers().is_empty());

    let escaped = Expression::parse(r"price \${x}").expect("parses");
    assert!(escaped.is_literal());
    assert_eq!(escaped.source(), r"price \${x}");

    for source in ["${topic}", "#{topic}", "Order ${id}", "${a}${b}"] {
        let expression = Expression::parse(source).expect("parses");
        assert!(!expression.is_literal(), "{source}");
        assert_eq!(expression.source(), source);
        assert_eq!(expression.to_string(), source);
    }
}

#[test]
fn identifiers_are_top_level_variables_in_order_once() {
    let cases: &[(&str, &[&str])] = &[
        ("${a.b + c[d]}", &["a", "c", "d"]),
        ("${x > 1 && x < 10}", &["x"]),
        ("${ok ? yes : no}", &["ok", "yes", "no"]),
        ("${empty list || -n > 0 || !flag}", &["list", "n", "flag"]),
        (
            "Order ${order.id} for ${customer['name']} ${order.total}",
            &["order", "customer"],
        ),
        ("${'literal' == 1}", &[]),
        ("${a['b'].c[e.f]}", &["a", "e"]),
        ("plain", &[]),
    ];
    for (source, expected) in cases {
        let expression = Expression::parse(source).expect("parses");
        assert_eq!(expression.identifiers(), *expected, "{source}");
    }
}

#[test]
fn whitespace_and_keyword_spellings() {
    assert_eq!(eval("${  amount\n>\t100 }"), Ok(json!(true)));
    assert_eq!(
        eval("${amount gt 100 and not (name eq 'Bob')}"),
        Ok(json!(true))
    );
    assert_eq!(eval("${amount>100&&name=='Alice'}"), Ok(json!(true)));
    // identifiers may contain keywords, `_`, `$` and non-ASCII letters
    let vars = |name: &str| {
        ["android", "or_else", "$x", "émission", "notes2"]
            .contains(&name)
            .then(|| json!(1))
    };
    let expression =
        Expression::parse("${android + or_else + $x + émission + notes2}").expect("parses");
    assert_eq!(expression.evaluate(&vars), Ok(json!(5)));
}

#[test]
fn equal_sources_parse_equal() {
    let a = Expression::parse("${a + 1}").expect("parses");
    let b: Expression = "${a + 1}".parse().expect("parses");
    let copy = b.clone();
    assert_eq!(a, copy);
    assert_eq!(b.source(), copy.source());
    assert_ne!(a, Expression::parse("${a + 2}").expect("parses"));
}

fn nested_parens(depth: usize) -> String {
    format!("${{{}1{}}}", "(".repeat(depth), ")".repeat(depth))
}

#[test]
fn nesting_up_to_the_limit_parses_and_evaluates() {
    assert_eq!(eval(&nested_parens(MAX_NESTING)), Ok(json!(1)));
    assert_eq!(
        eval(&format!("${{{}amount}}", "-".repeat(MAX_NESTING))),
        Ok(json!(150))
    );
    assert_eq!(
        eval(&format!("${{{}flag}}", "!".repeat(MAX_NESTING))),
        Ok(json!(true))
    );
    let zeros = |name: &str| (name == "z").then(|| json!([0]));
    let brackets = format!(
        "${{{}0{}}}",
        "z[".repeat(MAX_NESTING),
        "]".repeat(MAX_NESTING)
    );
    let expression = Expression::parse(&brackets).expect("parses");
    assert_eq!(expression.evaluate(&zeros), Ok(json!(0)));
}

#[test]
fn worst_case_tree_at_the_limit_evaluates_without_overflow() {
    // Each level passes through every precedence level, a unary, an index and a conditional;
    // '(', '-' and '[' are open at the same time: three nesting levels each.
    let levels = MAX_NESTING / 3;
    let source = format!(
        "${{{}0{}}}",
        "(off || flag && true == 1 < 2 + 0 * -z[".repeat(levels),
        "] ? 0 : 1)".repeat(levels)
    );
    let vars = |name: &str| match name {
        "z" => Some(json!([0])),
        "off" => Some(json!(false)),
        "flag" => Some(json!(true)),
        _ => None,
    };
    let expression = Expression::parse(&source).expect("parses");
    assert_eq!(expression.evaluate(&vars), Ok(json!(0)));
}

#[test]
fn long_operator_chains_and_paths_are_not_nesting() {
    let terms = 4_000;
    let sum = format!("${{1{}}}", "+1".repeat(terms - 1));
    assert_eq!(eval(&sum), Ok(json!(terms)));
    let ors = format!("${{off{}}}", " || off".repeat(1_000));
    assert_eq!(eval(&ors), Ok(json!(false)));
    let path = format!("${{order{}}}", ".x".repeat(3_000));
    assert_eq!(eval(&path), Ok(serde_json::Value::Null));
}

#[test]
fn sources_up_to_the_length_limit_parse() {
    let source = format!("${{'{}'}}", "é".repeat(MAX_SOURCE_CHARS - 5));
    assert_eq!(source.chars().count(), MAX_SOURCE_CHARS);
    assert!(Expression::parse(&source).is_ok());
    assert!(Expression::parse(&"x".repeat(MAX_SOURCE_CHARS)).is_ok());
}

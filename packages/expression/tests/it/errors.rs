//! Every parse error (with its position) and every evaluation error.

use carpetti_expression::{EvalError, Expression, MAX_NESTING, MAX_SOURCE_CHARS, ParseError};

use crate::eval;

/// Asserts `source` fails to parse at `position` with a message containing `fragment`.
fn parse_error(source: &str, position: usize, fragment: &str) -> Option<String> {
    match Expression::parse(source) {
        Err(ParseError {
            position: p,
            message,
        }) if p == position && message.contains(fragment) => None,
        other => Some(format!(
            "{source}: expected error at {position} containing {fragment:?}, got {other:?}"
        )),
    }
}

fn check_parse_errors(cases: &[(&str, usize, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(source, position, fragment)| parse_error(source, *position, fragment))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn method_and_function_calls_are_rejected() {
    check_parse_errors(&[
        (
            "${x.equals(y)}",
            4,
            "method calls are not supported: 'equals(…)'",
        ),
        ("${list.elements()}", 7, "method calls are not supported"),
        (
            "${score.numberValue() > 5}",
            8,
            "method calls are not supported",
        ),
        (
            "${execution.getVariable('x')}",
            12,
            "method calls are not supported",
        ),
        ("${a.b.c(1, 2)}", 6, "method calls are not supported"),
        (
            "${x.empty()}",
            4,
            "method calls are not supported: 'empty(…)'",
        ),
        ("${a['m']()}", 3, "method calls are not supported"),
        (
            "Order ${order.getId()} ready",
            14,
            "method calls are not supported",
        ),
        ("é ${x.y()}", 6, "method calls are not supported"),
        ("${S(json)}", 2, "function calls are not supported: 'S(…)'"),
        (
            "${fn:len(x)}",
            2,
            "function calls are not supported: 'fn:len(…)'",
        ),
    ]);
}

#[test]
fn tokens_outside_the_grammar_are_rejected_with_their_position() {
    check_parse_errors(&[
        ("${a instanceof b}", 4, "unexpected 'instanceof'"),
        ("${instanceof}", 2, "'instanceof' is reserved"),
        ("${a = 1}", 4, "assignment is not supported"),
        ("${a & b}", 4, "unexpected '&'"),
        ("${a | b}", 4, "unexpected '|'"),
        ("${a; b}", 3, "unexpected character ';'"),
        ("${a += 1}", 5, "assignment is not supported"),
        ("${x -> x}", 5, "expected an expression, found '>'"),
        ("${{1, 2}}", 2, "unexpected character '{'"),
        ("${[1, 2]}", 2, "expected an expression, found '['"),
        ("${a, b}", 3, "unexpected ','"),
        ("${1 2}", 4, "unexpected '2'; expected '}'"),
        ("${a b}", 4, "unexpected 'b'"),
        ("${}", 2, "expected an expression, found '}'"),
        ("${ }", 3, "expected an expression, found '}'"),
        ("${a +}", 5, "expected an expression, found '}'"),
        ("${a.}", 4, "expected a property name after '.', found '}'"),
        (
            "${a.and}",
            4,
            "expected a property name after '.', found 'and'",
        ),
        ("${a.1}", 3, "unexpected '.1'"),
        ("${a[]}", 4, "expected an expression, found ']'"),
        ("${a[0}", 5, "expected ']'"),
        ("${(a}", 4, "expected ')'"),
        ("${a ? b}", 7, "expected ':' of the conditional expression"),
        ("${a : b}", 4, "unexpected ':'"),
        (
            "${99999999999999999999}",
            2,
            "integer literal 99999999999999999999 is out of range",
        ),
        ("${1e999}", 2, "number literal is out of range"),
        ("${a", 0, "unterminated expression: missing '}'"),
        ("text ${a + (b}", 13, "expected ')', found '}'"),
        ("text ${a + b", 5, "unterminated expression"),
        ("x ${'abc}", 4, "unterminated string literal"),
        ("${a} #{b}", 5, "cannot be mixed"),
        ("#{a} ${b}", 5, "cannot be mixed"),
        ("${'ok'} ${a ! b}", 12, "unexpected '!'"),
    ]);
}

#[test]
fn parse_error_display_names_the_position() {
    let error = Expression::parse("${x.equals(y)}").expect_err("a method call");
    assert_eq!(
        error.to_string(),
        "at 4: method calls are not supported: 'equals(…)'"
    );
}

#[test]
fn nesting_and_length_limits() {
    let open = MAX_NESTING + 1;
    let parens = format!("${{{}1{}}}", "(".repeat(open), ")".repeat(open));
    let unary = format!("${{{}x}}", "!".repeat(open));
    let brackets = format!("${{{}0{}}}", "a[".repeat(open), "]".repeat(open));
    let ternaries = format!("${{{}0}}", "a ? 1 : ".repeat(open));
    // The level beyond the limit is opened by the 65th '(' / '!' at 2 + 64.
    check_parse_errors(&[
        (&parens, 2 + MAX_NESTING, "nested deeper than 64 levels"),
        (&unary, 2 + MAX_NESTING, "nested deeper than 64 levels"),
        (
            &brackets,
            2 + MAX_NESTING * 2 + 1,
            "nested deeper than 64 levels",
        ),
        (
            &ternaries,
            2 + MAX_NESTING * 8 + 2,
            "nested deeper than 64 levels",
        ),
    ]);
    // A very deep source is refused early, without overflowing the stack.
    let huge = format!("${{{}1{}}}", "(".repeat(4_990), ")".repeat(4_990));
    check_parse_errors(&[(&huge, 2 + MAX_NESTING, "nested deeper")]);

    let too_long = "x".repeat(MAX_SOURCE_CHARS + 1);
    check_parse_errors(&[(&too_long, MAX_SOURCE_CHARS, "longer than 10000 characters")]);
    let too_long_chars = "é".repeat(MAX_SOURCE_CHARS + 1);
    check_parse_errors(&[(&too_long_chars, MAX_SOURCE_CHARS, "longer than")]);
}

#[test]
fn unknown_variables_fail_everywhere() {
    for source in [
        "${missing}",
        "${empty missing}",
        "${missing.x}",
        "${missing == null}",
        "${flag && missing}",
        "${off || missing}",
        "${flag ? missing : 1}",
        "${items[missing]}",
        "a ${missing} b",
    ] {
        assert_eq!(
            eval(source),
            Err(EvalError::UnknownVariable("missing".to_owned())),
            "{source}"
        );
    }
    assert_eq!(
        EvalError::UnknownVariable("x".to_owned()).to_string(),
        "Cannot resolve identifier 'x'"
    );
}

#[test]
fn unknown_properties() {
    let cases = [
        ("${name.length}", "length", "string \"Alice\""),
        ("${amount.x}", "x", "number 150"),
        ("${flag['x']}", "x", "boolean true"),
        ("${items.size}", "size", "array"),
        ("${'abc'[0]}", "0", "string \"abc\""),
    ];
    for (source, property, base) in cases {
        assert_eq!(
            eval(source),
            Err(EvalError::UnknownProperty {
                property: property.to_owned(),
                base: base.to_owned()
            }),
            "{source}"
        );
    }
    assert_eq!(
        eval("${name.length}").map_err(|e| e.to_string()),
        Err("Cannot resolve property 'length' of string \"Alice\"".to_owned())
    );
}

#[test]
fn type_errors() {
    let cases = [
        ("${'abc' + 1}", "number", "string \"abc\""),
        ("${'1.2.3' * 2}", "number", "string \"1.2.3\""),
        ("${flag + 1}", "number", "boolean true"),
        ("${items + 1}", "number", "array"),
        ("${order - 1}", "number", "object"),
        ("${-name}", "number", "string \"Alice\""),
        ("${name > 1}", "number", "string \"Alice\""),
        ("${name == 1}", "number", "string \"Alice\""),
        ("${flag == 1}", "number", "boolean true"),
        ("${items == 1}", "number", "array"),
        ("${name == true}", "boolean", "string \"Alice\""),
        ("${!name}", "boolean", "string \"Alice\""),
        ("${not amount}", "boolean", "number 150"),
        ("${name && flag}", "boolean", "string \"Alice\""),
        ("${flag && items}", "boolean", "array"),
        ("${amount ? 1 : 2}", "boolean", "number 150"),
        ("${items['x']}", "array index", "string \"x\""),
        ("${items[flag]}", "array index", "boolean true"),
        ("${items[1.5]}", "array index", "number 1.5"),
        ("${items[nothing]}", "array index", "null"),
    ];
    for (source, expected, found) in cases {
        assert_eq!(
            eval(source),
            Err(EvalError::Type {
                expected,
                found: found.to_owned()
            }),
            "{source}"
        );
    }
    assert_eq!(
        eval("${'abc' + 1}").map_err(|e| e.to_string()),
        Err("Cannot coerce string \"abc\" to number".to_owned())
    );
}

#[test]
fn incomparable_values() {
    assert_eq!(
        eval("${items < 1}"),
        Err(EvalError::Incomparable {
            operator: "<",
            left: "array".to_owned(),
            right: "number 1".to_owned()
        })
    );
    assert!(matches!(
        eval("${flag ge 'x'}"),
        Err(EvalError::Incomparable { operator: ">=", .. })
    ));
    assert!(matches!(
        eval("${order > order}"),
        Err(EvalError::Incomparable { .. })
    ));
}

#[test]
fn arithmetic_errors() {
    for source in [
        "${1 / 0}",
        "${1 div zero}",
        "${1 % 0}",
        "${1.5 mod 0}",
        "${nothing / 0}",
    ] {
        assert_eq!(eval(source), Err(EvalError::DivisionByZero), "{source}");
    }
    for (source, op) in [
        ("${big + 1}", "+"),
        ("${-big - 2}", "-"),
        ("${big * 2}", "*"),
        ("${-(-big - 1)}", "-"),
    ] {
        assert_eq!(eval(source), Err(EvalError::Overflow(op)), "{source}");
    }
    assert_eq!(eval("${1e308 * 10}"), Err(EvalError::NonFinite("*")));
    assert_eq!(eval("${1e308 / 1e-10}"), Err(EvalError::NonFinite("/")));
    assert_eq!(
        eval("${1 / 0}").map_err(|e| e.to_string()),
        Err("Division by zero".to_owned())
    );
}

//! Values: a table per operator family, run against [`crate::vars`].

use std::collections::HashMap;

use carpetti_expression::{EvalError, Expression};
use serde_json::{Value, json};

use crate::eval;

fn check(cases: &[(&str, Value)]) {
    let mut failures = Vec::new();
    for (source, expected) in cases {
        match eval(source) {
            Ok(value) if value == *expected => {}
            other => failures.push(format!("{source}: expected {expected}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn literals() {
    check(&[
        ("${'single'}", json!("single")),
        ("${\"double\"}", json!("double")),
        (r"${'it\'s'}", json!("it's")),
        (r#"${"say \"hi\""}"#, json!("say \"hi\"")),
        (r#"${'mixed "quotes"'}"#, json!("mixed \"quotes\"")),
        (r"${'back\\slash'}", json!("back\\slash")),
        (r"${'kept \n'}", json!("kept \\n")),
        ("${'}'}", json!("}")),
        ("${42}", json!(42)),
        ("${1.5}", json!(1.5)),
        ("${.5}", json!(0.5)),
        ("${2.}", json!(2.0)),
        ("${1e3}", json!(1000.0)),
        ("${1.5E-1}", json!(0.15)),
        ("${true}", json!(true)),
        ("${false}", json!(false)),
        ("${null}", Value::Null),
    ]);
}

#[test]
fn identifiers_and_properties() {
    check(&[
        ("${amount}", json!(150)),
        ("${nothing}", Value::Null),
        ("${order.id}", json!("A-7")),
        ("${order['id']}", json!("A-7")),
        ("${order[\"id\"]}", json!("A-7")),
        ("${order[key]}", json!("A-7")),
        ("${order['empty']}", json!(true)),
        ("${order[1]}", json!("one")),
        ("${order.missing}", Value::Null),
        ("${order.note.deeper.still}", Value::Null),
        ("${nothing.x}", Value::Null),
        ("${order[nothing]}", Value::Null),
        ("${items[0]}", json!(10)),
        ("${items[2]}", json!(30)),
        ("${items[3]}", Value::Null),
        ("${items[-1]}", Value::Null),
        ("${items['1']}", json!(20)),
        ("${items[1.0]}", json!(20)),
        ("${items[zero + 1]}", json!(20)),
        ("${order.lines[0].qty}", json!(2)),
        ("${order['lines'][0]['sku']}", json!("X")),
        ("${(order).id}", json!("A-7")),
    ]);
}

#[test]
fn unary_operators() {
    check(&[
        ("${-amount}", json!(-150)),
        ("${-price}", json!(-2.5)),
        ("${- -5}", json!(5)),
        ("${-num_str}", json!(-42)),
        ("${-dec_str}", json!(-1.5)),
        ("${-nothing}", json!(0)),
        ("${!flag}", json!(false)),
        ("${not off}", json!(true)),
        ("${!t_str}", json!(false)),
        ("${!f_str}", json!(true)),
        ("${!nothing}", json!(true)),
        ("${!!flag}", json!(true)),
        ("${empty nothing}", json!(true)),
        ("${empty empty_str}", json!(true)),
        ("${empty no_items}", json!(true)),
        ("${empty no_fields}", json!(true)),
        ("${empty order.missing}", json!(true)),
        ("${empty items}", json!(false)),
        ("${empty name}", json!(false)),
        ("${empty zero}", json!(false)),
        ("${empty off}", json!(false)),
        ("${not empty name}", json!(true)),
    ]);
}

#[test]
fn arithmetic() {
    check(&[
        ("${1 + 2}", json!(3)),
        ("${7 - 10}", json!(-3)),
        ("${6 * 7}", json!(42)),
        ("${7 / 2}", json!(3.5)),
        ("${4 / 2}", json!(2.0)),
        ("${7 div 2}", json!(3.5)),
        ("${7 % 3}", json!(1)),
        ("${7 mod 3}", json!(1)),
        ("${-7 % 3}", json!(-1)),
        ("${7.5 % 2}", json!(1.5)),
        ("${1 + 2.5}", json!(3.5)),
        ("${price * 2}", json!(5.0)),
        ("${num_str + 1}", json!(43)),
        ("${dec_str + 1}", json!(2.5)),
        ("${'1' + '2'}", json!(3)),
        ("${'1e1' * 1}", json!(10.0)),
        ("${nothing + 1}", json!(1)),
        ("${nothing + nothing}", json!(0)),
        ("${nothing / nothing}", json!(0)),
        ("${empty_str + 5}", json!(5)),
        ("${big - 1 + 1}", json!(i64::MAX)),
        ("${big + 1.0}", json!(9.223_372_036_854_776e18)),
    ]);
}

#[test]
fn precedence_and_associativity() {
    check(&[
        ("${1 + 2 * 3}", json!(7)),
        ("${(1 + 2) * 3}", json!(9)),
        ("${10 - 2 - 3}", json!(5)),
        ("${2 * 3 % 4}", json!(2)),
        ("${100 / 10 / 5}", json!(2.0)),
        ("${-2 * -3}", json!(6)),
        ("${- items[0]}", json!(-10)),
        ("${1 + 2 < 4}", json!(true)),
        ("${1 < 2 == true}", json!(true)),
        ("${1 == 1 == true}", json!(true)),
        ("${true || false && false}", json!(true)),
        ("${(true || false) && false}", json!(false)),
        ("${!flag || flag}", json!(true)),
        ("${not flag == false}", json!(true)),
        ("${empty no_items && amount > 100}", json!(true)),
        ("${1 == 1 ? 'a' : 'b'}", json!("a")),
        ("${flag ? 1 : 2 + 3}", json!(1)),
        ("${off ? 1 : 2 + 3}", json!(5)),
        ("${off ? 1 : off ? 2 : 3}", json!(3)),
        ("${flag ? off ? 1 : 2 : 3}", json!(2)),
        ("${amount > 100 && amount < 200 || off}", json!(true)),
    ]);
}

#[test]
fn relational() {
    check(&[
        ("${amount > 100}", json!(true)),
        ("${amount gt 150}", json!(false)),
        ("${amount < 100}", json!(false)),
        ("${amount lt 200}", json!(true)),
        ("${amount >= 150}", json!(true)),
        ("${amount ge 151}", json!(false)),
        ("${amount <= 150}", json!(true)),
        ("${amount le 149}", json!(false)),
        ("${1 < 1.5}", json!(true)),
        ("${price > 2}", json!(true)),
        ("${'abc' < 'abd'}", json!(true)),
        ("${'b' > 'abc'}", json!(true)),
        ("${'10' > '9'}", json!(false)),
        ("${num_str > 41}", json!(true)),
        ("${num_str < 5}", json!(false)),
        ("${dec_str >= 1.5}", json!(true)),
        ("${nothing < 1}", json!(false)),
        ("${nothing > 1}", json!(false)),
        ("${nothing <= nothing}", json!(false)),
        ("${false < true}", json!(true)),
    ]);
}

#[test]
fn equality() {
    check(&[
        ("${1 == 1}", json!(true)),
        ("${1 == 1.0}", json!(true)),
        ("${1 eq 2}", json!(false)),
        ("${1 != 2}", json!(true)),
        ("${1 ne 1}", json!(false)),
        ("${num_str == 42}", json!(true)),
        ("${42 == '42.0'}", json!(true)),
        ("${name == 'Alice'}", json!(true)),
        ("${name eq \"Alice\"}", json!(true)),
        ("${name != 'Bob'}", json!(true)),
        ("${nothing == null}", json!(true)),
        ("${nothing != null}", json!(false)),
        ("${nothing == 0}", json!(false)),
        ("${null == ''}", json!(false)),
        ("${flag == true}", json!(true)),
        ("${t_str == true}", json!(true)),
        ("${f_str == false}", json!(true)),
        ("${f_str == flag}", json!(false)),
        ("${items == items}", json!(true)),
        ("${order.lines == order.lines}", json!(true)),
        ("${items == no_items}", json!(false)),
        ("${name == items}", json!(false)),
        ("${order == no_fields}", json!(false)),
    ]);
}

#[test]
fn logical_short_circuit() {
    check(&[
        ("${flag && off}", json!(false)),
        ("${flag and flag}", json!(true)),
        ("${off || flag}", json!(true)),
        ("${off or off}", json!(false)),
        ("${t_str && flag}", json!(true)),
        ("${nothing || flag}", json!(true)),
        ("${off && unknown}", json!(false)),
        ("${flag || unknown}", json!(true)),
        ("${off && unknown && unknown}", json!(false)),
        ("${flag && flag && flag && off}", json!(false)),
        ("${off ? unknown : 1}", json!(1)),
    ]);
}

#[test]
fn composite_text() {
    check(&[
        ("Order ${order.id} ready", json!("Order A-7 ready")),
        ("${amount}${name}", json!("150Alice")),
        ("n=${nothing}!", json!("n=!")),
        ("p=${price}, q=${4 / 2}", json!("p=2.5, q=2.0")),
        ("${flag} and ${items}", json!("true and [10,20,30]")),
        ("#{order.id}", json!("A-7")),
        ("#{order.id}-#{amount}", json!("A-7-150")),
        ("cost: $5 # {x} $ {y}", json!("cost: $5 # {x} $ {y}")),
        (r"\${not} an expression", json!("${not} an expression")),
        (r"\#{x} and ${name}", json!("#{x} and Alice")),
        (r"a\b", json!(r"a\b")),
        ("", json!("")),
        (" ${amount}", json!(" 150")),
    ]);
}

#[test]
fn evaluate_bool_accepts_booleans_and_boolean_strings() {
    let vars = crate::vars();
    let cases = [
        ("${flag}", Some(true)),
        ("${amount > 100}", Some(true)),
        ("${'TRUE'}", Some(true)),
        ("${t_str}", Some(true)),
        ("${f_str}", Some(false)),
        ("false", Some(false)),
        ("true", Some(true)),
        ("${flag}${flag}", None),
        ("${amount}", None),
        ("${nothing}", None),
        ("${name}", None),
        ("${items}", None),
    ];
    for (source, expected) in cases {
        let value = Expression::parse(source)
            .expect("parses")
            .evaluate_bool(&vars);
        match expected {
            Some(b) => assert_eq!(value, Ok(b), "{source}"),
            None => assert!(
                matches!(
                    value,
                    Err(EvalError::Type {
                        expected: "boolean",
                        ..
                    })
                ),
                "{source}: {value:?}"
            ),
        }
    }
}

#[test]
fn closures_and_maps_are_variables() {
    let expression = Expression::parse("${x + 1}").expect("parses");
    let closure = |name: &str| (name == "x").then(|| json!(5));
    assert_eq!(expression.evaluate(&closure), Ok(json!(6)));

    let mut map = HashMap::new();
    map.insert("x".to_owned(), json!(41));
    assert_eq!(expression.evaluate(&map), Ok(json!(42)));

    let tree = std::collections::BTreeMap::from([("x".to_owned(), json!(-1))]);
    assert_eq!(expression.evaluate(&tree), Ok(json!(0)));
}

#[test]
fn literal_text_evaluates_to_itself_without_variables() {
    let expression = Expression::parse("plain topic").expect("parses");
    let none = |_: &str| None;
    assert_eq!(expression.evaluate(&none), Ok(json!("plain topic")));
}

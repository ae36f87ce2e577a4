//! Query structs to query strings: each field of the struct's JSON form becomes one parameter,
//! `null`s are left out, lists become the comma-separated values Camunda expects (`…In`,
//! `processInstanceIds`, `activityIdIn`, `variables`).

use serde::Serialize;
use serde_json::Value;

use crate::error::{CamundaError, Result};

/// The `(name, value)` pairs of a query struct, in field order.
pub(crate) fn query_pairs<T: Serialize>(query: &T) -> Result<Vec<(String, String)>> {
    let value = serde_json::to_value(query)
        .map_err(|e| CamundaError::Config(format!("query does not serialize: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(CamundaError::Config("a query must be a struct".into()));
    };
    let mut pairs = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        let text = match value {
            Value::Null => continue,
            Value::Array(items) if items.is_empty() => continue,
            Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Result<Vec<_>>>()?
                .join(","),
            other => scalar(&other)?,
        };
        pairs.push((name, text));
    }
    Ok(pairs)
}

fn scalar(value: &Value) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(_) | Value::Number(_) => Ok(value.to_string()),
        other => Err(CamundaError::Config(format!(
            "query parameter value {other} is not a scalar"
        ))),
    }
}

/// A variable filter of the list queries, `name_op_value` (op: eq, neq, gt, gteq, lt, lteq, like).
pub fn variable_filter(name: &str, op: &str, value: &str) -> String {
    format!("{name}_{op}_{value}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::{InstanceQuery, Page, SortOrder};

    #[test]
    fn lists_become_csv_and_unset_fields_vanish() {
        let q = InstanceQuery {
            process_instance_ids: vec!["a".into(), "b".into()],
            process_definition_key: Some("order".into()),
            active: Some(true),
            variables: vec![variable_filter("amount", "gt", "10")],
            page: Page::window(0, 50).sorted("instanceId", SortOrder::Desc),
            ..InstanceQuery::default()
        };
        let pairs = query_pairs(&q).expect("pairs");
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("processInstanceIds"), Some("a,b"));
        assert_eq!(get("processDefinitionKey"), Some("order"));
        assert_eq!(get("active"), Some("true"));
        assert_eq!(get("variables"), Some("amount_gt_10"));
        assert_eq!(get("maxResults"), Some("50"));
        assert_eq!(get("sortOrder"), Some("desc"));
        assert_eq!(get("businessKey"), None);
        assert_eq!(get("activityIdIn"), None, "empty lists are left out");
    }
}

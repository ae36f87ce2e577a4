//! Request parameters: the query string (repeated or comma-separated lists, booleans, numbers,
//! paging and sorting, `variables` filters) and path parameters, with 400 JSON errors.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{Page, VariableFilter};

use super::error::RestError;

/// The query string as (name, value) pairs, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

/// The comparison operators of a `variables` filter.
const VARIABLE_OPS: [&str; 7] = ["eq", "neq", "gt", "gteq", "lt", "lteq", "like"];

impl Params {
    pub fn parse(query: &str) -> Result<Self, RestError> {
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
            &format!("/?{query}").parse().map_err(|e| {
                RestError::bad_request(format!("the query string is not valid: {e}"))
            })?,
        )
        .map(|q| Params(q.0))
        .map_err(|e| RestError::bad_request(format!("the query string is not valid: {e}")))
    }

    /// The last non-empty value of `name`.
    pub fn str(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    }

    /// Every value of `name`, each split at commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `true` / `false` (case-insensitive); anything else is a 400.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, RestError> {
        match self.str(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(RestError::bad_request(format!(
                "Cannot set query parameter '{name}' to value '{v}': not a boolean"
            ))),
        }
    }

    /// Whether `name` is `true`.
    pub fn flag(&self, name: &str) -> Result<bool, RestError> {
        Ok(self.bool(name)? == Some(true))
    }

    pub fn num<T: FromStr>(&self, name: &str) -> Result<Option<T>, RestError> {
        self.str(name)
            .map(|v| {
                v.trim().parse::<T>().map_err(|_| {
                    RestError::bad_request(format!(
                        "Cannot set query parameter '{name}' to value '{v}': not a valid number"
                    ))
                })
            })
            .transpose()
    }

    /// `firstResult`, `maxResults`, `sortBy` (one of `sorts`) and `sortOrder` (`asc`|`desc`);
    /// one of `sortBy`/`sortOrder` without the other is a 400, as in Camunda.
    pub fn page(&self, sorts: &[&str]) -> Result<Page, RestError> {
        Ok(Page {
            first_result: self.num("firstResult")?,
            max_results: self.num("maxResults")?,
            sort: sorting(self.str("sortBy"), self.str("sortOrder"), sorts)?,
        })
    }

    /// The `variables` filter: `name_op_value` expressions, comma-separated.
    pub fn variable_filters(&self, name: &str) -> Result<Vec<VariableFilter>, RestError> {
        self.list(name).iter().map(|e| variable_filter(e)).collect()
    }
}

/// Checks a (sortBy, sortOrder) pair.
pub(crate) fn sorting(
    by: Option<String>,
    order: Option<String>,
    sorts: &[&str],
) -> Result<Option<(String, bool)>, RestError> {
    match (by, order) {
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) => Err(RestError::bad_request(
            "Only a single sorting parameter specified. sortBy and sortOrder required",
        )),
        (Some(by), Some(order)) => {
            if !sorts.contains(&by.as_str()) {
                return Err(RestError::bad_request(format!(
                    "Cannot set query parameter 'sortBy' to value '{by}': one of {} is expected",
                    sorts.join(", ")
                )));
            }
            let ascending = match order.as_str() {
                "asc" => true,
                "desc" => false,
                _ => {
                    return Err(RestError::bad_request(format!(
                        "Cannot set query parameter 'sortOrder' to value '{order}': asc or desc is expected"
                    )));
                }
            };
            Ok(Some((by, ascending)))
        }
    }
}

/// One `name_op_value` expression. The name may contain `_`: the first part that is an operator
/// (after at least one name part) splits it.
pub(crate) fn variable_filter(expression: &str) -> Result<VariableFilter, RestError> {
    let parts: Vec<&str> = expression.split('_').collect();
    let op_at = (1..parts.len().saturating_sub(1)).find(|&i| VARIABLE_OPS.contains(&parts[i]));
    let Some(i) = op_at else {
        return Err(RestError::bad_request(format!(
            "variable query parameter '{expression}' has to have the format KEY_OPERATOR_VALUE (operator one of {})",
            VARIABLE_OPS.join(", ")
        )));
    };
    Ok(VariableFilter {
        name: parts[..i].join("_"),
        op: parts[i].to_owned(),
        value: filter_value(&parts[i + 1..].join("_")),
    })
}

/// A filter value as Camunda reads it from a query string: a number, a boolean, else a string.
pub(crate) fn filter_value(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if let Some(n) = text
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text.to_owned()),
    }
}

/// Path parameters deserialized into `T` (a struct with named fields, so the
/// `/engine/{engine_name}` prefix parameter is ignored); failures are 400 JSON.
pub(crate) struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|e| RestError::bad_request(format!("the path is not valid: {e}")))
    }
}

/// `/{id}`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct IdPath {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_booleans_and_numbers() {
        let p =
            Params::parse("keysIn=a,b&keysIn=c&latestVersion=true&active=FALSE&firstResult=5&x=")
                .expect("parse");
        assert_eq!(p.list("keysIn"), ["a", "b", "c"]);
        assert_eq!(p.bool("latestVersion").expect("bool"), Some(true));
        assert_eq!(p.bool("active").expect("bool"), Some(false));
        assert_eq!(p.bool("missing").expect("bool"), None);
        assert_eq!(p.num::<u32>("firstResult").expect("num"), Some(5));
        assert_eq!(p.str("x"), None);
        let bad = Params::parse("active=yes&maxResults=ten").expect("parse");
        assert_eq!(bad.bool("active").expect_err("bool").status.as_u16(), 400);
        assert_eq!(
            bad.num::<u32>("maxResults")
                .expect_err("num")
                .status
                .as_u16(),
            400
        );
        let encoded = Params::parse("businessKey=a%20b%2Cc").expect("parse");
        assert_eq!(encoded.str("businessKey").as_deref(), Some("a b,c"));
    }

    #[test]
    fn paging_and_sorting() {
        let sorts = ["id", "key"];
        let page = Params::parse("sortBy=key&sortOrder=desc&maxResults=10")
            .expect("parse")
            .page(&sorts)
            .expect("page");
        assert_eq!(page.sort, Some(("key".into(), false)));
        assert_eq!(page.max_results, Some(10));
        for bad in [
            "sortOrder=asc",
            "sortBy=id",
            "sortBy=name&sortOrder=asc",
            "sortBy=id&sortOrder=up",
        ] {
            let e = Params::parse(bad)
                .expect("parse")
                .page(&sorts)
                .expect_err(bad);
            assert_eq!(e.status.as_u16(), 400, "{bad}");
        }
    }

    #[test]
    fn variable_filters() {
        let p =
            Params::parse("variables=amount_gt_100,order_id_eq_A_1,flag_eq_true,name_like_J%25")
                .expect("parse");
        let f = p.variable_filters("variables").expect("filters");
        assert_eq!(
            f[0],
            VariableFilter {
                name: "amount".into(),
                op: "gt".into(),
                value: json!(100)
            }
        );
        assert_eq!(f[1].name, "order_id");
        assert_eq!(f[1].value, json!("A_1"));
        assert_eq!(f[2].value, json!(true));
        assert_eq!(
            (f[3].op.as_str(), f[3].value.clone()),
            ("like", json!("J%"))
        );
        assert!(variable_filter("amount100").is_err());
        assert!(variable_filter("amount_gt").is_err());
        assert_eq!(filter_value("1.5"), json!(1.5));
        assert_eq!(filter_value("abc"), json!("abc"));
    }
}

/// The body of `PUT …/retries`: `{"retries": n}`, n ≥ 0.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RetriesDto {
    #[serde(default)]
    retries: Option<i64>,
}

impl RetriesDto {
    pub(crate) fn retries(&self) -> Result<i32, RestError> {
        let retries = self
            .retries
            .ok_or_else(|| RestError::bad_request("retries is required"))?;
        i32::try_from(retries)
            .ok()
            .filter(|&r| r >= 0)
            .ok_or_else(|| {
                RestError::bad_request(format!("retries must be at least 0, not {retries}"))
            })
    }
}

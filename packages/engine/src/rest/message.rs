//! `POST /message`: message correlation (start events and waiting catches).

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{Correlation, CorrelationResult};

use super::error::RestError;
use super::instance::instance_json;
use super::json::{self, JsonBody, Reply};
use super::variables_dto::{VariablesDto, to_variables, variables_to_json};
use super::{AppState, Base};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/message", post(correlate))
}

/// `CorrelationMessageDto`; unknown fields ignored, `null` = absent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageDto {
    #[serde(default)]
    message_name: Option<String>,
    #[serde(default)]
    business_key: Option<String>,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    without_tenant_id: Option<bool>,
    #[serde(default)]
    process_instance_id: Option<String>,
    #[serde(default)]
    correlation_keys: VariablesDto,
    #[serde(default)]
    process_variables: VariablesDto,
    #[serde(default)]
    process_variables_local: VariablesDto,
    #[serde(default)]
    all: Option<bool>,
    #[serde(default)]
    result_enabled: Option<bool>,
    #[serde(default)]
    variables_in_result_enabled: Option<bool>,
    #[serde(default)]
    start_messages_only: Option<bool>,
}

async fn correlate(
    State(state): State<AppState>,
    base: Base,
    JsonBody(dto): JsonBody<MessageDto>,
) -> Reply {
    let Some(message_name) = dto.message_name.filter(|n| !n.is_empty()) else {
        return Err(RestError::bad_request("No message name supplied"));
    };
    if dto.tenant_id.is_some() && dto.without_tenant_id == Some(true) {
        return Err(RestError::bad_request(
            "Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'.",
        ));
    }
    let mut process_variables = to_variables(dto.process_variables)?;
    // This engine has one scope for message variables: local ones land on the instance too.
    process_variables.extend(to_variables(dto.process_variables_local)?);
    let correlation = Correlation {
        message_name,
        business_key: dto.business_key.filter(|k| !k.is_empty()),
        process_instance_id: dto.process_instance_id,
        correlation_keys: to_variables(dto.correlation_keys)?,
        process_variables,
        all: dto.all == Some(true),
        start_messages_only: dto.start_messages_only == Some(true),
    };
    let results = state.api.correlate(correlation).await?;
    if dto.result_enabled != Some(true) {
        return Ok(json::no_content());
    }
    let with_variables = dto.variables_in_result_enabled == Some(true);
    let mut out = Vec::with_capacity(results.len());
    for result in &results {
        let mut item = result_json(&base, result);
        if with_variables {
            // An instance that ended right away has no runtime variables left.
            let vars = state
                .api
                .instance_variables(&result.instance.id)
                .await
                .unwrap_or_default();
            if let Some(map) = item.as_object_mut() {
                map.insert("variables".into(), variables_to_json(&vars));
            }
        }
        out.push(item);
    }
    Ok(json::ok(&out))
}

/// `MessageCorrelationResultWithVariableDto`.
fn result_json(base: &Base, result: &CorrelationResult) -> Value {
    if result.started {
        json!({
            "resultType": "ProcessDefinition",
            "execution": Value::Null,
            "processInstance": instance_json(base, &result.instance),
        })
    } else {
        json!({
            "resultType": "Execution",
            "execution": {
                "id": result.execution_id.as_deref().unwrap_or(&result.instance.id),
                "processInstanceId": result.instance.id,
                "ended": result.instance.ended_at.is_some(),
                "tenantId": Value::Null,
            },
            "processInstance": Value::Null,
        })
    }
}

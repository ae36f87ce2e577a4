//! `POST /external-task/fetchAndLock`: the body as the JS and Python clients send it (unknown
//! fields ignored, `null` = absent) into the engine's request (long polling is the engine's),
//! and the locked tasks out as `LockedExternalTaskDto`s.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::{FetchRequest, TopicFetch};

use super::AppState;
use super::error::RestError;
use super::external_task::task_json;
use super::json::{self, JsonBody, Reply};
use super::variables_dto::{VariablesDto, to_plain_variables, variables_to_json};

/// Camunda's ceiling for `asyncResponseTimeout`: 30 minutes.
pub(crate) const MAX_ASYNC_RESPONSE_TIMEOUT_MS: u64 = 1_800_000;
/// `FetchExternalTasksDto`; unknown fields ignored, `null` = absent. `sorting`
/// (`[{sortBy: "createTime", sortOrder}]`) is accepted and not applied: the engine orders by
/// priority, then creation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FetchDto {
    #[serde(default)]
    pub worker_id: Option<String>,
    #[serde(default)]
    pub max_tasks: Option<i64>,
    #[serde(default)]
    pub use_priority: Option<bool>,
    #[serde(default)]
    pub async_response_timeout: Option<i64>,
    #[serde(default)]
    pub topics: Option<Vec<TopicDto>>,
}

/// `FetchExternalTaskTopicDto`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TopicDto {
    #[serde(default)]
    pub topic_name: Option<String>,
    #[serde(default)]
    pub lock_duration: Option<i64>,
    #[serde(default)]
    pub variables: Option<Vec<String>>,
    #[serde(default)]
    pub local_variables: Option<bool>,
    #[serde(default)]
    pub business_key: Option<String>,
    #[serde(default)]
    pub process_definition_id: Option<String>,
    #[serde(default)]
    pub process_definition_id_in: Option<Vec<String>>,
    #[serde(default)]
    pub process_definition_key: Option<String>,
    #[serde(default)]
    pub process_definition_key_in: Option<Vec<String>>,
    #[serde(default)]
    pub tenant_id_in: Option<Vec<String>>,
    #[serde(default)]
    pub process_variables: VariablesDto,
    #[serde(default)]
    pub include_extension_properties: Option<bool>,
}

/// Checks a fetch body and turns it into the engine's request. Topics restricted to tenants
/// are dropped: nothing here has a tenant.
pub(crate) fn fetch_request(dto: FetchDto) -> Result<FetchRequest, RestError> {
    let worker_id = dto
        .worker_id
        .filter(|w| !w.is_empty())
        .ok_or_else(|| RestError::bad_request("workerId is required"))?;
    let max_tasks = dto
        .max_tasks
        .ok_or_else(|| RestError::bad_request("maxTasks is required"))?;
    let max_tasks = u32::try_from(max_tasks).map_err(|_| {
        RestError::bad_request(format!("maxTasks must be at least 0, not {max_tasks}"))
    })?;
    let timeout = match dto.async_response_timeout {
        None => None,
        Some(ms) if ms < 0 => {
            return Err(RestError::bad_request(format!(
                "asyncResponseTimeout must be at least 0, not {ms}"
            )));
        }
        Some(ms) => Some(Duration::from_millis(
            u64::try_from(ms)
                .unwrap_or(0)
                .min(MAX_ASYNC_RESPONSE_TIMEOUT_MS),
        )),
    };
    let mut topics = Vec::new();
    for topic in dto.topics.unwrap_or_default() {
        let name = topic
            .topic_name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| RestError::bad_request("topicName is required for every topic"))?;
        let lock = topic.lock_duration.ok_or_else(|| {
            RestError::bad_request(format!("lockDuration is required for topic '{name}'"))
        })?;
        let lock = u64::try_from(lock).ok().filter(|&l| l > 0).ok_or_else(|| {
            RestError::bad_request(format!(
                "lockDuration of topic '{name}' must be positive, not {lock}"
            ))
        })?;
        if topic.tenant_id_in.as_ref().is_some_and(|t| !t.is_empty()) {
            continue;
        }
        topics.push(TopicFetch {
            name,
            lock_duration: Duration::from_millis(lock),
            variables: topic.variables,
            local_variables: topic.local_variables == Some(true),
            business_key: topic.business_key,
            definition_id: topic.process_definition_id,
            definition_ids: topic.process_definition_id_in.unwrap_or_default(),
            definition_key: topic.process_definition_key,
            definition_keys: topic.process_definition_key_in.unwrap_or_default(),
            process_variables: to_plain_variables(topic.process_variables)?,
            include_extension_properties: topic.include_extension_properties == Some(true),
        });
    }
    Ok(FetchRequest {
        worker_id,
        max_tasks,
        use_priority: dto.use_priority == Some(true),
        async_response_timeout: timeout,
        topics,
    })
}
pub(super) async fn fetch_and_lock(
    State(state): State<AppState>,
    JsonBody(dto): JsonBody<FetchDto>,
) -> Reply {
    let request = fetch_request(dto)?;
    let with_properties: HashSet<String> = request
        .topics
        .iter()
        .filter(|t| t.include_extension_properties)
        .map(|t| t.name.clone())
        .collect();
    let locked = state.api.fetch_and_lock(request).await?;
    let mut out = Vec::with_capacity(locked.len());
    for l in &locked {
        let details = if l.task.error_message.is_some() {
            state.api.external_task_error_details(&l.task.id).await?
        } else {
            None
        };
        let properties: Map<String, Value> = if with_properties.contains(&l.task.topic) {
            l.task
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        } else {
            Map::new()
        };
        let mut item = task_json(&l.task);
        if let Some(map) = item.as_object_mut() {
            map.insert(
                "errorDetails".into(),
                details.map_or(Value::Null, Value::String),
            );
            map.insert("variables".into(), variables_to_json(&l.variables));
            map.insert("extensionProperties".into(), Value::Object(properties));
        }
        out.push(item);
    }
    Ok(json::ok(&out))
}

//! The adapter's view of the process engine ([`ProcessEngine`]): the four reads of the seed's
//! diagram — find an instance by business key (runtime, then history for ended ones), its
//! definition's XML, its activity-instance tree, an ended instance's final state — plus the
//! incident messages. [`CamundaEngine`] implements it over the Camunda 7 REST client, timing
//! every call into [`EngineStats`] (the service statistics that pace the polls).

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use carpetti_camunda::dto::{
    HistoryProcessInstanceQuery, IncidentQuery, InstanceQuery, Page, SortOrder,
};
use carpetti_camunda::{ActivityInstance, CamundaClient, CamundaError};

use crate::cursor::{IncidentDetail, InstanceState};
use crate::stats::EngineStats;

/// A process instance found by its business key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRef {
    pub id: String,
    pub definition_id: String,
    pub state: InstanceState,
}

/// What a poll of a running instance found.
#[derive(Debug, Clone)]
pub enum Polled {
    /// Still running: its tree.
    Running(Box<ActivityInstance>),
    /// Ended since the last poll: its final state.
    Ended(InstanceState),
}

/// Why the engine could not answer.
#[derive(Debug, thiserror::Error)]
#[error("the engine is unavailable: {0}")]
pub struct EngineUnavailable(pub String);

impl From<CamundaError> for EngineUnavailable {
    fn from(error: CamundaError) -> Self {
        Self(error.to_string())
    }
}

/// The engine reads the adapter makes.
#[async_trait]
pub trait ProcessEngine: Send + Sync + 'static {
    /// The instance with this business key: the newest running one, else the newest ended one.
    async fn find(&self, business_key: &str) -> Result<Option<InstanceRef>, EngineUnavailable>;

    /// The BPMN XML of a definition.
    async fn definition_xml(&self, definition_id: &str) -> Result<String, EngineUnavailable>;

    /// The instance's activity tree, or its final state if it has ended.
    async fn poll(&self, instance_id: &str) -> Result<Polled, EngineUnavailable>;

    /// Type and message of the instance's open incidents, by incident id.
    async fn incidents(
        &self,
        instance_id: &str,
    ) -> Result<Vec<(String, IncidentDetail)>, EngineUnavailable>;

    /// Call counts and latency.
    fn stats(&self) -> &EngineStats;
}

/// [`ProcessEngine`] over Camunda 7 REST (Carpetti's engine or a real Camunda 7).
pub struct CamundaEngine {
    client: CamundaClient,
    stats: Arc<EngineStats>,
}

impl CamundaEngine {
    pub fn new(client: CamundaClient) -> Self {
        Self {
            client,
            stats: Arc::new(EngineStats::default()),
        }
    }

    async fn timed<T>(
        &self,
        call: &'static str,
        future: impl Future<Output = Result<T, CamundaError>>,
    ) -> Result<T, CamundaError> {
        let started = Instant::now();
        let result = future.await;
        self.stats.record(call, started.elapsed(), result.is_ok());
        result
    }

    async fn ended_state(&self, instance_id: &str) -> Result<Option<InstanceState>, CamundaError> {
        let historic = self
            .timed(
                "history_process_instance",
                self.client.history_process_instance(instance_id),
            )
            .await;
        match historic {
            Ok(h) if h.end_time.is_some() => Ok(Some(InstanceState::parse(h.state.as_deref()))),
            Ok(_) => Ok(None),
            Err(CamundaError::NotFound { .. }) => {
                // Gone from history too (history level none, or cleaned up): it has ended.
                Ok(Some(InstanceState::Completed))
            }
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl ProcessEngine for CamundaEngine {
    async fn find(&self, business_key: &str) -> Result<Option<InstanceRef>, EngineUnavailable> {
        let query = InstanceQuery {
            business_key: Some(business_key.to_owned()),
            page: Page::window(0, 1).sorted("instanceId", SortOrder::Desc),
            ..Default::default()
        };
        let running = self
            .timed("process_instances", self.client.process_instances(&query))
            .await?;
        if let Some(instance) = running.into_iter().next()
            && let Some(definition_id) = instance.definition_id
        {
            let state = if instance.suspended {
                InstanceState::Suspended
            } else {
                InstanceState::Active
            };
            return Ok(Some(InstanceRef {
                id: instance.id,
                definition_id,
                state,
            }));
        }
        let query = HistoryProcessInstanceQuery {
            process_instance_business_key: Some(business_key.to_owned()),
            page: Page::window(0, 1).sorted("startTime", SortOrder::Desc),
            ..Default::default()
        };
        let ended = self
            .timed(
                "history_process_instances",
                self.client.history_process_instances(&query),
            )
            .await?;
        Ok(ended.into_iter().next().and_then(|h| {
            let state = if h.end_time.is_some() {
                InstanceState::parse(h.state.as_deref())
            } else {
                InstanceState::Active
            };
            Some(InstanceRef {
                definition_id: h.process_definition_id?,
                id: h.id,
                state,
            })
        }))
    }

    async fn definition_xml(&self, definition_id: &str) -> Result<String, EngineUnavailable> {
        let xml = self
            .timed(
                "process_definition_xml",
                self.client.process_definition_xml(definition_id),
            )
            .await?;
        Ok(xml.bpmn20_xml)
    }

    async fn poll(&self, instance_id: &str) -> Result<Polled, EngineUnavailable> {
        let tree = self
            .timed(
                "activity_instances",
                self.client.activity_instances(instance_id),
            )
            .await;
        match tree {
            Ok(tree) => Ok(Polled::Running(Box::new(tree))),
            // Camunda answers 404 (or 500 "does not exist") once the instance has left the
            // runtime: history says whether and how it ended.
            Err(e @ (CamundaError::NotFound { .. } | CamundaError::Engine { .. })) => {
                match self.ended_state(instance_id).await? {
                    Some(state) => Ok(Polled::Ended(state)),
                    None => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn incidents(
        &self,
        instance_id: &str,
    ) -> Result<Vec<(String, IncidentDetail)>, EngineUnavailable> {
        let query = IncidentQuery {
            process_instance_id: Some(instance_id.to_owned()),
            ..Default::default()
        };
        let incidents = self
            .timed("incidents", self.client.incidents(&query))
            .await?;
        Ok(incidents
            .into_iter()
            .map(|i| {
                let detail = IncidentDetail {
                    incident_type: i.incident_type,
                    message: i.incident_message.unwrap_or_default(),
                };
                (i.id, detail)
            })
            .collect())
    }

    fn stats(&self) -> &EngineStats {
        &self.stats
    }
}

//! One channel's polling logic, without timing: resolve the business key to an instance (runtime,
//! else history), fetch the definition's XML once, then turn each poll of the activity tree into
//! a new [`View`] only when the cursor changed. Re-fetches the XML when the instance moved to
//! another definition version; stops once the instance has ended (one final cursor).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::cursor::{Cursor, IncidentDetail};
use crate::engine::{EngineUnavailable, InstanceRef, Polled, ProcessEngine};
use crate::key::BusinessKey;
use crate::protocol::{ErrorCode, Frame, ServerMessage};

use super::view::{Failed, Ready, View};

/// The state one poll leaves behind.
pub(crate) struct Poller {
    key: BusinessKey,
    instance: Option<InstanceRef>,
    definition_id: Option<Arc<str>>,
    schema: Option<Frame>,
    cursor: Option<Cursor>,
    incidents: HashMap<String, IncidentDetail>,
    last_error: Option<ErrorCode>,
    pub(crate) seq: u64,
    pub(crate) ended: bool,
}

/// What a tick produced.
pub(crate) struct Tick {
    /// The new view, when something changed.
    pub view: Option<View>,
    /// The XML fetched during this tick (to share with the cluster).
    pub fetched_schema: Option<(Arc<str>, String)>,
    /// The cursor changed (or appeared): poll faster.
    pub moved: bool,
}

impl Poller {
    pub(crate) fn new(key: BusinessKey) -> Self {
        Self {
            key,
            instance: None,
            definition_id: None,
            schema: None,
            cursor: None,
            incidents: HashMap::new(),
            last_error: None,
            seq: initial_seq(),
            ended: false,
        }
    }

    /// Continues the numbering of another instance that polled this channel before.
    pub(crate) fn adopt_seq(&mut self, seq: u64) {
        self.seq = self.seq.max(seq);
    }

    /// Looks up (if needed) and polls once.
    pub(crate) async fn tick(&mut self, engine: &dyn ProcessEngine) -> Tick {
        let mut tick = Tick {
            view: None,
            fetched_schema: None,
            moved: false,
        };
        match self.step(engine, &mut tick).await {
            Ok(()) => {}
            Err(e) => {
                tracing::debug!(business_key = %self.key, error = %e.0, "engine call failed");
                tick.view = self.fail(ErrorCode::EngineUnavailable, &e.0);
            }
        }
        tick
    }

    async fn step(
        &mut self,
        engine: &dyn ProcessEngine,
        tick: &mut Tick,
    ) -> Result<(), EngineUnavailable> {
        if self.ended {
            return Ok(());
        }
        let instance = match &self.instance {
            Some(instance) => instance.clone(),
            None => match engine.find(self.key.as_str()).await? {
                None => {
                    let message = format!("unknown business key '{}'", self.key);
                    tick.view = self.fail(ErrorCode::UnknownBusinessKey, &message);
                    return Ok(());
                }
                Some(found) => {
                    self.instance = Some(found.clone());
                    found
                }
            },
        };
        if instance.state.is_ended() {
            self.load_schema(engine, &instance.definition_id, tick)
                .await?;
            self.ended = true;
            tick.moved = true;
            tick.view = Some(self.publish(Cursor::ended(instance.state)));
            return Ok(());
        }
        let cursor = match engine.poll(&instance.id).await? {
            Polled::Ended(state) => {
                self.ended = true;
                if self.schema.is_none() {
                    self.load_schema(engine, &instance.definition_id, tick)
                        .await?;
                }
                Cursor::ended(state)
            }
            Polled::Running(tree) => {
                let definition = tree
                    .process_definition_id
                    .clone()
                    .unwrap_or_else(|| instance.definition_id.clone());
                if self.definition_id.as_deref() != Some(definition.as_str()) {
                    self.load_schema(engine, &definition, tick).await?;
                }
                let ids = Cursor::incident_ids(&tree);
                if ids.iter().any(|id| !self.incidents.contains_key(id)) {
                    self.incidents = engine.incidents(&instance.id).await?.into_iter().collect();
                }
                self.incidents.retain(|id, _| ids.contains(id));
                let details = |id: &str| self.incidents.get(id).cloned();
                Cursor::from_tree(&tree, instance.state, &details)
            }
        };
        let schema_changed = tick.fetched_schema.is_some();
        if schema_changed || self.cursor.as_ref() != Some(&cursor) || self.last_error.is_some() {
            tick.moved = true;
            tick.view = Some(self.publish(cursor));
        }
        Ok(())
    }

    async fn load_schema(
        &mut self,
        engine: &dyn ProcessEngine,
        definition_id: &str,
        tick: &mut Tick,
    ) -> Result<(), EngineUnavailable> {
        let xml = engine.definition_xml(definition_id).await?;
        let Some(instance) = &self.instance else {
            return Ok(());
        };
        self.schema = Some(
            ServerMessage::Schema {
                business_key: self.key.as_str(),
                process_instance_id: &instance.id,
                definition_id,
                xml: &xml,
            }
            .frame(),
        );
        let definition: Arc<str> = Arc::from(definition_id);
        self.definition_id = Some(definition.clone());
        tick.fetched_schema = Some((definition, xml));
        Ok(())
    }

    fn publish(&mut self, cursor: Cursor) -> View {
        self.seq += 1;
        self.last_error = None;
        let (instance_id, definition_id) = match (&self.instance, &self.definition_id) {
            (Some(i), Some(d)) => (Arc::from(i.id.as_str()), d.clone()),
            _ => (Arc::from(""), Arc::from("")),
        };
        let frame = ServerMessage::Cursor {
            business_key: self.key.as_str(),
            process_instance_id: &instance_id,
            definition_id: &definition_id,
            seq: self.seq,
            cursor: &cursor,
            observed_at: now_ms(),
        }
        .frame();
        self.cursor = Some(cursor);
        View::Ready(Arc::new(Ready {
            process_instance_id: instance_id,
            definition_id,
            schema: self.schema.clone().unwrap_or_default(),
            cursor: Some(frame),
            seq: self.seq,
            observed: Some(Instant::now()),
        }))
    }

    /// An error view, once per distinct error (a repeated failure changes nothing).
    fn fail(&mut self, code: ErrorCode, message: &str) -> Option<View> {
        if self.last_error == Some(code) {
            return None;
        }
        self.last_error = Some(code);
        self.seq += 1;
        let frame = ServerMessage::Error {
            business_key: Some(self.key.as_str()),
            code,
            message,
        }
        .frame();
        Some(View::Failed(Arc::new(Failed {
            frame,
            seq: self.seq,
        })))
    }

    /// Whether the key resolved to an instance (an unknown key is looked up with back-off).
    pub(crate) fn resolved(&self) -> bool {
        self.instance.is_some()
    }
}

/// Where a new channel object starts numbering: microseconds since the Unix epoch, so that a
/// restarted adapter never sends a lower `seq` than the one before it (viewers drop older ones).
fn initial_seq() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX >> 12))
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

//! The loopback agent's in-memory catalog: services registered with their gRPC checks, one raft-like
//! index bumped by every change, and a per-service-name index for blocking queries.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::definition::{GrpcCheck, ParsedCheck, ServiceDefinition, parse_check};
use super::{NODE_ADDRESS, NODE_ID, NODE_NAME, checks};

struct CheckState {
    id: String,
    name: String,
    notes: String,
    status: String,
    output: String,
    grpc: GrpcCheck,
    critical_since: Option<Instant>,
    create_index: u64,
    modify_index: u64,
}

struct Entry {
    id: String,
    name: String,
    tags: Vec<String>,
    address: String,
    port: u16,
    meta: BTreeMap<String, String>,
    checks: Vec<CheckState>,
    runners: Vec<JoinHandle<()>>,
    create_index: u64,
    modify_index: u64,
}

#[derive(Default)]
struct State {
    index: u64,
    by_name: HashMap<String, u64>,
    services: BTreeMap<String, Entry>,
}

impl State {
    fn bump(&mut self, names: &[&str]) -> u64 {
        self.index += 1;
        for name in names {
            self.by_name.insert((*name).to_owned(), self.index);
        }
        self.index
    }
}

/// The catalog, shared by the HTTP handlers and the check runners.
pub(super) struct Catalog {
    state: Mutex<State>,
    changes: watch::Sender<u64>,
}

impl Catalog {
    pub(super) fn new() -> Arc<Catalog> {
        let state = State {
            index: 1,
            ..State::default()
        };
        Arc::new(Catalog {
            state: Mutex::new(state),
            changes: watch::channel(1).0,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn notify(&self, index: u64) {
        self.changes.send_replace(index);
    }

    /// A receiver marked on every change.
    pub(super) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Registers (or replaces) a service and starts its checks; `Err` is a 400 message.
    pub(super) fn register(
        self: &Arc<Catalog>,
        definition: ServiceDefinition,
    ) -> Result<(), String> {
        if definition.name.is_empty() {
            return Err("Missing service name".to_owned());
        }
        let id = definition
            .id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| definition.name.clone());
        let mut definitions = definition.checks.unwrap_or_default();
        definitions.extend(definition.check);
        let many = definitions.len() > 1;
        let mut parsed = Vec::new();
        for (n, check) in definitions.into_iter().enumerate() {
            let default_id = if many {
                format!("service:{id}:{}", n + 1)
            } else {
                format!("service:{id}")
            };
            parsed.push(parse_check(check, default_id, &definition.name)?);
        }

        let mut state = self.lock();
        let old = state.services.remove(&id);
        let create_index = old.as_ref().map(|e| e.create_index);
        if let Some(old) = &old {
            old.runners.iter().for_each(JoinHandle::abort);
        }
        let old_name = old.map(|e| e.name);
        let mut names = vec![definition.name.as_str()];
        names.extend(old_name.as_deref());
        let index = state.bump(&names);
        let checks = parsed
            .into_iter()
            .map(|check: ParsedCheck| CheckState {
                id: check.id,
                name: check.name,
                notes: check.notes,
                critical_since: (check.status == "critical").then(Instant::now),
                status: check.status,
                output: String::new(),
                grpc: check.grpc,
                create_index: index,
                modify_index: index,
            })
            .collect::<Vec<_>>();
        let runners = checks
            .iter()
            .map(|check| {
                tokio::spawn(checks::run(
                    Arc::downgrade(self),
                    id.clone(),
                    check.id.clone(),
                    check.grpc.clone(),
                ))
            })
            .collect();
        let entry = Entry {
            id: id.clone(),
            name: definition.name.clone(),
            tags: definition.tags.unwrap_or_default(),
            address: definition.address,
            port: definition.port,
            meta: definition.meta.unwrap_or_default(),
            checks,
            runners,
            create_index: create_index.unwrap_or(index),
            modify_index: index,
        };
        state.services.insert(id, entry);
        drop(state);
        self.notify(index);
        Ok(())
    }

    /// Removes a service; false if it is unknown.
    pub(super) fn deregister(&self, id: &str) -> bool {
        let mut state = self.lock();
        let Some(entry) = state.services.remove(id) else {
            return false;
        };
        entry.runners.iter().for_each(JoinHandle::abort);
        let index = state.bump(&[&entry.name]);
        drop(state);
        self.notify(index);
        true
    }

    /// Records a check result; false once the service (or check) is gone, which ends its
    /// runner. A check critical for longer than its `DeregisterCriticalServiceAfter` removes
    /// its service.
    pub(super) fn record(
        &self,
        service_id: &str,
        check_id: &str,
        passing: bool,
        output: String,
    ) -> bool {
        let mut state = self.lock();
        let Some(entry) = state.services.get_mut(service_id) else {
            return false;
        };
        let name = entry.name.clone();
        let Some(check) = entry.checks.iter_mut().find(|c| c.id == check_id) else {
            return false;
        };
        let status = if passing { "passing" } else { "critical" };
        let reap = match (passing, check.critical_since, check.grpc.deregister_after) {
            (false, Some(since), Some(after)) => since.elapsed() >= after,
            _ => false,
        };
        if reap {
            drop(state);
            tracing::info!(
                service_id,
                "loopback consul: critical too long, deregistered"
            );
            self.deregister(service_id);
            return false;
        }
        if check.status == status && check.output == output {
            return true;
        }
        if check.status != status {
            check.critical_since = (!passing).then(Instant::now);
        }
        check.status = status.to_owned();
        check.output = output;
        let index = state.index + 1;
        if let Some(check) = state
            .services
            .get_mut(service_id)
            .and_then(|e| e.checks.iter_mut().find(|c| c.id == check_id))
        {
            check.modify_index = index;
        }
        state.bump(&[&name]);
        drop(state);
        self.notify(index);
        true
    }

    /// The `X-Consul-Index` of `health/service/:name`: the index of the last change to that
    /// service name (the catalog's index if it never existed), never below 1.
    pub(super) fn index_of(&self, name: &str) -> u64 {
        let state = self.lock();
        state
            .by_name
            .get(name)
            .copied()
            .unwrap_or(state.index)
            .max(1)
    }

    /// The `health/service/:name` answer: each instance with its node and checks (the node's
    /// `serfHealth` included), only those whose checks all pass if `passing`.
    pub(super) fn health(&self, name: &str, passing: bool) -> (u64, Vec<Value>) {
        let state = self.lock();
        let index = state
            .by_name
            .get(name)
            .copied()
            .unwrap_or(state.index)
            .max(1);
        let entries = state
            .services
            .values()
            .filter(|e| e.name == name)
            .filter(|e| !passing || e.checks.iter().all(|c| c.status == "passing"))
            .map(entry_json)
            .collect();
        (index, entries)
    }

    /// Stops every check runner.
    pub(super) fn stop_checks(&self) {
        for entry in self.lock().services.values() {
            entry.runners.iter().for_each(JoinHandle::abort);
        }
    }
}

fn entry_json(entry: &Entry) -> Value {
    let mut checks = vec![json!({
        "Node": NODE_NAME, "CheckID": "serfHealth", "Name": "Serf Health Status",
        "Status": "passing", "Notes": "", "Output": "Agent alive and reachable",
        "ServiceID": "", "ServiceName": "", "ServiceTags": [], "Type": "",
        "CreateIndex": 1, "ModifyIndex": 1,
    })];
    checks.extend(entry.checks.iter().map(|c| {
        json!({
            "Node": NODE_NAME, "CheckID": c.id, "Name": c.name, "Status": c.status,
            "Notes": c.notes, "Output": c.output, "ServiceID": entry.id,
            "ServiceName": entry.name, "ServiceTags": entry.tags, "Type": "grpc",
            "CreateIndex": c.create_index, "ModifyIndex": c.modify_index,
        })
    }));
    json!({
        "Node": {
            "ID": NODE_ID, "Node": NODE_NAME, "Address": NODE_ADDRESS, "Datacenter": "dc1",
            "TaggedAddresses": { "lan": NODE_ADDRESS, "wan": NODE_ADDRESS },
            "Meta": {}, "CreateIndex": 1, "ModifyIndex": 1,
        },
        "Service": {
            "ID": entry.id, "Service": entry.name, "Tags": entry.tags,
            "Address": entry.address, "Meta": entry.meta, "Port": entry.port,
            "Weights": { "Passing": 1, "Warning": 1 }, "EnableTagOverride": false,
            "CreateIndex": entry.create_index, "ModifyIndex": entry.modify_index,
        },
        "Checks": checks,
    })
}

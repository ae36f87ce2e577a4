//! The request shapes of `PUT /v1/agent/service/register` (the fields the loopback honours, named
//! as Consul documents them) and their validation.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::duration;

/// `PUT /v1/agent/service/register` body (the fields the loopback honours).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ServiceDefinition {
    #[serde(rename = "ID", default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub meta: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub check: Option<CheckDefinition>,
    #[serde(default)]
    pub checks: Option<Vec<CheckDefinition>>,
}

/// A check of a service definition. Only gRPC checks are run by the loopback.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CheckDefinition {
    #[serde(rename = "CheckID", default)]
    pub check_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "GRPC", default)]
    pub grpc: Option<String>,
    #[serde(rename = "GRPCUseTLS", default)]
    pub grpc_use_tls: bool,
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub deregister_critical_service_after: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub notes: String,
}

/// A parsed gRPC check: what the runner calls and how often.
#[derive(Debug, Clone)]
pub(super) struct GrpcCheck {
    pub target: String,
    pub service: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub deregister_after: Option<Duration>,
}

/// A check definition, validated, with its defaults applied.
pub(super) struct ParsedCheck {
    pub id: String,
    pub name: String,
    pub notes: String,
    pub status: String,
    pub grpc: GrpcCheck,
}

/// Validates a check definition: a gRPC check (no TLS) with an interval; initial status
/// `critical` unless given.
pub(super) fn parse_check(
    check: CheckDefinition,
    default_id: String,
    service: &str,
) -> Result<ParsedCheck, String> {
    let Some(grpc) = check.grpc.filter(|g| !g.is_empty()) else {
        return Err("loopback Consul runs gRPC checks only (GRPC is required)".to_owned());
    };
    if check.grpc_use_tls {
        return Err("loopback Consul does not run gRPC checks over TLS".to_owned());
    }
    let interval = check
        .interval
        .as_deref()
        .ok_or("Interval must be set for GRPC checks")
        .map_err(str::to_owned)
        .and_then(duration::parse)?;
    if interval.is_zero() {
        return Err("Interval must be > 0 for GRPC checks".to_owned());
    }
    let timeout = match check.timeout.as_deref() {
        Some(t) => duration::parse(t)?,
        None => Duration::from_secs(10),
    };
    let deregister_after = check
        .deregister_critical_service_after
        .as_deref()
        .map(duration::parse)
        .transpose()?;
    let (target, grpc_service) = match grpc.split_once('/') {
        Some((target, name)) => (target.to_owned(), name.to_owned()),
        None => (grpc.clone(), String::new()),
    };
    let status = check.status.unwrap_or_else(|| "critical".to_owned());
    if !matches!(status.as_str(), "passing" | "warning" | "critical") {
        return Err(format!("Invalid check status: \"{status}\""));
    }
    let id = check
        .check_id
        .filter(|i| !i.is_empty())
        .unwrap_or(default_id);
    let name = check
        .name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("Service '{service}' check"));
    let grpc = GrpcCheck {
        target,
        service: grpc_service,
        interval,
        timeout,
        deregister_after,
    };
    Ok(ParsedCheck {
        id,
        name,
        notes: check.notes,
        status,
        grpc,
    })
}

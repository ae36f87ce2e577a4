//! The Consul backend against testkit's loopback Consul agent: registration with a gRPC check the
//! agent runs, `passing` filtering, blocking-query watches, deregistration, the ACL token, and
//! `GrpcServer::serve_registered`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carpetti_handle::GrpcServer;
use carpetti_handle::discovery::{
    ConsulConfig, ConsulDiscovery, Discovery, DiscoveryError, Registered, ServiceInstance,
};
use carpetti_testkit::consul::LoopbackConsul;
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::discovery::{Instance, SETTLE, eventually, healthy_becomes, registration};
use crate::{BoxError, TestResult};

fn discovery(consul: &LoopbackConsul) -> Result<ConsulDiscovery, BoxError> {
    Ok(ConsulDiscovery::new(
        ConsulConfig::new(consul.url()).with_wait(Duration::from_secs(5)),
    )?)
}

/// `GET /v1/health/service/:service` without `passing`: every entry, with its checks, and the
/// `X-Consul-Index`.
async fn all_entries(
    consul: &LoopbackConsul,
    service: &str,
) -> Result<(u64, Vec<Value>), BoxError> {
    query_entries(consul, service, "").await
}

async fn query_entries(
    consul: &LoopbackConsul,
    service: &str,
    query: &str,
) -> Result<(u64, Vec<Value>), BoxError> {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v1/health/service/{service}{query}",
            consul.url()
        ))
        .timeout(Duration::from_secs(10))
        .send()
        .await?
        .error_for_status()?;
    let index = response
        .headers()
        .get("x-consul-index")
        .ok_or("no X-Consul-Index")?
        .to_str()?
        .parse()?;
    Ok((index, response.json().await?))
}

/// The status of the service's own check (not the node's serfHealth) of entry `id`.
fn check_status(entries: &[Value], id: &str) -> Option<String> {
    let entry = entries.iter().find(|e| e["Service"]["ID"] == id)?;
    let checks = entry["Checks"].as_array()?;
    let check = checks.iter().find(|c| c["ServiceID"] == id)?;
    Some(check["Status"].as_str()?.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_is_listed_only_once_its_check_passes() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery = discovery(&consul)?;
    // Bound but not serving yet: connections queue, no gRPC answer comes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let registration = registration("echo", address);
    let id = registration.id.clone();
    discovery.register(registration).await?;

    let (_, entries) = all_entries(&consul, "echo").await?;
    assert_eq!(entries.len(), 1, "registered: {entries:?}");
    assert_eq!(entries[0]["Service"]["Port"], u64::from(address.port()));
    assert_eq!(check_status(&entries, &id).as_deref(), Some("critical"));
    assert_eq!(discovery.healthy("echo").await?, Vec::new());

    let _instance = Instance::serve(listener)?;
    let listed = healthy_becomes(&discovery, "echo", &[address]).await?;
    assert_eq!(
        listed,
        vec![ServiceInstance {
            id: id.clone(),
            service: "echo".to_owned(),
            address,
            tags: Vec::new(),
        }]
    );
    let (_, all) = all_entries(&consul, "echo").await?;
    assert_eq!(check_status(&all, &id).as_deref(), Some("passing"));
    assert_eq!(
        query_entries(&consul, "echo", "?passing=true")
            .await?
            .1
            .len(),
        1
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_turns_critical_and_leaves_passing() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery = discovery(&consul)?;
    let instance = Instance::start()?;
    let registration = registration("echo", instance.address).with_tags(["v1"]);
    let id = registration.id.clone();
    discovery.register(registration).await?;
    let listed = healthy_becomes(&discovery, "echo", &[instance.address]).await?;
    assert_eq!(listed[0].tags, vec!["v1".to_owned()]);

    instance.kill();
    eventually("the check to turn critical", || async {
        let (_, entries) = all_entries(&consul, "echo").await?;
        Ok((check_status(&entries, &id).as_deref() == Some("critical")).then_some(()))
    })
    .await?;
    assert_eq!(discovery.healthy("echo").await?, Vec::new());
    // Still registered (critical), only filtered out by `passing` (the agent's filter).
    assert_eq!(all_entries(&consul, "echo").await?.1.len(), 1);
    assert_eq!(
        query_entries(&consul, "echo", "?passing").await?.1,
        Vec::<Value>::new()
    );
    assert_eq!(
        query_entries(&consul, "echo", "?passing=true").await?.1,
        Vec::<Value>::new()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_sees_additions_and_removals() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery = discovery(&consul)?;
    let mut watch = discovery.watch("echo");
    tokio::time::timeout(SETTLE, watch.changed()).await??;
    assert!(watch.borrow_and_update().is_empty());

    let (a, b) = (Instance::start()?, Instance::start()?);
    let (ra, rb) = (
        registration("echo", a.address),
        registration("echo", b.address),
    );
    let addresses =
        |list: &Vec<ServiceInstance>| list.iter().map(|i| i.address).collect::<Vec<_>>();

    discovery.register(ra.clone()).await?;
    tokio::time::timeout(SETTLE, watch.wait_for(|l| addresses(l) == [a.address])).await??;
    discovery.register(rb.clone()).await?;
    tokio::time::timeout(SETTLE, watch.wait_for(|l| l.len() == 2)).await??;
    discovery.deregister(&ra.id).await?;
    tokio::time::timeout(SETTLE, watch.wait_for(|l| addresses(l) == [b.address])).await??;
    discovery.deregister(&rb.id).await?;
    tokio::time::timeout(SETTLE, watch.wait_for(Vec::is_empty)).await??;
    // The watch waited on the agent (index + wait), it did not poll.
    assert!(
        consul.blocking_queries() >= 4,
        "{}",
        consul.blocking_queries()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_query_is_held_until_the_index_moves() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery = discovery(&consul)?;
    let (index, entries) = all_entries(&consul, "echo").await?;
    assert!(index >= 1 && entries.is_empty());

    let url = format!(
        "{}/v1/health/service/echo?index={index}&wait=30s",
        consul.url()
    );
    let blocked = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_secs(60))
            .send()
            .await?;
        let next: u64 = response
            .headers()
            .get("x-consul-index")
            .ok_or("no X-Consul-Index")?
            .to_str()?
            .parse()?;
        let body: Vec<Value> = response.json().await?;
        Ok::<_, BoxError>((next, body))
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !blocked.is_finished(),
        "nothing changed: the query must still be held"
    );

    let instance = Instance::start()?;
    discovery
        .register(registration("echo", instance.address))
        .await?;
    let (next, body) = tokio::time::timeout(SETTLE, blocked).await???;
    assert!(next > index, "{next} > {index}");
    assert_eq!(body.len(), 1, "{body:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deregister_removes_the_instance() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery = discovery(&consul)?;
    let instance = Instance::start()?;
    let registration = registration("echo", instance.address);
    discovery.register(registration.clone()).await?;
    healthy_becomes(&discovery, "echo", &[instance.address]).await?;

    discovery.deregister(&registration.id).await?;
    assert_eq!(discovery.healthy("echo").await?, Vec::new());
    assert_eq!(all_entries(&consul, "echo").await?.1, Vec::<Value>::new());
    // Twice is fine.
    discovery.deregister(&registration.id).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_acl_token_is_sent_and_never_shown() -> TestResult {
    let consul = LoopbackConsul::start_with_acl_token("s3cret-acl").await?;
    let instance = Instance::start()?;

    let anonymous = discovery(&consul)?;
    let refused = anonymous
        .register(registration("echo", instance.address))
        .await;
    assert!(
        matches!(refused, Err(DiscoveryError::Status { status: 403, .. })),
        "{refused:?}"
    );

    let config = ConsulConfig::new(consul.url())
        .with_token(SecretString::from("s3cret-acl"))
        .with_wait(Duration::from_secs(5));
    assert!(!format!("{config:?}").contains("s3cret-acl"));
    let with_token = ConsulDiscovery::new(config)?;
    assert!(!format!("{with_token:?}").contains("s3cret-acl"));
    with_token
        .register(registration("echo", instance.address))
        .await?;
    healthy_becomes(&with_token, "echo", &[instance.address]).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_agent_is_a_clear_error() -> TestResult {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let discovery = ConsulDiscovery::new(
        ConsulConfig::new(format!("http://127.0.0.1:{port}")).with_timeout(Duration::from_secs(2)),
    )?;
    let error = discovery.healthy("echo").await.map(|_| ());
    assert!(
        matches!(error, Err(DiscoveryError::Unreachable(_))),
        "{error:?}"
    );
    let bad = ConsulDiscovery::new(ConsulConfig::new("consul:8500")).map(|_| ());
    assert!(matches!(bad, Err(DiscoveryError::Config(_))), "{bad:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_registered_registers_on_start_and_deregisters_on_shutdown() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery: Arc<dyn Discovery> = Arc::new(discovery(&consul)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address: SocketAddr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(GrpcServer::new("it-registered").serve_registered(
        listener,
        async move {
            let _ = stopped.await;
        },
        Arc::clone(&discovery),
        registration("echo", address),
    ));
    healthy_becomes(&*discovery, "echo", &[address]).await?;

    let _ = stop.send(());
    tokio::time::timeout(SETTLE, server).await???;
    assert_eq!(all_entries(&consul, "echo").await?.1, Vec::<Value>::new());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_registration_deregisters_in_the_background() -> TestResult {
    let consul = LoopbackConsul::start().await?;
    let discovery: Arc<dyn Discovery> = Arc::new(discovery(&consul)?);
    let instance = Instance::start()?;
    let registered = Registered::new(
        Arc::clone(&discovery),
        registration("echo", instance.address),
    )
    .await?;
    healthy_becomes(&*discovery, "echo", &[instance.address]).await?;
    drop(registered);
    eventually("the dropped registration to be removed", || async {
        Ok(all_entries(&consul, "echo")
            .await?
            .1
            .is_empty()
            .then_some(()))
    })
    .await
}

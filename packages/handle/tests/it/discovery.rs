//! The discovery suite, one body per behaviour, run against the static backend (with its gRPC
//! health probe) and the Consul backend (against testkit's loopback Consul agent, which really
//! runs the gRPC health checks it is given). Instances are real GrpcServers, each on its own
//! thread and runtime so that killing one drops its listener and every open connection at once,
//! as a killed process would.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carpetti_handle::GrpcServer;
use carpetti_handle::discovery::{
    ConsulConfig, ConsulDiscovery, Discovery, HealthCheck, Registration, ServiceInstance,
    StaticDiscovery,
};
use carpetti_testkit::consul::LoopbackConsul;
use tokio::sync::oneshot;

use crate::{BoxError, TestResult};

/// Longest any state the tests wait for may take to appear (checks run every 100 ms).
pub(crate) const SETTLE: Duration = Duration::from_secs(20);

/// A gRPC server (health and reflection) on its own thread and runtime.
pub(crate) struct Instance {
    pub address: SocketAddr,
    kill: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Instance {
    /// Starts one on a free port.
    pub(crate) fn start() -> Result<Instance, BoxError> {
        Instance::serve(std::net::TcpListener::bind("127.0.0.1:0")?)
    }

    /// Starts one at `address` (e.g. where a killed one was).
    pub(crate) fn start_at(address: SocketAddr) -> Result<Instance, BoxError> {
        Instance::serve(std::net::TcpListener::bind(address)?)
    }

    /// Serves on an already bound listener.
    pub(crate) fn serve(listener: std::net::TcpListener) -> Result<Instance, BoxError> {
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let (kill, killed) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let server = GrpcServer::new("it-instance").serve(listener, std::future::pending());
                tokio::select! {
                    _ = server => {}
                    _ = killed => {}
                }
            });
            // Dropping the runtime drops every task, open connections included.
        });
        Ok(Instance {
            address,
            kill: Some(kill),
            thread: Some(thread),
        })
    }

    /// Kills it: listener and connections close at once, no NOT_SERVING, no drain.
    pub(crate) fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `probe` until it yields a value, failing after [`SETTLE`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> Result<T, BoxError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, BoxError>>,
{
    let deadline = tokio::time::Instant::now() + SETTLE;
    loop {
        if let Some(value) = probe().await? {
            return Ok(value);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The healthy addresses of `service`, once they are exactly `expected`.
pub(crate) async fn healthy_becomes(
    discovery: &dyn Discovery,
    service: &str,
    expected: &[SocketAddr],
) -> Result<Vec<ServiceInstance>, BoxError> {
    let mut expected = expected.to_vec();
    expected.sort();
    eventually(&format!("{service} healthy at {expected:?}"), || async {
        let instances = discovery.healthy(service).await?;
        let mut addresses: Vec<SocketAddr> = instances.iter().map(|i| i.address).collect();
        addresses.sort();
        Ok((addresses == expected).then_some(instances))
    })
    .await
}

/// A registration checked every 100 ms.
pub(crate) fn registration(service: &str, address: SocketAddr) -> Registration {
    Registration::new(service, address).with_health(
        HealthCheck::grpc(address)
            .interval(Duration::from_millis(100))
            .timeout(Duration::from_secs(1)),
    )
}

/// A backend under test, holding what keeps it alive.
pub(crate) struct Fixture {
    pub discovery: Arc<dyn Discovery>,
    _consul: Option<LoopbackConsul>,
}

#[derive(Clone, Copy)]
pub(crate) enum Backend {
    Static,
    Consul,
}

impl Backend {
    /// The backend knowing `service` at `addresses`: configured (static), or registered (Consul).
    async fn with(self, service: &str, addresses: &[SocketAddr]) -> Result<Fixture, BoxError> {
        match self {
            Backend::Static => {
                let services = BTreeMap::from([(service.to_owned(), addresses.to_vec())]);
                let discovery = StaticDiscovery::new(services)
                    .with_health_probe(Duration::from_millis(100), Duration::from_secs(1))?;
                Ok(Fixture {
                    discovery: Arc::new(discovery),
                    _consul: None,
                })
            }
            Backend::Consul => {
                let consul = LoopbackConsul::start().await?;
                let discovery = ConsulDiscovery::new(
                    ConsulConfig::new(consul.url()).with_wait(Duration::from_secs(5)),
                )?;
                for address in addresses {
                    discovery.register(registration(service, *address)).await?;
                }
                Ok(Fixture {
                    discovery: Arc::new(discovery),
                    _consul: Some(consul),
                })
            }
        }
    }
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod static_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> crate::TestResult {
                    super::$name(super::Backend::Static).await
                }
            )*
        }
        mod consul_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> crate::TestResult {
                    super::$name(super::Backend::Consul).await
                }
            )*
        }
    };
}

on_both_backends!(
    lists_the_healthy_instances,
    a_killed_instance_disappears,
    watch_follows_kills_and_restarts,
    unknown_services_and_instances_are_not_errors,
);

async fn lists_the_healthy_instances(backend: Backend) -> TestResult {
    let (a, b) = (Instance::start()?, Instance::start()?);
    let fixture = backend.with("echo", &[a.address, b.address]).await?;
    let instances = healthy_becomes(&*fixture.discovery, "echo", &[a.address, b.address]).await?;
    assert!(
        instances.iter().all(|i| i.service == "echo"),
        "{instances:?}"
    );
    assert_ne!(instances[0].id, instances[1].id);
    assert!(
        instances[0].id < instances[1].id,
        "sorted by id: {instances:?}"
    );
    Ok(())
}

async fn a_killed_instance_disappears(backend: Backend) -> TestResult {
    let (a, b) = (Instance::start()?, Instance::start()?);
    let fixture = backend.with("echo", &[a.address, b.address]).await?;
    healthy_becomes(&*fixture.discovery, "echo", &[a.address, b.address]).await?;
    a.kill();
    let left = healthy_becomes(&*fixture.discovery, "echo", &[b.address]).await?;
    assert_eq!(left.len(), 1);
    Ok(())
}

async fn watch_follows_kills_and_restarts(backend: Backend) -> TestResult {
    let (a, b) = (Instance::start()?, Instance::start()?);
    let (a_address, b_address) = (a.address, b.address);
    let fixture = backend.with("echo", &[a_address, b_address]).await?;
    let mut watch = fixture.discovery.watch("echo");
    let addresses = |list: &Vec<ServiceInstance>| {
        let mut addresses: Vec<SocketAddr> = list.iter().map(|i| i.address).collect();
        addresses.sort();
        addresses
    };
    let mut both = vec![a_address, b_address];
    both.sort();

    tokio::time::timeout(SETTLE, watch.wait_for(|list| addresses(list) == both)).await??;
    a.kill();
    tokio::time::timeout(
        SETTLE,
        watch.wait_for(|list| addresses(list) == [b_address]),
    )
    .await??;
    let _a = Instance::start_at(a_address)?;
    tokio::time::timeout(SETTLE, watch.wait_for(|list| addresses(list) == both)).await??;
    drop(b);
    Ok(())
}

async fn unknown_services_and_instances_are_not_errors(backend: Backend) -> TestResult {
    let a = Instance::start()?;
    let fixture = backend.with("echo", &[a.address]).await?;
    assert_eq!(fixture.discovery.healthy("nobody").await?, Vec::new());
    fixture.discovery.deregister("nobody-1").await?;
    healthy_becomes(&*fixture.discovery, "echo", &[a.address]).await?;
    Ok(())
}

#[tokio::test]
async fn static_discovery_without_a_probe_lists_the_configuration_as_is() -> TestResult {
    // Nothing listens there: without a probe the configuration is the answer.
    let address: SocketAddr = "127.0.0.1:9".parse()?;
    let discovery = StaticDiscovery::new(BTreeMap::from([(
        "echo".to_owned(),
        vec![address, address],
    )]));
    let listed = discovery.healthy("echo").await?;
    assert_eq!(
        listed,
        vec![ServiceInstance {
            id: "echo@127.0.0.1:9".to_owned(),
            service: "echo".to_owned(),
            address,
            tags: Vec::new(),
        }]
    );
    let mut watch = discovery.watch("echo");
    tokio::time::timeout(SETTLE, watch.changed()).await??;
    assert_eq!(*watch.borrow(), listed);
    discovery.register(registration("echo", address)).await?;
    assert_eq!(
        discovery.healthy("echo").await?,
        listed,
        "registration changes nothing"
    );
    Ok(())
}

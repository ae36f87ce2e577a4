//! Two `carpetti serve persist` processes on one PostgreSQL database, registered in (loopback)
//! Consul by themselves and found there by the typed client (package_repo): one is killed (SIGKILL) under a read load and the other stopped gracefully
//! (SIGTERM) under a write load; every call of the clients finishes. The instances require
//! service tokens (keys made by `carpetti keys generate`); a call without one is refused.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use carpetti_handle::auth::{SigningKeyConfig, TokenIssuer};
use carpetti_handle::discovery::{ConsulConfig, ConsulDiscovery, Discovery as _};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as pb;
use carpetti_repo::{CallPolicy, HeaderStamp, PersistClient, ServiceToken};
use carpetti_testkit::TestPgDatabase;
use carpetti_testkit::consul::LoopbackConsul;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Service keys made by `carpetti keys generate`.
struct Keys {
    kid: String,
    signing_key_file: String,
    verification_keys_file: String,
}

impl Keys {
    fn generate(dir: &std::path::Path) -> Result<Keys, Box<dyn std::error::Error + Send + Sync>> {
        let output = super::carpetti(dir)
            .args([
                "keys",
                "generate",
                "--kid",
                "cluster-1",
                "--dir",
                "keys",
                "--json",
            ])
            .output()?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned().into());
        }
        let made: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let path = |key: &str| -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
            let relative = made[key].as_str().ok_or("missing path")?;
            Ok(dir.join(relative).display().to_string())
        };
        Ok(Keys {
            kid: made["kid"].as_str().ok_or("no kid")?.to_owned(),
            signing_key_file: path("signing_key_file")?,
            verification_keys_file: path("verification_keys_file")?,
        })
    }

    /// What a caller stamps on its requests: a token signed with the generated key.
    fn stamp(&self) -> Result<Arc<dyn HeaderStamp>, Box<dyn std::error::Error + Send + Sync>> {
        let pem = std::fs::read_to_string(&self.signing_key_file)?;
        let issuer = TokenIssuer::new(
            "cluster-test",
            &SigningKeyConfig {
                kid: self.kid.clone(),
                private_key_pem: pem.into(),
            },
        )?;
        Ok(Arc::new(ServiceToken(issuer)))
    }
}

/// A `carpetti serve persist` child process, killed when dropped.
struct Instance {
    child: Child,
    address: SocketAddr,
}

impl Instance {
    fn start(
        database_url: &str,
        dir: &std::path::Path,
        keys: &Keys,
        consul: &str,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let mut cmd = super::carpetti(dir);
        // Each process keeps its own embedded state (the queue file) like separate machines.
        let own = dir.join(format!("instance-{}", uuid::Uuid::now_v7().simple()));
        let mut child = cmd
            .args(["serve", "persist", "--json"])
            .arg("--data-dir")
            .arg(own)
            .env("CARPETTI_CONSUL_URL", consul)
            .env("CARPETTI_AUTH__SIGNING_KID", &keys.kid)
            .env("CARPETTI_AUTH__SIGNING_KEY_FILE", &keys.signing_key_file)
            .env(
                "CARPETTI_AUTH__VERIFICATION_KEYS_FILE",
                &keys.verification_keys_file,
            )
            .env("CARPETTI_DATABASE_URL", database_url)
            .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_METRICS__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_LOG__LEVEL", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                return Err("carpetti serve persist exited before listening".into());
            };
            let Ok(event) = serde_json::from_str::<serde_json::Value>(&line?) else {
                continue;
            };
            if event["event"] == "listening" {
                let address = event["services"][0]["address"]
                    .as_str()
                    .ok_or("no address")?;
                break address.parse()?;
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, address })
    }

    fn signal(&self, signal: &str) -> TestResult {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()?;
        if !status.success() {
            return Err(format!("kill {signal} failed").into());
        }
        Ok(())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn supplier(code: &str) -> cat::Supplier {
    cat::Supplier {
        code: code.into(),
        name: format!("Поставщик {code}"),
        feed_format: cat::FeedFormat::Yml.into(),
        active: true,
        ..Default::default()
    }
}

fn policy() -> CallPolicy {
    CallPolicy {
        attempt_timeout: Duration::from_secs(5),
        max_attempts: 4,
        ..CallPolicy::default()
    }
}

/// The `persist` instances passing their health checks in Consul, waited for until there are
/// `count` (each instance registers itself when it starts).
async fn wait_for_instances(
    consul: &ConsulDiscovery,
    count: usize,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let healthy = consul.healthy("persist").await?;
        if healthy.len() == count {
            return Ok(healthy.into_iter().map(|i| i.address).collect());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!(
                "{} persist instance(s) in Consul, not {count}",
                healthy.len()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until exactly `expected` are the healthy persist instances in Consul (a killed one
/// leaves only once its health check has failed, which may come after a new one joined).
async fn wait_for_exactly(
    consul: &ConsulDiscovery,
    mut expected: Vec<SocketAddr>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    expected.sort();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut healthy: Vec<SocketAddr> = consul
            .healthy("persist")
            .await?
            .into_iter()
            .map(|i| i.address)
            .collect();
        healthy.sort();
        if healthy == expected {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(
                format!("persist instances in Consul: {healthy:?}, not {expected:?}").into(),
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `tasks` × `calls` of `call`, invoking `midway` once after a third of them are done;
/// returns the number of failed calls and the first failure.
async fn load<F, Fut>(
    tasks: usize,
    calls: usize,
    call: F,
    midway: impl FnOnce() -> TestResult,
) -> Result<(usize, Option<String>), Box<dyn std::error::Error + Send + Sync>>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), tonic::Status>> + Send,
{
    let call = Arc::new(call);
    let done = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut handles = Vec::new();
    for task in 0..tasks {
        let (call, done, failures) = (Arc::clone(&call), Arc::clone(&done), Arc::clone(&failures));
        handles.push(tokio::spawn(async move {
            for i in 0..calls {
                if let Err(status) = call(task * calls + i).await {
                    failures.lock().map(|mut f| f.push(status.to_string())).ok();
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    while done.load(Ordering::Relaxed) < tasks * calls / 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    midway()?;
    for handle in handles {
        handle.await?;
    }
    let failures = failures.lock().map_err(|_| "poisoned")?.clone();
    Ok((failures.len(), failures.first().cloned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_persist_instances_one_killed_under_load_every_call_finishes() -> TestResult {
    let db = TestPgDatabase::create().await?;
    let dir = tempfile::tempdir()?;
    let keys = Keys::generate(dir.path())?;
    let consul = LoopbackConsul::start().await?;
    let a = Instance::start(db.url(), dir.path(), &keys, &consul.url())?;
    let b = Instance::start(db.url(), dir.path(), &keys, &consul.url())?;
    let discovery = ConsulDiscovery::new(ConsulConfig::new(consul.url()))?;
    let mut registered = wait_for_instances(&discovery, 2).await?;
    registered.sort();
    let mut started = vec![a.address, b.address];
    started.sort();
    assert_eq!(registered, started, "both instances registered themselves");

    // Without a service token the instances refuse every call (health and reflection aside).
    let anonymous = PersistClient::discover(&discovery, policy(), Vec::new());
    let refused = anonymous
        .suppliers()
        .list_suppliers(pb::ListQuery::default())
        .await
        .expect_err("no token");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated, "{refused}");

    let client = PersistClient::discover(&discovery, policy(), vec![keys.stamp()?]);

    let mut ids = Vec::new();
    for n in 0..20 {
        let created = client
            .suppliers()
            .create_supplier(supplier(&format!("s{n}")))
            .await?
            .into_inner();
        ids.push(created.meta.ok_or("no meta")?.id);
    }
    let ids = Arc::new(ids);

    // Reads while instance A is killed outright: in-flight calls on A break and are retried on B.
    let reader = client.clone();
    let read_ids = Arc::clone(&ids);
    let (failed, first) = load(
        8,
        150,
        move |n| {
            let client = reader.clone();
            let ids = Arc::clone(&read_ids);
            async move {
                if n % 2 == 0 {
                    let id = ids[n % ids.len()].clone();
                    let got = client
                        .suppliers()
                        .get_supplier(pb::GetRequest {
                            id,
                            ..Default::default()
                        })
                        .await?;
                    assert!(got.into_inner().meta.is_some());
                } else {
                    let page = client
                        .suppliers()
                        .list_suppliers(pb::ListQuery {
                            page_size: 5,
                            ..Default::default()
                        })
                        .await?;
                    assert_eq!(page.into_inner().items.len(), 5);
                }
                Ok(())
            }
        },
        || a.signal("-KILL"),
    )
    .await?;
    assert_eq!(failed, 0, "{failed} reads failed; first: {first:?}");

    // Writes while instance B is stopped gracefully and C serves: no create is lost or doubled.
    // The killed instance fails its health check and leaves Consul; a new one joins.
    let c = Instance::start(db.url(), dir.path(), &keys, &consul.url())?;
    // A left, C joined
    wait_for_exactly(&discovery, vec![b.address, c.address]).await?;
    let writer = client.clone();
    let (failed, first) = load(
        4,
        60,
        move |n| {
            let client = writer.clone();
            async move {
                client
                    .suppliers()
                    .create_supplier(supplier(&format!("w{n}")))
                    .await?;
                Ok(())
            }
        },
        || b.signal("-TERM"),
    )
    .await?;
    assert_eq!(failed, 0, "{failed} creates failed; first: {first:?}");
    let mut total = 0;
    let mut cursor = String::new();
    loop {
        let page = client
            .suppliers()
            .list_suppliers(pb::ListQuery {
                page_size: 1000,
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await?
            .into_inner();
        total += page.items.len();
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    assert_eq!(total, 20 + 4 * 60, "every create stored exactly once");
    Ok(())
}

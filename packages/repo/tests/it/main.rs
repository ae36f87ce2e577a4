//! The typed client against real service_persist servers on port 0 (SQLite, in this process):
//! deadlines, which calls are retried and which are not, no instance, following discovery.
//! Killing a whole `carpetti serve persist` process under load is tested end to end in the
//! binary's suite (carpetti/tests/it/cluster.rs).

use std::net::SocketAddr;
use std::time::Duration;

use carpetti_persist::PersistServer;
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as pb;
use carpetti_repo::{CallPolicy, PersistClient};
use carpetti_testkit::TestSqliteDatabase;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// service_persist on SQLite, stopped when dropped.
struct Persist {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
    _db: TestSqliteDatabase,
}

async fn persist() -> Result<Persist, Box<dyn std::error::Error + Send + Sync>> {
    let db = TestSqliteDatabase::create()?;
    let store = std::sync::Arc::new(SqliteStore::open(&db.path()).await?);
    let server = PersistServer::with_store(store, "127.0.0.1:0".parse()?).await?;
    let address = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Ok(Persist {
        address,
        _stop: stop,
        _db: db,
    })
}

/// A listener that accepts connections and never answers: a hung instance.
async fn black_hole() -> Result<SocketAddr, Box<dyn std::error::Error + Send + Sync>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    Ok(address)
}

/// An address nothing listens on: connections are refused.
async fn refused() -> Result<SocketAddr, Box<dyn std::error::Error + Send + Sync>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    Ok(listener.local_addr()?)
}

fn policy() -> CallPolicy {
    CallPolicy {
        attempt_timeout: Duration::from_millis(300),
        max_attempts: 3,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..CallPolicy::default()
    }
}

fn client(addresses: Vec<SocketAddr>) -> (PersistClient, watch::Sender<Vec<SocketAddr>>) {
    let (tx, rx) = watch::channel(addresses);
    (PersistClient::new(rx, policy(), Vec::new()), tx)
}

fn supplier(code: &str) -> cat::Supplier {
    cat::Supplier {
        code: code.into(),
        name: "Поставщик".into(),
        feed_format: cat::FeedFormat::Yml.into(),
        active: true,
        ..Default::default()
    }
}

async fn count_suppliers(client: &PersistClient) -> Result<usize, tonic::Status> {
    Ok(client
        .suppliers()
        .list_suppliers(pb::ListQuery {
            page_size: 1000,
            ..Default::default()
        })
        .await?
        .into_inner()
        .items
        .len())
}

#[tokio::test]
async fn reads_move_on_from_a_hung_instance_after_the_deadline() -> TestResult {
    let healthy = persist().await?;
    let (client, _tx) = client(vec![black_hole().await?, healthy.address]);
    for _ in 0..6 {
        let listed = count_suppliers(&client).await?;
        assert_eq!(listed, 0);
    }
    Ok(())
}

#[tokio::test]
async fn a_create_is_not_repeated_after_a_timeout() -> TestResult {
    let healthy = persist().await?;
    let (client, _tx) = client(vec![black_hole().await?, healthy.address]);
    let mut failed = 0;
    for n in 0..10 {
        match client
            .suppliers()
            .create_supplier(supplier(&format!("s{n}")))
            .await
        {
            Ok(_) => {}
            Err(err) => {
                assert!(
                    matches!(
                        err.code(),
                        tonic::Code::Unavailable | tonic::Code::DeadlineExceeded
                    ),
                    "{err}"
                );
                failed += 1;
            }
        }
    }
    // Round-robin sends some creates to the hung instance first. A create that may have reached
    // a server is never sent again, so those fail instead of moving on to the healthy instance
    // (reads do move on: see above).
    assert!(failed >= 1, "no create was tried on the hung instance");
    assert_eq!(count_suppliers(&client).await?, 10 - failed);
    Ok(())
}

#[tokio::test]
async fn refused_connections_are_retried_for_any_call() -> TestResult {
    let healthy = persist().await?;
    let (client, _tx) = client(vec![refused().await?, healthy.address]);
    for n in 0..10 {
        client
            .suppliers()
            .create_supplier(supplier(&format!("s{n}")))
            .await?;
    }
    assert_eq!(
        count_suppliers(&client).await?,
        10,
        "each create stored once"
    );
    Ok(())
}

#[tokio::test]
async fn no_instance_is_unavailable_with_the_reason() -> TestResult {
    let (client, _tx) = client(Vec::new());
    let err = count_suppliers(&client).await.expect_err("nobody to call");
    assert_eq!(err.code(), tonic::Code::Unavailable, "{err}");
    assert!(
        err.message().contains("no healthy instance of persist"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn follows_discovery_changes() -> TestResult {
    let first = persist().await?;
    let (client, tx) = client(vec![first.address]);
    client.suppliers().create_supplier(supplier("a")).await?;
    let second = persist().await?;
    tx.send(vec![second.address])?;
    drop(first);
    // The new instance has its own (empty) database: reaching it proves the switch.
    assert_eq!(count_suppliers(&client).await?, 0);
    Ok(())
}

#[tokio::test]
async fn application_errors_pass_through_untouched() -> TestResult {
    let healthy = persist().await?;
    let (client, _tx) = client(vec![healthy.address]);
    let err = client
        .suppliers()
        .get_supplier(pb::GetRequest {
            key: "missing".into(),
            ..Default::default()
        })
        .await
        .expect_err("no such supplier");
    assert_eq!(err.code(), tonic::Code::NotFound, "{err}");
    let err = client
        .suppliers()
        .create_supplier(supplier(""))
        .await
        .expect_err("empty code");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");
    Ok(())
}

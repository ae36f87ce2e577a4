//! The backends the behavioural suite runs against, and the macros that generate one test per
//! (suite case × backend). To add a backend: write its constructor here returning a [`TestBus`]
//! and add one `@bus` line to `on_each_bus!` and `on_each_bus_and_db!` (marked RABBITMQ below).

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use carpetti_queue::{Bus, EmbeddedBus, EmbeddedOptions, Topic, TopicPattern};
use carpetti_testkit::TestSqliteDatabase;

/// A bus under test with a unique name prefix, so tests sharing a broker never see each other's
/// topics or groups.
pub struct TestBus {
    pub bus: Arc<dyn Bus>,
    prefix: String,
    store: Store,
    /// Whatever must live as long as the bus (a temporary directory…).
    _guard: Box<dyn Any + Send + Sync>,
}

/// Where a test looks at a consumer group from outside the bus.
pub enum Store {
    /// The embedded bus's SQLite file.
    Embedded(PathBuf),
    /// The machine's broker (queue names with this prefix).
    Rabbit { queue_prefix: String },
}

impl TestBus {
    pub fn new(bus: Arc<dyn Bus>, store: Store, guard: Box<dyn Any + Send + Sync>) -> Self {
        Self {
            bus,
            prefix: format!("t{}", uuid::Uuid::now_v7().simple()),
            store,
            _guard: guard,
        }
    }

    /// Whether the consumer group `group` exists in the backend (embedded: its `queue_group`
    /// row; RabbitMQ: its queue, found by a passive declare from another connection).
    pub async fn group_exists(&self, group: &str) -> Result<bool> {
        match &self.store {
            Store::Embedded(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true);
                let mut conn = sqlx::ConnectOptions::connect(&options).await?;
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM queue_group WHERE name = ?")
                        .bind(group)
                        .fetch_one(&mut conn)
                        .await?;
                sqlx::Connection::close(conn).await?;
                Ok(count > 0)
            }
            Store::Rabbit { queue_prefix } => {
                let state = crate::rabbit::queue_state(&format!("{queue_prefix}{group}")).await?;
                Ok(!matches!(state, crate::rabbit::QueueState::Missing))
            }
        }
    }

    /// A unique group name.
    pub fn group(&self, name: &str) -> String {
        format!("{}.{name}", self.prefix)
    }

    /// A unique topic `<prefix>.<words>`.
    pub fn topic(&self, words: &str) -> Topic {
        Topic::parse(&format!("{}.{words}", self.prefix)).expect("valid test topic")
    }

    /// A pattern `<prefix>.<pattern>` (`""` gives the bare prefix).
    pub fn pattern(&self, pattern: &str) -> TopicPattern {
        let raw = if pattern.is_empty() {
            self.prefix.clone()
        } else {
            format!("{}.{pattern}", self.prefix)
        };
        TopicPattern::parse(&raw).expect("valid test pattern")
    }

    pub async fn close(&self) {
        self.bus.close().await;
    }
}

/// Options that keep the embedded backend's tests fast: a short poll and lease.
pub fn embedded_options() -> EmbeddedOptions {
    EmbeddedOptions {
        lease_timeout: std::time::Duration::from_secs(2),
        poll_interval: std::time::Duration::from_millis(200),
        ..EmbeddedOptions::default()
    }
}

pub async fn embedded() -> Result<TestBus> {
    let dir = TestSqliteDatabase::create()?;
    let path = dir.dir().join("queue.db");
    let bus = EmbeddedBus::open(&path, embedded_options()).await?;
    Ok(TestBus::new(
        Arc::new(bus),
        Store::Embedded(path),
        Box::new(dir),
    ))
}

/// The machine's RabbitMQ broker (CARPETTI_TEST_AMQP_URL): an exchange of the test's own, deleted
/// at the end; the queues expire once unused (see `rabbit.rs`).
pub async fn rabbitmq() -> Result<TestBus> {
    let (bus, guard) = crate::rabbit::test_bus(crate::rabbit::test_config()).await?;
    let store = Store::Rabbit {
        queue_prefix: bus.config().queue_prefix.clone(),
    };
    Ok(TestBus::new(Arc::new(bus), store, Box::new(guard)))
}

/// `on_each_bus!(module: case, …)`: `<module>::<backend>::<case>` calls
/// `suite::<module>::<case>(&TestBus)` on each backend.
macro_rules! on_each_bus {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            on_each_bus!(@bus $module, embedded: $($name),*);
            on_each_bus!(@bus $module, rabbitmq: $($name),*);
        }
    };
    (@bus $module:ident, $backend:ident: $($name:ident),*) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let bus = crate::backends::$backend().await?;
                    let result = crate::suite::$module::$name(&bus).await;
                    bus.close().await;
                    result
                }
            )*
        }
    };
}

/// `on_each_bus_and_db!(module: case, …)`: `<module>::<backend>::<database>::<case>` calls
/// `suite::<module>::<case>(&TestBus, &TestDb)`.
macro_rules! on_each_bus_and_db {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            on_each_bus_and_db!(@bus $module, embedded: $($name),*);
            on_each_bus_and_db!(@bus $module, rabbitmq: $($name),*);
        }
    };
    (@bus $module:ident, $backend:ident: $($name:ident),*) => {
        mod $backend {
            on_each_bus_and_db!(@db $module, $backend, postgres: $($name),*);
            on_each_bus_and_db!(@db $module, $backend, sqlite: $($name),*);
        }
    };
    (@db $module:ident, $backend:ident, $db:ident: $($name:ident),*) => {
        mod $db {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let bus = crate::backends::$backend().await?;
                    let db = crate::db::TestDb::$db().await?;
                    let result = crate::suite::$module::$name(&bus, &db).await;
                    bus.close().await;
                    result
                }
            )*
        }
    };
}

/// `on_each_db!(module: case, …)`: `<module>::<database>::<case>` calls
/// `suite::<module>::<case>(&TestDb)`.
macro_rules! on_each_db {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            on_each_db!(@db $module, postgres: $($name),*);
            on_each_db!(@db $module, sqlite: $($name),*);
        }
    };
    (@db $module:ident, $db:ident: $($name:ident),*) => {
        mod $db {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let db = crate::db::TestDb::$db().await?;
                    crate::suite::$module::$name(&db).await
                }
            )*
        }
    };
}

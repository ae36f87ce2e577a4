//! Starting the embedded BPMN engine — the one place naming `carpetti_engine`'s server: its
//! store (SQLite beside the other embedded state, or PostgreSQL), the Camunda 7 REST API at
//! `engine.listen` under `/engine-rest`, and the models of `engine.processes_dir`.

use anyhow::Context as _;
use carpetti_config::{Config, DatabaseTarget};
use carpetti_engine::rest::RestAuth;
use carpetti_engine::server::EngineServer;
use carpetti_engine::{EngineConfig, EngineStorage};
use secrecy::ExposeSecret;

use crate::platform::Platform;

use super::{Shutdown, Started};

/// Opens the engine's store, binds `engine.listen`, deploys the processes folder.
pub async fn start(
    config: &Config,
    _platform: &Platform,
    shutdown: &Shutdown,
) -> anyhow::Result<Started> {
    let target = config.engine_target();
    let backend = target.describe();
    let storage = match target {
        DatabaseTarget::Postgres(url) => EngineStorage::Postgres {
            url: url.expose_secret().to_owned(),
            max_connections: config.database.max_connections,
        },
        DatabaseTarget::Sqlite(path) => EngineStorage::Sqlite(path),
    };
    let auth = match (&config.engine.user, &config.engine.password) {
        (Some(user), Some(password)) => RestAuth::Basic {
            user: user.clone(),
            password: password.clone(),
        },
        _ => RestAuth::None,
    };
    let server = EngineServer::start(
        EngineConfig::new(storage),
        config.engine.listen,
        auth,
        &config.engine.processes_dir,
    )
    .await
    .context("starting the process engine")?;
    let deployed = match server.deployed() {
        None => "no process models".to_owned(),
        Some(d) if d.definitions.is_empty() => "process models unchanged".to_owned(),
        Some(d) => format!("{} process model(s) deployed", d.definitions.len()),
    };
    let address = server.local_addr();
    let stop = shutdown.wait();
    Ok(Started {
        service: "engine",
        address,
        backend: format!("{backend}; REST http://{address}/engine-rest; {deployed}"),
        run: Box::pin(async move { server.run(stop).await.context("the process engine") }),
    })
}

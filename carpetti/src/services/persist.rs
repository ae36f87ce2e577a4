//! Starting service_persist — the one place naming the `carpetti_persist` crate.

use anyhow::Context as _;
use carpetti_config::{Config, DatabaseTarget};
use carpetti_persist::{PersistServer, SERVICE_NAME};

use crate::platform::Platform;

use super::{Shutdown, Started};

/// Connects and migrates the database, binds `persist.listen`.
/// Requires service tokens when verification keys are configured, and registers in Consul when
/// one is.
pub async fn start(
    config: &Config,
    platform: &Platform,
    shutdown: &Shutdown,
) -> anyhow::Result<Started> {
    if let DatabaseTarget::Sqlite(path) = config.database_target()
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database directory {}", dir.display()))?;
    }
    let mut server = PersistServer::build(config)
        .await
        .context("starting service persist")?;
    let address = server.local_addr();
    if let Some(verifier) = platform.keys.verifier(SERVICE_NAME)? {
        server = server.with_service_auth(verifier);
    }
    if let Some((registry, registration)) = platform.registration(SERVICE_NAME, address)? {
        server = server.with_registration(registry, registration);
    }
    let backend = server.backend_description();
    let stop = shutdown.wait();
    Ok(Started {
        service: "persist",
        address,
        backend,
        run: Box::pin(async move { server.run(stop).await.context("service persist") }),
    })
}

//! Starting service_provider — the one place naming the `carpetti_provider` crate's server.

use std::sync::Arc;

use anyhow::Context as _;
use carpetti_config::Config;
use carpetti_provider::import::{Importer, ImporterOptions, PersistCatalog};
use carpetti_provider::source::{Fetcher, FetcherConfig};
use carpetti_provider::{ProviderServer, SERVICE_NAME};

use crate::platform::Platform;

use super::{Shutdown, Started};

/// The importer of this process: persist through `platform` (the local one in `carpetti up`).
pub fn importer(config: &Config, platform: &Platform) -> anyhow::Result<Arc<Importer>> {
    let client =
        platform.persist_client(SERVICE_NAME, platform.local(carpetti_persist::SERVICE_NAME))?;
    let work_dir = work_dir(config);
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating provider.work_dir {}", work_dir.display()))?;
    let mut options = ImporterOptions {
        work_dir,
        ..ImporterOptions::default()
    };
    if config.provider.workers > 0 {
        options.workers = config.provider.workers;
    }
    options.heartbeat = std::time::Duration::from_secs(config.provider.heartbeat_secs);
    options.stale_after = std::time::Duration::from_secs(config.provider.stale_after_secs);
    Ok(Arc::new(Importer::new(
        Arc::new(PersistCatalog::new(client)),
        Arc::new(Fetcher::new(FetcherConfig::default()).context("building the feed fetcher")?),
        Some(Arc::clone(&platform.bus)),
        options,
    )))
}

/// `provider.work_dir`, or `<data_dir>/work`.
pub fn work_dir(config: &Config) -> std::path::PathBuf {
    config
        .provider
        .work_dir
        .clone()
        .unwrap_or_else(|| config.data_dir.join("work"))
}

/// Binds `provider.listen`; consumes import requests and runs the schedules.
pub async fn start(
    config: &Config,
    platform: &Platform,
    shutdown: &Shutdown,
) -> anyhow::Result<Started> {
    let importer = importer(config, platform)?;
    let mut server = ProviderServer::bind(importer, work_dir(config), config.provider.listen)
        .await
        .context("starting service provider")?
        .with_bus(Arc::clone(&platform.bus))
        .with_schedules(config.provider.schedules);
    let address = server.local_addr();
    if let Some(verifier) = platform.keys.verifier(SERVICE_NAME)? {
        server = server.with_service_auth(verifier);
    }
    if let Some((registry, registration)) = platform.registration(SERVICE_NAME, address)? {
        server = server.with_registration(registry, registration);
    }
    let stop = shutdown.wait();
    Ok(Started {
        service: "provider",
        address,
        backend: "imports into persist".to_owned(),
        run: Box::pin(async move { server.run(stop).await.context("service provider") }),
    })
}

//! Starting service_mp — the one place naming the `carpetti_mp` crate's server.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use carpetti_config::Config;
use carpetti_mp::publish::{PublishOptions, Publisher};
use carpetti_mp::{MpServer, SERVICE_NAME};

use crate::platform::Platform;

use super::{Shutdown, Started};

/// Binds `mp.listen`; consumes publication requests and syncs orders every `mp.order_sync_secs`.
pub async fn start(
    config: &Config,
    platform: &Platform,
    shutdown: &Shutdown,
) -> anyhow::Result<Started> {
    let persist =
        platform.persist_client(SERVICE_NAME, platform.local(carpetti_persist::SERVICE_NAME))?;
    let publisher = Publisher::new(
        persist.clone(),
        platform.cache.clone(),
        PublishOptions::default(),
    );
    let mut server = MpServer::bind(persist, publisher, config.mp.listen)
        .await
        .context("starting service mp")?
        .with_bus(Arc::clone(&platform.bus))
        .with_order_sync(Some(Duration::from_secs(config.mp.order_sync_secs)));
    let address = server.local_addr();
    if let Some(verifier) = platform.keys.verifier(SERVICE_NAME)? {
        server = server.with_service_auth(verifier);
    }
    if let Some((registry, registration)) = platform.registration(SERVICE_NAME, address)? {
        server = server.with_registration(registry, registration);
    }
    let stop = shutdown.wait();
    let backend = match config.mp.order_sync_secs {
        0 => "marketplaces; orders on demand".to_owned(),
        secs => format!("marketplaces; orders every {secs} s"),
    };
    Ok(Started {
        service: "mp",
        address,
        backend,
        run: Box::pin(async move { server.run(stop).await.context("service mp") }),
    })
}

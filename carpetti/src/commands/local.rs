//! The embedded system a one-shot command (`import`, `export`) works on: service_persist started in
//! this process on a loopback port over the configured database (SQLite under `--data-dir` by
//! default), with the platform (queue, keys) of `carpetti up`.

use anyhow::Context as _;
use carpetti_repo::PersistClient;

use crate::context::Context;
use crate::platform::{Mode, Platform};
use crate::services::{ServiceName, Shutdown};

/// A running embedded persist and the platform around it.
pub struct LocalSystem {
    pub platform: Platform,
    shutdown: Shutdown,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl LocalSystem {
    pub async fn start(ctx: &Context) -> anyhow::Result<Self> {
        let data_dir = &ctx.config.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
        let mut config = ctx.config.clone();
        config.persist.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let platform = Platform::build(&config, Mode::Up).await?;
        let shutdown = Shutdown::new();
        let started = ServiceName::Persist
            .start(&config, &platform, &shutdown)
            .await?;
        platform.add_local(started.service, started.address);
        let task = tokio::spawn(started.run);
        Ok(Self {
            platform,
            shutdown,
            task,
        })
    }

    /// A persist client of `caller` on the embedded persist.
    pub fn persist(&self, caller: &str) -> anyhow::Result<PersistClient> {
        self.platform
            .persist_client(caller, self.platform.local(carpetti_persist::SERVICE_NAME))
    }

    /// Stops persist (checkpointing SQLite) and the queue.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.trigger();
        let served = self.task.await.context("service persist crashed")?;
        self.platform.close().await;
        served
    }
}

/// Persist for a one-shot command: a running system's (`--persist HOST:PORT`) or the embedded
/// one under `--data-dir`, with the platform's cache.
pub struct PersistAccess {
    pub client: PersistClient,
    pub cache: carpetti_cache::DynCache,
    pub data_dir: std::path::PathBuf,
    local: Option<LocalSystem>,
    platform: Option<Platform>,
}

impl PersistAccess {
    pub async fn open(
        ctx: &Context,
        address: Option<std::net::SocketAddr>,
        caller: &str,
    ) -> anyhow::Result<Self> {
        let data_dir = ctx.config.data_dir.clone();
        match address {
            Some(address) => {
                let platform = Platform::build(&ctx.config, Mode::Up).await?;
                let client = platform.persist_client(caller, Some(address))?;
                let cache = platform.cache.clone();
                Ok(Self {
                    client,
                    cache,
                    data_dir,
                    local: None,
                    platform: Some(platform),
                })
            }
            None => {
                let local = LocalSystem::start(ctx).await?;
                let client = local.persist(caller)?;
                let cache = local.platform.cache.clone();
                Ok(Self {
                    client,
                    cache,
                    data_dir,
                    local: Some(local),
                    platform: None,
                })
            }
        }
    }

    /// Stops the embedded persist (if any) and closes the platform.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Some(platform) = self.platform {
            platform.close().await;
        }
        match self.local {
            Some(local) => local.stop().await,
            None => Ok(()),
        }
    }
}

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

//! The engine as a service: binds the REST listener, deploys the process models of a folder
//! (unchanged files are not re-versioned), then serves `/engine-rest` and runs the job executor
//! until shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::api::{DeployRequest, DeploymentInfo, EngineApi, EngineError};
use crate::rest::{RestAuth, router};
use crate::{Engine, EngineConfig};

/// The deployment name of the models deployed from the processes folder.
pub const PROCESSES_DEPLOYMENT: &str = "carpetti-processes";

/// Why the engine service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("binding {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("reading the process models in {dir}: {source}")]
    Processes {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("serving the REST API: {0}")]
    Serve(std::io::Error),
}

/// A started engine service.
pub struct EngineServer {
    engine: Arc<Engine>,
    listener: TcpListener,
    auth: RestAuth,
    deployed: Option<DeploymentInfo>,
}

impl EngineServer {
    /// Opens the engine's store, binds `listen` and deploys the `*.bpmn` files of `processes`
    /// (a missing folder deploys nothing).
    pub async fn start(
        config: EngineConfig,
        listen: SocketAddr,
        auth: RestAuth,
        processes: &Path,
    ) -> Result<Self, ServerError> {
        let engine = Engine::open(config).await?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| ServerError::Bind {
                address: listen,
                source,
            })?;
        let deployed = deploy_folder(&engine, processes).await?;
        Ok(Self {
            engine,
            listener,
            auth,
            deployed,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn engine(&self) -> Arc<Engine> {
        self.engine.clone()
    }

    /// What the start deployed (`None`: no models; empty definitions: nothing changed).
    pub fn deployed(&self) -> Option<&DeploymentInfo> {
        self.deployed.as_ref()
    }

    /// Serves until `shutdown`, then drains requests and stops the job executor.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let stop = CancellationToken::new();
        let jobs = {
            let (engine, stop) = (self.engine.clone(), stop.clone());
            tokio::spawn(async move { engine.run_jobs(stop).await })
        };
        let app = router(self.engine.clone() as Arc<dyn EngineApi>, self.auth);
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        stop.cancel();
        if let Err(e) = jobs.await {
            tracing::warn!(error = %e, "the job executor ended abnormally");
        }
        served.map_err(ServerError::Serve)
    }
}

/// Deploys every `*.bpmn` of `dir` as one deployment with changed-only filtering.
pub async fn deploy_folder(
    engine: &Engine,
    dir: &Path,
) -> Result<Option<DeploymentInfo>, ServerError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ServerError::Processes {
                dir: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut resources = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| ServerError::Processes {
                dir: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.extension().is_some_and(|e| e == "bpmn") {
            let bytes = std::fs::read(&path).map_err(|source| ServerError::Processes {
                dir: dir.to_path_buf(),
                source,
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            resources.push((name, bytes));
        }
    }
    if resources.is_empty() {
        return Ok(None);
    }
    resources.sort();
    let request = DeployRequest {
        name: Some(PROCESSES_DEPLOYMENT.into()),
        source: Some(dir.display().to_string()),
        duplicate_filtering: true,
        changed_only: true,
        resources,
        ..Default::default()
    };
    Ok(Some(engine.deploy(request).await?))
}

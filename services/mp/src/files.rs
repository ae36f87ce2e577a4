//! Where the bytes of documents (labels) go: behind a small trait that service_file will take
//! over; the local-disk implementation writes atomically (temporary file, fsync, rename).

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;

/// A store of file bytes by storage key (`labels/OZON-1/label-123.pdf`).
#[async_trait]
pub trait FileBlobs: Send + Sync {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
}

/// Files under a directory on the local disk.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The path of `key`, refusing keys that would leave the root.
    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let relative = Path::new(key);
        let safe = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if key.is_empty() || !safe {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{key:?} is not a storage key"),
            ));
        }
        Ok(self.root.join(relative))
    }
}

#[async_trait]
impl FileBlobs for LocalFiles {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key)?;
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let temporary = path.with_extension("partial");
            {
                use std::io::Write as _;
                let mut file = std::fs::File::create(&temporary)?;
                file.write_all(&bytes)?;
                file.sync_all()?;
            }
            std::fs::rename(&temporary, &path)
        })
        .await
        .map_err(std::io::Error::other)?
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await
    }
}

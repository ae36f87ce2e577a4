//! What an import is asked to do ([`ImportRequest`], with an [`Upload`]) and how an
//! [`Importer`](super::Importer) works ([`ImporterOptions`]).

use std::path::PathBuf;
use std::time::Duration;

use crate::format::Format;

/// How an [`Importer`](super::Importer) works.
#[derive(Debug, Clone)]
pub struct ImporterOptions {
    /// Where downloads and spools go (a directory per run inside, removed after it).
    pub work_dir: PathBuf,
    /// Normalizing threads during a scan.
    pub workers: usize,
    /// Rejected items included in a report.
    pub report_rejected: u32,
    /// How often a running import touches its run, to show that its provider is alive.
    pub heartbeat: Duration,
    /// A RUNNING run not written for this long has no live owner (its provider stopped during
    /// it) and is closed as failed; many heartbeats long, so a slow persist is not taken for a
    /// dead provider.
    pub stale_after: Duration,
}

impl Default for ImporterOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            work_dir: std::env::temp_dir(),
            workers: cores.saturating_sub(1).max(1),
            report_rejected: 100,
            heartbeat: Duration::from_secs(60),
            stale_after: Duration::from_secs(10 * 60),
        }
    }
}

/// A file already here (an upload, or a file named on the command line by its owner).
#[derive(Debug, Clone)]
pub struct Upload {
    pub path: PathBuf,
    /// How the report names it.
    pub name: String,
}

/// One import to run.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub supplier_code: String,
    /// Another source than the supplier's feed_url (URL or path).
    pub source: Option<String>,
    /// A file to import instead of fetching.
    pub upload: Option<Upload>,
    /// Another format than the supplier's.
    pub format: Option<Format>,
    /// Fetch even when the server says not modified.
    pub force: bool,
}

//! `carpetti bench import`: issue #4's measurements, all in one run on one generated feed —
//! a realistic N-offer YML file (CDATA descriptions, pictures, params), then: our parse +
//! normalize rate beside Python lxml `iterparse` building the same records (the peer, with the
//! ratio); the full import into PostgreSQL end to end; the same import again, unchanged; `export
//! yml` of the imported items; the peak RSS of each.

mod persist_process;
mod phases;
mod report;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;

use crate::context::Context;

/// Flags of `carpetti bench import`.
#[derive(Debug, Args)]
pub struct ImportBenchArgs {
    /// Offers in the generated feed.
    #[arg(long, default_value_t = 1_000_000)]
    pub offers: u64,
    /// Where to write the generated feed and the export (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Keep the generated files.
    #[arg(long)]
    pub keep: bool,
    /// Skip the lxml peer (then no ratio is reported).
    #[arg(long)]
    pub no_peer: bool,
    /// Stop after the parse + normalize phase (no database: for profiling the reader).
    #[arg(long)]
    pub parse_only: bool,
    /// PostgreSQL server to make the scratch database on (it is dropped afterwards).
    #[arg(
        long,
        env = "CARPETTI_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub database_url: String,
}

/// One measured phase.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub phase: &'static str,
    pub offers: u64,
    pub seconds: f64,
    pub offers_per_sec: f64,
    pub peak_rss_mib: Option<f64>,
    /// Peak RSS of the service_persist process during the phase (phases that use it).
    pub persist_rss_mib: Option<f64>,
    /// The target of issue #4 for this phase.
    pub target: &'static str,
    pub note: String,
}

impl Phase {
    pub fn new(
        phase: &'static str,
        offers: u64,
        seconds: f64,
        peak_rss_mib: Option<f64>,
        target: &'static str,
        note: String,
    ) -> Self {
        Self {
            phase,
            offers,
            seconds,
            offers_per_sec: offers as f64 / seconds.max(1e-9),
            peak_rss_mib,
            persist_rss_mib: None,
            target,
            note,
        }
    }
}

pub async fn run(args: ImportBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    anyhow::ensure!(args.offers > 0, "--offers must be at least 1");
    let scratch = tempfile::tempdir().context("making a scratch directory")?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| scratch.path().to_owned());
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let feed = dir.join(format!("bench-{}.yml", args.offers));
    let mut done = Vec::new();
    done.push(phases::generate(&feed, args.offers, ctx)?);
    let peer = if args.no_peer {
        None
    } else {
        Some(phases::lxml_peer(&feed)?)
    };
    done.extend(peer.clone());
    done.push(phases::parse(&feed, ctx)?);
    if args.parse_only {
        if !args.keep {
            let _ = std::fs::remove_file(&feed);
        }
        report::print(&args, ctx, &done);
        return Ok(());
    }
    let mut database = phases::Scratch::create(&args.database_url).await?;
    let result = phases::import_export(&feed, &dir, &database, ctx).await;
    database.drop_database().await?;
    done.extend(result?);
    if !args.keep {
        let _ = std::fs::remove_file(&feed);
        let _ = std::fs::remove_file(dir.join("bench-export.yml"));
    }
    report::print(&args, ctx, &done);
    Ok(())
}

//! The phases of `carpetti bench import`.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use carpetti_proto::catalog::v1 as cat;
use carpetti_provider::SupplierSettings;
use carpetti_provider::format::Format;
use carpetti_provider::import::{
    ImportRequest, Importer, ImporterOptions, NoProgress, PersistCatalog, Upload, dry_run,
};
use carpetti_provider::source::{Fetcher, FetcherConfig};
use carpetti_repo::{CallPolicy, PersistClient};
use carpetti_yml::{Flavor, YmlWriter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions as _, Connection as _};
use uuid::Uuid;

use super::Phase;
use super::persist_process::PersistProcess;
use crate::commands::bench::rss;
use crate::commands::export::{self, YmlArgs};
use crate::context::Context;

const SUPPLIER: &str = "bench-supplier";

fn bar(ctx: &Context, len: u64, what: &str) -> ProgressBar {
    let target = if ctx.json {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) =
        ProgressStyle::with_template("{msg:24} {wide_bar} {pos}/{len} offers {per_sec} ETA {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

/// Writes the feed with our writer and the deterministic sample offers.
pub fn generate(feed: &Path, offers: u64, ctx: &Context) -> anyhow::Result<Phase> {
    let bar = bar(ctx, offers, "generate feed");
    rss::reset_peak();
    let started = Instant::now();
    let file = File::create(feed).with_context(|| format!("creating {}", feed.display()))?;
    let shop = carpetti_yml::sample::sample_shop(200);
    let mut writer = YmlWriter::new(
        BufWriter::with_capacity(1 << 20, file),
        Flavor::YandexMarket,
        &shop,
    )?;
    for n in 0..offers {
        writer.write_offer(&carpetti_yml::sample::sample_offer(n))?;
        if n.is_multiple_of(8192) {
            bar.set_position(n);
        }
    }
    writer.finish()?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(feed).map(|m| m.len()).unwrap_or(0);
    Ok(Phase::new(
        "generate + write YML (our writer)",
        offers,
        seconds,
        rss::peak_mib(),
        "—",
        format!(
            "{:.0} MB, {:.0} bytes/offer",
            bytes as f64 / 1e6,
            bytes as f64 / offers as f64
        ),
    ))
}

/// The peer: Python lxml iterparse building the same records.
pub fn lxml_peer(feed: &Path) -> anyhow::Result<Phase> {
    let script = Path::new("scripts/yml-lxml-peer.py");
    ensure!(
        script.is_file(),
        "{} not found: run the benchmark from the repository root (or pass --no-peer)",
        script.display()
    );
    eprintln!("peer: python3 {} … (lxml iterparse)", script.display());
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(feed)
        .output()
        .context("running python3 (install it, and lxml: pip install lxml)")?;
    if !output.status.success() {
        bail!(
            "the lxml peer failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let result: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading the peer's JSON")?;
    let offers = result["offers"].as_u64().unwrap_or(0);
    let seconds = result["seconds"].as_f64().unwrap_or(0.0);
    Ok(Phase::new(
        "peer: lxml iterparse records",
        offers,
        seconds,
        result["peak_rss_mb"].as_f64(),
        "the peer",
        format!(
            "lxml {}, libxml2 {}",
            result["lxml"].as_str().unwrap_or("?"),
            result["libxml2"].as_str().unwrap_or("?")
        ),
    ))
}

/// Our reader + normalizer (+ the content hash) over the same file, writing nothing.
pub fn parse(feed: &Path, ctx: &Context) -> anyhow::Result<Phase> {
    let _ = ctx;
    rss::reset_peak();
    let started = Instant::now();
    let workers = ImporterOptions::default().workers;
    let counts = dry_run(
        feed.to_owned(),
        Format::Yml,
        SupplierSettings::default(),
        workers,
        Arc::new(NoProgress),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Phase::new(
        "parse + normalize (ours)",
        counts.read,
        seconds,
        rss::peak_mib(),
        "≥ 10× lxml, ≥ 450,000 offers/s",
        format!(
            "{} rejected, {workers} normalizing thread(s)",
            counts.rejected
        ),
    ))
}

/// A scratch PostgreSQL database.
pub struct Scratch {
    admin: PgConnection,
    name: String,
    /// The scratch database's URL.
    pub url: String,
}

impl Scratch {
    pub async fn create(url: &str) -> anyhow::Result<Self> {
        let admin_options = PgConnectOptions::from_str(url).context("parsing --database-url")?;
        let mut admin = admin_options.connect().await.with_context(|| {
            format!(
                "PostgreSQL is not reachable at {}",
                carpetti_config::mask_url(url)
            )
        })?;
        let name = format!("carpetti_bench_{}", Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await?;
        let url = admin_options.database(&name).to_url_lossy().to_string();
        Ok(Self { admin, name, url })
    }

    pub async fn drop_database(&mut self) -> anyhow::Result<()> {
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut self.admin)
        .await?;
        let _ = self.admin.ping().await;
        Ok(())
    }
}

/// Import, re-import and export through service_persist on the scratch database, in its own
/// process (`carpetti serve persist`), as deployed.
pub async fn import_export(
    feed: &Path,
    dir: &Path,
    database: &Scratch,
    ctx: &Context,
) -> anyhow::Result<Vec<Phase>> {
    let persist = PersistProcess::start(&database.url, &dir.join("persist-state"))?;
    let (_addresses, watch) = tokio::sync::watch::channel(vec![persist.address]);
    let client = PersistClient::new(watch, CallPolicy::default(), Vec::new());
    let phases = run_phases(feed, dir, &client, &persist, ctx).await;
    persist.stop()?;
    phases
}

async fn run_phases(
    feed: &Path,
    dir: &Path,
    client: &PersistClient,
    persist: &PersistProcess,
    ctx: &Context,
) -> anyhow::Result<Vec<Phase>> {
    client
        .suppliers()
        .create_supplier(cat::Supplier {
            code: SUPPLIER.into(),
            name: "Оптовик (бенчмарк)".into(),
            feed_format: cat::FeedFormat::Yml.into(),
            active: true,
            ..Default::default()
        })
        .await
        .context("creating the supplier")?;
    let importer = Importer::new(
        Arc::new(PersistCatalog::new(client.clone())),
        Arc::new(Fetcher::new(FetcherConfig::default())?),
        None,
        ImporterOptions {
            work_dir: dir.to_owned(),
            ..ImporterOptions::default()
        },
    );
    let mut phases = Vec::new();
    for (phase, target) in [
        (
            "import into PostgreSQL (end to end)",
            "≤ 10 s for 1,000,000",
        ),
        ("re-import unchanged", "≤ 5 s for 1,000,000"),
    ] {
        let request = ImportRequest {
            supplier_code: SUPPLIER.into(),
            upload: Some(Upload {
                path: feed.to_owned(),
                name: feed.display().to_string(),
            }),
            format: Some(Format::Yml),
            ..Default::default()
        };
        let progress = Arc::new(crate::commands::import::Bars::new(!ctx.json));
        rss::reset_peak();
        persist.reset_peak();
        let started = Instant::now();
        let report = importer.import(request, progress.clone()).await?;
        progress.finish();
        let seconds = started.elapsed().as_secs_f64();
        let run = report.run.unwrap_or_default();
        ensure!(run.error.is_none(), "the import failed: {:?}", run.error);
        let mut done = Phase::new(
            phase,
            u64::try_from(run.read).unwrap_or(0),
            seconds,
            rss::peak_mib(),
            target,
            format!(
                "created {}, updated {}, unchanged {}, rejected {}",
                run.created, run.updated, run.unchanged, run.rejected
            ),
        );
        done.persist_rss_mib = persist.peak_mib();
        phases.push(done);
    }
    let out = dir.join("bench-export.yml");
    let args = YmlArgs {
        channel: None,
        supplier: Some(SUPPLIER.into()),
        out: out.clone(),
        flavor: None,
        persist: None,
    };
    rss::reset_peak();
    persist.reset_peak();
    let started = Instant::now();
    let summary = export::supplier::export(client, SUPPLIER, &args, ctx).await?;
    let seconds = started.elapsed().as_secs_f64();
    let mut done = Phase::new(
        "export yml (supplier items)",
        summary.offers,
        seconds,
        rss::peak_mib(),
        "≥ 500,000 offers/s",
        format!("{:.0} MB written", summary.bytes as f64 / 1e6),
    );
    done.persist_rss_mib = persist.peak_mib();
    phases.push(done);
    Ok(phases)
}

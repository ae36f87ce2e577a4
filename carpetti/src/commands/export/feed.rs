//! Writing one feed file: offers are streamed into a fragment beside the target while their
//! categories are collected (a supplier's items carry category paths, not a tree), then the file
//! is assembled — header with the category tree, the offers, the footer — and renamed into place,
//! so a reader never sees half a feed and memory stays flat.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use carpetti_yml::{Category, Flavor, Offer, Shop, YmlWriter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::context::Context;
use crate::output;

/// What was written.
pub struct Summary {
    pub what: String,
    pub flavor: Flavor,
    pub offers: u64,
    pub categories: usize,
    pub bytes: u64,
    pub secs: f64,
}

/// Category paths ("A/B/C") as a tree with numeric ids, in order of first use.
#[derive(Default)]
pub struct CategoryTree {
    ids: BTreeMap<String, u64>,
    categories: Vec<Category>,
}

impl CategoryTree {
    /// The id of `path`, creating it and its parents.
    pub fn id_of(&mut self, path: &str) -> Option<String> {
        let path = path.trim().trim_matches('/');
        if path.is_empty() {
            return None;
        }
        if let Some(id) = self.ids.get(path) {
            return Some(id.to_string());
        }
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (self.id_of(parent), name.trim()),
            None => (None, path),
        };
        let id = self.categories.len() as u64 + 1;
        self.ids.insert(path.to_owned(), id);
        self.categories.push(Category {
            id: id.to_string(),
            parent_id: parent,
            name: name.to_owned(),
        });
        Some(id.to_string())
    }

    pub fn into_categories(self) -> Vec<Category> {
        self.categories
    }
}

/// A feed being written to `out`.
pub struct FeedFile {
    out: PathBuf,
    flavor: Flavor,
    fragment: YmlWriter<BufWriter<File>>,
    fragment_file: tempfile::NamedTempFile,
    started: Instant,
    pub bar: ProgressBar,
}

impl FeedFile {
    pub fn create(
        out: &Path,
        flavor: Flavor,
        total: Option<u64>,
        visible: bool,
    ) -> anyhow::Result<Self> {
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let fragment_file = tempfile::Builder::new()
            .prefix(".carpetti-offers-")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        let handle = fragment_file.reopen()?;
        let fragment = YmlWriter::fragment(BufWriter::with_capacity(1 << 20, handle), flavor);
        let bar = ProgressBar::with_draw_target(
            total,
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        if let Ok(style) = ProgressStyle::with_template(
            "{msg:8} {wide_bar} {pos}/{len} offers {per_sec} ETA {eta}",
        ) {
            bar.set_style(style);
        }
        bar.set_message("export");
        Ok(Self {
            out: out.to_owned(),
            flavor,
            fragment,
            fragment_file,
            started: Instant::now(),
            bar,
        })
    }

    pub fn write(&mut self, offer: &Offer) -> anyhow::Result<()> {
        self.fragment.write_offer(offer)?;
        let written = self.fragment.offers_written();
        if written.is_multiple_of(4096) {
            self.bar.set_position(written);
        }
        Ok(())
    }

    /// Assembles the file: `shop`'s header with `categories`, the offers, the footer.
    pub fn finish(
        self,
        mut shop: Shop,
        categories: Vec<Category>,
        what: String,
    ) -> anyhow::Result<Summary> {
        let offers = self.fragment.offers_written();
        self.fragment.finish_fragment()?;
        shop.categories = categories;
        let count = shop.categories.len();
        let dir = self
            .out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let target = tempfile::Builder::new()
            .prefix(".carpetti-feed-")
            .tempfile_in(dir)?;
        let mut writer = YmlWriter::new(
            BufWriter::with_capacity(1 << 20, target.reopen()?),
            self.flavor,
            &shop,
        )?;
        let mut offers_file = self.fragment_file.reopen()?;
        offers_file.seek(SeekFrom::Start(0))?;
        writer.append_fragment(&mut offers_file, offers)?;
        writer.finish()?;
        let bytes = std::fs::metadata(target.path())
            .map(|m| m.len())
            .unwrap_or(0);
        target
            .persist(&self.out)
            .with_context(|| format!("writing {}", self.out.display()))?;
        self.bar.finish_and_clear();
        Ok(Summary {
            what,
            flavor: self.flavor,
            offers,
            categories: count,
            bytes,
            secs: self.started.elapsed().as_secs_f64(),
        })
    }
}

/// A decimal string from persist ("1234.50"), `None` when empty or unreadable.
pub fn decimal(text: &str) -> Option<rust_decimal::Decimal> {
    text.trim().parse().ok()
}

/// Persist's dimensions in millimetres as the feed's "L/W/H" in centimetres (all three or none).
pub fn dimensions_cm(
    dimensions: Option<carpetti_proto::catalog::v1::Dimensions>,
) -> Option<carpetti_yml::Dimensions> {
    let d = dimensions?;
    let cm =
        |mm: Option<i32>| mm.map(|mm| rust_decimal::Decimal::from(mm) / rust_decimal::Decimal::TEN);
    Some(carpetti_yml::Dimensions {
        length_cm: cm(d.length_mm)?,
        width_cm: cm(d.width_mm)?,
        height_cm: cm(d.height_mm)?,
    })
}

fn flavor_name(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::YandexMarket => "yandex-market",
        Flavor::Megamarket => "megamarket",
        Flavor::OzonPriceStock => "ozon",
    }
}

pub fn print(ctx: &Context, out: &Path, summary: &Summary) {
    let rate = if summary.secs > 0.0 {
        summary.offers as f64 / summary.secs
    } else {
        0.0
    };
    if ctx.json {
        output::json_line(&json!({
            "event": "export",
            "out": out,
            "source": summary.what,
            "flavor": flavor_name(summary.flavor),
            "offers": summary.offers,
            "categories": summary.categories,
            "bytes": summary.bytes,
            "seconds": (summary.secs * 1000.0).round() / 1000.0,
            "offers_per_sec": rate.round(),
        }));
        return;
    }
    let mut table = output::table(["export", "value"]);
    for (name, value) in [
        ("file", out.display().to_string()),
        ("from", summary.what.clone()),
        ("flavor", flavor_name(summary.flavor).to_owned()),
        ("offers", summary.offers.to_string()),
        ("categories", summary.categories.to_string()),
        ("size", indicatif::HumanBytes(summary.bytes).to_string()),
        ("duration", format!("{:.2} s", summary.secs)),
        ("offers/s", format!("{rate:.0}")),
    ] {
        table.add_row([name, value.as_str()]);
    }
    output::line(&table.to_string());
}

//! Measures the YML writer and writes a synthetic feed: `cargo run --release -p carpetti-yml
//! --example yml_write -- [OFFERS] [OUT|-] [yandex|megamarket|ozon]` (defaults: 1000000, no file,
//! yandex).
//!
//! Two figures: the writer alone (offers generated beforehand, a pool of 1,000 — about 2 MB, in
//! cache as an offer just built for export would be — written in turn to a `BufWriter` on
//! /dev/null: the work is the writer's and the write system calls), then, when OUT is given,
//! generating offer `n` with `carpetti_yml::sample` and writing it to OUT (unique ids: the file
//! the reader and lxml benchmarks parse).

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use carpetti_yml::sample::{SAMPLE_CATEGORIES, sample_offer, sample_shop};
use carpetti_yml::{Flavor, YmlWriter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let offers: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let out = args.next().filter(|a| a != "-");
    let flavor = match args.next().as_deref() {
        None | Some("yandex") => Flavor::YandexMarket,
        Some("megamarket") => Flavor::Megamarket,
        Some("ozon") => Flavor::OzonPriceStock,
        Some(other) => return Err(format!("unknown flavor {other:?}").into()),
    };
    let shop = sample_shop(SAMPLE_CATEGORIES);

    let pool: Vec<_> = (0..1_000).map(sample_offer).collect();
    let sink = BufWriter::new(File::create("/dev/null")?);
    let started = Instant::now();
    let mut writer = YmlWriter::new(sink, flavor, &shop)?;
    for offer in pool.iter().cycle().take(usize::try_from(offers)?) {
        writer.write_offer(offer)?;
    }
    writer.finish()?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "writer alone, {flavor:?}: {offers} offers in {seconds:.3} s = {:.0} offers/s",
        offers as f64 / seconds
    );

    if let Some(path) = out {
        let started = Instant::now();
        let mut writer = YmlWriter::new(BufWriter::new(File::create(&path)?), flavor, &shop)?;
        for n in 0..offers {
            writer.write_offer(&sample_offer(n))?;
        }
        writer.finish()?;
        let seconds = started.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(&path)?.len();
        println!(
            "generate + write to {path}: {offers} offers, {bytes} bytes ({} bytes/offer) in \
             {seconds:.3} s = {:.0} offers/s",
            bytes / offers.max(1),
            offers as f64 / seconds
        );
    }
    Ok(())
}

//! `carpetti bench mp`: 100,000 products published to each marketplace sandbox through service_mp
//! (cards built through the channel's mappings, checked against the marketplace's dictionary,
//! handed over in batches, followed to their ids, listings and outbox written to persist on
//! SQLite), against the floor the marketplace's documented card quota allows for the fewest calls
//! such a publication needs (`Marketplace::publish_min_calls`: card calls, and at Ozon, whose
//! quota is global, the task reads and sku look-ups too); then a stock update of every SKU (two changes each, coalesced) against the floor of the
//! fewest calls the stock quota allows. Sandbox and connector run the documented quotas `pace`
//! times faster (the same pace for both, so the ratio is the one at the real limits); our own
//! cost per product (card build + dictionary check + hash + encoding) is measured apart, with
//! its CPU time.

mod markets;
mod phases;
mod system;

use std::time::{Duration, Instant};

use carpetti_marketplace::{RetryPolicy, StockUpdate};
use carpetti_mp::cards::{card_of, content_hash};
use carpetti_mp::channel::ChannelContext;
use carpetti_mp::connectors::ConnectOptions;
use carpetti_mp::listings::{ids_of, published_listings};
use carpetti_mp::publish::{Outcome, PublishOptions, Publisher, Selection};
use carpetti_mp::stocks::{StockQueue, drain};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use clap::Args;
use futures::StreamExt;
use serde::Serialize;

use super::rss;
use crate::commands::mp::progress::Bar;
use crate::context::Context;
use crate::output;
use markets::Marketplace;
use phases::{Phase, PhaseClock};

/// Flags of `carpetti bench mp`.
#[derive(Debug, Args)]
pub struct MpBenchArgs {
    /// Products published to each marketplace.
    #[arg(long, default_value_t = 100_000)]
    pub products: usize,
    /// The marketplaces (default: all four).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "ozon,wildberries,yandex-market,megamarket"
    )]
    pub marketplaces: Vec<Marketplace>,
    /// The card-quota floor each run is paced to (the pace is chosen per marketplace so that the
    /// documented card quota allows the publication in about this many seconds).
    #[arg(long, default_value_t = 30)]
    pub floor_secs: u64,
    /// Run persist on PostgreSQL (a scratch database of this server) instead of SQLite.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct MarketResult {
    marketplace: &'static str,
    persist: String,
    pace: f64,
    products: usize,
    own_products_per_sec: f64,
    own_cpu_secs: f64,
    own_wall_secs: f64,
    published: usize,
    failed: usize,
    card_calls: usize,
    /// The fewest calls under the card quota the publication needs (the floor's numerator).
    publish_min_calls: usize,
    publish_secs: f64,
    /// Where the publication's time went.
    publish_phases: Vec<Phase>,
    publish_floor_secs: f64,
    stock_changes: usize,
    stock_calls: usize,
    stock_min_calls: usize,
    stock_secs: f64,
    stock_floor_secs: f64,
}

pub async fn run(args: MpBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    let mut results = Vec::new();
    for market in &args.marketplaces {
        results.push(bench_one(*market, &args, ctx).await?);
    }
    print(&args, ctx, &results);
    Ok(())
}

/// The pace that makes the slower of the two documented floors (cards, stocks) about
/// `floor_secs`: batch sizes and calls per minute as the marketplaces document them.
fn pace_for(market: Marketplace, products: usize, floor_secs: u64) -> f64 {
    let ((card_batch, card_rate), (stock_batch, stock_rate)) = match market {
        Marketplace::Ozon => (
            (
                carpetti_ozon::CARDS_PER_CALL,
                carpetti_ozon::CALLS_PER_SECOND * 60,
            ),
            (
                carpetti_ozon::STOCKS_PER_CALL,
                carpetti_ozon::STOCK_CALLS_PER_MINUTE,
            ),
        ),
        Marketplace::Wildberries => ((100, 10), (1000, 300)),
        Marketplace::YandexMarket => ((500, 20), (2000, 50)),
        Marketplace::Megamarket => (
            (
                carpetti_megamarket::CARDS_PER_CALL,
                carpetti_megamarket::CALLS_PER_SECOND * 60,
            ),
            (
                carpetti_megamarket::STOCKS_PER_CALL,
                carpetti_megamarket::CALLS_PER_SECOND * 60,
            ),
        ),
    };
    let floor = |batch: usize, rate: u32| {
        products.div_ceil(batch.max(1)) as f64 * 60.0 / f64::from(rate.max(1))
    };
    let slowest = floor(card_batch, card_rate).max(floor(stock_batch, stock_rate));
    (slowest / floor_secs.max(1) as f64).max(1.0)
}

async fn bench_one(
    market: Marketplace,
    args: &MpBenchArgs,
    ctx: &Context,
) -> anyhow::Result<MarketResult> {
    let pace = pace_for(market, args.products, args.floor_secs);
    let sandbox = market.start(pace).await?;
    let system = system::System::start(args.database_url.as_deref()).await?;
    system.catalog(args.products).await?;
    system.channel("BENCH", &sandbox).await?;
    let options = ConnectOptions {
        policy: RetryPolicy::default(),
        pace,
    };
    let channel = ChannelContext::load(&system.persist, "BENCH", &options).await?;
    let limits = channel.connector.limits();

    // Our own cost: the cards of every product, checked and hashed, encoded.
    let products = products(&system).await?;
    let attributes = channel
        .connector
        .category_attributes(&sandbox.category)
        .await?;
    let (cpu_before, started) = (rss::cpu_seconds(), Instant::now());
    let mut encoded = 0usize;
    for product in &products {
        let Ok(mut card) = card_of(product, &channel) else {
            continue;
        };
        attributes.resolve(&mut card);
        if attributes.check(&card).is_empty() {
            let hash = content_hash(&card);
            encoded += serde_json::to_vec(&card).map_or(0, |b| b.len()) + hash.len();
        }
    }
    let own_wall = started.elapsed().as_secs_f64();
    let own_cpu = rss::cpu_seconds() - cpu_before;
    std::hint::black_box(encoded);

    // End to end: publish everything, follow it to the ids.
    let publisher = Publisher::new(
        system.persist.clone(),
        std::sync::Arc::new(carpetti_cache::MemoryCache::new(
            carpetti_cache::MemoryOptions::new("bench-mp"),
        )?),
        PublishOptions {
            poll_interval: Duration::from_millis(100),
            follow_for: Duration::from_secs(3600),
        },
    );
    let clock = PhaseClock::start(Bar::new(!ctx.json));
    let started = Instant::now();
    let report = publisher.publish(&channel, &Selection::All, &clock).await?;
    let publish_secs = started.elapsed().as_secs_f64();
    let publish_phases = clock.finish();
    let published = report.count(Outcome::Created) + report.count(Outcome::Updated);
    let publish_min_calls = market.publish_min_calls(report.submissions, published);
    let publish_floor =
        publish_min_calls as f64 * 60.0 / (f64::from(limits.card_calls_per_minute) * pace);

    // Stocks: two changes per SKU, coalesced into the fewest calls.
    let listings = published_listings(&system.persist, &channel).await?;
    let warehouse = channel.stock_warehouse.clone().unwrap_or_default();
    let mut queue = StockQueue::new();
    for quantity in [5, 7] {
        for listing in listings.values() {
            queue.push(StockUpdate {
                ids: ids_of(listing),
                warehouse_id: warehouse.clone(),
                quantity,
            });
        }
    }
    let changes = queue.received;
    let started = Instant::now();
    let stocks = drain(channel.connector.as_ref(), &mut queue).await?;
    let stock_secs = started.elapsed().as_secs_f64();
    let min_calls = listings.len().div_ceil(limits.stocks_per_call.max(1));
    let stock_floor = min_calls as f64 * 60.0 / (f64::from(limits.stock_calls_per_minute) * pace);
    sandbox.served.stop().await;
    let persist = system.backend.clone();
    system.finish().await?;
    let result = MarketResult {
        marketplace: market.name(),
        persist,
        pace,
        products: args.products,
        own_products_per_sec: products.len() as f64 / own_wall.max(1e-9),
        own_cpu_secs: own_cpu,
        own_wall_secs: own_wall,
        published,
        failed: report.count(Outcome::Failed),
        card_calls: report.submissions,
        publish_min_calls,
        publish_secs,
        publish_phases,
        publish_floor_secs: publish_floor,
        stock_changes: changes,
        stock_calls: stocks.calls,
        stock_min_calls: min_calls,
        stock_secs,
        stock_floor_secs: stock_floor,
    };
    // Each marketplace's figures as soon as they are known (a long run is not lost at the end).
    eprintln!("{}", serde_json::to_string(&result).unwrap_or_default());
    Ok(result)
}

async fn products(system: &system::System) -> anyhow::Result<Vec<cat::Product>> {
    let mut chunks = system
        .persist
        .products()
        .stream_products(api::StreamProductsRequest {
            status: None,
            after_sku: String::new(),
        })
        .await?
        .into_inner();
    let mut products = Vec::new();
    while let Some(chunk) = chunks.next().await {
        products.extend(chunk?.items);
    }
    Ok(products)
}

fn print(args: &MpBenchArgs, ctx: &Context, results: &[MarketResult]) {
    let machine = rss::machine();
    if ctx.json {
        output::json_line(
            &serde_json::json!({"suite": "mp", "products": args.products, "machine": machine, "results": results}),
        );
        return;
    }
    let mut table = output::table([
        "marketplace",
        "persist",
        "pace",
        "own cost products/s",
        "own CPU s",
        "published",
        "failed",
        "card calls (floor calls)",
        "publish s",
        "floor s",
        "÷ floor",
        "÷ real floor",
        "stock changes",
        "stock calls (min)",
        "stocks s",
        "floor s",
        "÷ floor",
    ]);
    for r in results {
        table.add_row([
            r.marketplace.to_owned(),
            r.persist.clone(),
            format!("×{:.1}", r.pace),
            format!("{:.0}", r.own_products_per_sec),
            format!("{:.2}", r.own_cpu_secs),
            r.published.to_string(),
            r.failed.to_string(),
            format!("{} ({})", r.card_calls, r.publish_min_calls),
            format!("{:.1}", r.publish_secs),
            format!("{:.1}", r.publish_floor_secs),
            format!("{:.2}", r.publish_secs / r.publish_floor_secs.max(1e-9)),
            format!(
                "{:.3}",
                r.publish_secs / (r.publish_floor_secs * r.pace).max(1e-9)
            ),
            r.stock_changes.to_string(),
            format!("{} ({})", r.stock_calls, r.stock_min_calls),
            format!("{:.1}", r.stock_secs),
            format!("{:.1}", r.stock_floor_secs),
            format!("{:.2}", r.stock_secs / r.stock_floor_secs.max(1e-9)),
        ]);
    }
    println!(
        "carpetti bench mp --products {} --floor-secs {} on {machine}",
        args.products, args.floor_secs
    );
    println!("{table}");
    for r in results {
        let phases: Vec<String> = r
            .publish_phases
            .iter()
            .map(|p| format!("{} {:.1} s", p.name, p.secs))
            .collect();
        println!("{} publish: {}", r.marketplace, phases.join(", "));
    }
}

/// A valid EAN-13 for index `i`.
fn ean13(i: usize) -> String {
    let body = format!("460{:09}", 100_000_000 + i % 900_000_000);
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(n, d)| if n % 2 == 0 { d } else { d * 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

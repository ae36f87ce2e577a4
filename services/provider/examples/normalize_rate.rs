//! How fast the normalizer is: 1,000,000 generated offers (`carpetti_yml::sample`, the benchmark
//! feed's records: CDATA HTML description, 3 pictures, 4 params with units, a barcode, kopecks)
//! normalized on one thread; prints ns/offer and offers/s. Offers are generated in batches outside
//! the timed section (the feed parser's work), the items dropped outside it too (persist's work).
//! mimalloc is the allocator, as in the `carpetti` binary. Besides wall-clock time it prints the
//! thread's CPU time (Linux `/proc/thread-self/schedstat`), which a busy machine does not inflate.
//!
//! `cargo run --release -p carpetti-provider --example normalize_rate [-- OFFERS]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use carpetti_provider::SupplierSettings;
use carpetti_provider::normalize::Normalizer;
use carpetti_yml::sample::{SAMPLE_CATEGORIES, sample_offer, sample_shop};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: u64 = 10_000;

/// CPU time this thread has run, in nanoseconds (`None` off Linux).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn main() {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let settings = SupplierSettings {
        pack_param: Some("Кратность".to_owned()),
        ..SupplierSettings::default()
    };
    let shop = sample_shop(SAMPLE_CATEGORIES);
    let started = Instant::now();
    let normalizer = Normalizer::new(&settings, &shop);
    let setup = started.elapsed();

    let (mut timed, mut rejected, mut notes, mut done) = (Duration::ZERO, 0_u64, 0_usize, 0_u64);
    let mut cpu_ns: Option<u64> = Some(0);
    let mut items = Vec::with_capacity(BATCH as usize);
    while done < total {
        let batch: Vec<_> = (done..total.min(done + BATCH)).map(sample_offer).collect();
        let cpu_before = thread_cpu_ns();
        let started = Instant::now();
        for offer in &batch {
            match normalizer.normalize(black_box(offer)) {
                Ok(out) => {
                    notes += out.notes.len();
                    items.push(out.item);
                }
                Err(_) => rejected += 1,
            }
        }
        timed += started.elapsed();
        cpu_ns = match (cpu_ns, cpu_before, thread_cpu_ns()) {
            (Some(sum), Some(before), Some(after)) => Some(sum + after.saturating_sub(before)),
            _ => None,
        };
        done += batch.len() as u64;
        black_box(&items);
        items.clear();
    }
    let ns = timed.as_nanos() as f64 / done as f64;
    println!(
        "normalized {done} offers in {:.3} s on one thread (setup {:.1} µs): {ns:.0} ns/offer, \
         {:.0} offers/s; {rejected} rejected, {notes} notes",
        timed.as_secs_f64(),
        setup.as_secs_f64() * 1e6,
        1e9 / ns,
    );
    if let Some(cpu) = cpu_ns {
        let cpu_per_offer = cpu as f64 / done as f64;
        println!(
            "thread CPU time: {cpu_per_offer:.0} ns/offer ({:.0} offers/s per core)",
            1e9 / cpu_per_offer
        );
    }
}

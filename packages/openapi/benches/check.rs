//! Per-check cost on the largest spec (Ozon, 3.9 MB): load, first check (compiles the operation's
//! validator), then warm checks. `cargo bench -p carpetti-openapi`; prints timings, asserts none.

use std::{hint::black_box, path::PathBuf, time::Instant};

use carpetti_openapi::Spec;
use serde_json::json;

const ROUNDS: u32 = 2_000;

fn main() {
    // Test runners list and run every target (`cargo nextest run --all-targets` passes `--list`,
    // `cargo test --benches` no `--bench`): this benchmark has no tests, and runs only under
    // `cargo bench`.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") || !args.iter().any(|a| a == "--bench") {
        return;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/marketplaces/specs/ozon-seller.json");
    let started = Instant::now();
    let spec = match Spec::from_json_file(&path) {
        Ok(spec) => spec,
        Err(error) => panic!("{error}"),
    };
    println!("load ozon-seller.json: {:?}", started.elapsed());

    let body = json!({"items": [{
        "offer_id": "A1", "name": "x", "description_category_id": 17028922, "type_id": 91565,
        "price": "100", "vat": "0.2",
        "attributes": [{"complex_id": 0, "id": 85, "values": [{"value": "Brand"}]}]
    }]});
    let response = json!({"result": {"task_id": 172549793}});
    let started = Instant::now();
    let first = spec.check_request("POST", "/v3/product/import", &body);
    println!(
        "first request check (compiles): {:?} ok={}",
        started.elapsed(),
        first.is_ok()
    );

    let started = Instant::now();
    for _ in 0..ROUNDS {
        black_box(
            spec.check_request("POST", "/v3/product/import", black_box(&body))
                .is_ok(),
        );
    }
    println!(
        "warm request check: {:?} per check",
        started.elapsed() / ROUNDS
    );

    spec.check_response("POST", "/v3/product/import", 200, &response)
        .ok();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        black_box(
            spec.check_response("POST", "/v3/product/import", 200, black_box(&response))
                .is_ok(),
        );
    }
    println!(
        "warm response check: {:?} per check",
        started.elapsed() / ROUNDS
    );

    let bad = json!({"items": "A1"});
    let started = Instant::now();
    for _ in 0..ROUNDS {
        black_box(
            spec.check_request("POST", "/v3/product/import", black_box(&bad))
                .is_err(),
        );
    }
    println!(
        "warm failing check: {:?} per check",
        started.elapsed() / ROUNDS
    );
}

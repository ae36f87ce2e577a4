//! The summary of `carpetti bench persist`: a table for people, one JSON document with `--json`.

use super::persist::{BackendResult, PersistBenchArgs, name_of};
use super::rss;
use crate::context::Context;
use crate::output;

/// Prints the results as a table (with each pass's ratio to the raw COPY limit) or as JSON.
pub(super) fn print(args: &PersistBenchArgs, ctx: &Context, results: &[BackendResult]) {
    let copy_rate = results
        .iter()
        .flat_map(|r| r.passes.iter())
        .find(|p| p.pass.starts_with("raw COPY"))
        .map(|p| p.items_per_sec);
    let machine = rss::machine();
    if ctx.json {
        output::json_line(&serde_json::json!({
            "suite": "persist", "items": args.items, "chunk": args.chunk, "machine": machine,
            "results": results, "raw_copy_items_per_sec": copy_rate,
        }));
        return;
    }
    let mut table = output::table([
        "backend",
        "pass",
        "items",
        "seconds",
        "items/s",
        "peak RSS",
        "÷ raw COPY",
        "outcome",
    ]);
    for result in results {
        for pass in &result.passes {
            let ratio = output::or_dash(copy_rate, |c| format!("{:.2}", pass.items_per_sec / c));
            table.add_row([
                name_of(result.backend).to_owned(),
                pass.pass.to_owned(),
                pass.items.to_string(),
                format!("{:.1}", pass.seconds),
                format!("{:.0}", pass.items_per_sec),
                output::mib(pass.peak_rss_mib),
                ratio,
                pass.note.clone(),
            ]);
        }
    }
    println!(
        "carpetti bench persist --items {} --chunk {} on {machine}",
        args.items, args.chunk
    );
    println!("{table}");
}

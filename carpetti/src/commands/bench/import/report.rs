//! The summary of `carpetti bench import`: a table for people (each phase beside its target, the
//! parse rate as a ratio to the lxml peer), one JSON document with `--json`.

use super::{ImportBenchArgs, Phase};
use crate::commands::bench::rss;
use crate::context::Context;
use crate::output;

pub fn print(args: &ImportBenchArgs, ctx: &Context, phases: &[Phase]) {
    let peer = phases
        .iter()
        .find(|p| p.phase.starts_with("peer"))
        .map(|p| p.offers_per_sec);
    let machine = rss::machine();
    if ctx.json {
        output::json_line(&serde_json::json!({
            "suite": "import", "offers": args.offers, "machine": machine,
            "phases": phases, "peer_offers_per_sec": peer,
        }));
        return;
    }
    let mut table = output::table([
        "phase",
        "offers",
        "seconds",
        "offers/s",
        "÷ lxml",
        "peak RSS",
        "persist RSS",
        "target",
        "note",
    ]);
    for phase in phases {
        let ratio = match peer {
            Some(peer) if peer > 0.0 => format!("{:.2}", phase.offers_per_sec / peer),
            _ => "—".to_owned(),
        };
        table.add_row([
            phase.phase.to_owned(),
            phase.offers.to_string(),
            format!("{:.2}", phase.seconds),
            format!("{:.0}", phase.offers_per_sec),
            ratio,
            output::mib(phase.peak_rss_mib),
            output::mib(phase.persist_rss_mib),
            phase.target.to_owned(),
            phase.note.clone(),
        ]);
    }
    output::line(&format!(
        "carpetti bench import --offers {} on {machine}",
        args.offers
    ));
    output::line(&table.to_string());
}

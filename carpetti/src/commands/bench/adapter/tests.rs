//! The pure parts of the benchmark: the latency matching of report.rs, its percentiles, the
//! business keys and steps of worker.rs.

use super::report::{percentile, viewing};
use super::viewers::{Arrival, OTHER};
use super::worker::{Completion, business_key, channel_of, step_of};

fn arrival(channel: u32, step: u8, observed_at_ms: i64, arrival_ms: f64, first: bool) -> Arrival {
    Arrival {
        channel,
        step,
        observed_at_ms,
        arrival_ms,
        first,
    }
}

fn done(at_ms: f64, now_at: u8) -> Completion {
    Completion { at_ms, now_at }
}

#[test]
fn a_change_is_matched_with_the_latest_completion_of_the_step_it_shows() {
    // Channel 0: A→B completed at 1000, B→A at 6000, A→B at 11000.
    let completions = vec![vec![done(1000.0, 1), done(6000.0, 0), done(11_000.0, 1)]];
    let arrivals = [
        // The state when subscribing: not a change.
        arrival(0, 0, 500, 510.0, true),
        // B seen at 2500, pushed 1 ms later: 1511 ms after its completion.
        arrival(0, 1, 2510, 2511.0, false),
        // A seen at 6300.
        arrival(0, 0, 6300, 6302.0, false),
        // B again: the completion at 11000, not the one at 1000.
        arrival(0, 1, 11_400, 11_401.5, false),
    ];
    let seen = viewing(&arrivals, &completions, 1, (0.0, 20_000.0));
    assert_eq!(seen.changes, 3);
    assert_eq!(seen.expected_changes, 3);
    assert_eq!(seen.missed_fraction, 0.0);
    assert_eq!(seen.unmatched, 0);
    assert_eq!(seen.end_to_end.count, 3);
    assert_eq!(seen.end_to_end.p50_ms, 401.5);
    assert_eq!(seen.end_to_end.max_ms, 1511.0);
    assert_eq!(seen.push.max_ms, 2.0);
}

#[test]
fn a_completion_answered_just_after_the_push_still_counts_and_strays_do_not() {
    let completions = vec![vec![done(1000.0, 1), done(6020.0, 0)], Vec::new()];
    let arrivals = [
        // The adapter saw the commit before the worker read the complete's answer.
        arrival(0, 0, 6005, 6010.0, false),
        // A cursor showing no single step, and one on a channel nothing completed on.
        arrival(0, OTHER, 7000, 7001.0, false),
        arrival(1, 1, 7000, 7001.0, false),
        // Outside the window.
        arrival(0, 1, 30_000, 30_001.0, false),
    ];
    // Three viewers: two on channel 0, one on channel 1.
    let seen = viewing(&arrivals, &completions, 3, (0.0, 20_000.0));
    assert_eq!(seen.changes, 3);
    assert_eq!(seen.expected_changes, 4);
    assert_eq!(seen.missed_fraction, 0.25);
    assert_eq!(seen.unmatched, 2);
    assert_eq!(seen.end_to_end.count, 1);
    assert_eq!(seen.end_to_end.max_ms, 0.0);
}

#[test]
fn percentiles_of_sorted_values() {
    let values: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&values, 0.5), 51.0);
    assert_eq!(percentile(&values, 0.99), 99.0);
    assert_eq!(percentile(&values, 1.0), 100.0);
    assert_eq!(percentile(&[], 0.5), 0.0);
}

#[test]
fn business_keys_and_steps_round_trip() {
    assert_eq!(channel_of(&business_key(917)), Some(917));
    assert_eq!(channel_of("other-1"), None);
    assert_eq!(step_of("Task_A"), Some(0));
    assert_eq!(step_of("Task_B"), Some(1));
    assert_eq!(step_of("Gateway_Again"), None);
}

#[test]
fn the_loop_model_is_accepted_by_the_engine_with_both_steps() {
    let definitions = carpetti_engine::model::parse_definitions(super::worker::MODEL)
        .unwrap_or_else(|e| panic!("the loop model is refused: {e:?}"));
    let process = &definitions.processes[0];
    assert_eq!(process.key, super::worker::PROCESS_KEY);
    assert!(process.element_by_id("Task_A").is_some());
    assert!(process.element_by_id("Task_B").is_some());
}

//! The wall time of each phase of a publication (loading, publishing, following), taken
//! from the publisher's progress calls, so a run says where its time went.

use std::sync::Mutex;
use std::time::Instant;

use carpetti_mp::publish::Progress;
use serde::Serialize;

use crate::commands::mp::progress::Bar;

/// One phase and the seconds it took.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: String,
    pub secs: f64,
}

/// Draws the bar and clocks the phases.
pub struct PhaseClock {
    bar: Bar,
    state: Mutex<State>,
}

struct State {
    current: String,
    since: Instant,
    done: Vec<Phase>,
}

impl PhaseClock {
    /// Starts the clock; the time before the first phase is `loading`.
    pub fn start(bar: Bar) -> Self {
        Self {
            bar,
            state: Mutex::new(State {
                current: "loading".to_owned(),
                since: Instant::now(),
                done: Vec::new(),
            }),
        }
    }

    /// Stops the clock and returns the phases in the order they ran.
    pub fn finish(self) -> Vec<Phase> {
        self.bar.finish();
        let mut state = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        let secs = state.since.elapsed().as_secs_f64();
        state.done.push(Phase {
            name: state.current,
            secs,
        });
        state.done
    }
}

impl Progress for PhaseClock {
    fn phase(&self, name: &str, total: u64) {
        self.bar.phase(name, total);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let ended = Phase {
            name: std::mem::replace(&mut state.current, name.to_owned()),
            secs: now.duration_since(state.since).as_secs_f64(),
        };
        state.done.push(ended);
        state.since = now;
    }

    fn grow(&self, more: u64) {
        self.bar.grow(more);
    }

    fn advance(&self, done: u64) {
        self.bar.advance(done);
    }
}

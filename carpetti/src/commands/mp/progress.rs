//! The progress bar of a publication: one phase after the other, its length growing as products
//! stream in, hidden with --json.

use carpetti_mp::publish::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(visible: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            None,
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        if let Ok(style) =
            ProgressStyle::with_template("{msg:10} {wide_bar} {pos}/{len} {per_sec} ETA {eta}")
        {
            bar.set_style(style);
        }
        Self { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        self.bar.set_message(name.to_owned());
        self.bar.set_length(total);
        self.bar.set_position(0);
    }

    fn grow(&self, more: u64) {
        self.bar.inc_length(more);
    }

    fn advance(&self, done: u64) {
        self.bar.inc(done);
    }
}

//! The progress bars of `carpetti import`: bytes while downloading, bytes of the file with the
//! offers/s rate while scanning, items while writing. Hidden with `--json`.

use std::sync::Mutex;
use std::time::Instant;

use carpetti_provider::import::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Bars on stderr.
pub struct Bars {
    bar: ProgressBar,
    scan_started: Mutex<Option<Instant>>,
}

impl Bars {
    pub fn new(visible: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            None,
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        Self {
            bar,
            scan_started: Mutex::new(None),
        }
    }

    fn style(&self, template: &str) {
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style);
        }
    }

    /// Uploading a file of `total` bytes to a running provider.
    pub fn upload_started(&self, total: u64) {
        self.bar.set_length(total);
        self.style("{msg:10} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}");
        self.bar.set_message("upload");
    }

    pub fn uploaded(&self, bytes: u64) {
        self.bar.set_position(bytes);
        if self.bar.length() == Some(bytes) {
            self.style("{msg:10} {spinner} the provider is importing…");
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(200));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bars {
    fn downloaded(&self, bytes: u64) {
        if self.bar.length().is_some() {
            self.bar.set_length(0);
        }
        self.style("{msg:10} {spinner} {bytes} {bytes_per_sec}");
        self.bar.set_message("download");
        self.bar.set_position(bytes);
    }

    fn scan_started(&self, total_bytes: u64) {
        self.bar.reset();
        self.bar.set_length(total_bytes);
        self.style("{msg:40} {wide_bar} {bytes}/{total_bytes} ETA {eta}");
        self.bar.set_message("read");
        if let Ok(mut started) = self.scan_started.lock() {
            *started = Some(Instant::now());
        }
    }

    fn scanned(&self, bytes: u64, offers: u64) {
        self.bar.set_position(bytes);
        let elapsed = self
            .scan_started
            .lock()
            .ok()
            .and_then(|s| *s)
            .map_or(0.0, |s| s.elapsed().as_secs_f64());
        let rate = if elapsed > 0.0 {
            offers as f64 / elapsed
        } else {
            0.0
        };
        self.bar
            .set_message(format!("read {offers} offers ({rate:.0}/s)"));
    }

    fn write_started(&self, total: u64) {
        self.bar.reset();
        self.bar.set_length(total);
        self.style("{msg:10} {wide_bar} {pos}/{len} items {per_sec} ETA {eta}");
        self.bar.set_message("write");
    }

    fn written(&self, items: u64) {
        self.bar.set_position(items);
    }

    fn gone_started(&self, total: u64) {
        self.bar.reset();
        self.bar.set_length(total);
        self.style("{msg:10} {spinner} {len} offers no longer in the feed");
        self.bar.set_message("gone");
    }
}

//! Progress of reading a bundle on the command line, on standard error (never stdout, so it
//! never mixes with JSON output): an indicatif bar on a terminal, plain lines otherwise.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::bundle::{ProgressObserver, ProgressSink};
use crate::units::{counted, human_bytes};

/// What the bar says it is doing until the reader says ([`ProgressObserver::phase`]).
const DOING: &str = "reading and hashing";

/// A bar on a terminal, shared by the hashing threads.
#[derive(Debug)]
struct Bar {
    bar: ProgressBar,
    blobs: Arc<AtomicU64>,
    doing: Mutex<&'static str>,
}

/// Progress bars for [`ProgressSink`].
pub struct Bars;

impl Bars {
    /// A bar on standard error, fitted to the terminal's width and redrawn in place: what it is
    /// doing, a percentage, the bar, bytes with their total, blobs, rate and ETA. indicatif
    /// draws it only when standard error is a terminal.
    pub fn stderr() -> ProgressSink {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        ProgressSink::observed(Arc::new(Bar {
            bar,
            blobs: Arc::new(AtomicU64::new(0)),
            doing: Mutex::new(DOING),
        }))
    }

    /// Progress on standard error whether or not it is a terminal (`--progress always`): the
    /// bar on a terminal, otherwise one plain line per second (a log or a CI console).
    pub fn stderr_always() -> ProgressSink {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() {
            return Bars::stderr();
        }
        ProgressSink::observed(Arc::new(Lines::new(Duration::from_secs(1))))
    }
}

impl ProgressObserver for Bar {
    fn phase(&self, doing: &'static str) {
        if let Ok(mut d) = self.doing.lock() {
            *d = doing;
        }
        self.bar.set_prefix(doing);
    }

    fn start_bytes(&self, total: Option<u64>) {
        let template = if total.is_some() {
            "{prefix} {percent:>3}% {wide_bar} {binary_bytes}/{binary_total_bytes}, {msg}, {binary_bytes_per_sec}, ETA {eta}"
        } else {
            // A pipe or FIFO: no total, so no percentage and no ETA.
            "{spinner} {prefix} {binary_bytes}, {msg}, {binary_bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar
            .set_prefix(self.doing.lock().map(|d| *d).unwrap_or(DOING));
        self.bar.set_message(counted(0, "blob", "blobs"));
        if let Some(total) = total {
            self.bar.set_length(total);
        }
    }

    fn add_bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    fn add_blob(&self) {
        let n = self.blobs.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.set_message(counted(n, "blob", "blobs"));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Progress as plain lines on standard error when it is not a terminal: one line per
/// interval, each ending in a newline, with no cursor movement, escape codes or spinner, and
/// a last line when the read is over.
#[derive(Debug)]
struct Lines {
    interval: Duration,
    started: Instant,
    total: Mutex<Option<u64>>,
    bytes: AtomicU64,
    blobs: AtomicU64,
    /// When the last line was written.
    last: Mutex<Instant>,
    /// What the read is doing.
    doing: Mutex<&'static str>,
}

impl Lines {
    fn new(interval: Duration) -> Lines {
        let now = Instant::now();
        Lines {
            interval,
            started: now,
            total: Mutex::new(None),
            bytes: AtomicU64::new(0),
            blobs: AtomicU64::new(0),
            last: Mutex::new(now),
            doing: Mutex::new(DOING),
        }
    }

    fn total(&self) -> Option<u64> {
        self.total.lock().map(|t| *t).unwrap_or(None)
    }

    /// A line when an interval has passed since the last one (never from two threads at once).
    fn maybe_line(&self) {
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(*last) < self.interval {
            return;
        }
        *last = now;
        let line = self.line(now, false);
        let _ = writeln!(std::io::stderr(), "{line}");
    }

    fn line(&self, now: Instant, done: bool) -> String {
        let bytes = self.bytes.load(Ordering::Relaxed);
        let blobs = counted(self.blobs.load(Ordering::Relaxed), "blob", "blobs");
        let elapsed = now.duration_since(self.started).as_secs_f64();
        let rate = if elapsed > 0.0 {
            (bytes as f64 / elapsed) as u64
        } else {
            0
        };
        let rate = human_bytes(rate);
        let doing = self.doing.lock().map(|d| *d).unwrap_or(DOING);
        if done {
            return format!(
                "{doing}: done, {}, {blobs} in {elapsed:.1}s ({rate}/s)",
                human_bytes(bytes)
            );
        }
        match self.total() {
            Some(total) if total > 0 => {
                let percent = (bytes.min(total) as f64 * 100.0 / total as f64) as u64;
                let eta = if bytes > 0 {
                    let left = total.saturating_sub(bytes) as f64;
                    format!("{:.0}s", left * elapsed / bytes as f64)
                } else {
                    "unknown".to_string()
                };
                format!(
                    "{doing}: {percent}%, {} of {}, {blobs}, {rate}/s, ETA {eta}",
                    human_bytes(bytes),
                    human_bytes(total)
                )
            }
            _ => format!("{doing}: {}, {blobs}, {rate}/s", human_bytes(bytes)),
        }
    }
}

impl ProgressObserver for Lines {
    fn phase(&self, doing: &'static str) {
        if let Ok(mut d) = self.doing.lock() {
            *d = doing;
        }
    }

    fn start_bytes(&self, total: Option<u64>) {
        if let Ok(mut t) = self.total.lock() {
            *t = total;
        }
    }

    fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
        self.maybe_line();
    }

    fn add_blob(&self) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.maybe_line();
    }

    fn finish(&self) {
        let line = self.line(Instant::now(), true);
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_show_a_total_only_when_known() {
        let known = Lines::new(Duration::from_secs(1));
        known.start_bytes(Some(4 << 20));
        known.add_bytes(1 << 20);
        known.add_blob();
        let line = known.line(known.started + Duration::from_secs(1), false);
        assert_eq!(
            line,
            "reading and hashing: 25%, 1.00 MiB of 4.00 MiB, 1 blob, 1.00 MiB/s, ETA 3s"
        );
        let fifo = Lines::new(Duration::from_secs(1));
        fifo.start_bytes(None);
        fifo.add_bytes(3 << 20);
        let line = fifo.line(fifo.started + Duration::from_secs(2), false);
        assert_eq!(line, "reading and hashing: 3.00 MiB, 0 blobs, 1.50 MiB/s");
        // The reader says what it is doing.
        let gz = Lines::new(Duration::from_secs(1));
        gz.phase("inflating and hashing");
        gz.start_bytes(None);
        let line = gz.line(gz.started + Duration::from_secs(1), true);
        assert!(line.starts_with("inflating and hashing: done"), "{line}");
    }
}

//! Progress of reading a bundle on the command line: an indicatif bar on standard error (never
//! stdout, so it never mixes with JSON output).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::bundle::{ProgressObserver, ProgressSink};

/// A bar on standard error, shared by the hashing threads.
#[derive(Debug)]
struct Bar {
    bar: ProgressBar,
    blobs: Arc<AtomicU64>,
}

/// Progress bars for [`ProgressSink`].
pub struct Bars;

impl Bars {
    /// A bar on standard error showing bytes, blobs, rate and ETA, redrawn in place. indicatif
    /// draws it only when standard error is a terminal.
    pub fn stderr() -> ProgressSink {
        Bars::with_target(ProgressDrawTarget::stderr())
    }

    /// Progress on standard error whether or not it is a terminal (`--progress always`): in
    /// place on a terminal, otherwise one plain line per second (a log or a CI console).
    pub fn stderr_always() -> ProgressSink {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() {
            return Bars::stderr();
        }
        Bars::with_target(ProgressDrawTarget::term_like_with_hz(Box::new(LogLines), 1))
    }

    fn with_target(target: ProgressDrawTarget) -> ProgressSink {
        let bar = ProgressBar::with_draw_target(None, target);
        ProgressSink::observed(Arc::new(Bar {
            bar,
            blobs: Arc::new(AtomicU64::new(0)),
        }))
    }
}

impl ProgressObserver for Bar {
    fn start_bytes(&self, total: Option<u64>) {
        let bar = &self.bar;
        {
            let template = if total.is_some() {
                "{spinner} {bytes}/{total_bytes} {msg} {bytes_per_sec} ETA {eta}"
            } else {
                "{spinner} {bytes} {msg} {bytes_per_sec}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            if let Some(total) = total {
                bar.set_length(total);
            }
        }
    }

    fn add_bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    fn add_blob(&self) {
        let n = self.blobs.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.set_message(format!("{n} blobs"));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Standard error when it is not a terminal: each redraw is a new line, with no cursor movement
/// or escape codes.
#[derive(Debug)]
struct LogLines;

impl indicatif::TermLike for LogLines {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        use std::io::Write;
        if s.trim().is_empty() {
            return Ok(());
        }
        writeln!(std::io::stderr(), "{s}")
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        use std::io::Write;
        write!(std::io::stderr(), "{s}")
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        use std::io::Write;
        std::io::stderr().flush()
    }
}

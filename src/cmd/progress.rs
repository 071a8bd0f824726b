//! Progress of reading a bundle: nothing, or an indicatif bar on standard error (never stdout,
//! so it never mixes with JSON output).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where reading progress goes. [`ProgressSink::none`] costs one branch per chunk; a bar is
/// thread-safe and cheap to clone (it is shared by the hashing threads).
#[derive(Debug, Clone, Default)]
pub struct ProgressSink {
    bar: Option<(ProgressBar, Arc<AtomicU64>)>,
}

impl ProgressSink {
    /// No progress output.
    pub fn none() -> ProgressSink {
        ProgressSink { bar: None }
    }

    /// A bar on standard error showing bytes, blobs, rate and ETA, redrawn in place. indicatif
    /// draws it only when standard error is a terminal.
    pub fn stderr() -> ProgressSink {
        ProgressSink::with_target(ProgressDrawTarget::stderr())
    }

    /// Progress on standard error whether or not it is a terminal (`--progress always`): in
    /// place on a terminal, otherwise one plain line per second (a log or a CI console).
    pub fn stderr_always() -> ProgressSink {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() {
            return ProgressSink::stderr();
        }
        ProgressSink::with_target(ProgressDrawTarget::term_like_with_hz(Box::new(LogLines), 1))
    }

    fn with_target(target: ProgressDrawTarget) -> ProgressSink {
        let bar = ProgressBar::with_draw_target(None, target);
        ProgressSink {
            bar: Some((bar, Arc::new(AtomicU64::new(0)))),
        }
    }

    /// The sink for a `--progress` choice: `auto` draws when standard error is a terminal.
    pub fn for_choice(choice: crate::cmd::Progress) -> ProgressSink {
        use std::io::IsTerminal;
        match choice {
            crate::cmd::Progress::Never => ProgressSink::none(),
            crate::cmd::Progress::Always => ProgressSink::stderr_always(),
            crate::cmd::Progress::Auto if std::io::stderr().is_terminal() => ProgressSink::stderr(),
            crate::cmd::Progress::Auto => ProgressSink::none(),
        }
    }

    /// Start counting bytes towards `total` (unknown for standard input).
    pub(crate) fn start_bytes(&self, total: Option<u64>) {
        if let Some((bar, _)) = &self.bar {
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

    /// Add hashed (or read) bytes.
    pub(crate) fn add_bytes(&self, n: u64) {
        if let Some((bar, _)) = &self.bar {
            bar.inc(n);
        }
    }

    /// One more blob done.
    pub(crate) fn add_blob(&self) {
        if let Some((bar, blobs)) = &self.bar {
            let n = blobs.fetch_add(1, Ordering::Relaxed) + 1;
            bar.set_message(format!("{n} blobs"));
        }
    }

    /// Remove the bar.
    pub(crate) fn finish(&self) {
        if let Some((bar, _)) = &self.bar {
            bar.finish_and_clear();
        }
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

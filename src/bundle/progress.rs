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

    /// A bar on standard error showing bytes, blobs, rate and ETA. indicatif draws it only
    /// when standard error is a terminal.
    pub fn stderr() -> ProgressSink {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        ProgressSink {
            bar: Some((bar, Arc::new(AtomicU64::new(0)))),
        }
    }

    /// The sink for a `--progress` choice: `auto` draws when standard error is a terminal.
    pub fn for_choice(choice: crate::cmd::Progress) -> ProgressSink {
        use std::io::IsTerminal;
        match choice {
            crate::cmd::Progress::Never => ProgressSink::none(),
            crate::cmd::Progress::Always => ProgressSink::stderr(),
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

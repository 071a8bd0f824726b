//! Progress of reading a bundle: nothing, or an observer (the command line draws a bar on
//! standard error with it).

use std::sync::Arc;

/// What is told of the progress of a read. Called from the hashing threads.
pub trait ProgressObserver: Send + Sync {
    /// Counting bytes towards `total` starts (unknown for standard input).
    fn start_bytes(&self, total: Option<u64>);
    /// Hashed (or read) bytes.
    fn add_bytes(&self, n: u64);
    /// One more blob done.
    fn add_blob(&self);
    /// The read is over.
    fn finish(&self);
    /// What the read is doing, for people: `hashing` (a folder), `reading and hashing` (a
    /// tar), `inflating and hashing` (a compressed tar). Told before the bytes are counted.
    fn phase(&self, _doing: &'static str) {}
}

/// Where reading progress goes. [`ProgressSink::none`] costs one branch per chunk; an observed
/// sink is thread-safe and cheap to clone (it is shared by the hashing threads).
#[derive(Clone, Default)]
pub struct ProgressSink {
    observer: Option<Arc<dyn ProgressObserver>>,
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressSink")
            .field("observed", &self.observer.is_some())
            .finish()
    }
}

impl ProgressSink {
    /// No progress output.
    pub fn none() -> ProgressSink {
        ProgressSink { observer: None }
    }

    /// Progress told to `observer`.
    pub fn observed(observer: Arc<dyn ProgressObserver>) -> ProgressSink {
        ProgressSink {
            observer: Some(observer),
        }
    }

    /// Start counting bytes towards `total` (unknown for standard input).
    pub(crate) fn start_bytes(&self, total: Option<u64>) {
        if let Some(o) = &self.observer {
            o.start_bytes(total);
        }
    }

    /// Add hashed (or read) bytes.
    pub(crate) fn add_bytes(&self, n: u64) {
        if let Some(o) = &self.observer {
            o.add_bytes(n);
        }
    }

    /// One more blob done.
    pub(crate) fn add_blob(&self) {
        if let Some(o) = &self.observer {
            o.add_blob();
        }
    }

    /// What the read is doing ([`ProgressObserver::phase`]).
    pub(crate) fn phase(&self, doing: &'static str) {
        if let Some(o) = &self.observer {
            o.phase(doing);
        }
    }

    /// The read is over.
    pub(crate) fn finish(&self) {
        if let Some(o) = &self.observer {
            o.finish();
        }
    }
}

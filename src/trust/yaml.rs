//! Reading YAML/JSON configuration files safely: a size limit checked before reading, duplicate
//! keys rejected, anchors/aliases bounded (no "billion laughs"), nesting bounded.

use std::path::Path;

use serde_saphyr::options::DuplicateKeyPolicy;
use serde_saphyr::{Budget, Options};

use super::TrustError;
use crate::limits::Limits;

/// Read a configuration file of at most `limits.max_config_file` bytes.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, TrustError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| TrustError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    };
    use crate::limits::{read_capped, CappedReadError};
    read_capped(path, limit).map_err(|e| match e {
        CappedReadError::TooLarge { size, limit } => TrustError::TooLarge {
            path: shown.clone(),
            size,
            limit,
        },
        CappedReadError::Io(e) => io(e),
    })
}

/// The parser options: the library's defaults tightened for small configuration files.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_aliases = 10_000;
    budget.max_anchors = 10_000;
    budget.max_documents = 10_000;
    budget.max_depth = 64;
    let mut opts = Options::default();
    opts.budget = Some(budget);
    opts.duplicate_keys = DuplicateKeyPolicy::Error;
    // YAML 1.2 booleans only: `n`, `no`, `on` stay strings (a namespace called `n`).
    opts.strict_booleans = true;
    opts.with_snippet = false;
    opts.alias_limits.max_total_replayed_events = 100_000;
    opts.alias_limits.max_replay_stack_depth = 16;
    opts.alias_limits.max_alias_expansions_per_anchor = 1_000;
    opts
}

/// Why a file did not parse: syntax (with line and column), duplicate keys, resource limits.
pub(crate) struct ParseFailure {
    pub error: TrustError,
}

/// Parse every YAML document of a file (JSON is YAML) into generic values; empty documents
/// are skipped.
pub(crate) fn parse_documents(
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<serde_json::Value>, ParseFailure> {
    if bytes.len() as u64 > limits.max_config_file {
        return Err(ParseFailure {
            error: TrustError::TooLarge {
                path: path.to_string(),
                size: bytes.len() as u64,
                limit: limits.max_config_file,
            },
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ParseFailure {
        error: TrustError::Syntax {
            path: path.to_string(),
            reason: format!("not UTF-8 text: {e}"),
        },
    })?;
    serde_saphyr::from_multiple_with_options::<serde_json::Value>(text, options()).map_err(|e| {
        ParseFailure {
            error: TrustError::Syntax {
                path: path.to_string(),
                reason: first_line(&e.to_string()),
            },
        }
    })
}

/// serde-saphyr errors may carry a source snippet; keep the message, bounded.
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    line.chars().take(300).collect()
}

//! The integrity of a whole bundle: every blob hashes to its name, every descriptor's size is the
//! blob's size, every blob reachable from `index.json` is present. Unreferenced blobs are
//! reported, not fatal.

use std::fmt;

use serde::Serialize;

use super::digest::Digest;
use crate::bundle::Bundle;

/// One problem with one blob: what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The blob's digest (as named, or as referenced when missing).
    pub digest: Digest,
    /// Its path in the bundle (`blobs/<alg>/<hex>`).
    pub path: String,
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ProblemKind,
}

/// What is wrong with a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// The content does not hash to the blob's name.
    #[serde(rename_all = "camelCase")]
    DigestMismatch {
        /// The digest of the content actually read.
        actual: Digest,
    },
    /// A descriptor declares a size other than the blob's.
    #[serde(rename_all = "camelCase")]
    SizeMismatch {
        /// The size in the descriptor.
        declared: u64,
        /// The size of the blob.
        actual: u64,
        /// The document holding the descriptor.
        referenced_by: String,
    },
    /// A descriptor names a blob that is not in the bundle.
    #[serde(rename_all = "camelCase")]
    Missing {
        /// The document holding the descriptor.
        referenced_by: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProblemKind::DigestMismatch { actual } => write!(
                f,
                "{}: content does not match its digest: expected {}, actual {}",
                self.path, self.digest, actual
            ),
            ProblemKind::SizeMismatch {
                declared,
                actual,
                referenced_by,
            } => write!(
                f,
                "{}: size mismatch: {} declares {} bytes, the blob has {}",
                self.path, referenced_by, declared, actual
            ),
            ProblemKind::Missing { referenced_by } => write!(
                f,
                "{}: missing: {} refers to {} but the bundle does not hold it",
                self.path, referenced_by, self.digest
            ),
        }
    }
}

/// Problems and unreferenced blobs listed by name; the rest are counted. A bundle of a million
/// broken entries gives a short report, not a million lines.
pub const MAX_LISTED: usize = 10;

/// The integrity report of a bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Integrity {
    /// Per-blob problems: digest mismatches (in blob order), then missing blobs and size
    /// mismatches (in graph order); the first `MAX_LISTED` (10) only.
    pub problems: Vec<Problem>,
    /// Problems found beyond the first `MAX_LISTED` (10), counted, not listed.
    pub more_problems: u64,
    /// Blobs present but reachable from nothing (neither `index.json` nor an unlisted referrer);
    /// the first `MAX_LISTED` (10) only.
    pub unreferenced: Vec<Digest>,
    /// Unreferenced blobs beyond the first `MAX_LISTED` (10), counted, not listed.
    pub more_unreferenced: u64,
    /// Number of blobs in the bundle.
    pub blobs: u64,
    /// Bytes of blob content hashed.
    pub bytes: u64,
    /// Number of manifests and indexes parsed.
    pub manifests: u64,
}

impl Integrity {
    /// True when any blob is damaged, missing or of the wrong size: exit 3 in every command.
    pub fn is_damaged(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The listed problems, one line each, and a last line counting those not listed.
    pub fn listed_problems(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.problems.iter().map(|p| p.to_string()).collect();
        if self.more_problems > 0 {
            lines.push(format!("and {} more problems", self.more_problems));
        }
        lines
    }

    /// One line for people: `intact: 6 blobs (3.1 KiB), 3 manifests, 0 unreferenced`.
    pub fn summary(&self) -> String {
        use crate::units::{counted, human_bytes};
        format!(
            "{}: {} ({}), {}, {}, {} unreferenced",
            if self.is_damaged() {
                "DAMAGED"
            } else {
                "intact"
            },
            counted(self.blobs, "blob", "blobs"),
            human_bytes(self.bytes),
            counted(self.manifests, "manifest or index", "manifests and indexes"),
            counted(
                self.problems.len() as u64 + self.more_problems,
                "problem",
                "problems"
            ),
            self.unreferenced.len() as u64 + self.more_unreferenced
        )
    }

    pub(super) fn assess(
        bundle: &Bundle,
        graph_problems: Vec<Problem>,
        reached: &[bool],
        manifests: usize,
    ) -> Integrity {
        let mismatches = bundle
            .blobs
            .iter()
            .filter_map(|(claimed, blob)| blob.mismatch.as_deref().map(|actual| (claimed, actual)));
        let total = mismatches.clone().count() + graph_problems.len();
        let problems: Vec<Problem> = mismatches
            .map(|(claimed, actual)| Problem {
                digest: claimed.clone(),
                path: bundle.blob_path(claimed),
                kind: ProblemKind::DigestMismatch {
                    actual: actual.clone(),
                },
            })
            .chain(graph_problems)
            .take(MAX_LISTED)
            .collect();
        let unreferenced = bundle
            .blobs
            .keys()
            .zip(reached)
            .filter(|(_, reached)| !**reached)
            .map(|(d, _)| d);
        let unreferenced_total = unreferenced.clone().count();
        Integrity {
            more_problems: (total - problems.len()) as u64,
            problems,
            unreferenced: unreferenced.take(MAX_LISTED).cloned().collect(),
            more_unreferenced: unreferenced_total.saturating_sub(MAX_LISTED) as u64,
            blobs: bundle.blobs.len() as u64,
            bytes: bundle.bytes_hashed,
            manifests: manifests as u64,
        }
    }
}

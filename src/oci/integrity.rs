//! The integrity of a whole bundle: every blob hashes to its name, every descriptor's size is the
//! blob's size, every blob reachable from `index.json` is present. Unreferenced blobs are
//! reported, not fatal.

use std::collections::HashSet;
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

/// The integrity report of a bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Integrity {
    /// Per-blob problems: digest mismatches (in blob order), then missing blobs and size
    /// mismatches (in graph order).
    pub problems: Vec<Problem>,
    /// Blobs present but reachable from nothing (neither `index.json` nor an unlisted referrer).
    pub unreferenced: Vec<Digest>,
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

    /// One line for people: `intact: 6 blobs (3.1 KiB), 3 manifests, 0 unreferenced`.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} blobs ({} bytes), {} manifests and indexes, {} problems, {} unreferenced",
            if self.is_damaged() {
                "DAMAGED"
            } else {
                "intact"
            },
            self.blobs,
            self.bytes,
            self.manifests,
            self.problems.len(),
            self.unreferenced.len()
        )
    }

    pub(super) fn assess(
        bundle: &Bundle,
        graph_problems: Vec<Problem>,
        reached: &HashSet<Digest>,
        manifests: usize,
    ) -> Integrity {
        let mut problems: Vec<Problem> = bundle
            .blobs
            .iter()
            .filter(|(claimed, blob)| !blob_content_matches_its_name(claimed, &blob.actual))
            .map(|(claimed, blob)| Problem {
                digest: claimed.clone(),
                path: blob.path.clone(),
                kind: ProblemKind::DigestMismatch {
                    actual: blob.actual.clone(),
                },
            })
            .collect();
        problems.extend(graph_problems);
        Integrity {
            problems,
            unreferenced: bundle
                .blobs
                .keys()
                .filter(|d| !reached.contains(*d))
                .cloned()
                .collect(),
            blobs: bundle.blobs.len() as u64,
            bytes: bundle.bytes_hashed,
            manifests: manifests as u64,
        }
    }
}

/// A blob's content must hash (with the algorithm of its name) to its name.
fn blob_content_matches_its_name(claimed: &Digest, actual: &Digest) -> bool {
    claimed == actual
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Algorithm;

    #[test]
    fn blob_content_matches_its_name_for_sha256_and_sha512() {
        for alg in [Algorithm::Sha256, Algorithm::Sha512] {
            let d = alg.digest(b"{}");
            assert!(blob_content_matches_its_name(&d, &alg.digest(b"{}")));
            assert!(!blob_content_matches_its_name(&d, &alg.digest(b"{ }")));
        }
    }
}

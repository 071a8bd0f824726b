//! Reading a bundle: an OCI image-layout folder, or a tar / tar.gz / tar.zst of one (also on
//! standard input), recognised by content. One streaming pass: every blob is hashed and sized
//! while it streams, small JSON blobs are kept in memory, nothing is extracted to disk.
//!
//! Public API (used by `oci`, `verify`, `inspect`, `attest`):
//! - [`Source`]: where the bundle comes from;
//! - [`read_bundle`]: one pass over the bundle, giving a [`Bundle`];
//! - [`BundleError`]: why a bundle cannot be read (always exit 3, "damaged or malformed").

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::oci::digest::Digest;

/// Where a bundle comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A folder or a file; which one, and the archive format, is decided by content.
    Path(PathBuf),
    /// A tar, tar.gz or tar.zst stream on standard input (`-`).
    Stdin,
}

impl Source {
    /// `-` is standard input; anything else a path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
}

/// The container format, as recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Directory,
    Tar,
    TarGzip,
    TarZstd,
}

/// One blob of the bundle, as found under `blobs/<alg>/<hex>`.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Path inside the bundle (`blobs/sha256/...`), for messages.
    pub path: String,
    /// Bytes actually read.
    pub size: u64,
    /// Digest actually computed from the content (same algorithm as the file name).
    pub actual: Digest,
    /// The content, when it is small enough to be JSON or an envelope (see `Limits`).
    pub content: Option<Arc<[u8]>>,
}

/// Everything one pass over a bundle learned.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The name of the bundle for messages (the path, or `<stdin>`).
    pub name: String,
    pub format: Format,
    /// The content of `oci-layout`, if present.
    pub oci_layout: Option<Vec<u8>>,
    /// The content of `index.json`, if present.
    pub index_json: Option<Vec<u8>>,
    /// Blobs by the digest their file name claims.
    pub blobs: BTreeMap<Digest, Blob>,
    /// Total bytes of blob content hashed.
    pub bytes_hashed: u64,
}

/// Why a bundle cannot be read. Every variant means "damaged or malformed" (exit 3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Anything else, with a message naming the bundle and the entry.
    #[error("{0}")]
    Malformed(String),
}

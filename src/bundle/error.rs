//! The bundle layer's error type.

/// Why a bundle cannot be read or its graph cannot be built. Every variant means "damaged or
/// malformed" (exit 3), except [`BundleError::SourceNotFound`] (a usage error, exit 2; see
/// [`BundleError::is_usage`]). Each message names the bundle and the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The path given does not exist or cannot be opened.
    #[error("cannot open bundle {name}: {reason}")]
    SourceNotFound { name: String, reason: String },
    /// The content is none of the supported formats: a folder without `oci-layout`, or a file
    /// that is neither a tar archive nor gzip or zstd compressed.
    #[error("{name} is not a bundle: {reason}")]
    NotABundle { name: String, reason: String },
    /// Reading failed (an I/O error, a corrupt tar header, a corrupt gzip or zstd stream).
    #[error("bundle {bundle}: reading {entry} failed: {message}")]
    Read {
        bundle: String,
        entry: String,
        message: String,
    },
    /// The archive ended inside an entry: fewer bytes than its header declared.
    #[error("bundle {bundle}: entry {entry} is truncated: the header declares {expected} bytes, the archive holds {actual}")]
    Truncated {
        bundle: String,
        entry: String,
        expected: u64,
        actual: u64,
    },
    /// A tar entry has an absolute path or a `..` component.
    #[error("bundle {bundle}: entry {entry:?} has an unsafe path ({reason}); a bundle holds only relative paths inside the layout")]
    UnsafePath {
        bundle: String,
        entry: String,
        reason: String,
    },
    /// A tar entry or folder entry is a symlink, hard link, device, FIFO or another type that an
    /// OCI layout never holds.
    #[error("bundle {bundle}: entry {entry} is a {kind}; an OCI layout holds only regular files and folders")]
    UnsupportedEntryType {
        bundle: String,
        entry: String,
        kind: String,
    },
    /// The same file name appears twice in an archive (a tamper vector: no copy is preferred).
    #[error("bundle {bundle}: entry {entry} appears more than once; the bundle is ambiguous and treated as damaged")]
    DuplicateEntry { bundle: String, entry: String },
    /// A file under `blobs/` is not named `blobs/<alg>/<hex>` with alg `sha256` or `sha512` and
    /// lowercase hex of the algorithm's length.
    #[error("bundle {bundle}: {entry} is not a valid blob name (expected blobs/sha256/<64 hex> or blobs/sha512/<128 hex>)")]
    BadBlobName { bundle: String, entry: String },
    /// An entry declares more bytes than the largest bundle accepted.
    #[error(
        "bundle {bundle}: entry {entry} declares {size} bytes, more than the limit of {limit}"
    )]
    EntryTooLarge {
        bundle: String,
        entry: String,
        size: u64,
        limit: u64,
    },
    /// The bundle has more entries than `Limits::max_entries`.
    #[error("bundle {bundle}: more than the limit of {limit} entries")]
    TooManyEntries { bundle: String, limit: u64 },
    /// A compressed bundle inflates to more than `--max-inflate-ratio` times its compressed size
    /// (beyond a fixed grace); a decompression bomb or an unusually compressible bundle.
    #[error("bundle {bundle}: decompressed {inflated} bytes from {compressed} compressed bytes, more than the ratio limit of {limit}:1")]
    InflateRatio {
        bundle: String,
        inflated: u64,
        compressed: u64,
        limit: u64,
    },
    /// Two different layouts in one archive (entries under two different top folders).
    #[error("bundle {bundle}: entries {first} and {second} belong to two different layouts; an archive must hold one layout, at its root or under a single top folder")]
    MultipleLayouts {
        bundle: String,
        first: String,
        second: String,
    },
    /// `oci-layout` or `index.json` is missing.
    #[error("bundle {bundle}: {file} is missing; an OCI image layout needs oci-layout and index.json at its root")]
    MissingFile { bundle: String, file: String },
    /// `oci-layout` names an `imageLayoutVersion` other than `1.0.0`.
    #[error(
        "bundle {bundle}: oci-layout has imageLayoutVersion {found}, only \"1.0.0\" is supported"
    )]
    UnsupportedLayoutVersion { bundle: String, found: String },
    /// A file that must be JSON (oci-layout, index.json, a manifest or an index) is not valid
    /// JSON, is nested too deep, or does not have the expected shape.
    #[error("bundle {bundle}: {entry} is not valid JSON of the expected shape: {message}")]
    InvalidJson {
        bundle: String,
        entry: String,
        message: String,
    },
    /// A manifest, index or `index.json` is larger than `--max-json-blob`.
    #[error("bundle {bundle}: {entry} is {size} bytes, more than the JSON limit of {limit}")]
    JsonTooLarge {
        bundle: String,
        entry: String,
        size: u64,
        limit: u64,
    },
    /// `index.json` is larger than [`crate::limits::Limits::max_index_json`] (1 KiB per manifest
    /// allowed by `--max-manifests`).
    #[error("bundle {bundle}: {entry} is {size} bytes, more than the limit of {limit} for an index.json ({manifests} manifests of 1 KiB)")]
    IndexJsonTooLarge {
        bundle: String,
        entry: String,
        size: u64,
        limit: u64,
        manifests: u64,
    },
    /// An index reaches itself through its `manifests` (directly or through other indexes).
    #[error("bundle {bundle}: index {digest} includes itself (via {path}); the graph has a cycle")]
    IndexCycle {
        bundle: String,
        digest: String,
        path: String,
    },
    /// Indexes are nested deeper than `Limits::max_index_depth`.
    #[error("bundle {bundle}: index {digest} is nested {depth} levels deep, more than the limit of {limit}")]
    IndexTooDeep {
        bundle: String,
        digest: String,
        depth: u64,
        limit: u64,
    },
    /// The graph holds more manifests and indexes than `Limits::max_manifests`.
    #[error("bundle {bundle}: more than the limit of {limit} manifests and indexes")]
    TooManyManifests { bundle: String, limit: u64 },
    /// An archive that other readers (GNU tar, Go's archive/tar, `docker load`) would read
    /// differently from us: a PAX path with a NUL byte, a global header that changes how later
    /// entries are read, an oversized long-name record, data after the end-of-archive marker, a
    /// `docker save` manifest that disagrees with `index.json`.
    #[error("bundle {bundle}: {entry}: {reason}; other readers of this archive would see different content, so it is treated as damaged")]
    Ambiguous {
        bundle: String,
        entry: String,
        reason: String,
    },
    /// Anything else, with a message naming the bundle and the entry.
    #[error("{0}")]
    Malformed(String),
}

impl BundleError {
    /// A [`BundleError::Read`] for `entry` of `bundle`.
    pub(crate) fn read(bundle: &str, entry: &str, e: &dyn std::fmt::Display) -> BundleError {
        BundleError::Read {
            bundle: bundle.to_string(),
            entry: entry.to_string(),
            message: e.to_string(),
        }
    }

    /// The limit this error exceeds, when a user may raise it.
    pub fn limit(&self) -> Option<crate::limits::Limit> {
        use crate::limits::Limit;
        match self {
            BundleError::InflateRatio { .. } => Some(Limit::InflateRatio),
            BundleError::JsonTooLarge { .. } => Some(Limit::JsonBlob),
            BundleError::TooManyManifests { .. } | BundleError::IndexJsonTooLarge { .. } => {
                Some(Limit::Manifests)
            }
            _ => None,
        }
    }

    /// True when the error is the user's (a path that does not exist): exit 2, not 3.
    pub fn is_usage(&self) -> bool {
        matches!(self, BundleError::SourceNotFound { .. })
    }
}

//! The bundle layer's error type.

/// Why a bundle cannot be read or its graph cannot be built. Every variant means "damaged or
/// malformed" (exit 3), except [`BundleError::SourceNotFound`] (a usage error, exit 2; see
/// [`BundleError::is_usage`]). Each message names the bundle and the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The path given does not exist or cannot be opened.
    #[error("cannot open bundle {name}: {reason}")]
    SourceNotFound {
        /// The bundle's path, as given (or `<stdin>`).
        name: String,
        /// The operating system's error.
        reason: String,
    },
    /// The content is none of the supported formats: a folder without `oci-layout`, or a file
    /// that is neither a tar archive nor gzip or zstd compressed.
    #[error("{name} is not a bundle: {reason}")]
    NotABundle {
        /// The bundle's name: its path as given, or `<stdin>`.
        name: String,
        /// What the content is instead (empty, a folder without `oci-layout`...).
        reason: String,
    },
    /// Reading failed (an I/O error, a corrupt tar header, a corrupt gzip or zstd stream).
    #[error("bundle {bundle}: reading {entry} failed: {message}")]
    Read {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
        /// The I/O, tar, gzip or zstd error.
        message: String,
    },
    /// The archive ended inside an entry: fewer bytes than its header declared.
    #[error("bundle {bundle}: entry {entry} is truncated: the header declares {expected} bytes, the archive holds {actual}")]
    Truncated {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive names it, or `the end-of-archive
        /// marker`.
        entry: String,
        /// The bytes its header declares.
        expected: u64,
        /// The bytes the archive holds.
        actual: u64,
    },
    /// A tar entry has an absolute path or a `..` component.
    #[error("bundle {bundle}: entry {entry:?} has an unsafe path ({reason}); a bundle holds only relative paths inside the layout")]
    UnsafePath {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path as the archive spells it (lossy UTF-8).
        entry: String,
        /// What makes it unsafe: absolute, `..`, a NUL byte...
        reason: String,
    },
    /// A tar entry or folder entry is a symlink, hard link, device, FIFO or another type that an
    /// OCI layout never holds.
    #[error("bundle {bundle}: entry {entry} is a {kind}; an OCI layout holds only regular files and folders")]
    UnsupportedEntryType {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
        /// Its type (`symlink`, `hard link`, `FIFO`...).
        kind: String,
    },
    /// The same file name appears twice in an archive (a tamper vector: no copy is preferred).
    #[error("bundle {bundle}: entry {entry} appears more than once; the bundle is ambiguous and treated as damaged")]
    DuplicateEntry {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
    },
    /// A file under `blobs/` is not named `blobs/<alg>/<hex>` with alg `sha256` or `sha512` and
    /// lowercase hex of the algorithm's length.
    #[error("bundle {bundle}: {entry} is not a valid blob name (expected blobs/sha256/<64 hex> or blobs/sha512/<128 hex>)")]
    BadBlobName {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
    },
    /// An entry declares more bytes than the largest bundle accepted.
    #[error(
        "bundle {bundle}: entry {entry} declares {size} bytes, more than the limit of {limit}"
    )]
    EntryTooLarge {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
        /// The bytes its header declares.
        size: u64,
        /// [`crate::limits::Limits::max_bundle_size`], in bytes, for the entry and for all of them
        /// together.
        limit: u64,
    },
    /// The bundle has more entries than `Limits::max_entries`.
    #[error("bundle {bundle}: more than the limit of {limit} entries")]
    TooManyEntries {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// [`crate::limits::Limits::max_entries`].
        limit: u64,
    },
    /// A compressed bundle inflates to more than `--max-inflate-ratio` times its compressed size
    /// (beyond a fixed grace); a decompression bomb or an unusually compressible bundle.
    #[error("bundle {bundle}: decompressed {inflated} bytes from {compressed} compressed bytes, more than the ratio limit of {limit}:1")]
    InflateRatio {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// Decompressed bytes read so far.
        inflated: u64,
        /// Compressed bytes read so far.
        compressed: u64,
        /// [`crate::limits::Limits::max_inflate_ratio`].
        limit: u64,
    },
    /// Two different layouts in one archive (entries under two different top folders).
    #[error("bundle {bundle}: entries {first} and {second} belong to two different layouts; an archive must hold one layout, at its root or under a single top folder")]
    MultipleLayouts {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// An entry of the first layout met.
        first: String,
        /// The first entry of another layout.
        second: String,
    },
    /// `oci-layout` or `index.json` is missing.
    #[error("bundle {bundle}: {file} is missing; an OCI image layout needs oci-layout and index.json at its root")]
    MissingFile {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// `oci-layout` or `index.json`.
        file: String,
    },
    /// `oci-layout` names an `imageLayoutVersion` other than `1.0.0`.
    #[error(
        "bundle {bundle}: oci-layout has imageLayoutVersion {found}, only \"1.0.0\" is supported"
    )]
    UnsupportedLayoutVersion {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The `imageLayoutVersion` it names.
        found: String,
    },
    /// A file that must be JSON (oci-layout, index.json, a manifest or an index) is not valid
    /// JSON, is nested too deep, or does not have the expected shape.
    #[error("bundle {bundle}: {entry} is not valid JSON of the expected shape: {message}")]
    InvalidJson {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
        /// The JSON parser's error, or the field of the wrong shape.
        message: String,
    },
    /// A manifest, index or `index.json` is larger than `--max-json-blob`.
    #[error("bundle {bundle}: {entry} is {size} bytes, more than the JSON limit of {limit}")]
    JsonTooLarge {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
        /// Its size in bytes.
        size: u64,
        /// [`crate::limits::Limits::max_json_blob`], in bytes.
        limit: u64,
    },
    /// `index.json` is larger than [`crate::limits::Limits::max_index_json`] (1 KiB per manifest
    /// allowed by `--max-manifests`).
    #[error("bundle {bundle}: {entry} is {size} bytes, more than the limit of {limit} for an index.json ({manifests} manifests of 1 KiB)")]
    IndexJsonTooLarge {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive or folder names it.
        entry: String,
        /// Its size in bytes.
        size: u64,
        /// [`crate::limits::Limits::max_index_json`], in bytes.
        limit: u64,
        /// [`crate::limits::Limits::max_manifests`], which the limit follows.
        manifests: u64,
    },
    /// An index reaches itself through its `manifests` (directly or through other indexes).
    #[error("bundle {bundle}: index {digest} includes itself (via {path}); the graph has a cycle")]
    IndexCycle {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The index that includes itself, `algorithm:hex`.
        digest: String,
        /// The digests of the cycle, joined with ` -> `.
        path: String,
    },
    /// Indexes are nested deeper than `Limits::max_index_depth`.
    #[error("bundle {bundle}: index {digest} is nested {depth} levels deep, more than the limit of {limit}")]
    IndexTooDeep {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The index nested too deep, `algorithm:hex`.
        digest: String,
        /// How deep it is nested, the top index counting as 1.
        depth: u64,
        /// [`crate::limits::Limits::max_index_depth`].
        limit: u64,
    },
    /// The graph holds more manifests and indexes than `Limits::max_manifests`.
    #[error("bundle {bundle}: more than the limit of {limit} manifests and indexes")]
    TooManyManifests {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// [`crate::limits::Limits::max_manifests`].
        limit: u64,
    },
    /// An archive that other readers (GNU tar, Go's archive/tar, `docker load`) would read
    /// differently from us: a PAX path with a NUL byte, a global header that changes how later
    /// entries are read, an oversized long-name record, data after the end-of-archive marker, a
    /// `docker save` manifest that disagrees with `index.json`.
    #[error("bundle {bundle}: {entry}: {reason}; other readers of this archive would see different content, so it is treated as damaged")]
    Ambiguous {
        /// The bundle's name: its path as given, or `<stdin>`.
        bundle: String,
        /// The entry's path inside the bundle, as the archive names it, or the record or place
        /// concerned (`the end of the archive`).
        entry: String,
        /// What other readers would see differently.
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

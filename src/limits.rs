//! Limits on everything an attacker controls. Every limit has a named constant, a field in
//! [`Limits`], and (where a user may legitimately need more) a CLI override. Exceeding a limit is a
//! clear error naming the limit, never a silent truncation.

/// A limit that a user may legitimately need to raise, as errors that exceed it name it (the
/// command line adds the flag that raises it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_json_blob`].
    JsonBlob,
    /// [`Limits::max_inflate_ratio`].
    InflateRatio,
    /// [`Limits::max_manifests`].
    Manifests,
    /// [`Limits::max_certificates_per_chain`].
    CertificatesPerChain,
    /// [`Limits::max_referrers_per_image`].
    ReferrersPerImage,
}

/// Largest JSON blob (manifest, index, config) or signature envelope kept in memory.
pub const MAX_JSON_BLOB: u64 = 4 * 1024 * 1024;
/// Largest signature envelope blob, as notation-go (`maxBlobSizeLimit`).
pub const MAX_ENVELOPE_BLOB: u64 = 32 * 1024 * 1024;
/// Largest number of entries (files) in a bundle.
pub const MAX_ENTRIES: u64 = 1_000_000;
/// Largest number of manifests and indexes in the OCI graph.
pub const MAX_MANIFESTS: u64 = 100_000;
/// Bytes of `index.json` allowed per manifest the graph may hold. `index.json` is the bundle's
/// root, read once, and lists every image (and, as oras and notation write it, every signature),
/// so it is bounded by [`Limits::max_manifests`] entries of this size, not by [`MAX_JSON_BLOB`]:
/// 100,000 entries allow 100,000 KiB (about 98 MiB).
pub const INDEX_JSON_BYTES_PER_MANIFEST: u64 = 1024;
/// Largest number of referrers of one manifest.
pub const MAX_REFERRERS_PER_IMAGE: u64 = 10_000;
/// Largest number of signatures tried per image. Flux uses 3 (`MaxSignatureAttempts`), the
/// notation CLI 100. We follow Flux.
pub const MAX_SIGNATURES_PER_IMAGE: u64 = 3;
/// Largest number of certificates in one chain (x5c, TSA token, trust material file).
pub const MAX_CERTIFICATES_PER_CHAIN: u64 = 32;
/// Deepest nesting of indexes (index -> index -> ...).
pub const MAX_INDEX_DEPTH: u64 = 16;
/// Largest decompressed size over compressed size for a gzip or zstd bundle.
pub const MAX_INFLATE_RATIO: u64 = 1_000;
/// Decompressed bytes always allowed whatever the ratio (small bundles compress very well).
pub const INFLATE_RATIO_GRACE: u64 = 64 * 1024 * 1024;
/// Largest decompressed bundle.
pub const MAX_BUNDLE_SIZE: u64 = 1 << 40;
/// Largest YAML or JSON file of trust material or Flux manifests.
pub const MAX_CONFIG_FILE: u64 = 8 * 1024 * 1024;
/// Largest GNU long-name / long-link record or PAX extended header in a tar bundle, as Go's
/// `archive/tar` (`maxSpecialFileSize`).
pub const MAX_TAR_EXTENSION: u64 = 1 << 20;
/// Largest CRL file.
pub const MAX_CRL_FILE: u64 = 16 * 1024 * 1024;

/// The limits in force for one run. `Limits::default()` gives the named constants above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest blob kept in memory while the bundle is read, in bytes ([`MAX_JSON_BLOB`];
    /// `--max-json-blob`): manifests, indexes, configs and signature envelopes must fit, larger
    /// blobs are only hashed. It also bounds `oci-layout` and a `docker save` `manifest.json`, and
    /// is the floor of [`Limits::max_index_json`].
    pub max_json_blob: u64,
    /// Largest signature envelope accepted, in bytes, as its descriptor declares it
    /// ([`MAX_ENVELOPE_BLOB`], notation-go's `maxBlobSizeLimit`; it must also fit
    /// [`Limits::max_json_blob`] to be read). An attestation file read by `verify-attestation` is
    /// held to it too.
    pub max_envelope_blob: u64,
    /// Largest number of files read from one bundle: blobs and the layout files ([`MAX_ENTRIES`]).
    pub max_entries: u64,
    /// Largest number of manifests and indexes in the bundle's OCI graph, and in `index.json`
    /// ([`MAX_MANIFESTS`]; `--max-manifests`). It also sizes [`Limits::max_index_json`].
    pub max_manifests: u64,
    /// Largest number of referrers of one manifest ([`MAX_REFERRERS_PER_IMAGE`];
    /// `--max-referrers`).
    pub max_referrers_per_image: u64,
    /// Largest number of signatures tried per image before giving up ([`MAX_SIGNATURES_PER_IMAGE`],
    /// Flux's `MaxSignatureAttempts`; the notation CLI's 100 under `--notation-config`;
    /// `--max-signatures`).
    pub max_signatures_per_image: u64,
    /// Largest number of certificates in one chain: an envelope's x5c, a timestamp token, a trust
    /// material file ([`MAX_CERTIFICATES_PER_CHAIN`]; `--max-chain`).
    pub max_certificates_per_chain: u64,
    /// Deepest nesting of indexes, counting the top index as 1 ([`MAX_INDEX_DEPTH`]).
    pub max_index_depth: u64,
    /// Largest ratio of decompressed to compressed bytes of a gzip or zstd bundle, past the first
    /// [`INFLATE_RATIO_GRACE`] bytes ([`MAX_INFLATE_RATIO`]; `--max-inflate-ratio`).
    pub max_inflate_ratio: u64,
    /// Largest decompressed bundle, in bytes: one tar entry or the sum of all
    /// ([`MAX_BUNDLE_SIZE`]).
    pub max_bundle_size: u64,
    /// Largest trust policy, trust material or Flux manifest file (YAML or JSON), in bytes
    /// ([`MAX_CONFIG_FILE`]).
    pub max_config_file: u64,
    /// Largest CRL file, in bytes ([`MAX_CRL_FILE`]).
    pub max_crl_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_json_blob: MAX_JSON_BLOB,
            max_envelope_blob: MAX_ENVELOPE_BLOB,
            max_entries: MAX_ENTRIES,
            max_manifests: MAX_MANIFESTS,
            max_referrers_per_image: MAX_REFERRERS_PER_IMAGE,
            max_signatures_per_image: MAX_SIGNATURES_PER_IMAGE,
            max_certificates_per_chain: MAX_CERTIFICATES_PER_CHAIN,
            max_index_depth: MAX_INDEX_DEPTH,
            max_inflate_ratio: MAX_INFLATE_RATIO,
            max_bundle_size: MAX_BUNDLE_SIZE,
            max_config_file: MAX_CONFIG_FILE,
            max_crl_file: MAX_CRL_FILE,
        }
    }
}

impl Limits {
    /// Largest `index.json`: [`INDEX_JSON_BYTES_PER_MANIFEST`] per manifest allowed (raised with
    /// `max_manifests`), and never less than `max_json_blob`.
    pub fn max_index_json(&self) -> u64 {
        self.max_manifests
            .saturating_mul(INDEX_JSON_BYTES_PER_MANIFEST)
            .max(self.max_json_blob)
    }
}

/// Why [`read_capped`] gave no content.
#[derive(Debug)]
pub enum CappedReadError {
    /// Opening or reading failed.
    Io(std::io::Error),
    /// The file holds more than the limit: `size` is its size when known (a regular file), else
    /// the bytes read before stopping (limit + 1).
    TooLarge {
        /// The file's size in bytes, or the bytes read before stopping.
        size: u64,
        /// The limit it exceeds, in bytes.
        limit: u64,
    },
}

/// Read a whole size-limited file (trust material, CRL, key, attestation): never more than
/// `limit` + 1 bytes are read, whatever the file is (a FIFO, a device, a file still growing).
pub fn read_capped(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, CappedReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(CappedReadError::Io)?;
    let declared = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if let Some(size) = declared.filter(|s| *s > limit) {
        return Err(CappedReadError::TooLarge { size, limit });
    }
    let mut bytes =
        Vec::with_capacity(usize::try_from(declared.unwrap_or(0).min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(CappedReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(CappedReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

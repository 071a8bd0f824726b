//! Reading a bundle: an OCI image-layout folder, or a tar / tar.gz / tar.zst of one (also on
//! standard input), recognised by content. One streaming pass: every blob is hashed and sized
//! while it streams, small JSON blobs are kept in memory, nothing is extracted to disk.
//!
//! Public API (used by `oci`, `verify`, `inspect`, `attest`):
//! - [`Source`]: where the bundle comes from;
//! - [`read_bundle`]: one pass over the bundle, giving a [`Bundle`];
//! - [`ProgressSink`]: where progress goes (nowhere, or a bar on standard error);
//! - [`BundleError`]: why a bundle cannot be read ("damaged or malformed", exit 3, except
//!   [`BundleError::SourceNotFound`], a usage error).
//!
//! What is checked here is what one pass over the entries can check: entry names and types,
//! duplicates, sizes, the `oci-layout` file. Whether each blob hashes to its name and whether the
//! graph is complete is decided by [`crate::oci::Graph`] from what is recorded here.

mod dir;
mod error;
mod hashers;
mod layout;
mod pipe;
mod progress;
mod tar;
mod zstd;

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use error::BundleError;
pub use progress::{ProgressObserver, ProgressSink};

use crate::digest::{Algorithm, Digest};
use crate::limits::Limits;

/// Where a bundle comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A folder or a file; which one, and the archive format, is decided by content.
    Path(PathBuf),
    /// A tar, tar.gz or tar.zst stream on standard input (`-`).
    Stdin,
    /// A tar, tar.gz or tar.zst stream from any reader (read once), named for messages.
    Reader(Reader),
}

/// A reader of a bundle stream for [`Source::Reader`]: read at most once.
#[derive(Clone)]
pub struct Reader {
    name: String,
    stream: std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::io::Read + Send>>>>,
}

impl Reader {
    /// A stream called `name` in messages.
    pub fn new(name: impl Into<String>, stream: impl std::io::Read + Send + 'static) -> Reader {
        Reader {
            name: name.into(),
            stream: std::sync::Arc::new(std::sync::Mutex::new(Some(Box::new(stream)))),
        }
    }

    /// The stream, the first time.
    fn take(&self) -> Option<Box<dyn std::io::Read + Send>> {
        self.stream.lock().ok().and_then(|mut s| s.take())
    }
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").field("name", &self.name).finish()
    }
}

impl PartialEq for Reader {
    fn eq(&self, other: &Reader) -> bool {
        std::sync::Arc::ptr_eq(&self.stream, &other.stream)
    }
}

impl Eq for Reader {}

impl Source {
    /// `-` is standard input; anything else a path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }

    /// The name of the source for messages: the path, or `<stdin>`.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
            Source::Reader(r) => r.name.clone(),
        }
    }
}

/// The container format, as recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// An OCI image-layout folder (it holds an `oci-layout` file).
    Directory,
    /// A tar archive (ustar, GNU or PAX headers).
    Tar,
    /// A gzip-compressed tar archive (gzip magic `1f 8b`).
    TarGzip,
    /// A zstd-compressed tar archive (zstd magic `28 b5 2f fd`).
    TarZstd,
}

impl Format {
    /// The name used in reports (`directory`, `tar`, `tar-gzip`, `tar-zstd`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Directory => "directory",
            Format::Tar => "tar",
            Format::TarGzip => "tar-gzip",
            Format::TarZstd => "tar-zstd",
        }
    }
}

/// One blob of the bundle, as found under `blobs/<alg>/<hex>` (its path, for messages, is
/// [`Bundle::blob_path`]: not kept per blob).
#[derive(Debug, Clone)]
pub struct Blob {
    /// Bytes actually read.
    pub size: u64,
    /// The digest computed from the content (with the algorithm of the file name) when it is
    /// not the name; `None` when the content matches its name, as it should (a million blobs
    /// keep no second copy of their names).
    pub mismatch: Option<Box<Digest>>,
    /// The content, when it is small enough to be JSON or an envelope (see `Limits`).
    pub content: Option<Arc<[u8]>>,
}

/// The blobs of a bundle by the digest their file name claims: one vector sorted by digest, so
/// that a bundle of a million blobs costs the records themselves and nothing beside them (no
/// tree nodes, no second set of names); a blob's position is its index for per-blob marks.
#[derive(Debug, Clone, Default)]
pub struct BlobMap {
    entries: Vec<(Digest, Blob)>,
}

/// The iterator of [`BlobMap::iter`].
pub type BlobIter<'a> = std::iter::Map<
    std::slice::Iter<'a, (Digest, Blob)>,
    fn(&'a (Digest, Blob)) -> (&'a Digest, &'a Blob),
>;

impl BlobMap {
    /// The map of `entries` (sorted here); `Err` with the first digest claimed twice.
    pub fn from_entries(mut entries: Vec<(Digest, Blob)>) -> Result<BlobMap, Digest> {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(pair[0].0.clone());
        }
        entries.shrink_to_fit();
        Ok(BlobMap { entries })
    }

    /// The position of the blob named `digest`, in digest order.
    pub fn position(&self, digest: &Digest) -> Option<usize> {
        self.entries.binary_search_by(|e| e.0.cmp(digest)).ok()
    }

    /// The blob named `digest`.
    pub fn get(&self, digest: &Digest) -> Option<&Blob> {
        self.position(digest).map(|i| &self.entries[i].1)
    }

    /// Add or replace the blob named `digest`; returns the one it replaced.
    pub fn insert(&mut self, digest: Digest, blob: Blob) -> Option<Blob> {
        match self.entries.binary_search_by(|e| e.0.cmp(&digest)) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, blob)),
            Err(i) => {
                self.entries.insert(i, (digest, blob));
                None
            }
        }
    }

    /// How many blobs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No blob at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The blobs in digest order.
    pub fn iter(&self) -> BlobIter<'_> {
        self.entries.iter().map(|(d, b)| (d, b))
    }

    /// The claimed digests in order.
    pub fn keys(&self) -> impl Iterator<Item = &Digest> + Clone {
        self.entries.iter().map(|(d, _)| d)
    }

    /// The blobs, to change in place.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Blob> {
        self.entries.iter_mut().map(|(_, b)| b)
    }
}

impl<'a> IntoIterator for &'a BlobMap {
    type Item = (&'a Digest, &'a Blob);
    type IntoIter = BlobIter<'a>;
    fn into_iter(self) -> BlobIter<'a> {
        self.iter()
    }
}

impl Blob {
    /// The record of a blob named `claimed` whose content, of `size` bytes, hashed to `actual`.
    pub fn hashed(claimed: &Digest, size: u64, actual: Digest, content: Option<Arc<[u8]>>) -> Blob {
        Blob {
            size,
            mismatch: (actual != *claimed).then(|| Box::new(actual)),
            content,
        }
    }
}

/// Everything one pass over a bundle learned.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The name of the bundle for messages (the path, or `<stdin>`).
    pub name: String,
    /// The container format, as recognised by content.
    pub format: Format,
    /// The folder of an archive that holds the layout (`top` for entries `top/index.json`,
    /// `top/blobs/...`); empty when the layout is at the root (and for a folder).
    pub layout_root: String,
    /// The content of `oci-layout`, if present.
    pub oci_layout: Option<Vec<u8>>,
    /// The content of `index.json`, if present.
    pub index_json: Option<Vec<u8>>,
    /// The content of a `docker save` `manifest.json` at the archive root, if present.
    pub docker_manifest: Option<Vec<u8>>,
    /// Blobs by the digest their file name claims.
    pub blobs: BlobMap,
    /// Total bytes of blob content hashed.
    pub bytes_hashed: u64,
    /// Things worth telling the user that do not make the bundle damaged (files that are not
    /// part of an OCI layout, such as `manifest.json` and `repositories` of `docker save`).
    pub notes: Vec<String>,
}

impl Bundle {
    /// Drop the content kept of every blob. Once [`crate::oci::Graph::build`] has read the
    /// bundle, the graph holds what it needs; releasing the bundle's hold frees the rest (image
    /// manifests, indexes, configs, small layers) while the graph is used.
    pub fn release_contents(&mut self) {
        for blob in self.blobs.values_mut() {
            blob.content = None;
        }
        self.index_json = None;
        self.docker_manifest = None;
    }

    /// The path of a blob inside the bundle, for messages: `blobs/<alg>/<hex>`, under
    /// [`Bundle::layout_root`] in an archive whose layout sits in a folder.
    pub fn blob_path(&self, digest: &Digest) -> String {
        if self.layout_root.is_empty() {
            digest.blob_path()
        } else {
            format!("{}/{}", self.layout_root, digest.blob_path())
        }
    }
}

/// Read a bundle in one pass: recognise the format by content, hash and size every blob, keep
/// blobs of at most [`Limits::max_json_blob`] bytes, and check `oci-layout`. `index.json` must be
/// present (it is kept, not parsed: [`crate::oci::Graph::build`] parses it).
pub fn read_bundle(
    source: &Source,
    limits: &Limits,
    progress: &ProgressSink,
) -> Result<Bundle, BundleError> {
    let name = source.name();
    let bundle = match source {
        Source::Path(path) => {
            let meta = std::fs::metadata(path).map_err(|e| BundleError::SourceNotFound {
                name: name.clone(),
                reason: e.to_string(),
            })?;
            if meta.is_dir() {
                dir::read_dir(path, &name, limits, progress)?
            } else {
                let file = std::fs::File::open(path).map_err(|e| BundleError::SourceNotFound {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
                progress.start_bytes(Some(meta.len()));
                tar::read_stream(Box::new(file), &name, limits, progress)?
            }
        }
        Source::Stdin => {
            progress.start_bytes(None);
            tar::read_stream(Box::new(std::io::stdin()), &name, limits, progress)?
        }
        Source::Reader(r) => {
            let stream = r.take().ok_or_else(|| BundleError::SourceNotFound {
                name: name.clone(),
                reason: "the stream was already read".to_string(),
            })?;
            progress.start_bytes(None);
            tar::read_stream(stream, &name, limits, progress)?
        }
    };
    progress.finish();
    layout::check_layout_files(&bundle)?;
    Ok(bundle)
}

/// What an entry of a layout is, by its path relative to the layout root.
#[derive(Debug, Clone, PartialEq, Eq)]
enum EntryKind {
    /// `oci-layout`.
    OciLayout,
    /// `index.json`.
    IndexJson,
    /// `blobs/<alg>/<hex>`, with the digest its name claims.
    Blob(Digest),
    /// Anything else (ignored, with a note).
    Other,
}

/// Classify a path relative to the layout root. Anything under `blobs/` must be
/// `blobs/<alg>/<hex>` with a supported algorithm and a hex encoding of the right length.
fn classify(path: &str, bundle: &str) -> Result<EntryKind, BundleError> {
    match path {
        "oci-layout" => return Ok(EntryKind::OciLayout),
        "index.json" => return Ok(EntryKind::IndexJson),
        _ => {}
    }
    let Some(rest) = path.strip_prefix("blobs/") else {
        return Ok(EntryKind::Other);
    };
    let bad = || BundleError::BadBlobName {
        bundle: bundle.to_string(),
        entry: path.to_string(),
    };
    let (alg, hex) = rest.split_once('/').ok_or_else(bad)?;
    let algorithm = Algorithm::from_name(alg).ok_or_else(bad)?;
    Digest::from_parts(algorithm, hex)
        .map(EntryKind::Blob)
        .ok_or_else(bad)
}

/// The largest `oci-layout` or `index.json` read, and the error for one over it: `index.json`
/// is bounded by the manifest limit ([`Limits::max_index_json`]), `oci-layout` by the JSON limit.
fn layout_file_limit(kind: &EntryKind, limits: &Limits) -> u64 {
    match kind {
        EntryKind::IndexJson => limits.max_index_json(),
        _ => limits.max_json_blob,
    }
}

/// The error for a layout file (`oci-layout`, `index.json`) of `size` bytes over its limit.
fn layout_file_too_large(
    kind: &EntryKind,
    bundle: &str,
    entry: &str,
    size: u64,
    limits: &Limits,
) -> BundleError {
    match kind {
        EntryKind::IndexJson => BundleError::IndexJsonTooLarge {
            bundle: bundle.to_string(),
            entry: entry.to_string(),
            size,
            limit: limits.max_index_json(),
            manifests: limits.max_manifests,
        },
        _ => BundleError::JsonTooLarge {
            bundle: bundle.to_string(),
            entry: entry.to_string(),
            size,
            limit: limits.max_json_blob,
        },
    }
}

/// Which content [`hash_stream`] keeps in memory.
#[derive(Debug, Clone, Copy)]
enum Keep<'a> {
    /// All of it (`oci-layout`, `index.json`): it is parsed whatever it looks like.
    All,
    /// A blob that may be read later as a document. Kept when its first byte that is not ASCII
    /// whitespace may start a document ([`document_may_start_with`]); otherwise (small layers:
    /// tar, gzip, zstd) kept only while the shared budget of [`OTHER_SMALL_BLOBS_BUDGET`] bytes
    /// lasts, so memory stays flat for bundles of many small layers while a bundle whose
    /// signature manifest points at some other small blob still gets it read as an envelope.
    Documents(&'a AtomicU64),
}

/// Bytes of small blobs that do not look like documents kept in memory per bundle.
pub(crate) const OTHER_SMALL_BLOBS_BUDGET: u64 = 16 * 1024 * 1024;

/// Take `n` bytes from `budget`, if it has them.
fn take_from_budget(budget: &AtomicU64, n: u64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(n)
        })
        .is_ok()
}

/// Whether a blob whose first byte other than ASCII whitespace is `b` may be something the graph
/// or the verifier reads: a JSON object, array or string (manifests, indexes, JWS envelopes), or
/// CBOR (a COSE_Sign1 envelope: tag 18 `0xd2`, or its untagged four-element array `0x84`).
fn document_may_start_with(b: u8) -> bool {
    matches!(b, b'{' | b'[' | b'"' | 0xd2 | 0x84)
}

/// The hash, size and kept content of one entry, fed chunk by chunk in order.
struct EntryHasher<'a> {
    hasher: crate::digest::Hasher,
    size: u64,
    keep_up_to: Option<u64>,
    kept: Option<Vec<u8>>,
    budget: Option<&'a AtomicU64>,
    sniffing: bool,
}

impl<'a> EntryHasher<'a> {
    /// Keep up to `keep_up_to` bytes as `keep` says.
    fn new(algorithm: Algorithm, keep_up_to: Option<u64>, keep: Keep<'a>) -> EntryHasher<'a> {
        let budget = match keep {
            Keep::All => None,
            Keep::Documents(budget) => Some(budget),
        };
        EntryHasher {
            hasher: algorithm.hasher(),
            size: 0,
            keep_up_to,
            kept: keep_up_to
                .map(|n| Vec::with_capacity(usize::try_from(n.min(64 * 1024)).unwrap_or(0))),
            budget,
            sniffing: budget.is_some(),
        }
    }

    /// The next bytes of the entry.
    fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.size = self.size.saturating_add(chunk.len() as u64);
        if self.sniffing {
            if let Some(first) = chunk.iter().find(|b| !b.is_ascii_whitespace()) {
                self.sniffing = false;
                let reserved = self.keep_up_to.unwrap_or(u64::MAX);
                if !document_may_start_with(*first)
                    && !self.budget.is_some_and(|b| take_from_budget(b, reserved))
                {
                    self.kept = None;
                }
            }
        }
        if let (Some(v), Some(limit)) = (self.kept.as_mut(), self.keep_up_to) {
            if self.size <= limit {
                v.extend_from_slice(chunk);
            } else {
                self.kept = None;
            }
        }
    }

    /// The digest, the number of bytes and the content if kept.
    fn finish(self) -> (Digest, u64, Option<Vec<u8>>) {
        (self.hasher.finish(), self.size, self.kept)
    }
}

/// Hash everything `reader` yields, keeping up to `keep_up_to` bytes of it as `keep` says.
/// Returns the digest, the number of bytes read and the content if kept. `buf` is the reusable
/// read buffer.
fn hash_stream(
    reader: &mut dyn Read,
    algorithm: Algorithm,
    keep_up_to: Option<u64>,
    keep: Keep,
    progress: &ProgressSink,
    buf: &mut [u8],
) -> std::io::Result<(Digest, u64, Option<Vec<u8>>)> {
    let mut hashing = EntryHasher::new(algorithm, keep_up_to, keep);
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hashing.update(buf.get(..n).unwrap_or_default());
        progress.add_bytes(n as u64);
    }
    Ok(hashing.finish())
}

/// Size of the read buffer used when hashing blobs.
const READ_BUFFER: usize = 256 * 1024;

/// Collects the entries of one layout and enforces "each name once".
struct Collector {
    bundle: Bundle,
    seen: std::collections::HashSet<String>,
    /// The blobs read, in any order: the map of [`Bundle::blobs`] is built from them at the end
    /// in one go, with full nodes (inserting one by one leaves a sorted map's nodes half empty).
    read_blobs: Vec<(Digest, Blob)>,
    entries: u64,
    max_entries: u64,
}

impl Collector {
    fn new(name: &str, format: Format, limits: &Limits) -> Collector {
        Collector {
            bundle: Bundle {
                name: name.to_string(),
                format,
                layout_root: String::new(),
                oci_layout: None,
                index_json: None,
                docker_manifest: None,
                blobs: BlobMap::default(),
                bytes_hashed: 0,
                notes: Vec::new(),
            },
            seen: Default::default(),
            read_blobs: Vec::new(),
            entries: 0,
            max_entries: limits.max_entries,
        }
    }

    /// Register an entry name (relative to the layout root); the same name twice is an error,
    /// never "the last one wins".
    fn claim(&mut self, path: &str) -> Result<(), BundleError> {
        self.count_entry()?;
        if !self.seen.insert(path.to_string()) {
            return Err(BundleError::DuplicateEntry {
                bundle: self.bundle.name.clone(),
                entry: path.to_string(),
            });
        }
        Ok(())
    }

    /// Count one more entry: more than [`Limits::max_entries`] is an error.
    fn count_entry(&mut self) -> Result<(), BundleError> {
        self.entries += 1;
        if self.entries > self.max_entries {
            return Err(BundleError::TooManyEntries {
                bundle: self.bundle.name.clone(),
                limit: self.max_entries,
            });
        }
        Ok(())
    }

    /// Register a blob entry: like [`Collector::claim`], but no name is kept: a second entry of
    /// the same name is found when the blob map is built ([`Collector::finish`]).
    fn claim_blob(&mut self) -> Result<(), BundleError> {
        self.count_entry()
    }

    fn add_blob(&mut self, claimed: Digest, blob: Blob) {
        self.bundle.bytes_hashed = self.bundle.bytes_hashed.saturating_add(blob.size);
        self.read_blobs.push((claimed, blob));
    }

    /// The bundle, with its blob map; two entries of one blob name are an error, never "the
    /// last one wins".
    fn finish(self) -> Result<Bundle, BundleError> {
        let Collector {
            mut bundle,
            read_blobs,
            ..
        } = self;
        bundle.blobs =
            BlobMap::from_entries(read_blobs).map_err(|twice| BundleError::DuplicateEntry {
                entry: bundle.blob_path(&twice),
                bundle: bundle.name.clone(),
            })?;
        Ok(bundle)
    }

    fn note_ignored(&mut self, path: &str) {
        self.bundle
            .notes
            .push(format!("ignored {path}: not part of an OCI image layout"));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_blob_records_its_digest_only_when_its_content_does_not_match_its_name() {
        use crate::digest::Algorithm;
        for alg in [Algorithm::Sha256, Algorithm::Sha512] {
            let name = alg.digest(b"{}");
            assert!(super::Blob::hashed(&name, 2, alg.digest(b"{}"), None)
                .mismatch
                .is_none());
            let other = alg.digest(b"{ }");
            let blob = super::Blob::hashed(&name, 3, other.clone(), None);
            assert_eq!(blob.mismatch.as_deref(), Some(&other));
        }
    }

    use super::*;

    fn keep(data: &[u8], keep: Keep) -> Option<Vec<u8>> {
        let mut buf = [0u8; 3];
        let mut r = data;
        hash_stream(
            &mut r,
            Algorithm::Sha256,
            Some(1024),
            keep,
            &ProgressSink::none(),
            &mut buf,
        )
        .unwrap()
        .2
    }

    #[test]
    fn documents_are_kept_and_small_layers_only_within_the_budget() {
        let none = AtomicU64::new(0);
        let some = AtomicU64::new(1024 + 3);
        assert_eq!(
            keep(b"etc/", Keep::Documents(&some)).as_deref(),
            Some(&b"etc/"[..])
        );
        assert_eq!(some.load(Ordering::Relaxed), 3);
        assert_eq!(keep(b"etc/", Keep::Documents(&some)), None);
        for doc in [&b"  \n {\"a\":1}"[..], b"[]", b"\xd2\x84", b"", b"   "] {
            assert_eq!(keep(doc, Keep::Documents(&none)).as_deref(), Some(doc));
        }
        for layer in [&b"etc/passwd\0\0"[..], b"\x1f\x8b\x08", b"\x28\xb5\x2f\xfd"] {
            assert_eq!(keep(layer, Keep::Documents(&none)), None);
            assert_eq!(keep(layer, Keep::All).as_deref(), Some(layer));
        }
    }

    #[test]
    fn nothing_is_kept_beyond_the_limit() {
        let big = vec![b'{'; 1025];
        assert_eq!(keep(&big, Keep::All), None);
        assert_eq!(keep(&big[..1024], Keep::All).map(|v| v.len()), Some(1024));
    }
}

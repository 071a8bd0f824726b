//! Tar, tar.gz and tar.zst bundles, read in one streaming pass with no seeking and nothing
//! extracted. A reading thread reads (and inflates) the stream into fixed buffers; the calling
//! thread parses the tar headers and hashes each blob as it streams.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{
    classify, hashers, layout_file_limit, layout_file_too_large, pipe, Blob, BundleError,
    Collector, EntryKind, Format, ProgressSink, OTHER_SMALL_BLOBS_BUDGET, READ_BUFFER,
};
use crate::limits::{Limits, INFLATE_RATIO_GRACE, MAX_TAR_EXTENSION};

/// Bytes looked at to recognise the format.
const HEAD: usize = 512;

/// Recognise the format of a stream by its first bytes: gzip magic, zstd magic, or a tar header
/// (valid checksum).
fn detect(head: &[u8]) -> Option<Format> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Format::TarGzip)
    } else if super::zstd::starts_zstd(head) {
        Some(Format::TarZstd)
    } else if tar_header_checksum_is_valid(head) {
        Some(Format::Tar)
    } else {
        None
    }
}

/// A tar header block: 512 bytes whose checksum field (bytes 148..156, octal) equals the sum of
/// the block with that field read as spaces.
fn tar_header_checksum_is_valid(head: &[u8]) -> bool {
    let Some(block) = head.get(..HEAD) else {
        return false;
    };
    let (Some(before), Some(field), Some(after)) =
        (block.get(..148), block.get(148..156), block.get(156..))
    else {
        return false;
    };
    let sum: u32 = before
        .iter()
        .chain(after)
        .map(|b| u32::from(*b))
        .sum::<u32>()
        + 8 * 32;
    let text: String = field
        .iter()
        .map(|b| char::from(*b))
        .filter(|c| c.is_digit(8))
        .collect();
    u32::from_str_radix(&text, 8).is_ok_and(|v| v == sum)
}

/// The ratio limit was hit: decompressed and compressed byte counts at that moment.
type RatioHit = Arc<Mutex<Option<(u64, u64)>>>;

/// Counts the bytes read from the (compressed) source and reports them as progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    progress: ProgressSink,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.progress.add_bytes(n as u64);
        Ok(n)
    }
}

/// Stops a decompressor once it has produced more than `ratio` times the compressed bytes read
/// so far, beyond [`INFLATE_RATIO_GRACE`].
struct RatioLimited<R> {
    inner: R,
    compressed: Arc<AtomicU64>,
    inflated: u64,
    ratio: u64,
    hit: RatioHit,
}

impl<R: Read> Read for RatioLimited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.inflated = self.inflated.saturating_add(n as u64);
        let compressed = self.compressed.load(Ordering::Relaxed);
        if inflate_ratio_is_exceeded(self.inflated, compressed, self.ratio) {
            if let Ok(mut hit) = self.hit.lock() {
                *hit = Some((self.inflated, compressed));
            }
            return Err(io::Error::other("decompression ratio limit exceeded"));
        }
        Ok(n)
    }
}

/// The decompression-bomb rule: more than `ratio` × compressed bytes, once past the grace.
fn inflate_ratio_is_exceeded(inflated: u64, compressed: u64, ratio: u64) -> bool {
    inflated > INFLATE_RATIO_GRACE && inflated > compressed.max(1).saturating_mul(ratio)
}

/// Read a tar, tar.gz or tar.zst stream (recognised by content).
pub(super) fn read_stream(
    mut input: Box<dyn Read + Send>,
    name: &str,
    limits: &Limits,
    progress: &ProgressSink,
) -> Result<Bundle, BundleError> {
    let read_err = |entry: &str, e: io::Error| BundleError::read(name, entry, &explain(e));
    let mut head = Vec::with_capacity(HEAD);
    (&mut input)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| read_err("the archive header", e))?;
    let format = detect(&head).ok_or_else(|| BundleError::NotABundle {
        name: name.to_string(),
        reason: if head.is_empty() {
            "it is empty".to_string()
        } else {
            "it is not a folder with oci-layout, a tar archive, or a gzip or zstd compressed tar"
                .to_string()
        },
    })?;
    progress.phase(match format {
        Format::TarGzip | Format::TarZstd => "inflating and hashing",
        _ => "reading and hashing",
    });
    let compressed = Arc::new(AtomicU64::new(0));
    let hit: RatioHit = Arc::new(Mutex::new(None));
    let counting = Counting {
        inner: io::Cursor::new(head).chain(input),
        count: compressed.clone(),
        progress: progress.clone(),
    };
    let (ratio, hit2) = (limits.max_inflate_ratio, hit.clone());
    let reader = pipe::spawn(move || -> io::Result<Box<dyn Read>> {
        let buffered = io::BufReader::with_capacity(READ_BUFFER, counting);
        Ok(match format {
            Format::TarGzip => Box::new(RatioLimited {
                inner: flate2::bufread::MultiGzDecoder::new(buffered),
                compressed,
                inflated: 0,
                ratio,
                hit: hit2,
            }),
            Format::TarZstd => Box::new(RatioLimited {
                inner: super::zstd::Frames::new(buffered),
                compressed,
                inflated: 0,
                ratio,
                hit: hit2,
            }),
            _ => Box::new(buffered),
        })
    })
    .map_err(|e| read_err("the archive", e))?;
    let result = read_tar(reader, name, format, limits, progress);
    // A ratio hit surfaces as some read error; report it as what it is.
    if let Ok(Some((inflated, compressed))) = hit.lock().map(|h| *h) {
        return Err(BundleError::InflateRatio {
            bundle: name.to_string(),
            inflated,
            compressed,
            limit: limits.max_inflate_ratio,
        });
    }
    result
}

use super::Bundle;

/// Say "truncated" when an error means the stream ended early.
fn explain(e: io::Error) -> String {
    let text = e.to_string();
    if e.kind() == io::ErrorKind::UnexpectedEof || text.contains("failed to read entire block") {
        format!("{text} (the archive is truncated)")
    } else {
        text
    }
}

/// Where an entry sits: under which top folder (empty for the archive root), and its path
/// relative to the layout root.
fn split_layout_path(path: &str) -> (&str, &str) {
    let is_layout = |p: &str| p == "oci-layout" || p == "index.json" || p.starts_with("blobs/");
    if is_layout(path) {
        return ("", path);
    }
    match path.split_once('/') {
        Some((top, rest)) if is_layout(rest) => (top, rest),
        _ => ("", path),
    }
}

/// A tar entry path made relative and canonical: no leading `/`, no `..`, `.` and empty
/// components dropped.
fn entry_path_is_safe(raw: &[u8], bundle: &str) -> Result<String, BundleError> {
    let unsafe_path = |reason: &str| BundleError::UnsafePath {
        bundle: bundle.to_string(),
        entry: String::from_utf8_lossy(raw).into_owned(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(raw).map_err(|_| unsafe_path("not UTF-8"))?;
    if text.starts_with('/') {
        return Err(unsafe_path("absolute path"));
    }
    let mut parts = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(unsafe_path("`..` component")),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

fn read_tar(
    reader: pipe::PipeReader,
    name: &str,
    format: Format,
    limits: &Limits,
    progress: &ProgressSink,
) -> Result<Bundle, BundleError> {
    let budget = AtomicU64::new(OTHER_SMALL_BLOBS_BUDGET);
    std::thread::scope(|scope| {
        let mut pool = hashers::Pool::start(scope, &budget);
        read_entries(reader, name, format, limits, progress, &mut pool)
    })
}

/// What an entry handed to the hashers is, until its hash comes back.
type Pending = std::collections::HashMap<usize, EntryKind>;

/// Record an entry whose hash came back.
fn collect(
    collector: &mut Collector,
    pending: &mut Pending,
    hashed: hashers::Hashed,
    progress: &ProgressSink,
) {
    let Some(what) = pending.remove(&hashed.id) else {
        return;
    };
    match what {
        EntryKind::OciLayout => collector.bundle.oci_layout = hashed.content,
        EntryKind::IndexJson => collector.bundle.index_json = hashed.content,
        EntryKind::Blob(claimed) => {
            progress.add_blob();
            let blob = Blob::hashed(
                &claimed,
                hashed.size,
                hashed.digest,
                hashed.content.map(Arc::from),
            );
            collector.add_blob(claimed, blob);
        }
        EntryKind::Other => {}
    }
}

fn read_entries(
    reader: pipe::PipeReader,
    name: &str,
    format: Format,
    limits: &Limits,
    progress: &ProgressSink,
    pool: &mut hashers::Pool,
) -> Result<Bundle, BundleError> {
    let read_err = |entry: &str, e: io::Error| BundleError::read(name, entry, &explain(e));
    let mut collector = Collector::new(name, format, limits);
    let mut archive = ::tar::Archive::new(reader);
    let mut layout_root: Option<(String, String)> = None;
    let mut total: u64 = 0;
    let mut pending = Pending::new();
    {
        // Raw entries: the extension records (GNU `L`/`K`, PAX `x`/`g`) are read here, with a
        // bound, and refused wherever another tar reader would read them differently.
        let entries = archive
            .entries()
            .map_err(|e| read_err("the archive", e))?
            .raw(true);
        let mut ext = Extensions::default();
        for entry in entries {
            let mut entry = entry.map_err(|e| read_err("the next tar header", e))?;
            let entry_type = entry.header().entry_type();
            if ext.absorb(&mut entry, entry_type, name)? {
                continue;
            }
            let raw_path = ext.take_path(&entry.path_bytes(), entry.size(), name)?;
            let path = entry_path_is_safe(&raw_path, name)?;
            let kind = entry_type_is_supported(entry_type, &path, name)?;
            if kind == Kind::Skip {
                continue;
            }
            let size = entry.size();
            total = total.saturating_add(size);
            if size > limits.max_bundle_size || total > limits.max_bundle_size {
                return Err(BundleError::EntryTooLarge {
                    bundle: name.to_string(),
                    entry: path,
                    size,
                    limit: limits.max_bundle_size,
                });
            }
            let (top, rel) = split_layout_path(&path);
            let what = classify(rel, name)?;
            match &what {
                EntryKind::Blob(_) => collector.claim_blob()?,
                _ => collector.claim(&path)?,
            }
            if what == EntryKind::Other {
                collector.note_ignored(&path);
                if path == "manifest.json" {
                    collector.bundle.docker_manifest =
                        Some(read_docker_manifest(&mut entry, size, name, limits)?);
                }
                continue;
            }
            match &layout_root {
                None => layout_root = Some((top.to_string(), path.clone())),
                Some((root, first)) if root != top => {
                    return Err(BundleError::MultipleLayouts {
                        bundle: name.to_string(),
                        first: first.clone(),
                        second: path,
                    })
                }
                Some(_) => {}
            }
            let algorithm = match &what {
                EntryKind::Blob(d) => d.algorithm(),
                _ => crate::digest::Algorithm::Sha256,
            };
            let keep = (size <= layout_file_limit(&what, limits)).then_some(size);
            if matches!(what, EntryKind::OciLayout | EntryKind::IndexJson) && keep.is_none() {
                return Err(layout_file_too_large(&what, name, &path, size, limits));
            }
            let documents = matches!(what, EntryKind::Blob(_));
            let (id, read) = pool
                .hash(&mut entry, algorithm, keep, documents)
                .map_err(|e| read_err(&path, e))?;
            if read != size {
                return Err(BundleError::Truncated {
                    bundle: name.to_string(),
                    entry: path,
                    expected: size,
                    actual: read,
                });
            }
            pending.insert(id, what);
            while let Some(hashed) = pool.next(false).map_err(|e| read_err("the archive", e))? {
                collect(&mut collector, &mut pending, hashed, progress);
            }
        }
        ext.check_empty(name)?;
        while let Some(hashed) = pool.next(true).map_err(|e| read_err("the archive", e))? {
            collect(&mut collector, &mut pending, hashed, progress);
        }
    }
    // The tar crate stops at the first zero block or at end of input. A complete archive has an
    // end-of-archive marker; an archive cut at an entry boundary has none. Draining the rest also
    // checks the gzip trailer (CRC and length).
    let mut rest = archive.into_inner();
    let mut trailer = 0u64;
    let mut buf = vec![0u8; READ_BUFFER];
    loop {
        match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Some(at) = buf.get(..n).and_then(|b| b.iter().position(|x| *x != 0)) {
                    return Err(BundleError::Ambiguous {
                        bundle: name.to_string(),
                        entry: "the end of the archive".to_string(),
                        reason: format!(
                            "non-zero data {} bytes after the end-of-archive marker, which `tar --ignore-zeros` would read as further entries",
                            trailer + at as u64
                        ),
                    });
                }
                trailer += n as u64
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_err("the end of the archive", e)),
        }
    }
    if trailer == 0 {
        return Err(BundleError::Truncated {
            bundle: name.to_string(),
            entry: "the end-of-archive marker".to_string(),
            expected: 1024,
            actual: 0,
        });
    }
    if let Some((root, _)) = layout_root {
        collector.bundle.layout_root = root;
    }
    collector.finish()
}

/// Extension records seen since the last file entry, to apply to the next one.
#[derive(Default)]
struct Extensions {
    /// GNU long name (`L`), without its trailing NULs.
    long_name: Option<Vec<u8>>,
    /// GNU long link name (`K`).
    long_link: Option<Vec<u8>>,
    /// PAX `path`.
    pax_path: Option<Vec<u8>>,
    /// PAX `size`.
    pax_size: Option<u64>,
    /// The header name of the first pending record, for messages.
    first: Option<String>,
}

/// PAX keys that change how an entry's data is located or named.
fn pax_key_changes_reading(key: &str) -> bool {
    matches!(key, "path" | "linkpath" | "size" | "hdrcharset") || key.starts_with("GNU.sparse.")
}

impl Extensions {
    /// If `entry` is an extension record, read it (at most [`MAX_TAR_EXTENSION`] bytes) and keep
    /// what it says for the next entry; true when it was one.
    fn absorb(
        &mut self,
        entry: &mut ::tar::Entry<'_, pipe::PipeReader>,
        entry_type: ::tar::EntryType,
        bundle: &str,
    ) -> Result<bool, BundleError> {
        use ::tar::EntryType as T;
        let what = match entry_type {
            T::GNULongName => "GNU long-name",
            T::GNULongLink => "GNU long-link",
            T::XHeader => "PAX extended header",
            T::XGlobalHeader => "PAX global header",
            _ => return Ok(false),
        };
        let header_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let ambiguous = |reason: String| BundleError::Ambiguous {
            bundle: bundle.to_string(),
            entry: format!("the {what} record {header_name:?}"),
            reason,
        };
        let size = entry.size();
        if size > MAX_TAR_EXTENSION {
            return Err(ambiguous(format!(
                "it is {size} bytes, more than the limit of {MAX_TAR_EXTENSION} bytes (Go's archive/tar refuses it)"
            )));
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let read = (&mut *entry)
            .take(size)
            .read_to_end(&mut data)
            .map_err(|e| BundleError::read(bundle, &header_name, &explain(e)))?;
        if read as u64 != size {
            return Err(BundleError::Truncated {
                bundle: bundle.to_string(),
                entry: header_name,
                expected: size,
                actual: read as u64,
            });
        }
        let twice = || ambiguous("a second record of this kind for the same entry".to_string());
        match entry_type {
            T::GNULongName | T::GNULongLink => {
                let name = gnu_long_name(&data).ok_or_else(|| {
                    ambiguous("the name holds a NUL byte before its end".to_string())
                })?;
                let slot = if entry_type == T::GNULongName {
                    &mut self.long_name
                } else {
                    &mut self.long_link
                };
                if slot.replace(name).is_some() {
                    return Err(twice());
                }
            }
            T::XGlobalHeader => {
                for (key, _) in pax_records(&data).map_err(ambiguous)? {
                    if pax_key_changes_reading(&key) {
                        return Err(ambiguous(format!(
                            "it sets {key:?} for every later entry, which GNU tar applies and Go's archive/tar ignores"
                        )));
                    }
                }
                return Ok(true);
            }
            _ => {
                if self.pax_path.is_some() || self.pax_size.is_some() {
                    return Err(twice());
                }
                let mut seen = std::collections::BTreeSet::new();
                for (key, value) in pax_records(&data).map_err(ambiguous)? {
                    if pax_key_changes_reading(&key) && !seen.insert(key.clone()) {
                        return Err(ambiguous(format!("it sets {key:?} twice")));
                    }
                    match key.as_str() {
                        "path" | "linkpath" if value.contains(&0) => {
                            return Err(ambiguous(format!(
                                "its {key:?} holds a NUL byte (GNU tar cuts the name there, Go's archive/tar refuses it)"
                            )))
                        }
                        "path" => self.pax_path = Some(value),
                        "size" => {
                            let text = std::str::from_utf8(&value).unwrap_or("");
                            let n = text
                                .parse::<u64>()
                                .ok()
                                .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
                                .ok_or_else(|| ambiguous(format!("its size {text:?} is not a number")))?;
                            self.pax_size = Some(n);
                        }
                        k if k.starts_with("GNU.sparse.") || k == "hdrcharset" => {
                            return Err(ambiguous(format!("it sets {k:?}, which changes how the entry is read")))
                        }
                        _ => {}
                    }
                }
            }
        }
        self.first.get_or_insert(header_name);
        Ok(true)
    }

    /// The path of the file entry whose header path is `header_path` and header size
    /// `header_size`, once the pending records are applied; the records are consumed.
    fn take_path(
        &mut self,
        header_path: &[u8],
        header_size: u64,
        bundle: &str,
    ) -> Result<Vec<u8>, BundleError> {
        let pending = std::mem::take(self);
        let entry = String::from_utf8_lossy(header_path).into_owned();
        let ambiguous = |reason: String| BundleError::Ambiguous {
            bundle: bundle.to_string(),
            entry: entry.clone(),
            reason,
        };
        if let Some(size) = pending.pax_size.filter(|s| *s != header_size) {
            return Err(ambiguous(format!(
                "its PAX size {size} differs from its header size {header_size}"
            )));
        }
        Ok(match (pending.long_name, pending.pax_path) {
            (Some(a), Some(b)) if a != b => {
                return Err(ambiguous(
                    "its GNU long name and its PAX path differ".to_string(),
                ))
            }
            (Some(p), _) | (None, Some(p)) => p,
            (None, None) => header_path.to_vec(),
        })
    }

    /// Records left over at the end of the archive describe no entry.
    fn check_empty(&self, bundle: &str) -> Result<(), BundleError> {
        match &self.first {
            Some(first) => Err(BundleError::Truncated {
                bundle: bundle.to_string(),
                entry: format!("the entry described by the extension record {first:?}"),
                expected: 1,
                actual: 0,
            }),
            None => Ok(()),
        }
    }
}

/// A GNU long name or link: the record without its trailing NULs; None when a NUL is followed by
/// anything else (readers differ on where such a name ends).
fn gnu_long_name(data: &[u8]) -> Option<Vec<u8>> {
    let end = data.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let name = data.get(..end).unwrap_or_default();
    (!name.contains(&0)).then(|| name.to_vec())
}

/// The records of a PAX extended header (`"%d %s=%s\n"` each), parsed as Go's archive/tar
/// does; any malformed record is an error.
fn pax_records(mut data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let bad = || "it is not a well-formed PAX header".to_string();
    let mut out = Vec::new();
    while !data.is_empty() {
        let space = data.iter().position(|b| *b == b' ').ok_or_else(bad)?;
        let len_text =
            std::str::from_utf8(data.get(..space).unwrap_or_default()).map_err(|_| bad())?;
        if len_text.is_empty() || !len_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let len: usize = len_text.parse().map_err(|_| bad())?;
        if len <= space + 1 || len > data.len() {
            return Err(bad());
        }
        let (record, rest) = data.split_at(len);
        data = rest;
        let body = record.get(space + 1..len - 1).ok_or_else(bad)?;
        if record.last() != Some(&b'\n') {
            return Err(bad());
        }
        let eq = body.iter().position(|b| *b == b'=').ok_or_else(bad)?;
        let key = std::str::from_utf8(body.get(..eq).unwrap_or_default()).map_err(|_| bad())?;
        if key.is_empty() || key.contains('\0') {
            return Err(bad());
        }
        out.push((
            key.to_string(),
            body.get(eq + 1..).unwrap_or_default().to_vec(),
        ));
    }
    Ok(out)
}

/// The `manifest.json` of a `docker save` archive: at most the JSON limit, read whole.
fn read_docker_manifest(
    entry: &mut impl Read,
    size: u64,
    bundle: &str,
    limits: &Limits,
) -> Result<Vec<u8>, BundleError> {
    if size > limits.max_json_blob {
        return Err(BundleError::JsonTooLarge {
            bundle: bundle.to_string(),
            entry: "manifest.json".to_string(),
            size,
            limit: limits.max_json_blob,
        });
    }
    let mut content = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    entry
        .take(size)
        .read_to_end(&mut content)
        .map_err(|e| BundleError::read(bundle, "manifest.json", &explain(e)))?;
    if content.len() as u64 != size {
        return Err(BundleError::Truncated {
            bundle: bundle.to_string(),
            entry: "manifest.json".to_string(),
            expected: size,
            actual: content.len() as u64,
        });
    }
    Ok(content)
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    File,
    Skip,
}

/// Only regular files and folders (and PAX global headers, which carry no file) may appear in a
/// bundle archive.
fn entry_type_is_supported(
    t: ::tar::EntryType,
    path: &str,
    bundle: &str,
) -> Result<Kind, BundleError> {
    use ::tar::EntryType as T;
    let kind = match t {
        T::Regular | T::Continuous => return Ok(Kind::File),
        T::Directory => return Ok(Kind::Skip),
        T::Symlink => "symbolic link",
        T::Link => "hard link",
        T::Char => "character device",
        T::Block => "block device",
        T::Fifo => "FIFO",
        T::GNUSparse => "sparse file",
        _ => "entry of an unsupported type",
    };
    Err(BundleError::UnsupportedEntryType {
        bundle: bundle.to_string(),
        entry: path.to_string(),
        kind: kind.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_path_is_safe_accepts_relative_paths() {
        assert_eq!(
            entry_path_is_safe(b"./top//blobs/sha256/x", "b").unwrap(),
            "top/blobs/sha256/x"
        );
    }

    #[test]
    fn entry_path_is_safe_rejects_absolute_and_parent() {
        assert!(entry_path_is_safe(b"/etc/passwd", "b").is_err());
        assert!(entry_path_is_safe(b"blobs/../../x", "b").is_err());
    }

    #[test]
    fn split_layout_path_finds_single_top_folder() {
        assert_eq!(split_layout_path("index.json"), ("", "index.json"));
        assert_eq!(split_layout_path("t/oci-layout"), ("t", "oci-layout"));
        assert_eq!(
            split_layout_path("t/blobs/sha256/a"),
            ("t", "blobs/sha256/a")
        );
        assert_eq!(split_layout_path("manifest.json"), ("", "manifest.json"));
    }

    #[test]
    fn inflate_ratio_is_exceeded_only_past_grace_and_ratio() {
        assert!(!inflate_ratio_is_exceeded(INFLATE_RATIO_GRACE, 1, 10));
        assert!(inflate_ratio_is_exceeded(INFLATE_RATIO_GRACE + 1, 1, 10));
        assert!(!inflate_ratio_is_exceeded(
            INFLATE_RATIO_GRACE + 1,
            1 << 30,
            10
        ));
    }

    #[test]
    fn detect_recognises_magic_bytes() {
        assert_eq!(detect(&[0x1f, 0x8b, 8]), Some(Format::TarGzip));
        assert_eq!(detect(&[0x28, 0xb5, 0x2f, 0xfd]), Some(Format::TarZstd));
        assert_eq!(detect(b"hello"), None);
        let mut h = ::tar::Header::new_ustar();
        h.set_path("x").unwrap();
        h.set_size(0);
        h.set_cksum();
        assert_eq!(detect(h.as_bytes()), Some(Format::Tar));
    }
}

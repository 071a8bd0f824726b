//! OCI image-layout folders: blobs are hashed in parallel on all cores (rayon), each read once
//! with large buffered reads.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    hash_stream, layout_file_limit, layout_file_too_large, Blob, Bundle, BundleError, Collector,
    EntryKind, Format, Keep, ProgressSink, OTHER_SMALL_BLOBS_BUDGET, READ_BUFFER,
};
use crate::digest::{Algorithm, Digest};
use crate::limits::Limits;

/// A blob file found under `blobs/`: the digest its name claims (its path is
/// `blobs/<alg>/<hex>`) and its size. Nothing else is kept per file, so listing a million blobs
/// costs a few tens of bytes each.
struct Found {
    claimed: Digest,
    size: u64,
}

/// Blobs hashed in parallel, then recorded, a batch at a time (the results of a whole bundle are
/// never held at once beside the blob map).
const HASH_BATCH: usize = 4096;

pub(super) fn read_dir(
    root: &Path,
    name: &str,
    limits: &Limits,
    progress: &ProgressSink,
) -> Result<Bundle, BundleError> {
    let mut collector = Collector::new(name, Format::Directory, limits);
    let read_err = |entry: &str, e: std::io::Error| BundleError::read(name, entry, &e);
    if fs::symlink_metadata(root.join("oci-layout")).is_err() {
        return Err(BundleError::NotABundle {
            name: name.to_string(),
            reason: "the folder has no oci-layout file, so it is not an OCI image layout"
                .to_string(),
        });
    }
    let mut top: Vec<_> = fs::read_dir(root)
        .map_err(|e| read_err(".", e))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    for file in &top {
        match file.as_str() {
            "oci-layout" | "index.json" => {
                let content = read_small_file(root, file, name, limits)?;
                collector.claim(file)?;
                if file == "oci-layout" {
                    collector.bundle.oci_layout = Some(content);
                } else {
                    collector.bundle.index_json = Some(content);
                }
            }
            // The lock file of `verify --attach` (see `attest::attach`).
            "blobs" | ".airgap-verify.lock" => {}
            "manifest.json" => {
                collector.bundle.docker_manifest = Some(read_small_file(root, file, name, limits)?);
                collector.note_ignored(file);
            }
            other => collector.note_ignored(other),
        }
    }
    let found = list_blobs(root, name, &mut collector)?;
    progress.phase("hashing");
    progress.start_bytes(Some(found.iter().map(|f| f.size).sum()));
    let budget = AtomicU64::new(OTHER_SMALL_BLOBS_BUDGET);
    collector.read_blobs.reserve_exact(found.len());
    for batch in found.chunks(HASH_BATCH) {
        let hashed: Vec<Result<(Digest, Blob), BundleError>> = batch
            .par_iter()
            .map(|f| hash_file(root, f, name, limits, &budget, progress))
            .collect();
        for result in hashed {
            let (claimed, blob) = result?;
            collector.add_blob(claimed, blob);
        }
    }
    drop(found);
    collector.finish()
}

/// Read `oci-layout` or `index.json`: a regular file (not a symlink) of at most the JSON limit.
fn read_small_file(
    root: &Path,
    file: &str,
    name: &str,
    limits: &Limits,
) -> Result<Vec<u8>, BundleError> {
    let path = root.join(file);
    let meta = fs::symlink_metadata(&path).map_err(|e| BundleError::read(name, file, &e))?;
    regular_file_only(&meta, file, name)?;
    let kind = match file {
        "index.json" => EntryKind::IndexJson,
        "oci-layout" => EntryKind::OciLayout,
        _ => EntryKind::Other,
    };
    let limit = layout_file_limit(&kind, limits);
    if meta.len() > limit {
        return Err(layout_file_too_large(&kind, name, file, meta.len(), limits));
    }
    // Sized to the file up front: `index.json` can be tens of megabytes.
    let mut content =
        Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    fs::File::open(&path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut content))
        .map_err(|e| BundleError::read(name, file, &e))?;
    if content.len() as u64 > limit {
        return Err(layout_file_too_large(
            &kind,
            name,
            file,
            content.len() as u64,
            limits,
        ));
    }
    Ok(content)
}

/// Only regular files and folders belong in a layout folder: a symlink could point anywhere.
fn regular_file_only(meta: &fs::Metadata, entry: &str, name: &str) -> Result<(), BundleError> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    let kind = if t.is_symlink() {
        "symbolic link"
    } else if t.is_dir() {
        "folder"
    } else {
        "special file"
    };
    Err(BundleError::UnsupportedEntryType {
        bundle: name.to_string(),
        entry: entry.to_string(),
        kind: kind.to_string(),
    })
}

/// Every file under `blobs/` must be `blobs/<alg>/<hex>`; symlinks and deeper folders are errors.
/// Entries are checked in the order of a depth-first walk with the entries of each folder sorted
/// by name, so the error reported for a folder with several is always the same one.
fn list_blobs(
    root: &Path,
    name: &str,
    collector: &mut Collector,
) -> Result<Vec<Found>, BundleError> {
    let blobs = root.join("blobs");
    if !blobs.exists() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for (top, file_type) in sorted_names(&blobs, None, name)? {
        let top_name = top.text();
        if !file_type.is_dir() {
            return Err(BundleError::BadBlobName {
                bundle: name.to_string(),
                entry: format!("blobs/{top_name}"),
            });
        }
        let folder = blobs.join(&top_name);
        let algorithm = Algorithm::from_name(&top_name);
        for (file, file_type) in sorted_names(&folder, algorithm, name)? {
            let rel = format!("blobs/{top_name}/{}", file.text());
            let bad_name = || BundleError::BadBlobName {
                bundle: name.to_string(),
                entry: rel.clone(),
            };
            if file_type.is_dir() {
                return Err(bad_name());
            }
            let meta = fs::symlink_metadata(root.join(&rel))
                .map_err(|e| BundleError::read(name, &rel, &e))?;
            regular_file_only(&meta, &rel, name)?;
            let Name::Digest(claimed) = file else {
                // Not a valid digest of a supported algorithm.
                return Err(bad_name());
            };
            collector.count_entry()?;
            found.push(Found {
                claimed,
                size: meta.len(),
            });
        }
    }
    Ok(found)
}

/// A file name under `blobs/`: a valid digest of the folder's algorithm (held as the digest,
/// not as a string), or anything else.
enum Name {
    Digest(Digest),
    Other(std::ffi::OsString),
}

impl Name {
    /// The name as text (lossy for names that are not UTF-8, as in messages).
    fn text(&self) -> String {
        match self {
            Name::Digest(d) => d.hex(),
            Name::Other(s) => s.to_string_lossy().replace('\\', "/"),
        }
    }

    /// Order as the file names do (byte order, as `walkdir` sorts them).
    fn cmp_as_names(&self, other: &Name) -> std::cmp::Ordering {
        use std::os::unix::ffi::OsStrExt;
        match (self, other) {
            (Name::Digest(a), Name::Digest(b)) => a.cmp(b),
            (Name::Other(a), Name::Other(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Name::Digest(a), Name::Other(b)) => a.hex().as_bytes().cmp(b.as_bytes()),
            (Name::Other(a), Name::Digest(b)) => a.as_bytes().cmp(b.hex().as_bytes()),
        }
    }
}

/// The entries of `folder` (not following symbolic links), sorted by name; with an algorithm,
/// names that are valid digests of it are held as digests.
fn sorted_names(
    folder: &Path,
    algorithm: Option<Algorithm>,
    name: &str,
) -> Result<Vec<(Name, fs::FileType)>, BundleError> {
    let read_err = |e: std::io::Error| BundleError::read(name, "blobs", &e);
    let mut out = Vec::new();
    for entry in fs::read_dir(folder).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let file_type = entry.file_type().map_err(read_err)?;
        let file_name = entry.file_name();
        let digest = algorithm
            .zip(file_name.to_str())
            .and_then(|(a, hex)| Digest::from_parts(a, hex));
        out.push((
            digest.map_or(Name::Other(file_name), Name::Digest),
            file_type,
        ));
    }
    out.sort_by(|a, b| a.0.cmp_as_names(&b.0));
    Ok(out)
}

/// Hash one blob file, keeping its content when it is small enough to be JSON.
fn hash_file(
    root: &Path,
    f: &Found,
    name: &str,
    limits: &Limits,
    budget: &AtomicU64,
    progress: &ProgressSink,
) -> Result<(Digest, Blob), BundleError> {
    let rel = f.claimed.blob_path();
    let read_err = |e: std::io::Error| BundleError::read(name, &rel, &e);
    let mut file = fs::File::open(root.join(&rel)).map_err(read_err)?;
    let keep = (f.size <= limits.max_json_blob).then_some(f.size);
    let buf_len = usize::try_from(f.size.saturating_add(1))
        .unwrap_or(READ_BUFFER)
        .clamp(4096, READ_BUFFER);
    let mut buf = vec![0u8; buf_len];
    let (actual, size, content) = hash_stream(
        &mut file,
        f.claimed.algorithm(),
        keep,
        Keep::Documents(budget),
        progress,
        &mut buf,
    )
    .map_err(read_err)?;
    progress.add_blob();
    let blob = Blob::hashed(&f.claimed, size, actual, content.map(Arc::from));
    Ok((f.claimed.clone(), blob))
}

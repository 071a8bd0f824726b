//! OCI image-layout folders: blobs are hashed in parallel on all cores (rayon), each read once
//! with large buffered reads.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    classify, hash_stream, layout_file_limit, layout_file_too_large, Blob, Bundle, BundleError,
    Collector, EntryKind, Format, Keep, ProgressSink, OTHER_SMALL_BLOBS_BUDGET, READ_BUFFER,
};
use crate::digest::Digest;
use crate::limits::Limits;

/// A blob file found under `blobs/`.
struct Found {
    file: PathBuf,
    rel: String,
    claimed: Digest,
    size: u64,
}

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
    progress.start_bytes(Some(found.iter().map(|f| f.size).sum()));
    let budget = AtomicU64::new(OTHER_SMALL_BLOBS_BUDGET);
    let hashed: Vec<Result<(Digest, Blob), BundleError>> = found
        .into_par_iter()
        .map(|f| hash_file(f, name, limits, &budget, progress))
        .collect();
    for result in hashed {
        let (claimed, blob) = result?;
        collector.add_blob(claimed, blob);
    }
    Ok(collector.bundle)
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
    let mut content = Vec::new();
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
    let walk = walkdir::WalkDir::new(&blobs)
        .follow_links(false)
        .min_depth(1)
        .max_depth(3)
        .sort_by_file_name();
    for entry in walk {
        let entry = entry.map_err(|e| BundleError::read(name, "blobs", &e))?;
        let rel_to_blobs = entry
            .path()
            .strip_prefix(&blobs)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let rel = format!("blobs/{rel_to_blobs}");
        let t = entry.file_type();
        if entry.depth() == 1 && t.is_dir() {
            continue;
        }
        if t.is_dir() || entry.depth() != 2 {
            return Err(BundleError::BadBlobName {
                bundle: name.to_string(),
                entry: rel,
            });
        }
        let meta = entry
            .metadata()
            .map_err(|e| BundleError::read(name, &rel, &e))?;
        regular_file_only(&meta, &rel, name)?;
        let EntryKind::Blob(claimed) = classify(&rel, name)? else {
            continue;
        };
        collector.claim(&rel)?;
        found.push(Found {
            file: entry.into_path(),
            rel,
            claimed,
            size: meta.len(),
        });
    }
    Ok(found)
}

/// Hash one blob file, keeping its content when it is small enough to be JSON.
fn hash_file(
    f: Found,
    name: &str,
    limits: &Limits,
    budget: &AtomicU64,
    progress: &ProgressSink,
) -> Result<(Digest, Blob), BundleError> {
    let read_err = |e: std::io::Error| BundleError::read(name, &f.rel, &e);
    let mut file = fs::File::open(&f.file).map_err(read_err)?;
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
    Ok((
        f.claimed,
        Blob {
            path: f.rel,
            size,
            actual,
            content: content.map(Arc::from),
        },
    ))
}

//! Building bundles at test time: copies of the conformance layouts, tar / tar.gz / tar.zst
//! archives of them, hand-built hostile tar entries, and small synthetic layouts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest as _, Sha256};

/// Re-exported so that `use airgap_verify_testkit::bundles::*` is all a bundle test needs.
pub use crate::{bin, conformance};

/// A conformance layout by name (`e2e-valid-signature`), or None to skip.
pub fn layout(name: &str) -> Option<PathBuf> {
    conformance().map(|c| c.join("notation/oci_layout").join(name))
}

/// Every conformance layout.
pub fn all_layouts() -> Vec<PathBuf> {
    let Some(c) = conformance() else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(c.join("notation/oci_layout"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// A writable copy of a layout folder.
pub fn copy_layout(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::copy_dir(src, dir.path());
    dir
}

/// A tar of a layout folder, at the archive root or under `top`.
pub fn tar_of(dir: &Path, top: Option<&str>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.follow_symlinks(false);
    b.append_dir_all(top.unwrap_or("."), dir).unwrap();
    b.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// A raw tar header for hostile entries: the name is written as given (no validation).
pub fn raw_header(name: &[u8], kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    {
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name);
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    h
}

/// A tar made of (name, content) regular files, in order (duplicates allowed).
pub fn tar_of_files(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let h = raw_header(name.as_bytes(), tar::EntryType::Regular, data.len() as u64);
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

pub fn blob_path(data: &[u8]) -> String {
    format!("blobs/sha256/{}", hex::encode(Sha256::digest(data)))
}

/// A minimal valid layout as tar entries: oci-layout, index.json listing one image manifest
/// (tag `v1`) with a config and one layer. Returns the files (path, content).
pub fn small_layout() -> Vec<(String, Vec<u8>)> {
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let layer = b"layer content".to_vec();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
        sha256(&config),
        config.len(),
        sha256(&layer),
        layer.len()
    )
    .into_bytes();
    let index = index_json(&[(
        "application/vnd.oci.image.manifest.v1+json",
        &manifest,
        r#"{"org.opencontainers.image.ref.name":"v1"}"#,
    )]);
    vec![
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".into(), index),
        (blob_path(&config), config),
        (blob_path(&layer), layer),
        (blob_path(&manifest), manifest),
    ]
}

/// An index.json (or index blob) listing (mediaType, content, annotations JSON) entries.
pub fn index_json(entries: &[(&str, &[u8], &str)]) -> Vec<u8> {
    let list: Vec<String> = entries
        .iter()
        .map(|(mt, content, ann)| {
            format!(
                r#"{{"mediaType":"{mt}","digest":"{}","size":{},"annotations":{ann}}}"#,
                sha256(content),
                content.len()
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        list.join(",")
    )
    .into_bytes()
}

/// Every file under `root`, as (relative path with `/`, content), in file-name order.
pub fn files_under(root: &Path) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Write files into a new folder.
pub fn write_dir(files: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    dir
}

/// Tar of owned files.
pub fn tar_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    tar_of_files(&refs)
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run the binary with `args` from the repository's folder, where the fixtures' relative paths
/// (`fixtures/...`, as the README writes them) hold.
pub fn run_in_repository(args: &[&str]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .current_dir(crate::repository_dir())
        .output()
        .expect("run the binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

/// Run `airgap-verify inspect ARG [extra]`, with `stdin` piped when given.
pub fn inspect(arg: &str, extra: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(bin());
    cmd.arg("inspect").arg(arg).args(["--progress", "never"]);
    cmd.args(extra);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(data) = stdin {
        let mut s = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = s.write_all(&data);
        });
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Write bytes to a file in a new temp dir and inspect it.
pub fn inspect_bytes(data: &[u8], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bundle");
    std::fs::write(&p, data).unwrap();
    inspect(p.to_str().unwrap(), extra, None)
}

//! Hostile and broken bundles: each gives one clear error naming the entry, exit 3 (2 for a
//! path that does not exist), and no panic.
#![cfg(test)]

use airgap_verify_testkit::bundles::*;

/// Exit 3, the message names `needle`, and nothing panicked.
fn assert_damaged(run: &Run, needle: &str) {
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains(needle), "{needle:?} not in:\n{all}");
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn truncated_tar() {
    let mut tar = tar_files(&small_layout());
    tar.truncate(tar.len() / 2 + 100);
    assert_damaged(&inspect_bytes(&tar, &[]), "truncated");
}

#[test]
fn tar_without_end_marker_is_truncated() {
    let tar = tar_files(&small_layout());
    // Cut at the end of the last entry: the end-of-archive marker is gone.
    let cut = tar.len() - 1024;
    assert_damaged(&inspect_bytes(&tar[..cut], &[]), "end-of-archive marker");
}

#[test]
fn truncated_gzip() {
    let gz = gzip(&tar_files(&small_layout()));
    assert_damaged(&inspect_bytes(&gz[..gz.len() - 10], &[]), "reading");
}

#[test]
fn absolute_path_entry() {
    let mut b = tar::Builder::new(Vec::new());
    b.append(
        &raw_header(b"/etc/passwd", tar::EntryType::Regular, 1),
        &b"x"[..],
    )
    .unwrap();
    let run = inspect_bytes(&b.into_inner().unwrap(), &[]);
    assert_damaged(&run, "/etc/passwd");
    assert!(run.stderr.contains("absolute path"), "{}", run.stderr);
}

#[test]
fn parent_directory_entry() {
    let mut b = tar::Builder::new(Vec::new());
    b.append(
        &raw_header(b"blobs/../../x", tar::EntryType::Regular, 1),
        &b"x"[..],
    )
    .unwrap();
    let run = inspect_bytes(&b.into_inner().unwrap(), &[]);
    assert_damaged(&run, "blobs/../../x");
    assert!(run.stderr.contains("`..`"), "{}", run.stderr);
}

#[test]
fn links_and_devices() {
    for (kind, word) in [
        (tar::EntryType::Symlink, "symbolic link"),
        (tar::EntryType::Link, "hard link"),
        (tar::EntryType::Char, "character device"),
        (tar::EntryType::Block, "block device"),
        (tar::EntryType::Fifo, "FIFO"),
    ] {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = raw_header(b"index.json", kind, 0);
        h.set_link_name("/etc/passwd").unwrap();
        h.set_cksum();
        b.append(&h, std::io::empty()).unwrap();
        let run = inspect_bytes(&b.into_inner().unwrap(), &[]);
        assert_damaged(&run, "index.json");
        assert!(run.stderr.contains(word), "{word}: {}", run.stderr);
    }
}

#[test]
fn symlink_in_folder() {
    let dir = write_dir(&small_layout());
    let (name, _) = &small_layout()[3];
    std::fs::remove_file(dir.path().join(name)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join(name)).unwrap();
    assert_damaged(
        &inspect(dir.path().to_str().unwrap(), &[], None),
        "symbolic link",
    );
}

#[test]
fn same_name_twice_is_damaged_never_last_wins() {
    let mut files = small_layout();
    let (name, _) = files[3].clone();
    files.push((name.clone(), b"other content".to_vec()));
    assert_damaged(&inspect_bytes(&tar_files(&files), &[]), &name);
    // Also when the second copy is spelled differently.
    let mut files = small_layout();
    files.push((format!("./{name}"), files[3].1.clone()));
    assert_damaged(&inspect_bytes(&tar_files(&files), &[]), "more than once");
}

#[test]
fn bad_blob_names() {
    for bad in [
        "blobs/sha256/abc",
        "blobs/md5/0123456789abcdef0123456789abcdef",
        "blobs/sha256/ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
        "blobs/sha512/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ] {
        let mut files = small_layout();
        files.push((bad.to_string(), b"x".to_vec()));
        let run = inspect_bytes(&tar_files(&files), &[]);
        assert_damaged(&run, bad);
        assert!(
            run.stderr.contains("not a valid blob name"),
            "{}",
            run.stderr
        );
        let dir = write_dir(&files);
        assert_damaged(&inspect(dir.path().to_str().unwrap(), &[], None), bad);
    }
}

#[test]
fn declared_size_of_10_tb() {
    let mut tar = tar_files(&small_layout()[..2]);
    tar.truncate(tar.len() - 1024);
    let mut h = raw_header(
        blob_path(b"big").as_bytes(),
        tar::EntryType::Regular,
        10_000_000_000_000,
    );
    h.set_cksum();
    tar.extend_from_slice(h.as_bytes());
    tar.extend_from_slice(&[0u8; 4096]);
    let run = inspect_bytes(&tar, &[]);
    assert_damaged(&run, &blob_path(b"big"));
    assert!(
        run.stderr.contains("10000000000000 bytes"),
        "{}",
        run.stderr
    );
}

#[test]
fn gzip_bomb() {
    // 80 MiB of zeros (past the 64 MiB grace) compresses about 1000:1; allow only 10:1.
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let size = 80 * 1024 * 1024;
    let h = raw_header(
        blob_path(b"zeros").as_bytes(),
        tar::EntryType::Regular,
        size,
    );
    b.append(&h, std::io::repeat(0).take_bytes(size)).unwrap();
    let gz = b.into_inner().unwrap().finish().unwrap();
    let run = inspect_bytes(&gz, &["--max-inflate-ratio", "10"]);
    assert_damaged(&run, "ratio limit of 10:1");
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl TakeBytes for std::io::Repeat {}

#[test]
fn non_json_manifest() {
    let mut files = small_layout();
    let junk = b"this is not JSON".to_vec();
    files[1].1 = index_json(&[("application/vnd.oci.image.manifest.v1+json", &junk, "{}")]);
    files.push((blob_path(&junk), junk.clone()));
    let run = inspect_bytes(&tar_files(&files), &[]);
    assert_damaged(&run, &blob_path(&junk));
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
}

#[test]
fn json_nested_10000_deep() {
    let mut files = small_layout();
    let deep = format!(
        r#"{{"schemaVersion":2,"manifests":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    files[1].1 = deep.into_bytes();
    let run = inspect_bytes(&tar_files(&files), &[]);
    assert_damaged(&run, "index.json");
    assert!(
        run.stderr.contains("nested more than 64 deep"),
        "{}",
        run.stderr
    );
}

#[test]
fn index_that_includes_itself() {
    // The blob is named X and lists X: its content cannot hash to X, but the cycle is found
    // before anything loops.
    let mut files = small_layout();
    let fake = format!("sha256:{}", "ab".repeat(32));
    let entry = format!(
        r#"{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{fake}","size":1}}"#
    );
    let index = format!(r#"{{"schemaVersion":2,"manifests":[{entry}]}}"#).into_bytes();
    files[1].1 = index.clone();
    files.push((format!("blobs/sha256/{}", "ab".repeat(32)), index));
    let run = inspect_bytes(&tar_files(&files), &[]);
    assert_damaged(&run, &fake);
    assert!(run.stderr.contains("includes itself"), "{}", run.stderr);
}

#[test]
fn indexes_nested_too_deep() {
    let mut files = small_layout();
    let manifest = files[4].1.clone();
    let mut inner = index_json(&[(
        "application/vnd.oci.image.manifest.v1+json",
        &manifest,
        "{}",
    )]);
    for _ in 0..20 {
        files.push((blob_path(&inner), inner.clone()));
        inner = index_json(&[("application/vnd.oci.image.index.v1+json", &inner, "{}")]);
    }
    files[1].1 = inner;
    let run = inspect_bytes(&tar_files(&files), &[]);
    assert_damaged(&run, "more than the limit of 16");
}

#[test]
fn missing_index_json() {
    let mut files = small_layout();
    files.remove(1);
    assert_damaged(
        &inspect_bytes(&tar_files(&files), &[]),
        "index.json is missing",
    );
}

#[test]
fn missing_or_unsupported_oci_layout() {
    let mut files = small_layout();
    files.remove(0);
    assert_damaged(
        &inspect_bytes(&tar_files(&files), &[]),
        "oci-layout is missing",
    );
    let dir = write_dir(&files);
    assert_damaged(
        &inspect(dir.path().to_str().unwrap(), &[], None),
        "no oci-layout",
    );
    let mut files = small_layout();
    files[0].1 = br#"{"imageLayoutVersion":"2.0.0"}"#.to_vec();
    assert_damaged(
        &inspect_bytes(&tar_files(&files), &[]),
        "imageLayoutVersion",
    );
}

#[test]
fn not_a_bundle() {
    assert_damaged(&inspect_bytes(b"hello world", &[]), "is not a bundle");
    assert_damaged(&inspect_bytes(b"", &[]), "empty");
}

#[test]
fn missing_path_is_a_usage_error() {
    let run = inspect("/definitely/not/here", &[], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/definitely/not/here"));
}

#[test]
fn two_layouts_in_one_archive() {
    let mut files = small_layout();
    let extra: Vec<(String, Vec<u8>)> = small_layout()
        .into_iter()
        .map(|(n, d)| (format!("other/{n}"), d))
        .collect();
    files.extend(extra);
    assert_damaged(
        &inspect_bytes(&tar_files(&files), &[]),
        "two different layouts",
    );
}

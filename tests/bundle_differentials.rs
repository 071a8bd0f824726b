//! Archives that other readers (GNU tar, Go's archive/tar, `zstd -d`, `docker load`) would read
//! differently from us are refused, exit 3, naming the entry; their well-formed neighbours are
//! read as usual. Every archive is built at test time.
#![cfg(test)]

use airgap_verify_testkit::bundles::*;

fn assert_damaged(run: &Run, needle: &str) {
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 3, "{all}");
    assert!(all.contains(needle), "{needle:?} not in:\n{all}");
    assert!(!all.contains("panicked"), "{all}");
}

fn assert_read(run: &Run) {
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 0, "{all}");
}

/// One PAX record, `"%d key=value\n"`, its length counting itself.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3;
    let mut len = body + 1;
    while format!("{len}").len() + body != len {
        len += 1;
    }
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

/// A tar of the small layout with `extra` (header, data) entries in front of it.
fn tar_with_prefix(extra: &[(tar::Header, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (h, data) in extra {
        b.append(h, data.as_slice()).unwrap();
    }
    for (name, data) in small_layout() {
        let h = raw_header(name.as_bytes(), tar::EntryType::Regular, data.len() as u64);
        b.append(&h, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

fn record(kind: tar::EntryType, data: Vec<u8>) -> (tar::Header, Vec<u8>) {
    (raw_header(b"././@PaxHeader", kind, data.len() as u64), data)
}

/// A file entry named `name` holding `data`, preceded by a PAX header with `records`.
fn pax_file(records: &[(&str, &[u8])], name: &str, data: &[u8]) -> Vec<(tar::Header, Vec<u8>)> {
    let pax: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
    vec![
        record(tar::EntryType::XHeader, pax),
        (
            raw_header(name.as_bytes(), tar::EntryType::Regular, data.len() as u64),
            data.to_vec(),
        ),
    ]
}

#[test]
fn pax_path_with_a_nul_byte_is_refused() {
    let blob = b"evil";
    let mut path = blob_path(blob).into_bytes();
    path.extend_from_slice(b"\0.hidden");
    let tar = tar_with_prefix(&pax_file(&[("path", &path)], "x", blob));
    assert_damaged(&inspect_bytes(&tar, &[]), "NUL byte");
    let tar = tar_with_prefix(&pax_file(&[("linkpath", b"a\0b")], "x", blob));
    assert_damaged(&inspect_bytes(&tar, &[]), "\"linkpath\" holds a NUL byte");
}

#[test]
fn pax_path_without_nul_names_the_entry() {
    // A PAX path is honoured: the file is read under it (here an unknown file, only noted).
    let tar = tar_with_prefix(&pax_file(&[("path", b"notes/readme.txt")], "x", b"hi"));
    let run = inspect_bytes(&tar, &[]);
    assert_read(&run);
    // The entry is read under its PAX path: the same name again is a duplicate.
    let mut extra = pax_file(&[("path", b"dup.txt")], "x", b"hi");
    extra.push((
        raw_header(b"dup.txt", tar::EntryType::Regular, 2),
        b"hi".to_vec(),
    ));
    assert_damaged(&inspect_bytes(&tar_with_prefix(&extra), &[]), "dup.txt");
}

#[test]
fn pax_size_that_differs_from_the_header_is_refused() {
    let tar = tar_with_prefix(&pax_file(&[("size", b"0")], "notes.txt", b"hello"));
    assert_damaged(&inspect_bytes(&tar, &[]), "PAX size 0 differs");
}

#[test]
fn global_pax_header_that_changes_reading_is_refused() {
    for key in ["path", "size", "linkpath", "GNU.sparse.major"] {
        let g = record(tar::EntryType::XGlobalHeader, pax_record(key, b"1"));
        let run = inspect_bytes(&tar_with_prefix(&[g]), &[]);
        assert_damaged(&run, "PAX global header");
        assert!(run.stderr.contains(&format!("{key:?}")), "{}", run.stderr);
    }
}

#[test]
fn global_pax_header_with_a_comment_is_read() {
    // `git archive` writes one with the commit id.
    let g = record(
        tar::EntryType::XGlobalHeader,
        pax_record("comment", b"0123456789abcdef"),
    );
    assert_read(&inspect_bytes(&tar_with_prefix(&[g]), &[]));
}

#[test]
fn oversized_long_name_records_are_refused_without_reading_them() {
    for kind in [
        tar::EntryType::GNULongName,
        tar::EntryType::GNULongLink,
        tar::EntryType::XHeader,
        tar::EntryType::XGlobalHeader,
    ] {
        // Declares 1 GiB and holds a few bytes: refused from the header alone.
        let mut tar = raw_header(b"././@LongLink", kind, 1 << 30)
            .as_bytes()
            .to_vec();
        tar.extend_from_slice(&[b'a'; 4096]);
        let run = inspect_bytes(&gzip(&tar), &[]);
        assert_damaged(&run, "more than the limit of 1048576 bytes");
    }
}

#[test]
fn long_names_within_the_bound_are_read() {
    // A layout under a 300-character top folder: GNU long-name records on every entry.
    let top = "t".repeat(300);
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in small_layout() {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, format!("{top}/{name}"), data.as_slice())
            .unwrap();
    }
    let run = inspect_bytes(&b.into_inner().unwrap(), &[]);
    assert_read(&run);
}

#[test]
fn gnu_long_name_with_an_inner_nul_is_refused() {
    let mut name = blob_path(b"x").into_bytes();
    name.extend_from_slice(b"\0tail\0");
    let extra = vec![
        (
            raw_header(
                b"././@LongLink",
                tar::EntryType::GNULongName,
                name.len() as u64,
            ),
            name,
        ),
        (
            raw_header(b"short", tar::EntryType::Regular, 1),
            b"x".to_vec(),
        ),
    ];
    assert_damaged(&inspect_bytes(&tar_with_prefix(&extra), &[]), "NUL byte");
}

#[test]
fn long_name_record_with_no_entry_after_it_is_truncated() {
    let mut tar = tar_files(&small_layout());
    tar.truncate(tar.len() - 1024);
    let name = b"some/long/name".to_vec();
    let mut b = tar::Builder::new(tar);
    b.append(
        &raw_header(
            b"././@LongLink",
            tar::EntryType::GNULongName,
            name.len() as u64,
        ),
        name.as_slice(),
    )
    .unwrap();
    assert_damaged(
        &inspect_bytes(&b.into_inner().unwrap(), &[]),
        "extension record",
    );
}

#[test]
fn data_after_the_end_of_archive_marker_is_refused() {
    let mut tar = tar_files(&small_layout());
    // What `tar --ignore-zeros` would go on to extract.
    tar.extend(tar_of_files(&[("index.json", b"{}")]));
    assert_damaged(&inspect_bytes(&tar, &[]), "after the end-of-archive marker");
    // The same behind gzip (a second gzip member) and zstd.
    let mut gz = gzip(&tar_files(&small_layout()));
    gz.extend(gzip(&tar_of_files(&[("index.json", b"{}")])));
    assert_damaged(&inspect_bytes(&gz, &[]), "after the end-of-archive marker");
}

#[test]
fn zero_padding_after_the_end_of_archive_marker_is_read() {
    let mut tar = tar_files(&small_layout());
    tar.extend(vec![0u8; 10240]);
    assert_read(&inspect_bytes(&tar, &[]));
}

#[test]
fn zstd_multi_frame_and_skippable_frames_read_like_one_frame() {
    let tar = tar_files(&small_layout());
    let (a, b) = tar.split_at(700);
    let mut multi = zstd(a);
    multi.extend(zstd(b));
    assert_read(&inspect_bytes(&multi, &[]));
    let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    skippable.extend(zstd(&tar));
    assert_read(&inspect_bytes(&skippable, &[]));
}

#[test]
fn zstd_garbage_after_the_last_frame_is_refused() {
    let mut z = zstd(&tar_files(&small_layout()));
    z.extend(b"trailing garbage");
    assert_damaged(&inspect_bytes(&z, &[]), "is not a zstd frame");
}

/// Two images (`app:v1`, `app:v2` by `io.containerd.image.name`), as `docker save` lays them out,
/// with `manifest` as `manifest.json` (`{c1}`, `{l1}`, `{c2}`, `{l2}` stand for the blob paths of
/// each image's config and layer).
fn docker_save(manifest: &str) -> Vec<u8> {
    let mut files = vec![(
        "oci-layout".to_string(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let mut entries = Vec::new();
    let mut text = manifest.to_string();
    for (n, tag) in [("1", "v1"), ("2", "v2")] {
        let config = format!(r#"{{"architecture":"amd64","os":"linux","n":{n}}}"#).into_bytes();
        let layer = format!("layer {n}").into_bytes();
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
            sha256(&config),
            config.len(),
            sha256(&layer),
            layer.len()
        )
        .into_bytes();
        text = text
            .replace(&format!("{{c{n}}}"), &blob_path(&config))
            .replace(&format!("{{l{n}}}"), &blob_path(&layer));
        entries.push((m.clone(), tag));
        files.push((blob_path(&config), config));
        files.push((blob_path(&layer), layer));
        files.push((blob_path(&m), m));
    }
    let anns: Vec<String> = entries
        .iter()
        .map(|(_, tag)| {
            format!(
                r#"{{"io.containerd.image.name":"registry.example/app:{tag}","org.opencontainers.image.ref.name":"{tag}"}}"#
            )
        })
        .collect();
    let index = index_json(&[
        (
            "application/vnd.oci.image.manifest.v1+json",
            &entries[0].0,
            &anns[0],
        ),
        (
            "application/vnd.oci.image.manifest.v1+json",
            &entries[1].0,
            &anns[1],
        ),
    ]);
    files.push(("index.json".to_string(), index));
    files.push(("manifest.json".to_string(), text.into_bytes()));
    tar_files(&files)
}

#[test]
fn docker_save_manifest_that_matches_the_index_is_read() {
    let run = inspect_bytes(
        &docker_save(
            r#"[{"Config":"{c1}","RepoTags":["registry.example/app:v1"],"Layers":["{l1}"]},{"Config":"{c2}","RepoTags":null,"Layers":["{l2}"]}]"#,
        ),
        &[],
    );
    assert_read(&run);
}

#[test]
fn docker_save_manifest_that_disagrees_with_the_index_is_refused() {
    for (manifest, needle) in [
        (
            r#"[{"Config":"{c1}","RepoTags":["registry.example/app:v2"],"Layers":["{l1}"]}]"#,
            "another image",
        ),
        (
            r#"[{"Config":"{c1}","RepoTags":["registry.example/other:v1"],"Layers":["{l1}"]}]"#,
            "gives to no image",
        ),
        (
            r#"[{"Config":"{c1}","RepoTags":[],"Layers":["{l2}"]}]"#,
            "no image that index.json names",
        ),
        (
            r#"[{"Config":"{c1}","RepoTags":[],"Layers":["{l1}","{l2}"]}]"#,
            "no image that index.json names",
        ),
        (
            r#"[{"Config":"{c1}","RepoTags":[],"Layers":["{l1}"],"config":"{c2}"}]"#,
            "[0].config",
        ),
        (r#"{"Config":"{c1}"}"#, "not the JSON list"),
    ] {
        let run = inspect_bytes(&docker_save(manifest), &[]);
        assert_damaged(&run, needle);
        assert!(run.stderr.contains("manifest.json"), "{}", run.stderr);
    }
}

#[test]
fn many_broken_entries_give_a_short_report_in_bounded_memory() {
    // 200,000 empty entries named as blobs: every one a digest mismatch.
    let mut tar = Vec::new();
    for (name, data) in small_layout().into_iter().take(2) {
        tar.extend_from_slice(
            raw_header(name.as_bytes(), tar::EntryType::Regular, data.len() as u64).as_bytes(),
        );
        tar.extend_from_slice(&data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    let n = 200_000u64;
    for i in 0..n {
        let name = format!("blobs/sha256/{:064x}", i + 1);
        tar.extend_from_slice(raw_header(name.as_bytes(), tar::EntryType::Regular, 0).as_bytes());
    }
    tar.extend_from_slice(&[0u8; 1024]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.tar.gz");
    std::fs::write(&path, gzip(&tar)).unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$@\"")
        .arg("sh")
        .arg(bin())
        .args(["inspect", "--progress", "never"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every entry, and the manifest index.json names but the archive lacks.
    assert!(stdout.contains(&format!("{} problems", n + 1)), "{stdout}");
    assert!(stdout.len() < 16 * 1024, "{} bytes of output", stdout.len());
    let json = std::process::Command::new(bin())
        .args([
            "verify",
            "--progress",
            "never",
            "--scope",
            "registry.example/app",
            "--secret",
        ])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/secret.yaml"))
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&json.stderr);
    assert_eq!(json.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("and {} more problems", n + 1 - 10)),
        "{stderr}"
    );
    assert!(stderr.len() < 8 * 1024, "{} bytes on stderr", stderr.len());
}

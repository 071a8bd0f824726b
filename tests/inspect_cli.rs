//! `inspect` through the binary: the same result from a folder, .tar (root or top folder),
//! .tar.gz, .tar.zst and stdin; tampering, removal and size lies give exit 3 naming the blob.
#![cfg(test)]

use airgap_verify_testkit::bundles::*;

/// The JSON report without the fields that name the source.
fn normalised(run: &Run) -> serde_json::Value {
    assert!(run.code == 0 || run.code == 3, "{}", run.stderr);
    let mut v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let b = v["bundle"].as_object_mut().unwrap();
    b.remove("name");
    b.remove("format");
    v
}

#[test]
fn every_format_gives_the_same_result() {
    for layout in all_layouts() {
        let dir = layout.to_str().unwrap();
        let expected = normalised(&inspect(dir, &["--format", "json"], None));
        assert_eq!(expected["bundle"]["status"], "intact", "{dir}");
        let tar_root = tar_of(&layout, None);
        let tar_top = tar_of(&layout, Some("layout"));
        let variants = [
            ("tar", tar_root.clone()),
            ("tar under a top folder", tar_top),
            ("tar.gz", gzip(&tar_root)),
            ("tar.zst", zstd(&tar_root)),
        ];
        for (what, bytes) in &variants {
            let got = normalised(&inspect_bytes(bytes, &["--format", "json"]));
            assert_eq!(got, expected, "{what} of {dir}");
        }
        let stdin = normalised(&inspect("-", &["--format", "json"], Some(&gzip(&tar_root))));
        assert_eq!(stdin, expected, "stdin of {dir}");
    }
}

#[test]
fn text_report_shows_image_and_signature() {
    let Some(l) = layout("e2e-valid-signature") else {
        return;
    };
    let run = inspect(l.to_str().unwrap(), &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "Image v1",
        "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9",
        "sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f",
        "Notation signature, envelope JWS",
        "intact",
    ] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
}

const LAYER: &str = "blobs/sha256/6de5fe1f75e4b1094c98086f403d5fd8117776ebe5aad1609281403d13dea070";

#[test]
fn tampered_layer_byte_is_damaged() {
    let Some(l) = layout("e2e-valid-signature") else {
        return;
    };
    let copy = copy_layout(&l);
    let p = copy.path().join(LAYER);
    let mut data = std::fs::read(&p).unwrap();
    data[0] ^= 1;
    std::fs::write(&p, data).unwrap();
    for run in [
        inspect(copy.path().to_str().unwrap(), &[], None),
        inspect_bytes(&gzip(&tar_of(copy.path(), None)), &[]),
    ] {
        assert_eq!(run.code, 3, "{}", run.stdout);
        assert!(run.stdout.contains(LAYER), "{}", run.stdout);
        assert!(
            run.stdout.contains("does not match its digest"),
            "{}",
            run.stdout
        );
    }
    let json = inspect(copy.path().to_str().unwrap(), &["--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["bundle"]["status"], "damaged");
    assert_eq!(
        v["bundle"]["integrity"]["problems"][0]["problem"],
        "digest-mismatch"
    );
    assert_eq!(v["bundle"]["integrity"]["problems"][0]["path"], LAYER);
}

#[test]
fn removed_blob_is_damaged() {
    let Some(l) = layout("e2e-valid-signature") else {
        return;
    };
    let copy = copy_layout(&l);
    std::fs::remove_file(copy.path().join(LAYER)).unwrap();
    let run = inspect(copy.path().to_str().unwrap(), &[], None);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(run.stdout.contains(LAYER), "{}", run.stdout);
    assert!(run.stdout.contains("missing"), "{}", run.stdout);
}

#[test]
fn size_lie_is_damaged() {
    let Some(l) = layout("e2e-valid-signature") else {
        return;
    };
    let copy = copy_layout(&l);
    let p = copy.path().join("index.json");
    let index = std::fs::read_to_string(&p)
        .unwrap()
        .replacen("517", "518", 1);
    std::fs::write(&p, index).unwrap();
    let run = inspect(copy.path().to_str().unwrap(), &[], None);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9: size mismatch: index.json declares 518 bytes, the blob has 517"),
        "{}",
        run.stdout
    );
}

#[test]
fn docker_save_extras_are_noted_not_fatal() {
    let mut files = small_layout();
    files.push(("manifest.json".into(), b"[]".to_vec()));
    files.push(("repositories".into(), b"{}".to_vec()));
    let run = inspect_bytes(&tar_files(&files), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("ignored manifest.json"),
        "{}",
        run.stdout
    );
}

//! `index.json` is the bundle's root: it is bounded by its entry count (`--max-manifests`) and 1 KiB
//! per entry allowed, not by the 4 MiB `--max-json-blob` meant for manifests and envelopes. A
//! layout of 10,000 images, every manifest listed in `index.json` as oras and notation write it
//! (an index.json over 4 MiB), opens with the defaults, as a folder and as a tar.
#![cfg(test)]

use airgap_verify_testkit::bundles::{self, inspect, sha256, tar_files, write_dir};

const IMAGES: usize = 10_000;

/// A layout of `IMAGES` images sharing one config and one layer, each listed in `index.json`
/// with a tag, a creation time and a thumbprint annotation (about 460 bytes per entry).
fn many_images() -> Vec<(String, Vec<u8>)> {
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let layer = b"layer".to_vec();
    let mut files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (bundles::blob_path(&config), config.clone()),
        (bundles::blob_path(&layer), layer.clone()),
    ];
    let mut manifests = Vec::new();
    for i in 0..IMAGES {
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}],"annotations":{{"n":"{i}"}}}}"#,
            sha256(&config),
            config.len(),
            sha256(&layer),
            layer.len()
        )
        .into_bytes();
        let annotations = format!(
            r#"{{"io.cncf.notary.x509chain.thumbprint#S256":"[\"{}\",\"{}\"]","org.opencontainers.image.created":"2026-12-01T12:00:00Z","org.opencontainers.image.ref.name":"v{i}"}}"#,
            "a".repeat(64),
            "b".repeat(64)
        );
        manifests.push((manifest, annotations));
    }
    let entries: Vec<(&str, &[u8], &str)> = manifests
        .iter()
        .map(|(m, a)| {
            (
                "application/vnd.oci.image.manifest.v1+json",
                m.as_slice(),
                a.as_str(),
            )
        })
        .collect();
    let index = bundles::index_json(&entries);
    assert!(index.len() > 4 * 1024 * 1024, "{} bytes", index.len());
    files.push(("index.json".to_string(), index));
    for (m, _) in manifests {
        files.push((bundles::blob_path(&m), m));
    }
    files
}

fn image_count(json: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["images"].as_array().map_or(0, Vec::len)
}

#[test]
fn an_index_json_of_10000_images_opens_with_the_defaults_and_is_bounded_by_the_manifest_limit() {
    let files = many_images();
    let dir = write_dir(&files);
    let tar_dir = tempfile::tempdir().unwrap();
    let tar = tar_dir.path().join("bundle.tar");
    std::fs::write(&tar, tar_files(&files)).unwrap();
    for bundle in [dir.path(), tar.as_path()] {
        let arg = bundle.to_str().unwrap();
        let run = inspect(arg, &["--format", "json"], None);
        assert_eq!(run.code, 0, "{arg}: {}", run.stderr);
        assert_eq!(image_count(&run.stdout), IMAGES, "{arg}");

        // More entries than the manifest limit: refused by count, naming the flag.
        let run = inspect(arg, &["--max-manifests", "9999"], None);
        assert_eq!(run.code, 3, "{arg}: {}", run.stderr);
        assert!(
            run.stderr.contains("more than the limit of 9999 manifests")
                && run.stderr.contains("--max-manifests"),
            "{arg}: {}",
            run.stderr
        );

        // Larger than 1 KiB per manifest allowed (and than the JSON limit): refused by size.
        let run = inspect(arg, &["--max-manifests", "2000"], None);
        assert_eq!(run.code, 3, "{arg}: {}", run.stderr);
        assert!(
            run.stderr.contains("index.json is")
                && run
                    .stderr
                    .contains("more than the limit of 4194304 for an index.json")
                && run.stderr.contains("--max-manifests"),
            "{arg}: {}",
            run.stderr
        );
    }
}

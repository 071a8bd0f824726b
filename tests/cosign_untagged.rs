//! Untagged entries in the shape `cosign save` writes (no `subject`, every layer of cosign's
//! signature or attestation media types) are recognised by their structure: not images under
//! `--all` nor in `inspect`. An untagged manifest of any other layer is still an image.
#![cfg(test)]

use std::process::Command;

use airgap_verify_testkit::layout::{ImageSpec, Layout};
use serde_json::{json, Value};

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn add_untagged(layout: &mut Layout, layers: &[&str]) {
    let config = layout.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let layers: Vec<_> = layers
        .iter()
        .enumerate()
        .map(|(i, mt)| layout.blob(mt, format!("{{\"n\":{i}}}").as_bytes()))
        .collect();
    let m = json!({"schemaVersion": 2, "mediaType": MANIFEST, "config": config, "layers": layers});
    let d = layout.blob(MANIFEST, &serde_json::to_vec(&m).unwrap());
    layout.list(d);
}

fn images(layout: &std::path::Path) -> Vec<Value> {
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("inspect")
        .arg(layout)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["images"].as_array().unwrap().clone()
}

#[test]
fn cosign_save_signatures_are_not_images() {
    for layers in [
        vec!["application/vnd.dev.cosign.simplesigning.v1+json"; 2],
        vec!["application/vnd.dsse.envelope.v1+json"],
        vec!["application/vnd.dev.sigstore.bundle.v0.3+json"],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let mut layout = Layout::create(&tmp.path().join("layout"));
        layout.add_image(&ImageSpec::new("app").tag("v1"));
        add_untagged(&mut layout, &layers);
        let dir = layout.finish();
        let found = images(&dir);
        assert_eq!(found.len(), 1, "{layers:?}: {found:#?}");
        assert_eq!(found[0]["tags"][0], "v1");
        // `--all` verifies the one image (unsigned here, so it fails), nothing else.
        let out = Command::new(airgap_verify_testkit::bin())
            .arg("verify")
            .arg(&dir)
            .arg("--trust-dir")
            .arg(airgap_verify_testkit::fixtures_dir().join("trust"))
            .args([
                "--all",
                "--scope",
                "registry.example/app",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["results"].as_array().unwrap().len(), 1, "{v:#}");
    }
}

#[test]
fn an_untagged_manifest_with_other_layers_is_an_image() {
    for layers in [
        vec!["application/vnd.oci.image.layer.v1.tar"],
        vec![
            "application/vnd.dev.cosign.simplesigning.v1+json",
            "application/vnd.oci.image.layer.v1.tar",
        ],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let mut layout = Layout::create(&tmp.path().join("layout"));
        layout.add_image(&ImageSpec::new("app").tag("v1"));
        add_untagged(&mut layout, &layers);
        let found = images(&layout.finish());
        assert_eq!(found.len(), 2, "{layers:?}: {found:#?}");
    }
}

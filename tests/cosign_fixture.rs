//! The shipped cosign fixture: the same Flux manifest as the README's cosign example (which
//! `tests/readme_examples.rs` runs) fails with another key; the v2 payload signature verifies
//! with `openssl dgst -verify` and the key; `inspect` lists both signatures.

#![cfg(test)]

use std::path::Path;

use airgap_verify_testkit::bundles::run_in_repository as run;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;

#[test]
fn the_flux_example_fails_with_another_key_in_the_secret() {
    let yaml = std::fs::read_to_string(
        airgap_verify_testkit::repository_dir().join("fixtures/flux/cosign.yaml"),
    )
    .unwrap();
    let key = std::fs::read_to_string(
        airgap_verify_testkit::repository_dir().join("fixtures/cosign.pub"),
    )
    .unwrap();
    let other = std::fs::read_to_string(
        airgap_verify_testkit::repository_dir().join("fixtures/attest/p256.pub"),
    )
    .unwrap();
    let indent = |pem: &str| pem.replace('\n', "\n    ");
    assert!(yaml.contains(&indent(key.trim_end())));
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("cosign.yaml");
    std::fs::write(
        &f,
        yaml.replace(&indent(key.trim_end()), &indent(other.trim_end())),
    )
    .unwrap();
    let r = run(&[
        "verify",
        "fixtures/cosign",
        "--flux",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{v:#}");
    for result in results {
        assert_eq!(result["flux"]["status"], "False", "{result:#}");
        let m = result["flux"]["message"].as_str().unwrap();
        assert!(
            m.starts_with(
                "failed to verify the signature using provider 'cosign': no matching signatures were found for 'registry.example/app@sha256:"
            ),
            "{m}"
        );
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn blob(layout: &Path, digest: &str) -> Vec<u8> {
    std::fs::read(layout.join("blobs/sha256").join(&digest[7..])).unwrap()
}

#[test]
fn the_v2_signature_verifies_with_openssl_and_names_its_image() {
    let layout = airgap_verify_testkit::fixtures_dir().join("cosign");
    let index = read_json(&layout.join("index.json"));
    let entries = index["manifests"].as_array().unwrap();
    let tag = |t: &str| {
        entries
            .iter()
            .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == t)
            .unwrap_or_else(|| panic!("no tag {t}"))
    };
    let image = tag("v1")["digest"].as_str().unwrap().to_string();
    let sig_manifest: Value = serde_json::from_slice(&blob(
        &layout,
        tag(&format!("{}.sig", image.replace(':', "-")))["digest"]
            .as_str()
            .unwrap(),
    ))
    .unwrap();
    let layer = &sig_manifest["layers"][0];
    assert_eq!(
        layer["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    let payload = blob(&layout, layer["digest"].as_str().unwrap());
    let claims: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims["critical"]["image"]["docker-manifest-digest"], image);
    assert_eq!(
        claims["critical"]["type"],
        "cosign container image signature"
    );
    if !airgap_verify_testkit::openssl::available_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let signature = B64
        .decode(
            layer["annotations"]["dev.cosignproject.cosign/signature"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    std::fs::write(tmp.path().join("payload"), &payload).unwrap();
    std::fs::write(tmp.path().join("sig"), &signature).unwrap();
    let key = airgap_verify_testkit::fixtures_dir().join("cosign.pub");
    let verify = |file: &str| {
        airgap_verify_testkit::openssl::run(
            &[
                "dgst",
                "-sha256",
                "-verify",
                key.to_str().unwrap(),
                "-signature",
                "sig",
                file,
            ],
            tmp.path(),
        )
    };
    verify("payload").unwrap();
    std::fs::write(tmp.path().join("other"), b"{}").unwrap();
    assert!(verify("other").is_err());
}

#[test]
fn inspect_lists_the_fixtures_cosign_signatures() {
    let r = run(&["inspect", "fixtures/cosign", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{v:#}");
    let formats: Vec<(&str, &str, &str)> = images
        .iter()
        .map(|i| {
            let r = &i["referrers"][0];
            (
                r["listing"].as_str().unwrap(),
                r["cosign"]["format"].as_str().unwrap(),
                r["cosign"]["signatures"][0]["mode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        formats,
        [
            ("cosign-tag", "simple-signing", "keyed"),
            ("index", "bundle", "keyed")
        ]
    );
}

#[test]
fn a_cosign_attestation_is_checked_against_the_keys_it_was_made_with() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.dsse.json");
    let out = out.to_str().unwrap();
    let image = "sha256:cb5011e9974794fb0bc43cd10fb583c351d4058d7dc21122f54320d1804d9070";
    let r = run(&[
        "verify",
        "fixtures/cosign",
        "--ref",
        image,
        "--cosign-key",
        "fixtures/cosign.pub",
        "--scope",
        "registry.example/app",
        "--attest-key",
        "fixtures/attest/p256.key",
        "--attestation",
        out,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let check = |trust: &[&str]| {
        let mut args = vec![
            "verify-attestation",
            out,
            "--key",
            "fixtures/attest/p256.pub",
            "--bundle",
            "fixtures/cosign",
            "--ref",
            image,
            "--scope",
            "registry.example/app",
        ];
        args.extend(trust);
        run(&args)
    };
    // The same key, given as a file, in a Secret, or through the OCIRepository of the scope.
    for trust in [
        &["--cosign-key", "fixtures/cosign.pub"][..],
        &["--cosign-secret", "fixtures/flux/cosign.yaml"],
        &["--flux", "fixtures/flux/cosign.yaml"],
    ] {
        let v = check(trust);
        assert_eq!(v.code, 0, "{trust:?}: {}{}", v.stdout, v.stderr);
    }
    // Another key is other trust material.
    let v = check(&["--cosign-key", "fixtures/attest/p256.pub"]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stderr.contains("was made under trust material"),
        "{}",
        v.stderr
    );
    // Both kinds at once, or a trust root without identities, are usage errors.
    for trust in [
        &[
            "--cosign-key",
            "fixtures/cosign.pub",
            "--secret",
            "fixtures/secret.yaml",
        ][..],
        &["--trusted-root", "fixtures/cosign.pub"],
    ] {
        let v = check(trust);
        assert_eq!(v.code, 2, "{trust:?}: {}{}", v.stdout, v.stderr);
    }
}

//! The shipped keyless cosign fixture (`fixtures/cosign-keyless/`, `fixtures/sigstore/`): the
//! trust root and the v3 bundle are what the seeded test instance makes, byte for byte; Python's
//! `sigstore` verifies the bundle offline under the shipped trust root, for its identity only;
//! both images verify with the shipped trust root and fail under another instance's, and the
//! Flux manifest fails when its identity is not the signer's. The README runs the passing
//! commands (`tests/readme_examples.rs`).

#![cfg(test)]

use std::path::{Path, PathBuf};

use airgap_verify_testkit::bundles::run_in_repository as run;
use airgap_verify_testkit::sigstore::{
    make_dsse_bundle, python_sigstore, Breakage, Instance, IDENTITY, ISSUER,
};
use serde_json::Value;

const SUBJECT_RE: &str = "^https://github\\.com/example/app/";
const ISSUER_RE: &str = "^https://token\\.actions\\.githubusercontent\\.com$";

fn layout() -> PathBuf {
    airgap_verify_testkit::fixtures_dir().join("cosign-keyless")
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn blob(digest: &str) -> Vec<u8> {
    std::fs::read(layout().join("blobs/sha256").join(&digest[7..])).unwrap()
}

/// The digest of the image tagged `tag`.
fn image(tag: &str) -> String {
    let index = read_json(&layout().join("index.json"));
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap_or_else(|| panic!("no tag {tag}"))["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The bytes of the v3 bundle referrer of `subject`.
fn bundle_of(subject: &str) -> Vec<u8> {
    let index = read_json(&layout().join("index.json"));
    let referrer = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            read_json(
                &layout()
                    .join("blobs/sha256")
                    .join(&d["digest"].as_str().unwrap()[7..]),
            )
        })
        .find(|m| {
            m["artifactType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
                && m["subject"]["digest"] == subject
        })
        .unwrap_or_else(|| panic!("no bundle referrer of {subject}"));
    blob(referrer["layers"][0]["digest"].as_str().unwrap())
}

fn shipped_root() -> Vec<u8> {
    std::fs::read(airgap_verify_testkit::fixtures_dir().join("sigstore/trusted_root.json")).unwrap()
}

#[test]
fn the_trust_root_and_the_bundle_are_what_the_seeded_instance_makes() {
    let mut root = Instance::fixture().trust_root_json();
    root.push(b'\n');
    assert_eq!(root, shipped_root(), "fixtures/sigstore/trusted_root.json");
    let v1 = image("v1");
    let again = |_| {
        serde_json::to_vec(&make_dsse_bundle(
            &Instance::fixture(),
            &v1,
            Breakage::default(),
        ))
        .unwrap()
    };
    assert_eq!(again(0), again(1), "the bundle is not deterministic");
    assert_eq!(again(0), bundle_of(&v1), "the v3 bundle of v1");
    // Another instance makes another root: the comparison above can fail.
    assert_ne!(Instance::new().trust_root_json(), root);
}

#[test]
fn python_sigstore_verifies_the_shipped_bundle_offline_for_its_identity_only() {
    let root: Value = serde_json::from_slice(&shipped_root()).unwrap();
    let v1 = image("v1");
    let bundle: Value = serde_json::from_slice(&bundle_of(&v1)).unwrap();
    let manifest = blob(&v1);
    let Some(ok) = python_sigstore(&root, &bundle, &manifest, IDENTITY, ISSUER) else {
        airgap_verify_testkit::skip(
            "Python sigstore (pip install sigstore) not installed: no independent verdict on the shipped keyless bundle",
        );
        return;
    };
    assert!(
        ok,
        "python sigstore rejects fixtures/cosign-keyless v1's bundle"
    );
    let other = "https://github.com/example/other/.github/workflows/release.yml@refs/heads/main";
    assert_eq!(
        python_sigstore(&root, &bundle, &manifest, other, ISSUER),
        Some(false),
        "python sigstore accepts another identity"
    );
    assert_eq!(
        python_sigstore(&root, &bundle, b"another artifact", IDENTITY, ISSUER),
        Some(false),
        "python sigstore accepts another artifact"
    );
}

/// `verify fixtures/cosign-keyless --all` with the keyless flags and `root`, JSON.
fn verify_all(root: &str, subject: &str) -> (i32, Value) {
    let r = run(&[
        "verify",
        "fixtures/cosign-keyless",
        "--all",
        "--certificate-identity-regexp",
        subject,
        "--certificate-oidc-issuer-regexp",
        ISSUER_RE,
        "--trusted-root",
        root,
        "--format",
        "json",
    ]);
    (
        r.code,
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr)),
    )
}

#[test]
fn both_images_verify_with_the_shipped_root_and_fail_under_another() {
    let (code, v) = verify_all("fixtures/sigstore/trusted_root.json", SUBJECT_RE);
    assert_eq!(code, 0, "{v:#}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{v:#}");
    for r in results {
        assert_eq!(r["verdict"], "verified", "{r:#}");
        assert_eq!(r["cosign"]["subject"], IDENTITY, "{r:#}");
        assert_eq!(r["cosign"]["issuer"], ISSUER, "{r:#}");
        assert_eq!(
            r["cosign"]["signingTimes"][0]["time"], "2025-01-01T00:01:00Z",
            "{r:#}"
        );
    }

    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("trusted_root.json");
    std::fs::write(&other, Instance::new().trust_root_json()).unwrap();
    let (code, v) = verify_all(other.to_str().unwrap(), SUBJECT_RE);
    assert_eq!(code, 1, "{v:#}");
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["verdict"], "failed", "{r:#}");
    }

    let (code, v) = verify_all(
        "fixtures/sigstore/trusted_root.json",
        "^https://github\\.com/example/other/",
    );
    assert_eq!(code, 1, "{v:#}");
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["verdict"], "failed", "{r:#}");
    }
}

/// The shipped Flux manifest, as `edit` changes it, run on the fixture with `--format json`:
/// the exit code and the report.
fn verify_flux_edited(edit: impl FnOnce(&str) -> String) -> (i32, Value) {
    let yaml = std::fs::read_to_string(
        airgap_verify_testkit::repository_dir().join("fixtures/flux/cosign-keyless.yaml"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("cosign-keyless.yaml");
    std::fs::write(&f, edit(&yaml)).unwrap();
    let r = run(&[
        "verify",
        "fixtures/cosign-keyless",
        "--flux",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    (r.code, v)
}

#[test]
fn the_flux_manifest_fails_for_another_identity() {
    let subject = format!("subject: '{SUBJECT_RE}'");
    let (code, v) = verify_flux_edited(|yaml| {
        assert_eq!(yaml.matches(&subject).count(), 2, "{yaml}");
        yaml.replace(&subject, "subject: '^https://github\\.com/example/other/'")
    });
    assert_eq!(code, 1, "{v:#}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{v:#}");
    for result in results {
        assert_eq!(result["flux"]["status"], "False", "{result:#}");
        let m = result["flux"]["message"].as_str().unwrap();
        assert!(
            m.starts_with("failed to verify the signature using provider 'cosign keyless': "),
            "{m}"
        );
    }
}

#[test]
fn a_keyless_attestation_is_checked_against_the_oci_repository_of_its_scope() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("attestations");
    let out = out.to_str().unwrap();
    let r = run(&[
        "verify",
        "fixtures/cosign-keyless",
        "--flux",
        "fixtures/flux/cosign-keyless.yaml",
        "--ocirepository",
        "flux-system/app-keyless",
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
            "fixtures/cosign-keyless",
            "--ref",
            "v1",
            "--scope",
            "registry.example/app",
        ];
        args.extend(trust);
        run(&args)
    };
    // The OCIRepository of the scope: its identities and the trust root of its Secret; or the
    // same flags by hand.
    for trust in [
        &["--flux", "fixtures/flux/cosign-keyless.yaml"][..],
        &[
            "--certificate-identity-regexp",
            "^https://github\\.com/example/app/",
            "--certificate-oidc-issuer-regexp",
            "^https://token\\.actions\\.githubusercontent\\.com$",
            "--trusted-root",
            "fixtures/sigstore/trusted_root.json",
        ],
    ] {
        let v = check(trust);
        assert_eq!(v.code, 0, "{trust:?}: {}{}", v.stdout, v.stderr);
    }
    // The keyed manifests of the same scope are other trust material.
    let v = check(&["--flux", "fixtures/flux/cosign.yaml"]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stdout.contains("was made under trust material"),
        "{}",
        v.stdout
    );
    // Two OCIRepositories of the scope share one Secret: its digest is expected once.
    let expected = v
        .stdout
        .split("not under the expected ")
        .nth(1)
        .and_then(|rest| rest.split(" (recipe").next())
        .unwrap_or_default();
    assert!(
        expected.starts_with("sha256:") && !expected.contains(" or "),
        "{}",
        v.stdout
    );
}

#[test]
fn two_identities_fail_a_v3_bundle_as_cosign_does_and_a_v2_signature_takes_either() {
    // cosign verifies a v3 bundle against one identity only and refuses more; its v2 path (and
    // so the `.sig` image v2) takes any of them. Flux passes every matchOIDCIdentity entry.
    let subject = format!("        subject: '{SUBJECT_RE}'\n");
    let two = format!(
        "{subject}      - issuer: '^https://other\\.example$'\n        subject: '^ci@other\\.example$'\n"
    );
    for one_identity in [false, true] {
        let (code, v) = verify_flux_edited(|yaml| {
            assert_eq!(yaml.matches(&subject).count(), 2, "{yaml}");
            if one_identity {
                yaml.to_string()
            } else {
                yaml.replace(&subject, &two)
            }
        });
        let results = v["results"].as_array().unwrap();
        let by_name = |name: &str| {
            results
                .iter()
                .find(|r| r["flux"]["ocirepository"] == format!("flux-system/{name}"))
                .unwrap_or_else(|| panic!("{name}: {v:#}"))
        };
        // The v2 image verifies with one identity or two.
        assert_eq!(
            by_name("app-keyless-sig")["flux"]["status"],
            "True",
            "{v:#}"
        );
        let bundle = by_name("app-keyless");
        if one_identity {
            assert_eq!(bundle["flux"]["status"], "True", "{v:#}");
            assert_eq!(code, 0, "{v:#}");
        } else {
            assert_eq!(bundle["flux"]["status"], "False", "{v:#}");
            assert_eq!(
                bundle["flux"]["message"],
                "failed to verify the signature using provider 'cosign keyless': no matching attestations: unsupported: multiple identities are not supported at this time",
                "{v:#}"
            );
            assert_eq!(code, 1, "{v:#}");
        }
    }
}

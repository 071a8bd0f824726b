//! cosign through the binary: `--cosign-key`, `--cosign-secret`, `--provider`, and Flux
//! manifests with `provider: cosign`, over layouts built here (v2 `.sig` tags and v3 bundle
//! referrers, images and indexes).
#![cfg(test)]

use std::path::Path;

use airgap_verify_testkit::cosign::{
    add_bundle, add_sig, sha, sig_tag, simple_signing, Layout, Signer,
};
use airgap_verify_testkit::harness::{run, Run};
use serde_json::Value;

fn verify(bundle: &Path, args: &[&str]) -> Run {
    let mut all = vec![std::ffi::OsStr::new("verify"), bundle.as_os_str()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    run(&all)
}

/// A layout with one image (a manifest, or an index) signed by `signer` in v2 or v3 shape.
fn signed(signer: &Signer, index: bool, v3: bool) -> (Layout, Value) {
    let mut l = Layout::new();
    let image = if index { l.index_image() } else { l.image() };
    let digest = image["digest"].as_str().unwrap().to_string();
    if v3 {
        add_bundle(&mut l, signer, &image, &digest, false);
    } else {
        let payload = simple_signing(&digest, "cosign container image signature");
        add_sig(&mut l, signer, &payload, Some(sig_tag(&image)));
    }
    l.write();
    (l, image)
}

fn key_file(dir: &Path, name: &str, s: &Signer) -> String {
    let p = dir.join(name);
    std::fs::write(&p, s.pem()).unwrap();
    p.display().to_string()
}

#[test]
fn keyed_v2_and_v3_images_and_indexes_verify_and_a_wrong_key_fails() {
    let signer = Signer::from_seed("cosign-cli/signer");
    let other = Signer::from_seed("cosign-cli/other");
    let keys = tempfile::tempdir().unwrap();
    let good = key_file(keys.path(), "cosign.pub", &signer);
    let bad = key_file(keys.path(), "other.pub", &other);
    for index in [false, true] {
        for v3 in [false, true] {
            let (l, image) = signed(&signer, index, v3);
            let r = verify(
                l.path(),
                &[
                    "--cosign-key",
                    &bad,
                    "--cosign-key",
                    &good,
                    "--format",
                    "json",
                ],
            );
            assert_eq!(r.code, 0, "index {index} v3 {v3}: {}{}", r.stdout, r.stderr);
            let res = &r.json["results"][0];
            assert_eq!(res["provider"], "cosign");
            assert_eq!(res["verdict"], "verified");
            assert_eq!(res["digest"], image["digest"]);
            assert_eq!(res["cosign"]["mode"], "keyed");
            assert_eq!(res["cosign"]["keyName"], good.as_str());
            assert_eq!(
                res["cosign"]["format"],
                if v3 { "bundle" } else { "simple-signing" }
            );
            assert!(res["cosign"]["keyId"]
                .as_str()
                .unwrap()
                .starts_with("sha256:"));
            let text = verify(l.path(), &["--cosign-key", &good]);
            assert_eq!(text.code, 0);
            assert!(
                text.stdout.contains("verified signature of revision v1@"),
                "{}",
                text.stdout
            );
            assert!(
                text.stdout
                    .contains("provider: cosign (keyed), key sha256:"),
                "{}",
                text.stdout
            );

            let r = verify(l.path(), &["--cosign-key", &bad, "--format", "json"]);
            assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
            let res = &r.json["results"][0];
            assert_eq!(res["verdict"], "failed");
            assert_eq!(
                res["message"],
                format!(
                    "no matching signatures were found for '{}'",
                    image["digest"].as_str().unwrap()
                )
            );
            let details = res["cosign"]["details"].to_string();
            let want = if v3 {
                "no matching attestations"
            } else {
                "no matching signatures: invalid signature"
            };
            assert!(details.contains(want), "{details}");
        }
    }
}

#[test]
fn keyed_payload_for_another_digest_and_tampered_bundle_fail() {
    let signer = Signer::from_seed("cosign-cli/signer");
    let keys = tempfile::tempdir().unwrap();
    let good = key_file(keys.path(), "cosign.pub", &signer);

    let mut l = Layout::new();
    let image = l.image();
    let payload = simple_signing(&sha(b"another"), "cosign container image signature");
    add_sig(&mut l, &signer, &payload, Some(sig_tag(&image)));
    l.write();
    let r = verify(l.path(), &["--cosign-key", &good, "--format", "json"]);
    assert_eq!(r.code, 1);
    assert!(r.json["results"][0]["cosign"]["details"]
        .to_string()
        .contains("invalid or missing digest in claim"));

    // A bad bundle fails the image even next to a good v2 signature.
    let mut l = Layout::new();
    let image = l.image();
    let digest = image["digest"].as_str().unwrap().to_string();
    let payload = simple_signing(&digest, "cosign container image signature");
    add_sig(&mut l, &signer, &payload, Some(sig_tag(&image)));
    add_bundle(&mut l, &signer, &image, &digest, true);
    l.write();
    let r = verify(l.path(), &["--cosign-key", &good, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.json["results"][0]["cosign"]["details"]
        .to_string()
        .contains("no matching attestations"));
}

#[test]
fn cosign_secret_keys_are_its_pub_entries() {
    let signer = Signer::from_seed("cosign-cli/signer");
    let (l, _) = signed(&signer, false, false);
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.yaml");
    let pem = signer.pem().replace('\n', "\n    ");
    std::fs::write(
        &secret,
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: keys\nstringData:\n  cosign.pub: |\n    {pem}\n"),
    )
    .unwrap();
    let r = verify(l.path(), &["--cosign-secret", secret.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("(cosign.pub)"), "{}", r.stdout);

    let none = dir.path().join("none.yaml");
    std::fs::write(
        &none,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: keys\nstringData:\n  cosign.key: x\n",
    )
    .unwrap();
    let r = verify(l.path(), &["--cosign-secret", none.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no public keys found"), "{}", r.stderr);
}

#[test]
fn provider_is_implied_by_one_kind_and_required_with_both() {
    let signer = Signer::from_seed("cosign-cli/signer");
    let (l, _) = signed(&signer, false, false);
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path(), "cosign.pub", &signer);
    let secret = airgap_verify_testkit::fixtures_dir().join("secret.yaml");
    let secret = secret.to_str().unwrap();
    let r = verify(l.path(), &["--cosign-key", &key, "--secret", secret]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--provider"), "{}", r.stderr);
    let r = verify(
        l.path(),
        &[
            "--cosign-key",
            &key,
            "--secret",
            secret,
            "--provider",
            "cosign",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = verify(
        l.path(),
        &[
            "--certificate-identity-regexp",
            ".*",
            "--certificate-oidc-issuer-regexp",
            ".*",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--trusted-root"), "{}", r.stderr);
}

#[test]
fn flux_provider_cosign_keyed_and_keyless_without_a_root() {
    let signer = Signer::from_seed("cosign-cli/signer");
    let other = Signer::from_seed("cosign-cli/other");
    let (l, image) = signed(&signer, false, true);
    let digest = image["digest"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifests = |pem: &str| {
        let pem = pem.replace('\n', "\n    ");
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  url: oci://registry.example/app\n  ref:\n    tag: v1\n  verify:\n    provider: cosign\n    secretRef:\n      name: cosign-keys\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: keyless\n  namespace: flux-system\nspec:\n  url: oci://registry.example/app\n  ref:\n    tag: v1\n  verify:\n    provider: cosign\n    matchOIDCIdentity:\n      - issuer: '^https://issuer.example$'\n        subject: '^ci@example.com$'\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cosign-keys\n  namespace: flux-system\nstringData:\n  cosign.pub: |\n    {pem}\n"
        )
    };
    let f = dir.path().join("flux.yaml");
    std::fs::write(&f, manifests(&signer.pem())).unwrap();
    let r = verify(
        l.path(),
        &["--flux", f.to_str().unwrap(), "--format", "json"],
    );
    let results = r.json["results"].as_array().unwrap();
    let app = &results[0]["flux"];
    assert_eq!(app["status"], "True", "{}", r.stdout);
    assert_eq!(
        app["message"],
        format!("verified signature of revision v1@{digest}")
    );
    let keyless = &results[1];
    assert_eq!(keyless["flux"]["status"], "False");
    let m = keyless["flux"]["message"].as_str().unwrap();
    assert!(
        m.starts_with("failed to verify the signature using provider 'cosign keyless': no Sigstore trust root"),
        "{m}"
    );
    assert!(keyless["note"]
        .as_str()
        .unwrap()
        .contains("--trusted-root FILE"));
    assert_eq!(r.code, 2);

    std::fs::write(&f, manifests(&other.pem())).unwrap();
    let r = verify(
        l.path(),
        &[
            "--flux",
            f.to_str().unwrap(),
            "--ocirepository",
            "flux-system/app",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        r.json["results"][0]["flux"]["message"],
        format!(
            "failed to verify the signature using provider 'cosign': no matching signatures were found for 'registry.example/app@{digest}'"
        )
    );
}

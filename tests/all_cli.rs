//! `verify --all` through the binary: every image of a bundle (never the referrers), one result
//! and one attestation per image, and a 200-image release bundle generated here.
#![cfg(test)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use airgap_verify_testkit::layout::{Envelope, ImageSpec, Layout};
use airgap_verify_testkit::pki::Pki;
use airgap_verify_testkit::sign::SignOptions;
use airgap_verify_testkit::trust::{self, Statement};
use serde_json::Value;
use time::macros::datetime;

fn verify(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
    (out.status.code().unwrap(), v, stderr)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn attest_key(name: &str) -> String {
    airgap_verify_testkit::fixtures_dir()
        .join("attest")
        .join(name)
        .display()
        .to_string()
}

/// A Secret trusting `pki`'s root for every scope.
fn secret_file(dir: &Path, pki: &Pki) -> std::path::PathBuf {
    let policy = trust::policy(&[Statement::strict("*", &[pki.leaf.identity()])]);
    let p = dir.join("secret.yaml");
    std::fs::write(
        &p,
        trust::secret_yaml(
            "notation-config",
            "flux-system",
            &[
                ("trustpolicy.json", policy.as_bytes()),
                ("root.crt", pki.root.pem().as_bytes()),
            ],
        ),
    )
    .unwrap();
    p
}

#[test]
fn all_verifies_each_image_and_not_the_referrers() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki::new("All Test");
    let other = Pki::new("Someone Else");
    let mut l = Layout::create(&tmp.path().join("bundle"));
    let opts = SignOptions::new(datetime!(2025-01-01 00:00:00 UTC));
    let a = l.add_image(&ImageSpec::new("a").full_name("registry.example/rel/a:1.0"));
    l.sign(&a, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
    l.sign(&a, Envelope::Cose, &opts, &pki.chain(), &pki.leaf);
    let b = l.add_image(&ImageSpec::new("b").full_name("registry.example/rel/b:1.0"));
    l.sign(&b, Envelope::Jws, &opts, &other.chain(), &other.leaf);
    let c = l.add_image(&ImageSpec::new("c").full_name("registry.example/rel/c:1.0"));
    let bundle = l.finish();
    let secret = secret_file(tmp.path(), &pki);

    // Each image's scope named by the user, the image by its full name.
    let scopes = [
        "--scope",
        "registry.example/rel/a:1.0=registry.example/rel/a",
        "--scope",
        "registry.example/rel/b:1.0=registry.example/rel/b",
        "--scope",
        "registry.example/rel/c:1.0=registry.example/rel/c",
    ];
    let mut args = vec![s(&bundle), "--all", "--secret", s(&secret)];
    args.extend(scopes);
    let (code, v, stderr) = verify(&args);
    assert_eq!(code, 1, "{stderr}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{v:#}");
    let by = |d: &airgap_verify::oci::digest::Descriptor| {
        results
            .iter()
            .find(|r| r["digest"] == d.digest.to_string())
            .unwrap()
    };
    assert_eq!(by(&a)["verdict"], "verified");
    assert_eq!(by(&a)["scope"], "registry.example/rel/a");
    assert_eq!(by(&b)["verdict"], "failed");
    assert!(by(&c)["message"]
        .as_str()
        .unwrap()
        .starts_with("no signature is associated with"));
    assert!(results.iter().all(|r| r.get("flux").is_none()));

    // Attestations: one per verified image, none for failed ones unless asked.
    let out = tmp.path().join("attestations");
    let key = attest_key("p256.key");
    let mut args = vec![
        s(&bundle),
        "--all",
        "--secret",
        s(&secret),
        "--attest-key",
        &key,
        "--attestation",
        s(&out),
    ];
    args.extend(scopes);
    let (code, _, stderr) = verify(&args);
    assert_eq!(code, 1, "{stderr}");
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(files.len(), 1);
    assert!(out
        .join(format!("{}.dsse.json", a.digest.referrers_tag()))
        .is_file());
}

#[test]
fn all_on_a_200_image_release_verifies_every_image_and_attests_each() {
    const N: usize = 200;
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki::new("Release");
    let mut l = Layout::create(&tmp.path().join("bundle"));
    let opts = SignOptions::new(datetime!(2025-01-01 00:00:00 UTC));
    let mut digests = Vec::new();
    for i in 0..N {
        let name = format!("registry.example/release/component-{i:03}:2.1.0");
        let d = l.add_image(&ImageSpec::new(&name).full_name(&name));
        l.sign(&d, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
        digests.push(d.digest);
    }
    let bundle = l.finish();
    let secret = secret_file(tmp.path(), &pki);
    let out = tmp.path().join("attestations");

    let started = Instant::now();
    let (code, v, stderr) = verify(&[
        s(&bundle),
        "--all",
        "--secret",
        s(&secret),
        "--scope",
        "registry.example/release",
        "--attest-key",
        &attest_key("p256.key"),
        "--attestation",
        s(&out),
    ]);
    let took = started.elapsed();
    eprintln!("--all over {N} images took {took:?}");
    assert_eq!(code, 0, "{stderr}");
    // Unoptimised binary on a shared machine: generous, but catches quadratic behaviour.
    assert!(took < Duration::from_secs(120), "took {took:?}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), N);
    assert!(results.iter().all(|r| r["verdict"] == "verified"));
    assert_eq!(v["bundle"]["damaged"], false);

    assert_eq!(std::fs::read_dir(&out).unwrap().count(), N);
    for d in &digests {
        let file = out.join(format!("{}.dsse.json", d.referrers_tag()));
        let o = Command::new(airgap_verify_testkit::bin())
            .arg("verify-attestation")
            .arg(&file)
            .args(["--key", &attest_key("p256.pub"), "--digest", &d.to_string()])
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{d}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

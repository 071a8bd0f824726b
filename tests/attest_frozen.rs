//! Attestations written by an earlier release (fixtures/frozen/attest-v1, never regenerated) stay
//! verifiable: the import side may hold sign-offs made long before its copy of the tool.
#![cfg(test)]

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_airgap-verify"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run airgap-verify");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DIGEST: &str = "sha256:7dedb8f0dfbd3495300c0e69c654ec595effb28bf9dfcf6c1713ea42cc6a3e4b";

#[test]
fn v1_passed_attestations_verify_against_the_bundle_and_the_digest() {
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/frozen/attest-v1/signed.p256.dsse.json")
        .is_file());
    for (file, key) in [
        ("signed.p256.dsse.json", "p256.pub"),
        ("signed.ed25519.dsse.json", "ed25519.pub"),
    ] {
        let att = format!("fixtures/frozen/attest-v1/{file}");
        let key = format!("fixtures/frozen/attest-v1/{key}");
        let (code, out, err) = run(&[
            "verify-attestation",
            &att,
            "--key",
            &key,
            "--bundle",
            "fixtures/signed",
        ]);
        assert_eq!(code, 0, "{file}: {out}{err}");
        assert!(out.contains("PASSED"), "{file}: {out}");
        let (code, out, err) = run(&[
            "verify-attestation",
            &att,
            "--key",
            &key,
            "--digest",
            DIGEST,
        ]);
        assert_eq!(code, 0, "{file}: {out}{err}");
    }
}

#[test]
fn v1_attestation_with_another_key_or_another_image_fails() {
    let att = "fixtures/frozen/attest-v1/signed.p256.dsse.json";
    let (code, _, _) = run(&[
        "verify-attestation",
        att,
        "--key",
        "fixtures/frozen/attest-v1/ed25519.pub",
        "--digest",
        DIGEST,
    ]);
    assert_eq!(code, 1, "another key must not verify it");
    let (code, _, _) = run(&[
        "verify-attestation",
        att,
        "--key",
        "fixtures/frozen/attest-v1/p256.pub",
        "--bundle",
        "fixtures/expired-signature",
    ]);
    assert_eq!(code, 1, "another image must not match it");
}

#[test]
fn v1_failed_attestation_is_refused() {
    let (code, out, err) = run(&[
        "verify-attestation",
        "fixtures/frozen/attest-v1/unsigned-failed.p256.dsse.json",
        "--key",
        "fixtures/frozen/attest-v1/p256.pub",
        "--bundle",
        "fixtures/unsigned",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(format!("{out}{err}").contains("FAILED"), "{out}{err}");
}

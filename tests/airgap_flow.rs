//! The air-gapped import, end to end through the binary: verify and attest outside, carry the
//! bundle and the attestation across, verify the attestation inside.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

fn run(args: &[&Path]) -> (i32, String) {
    let out = Command::new(airgap_verify_testkit::bin())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

#[test]
fn verify_attest_attach_then_verify_attestation_inside() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    airgap_verify_testkit::copy_dir(&fixture("signed"), &bundle);
    let att = tmp.path().join("app.dsse.json");
    let (code, text) = run(&[
        p("verify"),
        &bundle,
        p("--secret"),
        &fixture("secret.yaml"),
        p("--scope"),
        p("registry.example/app"),
        p("--attest-key"),
        &fixture("attest/p256.key"),
        p("--attestation"),
        &att,
        p("--attach"),
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("verified signature of revision v1@sha256:"),
        "{text}"
    );

    // Inside: the attestation file against the bundle, and the attached one found by itself.
    let (code, text) = run(&[
        p("verify-attestation"),
        &att,
        p("--key"),
        &fixture("attest/p256.pub"),
        p("--bundle"),
        &bundle,
    ]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = run(&[
        p("verify-attestation"),
        p("--key"),
        &fixture("attest/p256.pub"),
        p("--bundle"),
        &bundle,
        p("--max-age"),
        p("1h"),
    ]);
    assert_eq!(code, 0, "{text}");

    // The bundle with the attestation attached is still intact and still verifies.
    let (code, text) = run(&[
        p("verify"),
        &bundle,
        p("--secret"),
        &fixture("secret.yaml"),
        p("--scope"),
        p("registry.example/app"),
    ]);
    assert_eq!(code, 0, "{text}");

    // Another key, or another bundle's image: not verified.
    let (code, text) = run(&[
        p("verify-attestation"),
        &att,
        p("--key"),
        &fixture("attest/ed25519.pub"),
        p("--bundle"),
        &bundle,
    ]);
    assert_eq!(code, 1, "{text}");
    let (code, text) = run(&[
        p("verify-attestation"),
        &att,
        p("--key"),
        &fixture("attest/p256.pub"),
        p("--bundle"),
        &fixture("expired-signature"),
    ]);
    assert_eq!(code, 1, "{text}");

    // One changed byte in the payload: not verified.
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&att).unwrap()).unwrap();
    let payload = json["payload"].as_str().unwrap().to_string();
    let mut bytes = payload.into_bytes();
    bytes[20] = if bytes[20] == b'A' { b'B' } else { b'A' };
    json["payload"] = serde_json::Value::String(String::from_utf8(bytes).unwrap());
    let forged = tmp.path().join("forged.json");
    std::fs::write(&forged, serde_json::to_vec(&json).unwrap()).unwrap();
    let (code, text) = run(&[
        p("verify-attestation"),
        &forged,
        p("--key"),
        &fixture("attest/p256.pub"),
        p("--bundle"),
        &bundle,
    ]);
    assert_eq!(code, 1, "{text}");
}

#[test]
fn failed_verification_writes_no_attestation_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let att = tmp.path().join("a.json");
    let args = |extra: bool| {
        let mut v: Vec<PathBuf> = vec![
            "verify".into(),
            fixture("expired-signature"),
            "--secret".into(),
            fixture("secret.yaml"),
            "--scope".into(),
            "registry.example/app".into(),
            "--attest-key".into(),
            fixture("attest/ed25519.key"),
            "--attestation".into(),
            att.clone(),
        ];
        if extra {
            v.push("--attest-failures".into());
        }
        v
    };
    let a = args(false);
    let refs: Vec<&Path> = a.iter().map(PathBuf::as_path).collect();
    let (code, text) = run(&refs);
    assert_eq!(code, 1, "{text}");
    assert!(!att.exists());
    let a = args(true);
    let refs: Vec<&Path> = a.iter().map(PathBuf::as_path).collect();
    let (code, text) = run(&refs);
    assert_eq!(code, 1, "{text}");
    // A FAILED attestation does not pass verify-attestation.
    let (code, text) = run(&[
        p("verify-attestation"),
        &att,
        p("--key"),
        &fixture("attest/ed25519.pub"),
        p("--bundle"),
        &fixture("expired-signature"),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("FAILED"), "{text}");
}

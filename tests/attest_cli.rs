//! `verify-attestation` through the binary, on attestations written by the library, and
//! interoperability with an independent DSSE implementation (tests/interop/dsse_verify.py).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use airgap_verify::attest::keys::SigningKey;
use airgap_verify::attest::vsa::{trust_material_digest, Verdict, VerifiedSignature};
use airgap_verify::attest::write_attestation;
use airgap_verify::oci::digest::{Algorithm, Digest};
use base64::Engine as _;
use pkcs8::EncodePrivateKey;
use spki::EncodePublicKey;
use time::OffsetDateTime;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A private key PEM and its public key PEM.
fn key_pair(kind: &str) -> (String, String) {
    let rng = &mut rand_core::OsRng;
    match kind {
        "p256" => {
            let k = p256::ecdsa::SigningKey::random(rng);
            let pk = k
                .verifying_key()
                .to_public_key_pem(Default::default())
                .unwrap();
            (k.to_pkcs8_pem(Default::default()).unwrap().to_string(), pk)
        }
        "p384" => {
            let k = p384::ecdsa::SigningKey::random(rng);
            let pk = k
                .verifying_key()
                .to_public_key_pem(Default::default())
                .unwrap();
            (k.to_pkcs8_pem(Default::default()).unwrap().to_string(), pk)
        }
        "ed25519" => {
            let mut seed = [0u8; 32];
            rand_core::RngCore::fill_bytes(rng, &mut seed);
            let k = ed25519_dalek::SigningKey::from_bytes(&seed);
            let pk = k
                .verifying_key()
                .to_public_key_pem(Default::default())
                .unwrap();
            (k.to_pkcs8_pem(Default::default()).unwrap().to_string(), pk)
        }
        "rsa" => {
            let k = rsa::RsaPrivateKey::new(rng, 3072).unwrap();
            let pk = k
                .to_public_key()
                .to_public_key_pem(Default::default())
                .unwrap();
            (k.to_pkcs8_pem(Default::default()).unwrap().to_string(), pk)
        }
        _ => unreachable!(),
    }
}

struct Case {
    dir: tempfile::TempDir,
    digest: Digest,
    attestation: PathBuf,
    public: PathBuf,
}

fn verdict(digest: &Digest, passed: bool, time_verified: OffsetDateTime) -> Verdict {
    Verdict {
        subject_name: "registry.example/app".into(),
        digest: digest.clone(),
        scope: "registry.example/app".into(),
        passed,
        level: "strict".into(),
        policy_uri: None,
        policy_digest: trust_material_digest(b"{\"version\":\"1.0\"}", &[b"certificate"]),
        signatures: vec![VerifiedSignature {
            envelope_digest: Algorithm::Sha256.digest(b"jws"),
            manifest_digest: None,
            signer_subject: "CN=signer,O=example".into(),
            thumbprints: vec!["00".repeat(32)],
            signing_time: Some(time_verified),
            timestamp: None,
        }],
        time_verified,
        time_used: time_verified,
        time_source: "clock".into(),
    }
}

fn case_with(kind: &str, passed: bool, time_verified: OffsetDateTime) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = key_pair(kind);
    let key = SigningKey::from_pkcs8_pem(private.as_bytes(), None, kind).unwrap();
    let digest = Algorithm::Sha256.digest(format!("image {}", dir.path().display()).as_bytes());
    let attestation = dir.path().join("attestation.json");
    write_attestation(&verdict(&digest, passed, time_verified), &key, &attestation).unwrap();
    let public_path = dir.path().join("public.pem");
    std::fs::write(&public_path, public).unwrap();
    Case {
        dir,
        digest,
        attestation,
        public: public_path,
    }
}

fn case(kind: &str) -> Case {
    case_with(kind, true, OffsetDateTime::now_utc())
}

fn run(attestation: &Path, key: &Path, extra: &[&str]) -> Output {
    Command::new(common::bin())
        .arg("verify-attestation")
        .arg(attestation)
        .arg("--key")
        .arg(key)
        .args(extra)
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn verify(c: &Case, extra: &[&str]) -> Output {
    let digest = c.digest.to_string();
    let mut args = vec!["--digest", digest.as_str()];
    args.extend_from_slice(extra);
    run(&c.attestation, &c.public, &args)
}

fn envelope(c: &Case) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(&c.attestation).unwrap()).unwrap()
}

fn write_envelope(c: &Case, v: &serde_json::Value) {
    std::fs::write(&c.attestation, serde_json::to_vec(v).unwrap()).unwrap();
}

#[test]
fn each_key_type_round_trips() {
    for kind in ["p256", "p384", "ed25519", "rsa"] {
        let c = case(kind);
        let o = verify(&c, &[]);
        assert_eq!(
            code(&o),
            0,
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = verify(&c, &["--format", "json", "--max-age", "1h"]);
        assert_eq!(code(&o), 0, "{kind}");
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["verified"], true);
        assert_eq!(report["keyidMatched"], true);
        assert_eq!(report["verifiedLevels"][0], "NOTATION_STRICT");
    }
}

#[test]
fn one_changed_byte_of_payload_or_signature_is_not_verified() {
    let c = case("p256");
    let original = envelope(&c);
    for field in ["payload", "sig"] {
        let mut v = original.clone();
        let slot = if field == "payload" {
            &mut v["payload"]
        } else {
            &mut v["signatures"][0]["sig"]
        };
        let mut bytes = B64.decode(slot.as_str().unwrap()).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        *slot = B64.encode(bytes).into();
        write_envelope(&c, &v);
        let o = verify(&c, &[]);
        assert_eq!(code(&o), 1, "{field}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("no signature"),
            "{field}"
        );
    }
}

#[test]
fn another_key_or_another_digest_is_not_verified() {
    let c = case("ed25519");
    let other = case("ed25519");
    assert_eq!(
        code(&run(
            &c.attestation,
            &other.public,
            &["--digest", &c.digest.to_string()]
        )),
        1
    );
    let o = run(
        &c.attestation,
        &c.public,
        &["--digest", &other.digest.to_string()],
    );
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not about"));
}

#[test]
fn failed_and_stale_attestations_are_not_verified() {
    let failed = case_with("p256", false, OffsetDateTime::now_utc());
    let o = verify(&failed, &[]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("FAILED"));
    let old = case_with(
        "p256",
        true,
        OffsetDateTime::now_utc() - time::Duration::days(3),
    );
    assert_eq!(code(&verify(&old, &[])), 0, "no --max-age: any age");
    assert_eq!(code(&verify(&old, &["--max-age", "7d"])), 0);
    let o = verify(&old, &["--max-age", "2d", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["verified"], false);
    assert!(report["error"].as_str().unwrap().contains("too old"));
}

#[test]
fn keyid_mismatch_is_reported_not_fatal() {
    let c = case("p384");
    let mut v = envelope(&c);
    v["signatures"][0]["keyid"] = "another-keyid".into();
    write_envelope(&c, &v);
    let o = verify(&c, &[]);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains("another-keyid"));
}

#[test]
fn url_safe_unpadded_base64_is_accepted() {
    let c = case("p256");
    let mut v = envelope(&c);
    let payload = B64.decode(v["payload"].as_str().unwrap()).unwrap();
    v["payload"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(payload)
        .into();
    let sig = B64
        .decode(v["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    v["signatures"][0]["sig"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sig)
        .into();
    write_envelope(&c, &v);
    assert_eq!(code(&verify(&c, &[])), 0);
}

#[test]
fn usage_errors_and_malformed_attestations() {
    let c = case("ed25519");
    // Bad duration, unreadable key, bad digest, nothing to compare against: exit 2.
    assert_eq!(code(&verify(&c, &["--max-age", "soon"])), 2);
    let missing = c.dir.path().join("missing.pem");
    assert_eq!(
        code(&run(
            &c.attestation,
            &missing,
            &["--digest", &c.digest.to_string()]
        )),
        2
    );
    assert_eq!(
        code(&run(&c.attestation, &c.public, &["--digest", "sha256:abc"])),
        2
    );
    assert_eq!(code(&run(&c.attestation, &c.public, &[])), 2);
    // A private key where the public key belongs: exit 2 with a hint.
    let (private, _) = key_pair("p256");
    let private_path = c.dir.path().join("private.pem");
    std::fs::write(&private_path, private).unwrap();
    let o = run(
        &c.attestation,
        &private_path,
        &["--digest", &c.digest.to_string()],
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("-pubout"));
    // An attestation file that is not a DSSE envelope: not verified, exit 1.
    std::fs::write(&c.attestation, b"<html>").unwrap();
    let o = verify(&c, &[]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a DSSE envelope"));
}

#[test]
fn openssl_encrypted_pkcs8_key_decrypts_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-aes-256-cbc", "-pass", "pass:correct horse", "-out"])
        .arg(&key)
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: openssl could not make an encrypted key");
        return;
    }
    let pem = std::fs::read(&key).unwrap();
    assert!(String::from_utf8_lossy(&pem).contains("ENCRYPTED PRIVATE KEY"));
    let err = SigningKey::from_pkcs8_pem(&pem, None, "key.pem").unwrap_err();
    assert!(err.to_string().contains("AIRGAP_VERIFY_KEY_PASSPHRASE"));
    assert!(SigningKey::from_pkcs8_pem(&pem, Some(b"wrong"), "key.pem").is_err());
    let k = SigningKey::from_pkcs8_pem(&pem, Some(b"correct horse"), "key.pem").unwrap();
    assert_eq!(k.describe(), "EC P-256");
}

/// Which independent implementation python3 offers: securesystemslib (preferred) or the
/// `cryptography` package (the script then computes the PAE itself).
fn python_dsse() -> Option<&'static str> {
    for module in ["securesystemslib", "cryptography"] {
        let ok = Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(module);
        }
    }
    None
}

#[test]
fn independent_dsse_implementation_verifies_our_envelopes() {
    let Some(implementation) = python_dsse() else {
        eprintln!("skipped: python3 with securesystemslib or cryptography is not available");
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/dsse_verify.py");
    for kind in ["p256", "p384", "ed25519", "rsa"] {
        let c = case(kind);
        let o = Command::new("python3")
            .args([script, "--with", implementation])
            .arg(&c.attestation)
            .arg(&c.public)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            code(&o),
            0,
            "{kind} with {implementation}: {out} {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            out.contains(&format!("verified by {implementation}")),
            "{out}"
        );
        // And it rejects a tampered payload.
        let mut v = envelope(&c);
        let mut bytes = B64.decode(v["payload"].as_str().unwrap()).unwrap();
        bytes[10] ^= 0x01;
        v["payload"] = B64.encode(bytes).into();
        write_envelope(&c, &v);
        let o = Command::new("python3")
            .args([script, "--with", implementation])
            .arg(&c.attestation)
            .arg(&c.public)
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{kind}: tampered payload must not verify");
    }
}

//! `verify-attestation` through the binary, on attestations written by the library (as files,
//! and attached to bundles as referrers), and interoperability with an independent DSSE
//! implementation (tests/interop/dsse_verify.py).
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use airgap_verify::attest::keys::SigningKey;
use airgap_verify::attest::vsa::{Verdict, VerifiedSignature};
use airgap_verify::attest::write_attestation;
use airgap_verify::oci::digest::{Algorithm, Digest};
use base64::Engine as _;
use pkcs8::EncodePrivateKey;
use spki::EncodePublicKey;
use time::OffsetDateTime;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// PKCS#8 PEM of a private key and SPKI PEM of its public key.
fn pems(private: &impl EncodePrivateKey, public: &impl EncodePublicKey) -> (String, String) {
    (
        private
            .to_pkcs8_pem(Default::default())
            .unwrap()
            .to_string(),
        public.to_public_key_pem(Default::default()).unwrap(),
    )
}

/// A fresh key pair of one kind: its private key PEM and public key PEM.
fn key_pair(kind: &str) -> (String, String) {
    let rng = &mut rand_core::OsRng;
    match kind {
        "p256" => {
            let k = p256::ecdsa::SigningKey::random(rng);
            pems(&k, k.verifying_key())
        }
        "p384" => {
            let k = p384::ecdsa::SigningKey::random(rng);
            pems(&k, k.verifying_key())
        }
        "ed25519" => {
            let mut seed = [0u8; 32];
            rand_core::RngCore::fill_bytes(rng, &mut seed);
            let k = ed25519_dalek::SigningKey::from_bytes(&seed);
            pems(&k, &k.verifying_key())
        }
        "rsa" => {
            let k = rsa::RsaPrivateKey::new(rng, 3072).unwrap();
            pems(&k, &k.to_public_key())
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
        scope_from_bundle: false,
        passed,
        result: if passed { "verified" } else { "failed" }.into(),
        ignored_because: None,
        trust_recipe: airgap_verify::attest::trust_digest::RECIPE_V2.into(),
        level: "strict".into(),
        policy_uri: None,
        policy_digest: Algorithm::Sha256.digest(b"trust material"),
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
        time_source: "now".into(),
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
    Command::new(airgap_verify_testkit::bundles::bin())
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
        airgap_verify_testkit::skip("openssl could not make an encrypted key");
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
        airgap_verify_testkit::skip(
            "python3 with securesystemslib or cryptography is not available",
        );
        return;
    };
    airgap_verify_testkit::note(&format!(
        "DSSE envelopes checked by python3 with {implementation}"
    ));
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

/// A small layout folder, a key pair, and an attestation about its image attached to it.
fn attached_case(kind: &str, layout_files: &[(String, Vec<u8>)]) -> (tempfile::TempDir, Case) {
    let layout = airgap_verify_testkit::bundles::write_dir(layout_files);
    let limits = airgap_verify::limits::Limits::default();
    let bundle = airgap_verify::bundle::read_bundle(
        &airgap_verify::bundle::Source::Path(layout.path().to_path_buf()),
        &limits,
        &airgap_verify::bundle::ProgressSink::none(),
    )
    .unwrap();
    let graph = airgap_verify::oci::Graph::build(&bundle, &limits).unwrap();
    let image = graph.resolve(None).unwrap().descriptor.clone();
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = key_pair(kind);
    let key = SigningKey::from_pkcs8_pem(private.as_bytes(), None, kind).unwrap();
    let attestation = dir.path().join("attestation.json");
    let v = verdict(&image.digest, true, OffsetDateTime::now_utc());
    write_attestation(&v, &key, &attestation).unwrap();
    let envelope = std::fs::read(&attestation).unwrap();
    airgap_verify::attest::attach::attach(layout.path(), &image, &envelope).unwrap();
    let public_path = dir.path().join("public.pem");
    std::fs::write(&public_path, public).unwrap();
    let case = Case {
        dir,
        digest: image.digest,
        attestation,
        public: public_path,
    };
    (layout, case)
}

fn verify_in_bundle(bundle: &Path, key: &Path, extra: &[&str]) -> Output {
    Command::new(airgap_verify_testkit::bundles::bin())
        .arg("verify-attestation")
        .arg("--key")
        .arg(key)
        .arg("--bundle")
        .arg(bundle)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn attached_attestation_is_found_in_folder_and_tarball() {
    let (layout, c) = attached_case("p256", &airgap_verify_testkit::bundles::small_layout());
    let o = verify_in_bundle(layout.path(), &c.public, &[]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("attached attestation"));
    // The same file given explicitly, checked against the bundle's image.
    let o = run(
        &c.attestation,
        &c.public,
        &["--bundle", layout.path().to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    // The attached bundle is intact for inspect, and as a tarball it still verifies.
    let o = Command::new(airgap_verify_testkit::bundles::bin())
        .arg("inspect")
        .arg(layout.path())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    let tar = c.dir.path().join("bundle.tar");
    std::fs::write(
        &tar,
        airgap_verify_testkit::bundles::tar_of(layout.path(), None),
    )
    .unwrap();
    assert_eq!(
        code(&verify_in_bundle(&tar, &c.public, &["--format", "json"])),
        0
    );
    // Attaching to the tarball is refused.
    let image = airgap_verify::oci::digest::Descriptor {
        media_type: airgap_verify::oci::IMAGE_MANIFEST.into(),
        digest: c.digest.clone(),
        size: 1,
    };
    let err = airgap_verify::attest::attach::attach(&tar, &image, b"{}").unwrap_err();
    assert!(err.to_string().contains("folder"), "{err}");
}

#[test]
fn bundle_with_another_image_or_no_attestation_is_not_verified() {
    let (_, c) = attached_case("ed25519", &airgap_verify_testkit::bundles::small_layout());
    // Another bundle: the same image manifest with an annotation, so another digest.
    let mut files = airgap_verify_testkit::bundles::small_layout();
    let mut other_files = files.clone();
    let manifest = other_files.pop().unwrap().1;
    let changed = String::from_utf8(manifest)
        .unwrap()
        .replacen('{', r#"{"annotations":{"x":"y"},"#, 1)
        .into_bytes();
    other_files[1].1 = airgap_verify_testkit::bundles::index_json(&[(
        airgap_verify::oci::IMAGE_MANIFEST,
        &changed,
        "{}",
    )]);
    other_files.push((airgap_verify_testkit::bundles::blob_path(&changed), changed));
    let other = airgap_verify_testkit::bundles::write_dir(&other_files);
    let o = run(
        &c.attestation,
        &c.public,
        &["--bundle", other.path().to_str().unwrap()],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(
        code(&verify_in_bundle(other.path(), &c.public, &[])),
        1,
        "nothing attached"
    );
    // A damaged bundle: exit 3.
    let (name, _) = files
        .iter()
        .find(|(n, d)| n.starts_with("blobs/") && d == b"layer content")
        .unwrap()
        .clone();
    files.retain(|(n, _)| *n != name);
    files.push((name, b"layer contenT".to_vec()));
    let damaged = airgap_verify_testkit::bundles::write_dir(&files);
    assert_eq!(
        code(&run(
            &c.attestation,
            &c.public,
            &["--bundle", damaged.path().to_str().unwrap()]
        )),
        3
    );
}

#[test]
fn attach_to_a_signed_conformance_layout_keeps_it_intact() {
    let Some(src) = airgap_verify_testkit::bundles::layout("e2e-valid-signature") else {
        return;
    };
    let copy = airgap_verify_testkit::bundles::copy_layout(&src);
    let files: Vec<(String, Vec<u8>)> = walk(copy.path());
    let (layout, c) = attached_case("rsa", &files);
    let o = Command::new(airgap_verify_testkit::bundles::bin())
        .args(["inspect", "--format", "json"])
        .arg(layout.path())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("application/vnd.dsse.envelope.v1+json"));
    assert_eq!(code(&verify_in_bundle(layout.path(), &c.public, &[])), 0);
    // Every original file is unchanged except index.json.
    for (name, data) in files.iter().filter(|(n, _)| n != "index.json") {
        assert_eq!(
            &std::fs::read(layout.path().join(name)).unwrap(),
            data,
            "{name}"
        );
    }
}

/// Every file under a folder, as (relative path, content).
fn walk(root: &Path) -> Vec<(String, Vec<u8>)> {
    airgap_verify_testkit::bundles::files_under(root)
}

//! Every case of the Sigstore project's bundle-verification suite (`sigstore-conformance`,
//! `../shared/conformance/sigstore-conformance/bundle-verify`) gives its verdict through the
//! library's bundle verifier: a folder ending in `_fail` must fail, every other must verify.
#![cfg(test)]

use std::fs;
use std::path::Path;

use airgap_verify::cosign::bundle::{self, Artifact, Policy};
use airgap_verify::cosign::{CosignKey, IdentityMatcher, TrustRoot};
use airgap_verify_testkit::conformance;

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn read_trimmed(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok().map(|s| s.trim().to_string())
}

/// The verdict of one case: Ok(()) verified, Err(why) not.
fn verify_case(suite: &Path, case: &Path) -> Result<(), String> {
    let root_file = if case.join("trusted_root.json").is_file() {
        case.join("trusted_root.json")
    } else {
        suite.join("trusted_root.public-good.json")
    };
    let root_json = fs::read(&root_file).map_err(|e| e.to_string())?;
    let root = TrustRoot::from_json(&root_file.display().to_string(), &root_json)
        .map_err(|e| e.to_string())?;
    let artifact_path = if case.join("artifact").is_file() {
        case.join("artifact")
    } else {
        case.parent().unwrap().join("a.txt")
    };
    let artifact = fs::read(&artifact_path).map_err(|e| e.to_string())?;
    let key = match fs::read(case.join("key.pub")) {
        Ok(pem) => Some(CosignKey::from_pem("key.pub", &pem)?),
        Err(_) => None,
    };
    let identity = read_trimmed(&case.join("identity")).unwrap_or_else(|| IDENTITY.to_string());
    let issuer = read_trimmed(&case.join("issuer")).unwrap_or_else(|| ISSUER.to_string());
    let identities = [IdentityMatcher::exact(&issuer, &identity)?];
    let json = fs::read(case.join("bundle.sigstore.json")).map_err(|e| e.to_string())?;
    let policy = Policy {
        trust_root: Some(&root),
        key: key.as_ref(),
        identities: &identities,
        require_tlog: true,
        at: time::OffsetDateTime::now_utc(),
    };
    bundle::verify(&json, Artifact::Bytes(&artifact), &policy)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Why each `_fail` case must fail: a case failing for another reason (say, a trust root we
/// cannot read) would hide a missing check.
const REASONS: &[(&str, &str)] = &[
    (
        "bundle-empty-certificate-chain_fail",
        "certificate chain is empty",
    ),
    (
        "bundle-from-wrong-instance_fail",
        "transparency log not in the trust root",
    ),
    ("bundle-invalid-base64-signature_fail", "invalid base64"),
    ("bundle-malformed-json_fail", "the bundle does not parse"),
    ("bundle-negative-log-index_fail", "negative log index"),
    (
        "bundle-unknown-version_fail",
        "unsupported bundle media type",
    ),
    ("bundle-with-root-cert_fail", "contains a root certificate"),
    (
        "checkpoint-bad-keyhint_fail",
        "no signature by the log's key",
    ),
    ("checkpoint-wrong-roothash_fail", "root hash differs"),
    ("dsse-invalid-sig_fail", "invalid signature"),
    (
        "dsse-mismatch-envelope_fail",
        "does not match the bundle: payload hash",
    ),
    (
        "dsse-mismatch-sig_fail",
        "does not match the bundle: signature",
    ),
    (
        "inclusion-proof-corrupted-hash_fail",
        "does not lead to its root hash",
    ),
    (
        "incorrect-public-key_fail",
        "does not match the bundle: certificate or public key",
    ),
    (
        "integrated-time-in-future_fail",
        "is not valid at the signing time",
    ),
    (
        "intoto-expired-certificate_fail",
        "is not valid at the signing time",
    ),
    (
        "intoto-log-entry-mismatch_fail",
        "does not match the bundle",
    ),
    ("intoto-missing-inclusion-proof_fail", "no inclusion proof"),
    (
        "intoto-set-outside-signing-cert-validity_fail",
        "is not valid at the signing time",
    ),
    (
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        "is not valid at the signing time",
    ),
    (
        "invalid-checkpoint-signature_fail",
        "the log's signature does not verify",
    ),
    ("invalid-ct-key_fail", "SCT"),
    (
        "invalid-inclusion-proof_fail",
        "does not lead to its root hash",
    ),
    ("managed-key-no-key_fail", "no key was given"),
    ("managed-key-wrong-key_fail", "PEM decoding failed"),
    (
        "message-digest-mismatch_fail",
        "message digest does not match",
    ),
    (
        "rekor2-checkpoint-missing-log-signature_fail",
        "no signature by the log's key",
    ),
    (
        "rekor2-checkpoint-missing-origin_fail",
        "checkpoint: the tree size line",
    ),
    (
        "rekor2-checkpoint-missing-root-hash_fail",
        "checkpoint: the root hash line",
    ),
    (
        "rekor2-checkpoint-missing-size_fail",
        "checkpoint: the tree size line",
    ),
    (
        "rekor2-checkpoint-no-matching-signature_fail",
        "the log's signature does not verify",
    ),
    ("rekor2-dsse-invalid-sig_fail", "invalid signature"),
    (
        "rekor2-dsse-mismatch-envelope_fail",
        "does not match the bundle",
    ),
    (
        "rekor2-dsse-mismatch-sig_fail",
        "does not match the bundle: signature",
    ),
    ("rekor2-no-inclusion-proof_fail", "no inclusion proof"),
    ("rekor2-no-timestamp_fail", "no verified signing time"),
    (
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
        "outside the validity of its timestamp authority",
    ),
    (
        "rekor2-timestamp-outside-tsa-cert-validity_fail",
        "is not trusted at genTime",
    ),
    (
        "rekor2-timestamp-payload-mismatch_fail",
        "mismatched message",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        "RFC 3161 timestamp does not verify",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        "RFC 3161 timestamp does not verify",
    ),
    (
        "rekor2-timestamp-with-incorrect-time_fail",
        "is not valid at the signing time",
    ),
    (
        "set-invalid-signature_fail",
        "signed entry timestamp does not verify",
    ),
    ("signature-mismatch_fail", "invalid signature"),
    (
        "trust-root-tlog-missing-validity-start_fail",
        "validFor.start is missing",
    ),
    (
        "wrong-hashedrekord-artifact_fail",
        "does not match the bundle",
    ),
    (
        "wrong-hashedrekord-cert-and-sig_fail",
        "does not match the bundle",
    ),
    ("wrong-hashedrekord-entry_fail", "does not match the bundle"),
    ("wrong-material_fail", "message digest does not match"),
];

#[test]
fn every_sigstore_conformance_case_gives_its_verdict() {
    let Some(dir) = conformance() else { return };
    let suite = dir.join("sigstore-conformance");
    let cases_dir = suite.join("bundle-verify");
    let mut cases: Vec<_> = fs::read_dir(&cases_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 60, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let must_fail = name.ends_with("_fail");
        let verdict = verify_case(&suite, case);
        eprintln!("{name}: {verdict:?}");
        if verdict.is_ok() == must_fail {
            wrong.push(format!("{name}: {verdict:?}"));
        } else if let Err(why) = &verdict {
            match REASONS.iter().find(|(case, _)| *case == name) {
                Some((_, reason)) if why.contains(reason) => {}
                Some((_, reason)) => wrong.push(format!("{name}: {why} (expected: {reason})")),
                None => wrong.push(format!("{name}: {why} (no expected reason listed)")),
            }
        }
    }
    eprintln!(
        "{} of {} cases give their verdict",
        cases.len() - wrong.len(),
        cases.len()
    );
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
}

/// Damaged copies of every case's bundle: truncated ones are refused, ones with a byte flipped
/// are judged without a panic.
#[test]
fn damaged_conformance_bundles_never_panic() {
    let Some(dir) = conformance() else { return };
    let suite = dir.join("sigstore-conformance");
    let root_json = fs::read(suite.join("trusted_root.public-good.json")).unwrap();
    let root = TrustRoot::from_json("public-good", &root_json).unwrap();
    let artifact = fs::read(suite.join("bundle-verify/a.txt")).unwrap();
    let identities = [IdentityMatcher::exact(ISSUER, IDENTITY).unwrap()];
    let policy = Policy {
        trust_root: Some(&root),
        key: None,
        identities: &identities,
        require_tlog: true,
        at: time::OffsetDateTime::now_utc(),
    };
    let mut tried = 0;
    for entry in fs::read_dir(suite.join("bundle-verify")).unwrap() {
        let path = entry.unwrap().path().join("bundle.sigstore.json");
        let Ok(json) = fs::read(&path) else { continue };
        let n = json.len();
        for i in 1..8 {
            let cut = &json[..n * i / 8];
            assert!(bundle::verify(cut, Artifact::Bytes(&artifact), &policy).is_err());
            let mut flipped = json.clone();
            flipped[n * i / 8] ^= 0x01;
            let _ = bundle::verify(&flipped, Artifact::Bytes(&artifact), &policy);
            tried += 2;
        }
    }
    assert!(tried > 100);
}

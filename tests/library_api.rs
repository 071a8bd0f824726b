//! The library's front door, used the way an embedder (an admission webhook) uses it: trust
//! material from a Secret's decoded entries, a bundle from a path or any reader, a verification
//! at an explicit time. No binary involved.
#![cfg(test)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use airgap_verify::bundle::{ProgressSink, Reader, Source};
use airgap_verify::limits::Limits;
use airgap_verify::pki::revocation::CrlSet;
use airgap_verify::trust::TrustMaterial;
use airgap_verify::verifier::{At, Conclusion, Images, Request, RunError, Verifier};
use airgap_verify::verify::{TimeSource, Verdict};
use time::macros::datetime;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The decoded `data` of fixtures/secret.yaml (the same two files as fixtures/trust/).
fn secret_entries() -> BTreeMap<String, Vec<u8>> {
    let mut entries = BTreeMap::new();
    for name in ["trustpolicy.json", "root.crt"] {
        entries.insert(
            name.to_string(),
            std::fs::read(fixtures().join("trust").join(name)).unwrap(),
        );
    }
    entries
}

fn verifier() -> Verifier {
    let limits = Limits::default();
    let material =
        TrustMaterial::from_entries("flux-system/notation-config", secret_entries(), &limits)
            .unwrap();
    Verifier::new(material, CrlSet::new(), limits).unwrap()
}

fn read(v: &Verifier, fixture: &str) -> airgap_verify::bundle::Bundle {
    v.read_bundle(
        &Source::Path(fixtures().join(fixture)),
        &ProgressSink::none(),
    )
    .unwrap()
}

fn request(at: At) -> Request {
    Request {
        images: Images::One(Some("v1".to_string())),
        scope: Some("registry.example/app".to_string()),
        scopes: Vec::new(),
        scope_from_bundle: false,
        ocirepository: None,
        at,
    }
}

#[test]
fn a_signed_layout_verifies_against_decoded_secret_entries() {
    let v = verifier();
    let bundle = read(&v, "signed");
    let at = datetime!(2026-01-01 0:00 UTC);
    let run = v.verify(&bundle, &request(At::Now(at))).unwrap();
    assert_eq!(run.conclusion, Conclusion::Verified);
    let [entry] = run.report.results.as_slice() else {
        panic!("one result expected: {:?}", run.report.results);
    };
    assert_eq!(entry.verdict(), Verdict::Verified);
    let outcome = entry.outcome.as_ref().unwrap();
    assert_eq!(outcome.time, at);
    assert_eq!(outcome.time_source, TimeSource::Now);
    assert_eq!(outcome.trust_source, "flux-system/notation-config");
    assert!(outcome.verified_signature().is_some());
}

#[test]
fn an_unsigned_layout_does_not_verify() {
    let v = verifier();
    let bundle = read(&v, "unsigned");
    let req = Request {
        images: Images::All,
        ..request(At::now())
    };
    let run = v.verify(&bundle, &req).unwrap();
    assert_eq!(run.conclusion, Conclusion::NotVerified);
    assert!(run
        .report
        .results
        .iter()
        .all(|r| r.verdict() == Verdict::Failed));
}

#[test]
fn a_bundle_read_from_any_reader_verifies_once() {
    let v = verifier();
    let file = std::fs::File::open(fixtures().join("signed.tar.gz")).unwrap();
    let source = Source::Reader(Reader::new("upload", file));
    let bundle = v.read_bundle(&source, &ProgressSink::none()).unwrap();
    assert_eq!(bundle.name, "upload");
    let run = v
        .verify(&bundle, &request(At::AsOf(datetime!(2025-06-01 0:00 UTC))))
        .unwrap();
    assert_eq!(run.conclusion, Conclusion::Verified);
    let outcome = run.report.results[0].outcome.as_ref().unwrap();
    assert_eq!(outcome.time_source, TimeSource::At);
    // The stream is consumed: a second read is an error, not an empty bundle.
    assert!(v.read_bundle(&source, &ProgressSink::none()).is_err());
}

#[test]
fn an_image_the_bundle_does_not_hold_is_an_error() {
    let v = verifier();
    let bundle = read(&v, "signed");
    let req = Request {
        images: Images::One(Some("v9".to_string())),
        ..request(At::now())
    };
    assert!(matches!(v.verify(&bundle, &req), Err(RunError::Resolve(_))));
}

#[test]
fn entries_without_a_policy_are_rejected() {
    let mut entries = secret_entries();
    entries.remove("trustpolicy.json");
    let err = TrustMaterial::from_entries("ns/s", entries, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("ns/s"), "{err}");
}

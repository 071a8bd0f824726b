//! Hostile or broken input through `verify`: configuration errors exit 2 with a message that says
//! what is wrong, broken envelopes fail their signature (exit 1) with the reason, and nothing
//! panics.
#![cfg(test)]

use std::ffi::OsString;

use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{
    cert_files, level, run_verify, signed_at, Bundle, Run, Sig, SCOPE,
};
use airgap_verify_testkit::layout::{Envelope, Listing, ManifestForm, SignatureSpec};
use airgap_verify_testkit::pki::{self, CertSpec, Pki};
use airgap_verify_testkit::sign::{self, SignOptions};
use serde_json::json;

/// Verify with a trust folder whose `trustpolicy.json` is these exact bytes.
fn with_policy_text(b: &Bundle, pki: &Pki, text: &str) -> Run {
    let dir = b.trust(&json!({}), &cert_files(&[&pki.root.cert]));
    std::fs::write(dir.join("trustpolicy.json"), text).unwrap();
    b.verify_dir(&dir, &[])
}

fn bundle() -> (Pki, Bundle) {
    let pki = Pki::new("Bad Input");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    (pki, b)
}

#[test]
fn malformed_policy_json() {
    let (pki, b) = bundle();
    with_policy_text(&b, &pki, "{\"version\": \"1.0\", \"trustPolicies\": [")
        .expect_config_error("error occurred while parsing trustpolicy.json");
    with_policy_text(&b, &pki, "").expect_config_error("trustpolicy.json");
}

#[test]
fn unknown_policy_version() {
    let (pki, b) = bundle();
    let mut p = level("strict");
    p["version"] = json!("2.0");
    b.verify(&p, &[&pki.root.cert], &[])
        .expect_config_error("trust policy document uses unsupported version \"2.0\"");
    // The supported version verifies.
    b.verify(&level("strict"), &[&pki.root.cert], &[])
        .expect(0, "verified");
}

#[test]
fn two_wildcard_statements() {
    let (pki, b) = bundle();
    let one = airgap_verify_testkit::harness::statement(
        "one",
        &["*"],
        json!({"level": "strict"}),
        &["ca:x"],
    );
    let two = airgap_verify_testkit::harness::statement(
        "two",
        &["*"],
        json!({"level": "audit"}),
        &["ca:x"],
    );
    let r = b.verify(
        &airgap_verify_testkit::harness::policy_of(vec![one, two]),
        &[&pki.root.cert],
        &[],
    );
    r.expect_config_error("registry scope \"*\" is present in multiple trust policy statements");
}

#[test]
fn secret_with_bad_base64() {
    let (pki, b) = bundle();
    let policy = serde_json::to_vec(&level("strict")).unwrap();
    let good = airgap_verify_testkit::trust::secret_yaml(
        "notation",
        "flux-system",
        &[
            ("trustpolicy.json", &policy),
            ("root.crt", pki.root.pem().as_bytes()),
        ],
    );
    let path = b.path("secret.yaml");
    let secret = |text: &str| {
        std::fs::write(&path, text).unwrap();
        let args: Vec<OsString> = vec![
            "--secret".into(),
            path.clone().into(),
            "--ref".into(),
            "v1".into(),
            "--scope".into(),
            SCOPE.into(),
        ];
        run_verify(&b.layout, &args)
    };
    secret(&good).expect(0, "verified");
    let bad = good.replace("  root.crt: ", "  root.crt: not*base64%");
    secret(&bad).expect_config_error("data key 'root.crt' is not valid base64");
    // No trustpolicy.json at all: Flux's words.
    let none = airgap_verify_testkit::trust::secret_yaml(
        "notation",
        "flux-system",
        &[("root.crt", pki.root.pem().as_bytes())],
    );
    secret(&none).expect_config_error("'trustpolicy.json' not found in");
}

#[test]
fn certificate_that_does_not_parse_fails_every_signature_as_in_flux() {
    let (_, b) = bundle();
    let dir = b.trust(
        &level("strict"),
        &[(
            "broken.crt",
            b"-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
                .to_vec(),
        )],
    );
    // As in Flux: the trust material loads with a warning naming the key, and every
    // signature then fails authenticity with Flux's message under the store name.
    let r = b.verify_dir(&dir, &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticity"), "failed");
    assert_eq!(
        r.error(0),
        "failed to parse certificate 'not-existing': x509: malformed certificate"
    );
    assert!(r.warnings().contains("broken.crt"), "{}", r.warnings());
    let dir = b.trust(&level("strict"), &[("garbage.pem", vec![0x30, 0x82, 0xff])]);
    let r = b.verify_dir(&dir, &[]);
    r.expect(1, "failed");
    assert!(r.warnings().contains("garbage.pem"), "{}", r.warnings());
    assert!(
        r.error(0).ends_with("x509: malformed certificate"),
        "{}",
        r.error(0)
    );
}

/// A layout whose only signature carries these envelope bytes.
fn with_envelope(
    kind: Envelope,
    make: impl FnOnce(&airgap_verify::oci::digest::Descriptor) -> Vec<u8>,
    pki: &Pki,
) -> Bundle {
    Bundle::build(|layout, image| {
        let envelope = make(image);
        layout.add_signature(
            image,
            &SignatureSpec {
                envelope: &envelope,
                kind,
                chain: &pki.chain(),
                created: signed_at(),
                form: ManifestForm::ArtifactType,
                listing: Listing::IndexAndTag,
            },
        );
    })
}

fn expect_integrity_failure(b: &Bundle, pki: &Pki) -> String {
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed").no_panic();
    assert_eq!(r.check(0, "integrity"), "failed", "{r:#?}");
    assert!(!r.error(0).is_empty());
    r.error(0).to_string()
}

#[test]
fn truncated_cose_message() {
    let pki = Pki::new("Bad Input COSE");
    for cut in [1, 10, 100] {
        let b = with_envelope(
            Envelope::Cose,
            |image| {
                let full = sign::sign_cose(
                    &SignOptions::new(signed_at()),
                    image,
                    &pki.chain(),
                    &pki.leaf.key,
                )
                .unwrap();
                full[..full.len() - cut].to_vec()
            },
            &pki,
        );
        expect_integrity_failure(&b, &pki);
    }
}

#[test]
fn alg_none_and_hmac() {
    let pki = Pki::new("Bad Input Alg");
    for alg in ["none", "HS256"] {
        let b = Bundle::signed(&[Sig::jws(&pki).with(|o| o.jws_alg = Some(alg.into()))]);
        let e = expect_integrity_failure(&b, &pki);
        assert!(e.contains(alg), "names the algorithm {alg}: {e}");
    }
    // COSE: HMAC 256/256 is algorithm 5.
    let b = Bundle::signed(&[Sig::cose(&pki).with(|o| o.cose_alg = Some(5))]);
    expect_integrity_failure(&b, &pki);
}

#[test]
fn a_1000_certificate_chain() {
    let pki = Pki::new("Bad Input Long");
    let filler = pki::make(CertSpec::root("Bad Input Filler", KeySpec::EcP256), None);
    let mut chain = pki.chain();
    chain.extend(std::iter::repeat_n(filler.cert.clone(), 997));
    let b = with_envelope(
        Envelope::Jws,
        |image| {
            sign::sign_jws(&SignOptions::new(signed_at()), image, &chain, &pki.leaf.key).unwrap()
        },
        &pki,
    );
    let e = expect_integrity_failure(&b, &pki);
    assert!(
        e.contains("1000") || e.contains("32"),
        "names the count or limit: {e}"
    );
}

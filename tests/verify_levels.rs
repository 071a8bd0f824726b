//! Verification levels strict / permissive / audit / skip and each override, through the CLI
//! (NOTATION.md "Verification levels"): which validation is enforced, logged or skipped.
//!
//! | validation         | strict  | permissive | audit   | skip |
//! |--------------------|---------|------------|---------|------|
//! | integrity          | enforce | enforce    | enforce | skip |
//! | authenticity       | enforce | enforce    | log     | skip |
//! | authenticTimestamp | enforce | log        | log     | skip |
//! | expiry             | enforce | log        | log     | skip |
//! | revocation         | enforce | log        | log     | skip |
//!
//! Each row is shown with a signature that passes it and one that fails it (revocation is in
//! `verify_revocation.rs`).
#![cfg(test)]

use airgap_verify_testkit::harness::{level, policy, signed_at, Bundle, Sig};
use airgap_verify_testkit::pki::{CertSpec, Pki};
use serde_json::json;

/// A signature whose `io.cncf.notary.expiry` is long past.
fn expired_signature(pki: &Pki) -> Bundle {
    Bundle::signed(
        &[Sig::jws(pki).with(|o| o.expiry = Some(signed_at() + time::Duration::days(1)))],
    )
}

#[test]
fn strict_verifies_a_good_signature_with_every_check_passed() {
    let pki = Pki::new("Levels Good");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(0, "verified");
    for check in [
        "integrity",
        "authenticity",
        "authenticTimestamp",
        "expiry",
        "revocation",
    ] {
        assert_eq!(r.check(0, check), "passed", "{check}: {r:#?}");
    }
    assert_eq!(r.result()["level"], "strict");
    assert_eq!(r.sig(0)["verified"], true);
}

#[test]
fn expiry_is_enforced_by_strict_and_logged_by_permissive_and_audit() {
    let pki = Pki::new("Levels Expiry");
    let b = expired_signature(&pki);
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "expiry"), "failed");
    assert!(
        r.error(0).contains("digital signature has expired"),
        "{r:#?}"
    );
    for name in ["permissive", "audit"] {
        let r = b.verify(&level(name), &[&pki.root.cert], &[]);
        r.expect(0, "verified");
        assert_eq!(r.check(0, "expiry"), "logged", "{name}");
        assert!(
            r.warnings().contains(
                "expiry was set to \"log\" and failed with error: digital signature has expired"
            ),
            "{name}: {r:#?}"
        );
    }
    // skip verifies nothing at all.
    let r = b.verify(&level("skip"), &[&pki.root.cert], &[]);
    r.expect(4, "ignored");
    assert_eq!(r.result()["ignoredReason"], "skip");
    assert_eq!(
        r.message(),
        "Trust policy is configured to skip signature verification"
    );
    assert_eq!(r.attempts(), 0);
}

#[test]
fn expiry_overrides_log_under_strict_and_enforce_under_permissive() {
    let pki = Pki::new("Levels Expiry Override");
    let b = expired_signature(&pki);
    let logged = policy(json!({"level": "strict", "override": {"expiry": "log"}}));
    let r = b.verify(&logged, &[&pki.root.cert], &[]);
    r.expect(0, "verified");
    assert_eq!(r.check(0, "expiry"), "logged");
    let enforced = policy(json!({"level": "permissive", "override": {"expiry": "enforce"}}));
    b.verify(&enforced, &[&pki.root.cert], &[])
        .expect(1, "failed");
    // Only revocation may be overridden to skip (notation-go's rule).
    let skipped = policy(json!({"level": "strict", "override": {"expiry": "skip"}}));
    b.verify(&skipped, &[&pki.root.cert], &[])
        .expect_config_error(
            "\"expiry\" verification can not be skipped in custom signature verification",
        );
}

#[test]
fn authenticity_is_enforced_by_strict_and_permissive_and_logged_by_audit() {
    let pki = Pki::new("Levels Authenticity");
    let other = Pki::new("Levels Someone Else");
    let b = Bundle::signed(&[Sig::cose(&pki)]);
    for name in ["strict", "permissive"] {
        let r = b.verify(&level(name), &[&other.root.cert], &[]);
        r.expect(1, "failed");
        assert_eq!(r.check(0, "authenticity"), "failed", "{name}");
        assert!(
            r.error(0).contains(
                "the signature's certificate chain does not contain any trusted certificate"
            ),
            "{r:#?}"
        );
    }
    // audit with an untrusted signer: Flux's "ignored" (exit 4), with a warning.
    let r = b.verify(&level("audit"), &[&other.root.cert], &[]);
    r.expect(4, "ignored");
    assert_eq!(r.result()["ignoredReason"], "authenticity-logged");
    assert_eq!(r.check(0, "authenticity"), "logged");
    assert!(
        r.warnings()
            .contains("authenticity was set to \"log\" and failed with error:"),
        "{r:#?}"
    );
    // The trusted signer passes under audit too.
    let r = b.verify(&level("audit"), &[&pki.root.cert], &[]);
    r.expect(0, "verified");
    assert_eq!(r.check(0, "authenticity"), "passed");
}

#[test]
fn authenticity_overrides() {
    let pki = Pki::new("Levels Authenticity Override");
    let other = Pki::new("Levels Not Trusted");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let logged = policy(json!({"level": "strict", "override": {"authenticity": "log"}}));
    let r = b.verify(&logged, &[&other.root.cert], &[]);
    r.expect(4, "ignored");
    assert_eq!(r.check(0, "authenticity"), "logged");
    let enforced = policy(json!({"level": "audit", "override": {"authenticity": "enforce"}}));
    let r = b.verify(&enforced, &[&other.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticity"), "failed");
}

/// A leaf that expired long ago signs without a timestamp: authenticTimestamp fails (the
/// certificate is not valid at the verification time).
fn expired_certificate(pki: &Pki) -> (Bundle, airgap_verify_testkit::pki::Issued) {
    let leaf = pki.issue_leaf(
        CertSpec::leaf(
            "Levels Expired Leaf",
            airgap_verify::pki::crypto::KeySpec::EcP256,
        )
        .valid(
            airgap_verify_testkit::pki::LONG_AGO,
            airgap_verify_testkit::pki::LONG_AGO + time::Duration::days(60),
        ),
    );
    let b = Bundle::signed(&[Sig::by(
        airgap_verify_testkit::layout::Envelope::Jws,
        pki.chain_for(&leaf),
        &leaf,
    )]);
    (b, leaf)
}

#[test]
fn authentic_timestamp_is_enforced_by_strict_and_logged_by_permissive_and_audit() {
    let pki = Pki::new("Levels Timestamp");
    let (b, _) = expired_certificate(&pki);
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert!(r.error(0).contains("expired"), "{r:#?}");
    for name in ["permissive", "audit"] {
        let r = b.verify(&level(name), &[&pki.root.cert], &[]);
        r.expect(0, "verified");
        assert_eq!(r.check(0, "authenticTimestamp"), "logged", "{name}");
        assert!(
            r.warnings()
                .contains("authenticTimestamp was set to \"log\" and failed with error:"),
            "{r:#?}"
        );
    }
    let logged = policy(json!({"level": "strict", "override": {"authenticTimestamp": "log"}}));
    b.verify(&logged, &[&pki.root.cert], &[])
        .expect(0, "verified");
    let enforced =
        policy(json!({"level": "permissive", "override": {"authenticTimestamp": "enforce"}}));
    b.verify(&enforced, &[&pki.root.cert], &[])
        .expect(1, "failed");
}

#[test]
fn integrity_is_enforced_at_every_level_but_skip_and_cannot_be_overridden() {
    let pki = Pki::new("Levels Integrity");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    // Flip one character of the JWS signature value.
    let tampered = Bundle::build(|layout, image| {
        let opts = airgap_verify_testkit::sign::SignOptions::new(signed_at());
        let envelope =
            airgap_verify_testkit::sign::sign_jws(&opts, image, &pki.chain(), &pki.leaf.key)
                .unwrap();
        let mut env: serde_json::Value = serde_json::from_slice(&envelope).unwrap();
        let s = env["signature"].as_str().unwrap();
        let c = if s.as_bytes()[5] == b'A' { "B" } else { "A" };
        env["signature"] = json!(format!("{}{c}{}", &s[..5], &s[6..]));
        let bytes = serde_json::to_vec(&env).unwrap();
        layout.add_signature(
            image,
            &airgap_verify_testkit::layout::SignatureSpec {
                envelope: &bytes,
                kind: airgap_verify_testkit::layout::Envelope::Jws,
                chain: &pki.chain(),
                created: signed_at(),
                form: airgap_verify_testkit::layout::ManifestForm::ArtifactType,
                listing: airgap_verify_testkit::layout::Listing::IndexAndTag,
            },
        );
    });
    for name in ["strict", "permissive", "audit"] {
        let r = tampered.verify(&level(name), &[&pki.root.cert], &[]);
        r.expect(1, "failed");
        assert_eq!(r.check(0, "integrity"), "failed", "{name}: {r:#?}");
    }
    tampered
        .verify(&level("skip"), &[&pki.root.cert], &[])
        .expect(4, "ignored");
    let r = b.verify(
        &policy(json!({"level": "strict", "override": {"integrity": "log"}})),
        &[&pki.root.cert],
        &[],
    );
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(r.stderr.contains("integrity"), "{r:#?}");
}

#[test]
fn an_unknown_level_or_action_is_a_configuration_error() {
    let pki = Pki::new("Levels Unknown");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let r = b.verify(&level("paranoid"), &[&pki.root.cert], &[]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(r.stderr.contains("paranoid"), "{r:#?}");
    let r = b.verify(
        &policy(json!({"level": "strict", "override": {"expiry": "maybe"}})),
        &[&pki.root.cert],
        &[],
    );
    assert_eq!(r.code, 2, "{r:#?}");
    r.no_panic();
}

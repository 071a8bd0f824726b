//! Trust material and policy statements through the CLI (FLUX.md §2.4, NOTATION.md §4, §6.3):
//! any certificate of the chain may be the trusted one, every Secret certificate is in every
//! named store (`ca:not-existing` works), trusted identities, and the statement chosen for a scope.
#![cfg(test)]

use std::ffi::OsString;

use airgap_verify_testkit::harness::{
    cert_files, level, policy_of, run_verify, statement, Bundle, Sig, SCOPE,
};
use airgap_verify_testkit::pki::Pki;
use serde_json::{json, Value};

#[test]
fn trusting_any_certificate_of_the_chain_verifies() {
    let pki = Pki::new("Trust Any");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    for (which, cert) in [
        ("leaf", &pki.leaf.cert),
        ("intermediate", &pki.intermediate.cert),
        ("root", &pki.root.cert),
    ] {
        let r = b.verify(&level("strict"), &[cert], &[]);
        r.expect(0, "verified");
        assert_eq!(r.check(0, "authenticity"), "passed", "{which}");
    }
    let stranger = Pki::new("Trust Any Stranger");
    let r = b.verify(&level("strict"), &[&stranger.intermediate.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticity"), "failed");
}

#[test]
fn every_certificate_is_in_every_named_store() {
    let pki = Pki::new("Trust Stores");
    let b = Bundle::signed(&[Sig::cose(&pki)]);
    for stores in [
        vec!["ca:not-existing"],
        vec!["ca:acme-prod"],
        vec!["ca:one", "ca:two"],
    ] {
        let p = policy_of(vec![statement(
            "s",
            &["*"],
            json!({"level": "strict"}),
            &stores,
        )]);
        b.verify(&p, &[&pki.root.cert], &[]).expect(0, "verified");
    }
    // Only a tsa: store names no store for the signer: authenticity fails.
    let p = policy_of(vec![statement(
        "s",
        &["*"],
        json!({"level": "strict"}),
        &["tsa:timestamps"],
    )]);
    b.verify(&p, &[&pki.root.cert], &[]).expect(1, "failed");
}

fn with_identities(ids: &[String]) -> Value {
    json!({"version": "1.0", "trustPolicies": [{
        "name": "identities",
        "registryScopes": ["*"],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:not-existing"],
        "trustedIdentities": ids,
    }]})
}

#[test]
fn trusted_identity_match_and_mismatch() {
    let pki = Pki::new("Trust Identity");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    b.verify(
        &with_identities(&[pki.leaf.identity()]),
        &[&pki.root.cert],
        &[],
    )
    .expect(0, "verified");
    // The RDN order does not matter; the leaf matches when it has every attribute named.
    b.verify(
        &with_identities(&["x509.subject:C=US,ST=WA,O=Airgap Verify Test".to_string()]),
        &[&pki.root.cert],
        &[],
    )
    .expect(0, "verified");
    let r = b.verify(
        &with_identities(&["x509.subject:CN=Someone Else,O=Airgap Verify Test,ST=WA,C=US".into()]),
        &[&pki.root.cert],
        &[],
    );
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticity"), "failed");
    let e = r.error(0);
    assert!(
        e.starts_with(
            "signing certificate from the digital signature does not match the X.509 trusted identities [map["
        ) && e.ends_with("] defined in the trust policy \"identities\""),
        "{e}"
    );
    assert!(e.contains("\"CN\":\"Someone Else\""), "{e}");
}

/// A policy with a statement for [`SCOPE`] (strict) and a `*` statement (skip).
fn scoped_policy() -> Value {
    policy_of(vec![
        statement("exact", &[SCOPE], json!({"level": "strict"}), &["ca:x"]),
        json!({
            "name": "everything-else",
            "registryScopes": ["*"],
            "signatureVerification": {"level": "skip"},
        }),
    ])
}

fn verify_with_scope(
    b: &Bundle,
    policy: &Value,
    certs: &[&airgap_verify::pki::cert::Cert],
    scope: Option<&str>,
) -> airgap_verify_testkit::harness::Run {
    let dir = b.trust(policy, &cert_files(certs));
    let mut args: Vec<OsString> = vec![
        "--trust-dir".into(),
        dir.into(),
        "--ref".into(),
        "v1".into(),
    ];
    if let Some(s) = scope {
        args.extend(["--scope".into(), s.into()]);
    }
    run_verify(&b.layout, &args)
}

#[test]
fn scope_chooses_the_exact_statement_else_the_wildcard() {
    let pki = Pki::new("Trust Scope");
    let stranger = Pki::new("Trust Scope Stranger");
    let b = Bundle::signed(&[Sig::jws(&stranger)]);
    // The exact statement applies to its scope: strict, the stranger fails.
    let r = verify_with_scope(&b, &scoped_policy(), &[&pki.root.cert], Some(SCOPE));
    r.expect(1, "failed");
    assert_eq!(r.result()["policy"], "exact");
    assert_eq!(r.result()["scope"], SCOPE);
    // Any other scope takes the `*` statement (skip).
    let r = verify_with_scope(
        &b,
        &scoped_policy(),
        &[&pki.root.cert],
        Some("registry.example/other"),
    );
    r.expect(4, "ignored");
    assert_eq!(r.result()["policy"], "everything-else");
    // Without --scope, a `*` statement beside others does not apply: the user names the scope.
    let r = verify_with_scope(&b, &scoped_policy(), &[&pki.root.cert], None);
    r.expect_config_error("--scope REGISTRY/REPO");
}

#[test]
fn no_applicable_statement_is_exit_2_with_notations_message() {
    let pki = Pki::new("Trust No Statement");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let p = policy_of(vec![statement(
        "other",
        &["registry.example/other"],
        json!({"level": "strict"}),
        &["ca:x"],
    )]);
    let r = verify_with_scope(&b, &p, &[&pki.root.cert], Some(SCOPE));
    r.expect_config_error(&format!(
        "artifact \"{SCOPE}@{}\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes.",
        b.image.digest
    ));
    // No --scope, no full name and no `*` statement: exit 2 saying what to give.
    let r = verify_with_scope(&b, &p, &[&pki.root.cert], None);
    r.expect_config_error("give --scope REGISTRY/REPO");
    // The passing side: the same policy with the right scope verifies.
    let p = policy_of(vec![statement(
        "app",
        &[SCOPE],
        json!({"level": "strict"}),
        &["ca:x"],
    )]);
    verify_with_scope(&b, &p, &[&pki.root.cert], Some(SCOPE)).expect(0, "verified");
}

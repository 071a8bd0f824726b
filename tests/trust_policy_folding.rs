//! `trustpolicy.json` is the user's own input and is read as Flux (Go's `encoding/json`) reads it:
//! member names in any letter case, with Go's Unicode folding (`ſ` reads as `s`), and the last of
//! two members for one field wins (flux-oracle p13, p14).
#![cfg(test)]

use airgap_verify_testkit::harness::{cert_files, level, Bundle, Sig};
use airgap_verify_testkit::pki::Pki;

/// Write the trust folder for `policy_text` (with the root of `pki` as its CA) and verify.
fn verify_with(b: &Bundle, pki: &Pki, policy_text: &str) -> airgap_verify_testkit::harness::Run {
    let dir = b.trust(&level("strict"), &cert_files(&[&pki.root.cert]));
    std::fs::write(dir.join("trustpolicy.json"), policy_text).unwrap();
    b.verify_dir(&dir, &[])
}

fn strict_text() -> String {
    serde_json::to_string(&level("strict")).unwrap()
}

#[test]
fn folded_policy_keys_are_read_as_go_reads_them() {
    let pki = Pki::new("Policy Fold");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let text = strict_text()
        .replace("\"registryScopes\"", "\"regiſtryScopes\"")
        .replace("\"trustPolicies\"", "\"TRUSTPOLICIES\"")
        .replace("\"trustStores\"", "\"truſtſtores\"")
        .replace("\"level\"", "\"Level\"");
    verify_with(&b, &pki, &text).expect(0, "verified");
}

#[test]
fn the_last_of_two_folded_keys_wins() {
    let pki = Pki::new("Policy Last");
    let stranger = Pki::new("Policy Stranger");
    // Signed by a root the policy does not trust: audit passes, strict fails.
    let b = Bundle::signed(&[Sig::jws(&stranger)]);
    let audit_then_strict = strict_text().replace(
        "\"level\":\"strict\"",
        "\"level\":\"audit\",\"LEVEL\":\"strict\"",
    );
    assert!(audit_then_strict.contains("LEVEL"), "{audit_then_strict}");
    verify_with(&b, &pki, &audit_then_strict).expect(1, "failed");
    let strict_then_audit = strict_text().replace(
        "\"level\":\"strict\"",
        "\"level\":\"strict\",\"ſ\":0,\"leveL\":\"audit\"",
    );
    // The audit level logs the untrusted signer: Flux's "ignored".
    verify_with(&b, &pki, &strict_then_audit).expect(4, "ignored");
}

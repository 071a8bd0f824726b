//! Trusted identity matching against real certificates of the notation e2e suite.
#![cfg(test)]

use airgap_verify::pki::cert::parse_certificates;
use airgap_verify::policy::{leaf_matches_trusted_identities, Document, PolicyError, Statement};

fn statement(identities: &[&str]) -> Statement {
    Statement {
        name: "e2e".into(),
        registry_scopes: vec!["*".into()],
        trust_stores: vec!["ca:e2e".into()],
        trusted_identities: identities.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn e2e_certificate_against_policy_identities() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let pem = std::fs::read(dir.join("notation/config/localkeys/e2e.crt")).unwrap();
    let leaf = parse_certificates(&pem, 8).unwrap().remove(0);

    for (file, ok) in [
        ("valid_trusted_identity_trustpolicy.json", true),
        ("multiple_trusted_identity_trustpolicy.json", true),
        ("trustpolicy.json", true),
        ("invalid_trusted_identity_trustpolicy.json", false),
    ] {
        let bytes = std::fs::read(dir.join("notation/config/trustpolicies").join(file)).unwrap();
        let doc = Document::parse(&bytes).unwrap();
        doc.validate().unwrap();
        let st = doc.applicable_statement("localhost:5000/e2e").unwrap();
        let got = leaf_matches_trusted_identities(&leaf, st);
        assert_eq!(got.is_ok(), ok, "{file}: {got:?}");
        if !ok {
            assert_eq!(
                got.unwrap_err().to_string(),
                "signing certificate from the digital signature does not match the X.509 trusted identities [map[\"C\":\"USB\" \"CN\":\"e2e\" \"L\":\"Seattle\" \"O\":\"Notary\" \"ST\":\"WA\"]] defined in the trust policy \"e2e\""
            );
        }
    }

    // Subset match, order-free, case-sensitive values.
    assert!(leaf_matches_trusted_identities(
        &leaf,
        &statement(&["x509.subject: O=Notary, C=US, ST=WA"])
    )
    .is_ok());
    assert!(leaf_matches_trusted_identities(
        &leaf,
        &statement(&["x509.subject: O=notary, C=US, ST=WA"])
    )
    .is_err());
    // Only other prefixes: no x509 identity configured.
    assert_eq!(
        leaf_matches_trusted_identities(&leaf, &statement(&["other:x"])),
        Err(PolicyError::NoX509Identities("e2e".into()))
    );
    assert!(leaf_matches_trusted_identities(&leaf, &statement(&["*"])).is_ok());
}

/// A leaf without ST cannot match any identity: notation re-parses the leaf subject with the
/// same mandatory-attribute rule.
#[test]
fn leaf_subject_needs_c_st_o() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pem, _)) =
        airgap_verify_testkit::openssl::self_signed_cert(dir.path(), "/C=US/O=Acme/CN=x")
    else {
        return;
    };
    let leaf = parse_certificates(&pem, 8).unwrap().remove(0);
    let e =
        leaf_matches_trusted_identities(&leaf, &statement(&["x509.subject: C=US, ST=WA, O=Acme"]))
            .unwrap_err();
    assert!(matches!(e, PolicyError::LeafSubject(_)), "{e}");
    assert!(e.to_string().starts_with("error while parsing the certificate subject from the digital signature. error : \"distinguished name (DN) \\\"CN=x,O=Acme,C=US\\\" has no mandatory RDN attribute for \\\"ST\\\""), "{e}");
}

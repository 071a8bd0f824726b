//! Every trust policy of the notation e2e suite (`notation/config/trustpolicies/`): the valid
//! ones validate (after Flux's cleaning), the invalid ones are rejected with notation's message.
#![cfg(test)]

use airgap_verify::policy::{clean_trust_policy, Document, PolicyError};

/// `None`: valid. `Some(text)`: rejected with a message containing `text`.
const CASES: &[(&str, Option<&str>)] = &[
    ("any_registry_scope_trust_policy.json", None),
    ("audit_trustpolicy.json", None),
    // A blob policy has no registryScopes: not an OCI policy.
    ("blob_trust_policy.json", Some("has zero registry scopes")),
    ("empty_registry_scope_trustpolicy.json", Some("has zero registry scopes")),
    ("empty_trusted_identity_trustpolicy.json", Some("has an empty trusted identity")),
    ("generate_test_trustpolicy.json", None),
    ("invalid_format_trustpolicy.json", Some("error occurred while parsing trustpolicy.json: ")),
    // Valid documents that fail only at verification time (scope, store, identity mismatch).
    ("invalid_registry_scope_trustpolicy.json", None),
    ("invalid_trust_store_trustpolicy.json", None),
    ("invalid_trusted_identity_trustpolicy.json", None),
    ("malformed_registry_scope_trustpolicy.json", Some("registry scope \"localhost:5000\\\\test-repo\" is not valid")),
    ("malformed_trust_store_trustpolicy.json", Some("uses an unsupported trust store name \"\" in trust store value \"ca:\"")),
    ("malformed_trusted_identity_trustpolicy.json", Some("missing separator")),
    ("missing_country_trusted_identity_trustpolicy.json", Some("has no mandatory RDN attribute for \"C\"")),
    ("missing_organization_trusted_identity_trustpolicy.json", Some("has no mandatory RDN attribute for \"O\"")),
    ("missing_state_trusted_identity_trustpolicy.json", Some("has no mandatory RDN attribute for \"ST\"")),
    ("multi_statements_with_multi_wildcard_registry_scope_trustpolicy.json", Some("registry scope \"*\" is present in multiple trust policy statements")),
    ("multi_statements_with_the_same_name_trustpolicy.json", Some("multiple trust policy statements use the same name \"e2e\"")),
    ("multi_statements_with_the_same_registry_scope_trustpolicy.json", Some("registry scope \"localhost:5000/test-repo8\" is present in multiple trust policy statements")),
    ("multi_statements_with_wildcard_registry_scope_trustpolicy.json", None),
    ("multiple_registry_scope_trustpolicy.json", None),
    ("multiple_trust_store_trustpolicy.json", None),
    ("multiple_trusted_identity_trustpolicy.json", None),
    ("overlapped_registry_scope_trustpolicy.json", Some("registry scope \"localhost:5000/test-repo6\" is present in multiple trust policy statements")),
    ("overlapped_trust_store_trustpolicy.json", None),
    ("overlapped_trusted_identity_trustpolicy.json", Some("has overlapping x509 trustedIdentities")),
    ("override_audit_trustpolicy.json", None),
    ("override_integrity_for_permissive_trustpolicy.json", Some("\"integrity\" verification can not be overridden in custom signature verification")),
    ("override_permissive_trustpolicy.json", None),
    ("override_strict_trustpolicy.json", None),
    ("permissive_trustpolicy.json", None),
    ("quickstart_trustpolicy.json", None),
    ("registry_scope_trustpolicy.json", None),
    ("skip_trustpolicy.json", None),
    ("timestamp_after_cert_expiry_trustpolicy.json", None),
    ("timestamp_trustpolicy.json", None),
    ("trustpolicy.json", None),
    ("unset_trust_store_trustpolicy.json", Some("is either missing trust stores or trusted identities, both must be specified")),
    ("unset_trusted_identity_trustpolicy.json", Some("is either missing trust stores or trusted identities, both must be specified")),
    ("valid_trusted_identity_trustpolicy.json", None),
    ("wildcard_plus_other_registry_scope_trustpolicy.json", Some("uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values")),
    ("wildcard_plus_other_trusted_identity_trustpolicy.json", Some("uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values")),
    ("wildcard_trust_store_trustpolicy.json", Some("has malformed trust store value \"*\"")),
];

fn load(bytes: &[u8]) -> Result<Document, PolicyError> {
    let mut doc = Document::parse(bytes)?;
    clean_trust_policy(&mut doc);
    doc.validate()?;
    Ok(doc)
}

#[test]
fn every_notation_e2e_policy_gets_the_right_verdict() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let dir = dir.join("notation/config/trustpolicies");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let known: Vec<&str> = CASES.iter().map(|(f, _)| *f).collect();
    for f in &files {
        assert!(known.contains(&f.as_str()), "policy {f} has no expectation");
    }
    for (file, expected) in CASES {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let got = load(&bytes);
        match (expected, got) {
            (None, Ok(_)) => {}
            (None, Err(e)) => panic!("{file} should validate: {e}"),
            (Some(_), Ok(_)) => panic!("{file} should be rejected"),
            (Some(text), Err(e)) => {
                assert!(
                    e.to_string().contains(text),
                    "{file}: {e}\n  expected to contain: {text}"
                )
            }
        }
    }
}

//! The certificate-chain rules (NOTATION.md §5.2, §6) on real certificates made by the Notary
//! Project's tools, read in place from the conformance folder.
#![cfg(test)]

use std::path::Path;

use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::chain::{
    authenticity_any_cert_in_chain, chain_valid_at, chain_valid_at_authentic_signing_time,
    chain_valid_within, is_root_ca, trusted_cert_in_chain, validate_code_signing_chain,
    validate_timestamping_chain, ChainError,
};
use time::macros::datetime;

fn read(dir: &Path, rel: &str) -> Vec<Cert> {
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    parse_certificates(&bytes, 32).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The DigiCert TSA chain of notation-core-go `x509/testdata`, leaf first.
fn digicert_tsa_chain(dir: &Path) -> Vec<Cert> {
    ["leaf", "intermediate", "root"]
        .iter()
        .flat_map(|n| {
            read(
                dir,
                &format!("notation-core-go/x509/testdata/timestamp_{n}.crt"),
            )
        })
        .collect()
}

#[test]
fn notation_e2e_self_signed_certificates_are_valid_code_signing_chains() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    for name in ["e2e", "expired_e2e", "new_e2e"] {
        let chain = read(&dir, &format!("notation/config/localkeys/{name}.crt"));
        assert_eq!(chain.len(), 1, "{name}");
        assert_eq!(validate_code_signing_chain(&chain), Ok(()), "{name}");
        // A code-signing certificate is not a TSA certificate, nor a root CA.
        assert!(matches!(
            validate_timestamping_chain(&chain),
            Err(ChainError::TsaEkuNotTimeStampingOnly { .. })
        ));
        assert!(!is_root_ca(&chain[0]), "{name}");
    }
}

#[test]
fn notation_crl_chain_is_a_valid_code_signing_chain() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let chain = read(&dir, "notation/config/crl/certchain_with_crl.pem");
    assert_eq!(chain.len(), 3);
    assert_eq!(validate_code_signing_chain(&chain), Ok(()));
    assert_eq!(
        chain.iter().map(is_root_ca).collect::<Vec<_>>(),
        [false, false, true]
    );
    // Out of order, or without its root, it is no longer a chain.
    let reversed: Vec<Cert> = chain.iter().rev().cloned().collect();
    assert!(validate_code_signing_chain(&reversed).is_err());
    assert!(matches!(
        validate_code_signing_chain(&chain[..2]),
        Err(ChainError::RootNotSelfSigned { .. })
    ));
    // The root alone is a CA, not a signing certificate.
    let root = read(&dir, "notation/config/crl/root.crt");
    assert!(matches!(
        validate_code_signing_chain(&root),
        Err(ChainError::LeafIsCa { .. })
    ));
}

#[test]
fn notation_crl_chain_authenticity_any_certificate_pins() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let chain = read(&dir, "notation/config/crl/certchain_with_crl.pem");
    let root = read(&dir, "notation/config/crl/root.crt");
    let e2e = read(&dir, "notation/config/localkeys/e2e.crt");
    assert_eq!(authenticity_any_cert_in_chain(&chain, &root), Ok(()));
    assert_eq!(trusted_cert_in_chain(&chain, &root), Some(&root[0]));
    // Pinning the leaf or the intermediate works as well as the root.
    for pinned in &chain {
        let trusted = [e2e[0].clone(), pinned.clone()];
        assert_eq!(authenticity_any_cert_in_chain(&chain, &trusted), Ok(()));
    }
    let err = authenticity_any_cert_in_chain(&chain, &e2e).unwrap_err();
    assert_eq!(err, ChainError::NotTrusted);
    assert_eq!(
        err.to_string(),
        "the signature's certificate chain does not contain any trusted certificate"
    );
    let err = authenticity_any_cert_in_chain(&chain, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no trusted certificates are found to verify authenticity"
    );
}

#[test]
fn notation_core_go_tsa_chain_is_a_valid_timestamping_chain() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let chain = digicert_tsa_chain(&dir);
    assert_eq!(validate_timestamping_chain(&chain), Ok(()));
    // A TSA leaf carries the timeStamping EKU, which a code-signing leaf must not.
    assert_eq!(
        validate_code_signing_chain(&chain),
        Err(ChainError::LeafExcludedEku {
            subject: chain[0].subject(),
            eku: "Timestamping",
        })
    );
    // The TSA leaf alone is not self-signed.
    assert!(matches!(
        validate_timestamping_chain(&chain[..1]),
        Err(ChainError::NotSelfSigned { .. })
    ));
    assert!(is_root_ca(&chain[2]));
    assert!(!is_root_ca(&chain[1]));
}

#[test]
fn notation_tsa_trust_store_certificates_root_rule() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    for root in ["DigiCertTSARootSHA384.cer", "globalsignTSARoot.cer"] {
        let certs = read(&dir, &format!("notation/config/timestamp/{root}"));
        assert!(certs.iter().all(is_root_ca), "{root}");
    }
    for not_root in ["intermediate.pem", "notSelfIssued.crt"] {
        let certs = read(&dir, &format!("notation/config/timestamp/{not_root}"));
        assert!(!certs.iter().any(is_root_ca), "{not_root}");
    }
    let chain = read(&dir, "notation/config/timestamp/CertChain.pem");
    assert_eq!(
        chain.iter().map(is_root_ca).collect::<Vec<_>>(),
        [false, true]
    );
    let not_self_issued = read(&dir, "notation/config/timestamp/notSelfIssued.crt");
    assert!(matches!(
        validate_code_signing_chain(&not_self_issued),
        Err(ChainError::NotSelfIssued { .. })
    ));
}

#[test]
fn expired_e2e_certificate_validity_messages() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let chain = read(&dir, "notation/config/localkeys/expired_e2e.crt");
    // Valid 2023-06-26 06:10:00 to 2023-06-27 06:10:00 UTC.
    assert_eq!(
        chain_valid_at(&chain, datetime!(2023-06-26 12:00 UTC)),
        Ok(())
    );
    let expired = chain_valid_at(&chain, datetime!(2024-01-01 0:00 UTC)).unwrap_err();
    assert!(matches!(expired, ChainError::Expired { .. }));
    assert!(
        expired
            .to_string()
            .ends_with("validity period, it was expired at \"Tue, 27 Jun 2023 06:10:00 +0000\""),
        "{expired}"
    );
    let early = chain_valid_at(&chain, datetime!(2023-01-01 0:00 UTC)).unwrap_err();
    assert!(
        early
            .to_string()
            .starts_with("verification time is before certificate ")
            && early
                .to_string()
                .ends_with("it will be valid from \"Mon, 26 Jun 2023 06:10:00 +0000\""),
        "{early}"
    );
    // A timestamp inside the validity period makes the expired certificate acceptable.
    let gen = datetime!(2023-06-27 06:09:59 UTC);
    let acc = time::Duration::seconds(1);
    assert_eq!(chain_valid_within(&chain, gen - acc, gen + acc), Ok(()));
    let gen = datetime!(2023-06-27 06:10:00 UTC);
    assert!(matches!(
        chain_valid_within(&chain, gen - acc, gen + acc),
        Err(ChainError::TimestampAfterValidity { .. })
    ));
    let signing = datetime!(2023-06-28 0:00 +02:00);
    let err = chain_valid_at_authentic_signing_time(&chain, signing).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("was not valid when the digital signature was produced at \"Wed, 28 Jun 2023 00:00:00 +0200\""),
        "{err}"
    );
}

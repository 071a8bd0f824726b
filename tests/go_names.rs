//! Certificate names in messages and reports are rendered as Go's `pkix.Name.String()` renders
//! them (what a user sees in the cluster): Go's fixed attribute order, several values of one
//! type in one multi-valued RDN, attributes Go has no name for last as `OID=#hex`.
#![cfg(test)]

use airgap_verify::pki::cert::parse_certificates;

#[test]
fn subjects_render_as_go_renders_them() {
    let t = tempfile::tempdir().unwrap();
    // In certificate order: O before ST, two OUs, an emailAddress.
    let Some((_, der)) = airgap_verify_testkit::openssl::self_signed_cert(
        t.path(),
        "/C=US/O=Acme Corp/ST=WA/OU=Build/OU=Release/CN=signer/emailAddress=a@b.c",
    ) else {
        return;
    };
    let cert = parse_certificates(&der, 1).unwrap().remove(0);
    assert_eq!(
        cert.subject(),
        "CN=signer,OU=Build+OU=Release,O=Acme Corp,ST=WA,C=US,1.2.840.113549.1.9.1=#0c056140622e63"
    );
    assert_eq!(cert.issuer(), cert.subject());
    // The RFC 4514 rendering keeps the certificate's order: not what Go prints.
    assert_ne!(
        cert.inner().tbs_certificate.subject.to_string(),
        cert.subject()
    );
}

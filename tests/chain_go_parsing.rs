//! Certificates that Go's crypto/x509 refuses to parse fail the chain through the binary as in
//! Flux: a negative serial number (Go 1.23 and later), an elliptic-curve public key written as a
//! compressed point. Their well-formed twins verify.
#![cfg(test)]

use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{level, Bundle, Sig};
use airgap_verify_testkit::pki::{Pki, PkiSpec};
use x509_cert::certificate::TbsCertificate;

fn negative_serial(t: &mut TbsCertificate) {
    t.serial_number = <x509_cert::serial_number::SerialNumber as der::Decode>::from_der(&[
        0x02, 0x02, 0xff, 0x01,
    ])
    .unwrap();
}

fn compressed_point(t: &mut TbsCertificate) {
    let spki = &mut t.subject_public_key_info;
    let point = p256::EncodedPoint::from_bytes(spki.subject_public_key.raw_bytes()).unwrap();
    spki.subject_public_key =
        der::asn1::BitString::from_bytes(point.compress().as_bytes()).unwrap();
}

fn pki(name: &str, which: &str, edit: fn(&mut TbsCertificate)) -> Pki {
    let mut spec = PkiSpec::with_keys(name, KeySpec::EcP256, KeySpec::EcP256);
    match which {
        "leaf" => spec.leaf.edit = Some(edit),
        _ => spec.intermediate.edit = Some(edit),
    }
    Pki::from_spec(spec)
}

#[test]
fn go_refuses_negative_serials_and_compressed_points() {
    for which in ["leaf", "intermediate"] {
        for (what, edit, text) in [
            (
                "negative",
                negative_serial as fn(&mut TbsCertificate),
                "negative",
            ),
            ("compressed", compressed_point, "uncompressed"),
        ] {
            let pki = pki(&format!("Go {what} {which}"), which, edit);
            let b = Bundle::signed(&[Sig::jws(&pki)]);
            let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
            r.expect(1, "failed").no_panic();
            assert!(r.error(0).contains(text), "{which} {what}: {r:#?}");
        }
    }
    let pki = Pki::new("Go well formed");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    b.verify(&level("strict"), &[&pki.root.cert], &[])
        .expect(0, "verified");
}

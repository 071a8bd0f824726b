//! Certificates that Go's crypto/x509 refuses to parse fail the chain through the binary as in
//! Flux: a negative serial number (Go 1.23 and later), an elliptic-curve public key written as a
//! compressed point. Their well-formed twins verify, and so do serial numbers longer than 20
//! octets, which Go reads.
#![cfg(test)]

use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{level, Bundle, Sig};
use airgap_verify_testkit::pki::TbsCertificate;
use airgap_verify_testkit::pki::{Pki, PkiSpec};

fn serial(der: &[u8]) -> x509_cert::serial_number::SerialNumber<airgap_verify::pki::cert::GoX509> {
    <x509_cert::serial_number::SerialNumber<_> as der::Decode>::from_der(der).unwrap()
}

fn negative_serial(t: &mut TbsCertificate) {
    t.serial_number = serial(&[0x02, 0x02, 0xff, 0x01]);
}

/// 32 octets: longer than RFC 5280's 20, which Go's crypto/x509 does not enforce.
fn long_serial(t: &mut TbsCertificate) {
    let mut der = vec![0x02, 32];
    der.extend([0x5a; 32]);
    t.serial_number = serial(&der);
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

#[test]
fn serial_numbers_longer_than_20_octets_verify_as_go_reads_them() {
    for which in ["leaf", "intermediate"] {
        let pki = pki(&format!("Go long serial {which}"), which, long_serial);
        let cert = if which == "leaf" {
            &pki.leaf.cert
        } else {
            &pki.intermediate.cert
        };
        assert_eq!(cert.serial_hex(), "5a".repeat(32));
        let b = Bundle::signed(&[Sig::jws(&pki)]);
        b.verify(&level("strict"), &[&pki.root.cert], &[])
            .expect(0, "verified")
            .no_panic();
    }
}

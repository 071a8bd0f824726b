//! Each certificate-chain rule of NOTATION.md §5.2 and §6, with a passing and a failing case, on
//! certificates generated here (tbsCertificate built field by field and signed with p256, RSA or
//! Ed25519 keys, so that any extension, criticality or algorithm can be exercised).
#![cfg(test)]

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use airgap_verify::pki::cert::Cert;
use airgap_verify::pki::chain::*;
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{BitString, OctetString, UtcTime};
use der::{Any, Decode, Encode};
use pkcs8::EncodePublicKey;
use signature::{SignatureEncoding, Signer as _};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::macros::datetime;
use time::OffsetDateTime;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

// ------------------------------------------------------------------------------------------------
// Certificate factory

const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
const RSA_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const EKU_SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
const EKU_CODE_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.3");
const EKU_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
const EKU_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
const EKU_ANY: Oid = Oid::new_unwrap("2.5.29.37.0");

enum Signer {
    P256(p256::ecdsa::SigningKey),
    Rsa(rsa::RsaPrivateKey),
    Ed25519(ed25519_dalek::SigningKey),
    /// A public key we only certify, never sign with.
    None,
}

struct Key {
    spki: SubjectPublicKeyInfoOwned,
    signer: Signer,
}

impl Key {
    fn p256(seed: u8) -> Key {
        let sk = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        let der = sk.verifying_key().to_public_key_der().unwrap();
        Key::from_spki_der(der.as_bytes(), Signer::P256(sk))
    }

    fn p384() -> Key {
        let sk = p384::ecdsa::SigningKey::from_slice(&[5; 48]).unwrap();
        let der = sk.verifying_key().to_public_key_der().unwrap();
        Key::from_spki_der(der.as_bytes(), Signer::None)
    }

    /// RSA keys are slow to generate unoptimised: one per size for the whole test binary.
    fn rsa(bits: usize) -> &'static Key {
        static RSA_1024: OnceLock<Key> = OnceLock::new();
        static RSA_2048: OnceLock<Key> = OnceLock::new();
        let cell = if bits == 1024 { &RSA_1024 } else { &RSA_2048 };
        cell.get_or_init(|| {
            let sk = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits).unwrap();
            let der = sk.to_public_key().to_public_key_der().unwrap();
            Key::from_spki_der(der.as_bytes(), Signer::Rsa(sk))
        })
    }

    fn ed25519() -> Key {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let der = sk.verifying_key().to_public_key_der().unwrap();
        Key::from_spki_der(der.as_bytes(), Signer::Ed25519(sk))
    }

    /// A P-224 public key made by the `openssl` CLI (no P-224 crate in the tree).
    fn p224() -> Key {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(
                "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-224 2>/dev/null \
                 | openssl pkey -pubout -outform DER",
            )
            .output()
            .expect("openssl CLI");
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "openssl P-224"
        );
        Key::from_spki_der(&out.stdout, Signer::None)
    }

    fn from_spki_der(der: &[u8], signer: Signer) -> Key {
        Key {
            spki: SubjectPublicKeyInfoOwned::from_der(der).unwrap(),
            signer,
        }
    }

    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self.signer {
            Signer::P256(_) => alg(ECDSA_SHA256, None),
            Signer::Rsa(_) => alg(RSA_SHA256, Some(Any::null())),
            Signer::Ed25519(_) => alg(ED25519, None),
            Signer::None => panic!("this key cannot sign"),
        }
    }

    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match &self.signer {
            Signer::P256(sk) => {
                let sig: p256::ecdsa::DerSignature = sk.sign(msg);
                sig.to_vec()
            }
            Signer::Rsa(sk) => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(sk.clone())
                .sign(msg)
                .to_vec(),
            Signer::Ed25519(sk) => sk.sign(msg).to_vec(),
            Signer::None => panic!("this key cannot sign"),
        }
    }
}

fn alg(oid: Oid, parameters: Option<Any>) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters }
}

fn name(cn: &str) -> Name {
    Name::from_str(&format!("CN={cn},O=Notary Test,ST=WA,C=US")).unwrap()
}

fn utc(t: OffsetDateTime) -> Time {
    Time::UtcTime(
        UtcTime::from_unix_duration(Duration::from_secs(t.unix_timestamp() as u64)).unwrap(),
    )
}

/// Everything about one certificate to generate. Defaults: a P-256 code-signing leaf valid
/// 2020–2040, keyUsage digitalSignature (critical), basicConstraints cA=false (critical).
struct Spec<'k> {
    cn: String,
    key: &'k Key,
    /// Issuer name and key; `None` for self-signed.
    issuer: Option<(String, &'k Key)>,
    key_usage: Option<(bool, KeyUsage)>,
    basic_constraints: Option<(bool, BasicConstraints)>,
    eku: Option<(bool, Vec<Oid>)>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    /// Overrides the inner and outer signature algorithm OID (the signature stays as made).
    sig_oid: Option<Oid>,
    /// Overrides only the outer signatureAlgorithm.
    outer_sig_oid: Option<Oid>,
    /// Repeat the keyUsage extension.
    duplicate_key_usage: bool,
}

fn ku(flags: &[KeyUsages]) -> KeyUsage {
    let mut usage = KeyUsage(Default::default());
    for f in flags {
        usage.0 |= *f;
    }
    usage
}

impl<'k> Spec<'k> {
    fn leaf(cn: &str, key: &'k Key, issuer: Option<(&str, &'k Key)>) -> Spec<'k> {
        Spec {
            cn: cn.into(),
            key,
            issuer: issuer.map(|(n, k)| (n.to_string(), k)),
            key_usage: Some((true, ku(&[KeyUsages::DigitalSignature]))),
            basic_constraints: Some((
                true,
                BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
            )),
            eku: None,
            not_before: datetime!(2020-01-01 0:00 UTC),
            not_after: datetime!(2040-01-01 0:00 UTC),
            sig_oid: None,
            outer_sig_oid: None,
            duplicate_key_usage: false,
        }
    }

    fn ca(cn: &str, key: &'k Key, issuer: Option<(&str, &'k Key)>) -> Spec<'k> {
        Spec {
            key_usage: Some((true, ku(&[KeyUsages::KeyCertSign, KeyUsages::CRLSign]))),
            basic_constraints: Some((
                true,
                BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                },
            )),
            ..Spec::leaf(cn, key, issuer)
        }
    }

    fn tsa(cn: &str, key: &'k Key, issuer: Option<(&str, &'k Key)>) -> Spec<'k> {
        Spec {
            eku: Some((true, vec![EKU_TIME_STAMPING])),
            ..Spec::leaf(cn, key, issuer)
        }
    }

    fn build(&self) -> Cert {
        static SERIAL: AtomicU32 = AtomicU32::new(1);
        let (issuer_name, issuer_key) = match &self.issuer {
            Some((n, k)) => (name(n), *k),
            None => (name(&self.cn), self.key),
        };
        let mut algorithm = issuer_key.algorithm();
        if let Some(oid) = self.sig_oid {
            algorithm.oid = oid;
        }
        let ext = |oid: Oid, critical: bool, value: Vec<u8>| Extension {
            extn_id: oid,
            critical,
            extn_value: OctetString::new(value).unwrap(),
        };
        let mut extensions = Vec::new();
        if let Some((critical, v)) = &self.key_usage {
            let e = ext(Oid::new_unwrap("2.5.29.15"), *critical, v.to_der().unwrap());
            if self.duplicate_key_usage {
                extensions.push(e.clone());
            }
            extensions.push(e);
        }
        if let Some((critical, v)) = &self.basic_constraints {
            extensions.push(ext(
                Oid::new_unwrap("2.5.29.19"),
                *critical,
                v.to_der().unwrap(),
            ));
        }
        if let Some((critical, v)) = &self.eku {
            let v = ExtendedKeyUsage(v.clone()).to_der().unwrap();
            extensions.push(ext(Oid::new_unwrap("2.5.29.37"), *critical, v));
        }
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::from(SERIAL.fetch_add(1, Ordering::Relaxed)),
            signature: algorithm.clone(),
            issuer: issuer_name,
            validity: Validity {
                not_before: utc(self.not_before),
                not_after: utc(self.not_after),
            },
            subject: name(&self.cn),
            subject_public_key_info: self.key.spki.clone(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: (!extensions.is_empty()).then_some(extensions),
        };
        let signature = issuer_key.sign(&tbs.to_der().unwrap());
        if let Some(oid) = self.outer_sig_oid {
            algorithm.oid = oid;
        }
        let cert = Certificate {
            tbs_certificate: tbs,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(&signature).unwrap(),
        };
        Cert::from_der(&cert.to_der().unwrap()).unwrap()
    }
}

/// Keys of a standard three-level PKI.
struct Pki {
    root: Key,
    inter: Key,
    leaf: Key,
}

fn pki() -> Pki {
    Pki {
        root: Key::p256(1),
        inter: Key::p256(2),
        leaf: Key::p256(3),
    }
}

impl Pki {
    fn root(&self) -> Cert {
        Spec::ca("Root", &self.root, None).build()
    }
    fn inter_spec(&self) -> Spec<'_> {
        Spec::ca("Inter", &self.inter, Some(("Root", &self.root)))
    }
    fn inter(&self) -> Cert {
        self.inter_spec().build()
    }
    fn leaf_spec(&self) -> Spec<'_> {
        Spec::leaf("Leaf", &self.leaf, Some(("Inter", &self.inter)))
    }
    fn tsa_spec(&self) -> Spec<'_> {
        Spec::tsa("TSA", &self.leaf, Some(("Inter", &self.inter)))
    }
    /// [leaf, intermediate, root] with a custom leaf.
    fn chain_with_leaf(&self, leaf: Spec<'_>) -> Vec<Cert> {
        vec![leaf.build(), self.inter(), self.root()]
    }
}

fn self_signed_leaf(key: &Key) -> Spec<'_> {
    Spec::leaf("Self", key, None)
}

// ------------------------------------------------------------------------------------------------
// Whole chains

#[test]
fn well_formed_chains_pass() {
    let p = pki();
    assert_eq!(
        validate_code_signing_chain(&p.chain_with_leaf(p.leaf_spec())),
        Ok(())
    );
    assert_eq!(
        validate_timestamping_chain(&p.chain_with_leaf(p.tsa_spec())),
        Ok(())
    );
    // Two certificates: the leaf directly under the root.
    let leaf = Spec::leaf("Leaf", &p.leaf, Some(("Root", &p.root))).build();
    assert_eq!(validate_code_signing_chain(&[leaf, p.root()]), Ok(()));
    // RSA 2048 root signing everything, EC P-384 leaf.
    let rsa = Key::rsa(2048);
    let p384 = Key::p384();
    let root = Spec::ca("RsaRoot", rsa, None).build();
    let leaf = Spec::leaf("P384", &p384, Some(("RsaRoot", rsa))).build();
    assert_eq!(validate_code_signing_chain(&[leaf, root]), Ok(()));
}

#[test]
fn chain_is_not_empty_rule() {
    let p = pki();
    assert_eq!(chain_is_not_empty(&[p.root()]), Ok(()));
    assert_eq!(chain_is_not_empty(&[]), Err(ChainError::Empty));
}

#[test]
fn chain_within_limit_rule_rejects_a_thousand_certificates() {
    let p = pki();
    let chain = p.chain_with_leaf(p.leaf_spec());
    assert_eq!(chain_within_limit(&chain, 3), Ok(()));
    assert!(matches!(
        chain_within_limit(&chain, 2),
        Err(ChainError::TooLong { len: 3, max: 2 })
    ));
    let huge: Vec<Cert> = std::iter::repeat_n(chain[0].clone(), 1000).collect();
    assert!(matches!(
        validate_code_signing_chain(&huge),
        Err(ChainError::TooLong { len: 1000, .. })
    ));
}

#[test]
fn chain_does_not_repeat_a_certificate_rule() {
    let p = pki();
    let chain = p.chain_with_leaf(p.leaf_spec());
    assert_eq!(chain_does_not_repeat_a_certificate(&chain), Ok(()));
    let looped = vec![
        chain[0].clone(),
        chain[1].clone(),
        chain[1].clone(),
        chain[2].clone(),
    ];
    assert!(matches!(
        validate_code_signing_chain(&looped),
        Err(ChainError::RepeatedCertificate {
            first: 1,
            second: 2,
            ..
        })
    ));
    let doubled_root = vec![
        chain[0].clone(),
        chain[1].clone(),
        chain[2].clone(),
        chain[2].clone(),
    ];
    assert!(matches!(
        validate_timestamping_chain(&doubled_root),
        Err(ChainError::RepeatedCertificate {
            first: 2,
            second: 3,
            ..
        })
    ));
}

#[test]
fn signature_algorithm_is_not_sha1_rule() {
    let p = pki();
    let leaf = p.leaf_spec().build();
    assert_eq!(signature_algorithm_is_not_sha1(&leaf), Ok(()));
    let sha1 = Spec {
        sig_oid: Some(ECDSA_SHA1),
        ..p.leaf_spec()
    };
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(sha1)),
        Err(ChainError::Sha1Signature { .. })
    ));
    // Also for a lone self-signed certificate (stricter than notation-core-go, as the spec says).
    let lone = Spec {
        sig_oid: Some(ECDSA_SHA1),
        ..self_signed_leaf(&p.leaf)
    };
    assert!(matches!(
        validate_code_signing_chain(&[lone.build()]),
        Err(ChainError::Sha1Signature { lone: true, .. })
    ));
    // The message says that Flux would accept it; in a longer chain it would not.
    let e = validate_code_signing_chain(&[lone.build()]).unwrap_err();
    assert!(e.to_string().contains("and so Flux, which accepts"), "{e}");
    let e = validate_code_signing_chain(&p.chain_with_leaf(Spec {
        sig_oid: Some(ECDSA_SHA1),
        ..p.leaf_spec()
    }))
    .unwrap_err();
    assert!(!e.to_string().contains("Flux"), "{e}");
}

#[test]
fn signature_algorithm_is_consistent_rule() {
    let p = pki();
    assert_eq!(signature_algorithm_is_consistent(&p.root()), Ok(()));
    let mismatched = Spec {
        outer_sig_oid: Some(Oid::new_unwrap("1.2.840.10045.4.3.3")),
        ..p.leaf_spec()
    };
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(mismatched)),
        Err(ChainError::SignatureAlgorithmMismatch { .. })
    ));
}

#[test]
fn single_certificate_is_self_signed_rule() {
    let p = pki();
    let lone = self_signed_leaf(&p.leaf).build();
    assert_eq!(
        validate_code_signing_chain(std::slice::from_ref(&lone)),
        Ok(())
    );
    // An Ed25519 self-signature verifies, but the key is not a Notation key spec.
    let ed = Key::ed25519();
    let ed_cert = self_signed_leaf(&ed).build();
    assert_eq!(single_certificate_is_self_signed(&ed_cert), Ok(()));
    assert!(matches!(
        validate_code_signing_chain(&[ed_cert]),
        Err(ChainError::UnsupportedKey { .. })
    ));
    // A leaf issued by a CA, alone.
    let leaf = p.leaf_spec().build();
    let err = validate_code_signing_chain(&[leaf]).unwrap_err();
    assert!(matches!(err, ChainError::NotSelfSigned { .. }), "{err}");
    assert!(err
        .to_string()
        .starts_with("invalid self-signed certificate. subject: \"CN=Leaf"));
    // Signed with its own key, but the issuer name is another name.
    let not_self_issued = Spec::leaf("Self", &p.leaf, Some(("Other", &p.leaf))).build();
    assert!(matches!(
        validate_code_signing_chain(&[not_self_issued]),
        Err(ChainError::NotSelfIssued { .. })
    ));
}

#[test]
fn root_is_self_signed_rule() {
    let p = pki();
    assert_eq!(root_is_self_signed(&p.root()), Ok(()));
    // A chain that stops at the intermediate.
    let chain = vec![p.leaf_spec().build(), p.inter()];
    let err = validate_code_signing_chain(&chain).unwrap_err();
    assert!(matches!(err, ChainError::RootNotSelfSigned { .. }), "{err}");
    assert!(err
        .to_string()
        .contains("Certificate chain must end with a valid self-signed root certificate"));
    // A self-signed certificate that is not a CA cannot be a root (Go CheckSignatureFrom).
    let not_ca = self_signed_leaf(&p.root).build();
    assert!(matches!(
        root_is_self_signed(&not_ca),
        Err(ChainError::RootNotSelfSigned { .. })
    ));
}

#[test]
fn non_root_is_not_self_signed_rule() {
    let p = pki();
    assert_eq!(non_root_is_not_self_signed(&p.inter(), 1), Ok(()));
    assert!(matches!(
        non_root_is_not_self_signed(&p.root(), 0),
        Err(ChainError::LeafSelfSigned { .. })
    ));
    // An extra root after the real root.
    let other_root = Spec::ca("OtherRoot", &p.inter, None).build();
    let chain = vec![p.leaf_spec().build(), p.inter(), p.root(), other_root];
    assert!(matches!(
        validate_code_signing_chain(&chain),
        Err(ChainError::IntermediateSelfSigned { .. })
    ));
    // A self-signed intermediate (the leaf's issuer) in front of a root.
    let self_signed_inter = Spec::ca("Inter", &p.inter, None).build();
    let chain = vec![p.leaf_spec().build(), self_signed_inter, p.root()];
    assert!(matches!(
        validate_code_signing_chain(&chain),
        Err(ChainError::IntermediateSelfSigned { .. })
    ));
}

#[test]
fn is_issued_by_next_rule() {
    let p = pki();
    let chain = p.chain_with_leaf(p.leaf_spec());
    assert_eq!(is_issued_by_next(&chain[0], &chain[1]), Ok(()));
    // An unrelated CA in the middle.
    let unrelated_key = Key::p256(4);
    let unrelated = Spec::ca("Unrelated", &unrelated_key, Some(("Root", &p.root))).build();
    let chain = vec![p.leaf_spec().build(), unrelated, p.root()];
    let err = validate_code_signing_chain(&chain).unwrap_err();
    assert!(matches!(err, ChainError::NotIssuedBy { .. }), "{err}");
    // The right issuer name, signed by another key (a forged certificate).
    let forged = Spec::leaf("Leaf", &p.leaf, Some(("Inter", &unrelated_key)));
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(forged)),
        Err(ChainError::NotIssuedBy { .. })
    ));
    // Out of order.
    let chain = vec![p.inter(), p.leaf_spec().build(), p.root()];
    assert!(validate_code_signing_chain(&chain).is_err());
}

#[test]
fn leaf_is_not_ca_rule() {
    let p = pki();
    let no_bc = Spec {
        basic_constraints: None,
        ..p.leaf_spec()
    };
    assert_eq!(
        validate_code_signing_chain(&p.chain_with_leaf(no_bc)),
        Ok(())
    );
    let ca_leaf = Spec {
        basic_constraints: Some((
            true,
            BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        )),
        ..p.leaf_spec()
    };
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(ca_leaf)),
        Err(ChainError::LeafIsCa { .. })
    ));
    let lone_ca = Spec::ca("SelfCa", &p.leaf, None).build();
    assert!(matches!(
        leaf_is_not_ca(&lone_ca),
        Err(ChainError::LeafIsCa { .. })
    ));
}

#[test]
fn key_usage_is_present_and_critical_rule() {
    let p = pki();
    let not_critical = Spec {
        key_usage: Some((false, ku(&[KeyUsages::DigitalSignature]))),
        ..p.leaf_spec()
    };
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(not_critical)),
        Err(ChainError::KeyUsageNotCritical { .. })
    ));
    let missing = Spec {
        key_usage: None,
        ..p.leaf_spec()
    };
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(missing)),
        Err(ChainError::KeyUsageMissing { .. })
    ));
    // Also on CAs.
    let inter = Spec {
        key_usage: Some((false, ku(&[KeyUsages::KeyCertSign]))),
        ..p.inter_spec()
    }
    .build();
    assert_eq!(key_usage_is_present_and_critical(&p.inter()), Ok(()));
    assert!(matches!(
        key_usage_is_present_and_critical(&inter),
        Err(ChainError::KeyUsageNotCritical { .. })
    ));
}

#[test]
fn key_usage_is_present_rule_for_timestamping() {
    let p = pki();
    // Criticality is not required in a TSA chain...
    let not_critical = Spec {
        key_usage: Some((false, ku(&[KeyUsages::DigitalSignature]))),
        ..p.tsa_spec()
    };
    assert_eq!(
        validate_timestamping_chain(&p.chain_with_leaf(not_critical)),
        Ok(())
    );
    // ...but presence is.
    let missing = Spec {
        key_usage: None,
        ..p.tsa_spec()
    };
    assert!(matches!(
        validate_timestamping_chain(&p.chain_with_leaf(missing)),
        Err(ChainError::KeyUsageMissing { .. })
    ));
}

#[test]
fn leaf_requires_digital_signature_key_usage_rule() {
    let p = pki();
    let with_non_repudiation = Spec {
        key_usage: Some((
            true,
            ku(&[KeyUsages::DigitalSignature, KeyUsages::NonRepudiation]),
        )),
        ..p.leaf_spec()
    };
    assert_eq!(
        validate_code_signing_chain(&p.chain_with_leaf(with_non_repudiation)),
        Ok(())
    );
    let without = Spec {
        key_usage: Some((true, ku(&[KeyUsages::NonRepudiation]))),
        ..p.leaf_spec()
    };
    let err = validate_code_signing_chain(&p.chain_with_leaf(without)).unwrap_err();
    assert!(
        matches!(err, ChainError::LeafLacksDigitalSignature { .. }),
        "{err}"
    );
    let tsa_without = Spec {
        key_usage: Some((true, ku(&[KeyUsages::NonRepudiation]))),
        ..p.tsa_spec()
    };
    assert!(matches!(
        validate_timestamping_chain(&p.chain_with_leaf(tsa_without)),
        Err(ChainError::LeafLacksDigitalSignature { .. })
    ));
}

#[test]
fn leaf_forbids_other_key_usages_rule() {
    let p = pki();
    assert_eq!(
        leaf_forbids_other_key_usages(&p.leaf_spec().build()),
        Ok(())
    );
    let encipher = Spec {
        key_usage: Some((
            true,
            ku(&[
                KeyUsages::DigitalSignature,
                KeyUsages::KeyEncipherment,
                KeyUsages::CRLSign,
            ]),
        )),
        ..p.leaf_spec()
    };
    let err = validate_code_signing_chain(&p.chain_with_leaf(encipher)).unwrap_err();
    assert_eq!(
        err,
        ChainError::LeafForbiddenKeyUsage {
            subject: "CN=Leaf,O=Notary Test,ST=WA,C=US".into(),
            usages: vec!["\"KeyEncipherment\"", "\"CRLSign\""],
        }
    );
    assert!(err.to_string().ends_with(
        "must be \"Digital Signature\" only, but found \"KeyEncipherment\", \"CRLSign\""
    ));
}

#[test]
fn code_signing_leaf_excludes_other_ekus_rule() {
    let p = pki();
    // Absent, codeSigning, and (following notation-core-go) anyExtendedKeyUsage pass.
    for eku in [None, Some(vec![EKU_CODE_SIGNING]), Some(vec![EKU_ANY])] {
        let leaf = Spec {
            eku: eku.clone().map(|e| (false, e)),
            ..p.leaf_spec()
        };
        assert_eq!(
            validate_code_signing_chain(&p.chain_with_leaf(leaf)),
            Ok(()),
            "{eku:?}"
        );
    }
    for (eku, name) in [
        (EKU_SERVER_AUTH, "ServerAuth"),
        (EKU_TIME_STAMPING, "Timestamping"),
        (EKU_OCSP_SIGNING, "OCSPSigning"),
    ] {
        let leaf = Spec {
            eku: Some((false, vec![EKU_CODE_SIGNING, eku])),
            ..p.leaf_spec()
        };
        let err = validate_code_signing_chain(&p.chain_with_leaf(leaf)).unwrap_err();
        assert!(
            matches!(err, ChainError::LeafExcludedEku { eku, .. } if eku == name),
            "{err}"
        );
    }
}

#[test]
fn timestamping_leaf_eku_is_time_stamping_only_rule() {
    let p = pki();
    assert_eq!(
        timestamping_leaf_eku_is_time_stamping_only(&p.tsa_spec().build()),
        Ok(())
    );
    for eku in [
        None,
        Some(vec![EKU_TIME_STAMPING, EKU_CODE_SIGNING]),
        Some(vec![EKU_ANY]),
        Some(vec![EKU_TIME_STAMPING, EKU_TIME_STAMPING]),
        Some(vec![EKU_TIME_STAMPING, Oid::new_unwrap("1.2.3.4")]),
    ] {
        let leaf = Spec {
            eku: eku.clone().map(|e| (true, e)),
            ..p.tsa_spec()
        };
        assert!(
            matches!(
                validate_timestamping_chain(&p.chain_with_leaf(leaf)),
                Err(ChainError::TsaEkuNotTimeStampingOnly { .. })
            ),
            "{eku:?}"
        );
    }
}

#[test]
fn timestamping_leaf_eku_is_critical_rule() {
    let p = pki();
    assert_eq!(
        timestamping_leaf_eku_is_critical(&p.tsa_spec().build()),
        Ok(())
    );
    let not_critical = Spec {
        eku: Some((false, vec![EKU_TIME_STAMPING])),
        ..p.tsa_spec()
    };
    assert!(matches!(
        validate_timestamping_chain(&p.chain_with_leaf(not_critical)),
        Err(ChainError::TsaEkuNotCritical { .. })
    ));
}

#[test]
fn leaf_key_is_a_notation_key_spec_rule() {
    let p = pki();
    let rsa2048 = Spec::leaf("Rsa2048", Key::rsa(2048), Some(("Inter", &p.inter)));
    assert_eq!(
        validate_code_signing_chain(&p.chain_with_leaf(rsa2048)),
        Ok(())
    );
    let p224 = Key::p224();
    let ed = Key::ed25519();
    for key in [Key::rsa(1024), &p224, &ed] {
        let leaf = Spec::leaf("Weak", key, Some(("Inter", &p.inter)));
        let err = validate_code_signing_chain(&p.chain_with_leaf(leaf)).unwrap_err();
        assert!(matches!(err, ChainError::UnsupportedKey { .. }), "{err}");
    }
    let tsa = Spec::tsa("WeakTsa", Key::rsa(1024), Some(("Inter", &p.inter)));
    let err = validate_timestamping_chain(&p.chain_with_leaf(tsa)).unwrap_err();
    assert!(err.to_string().contains("1024"), "{err}");
}

#[test]
fn ca_basic_constraints_is_ca_rule() {
    let p = pki();
    // Following notation-core-go, a non-critical basicConstraints is accepted on a CA.
    let not_critical = Spec {
        basic_constraints: Some((
            false,
            BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        )),
        ..p.inter_spec()
    };
    let chain = vec![p.leaf_spec().build(), not_critical.build(), p.root()];
    assert_eq!(validate_code_signing_chain(&chain), Ok(()));
    let no_bc = Spec {
        basic_constraints: None,
        ..p.inter_spec()
    }
    .build();
    assert!(matches!(
        ca_basic_constraints_is_ca(&no_bc),
        Err(ChainError::CaNotCa { .. })
    ));
    // In a chain, Go's CheckSignatureFrom already refuses a v3 issuer without cA.
    let chain = vec![p.leaf_spec().build(), no_bc, p.root()];
    let err = validate_code_signing_chain(&chain).unwrap_err();
    assert!(matches!(err, ChainError::NotIssuedBy { .. }), "{err}");
}

#[test]
fn ca_requires_key_cert_sign_rule() {
    let p = pki();
    assert_eq!(ca_requires_key_cert_sign(&p.inter()), Ok(()));
    let crl_only = Spec {
        key_usage: Some((true, ku(&[KeyUsages::CRLSign]))),
        ..p.inter_spec()
    }
    .build();
    assert!(matches!(
        ca_requires_key_cert_sign(&crl_only),
        Err(ChainError::CaLacksKeyCertSign { .. })
    ));
    let chain = vec![p.leaf_spec().build(), crl_only, p.root()];
    let err = validate_code_signing_chain(&chain).unwrap_err();
    assert!(matches!(err, ChainError::NotIssuedBy { .. }), "{err}");
    assert!(err.to_string().contains("keyCertSign"), "{err}");
    // The root too.
    let root = Spec {
        key_usage: Some((true, ku(&[KeyUsages::DigitalSignature]))),
        ..Spec::ca("Root", &p.root, None)
    }
    .build();
    let chain = vec![p.leaf_spec().build(), p.inter(), root];
    assert!(validate_code_signing_chain(&chain).is_err());
}

#[test]
fn ca_path_len_allows_intermediates_below_rule() {
    let p = pki();
    let key2 = Key::p256(6);
    let with_path_len = |len| Spec {
        basic_constraints: Some((
            true,
            BasicConstraints {
                ca: true,
                path_len_constraint: Some(len),
            },
        )),
        ..p.inter_spec()
    };
    // pathLen 0 directly above the leaf is fine.
    let chain = vec![p.leaf_spec().build(), with_path_len(0).build(), p.root()];
    assert_eq!(validate_code_signing_chain(&chain), Ok(()));
    // pathLen 0 with an intermediate below it is not; pathLen 1 is.
    let lower = Spec::ca("Lower", &key2, Some(("Inter", &p.inter))).build();
    let leaf = Spec::leaf("Leaf", &p.leaf, Some(("Lower", &key2))).build();
    let chain = vec![
        leaf.clone(),
        lower.clone(),
        with_path_len(0).build(),
        p.root(),
    ];
    assert_eq!(
        validate_code_signing_chain(&chain),
        Err(ChainError::PathLenExceeded {
            subject: "CN=Inter,O=Notary Test,ST=WA,C=US".into(),
            expected: 1,
            actual: 0
        })
    );
    let chain = vec![leaf, lower, with_path_len(1).build(), p.root()];
    assert_eq!(validate_code_signing_chain(&chain), Ok(()));
}

#[test]
fn malformed_extension_is_reported() {
    let p = pki();
    let twice = Spec {
        duplicate_key_usage: true,
        ..p.leaf_spec()
    };
    assert!(matches!(
        validate_code_signing_chain(&p.chain_with_leaf(twice)),
        Err(ChainError::BadExtension { .. })
    ));
}

// ------------------------------------------------------------------------------------------------
// Trust material and authenticity

#[test]
fn is_root_ca_rule() {
    let p = pki();
    assert!(is_root_ca(&p.root()));
    assert!(!is_root_ca(&p.inter()));
    // Self-signed but not a CA: accepted in a ca store, refused in a tsa store.
    let lone = self_signed_leaf(&p.leaf).build();
    assert!(!is_root_ca(&lone));
    assert!(is_ca_or_self_signed(&lone));
    assert!(is_ca_or_self_signed(&p.inter()));
    assert!(!is_ca_or_self_signed(&p.leaf_spec().build()));
}

#[test]
fn authenticity_any_cert_in_chain_rule() {
    let p = pki();
    let chain = p.chain_with_leaf(p.leaf_spec());
    for pinned in &chain {
        assert_eq!(
            authenticity_any_cert_in_chain(&chain, std::slice::from_ref(pinned)),
            Ok(())
        );
    }
    // The same subject and key, but another certificate: byte equality is what counts.
    let reissued_root = p.root();
    assert_eq!(
        authenticity_any_cert_in_chain(&chain, &[reissued_root]),
        Err(ChainError::NotTrusted)
    );
    assert_eq!(
        authenticity_any_cert_in_chain(&chain, &[]),
        Err(ChainError::NoTrustedCertificates)
    );
}

// ------------------------------------------------------------------------------------------------
// Validity

fn dated<'k>(key: &'k Key, nb: OffsetDateTime, na: OffsetDateTime) -> Spec<'k> {
    Spec {
        not_before: nb,
        not_after: na,
        ..self_signed_leaf(key)
    }
}

#[test]
fn chain_valid_at_rule() {
    let p = pki();
    let nb = datetime!(2023-06-26 06:10:00 UTC);
    let na = datetime!(2023-06-27 06:10:00 UTC);
    let chain = [dated(&p.leaf, nb, na).build()];
    // Bounds are inclusive.
    assert_eq!(chain_valid_at(&chain, nb), Ok(()));
    assert_eq!(chain_valid_at(&chain, na), Ok(()));
    let err = chain_valid_at(&chain, na + time::Duration::seconds(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "verification time is after certificate \"CN=Self,O=Notary Test,ST=WA,C=US\" validity \
         period, it was expired at \"Tue, 27 Jun 2023 06:10:00 +0000\""
    );
    let err = chain_valid_at(&chain, nb - time::Duration::seconds(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "verification time is before certificate \"CN=Self,O=Notary Test,ST=WA,C=US\" validity \
         period, it will be valid from \"Mon, 26 Jun 2023 06:10:00 +0000\""
    );
    // Every certificate counts, not only the leaf; nesting is not required.
    let p2 = pki();
    let root = Spec {
        not_after: datetime!(2021-01-01 0:00 UTC),
        ..Spec::ca("Root", &p2.root, None)
    }
    .build();
    let chain = vec![p2.leaf_spec().build(), p2.inter(), root];
    assert!(matches!(
        chain_valid_at(&chain, datetime!(2022-01-01 0:00 UTC)),
        Err(ChainError::Expired { subject, .. }) if subject.starts_with("CN=Root")
    ));
}

#[test]
fn chain_valid_within_rule() {
    let p = pki();
    let nb = datetime!(2023-06-26 06:10:00 UTC);
    let na = datetime!(2023-06-27 06:10:00 UTC);
    let chain = [dated(&p.leaf, nb, na).build()];
    let acc = time::Duration::seconds(1);
    let gen = nb + acc;
    assert_eq!(chain_valid_within(&chain, gen - acc, gen + acc), Ok(()));
    let gen = nb;
    let err = chain_valid_within(&chain, gen - acc, gen + acc).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("timestamp can be before certificate \"CN=Self"));
    let gen = na;
    let err = chain_valid_within(&chain, gen - acc, gen + acc).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("timestamp can be after certificate \"CN=Self"));
    assert!(err
        .to_string()
        .ends_with("it was expired at \"Tue, 27 Jun 2023 06:10:00 +0000\""));
}

#[test]
fn chain_valid_at_authentic_signing_time_rule() {
    let p = pki();
    let nb = datetime!(2023-06-26 06:10:00 UTC);
    let na = datetime!(2023-06-27 06:10:00 UTC);
    let chain = [dated(&p.leaf, nb, na).build()];
    assert_eq!(chain_valid_at_authentic_signing_time(&chain, na), Ok(()));
    let err =
        chain_valid_at_authentic_signing_time(&chain, datetime!(2023-07-01 10:00 UTC)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "certificate \"CN=Self,O=Notary Test,ST=WA,C=US\" was not valid when the digital \
         signature was produced at \"Sat, 01 Jul 2023 10:00:00 +0000\""
    );
}

#[test]
fn most_specific_error_prefers_validity_over_trust() {
    let errors = [
        ChainError::NotTrusted,
        ChainError::Expired {
            subject: "CN=x".into(),
            not_after: datetime!(2020-01-01 0:00 UTC),
        },
        ChainError::Empty,
    ];
    assert!(matches!(
        ChainError::most_specific(&errors),
        Some(ChainError::Expired { .. })
    ));
    assert!(ChainError::NoTrustedCertificates.rank() < ChainError::NotTrusted.rank());
}

//! Certificates and keys for tests: a root CA, an intermediate, a code-signing leaf, a
//! self-signed leaf, an expired leaf, a TSA chain; every field of each certificate can be changed
//! through [`CertSpec`] to break one Notation chain rule (NOTATION.md §6.1, §6.2).
//!
//! Certificates are assembled field by field (a `TbsCertificate` signed by the issuer's key) so a
//! test can write what no well-behaved builder would: a leaf without keyUsage, a CA without
//! basicConstraints, a wrong issuer name.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use airgap_verify::pki::cert::{ext_oid, Cert};
use airgap_verify::pki::crypto::{oid, KeySpec};

use airgap_verify::pki::cert::GoX509;
use der::asn1::{BitString, GeneralizedTime, OctetString, UtcTime};
use der::flagset::FlagSet;
use der::{Decode, Encode};
use signature::{SignatureEncoding, Signer};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use time::macros::datetime;
use time::OffsetDateTime;
use x509_cert::certificate::{CertificateInner, TbsCertificateInner, Version};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// A to-be-signed certificate under the parsing profile of the crate (serial numbers of any
/// length, as Go reads them).
pub type TbsCertificate = TbsCertificateInner<GoX509>;
type Certificate = CertificateInner<GoX509>;

use crate::sign::SignKey;

/// Start of validity for long-lived test certificates.
pub const LONG_AGO: OffsetDateTime = datetime!(2019-01-01 00:00:00 UTC);
/// End of validity for long-lived test certificates ("valid for decades").
pub const FAR_FUTURE: OffsetDateTime = datetime!(2099-12-31 23:59:59 UTC);

/// Everything that goes into one certificate. Public fields: change any to break a rule.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// Subject DN as RFC 4514 (most specific first, as Go's `pkix.Name.String()` prints it).
    pub subject: String,
    /// Issuer DN override; `None` = the issuer certificate's subject (or own subject).
    pub issuer_override: Option<String>,
    /// Serial number (unique per process by default).
    pub serial: u64,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The certificate's key type.
    pub key: KeySpec,
    /// basicConstraints: `(critical, cA, pathLenConstraint)`; `None` = absent.
    pub basic_constraints: Option<(bool, bool, Option<u8>)>,
    /// keyUsage: `(critical, bits)`; `None` = absent.
    pub key_usage: Option<(bool, FlagSet<KeyUsages>)>,
    /// extKeyUsage: `(critical, purposes)`; `None` = absent.
    pub eku: Option<(bool, Vec<ObjectIdentifier>)>,
    /// More extensions: `(OID, critical, DER value)`.
    pub extra: Vec<(ObjectIdentifier, bool, Vec<u8>)>,
    /// A last edit of the to-be-signed certificate before it is signed (a negative serial, a
    /// compressed public key).
    pub edit: Option<fn(&mut TbsCertificate)>,
}

fn next_serial() -> u64 {
    static NEXT: Mutex<u64> = Mutex::new(0x1000);
    let mut n = NEXT.lock().unwrap_or_else(|e| e.into_inner());
    *n += 1;
    *n
}

/// A Notation-valid subject for a test certificate: CN plus the O, L, ST, C that trusted
/// identities require.
pub fn subject(cn: &str) -> String {
    format!("CN={cn},O=Airgap Verify Test,L=Seattle,ST=WA,C=US")
}

impl CertSpec {
    fn base(cn: &str, key: KeySpec) -> CertSpec {
        CertSpec {
            subject: subject(cn),
            issuer_override: None,
            serial: next_serial(),
            not_before: LONG_AGO,
            not_after: FAR_FUTURE,
            key,
            basic_constraints: None,
            key_usage: None,
            eku: None,
            extra: Vec::new(),
            edit: None,
        }
    }

    /// A root CA: basicConstraints cA critical, keyUsage keyCertSign|cRLSign critical.
    pub fn root(cn: &str, key: KeySpec) -> CertSpec {
        CertSpec {
            basic_constraints: Some((true, true, None)),
            key_usage: Some((true, KeyUsages::KeyCertSign | KeyUsages::CRLSign)),
            ..CertSpec::base(cn, key)
        }
    }

    /// An intermediate CA (pathLen 0).
    pub fn intermediate(cn: &str, key: KeySpec) -> CertSpec {
        CertSpec {
            basic_constraints: Some((true, true, Some(0))),
            ..CertSpec::root(cn, key)
        }
    }

    /// A code-signing leaf: keyUsage digitalSignature critical, EKU codeSigning, cA false.
    pub fn leaf(cn: &str, key: KeySpec) -> CertSpec {
        CertSpec {
            basic_constraints: Some((true, false, None)),
            key_usage: Some((true, KeyUsages::DigitalSignature.into())),
            eku: Some((false, vec![ext_oid::EKU_CODE_SIGNING])),
            ..CertSpec::base(cn, key)
        }
    }

    /// A TSA leaf: keyUsage digitalSignature, EKU exactly `[timeStamping]` critical.
    pub fn tsa(cn: &str, key: KeySpec) -> CertSpec {
        CertSpec {
            basic_constraints: Some((true, false, None)),
            key_usage: Some((true, KeyUsages::DigitalSignature.into())),
            eku: Some((true, vec![ext_oid::EKU_TIME_STAMPING])),
            ..CertSpec::base(cn, key)
        }
    }

    /// This spec with a validity period.
    pub fn valid(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> CertSpec {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }
}

/// A certificate with its private key.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate.
    pub cert: Cert,
    /// Its private key.
    pub key: SignKey,
    /// The spec it was made from (its subject is the trusted identity to use).
    pub spec: CertSpec,
}

impl Issued {
    /// `x509.subject:<DN>` for a trust policy's `trustedIdentities`.
    pub fn identity(&self) -> String {
        format!("x509.subject:{}", self.spec.subject)
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem(&self.cert)
    }
}

/// One certificate as PEM.
pub fn pem(cert: &Cert) -> String {
    pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, cert.der())
        .expect("PEM encoding")
}

/// A key for `spec`. RSA keys are slow to generate unoptimised: they are read from
/// `fixtures/keys/rsa-<bits>.pem` when present, else generated once per process and cached.
/// Tests that need distinct RSA keys should use [`SignKey::generate`].
pub fn key(spec: KeySpec) -> SignKey {
    let bits = match spec {
        KeySpec::Rsa2048 => 2048,
        KeySpec::Rsa3072 => 3072,
        KeySpec::Rsa4096 => 4096,
        _ => return SignKey::generate(spec).expect("EC key generation"),
    };
    static CACHE: OnceLock<Mutex<BTreeMap<u32, SignKey>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(bits)
        .or_insert_with(|| {
            let path = crate::fixtures_dir().join(format!("keys/rsa-{bits}.pem"));
            match std::fs::read_to_string(&path) {
                Ok(pem) => SignKey::from_pkcs8_pem(&pem).expect("fixture RSA key"),
                Err(_) => SignKey::generate(spec).expect("RSA key generation"),
            }
        })
        .clone()
}

/// An X.509 `Time`: UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
pub fn x509_time(t: OffsetDateTime) -> Time {
    let dt = der::DateTime::new(
        t.year() as u16,
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .expect("valid date");
    if t.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(dt).expect("UTCTime"))
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    }
}

fn algorithm(oid: ObjectIdentifier, null_params: bool) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: null_params.then(|| der::asn1::Null.into()),
    }
}

/// Sign certificate (or CRL, or CMS) bytes the X.509 way: RSA PKCS#1 v1.5 with SHA-256, or
/// ECDSA (DER) with the curve's hash. Returns the algorithm identifier and the signature.
pub fn sign_x509(key: &SignKey, data: &[u8]) -> (AlgorithmIdentifierOwned, Vec<u8>) {
    match key {
        SignKey::Rsa(k) => {
            let s = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone()).sign(data);
            (algorithm(oid::SHA256_WITH_RSA, true), s.to_vec())
        }
        SignKey::P256(k) => {
            let s: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k).sign(data);
            (
                algorithm(oid::ECDSA_WITH_SHA256, false),
                s.to_der().to_vec(),
            )
        }
        SignKey::P384(k) => {
            let s: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k).sign(data);
            (
                algorithm(oid::ECDSA_WITH_SHA384, false),
                s.to_der().to_vec(),
            )
        }
        SignKey::P521(k) => {
            let sk = p521::ecdsa::SigningKey::from_bytes(&k.to_bytes()).expect("P-521 key");
            let s: p521::ecdsa::Signature = sk.sign(data);
            (
                algorithm(oid::ECDSA_WITH_SHA512, false),
                s.to_der().to_vec(),
            )
        }
    }
}

fn extension(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().expect("extension DER")).expect("octets"),
    }
}

/// Make a certificate for `spec` with public key `key`, signed by `issuer` (`None` =
/// self-signed with `key`).
pub fn issue(spec: &CertSpec, key: &SignKey, issuer: Option<(&Cert, &SignKey)>) -> Cert {
    let subject = Name::from_str(&spec.subject).expect("subject DN");
    let issuer_name = match (&spec.issuer_override, issuer) {
        (Some(dn), _) => Name::from_str(dn).expect("issuer DN"),
        (None, Some((cert, _))) => cert.inner().tbs_certificate.subject.clone(),
        (None, None) => subject.clone(),
    };
    let signer = issuer.map(|(_, k)| k).unwrap_or(key);
    let spki = SubjectPublicKeyInfoOwned::from_der(&key.public_key_der().expect("public key"))
        .expect("SPKI");
    let mut extensions = Vec::new();
    if let Some((critical, ca, path_len)) = spec.basic_constraints {
        let bc = BasicConstraints {
            ca,
            path_len_constraint: path_len,
        };
        extensions.push(extension(ext_oid::BASIC_CONSTRAINTS, critical, &bc));
    }
    if let Some((critical, bits)) = spec.key_usage {
        extensions.push(extension(ext_oid::KEY_USAGE, critical, &KeyUsage(bits)));
    }
    if let Some((critical, purposes)) = &spec.eku {
        let eku = ExtendedKeyUsage(purposes.clone());
        extensions.push(extension(ext_oid::EXTENDED_KEY_USAGE, *critical, &eku));
    }
    for (oid, critical, value) in &spec.extra {
        extensions.push(Extension {
            extn_id: *oid,
            critical: *critical,
            extn_value: OctetString::new(value.clone()).expect("octets"),
        });
    }
    // The algorithm identifier must be known before signing: sign empty data once to learn it.
    let (alg, _) = sign_x509(signer, b"");
    let mut tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&spec.serial.to_be_bytes()).expect("serial"),
        signature: alg.clone(),
        issuer: issuer_name,
        validity: Validity {
            not_before: x509_time(spec.not_before),
            not_after: x509_time(spec.not_after),
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: (!extensions.is_empty()).then_some(extensions),
    };
    if let Some(edit) = spec.edit {
        edit(&mut tbs);
    }
    let (_, sig) = sign_x509(signer, &tbs.to_der().expect("TBS DER"));
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(&sig).expect("signature bits"),
    };
    Cert::from_der(&cert.to_der().expect("certificate DER")).expect("certificate parses")
}

/// Make a key for `spec.key` and a certificate for it.
pub fn make(spec: CertSpec, issuer: Option<&Issued>) -> Issued {
    let k = key(spec.key);
    make_with_key(spec, k, issuer)
}

/// Make a certificate for a given key (`spec.key` is ignored).
pub fn make_with_key(spec: CertSpec, key: SignKey, issuer: Option<&Issued>) -> Issued {
    let cert = issue(&spec, &key, issuer.map(|i| (&i.cert, &i.key)));
    Issued { cert, key, spec }
}

/// The specs of a three-level chain; change any before [`Pki::from_spec`].
#[derive(Debug, Clone)]
pub struct PkiSpec {
    /// The self-signed root CA.
    pub root: CertSpec,
    /// The intermediate CA, issued by the root.
    pub intermediate: CertSpec,
    /// The code-signing leaf, issued by the intermediate.
    pub leaf: CertSpec,
}

impl PkiSpec {
    /// Root, intermediate and code-signing leaf, all EC P-256, valid 2019 to 2099.
    pub fn new(name: &str) -> PkiSpec {
        PkiSpec::with_keys(name, KeySpec::EcP256, KeySpec::EcP256)
    }

    /// As [`PkiSpec::new`] with other key types for the CAs and the leaf.
    pub fn with_keys(name: &str, ca: KeySpec, leaf: KeySpec) -> PkiSpec {
        PkiSpec {
            root: CertSpec::root(&format!("{name} Root CA"), ca),
            intermediate: CertSpec::intermediate(&format!("{name} Intermediate CA"), ca),
            leaf: CertSpec::leaf(&format!("{name} Signer"), leaf),
        }
    }
}

/// A root CA, an intermediate and a code-signing leaf issued in a line.
#[derive(Debug, Clone)]
pub struct Pki {
    /// The self-signed root CA.
    pub root: Issued,
    /// The intermediate CA.
    pub intermediate: Issued,
    /// The code-signing leaf.
    pub leaf: Issued,
}

impl Pki {
    /// The default chain ([`PkiSpec::new`]).
    pub fn new(name: &str) -> Pki {
        Pki::from_spec(PkiSpec::new(name))
    }

    /// A chain from explicit specs.
    pub fn from_spec(spec: PkiSpec) -> Pki {
        let root = make(spec.root, None);
        let intermediate = make(spec.intermediate, Some(&root));
        let leaf = make(spec.leaf, Some(&intermediate));
        Pki {
            root,
            intermediate,
            leaf,
        }
    }

    /// The x5c chain: leaf, intermediate, root.
    pub fn chain(&self) -> Vec<Cert> {
        vec![
            self.leaf.cert.clone(),
            self.intermediate.cert.clone(),
            self.root.cert.clone(),
        ]
    }

    /// Issue another leaf under this chain's intermediate (e.g. an expired one).
    pub fn issue_leaf(&self, spec: CertSpec) -> Issued {
        make(spec, Some(&self.intermediate))
    }

    /// The chain for another leaf of this PKI.
    pub fn chain_for(&self, leaf: &Issued) -> Vec<Cert> {
        vec![
            leaf.cert.clone(),
            self.intermediate.cert.clone(),
            self.root.cert.clone(),
        ]
    }
}

/// A self-signed code-signing leaf (a one-certificate chain), as `notation cert generate-test`
/// makes: cA false, keyUsage digitalSignature critical, EKU codeSigning.
pub fn self_signed_leaf(cn: &str, key: KeySpec) -> Issued {
    make(CertSpec::leaf(cn, key), None)
}

/// A TSA root and a TSA leaf (EKU timeStamping only, critical) issued by it.
pub fn tsa_chain(name: &str) -> (Issued, Issued) {
    let root = make(
        CertSpec::root(&format!("{name} TSA Root"), KeySpec::EcP256),
        None,
    );
    let leaf = make(
        CertSpec::tsa(&format!("{name} TSA"), KeySpec::EcP256),
        Some(&root),
    );
    (root, leaf)
}

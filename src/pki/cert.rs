//! Certificates: parsing (PEM or DER, one or many), the exact bytes that were signed, names,
//! validity, thumbprints, and typed access to the extensions Notation's rules look at.

use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader};
use time::OffsetDateTime;
use x509_cert::certificate::{CertificateInner, Profile};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use crate::pki::crypto::{self, CryptoError, PublicKey};

/// The parsing profile of every certificate: Go's `crypto/x509`, which Flux's verdict comes from,
/// reads a serial number of any length (RFC 5280 asks CAs for at most 20 octets but Go does not
/// enforce it), so a longer serial is accepted here too. Go's refusal of negative serials is
/// applied with its other parsing rules in the chain check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoX509;

impl Profile for GoX509 {
    fn check_serial_number(
        _serial: &x509_cert::serial_number::SerialNumber<Self>,
    ) -> der::Result<()> {
        Ok(())
    }
}

/// A parsed X.509 certificate, under Go's parsing profile ([`GoX509`]).
pub type Certificate = CertificateInner<GoX509>;

/// Extension OIDs.
pub mod ext_oid {
    use const_oid::ObjectIdentifier as Oid;
    /// basicConstraints (RFC 5280 §4.2.1.9): CA or not, and the path length.
    pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
    /// keyUsage (RFC 5280 §4.2.1.3).
    pub const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
    /// extKeyUsage (RFC 5280 §4.2.1.12).
    pub const EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
    /// cRLDistributionPoints (RFC 5280 §4.2.1.13): where the issuer publishes its CRLs.
    pub const CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
    /// freshestCRL (RFC 5280 §4.2.1.15): where the delta CRLs are published.
    pub const FRESHEST_CRL: Oid = Oid::new_unwrap("2.5.29.46");
    /// authorityInfoAccess (RFC 5280 §4.2.2.1): the OCSP responder, among others.
    pub const AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
    /// id-kp-serverAuth: TLS server.
    pub const EKU_SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
    /// id-kp-clientAuth: TLS client.
    pub const EKU_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// id-kp-codeSigning: the purpose of a Notation signing certificate.
    pub const EKU_CODE_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.3");
    /// id-kp-emailProtection: S/MIME.
    pub const EKU_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
    /// id-kp-timeStamping: the purpose of a TSA certificate (RFC 3161 §2.3).
    pub const EKU_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
    /// id-kp-OCSPSigning: an OCSP responder.
    pub const EKU_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
    /// anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
    pub const EKU_ANY: Oid = Oid::new_unwrap("2.5.29.37.0");
}

/// Why certificate bytes could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The bytes are neither PEM certificates nor DER certificates.
    #[error("not a certificate: {0}")]
    Malformed(String),
    /// A PEM block of another type (a private key, say) where a certificate was expected.
    #[error("PEM block {0:?} is not a CERTIFICATE")]
    NotACertificate(String),
    /// No certificate at all in the input.
    #[error("no certificate found")]
    Empty,
    /// More certificates than `Limits::max_certificates_per_chain`.
    #[error("more than {0} certificates")]
    TooMany(u64),
    /// An extension is present but does not decode.
    #[error("extension {oid} does not decode: {reason}")]
    BadExtension {
        /// The extension's OID.
        oid: ObjectIdentifier,
        /// Why it does not decode (or `present twice`).
        reason: String,
    },
}

/// A parsed certificate together with its exact DER bytes.
#[derive(Clone)]
pub struct Cert {
    der: Arc<[u8]>,
    tbs: std::ops::Range<usize>,
    cert: Arc<Certificate>,
}

impl std::fmt::Debug for Cert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cert({})", self.subject())
    }
}

impl PartialEq for Cert {
    /// Byte equality of the DER encoding: Go's `Certificate.Equal`, the comparison notation uses
    /// for authenticity.
    fn eq(&self, other: &Cert) -> bool {
        self.der == other.der
    }
}
impl Eq for Cert {}

impl Cert {
    /// Parse one DER certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Cert, CertError> {
        let key: [u8; 32] = {
            use sha2::Digest as _;
            sha2::Sha256::digest(der).into()
        };
        if let Some(cert) = PARSED_CERTS.get(&key).filter(|c| &*c.der == der) {
            return Ok(cert);
        }
        let parsed = Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
        let tbs = tbs_range(der).map_err(|e| CertError::Malformed(e.to_string()))?;
        let cert = Cert {
            der: der.into(),
            tbs,
            cert: Arc::new(parsed),
        };
        PARSED_CERTS.insert(key, cert.clone());
        Ok(cert)
    }

    /// The DER encoding exactly as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The exact `tbsCertificate` bytes that the issuer signed.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// The parsed certificate, for the fields that have no accessor here.
    pub fn inner(&self) -> &Certificate {
        &self.cert
    }

    /// The subject as Go's `pkix.Name.String()` renders it, which is what notation-go and Flux
    /// print (its fixed attribute order, several values of one type in one RDN); RFC 4514 for a
    /// name Go would not parse.
    pub fn subject(&self) -> String {
        go_name(&self.cert.tbs_certificate.subject)
    }

    /// The issuer, rendered as [`Cert::subject`] renders the subject.
    pub fn issuer(&self) -> String {
        go_name(&self.cert.tbs_certificate.issuer)
    }

    /// The serial number as lowercase hex (as in CRLs and reports).
    pub fn serial_hex(&self) -> String {
        hex::encode(self.cert.tbs_certificate.serial_number.as_bytes())
    }

    /// Self-issued: the subject and issuer names are byte-identical (Go compares `RawSubject` and
    /// `RawIssuer`).
    pub fn is_self_issued(&self) -> bool {
        match (
            self.cert.tbs_certificate.subject.to_der(),
            self.cert.tbs_certificate.issuer.to_der(),
        ) {
            (Ok(s), Ok(i)) => s == i,
            _ => false,
        }
    }

    /// Whether `issuer`'s name is this certificate's issuer name (byte-identical DER).
    pub fn issuer_name_is_subject_of(&self, issuer: &Cert) -> bool {
        match (
            self.cert.tbs_certificate.issuer.to_der(),
            issuer.cert.tbs_certificate.subject.to_der(),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }

    /// Verify this certificate's signature with `issuer`'s public key. The result for a pair of
    /// certificates never changes, so successes are remembered (`VerifiedPairs`): a bundle
    /// of a thousand images signed under one CA checks the CA's signatures once.
    pub fn verify_signed_by(&self, issuer: &Cert) -> Result<(), CryptoError> {
        let pair = pair_key(self, issuer);
        if VERIFIED_PAIRS.get(&pair).is_some() {
            return Ok(());
        }
        let sig = self
            .cert
            .signature
            .as_bytes()
            .ok_or(CryptoError::BadSignature)?;
        crypto::verify_x509_signature(
            &issuer.cert.tbs_certificate.subject_public_key_info,
            &self.cert.signature_algorithm,
            self.tbs_der(),
            sig,
        )?;
        VERIFIED_PAIRS.insert(pair, ());
        Ok(())
    }

    /// Self-signed: self-issued and the signature verifies with its own key.
    pub fn is_self_signed(&self) -> bool {
        self.is_self_issued() && self.verify_signed_by(self).is_ok()
    }

    /// The subject public key, parsed: an unsupported or malformed key is an error.
    pub fn public_key(&self) -> Result<PublicKey, CryptoError> {
        PublicKey::from_spki(&self.cert.tbs_certificate.subject_public_key_info)
    }

    /// The start of the validity period (notBefore).
    pub fn not_before(&self) -> OffsetDateTime {
        to_offset(
            self.cert
                .tbs_certificate
                .validity
                .not_before
                .to_unix_duration(),
        )
    }

    /// The end of the validity period (notAfter).
    pub fn not_after(&self) -> OffsetDateTime {
        to_offset(
            self.cert
                .tbs_certificate
                .validity
                .not_after
                .to_unix_duration(),
        )
    }

    /// Lowercase hex SHA-256 of the DER encoding (the `#S256` thumbprint).
    pub fn sha256_thumbprint(&self) -> String {
        crate::digest::Algorithm::Sha256
            .digest(&self.der)
            .hex()
            .to_string()
    }

    /// The raw value of an extension and whether it is critical. A certificate with the same
    /// extension twice is malformed.
    pub fn extension(&self, oid: ObjectIdentifier) -> Result<Option<(bool, &[u8])>, CertError> {
        let mut found = None;
        for e in self.cert.tbs_certificate.extensions.iter().flatten() {
            if e.extn_id == oid {
                if found.is_some() {
                    return Err(CertError::BadExtension {
                        oid,
                        reason: "present twice".into(),
                    });
                }
                found = Some((e.critical, e.extn_value.as_bytes()));
            }
        }
        Ok(found)
    }

    fn decoded<'a, T: Decode<'a>>(
        &'a self,
        oid: ObjectIdentifier,
    ) -> Result<Option<(bool, T)>, CertError> {
        match self.extension(oid)? {
            None => Ok(None),
            Some((critical, bytes)) => {
                T::from_der(bytes)
                    .map(|v| Some((critical, v)))
                    .map_err(|e| CertError::BadExtension {
                        oid,
                        reason: e.to_string(),
                    })
            }
        }
    }

    /// keyUsage and its criticality.
    pub fn key_usage(&self) -> Result<Option<(bool, KeyUsage)>, CertError> {
        self.decoded(ext_oid::KEY_USAGE)
    }

    /// basicConstraints and its criticality.
    pub fn basic_constraints(&self) -> Result<Option<(bool, BasicConstraints)>, CertError> {
        self.decoded(ext_oid::BASIC_CONSTRAINTS)
    }

    /// extendedKeyUsage and its criticality.
    pub fn extended_key_usage(&self) -> Result<Option<(bool, ExtendedKeyUsage)>, CertError> {
        self.decoded(ext_oid::EXTENDED_KEY_USAGE)
    }

    /// Whether basicConstraints says `cA = TRUE`.
    pub fn is_ca(&self) -> bool {
        matches!(self.basic_constraints(), Ok(Some((_, bc))) if bc.ca)
    }
}

fn go_name(name: &x509_cert::name::Name) -> String {
    crate::policy::identity::go_pkix_name_string(name).unwrap_or_else(|_| name.to_string())
}

/// A process-wide map keyed by SHA-256, bounded: past `max` entries nothing more is remembered.
struct ProcessCache<V> {
    map: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<[u8; 32], V>>>,
    max: usize,
}

impl<V: Clone> ProcessCache<V> {
    const fn new(max: usize) -> ProcessCache<V> {
        ProcessCache {
            map: std::sync::OnceLock::new(),
            max,
        }
    }

    fn get(&self, key: &[u8; 32]) -> Option<V> {
        let map = self.map.get_or_init(Default::default).lock().ok()?;
        map.get(key).cloned()
    }

    fn insert(&self, key: [u8; 32], value: V) {
        if let Ok(mut map) = self.map.get_or_init(Default::default).lock() {
            if map.len() < self.max {
                map.insert(key, value);
            }
        }
    }
}

/// The (certificate, issuer) pairs whose signature has verified in this process, by SHA-256 of
/// both DER encodings (at most 65,536).
static VERIFIED_PAIRS: ProcessCache<()> = ProcessCache::new(65_536);

/// The [`VERIFIED_PAIRS`] key of a pair.
fn pair_key(cert: &Cert, issuer: &Cert) -> [u8; 32] {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update((cert.der.len() as u64).to_be_bytes());
    h.update(&cert.der);
    h.update(&issuer.der);
    h.finalize().into()
}

/// The certificates parsed in this process, by SHA-256 of their DER (at most 1,024): every
/// envelope of a bundle signed by one signer carries the same chain, which is then parsed once.
/// A hit is checked byte for byte.
static PARSED_CERTS: ProcessCache<Cert> = ProcessCache::new(1024);

fn to_offset(d: std::time::Duration) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(d.as_secs().min(i64::MAX as u64) as i64)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The byte range of the first element (tbsCertificate) inside the outer SEQUENCE.
fn tbs_range(der: &[u8]) -> der::Result<std::ops::Range<usize>> {
    let mut outer = SliceReader::new(der)?;
    let header = der::Header::decode(&mut outer)?;
    let outer_start: usize = outer.position().try_into()?;
    let _ = header;
    let tbs = outer.tlv_bytes()?;
    Ok(outer_start..outer_start + tbs.len())
}

/// Parse every certificate in `bytes`: one or more PEM `CERTIFICATE` blocks, or one or more
/// concatenated DER certificates (what the notation CLI's trust store reads).
pub fn parse_certificates(bytes: &[u8], max: u64) -> Result<Vec<Cert>, CertError> {
    let mut out = Vec::new();
    if looks_like_pem(bytes) {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| CertError::Malformed("PEM text is not UTF-8".into()))?;
        for block in pem_blocks(text) {
            let (label, der) = block?;
            if label != "CERTIFICATE" {
                return Err(CertError::NotACertificate(label));
            }
            push_limited(&mut out, Cert::from_der(&der)?, max)?;
        }
    } else {
        let mut rest = bytes;
        while !rest.is_empty() {
            let len = der_element_len(rest)
                .ok_or_else(|| CertError::Malformed("DER does not parse".into()))?;
            push_limited(&mut out, Cert::from_der(&rest[..len])?, max)?;
            rest = &rest[len..];
        }
    }
    if out.is_empty() {
        return Err(CertError::Empty);
    }
    Ok(out)
}

/// Flux's reading of one Secret value: the first PEM block if there is one, else the bytes as
/// DER (which may hold several concatenated certificates). Also returns how many further PEM
/// blocks Flux would drop, so the caller can warn.
pub fn parse_flux_certificate_value(
    bytes: &[u8],
    max: u64,
) -> Result<(Vec<Cert>, usize), CertError> {
    if looks_like_pem(bytes) {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| CertError::Malformed("PEM text is not UTF-8".into()))?;
        let mut blocks = pem_blocks(text);
        let (label, der) = blocks.next().ok_or(CertError::Empty)??;
        if label != "CERTIFICATE" {
            return Err(CertError::NotACertificate(label));
        }
        let dropped = blocks.count();
        Ok((vec![Cert::from_der(&der)?], dropped))
    } else {
        Ok((parse_certificates(bytes, max)?, 0))
    }
}

fn push_limited(out: &mut Vec<Cert>, c: Cert, max: u64) -> Result<(), CertError> {
    if out.len() as u64 >= max {
        return Err(CertError::TooMany(max));
    }
    out.push(c);
    Ok(())
}

/// Whether the bytes look like PEM: not DER (which starts with a SEQUENCE, 0x30) and holding a
/// `-----BEGIN ` line. Text before the first block (openssl's `subject=` lines, comments) is
/// allowed, as Go's `pem.Decode` allows it.
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    first != Some(&0x30) && bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Iterate the PEM blocks of a text: `(label, der)`.
pub fn pem_blocks(text: &str) -> impl Iterator<Item = Result<(String, Vec<u8>), CertError>> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start..];
        let end_marker = match after.find("-----END ") {
            Some(i) => i,
            None => {
                rest = "";
                return Some(Err(CertError::Malformed(
                    "PEM block without END line".into(),
                )));
            }
        };
        let block_end = after[end_marker..]
            .find('\n')
            .map(|i| end_marker + i + 1)
            .unwrap_or(after.len());
        let block = &after[..block_end];
        rest = &after[block_end..];
        Some(
            pem_rfc7468::decode_vec(block.as_bytes())
                .map(|(label, der)| (label.to_string(), der))
                .map_err(|e| CertError::Malformed(format!("PEM: {e}"))),
        )
    })
}

/// Length of the DER element at the start of `bytes` (header + content).
fn der_element_len(bytes: &[u8]) -> Option<usize> {
    let mut r = SliceReader::new(bytes).ok()?;
    let header = der::Header::decode(&mut r).ok()?;
    let header_len: usize = r.position().try_into().ok()?;
    let body: usize = header.length.try_into().ok()?;
    let total = header_len.checked_add(body)?;
    (total <= bytes.len()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_parsed_once_and_its_twin_of_other_bytes_is_not_taken_for_it() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/pki/leaf.crt"
        ))
        .unwrap();
        let first = parse_certificates(&pem, 4).unwrap().remove(0);
        let again = Cert::from_der(first.der()).unwrap();
        assert!(Arc::ptr_eq(&first.cert, &again.cert));
        // One byte of the signature changed: other bytes, another certificate.
        let mut other = first.der().to_vec();
        let last = other.len() - 1;
        other[last] ^= 1;
        let twin = Cert::from_der(&other).unwrap();
        assert!(!Arc::ptr_eq(&first.cert, &twin.cert));
        assert_eq!(twin.der(), &other[..]);
        assert_ne!(twin, first);
    }

    #[test]
    fn reads_notation_e2e_certificate() {
        let Some(dir) = airgap_verify_testkit::conformance() else {
            return;
        };
        let pem = std::fs::read(dir.join("notation/config/localkeys/e2e.crt")).unwrap();
        let certs = parse_certificates(&pem, 32).unwrap();
        assert_eq!(certs.len(), 1);
        let c = &certs[0];
        assert!(c.is_self_issued());
        assert!(c.is_self_signed());
        assert!(c.subject().contains("CN=e2e"), "{}", c.subject());
        assert_eq!(c.not_after().year(), 2122);
        assert!(c.public_key().unwrap().key_spec().is_ok());
        // The same certificate as DER parses the same.
        let again = parse_certificates(c.der(), 32).unwrap();
        assert_eq!(again[0], *c);
    }

    #[test]
    fn rejects_garbage_and_keys() {
        assert!(parse_certificates(b"not a cert", 32).is_err());
        let key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(parse_certificates(key, 32).is_err());
        assert_eq!(parse_certificates(b"", 32), Err(CertError::Empty));
    }
}

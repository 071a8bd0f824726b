//! Certificate chains: the Notary Project's certificate requirements for code-signing and
//! timestamping chains (NOTATION.md §6.1, §6.2), the authenticity rule (§6.3), and the validity
//! checks of the authenticTimestamp verification (§5.2).
//!
//! The rules follow notation-core-go (`x509/codesigning_cert_validations.go`,
//! `x509/timestamp_cert_validations.go`, `x509/helper.go`) and notation-go
//! (`verifier/verifier.go`), which is what Flux runs. Where the specification and that code
//! disagree we follow the code and say so on the rule (NOTATION.md §11):
//! - anyExtendedKeyUsage in a code-signing leaf is accepted, OCSPSigning is rejected, and
//!   codeSigning is not required;
//! - the criticality of a CA's basicConstraints is not checked.
//!
//! Two deliberate differences from notation-core-go, both stricter and both from the
//! specification:
//! - SHA-1 certificate signatures are rejected everywhere. notation-core-go checks a lone
//!   self-signed certificate with Go's `CheckSignature`, which still accepts SHA-1;
//! - a chain that repeats a certificate is rejected up front with its own error (notation-core-go
//!   rejects such chains too, through the self-signed and issuance rules, with less clear words).
//!
//! Every function takes the chain leaf first, as carried in the signature envelope (`x5c`,
//! `x5chain`) or built from an RFC 3161 token. Time is always an explicit argument.

use der::Encode;
use time::OffsetDateTime;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::KeyUsage;

use crate::limits::Limits;
use crate::pki::cert::{ext_oid, Cert, CertError};
use crate::pki::crypto::oid as alg_oid;

/// Why a certificate chain is not acceptable, not trusted, or not valid at the time that
/// matters. Messages use notation's wording where notation has one, so users can search for them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The chain has no certificate at all (an envelope with an empty `x5c`).
    #[error("certificate chain must contain at least one certificate")]
    Empty,
    /// The chain has more certificates than `Limits::max_certificates_per_chain`.
    #[error("certificate chain has {len} certificates, more than the limit of {max}")]
    TooLong {
        /// Number of certificates in the chain.
        len: usize,
        /// The limit in force.
        max: u64,
    },
    /// The same certificate appears twice in the chain (a loop, or a duplicated root).
    #[error(
        "certificate chain repeats the certificate with subject {subject:?} (positions {first} \
         and {second}); a chain must list each certificate once, leaf first, root last"
    )]
    RepeatedCertificate {
        /// Subject of the repeated certificate.
        subject: String,
        /// Position (0 = leaf) of its first occurrence.
        first: usize,
        /// Position of its second occurrence.
        second: usize,
    },
    /// One of the extensions the rules read (keyUsage, basicConstraints, extendedKeyUsage) is
    /// present twice or does not decode.
    #[error("certificate with subject {subject:?} has a malformed extension: {reason}")]
    BadExtension {
        /// Subject of the certificate.
        subject: String,
        /// What is wrong with the extension.
        reason: String,
    },
    /// The certificate's inner (`tbsCertificate.signature`) and outer (`signatureAlgorithm`)
    /// algorithm identifiers differ, which Go's parser refuses.
    #[error(
        "certificate with subject {subject:?}: inner and outer signature algorithm identifiers \
         don't match"
    )]
    SignatureAlgorithmMismatch {
        /// Subject of the certificate.
        subject: String,
    },
    /// The certificate is signed with SHA1WithRSA or ECDSAWithSHA1, which the Notary Project
    /// specification forbids.
    #[error(
        "certificate with subject {subject:?} is signed with a SHA-1 based algorithm, which is \
         not allowed; reissue it with SHA-256 or stronger{}",
        if *.lone { " (stricter than notation-core-go, and so Flux, which accepts a lone \
         self-signed SHA-1 certificate; the specification forbids it)" } else { "" }
    )]
    Sha1Signature {
        /// Subject of the certificate.
        subject: String,
        /// Whether it is the only certificate of the chain (where Flux would accept it).
        lone: bool,
    },
    /// A chain of one certificate whose signature does not verify with its own key.
    #[error("invalid self-signed certificate. subject: {subject:?}. Error: {reason}")]
    NotSelfSigned {
        /// Subject of the certificate.
        subject: String,
        /// Why the signature did not verify.
        reason: String,
    },
    /// A chain of one certificate whose issuer name differs from its subject name.
    #[error(
        "invalid self-signed certificate. subject: {subject:?}. Error: issuer({issuer}) and \
         subject({subject}) are not the same"
    )]
    NotSelfIssued {
        /// Subject of the certificate.
        subject: String,
        /// Issuer of the certificate.
        issuer: String,
    },
    /// The last certificate of a chain of two or more is not a self-signed, self-issued CA.
    #[error(
        "root certificate with subject {subject:?} is invalid or not self-signed. Certificate \
         chain must end with a valid self-signed root certificate. Error: {reason}"
    )]
    RootNotSelfSigned {
        /// Subject of the last certificate.
        subject: String,
        /// Why it is not a self-signed root.
        reason: String,
    },
    /// The leaf of a chain of two or more certificates is self-signed.
    #[error(
        "leaf certificate with subject {subject:?} is self-signed. Certificate chain must not \
         contain self-signed leaf certificate"
    )]
    LeafSelfSigned {
        /// Subject of the leaf.
        subject: String,
    },
    /// A certificate between the leaf and the root is self-signed (an extra root, typically).
    #[error(
        "intermediate certificate with subject {subject:?} is self-signed. Certificate chain \
         must not contain self-signed intermediate certificate"
    )]
    IntermediateSelfSigned {
        /// Subject of the intermediate.
        subject: String,
    },
    /// A certificate is not issued by the next one in the chain: names do not link, the
    /// signature does not verify with the next certificate's key, or the next certificate may
    /// not sign certificates. Unrelated or out-of-order certificates end here.
    #[error(
        "certificate with subject {subject:?} is not issued by {issuer:?}: {reason}; a chain \
         must be ordered leaf first, each certificate followed by its issuer"
    )]
    NotIssuedBy {
        /// Subject of the certificate.
        subject: String,
        /// Subject of the next certificate, which should have issued it.
        issuer: String,
        /// What does not link.
        reason: String,
    },
    /// The leaf has basicConstraints with `cA` true.
    #[error(
        "certificate with subject {subject:?}: if the basic constraints extension is present, \
         the ca field must be set to false"
    )]
    LeafIsCa {
        /// Subject of the leaf.
        subject: String,
    },
    /// A certificate has no keyUsage extension.
    #[error("certificate with subject {subject:?}: key usage extension must be present")]
    KeyUsageMissing {
        /// Subject of the certificate.
        subject: String,
    },
    /// A code-signing chain certificate has a keyUsage extension that is not marked critical.
    #[error("certificate with subject {subject:?}: key usage extension must be marked critical")]
    KeyUsageNotCritical {
        /// Subject of the certificate.
        subject: String,
    },
    /// The leaf's keyUsage lacks digitalSignature.
    #[error(
        "the certificate with subject {subject:?} is invalid. The key usage must have the bit \
         positions for \"Digital Signature\" set"
    )]
    LeafLacksDigitalSignature {
        /// Subject of the leaf.
        subject: String,
    },
    /// The leaf's keyUsage has bits other than digitalSignature and nonRepudiation.
    #[error(
        "the certificate with subject {subject:?} is invalid. The key usage must be \"Digital \
         Signature\" only, but found {}", .usages.join(", ")
    )]
    LeafForbiddenKeyUsage {
        /// Subject of the leaf.
        subject: String,
        /// The forbidden usages found, quoted as notation names them (`"CertSign"`).
        usages: Vec<&'static str>,
    },
    /// The code-signing leaf's extendedKeyUsage names a purpose other than code signing
    /// (serverAuth, clientAuth, emailProtection, timeStamping, OCSPSigning).
    #[error("certificate with subject {subject:?}: extended key usage must not contain {eku} eku")]
    LeafExcludedEku {
        /// Subject of the leaf.
        subject: String,
        /// The purpose found, as notation names it.
        eku: &'static str,
    },
    /// The timestamping leaf's extendedKeyUsage is absent or is not exactly `[timeStamping]`.
    #[error(
        "timestamp signing certificate with subject {subject:?} must have and only have \
         Timestamping as extended key usage"
    )]
    TsaEkuNotTimeStampingOnly {
        /// Subject of the TSA leaf.
        subject: String,
    },
    /// The timestamping leaf's extendedKeyUsage extension is not marked critical (RFC 3161 2.3).
    #[error(
        "timestamp signing certificate with subject {subject:?} must have extended key usage \
         extension marked as critical"
    )]
    TsaEkuNotCritical {
        /// Subject of the TSA leaf.
        subject: String,
    },
    /// The leaf's key is not RSA 2048/3072/4096 or EC P-256/P-384/P-521.
    #[error(
        "certificate with subject {subject:?}: {reason} (Notation accepts RSA 2048, 3072 or \
         4096 and EC P-256, P-384 or P-521)"
    )]
    UnsupportedKey {
        /// Subject of the leaf.
        subject: String,
        /// The key found and why it is refused.
        reason: String,
    },
    /// A CA certificate (intermediate or root) lacks basicConstraints or has `cA` false.
    #[error(
        "certificate with subject {subject:?}: ca field in basic constraints must be present, \
         critical, and set to true"
    )]
    CaNotCa {
        /// Subject of the CA certificate.
        subject: String,
    },
    /// A CA certificate's keyUsage lacks keyCertSign.
    #[error(
        "certificate with subject {subject:?}: key usage must have the bit positions for key \
         cert sign set"
    )]
    CaLacksKeyCertSign {
        /// Subject of the CA certificate.
        subject: String,
    },
    /// A CA certificate's pathLenConstraint is smaller than the number of intermediates below it.
    #[error(
        "certificate with subject {subject:?}: expected path length of {expected} but \
         certificate has path length {actual} instead"
    )]
    PathLenExceeded {
        /// Subject of the CA certificate.
        subject: String,
        /// Intermediates below it in the chain.
        expected: usize,
        /// Its pathLenConstraint.
        actual: u8,
    },
    /// A certificate of the chain has a critical extension this verifier does not process
    /// (RFC 5280 §4.2 requires refusing it). A deliberate, fail-closed deviation: notation-core-go
    /// does not check this, so Flux would accept the chain.
    #[error(
        "certificate with subject {subject:?} has the critical extension {oid}, which is not \
         understood; RFC 5280 requires refusing the certificate (notation-core-go does not check \
         this, so Flux would accept this chain)"
    )]
    UnknownCriticalExtension {
        /// Subject of the certificate.
        subject: String,
        /// The extension's OID.
        oid: String,
    },
    /// A certificate Go's `crypto/x509` refuses to parse (so Flux never gets to verify with it):
    /// a negative serial number, a compressed elliptic-curve point.
    #[error("certificate with subject {subject:?}: {reason} (Go's crypto/x509 refuses it)")]
    RefusedByGo {
        /// Subject of the certificate.
        subject: String,
        /// What Go refuses.
        reason: String,
    },
    /// The trust stores that apply hold no certificate at all (notation: verification
    /// inconclusive).
    #[error("no trusted certificates are found to verify authenticity")]
    NoTrustedCertificates,
    /// No certificate of the signature's chain is byte-identical to a trusted certificate.
    #[error("the signature's certificate chain does not contain any trusted certificate")]
    NotTrusted,
    /// The verification time is before a chain certificate's notBefore (timestamp not used).
    #[error(
        "verification time is before certificate {subject:?} validity period, it will be valid \
         from {:?}", rfc1123z(*.not_before)
    )]
    NotYetValid {
        /// Subject of the certificate.
        subject: String,
        /// Its notBefore.
        not_before: OffsetDateTime,
    },
    /// The verification time is after a chain certificate's notAfter (timestamp not used).
    #[error(
        "verification time is after certificate {subject:?} validity period, it was expired at \
         {:?}", rfc1123z(*.not_after)
    )]
    Expired {
        /// Subject of the certificate.
        subject: String,
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// The earliest time of a timestamp's interval (genTime − accuracy) is before a chain
    /// certificate's notBefore.
    #[error(
        "timestamp can be before certificate {subject:?} validity period, it will be valid from \
         {:?}", rfc1123z(*.not_before)
    )]
    TimestampBeforeValidity {
        /// Subject of the certificate.
        subject: String,
        /// Its notBefore.
        not_before: OffsetDateTime,
    },
    /// The latest time of a timestamp's interval (genTime + accuracy) is after a chain
    /// certificate's notAfter.
    #[error(
        "timestamp can be after certificate {subject:?} validity period, it was expired at {:?}",
        rfc1123z(*.not_after)
    )]
    TimestampAfterValidity {
        /// Subject of the certificate.
        subject: String,
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// Under `notary.x509.signingAuthority`, a chain certificate was not valid at the signed
    /// authentic signing time.
    #[error(
        "certificate {subject:?} was not valid when the digital signature was produced at {:?}",
        rfc1123z(*.at)
    )]
    NotValidAtSigningTime {
        /// Subject of the certificate.
        subject: String,
        /// The authentic signing time.
        at: OffsetDateTime,
    },
}

impl ChainError {
    /// The limit this failure met, if it is one.
    pub fn limit(&self) -> Option<crate::limits::Limit> {
        match self {
            ChainError::TooLong { .. } => Some(crate::limits::Limit::CertificatesPerChain),
            _ => None,
        }
    }

    /// How specific (useful to a person) this failure is: higher is more specific. When several
    /// signatures or chains fail, report the failure with the highest rank, as rustls-webpki
    /// does. Time-related failures rank highest (the chain was otherwise fine), then certificate
    /// profile failures, then chain structure, then trust, and a missing trust store lowest.
    pub fn rank(&self) -> u32 {
        use ChainError::*;
        match self {
            NoTrustedCertificates => 0,
            NotTrusted => 10,
            Empty | TooLong { .. } | RepeatedCertificate { .. } => 20,
            NotSelfSigned { .. }
            | NotSelfIssued { .. }
            | RootNotSelfSigned { .. }
            | LeafSelfSigned { .. }
            | IntermediateSelfSigned { .. }
            | NotIssuedBy { .. } => 30,
            BadExtension { .. }
            | SignatureAlgorithmMismatch { .. }
            | UnknownCriticalExtension { .. }
            | RefusedByGo { .. } => 40,
            Sha1Signature { .. }
            | LeafIsCa { .. }
            | KeyUsageMissing { .. }
            | KeyUsageNotCritical { .. }
            | LeafLacksDigitalSignature { .. }
            | LeafForbiddenKeyUsage { .. }
            | LeafExcludedEku { .. }
            | TsaEkuNotTimeStampingOnly { .. }
            | TsaEkuNotCritical { .. }
            | UnsupportedKey { .. }
            | CaNotCa { .. }
            | CaLacksKeyCertSign { .. }
            | PathLenExceeded { .. } => 50,
            NotYetValid { .. }
            | Expired { .. }
            | TimestampBeforeValidity { .. }
            | TimestampAfterValidity { .. }
            | NotValidAtSigningTime { .. } => 60,
        }
    }

    /// The most specific of several failures (highest [`ChainError::rank`]; the first one on a
    /// tie), or `None` for no failures.
    pub fn most_specific<'a>(errors: impl IntoIterator<Item = &'a ChainError>) -> Option<&'a Self> {
        errors
            .into_iter()
            .fold(None, |best: Option<&ChainError>, e| match best {
                Some(b) if b.rank() >= e.rank() => Some(b),
                _ => Some(e),
            })
    }
}

/// Format a time as Go's `time.RFC1123Z` ("Tue, 27 Jun 2023 06:10:00 +0000"), the layout notation
/// uses in its validity and expiry messages. The time keeps its own UTC offset.
pub fn rfc1123z(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] \
         [offset_hour sign:mandatory][offset_minute]"
    );
    t.format(&format)
        .unwrap_or_else(|_| format!("{t} (not representable as RFC 1123)"))
}

// ------------------------------------------------------------------------------------------------
// Whole-chain validation

/// Which certificate profile a chain must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainProfile {
    /// A signature's signing chain (NOTATION.md §6.1).
    CodeSigning,
    /// An RFC 3161 timestamp authority's chain (NOTATION.md §6.2).
    Timestamping,
}

/// Validate a signature's code-signing chain (leaf first) against the Notary Project's
/// certificate requirements, as notation-core-go `ValidateCodeSigningCertChain` (NOTATION.md §6.1),
/// with the default limits. Validity dates are not checked here: see [`chain_valid_at`],
/// [`chain_valid_within`] and [`chain_valid_at_authentic_signing_time`].
///
/// In notation this runs inside the envelope's signature verification (notation-core-go
/// `signature/internal/base/envelope.go`), so a failure is an **integrity** failure, worded
/// `certificate-chain is invalid, {error}`.
pub fn validate_code_signing_chain(chain: &[Cert]) -> Result<(), ChainError> {
    validate_chain(chain, ChainProfile::CodeSigning, &Limits::default())
}

/// Validate a timestamp authority's chain (leaf first, as built from an RFC 3161 token) against
/// the requirements of notation-core-go `ValidateTimestampingCertChain` (NOTATION.md §6.2), with
/// the default limits. Validity dates are not checked here.
pub fn validate_timestamping_chain(chain: &[Cert]) -> Result<(), ChainError> {
    validate_chain(chain, ChainProfile::Timestamping, &Limits::default())
}

/// Validate a chain (leaf first) for `profile` under `limits`: the structure rules shared by
/// NOTATION.md §6.1 and §6.2, then the leaf profile on certificate 0 and the CA profile on every
/// other certificate. The first failure is returned, in notation-core-go's order: for each
/// certificate from the leaf, the self-signed and issuance rules, then its profile.
pub fn validate_chain(
    chain: &[Cert],
    profile: ChainProfile,
    limits: &Limits,
) -> Result<(), ChainError> {
    chain_is_not_empty(chain)?;
    chain_within_limit(chain, limits.max_certificates_per_chain)?;
    chain_does_not_repeat_a_certificate(chain)?;
    for cert in chain {
        certificate_is_parsed_by_go(cert)?;
        no_unknown_critical_extension(cert)?;
        signature_algorithm_is_consistent(cert)?;
        signature_algorithm_is_not_sha1(cert).map_err(|e| match e {
            ChainError::Sha1Signature { subject, .. } => ChainError::Sha1Signature {
                subject,
                lone: chain.len() == 1,
            },
            e => e,
        })?;
    }
    if let [only] = chain {
        single_certificate_is_self_signed(only)?;
        return leaf_profile(only, profile);
    }
    let last = chain.len() - 1;
    for (i, (cert, next)) in chain.iter().zip(chain.iter().skip(1)).enumerate() {
        non_root_is_not_self_signed(cert, i)?;
        is_issued_by_next(cert, next)?;
        if i == 0 {
            leaf_profile(cert, profile)?;
        } else {
            ca_profile(cert, i - 1, profile)?;
        }
    }
    if let Some(root) = chain.last() {
        root_is_self_signed(root)?;
        ca_profile(root, last.saturating_sub(1), profile)?;
    }
    Ok(())
}

/// The leaf profile of NOTATION.md §6.1 (code signing) or §6.2 (timestamping).
fn leaf_profile(cert: &Cert, profile: ChainProfile) -> Result<(), ChainError> {
    leaf_is_not_ca(cert)?;
    match profile {
        ChainProfile::CodeSigning => key_usage_is_present_and_critical(cert)?,
        ChainProfile::Timestamping => key_usage_is_present(cert)?,
    }
    leaf_requires_digital_signature_key_usage(cert)?;
    leaf_forbids_other_key_usages(cert)?;
    match profile {
        ChainProfile::CodeSigning => code_signing_leaf_excludes_other_ekus(cert)?,
        ChainProfile::Timestamping => {
            timestamping_leaf_eku_is_time_stamping_only(cert)?;
            timestamping_leaf_eku_is_critical(cert)?;
        }
    }
    leaf_key_is_a_notation_key_spec(cert)
}

/// The CA profile of NOTATION.md §6.1 / §6.2 for a certificate with `intermediates_below`
/// intermediates between it and the leaf.
fn ca_profile(
    cert: &Cert,
    intermediates_below: usize,
    profile: ChainProfile,
) -> Result<(), ChainError> {
    ca_basic_constraints_is_ca(cert)?;
    ca_path_len_allows_intermediates_below(cert, intermediates_below)?;
    match profile {
        ChainProfile::CodeSigning => key_usage_is_present_and_critical(cert)?,
        ChainProfile::Timestamping => key_usage_is_present(cert)?,
    }
    ca_requires_key_cert_sign(cert)
}

// ------------------------------------------------------------------------------------------------
// Structure rules

/// Extensions whose meaning is processed here or by Go's crypto/x509 (so not "unknown" when
/// critical): key usage, basic constraints, extended key usage, subject alternative name, name
/// constraints, certificate policies, policy mappings, policy constraints, inhibit anyPolicy,
/// authority and subject key identifiers, CRL distribution points, authority information access.
const KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.15",
    "2.5.29.19",
    "2.5.29.37",
    "2.5.29.17",
    "2.5.29.30",
    "2.5.29.32",
    "2.5.29.33",
    "2.5.29.36",
    "2.5.29.54",
    "2.5.29.35",
    "2.5.29.14",
    "2.5.29.31",
    "1.3.6.1.5.5.7.1.1",
];

/// RFC 5280 §4.2: a certificate with a critical extension that is not understood is refused.
pub fn no_unknown_critical_extension(cert: &Cert) -> Result<(), ChainError> {
    let extensions = cert.inner().tbs_certificate.extensions.iter().flatten();
    for e in extensions.filter(|e| e.critical) {
        let oid = e.extn_id.to_string();
        if !KNOWN_EXTENSIONS.contains(&oid.as_str()) {
            return Err(ChainError::UnknownCriticalExtension {
                subject: cert.subject(),
                oid,
            });
        }
    }
    Ok(())
}

/// What Go's crypto/x509 refuses when parsing: a negative serial number (Go 1.23 and later), an
/// elliptic-curve public key that is not an uncompressed point (`elliptic.Unmarshal`). Serial
/// numbers longer than 20 bytes Go accepts, and so do we ([`crate::pki::cert::GoX509`]).
pub fn certificate_is_parsed_by_go(cert: &Cert) -> Result<(), ChainError> {
    let refused = |reason: &str| ChainError::RefusedByGo {
        subject: cert.subject(),
        reason: reason.to_string(),
    };
    let tbs = &cert.inner().tbs_certificate;
    if tbs
        .serial_number
        .as_bytes()
        .first()
        .is_some_and(|b| b & 0x80 != 0)
    {
        return Err(refused("the serial number is negative"));
    }
    let spki = &tbs.subject_public_key_info;
    if spki.algorithm.oid == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY
        && spki.subject_public_key.raw_bytes().first() != Some(&0x04)
    {
        return Err(refused(
            "the elliptic-curve public key is not an uncompressed point",
        ));
    }
    Ok(())
}

/// NOTATION.md §6.1: the chain must hold at least one certificate.
pub fn chain_is_not_empty(chain: &[Cert]) -> Result<(), ChainError> {
    if chain.is_empty() {
        return Err(ChainError::Empty);
    }
    Ok(())
}

/// Resource limit (DESIGN.md, limits): at most `max` certificates, so that a hostile envelope
/// cannot make us verify a thousand signatures.
pub fn chain_within_limit(chain: &[Cert], max: u64) -> Result<(), ChainError> {
    if chain.len() as u64 > max {
        return Err(ChainError::TooLong {
            len: chain.len(),
            max,
        });
    }
    Ok(())
}

/// NOTATION.md §6.1: each certificate is issued by the next, ending at one self-signed root, so
/// a certificate can appear only once. Checked first so that a loop gets a clear message.
pub fn chain_does_not_repeat_a_certificate(chain: &[Cert]) -> Result<(), ChainError> {
    for (second, cert) in chain.iter().enumerate() {
        if let Some(first) = chain.iter().take(second).position(|c| c == cert) {
            return Err(ChainError::RepeatedCertificate {
                subject: cert.subject(),
                first,
                second,
            });
        }
    }
    Ok(())
}

/// Go's certificate parser (which notation relies on) rejects a certificate whose
/// `tbsCertificate.signature` differs from its outer `signatureAlgorithm` (NOTATION.md §6.1).
pub fn signature_algorithm_is_consistent(cert: &Cert) -> Result<(), ChainError> {
    let inner = cert.inner().tbs_certificate.signature.to_der();
    let outer = cert.inner().signature_algorithm.to_der();
    match (inner, outer) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        _ => Err(ChainError::SignatureAlgorithmMismatch {
            subject: cert.subject(),
        }),
    }
}

/// NOTATION.md §6.1: SHA1WithRSA and ECDSAWithSHA1 certificate signatures are forbidden. Applied
/// to every certificate, including a lone self-signed one (which notation-core-go checks with
/// Go's SHA-1-tolerant `CheckSignature`; we follow the specification there).
pub fn signature_algorithm_is_not_sha1(cert: &Cert) -> Result<(), ChainError> {
    let oid = cert.inner().signature_algorithm.oid;
    if oid == alg_oid::SHA1_WITH_RSA || oid == alg_oid::ECDSA_WITH_SHA1 {
        return Err(ChainError::Sha1Signature {
            subject: cert.subject(),
            lone: false,
        });
    }
    Ok(())
}

/// NOTATION.md §6.1: a chain of one certificate must be self-signed (its signature verifies
/// with its own key, without the CA constraints of a root) and self-issued.
pub fn single_certificate_is_self_signed(cert: &Cert) -> Result<(), ChainError> {
    cert.verify_signed_by(cert)
        .map_err(|e| ChainError::NotSelfSigned {
            subject: cert.subject(),
            reason: e.to_string(),
        })?;
    if !cert.is_self_issued() {
        return Err(ChainError::NotSelfIssued {
            subject: cert.subject(),
            issuer: cert.issuer(),
        });
    }
    Ok(())
}

/// Go's `child.CheckSignatureFrom(parent)` plus the name link notation-core-go adds
/// (`isIssuedBy`): the parent may sign certificates (a v3 parent needs basicConstraints with
/// `cA`; a parent with keyUsage needs keyCertSign), the child's signature verifies with the
/// parent's key, and the child's issuer name is byte-identical to the parent's subject name.
fn issued_by(child: &Cert, parent: &Cert) -> Result<(), String> {
    let bc = parent.basic_constraints().map_err(|e| e.to_string())?;
    let v3 = parent.inner().tbs_certificate.version == Version::V3;
    match bc {
        None if v3 => {
            return Err(format!(
                "{:?} has no basicConstraints, so it may not sign certificates",
                parent.subject()
            ))
        }
        Some((_, bc)) if !bc.ca => {
            return Err(format!(
                "{:?} is not a CA (basicConstraints cA is false)",
                parent.subject()
            ))
        }
        _ => {}
    }
    if let Some((_, ku)) = parent.key_usage().map_err(|e| e.to_string())? {
        if !ku.0.is_empty() && !ku.key_cert_sign() {
            return Err(format!(
                "{:?} has keyUsage without keyCertSign, so it may not sign certificates",
                parent.subject()
            ));
        }
    }
    child
        .verify_signed_by(parent)
        .map_err(|e| format!("the signature does not verify with its key ({e})"))?;
    if !child.issuer_name_is_subject_of(parent) {
        return Err(format!(
            "the issuer name {:?} is not the subject name of the next certificate",
            child.issuer()
        ));
    }
    Ok(())
}

/// NOTATION.md §6.1: the last certificate of a chain of two or more must be a self-signed root
/// (notation-core-go `isSelfSigned`, i.e. Go `CheckSignatureFrom(self)` and self-issued).
pub fn root_is_self_signed(cert: &Cert) -> Result<(), ChainError> {
    issued_by(cert, cert).map_err(|reason| ChainError::RootNotSelfSigned {
        subject: cert.subject(),
        reason,
    })
}

/// NOTATION.md §6.1: no certificate but the last may be self-signed (this rejects an extra root
/// or a self-signed leaf placed before a root). `index` 0 is the leaf.
pub fn non_root_is_not_self_signed(cert: &Cert, index: usize) -> Result<(), ChainError> {
    // Self-signed means self-issued too: a certificate whose issuer is not its own subject is
    // not, and its signature need not be checked against its own key (a failed check is not
    // remembered, so this would cost one signature verification per chain).
    if !cert.issuer_name_is_subject_of(cert) || issued_by(cert, cert).is_err() {
        return Ok(());
    }
    let subject = cert.subject();
    Err(if index == 0 {
        ChainError::LeafSelfSigned { subject }
    } else {
        ChainError::IntermediateSelfSigned { subject }
    })
}

/// NOTATION.md §6.1: each certificate must be issued by the next one in the chain (name link and
/// signature, Go `CheckSignatureFrom`, which rejects SHA-1 and issuers that may not sign).
pub fn is_issued_by_next(cert: &Cert, next: &Cert) -> Result<(), ChainError> {
    issued_by(cert, next).map_err(|reason| ChainError::NotIssuedBy {
        subject: cert.subject(),
        issuer: next.subject(),
        reason,
    })
}

// ------------------------------------------------------------------------------------------------
// Leaf profile

fn bad_extension(cert: &Cert) -> impl Fn(CertError) -> ChainError + '_ {
    move |e| ChainError::BadExtension {
        subject: cert.subject(),
        reason: e.to_string(),
    }
}

/// NOTATION.md §6.1 / §6.2: basicConstraints is optional in a leaf, but `cA` must not be true.
pub fn leaf_is_not_ca(cert: &Cert) -> Result<(), ChainError> {
    match cert.basic_constraints().map_err(bad_extension(cert))? {
        Some((_, bc)) if bc.ca => Err(ChainError::LeafIsCa {
            subject: cert.subject(),
        }),
        _ => Ok(()),
    }
}

fn key_usage(cert: &Cert) -> Result<(bool, KeyUsage), ChainError> {
    cert.key_usage()
        .map_err(bad_extension(cert))?
        .ok_or_else(|| ChainError::KeyUsageMissing {
            subject: cert.subject(),
        })
}

/// NOTATION.md §6.1: in a code-signing chain every certificate must have a keyUsage extension,
/// marked critical.
pub fn key_usage_is_present_and_critical(cert: &Cert) -> Result<(), ChainError> {
    let (critical, _) = key_usage(cert)?;
    if !critical {
        return Err(ChainError::KeyUsageNotCritical {
            subject: cert.subject(),
        });
    }
    Ok(())
}

/// NOTATION.md §6.2: in a timestamping chain every certificate must have a keyUsage extension;
/// its criticality is not required.
pub fn key_usage_is_present(cert: &Cert) -> Result<(), ChainError> {
    key_usage(cert).map(|_| ())
}

/// NOTATION.md §6.1 / §6.2: the leaf's keyUsage must include digitalSignature.
pub fn leaf_requires_digital_signature_key_usage(cert: &Cert) -> Result<(), ChainError> {
    let (_, ku) = key_usage(cert)?;
    if !ku.digital_signature() {
        return Err(ChainError::LeafLacksDigitalSignature {
            subject: cert.subject(),
        });
    }
    Ok(())
}

/// NOTATION.md §6.1 / §6.2: the leaf's keyUsage must not include keyEncipherment,
/// dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly or decipherOnly
/// (nonRepudiation is allowed).
pub fn leaf_forbids_other_key_usages(cert: &Cert) -> Result<(), ChainError> {
    let (_, ku) = key_usage(cert)?;
    let forbidden = [
        (ku.key_encipherment(), "\"KeyEncipherment\""),
        (ku.data_encipherment(), "\"DataEncipherment\""),
        (ku.key_agreement(), "\"KeyAgreement\""),
        (ku.key_cert_sign(), "\"CertSign\""),
        (ku.crl_sign(), "\"CRLSign\""),
        (ku.encipher_only(), "\"EncipherOnly\""),
        (ku.decipher_only(), "\"DecipherOnly\""),
    ];
    let usages: Vec<&'static str> = forbidden
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| *name)
        .collect();
    if !usages.is_empty() {
        return Err(ChainError::LeafForbiddenKeyUsage {
            subject: cert.subject(),
            usages,
        });
    }
    Ok(())
}

/// NOTATION.md §6.1, §11.2: the code-signing leaf's extendedKeyUsage is optional; if present it
/// must not contain serverAuth, clientAuth, emailProtection, timeStamping or OCSPSigning.
/// Following notation-core-go (not the specification), anyExtendedKeyUsage is accepted and
/// codeSigning is not required.
pub fn code_signing_leaf_excludes_other_ekus(cert: &Cert) -> Result<(), ChainError> {
    let Some((_, eku)) = cert.extended_key_usage().map_err(bad_extension(cert))? else {
        return Ok(());
    };
    let excluded = [
        (ext_oid::EKU_SERVER_AUTH, "ServerAuth"),
        (ext_oid::EKU_CLIENT_AUTH, "ClientAuth"),
        (ext_oid::EKU_EMAIL_PROTECTION, "EmailProtection"),
        (ext_oid::EKU_TIME_STAMPING, "Timestamping"),
        (ext_oid::EKU_OCSP_SIGNING, "OCSPSigning"),
    ];
    for purpose in &eku.0 {
        if let Some((_, name)) = excluded.iter().find(|(oid, _)| oid == purpose) {
            return Err(ChainError::LeafExcludedEku {
                subject: cert.subject(),
                eku: name,
            });
        }
    }
    Ok(())
}

/// NOTATION.md §6.2 (RFC 3161 §2.3): the TSA leaf's extendedKeyUsage must be present and be
/// exactly `[id-kp-timeStamping]`, with no other purpose, known or unknown.
pub fn timestamping_leaf_eku_is_time_stamping_only(cert: &Cert) -> Result<(), ChainError> {
    match cert.extended_key_usage().map_err(bad_extension(cert))? {
        Some((_, eku)) if eku.0 == [ext_oid::EKU_TIME_STAMPING] => Ok(()),
        _ => Err(ChainError::TsaEkuNotTimeStampingOnly {
            subject: cert.subject(),
        }),
    }
}

/// NOTATION.md §6.2 (RFC 3161 §2.3): the TSA leaf's extendedKeyUsage extension must be critical.
pub fn timestamping_leaf_eku_is_critical(cert: &Cert) -> Result<(), ChainError> {
    match cert.extension(ext_oid::EXTENDED_KEY_USAGE) {
        Ok(Some((false, _))) => Err(ChainError::TsaEkuNotCritical {
            subject: cert.subject(),
        }),
        Err(e) => Err(bad_extension(cert)(e)),
        _ => Ok(()),
    }
}

/// NOTATION.md §6.1 / §6.2: the leaf's key must be one of Notation's key specs, RSA 2048, 3072 or
/// 4096 or EC P-256, P-384 or P-521 (notation-core-go `ExtractKeySpec`). This is how key length
/// is enforced.
pub fn leaf_key_is_a_notation_key_spec(cert: &Cert) -> Result<(), ChainError> {
    cert.public_key()
        .and_then(|k| k.key_spec())
        .map(|_| ())
        .map_err(|e| ChainError::UnsupportedKey {
            subject: cert.subject(),
            reason: e.to_string(),
        })
}

// ------------------------------------------------------------------------------------------------
// CA profile

/// NOTATION.md §6.1 / §6.2, §11.3: every certificate but the leaf must have basicConstraints
/// with `cA` true. The specification also requires the extension to be critical;
/// notation-core-go does not check that, and neither do we.
pub fn ca_basic_constraints_is_ca(cert: &Cert) -> Result<(), ChainError> {
    match cert.basic_constraints().map_err(bad_extension(cert))? {
        Some((_, bc)) if bc.ca => Ok(()),
        _ => Err(ChainError::CaNotCa {
            subject: cert.subject(),
        }),
    }
}

/// NOTATION.md §6.1 / §6.2: a CA's keyUsage must include keyCertSign.
pub fn ca_requires_key_cert_sign(cert: &Cert) -> Result<(), ChainError> {
    let (_, ku) = key_usage(cert)?;
    if !ku.key_cert_sign() {
        return Err(ChainError::CaLacksKeyCertSign {
            subject: cert.subject(),
        });
    }
    Ok(())
}

/// NOTATION.md §6.1 / §6.2: if a CA has a pathLenConstraint (an explicit 0 included), it must be
/// at least the number of intermediates between it and the leaf.
pub fn ca_path_len_allows_intermediates_below(
    cert: &Cert,
    intermediates_below: usize,
) -> Result<(), ChainError> {
    if let Some((_, bc)) = cert.basic_constraints().map_err(bad_extension(cert))? {
        if let Some(len) = bc.path_len_constraint {
            if usize::from(len) < intermediates_below {
                return Err(ChainError::PathLenExceeded {
                    subject: cert.subject(),
                    expected: intermediates_below,
                    actual: len,
                });
            }
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Trust material

/// Whether `cert` is a root CA: self-issued and its signature verifies with its own key under
/// Go's `CheckSignatureFrom(self)` rules (so a v3 certificate needs basicConstraints `cA` and,
/// with keyUsage, keyCertSign). The notation CLI requires this of every certificate in a `tsa`
/// trust store (`truststore.go` `isRootCACertificate`, NOTATION.md §5.2).
pub fn is_root_ca(cert: &Cert) -> bool {
    issued_by(cert, cert).is_ok()
}

/// Whether `cert` may sit in a notation trust store at all: a CA, or a self-signed certificate
/// (`truststore.go` `ValidateCertificates`, NOTATION.md §6.3).
pub fn is_ca_or_self_signed(cert: &Cert) -> bool {
    cert.is_ca() || cert.verify_signed_by(cert).is_ok()
}

// ------------------------------------------------------------------------------------------------
// Authenticity

/// The first trusted certificate that is byte-identical to a certificate of `chain`, scanning
/// the chain from the leaf (the certificate notation-core-go's `VerifyAuthenticity` returns).
pub fn trusted_cert_in_chain<'t>(chain: &[Cert], trusted: &'t [Cert]) -> Option<&'t Cert> {
    chain
        .iter()
        .find_map(|cert| trusted.iter().find(|t| *t == cert))
}

/// NOTATION.md §6.3, §11.1: the signature is authentic when ANY certificate of its chain is
/// byte-identical to ANY trusted certificate (notation-core-go `VerifyAuthenticity`; no path
/// building against the store). No trusted certificate at all is a distinct, inconclusive error.
pub fn authenticity_any_cert_in_chain(chain: &[Cert], trusted: &[Cert]) -> Result<(), ChainError> {
    if trusted.is_empty() {
        return Err(ChainError::NoTrustedCertificates);
    }
    trusted_cert_in_chain(chain, trusted)
        .map(|_| ())
        .ok_or(ChainError::NotTrusted)
}

// ------------------------------------------------------------------------------------------------
// Validity (authenticTimestamp)

/// Which end of a validity period a time falls outside of.
enum Outside {
    BeforeNotBefore,
    AfterNotAfter,
}

/// The first certificate (from the leaf) whose validity period does not cover
/// `[earliest, latest]`, and on which side. Each certificate is judged on its own: nesting of
/// validity periods is not required (NOTATION.md §6.1, "Validity").
fn first_not_covering(
    chain: &[Cert],
    earliest: OffsetDateTime,
    latest: OffsetDateTime,
) -> Option<(&Cert, Outside)> {
    chain.iter().find_map(|cert| {
        if earliest < cert.not_before() {
            Some((cert, Outside::BeforeNotBefore))
        } else if latest > cert.not_after() {
            Some((cert, Outside::AfterNotAfter))
        } else {
            None
        }
    })
}

/// NOTATION.md §5.2, timestamp verification not triggered: every chain certificate must satisfy
/// `notBefore ≤ at ≤ notAfter` (notation-go `verifyTimestamp`).
pub fn chain_valid_at(chain: &[Cert], at: OffsetDateTime) -> Result<(), ChainError> {
    match first_not_covering(chain, at, at) {
        None => Ok(()),
        Some((cert, Outside::BeforeNotBefore)) => Err(ChainError::NotYetValid {
            subject: cert.subject(),
            not_before: cert.not_before(),
        }),
        Some((cert, Outside::AfterNotAfter)) => Err(ChainError::Expired {
            subject: cert.subject(),
            not_after: cert.not_after(),
        }),
    }
}

/// NOTATION.md §5.2 step 8, timestamp verification triggered: every chain certificate must cover
/// the whole timestamp interval, `notBefore ≤ earliest` and `latest ≤ notAfter`, where the
/// interval is [genTime − accuracy, genTime + accuracy] (tspclient `BoundedAfter` /
/// `BoundedBefore`). This is what lets an expired signing certificate pass.
pub fn chain_valid_within(
    chain: &[Cert],
    earliest: OffsetDateTime,
    latest: OffsetDateTime,
) -> Result<(), ChainError> {
    match first_not_covering(chain, earliest, latest) {
        None => Ok(()),
        Some((cert, Outside::BeforeNotBefore)) => Err(ChainError::TimestampBeforeValidity {
            subject: cert.subject(),
            not_before: cert.not_before(),
        }),
        Some((cert, Outside::AfterNotAfter)) => Err(ChainError::TimestampAfterValidity {
            subject: cert.subject(),
            not_after: cert.not_after(),
        }),
    }
}

/// NOTATION.md §5.2, `notary.x509.signingAuthority`: every chain certificate must satisfy
/// `notBefore ≤ authenticSigningTime ≤ notAfter`.
pub fn chain_valid_at_authentic_signing_time(
    chain: &[Cert],
    signing_time: OffsetDateTime,
) -> Result<(), ChainError> {
    match first_not_covering(chain, signing_time, signing_time) {
        None => Ok(()),
        Some((cert, _)) => Err(ChainError::NotValidAtSigningTime {
            subject: cert.subject(),
            at: signing_time,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture leaf with `f` applied to its TBS (the signature no longer matches, which
    /// these parse-level rules do not look at).
    fn edited_leaf(f: impl FnOnce(&mut x509_cert::TbsCertificate)) -> Cert {
        use der::{Decode, DecodePem, Encode};
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/pki/leaf.crt"
        ))
        .unwrap();
        let mut c = x509_cert::Certificate::from_pem(&pem).unwrap();
        f(&mut c.tbs_certificate);
        let der = c.to_der().unwrap();
        let _ = x509_cert::Certificate::from_der(&der).unwrap();
        Cert::from_der(&der).unwrap()
    }

    #[test]
    fn go_parsing_rules_refuse_negative_serials_and_compressed_points() {
        assert!(certificate_is_parsed_by_go(&edited_leaf(|_| {})).is_ok());
        let negative = edited_leaf(|t| {
            t.serial_number = <x509_cert::serial_number::SerialNumber as der::Decode>::from_der(&[
                0x02, 0x02, 0x80, 1,
            ])
            .unwrap()
        });
        let e = certificate_is_parsed_by_go(&negative)
            .unwrap_err()
            .to_string();
        assert!(e.contains("negative"), "{e}");
        let long = edited_leaf(|t| {
            t.serial_number = x509_cert::serial_number::SerialNumber::new(&[0x11; 20]).unwrap()
        });
        assert!(certificate_is_parsed_by_go(&long).is_ok());
        let compressed = edited_leaf(|t| {
            let raw = t
                .subject_public_key_info
                .subject_public_key
                .raw_bytes()
                .to_vec();
            let x = raw.get(1..33).unwrap();
            let parity = raw.last().unwrap() & 1;
            let mut point = vec![0x02 | parity];
            point.extend_from_slice(x);
            t.subject_public_key_info.subject_public_key =
                der::asn1::BitString::from_bytes(&point).unwrap();
        });
        let e = certificate_is_parsed_by_go(&compressed)
            .unwrap_err()
            .to_string();
        assert!(e.contains("uncompressed"), "{e}");
    }

    #[test]
    fn rfc1123z_matches_go_layout() {
        let t = time::macros::datetime!(2023-06-27 06:10:00 UTC);
        assert_eq!(rfc1123z(t), "Tue, 27 Jun 2023 06:10:00 +0000");
        let t = time::macros::datetime!(2024-01-05 23:04:05 -07:00);
        assert_eq!(rfc1123z(t), "Fri, 05 Jan 2024 23:04:05 -0700");
    }

    #[test]
    fn empty_chain_is_rejected_and_ranked() {
        assert_eq!(validate_code_signing_chain(&[]), Err(ChainError::Empty));
        assert_eq!(validate_timestamping_chain(&[]), Err(ChainError::Empty));
        let errs = [
            ChainError::NotTrusted,
            ChainError::Empty,
            ChainError::NoTrustedCertificates,
        ];
        assert_eq!(ChainError::most_specific(&errs), Some(&ChainError::Empty));
        assert_eq!(ChainError::most_specific(&[]), None);
    }

    #[test]
    fn authenticity_without_trusted_certificates_is_inconclusive() {
        assert_eq!(
            authenticity_any_cert_in_chain(&[], &[]),
            Err(ChainError::NoTrustedCertificates)
        );
    }
}

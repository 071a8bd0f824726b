//! Offline revocation checking from CRL files (NOTATION.md §8), for the signing chain and, under
//! authenticTimestamp, for the TSA chain (§5.2 step 9).
//!
//! **OCSP is never attempted**, and nothing is ever fetched: the CRLs are the files the user
//! supplies (`--crl`, `*.crl` keys of the Secret or trust folder). A CRL is matched to a
//! certificate by its issuer (the next certificate of the chain: indirect CRLs are unsupported,
//! as in notation-core-go) and by its signature, never by the distribution-point URL.
//!
//! Per certificate, leaf to root (the root is always non-revocable):
//! - no CRL distribution point and no OCSP responder: [`CertStatus::NonRevocable`];
//! - an OCSP responder only: [`CertStatus::Unknown`] (ng would ask the responder; we never do);
//! - a CRL distribution point: the newest base CRL issued and signed by the issuer decides, with
//!   notation-core-go's rules (`revocation/internal/crl`): nextUpdate present and not passed at
//!   the verification time, no unsupported critical extension, delta CRL when the certificate or
//!   the base CRL asks for one, certificateHold as the latest temporary entry means revoked,
//!   removeFromCRL means OK, and an invalidityDate after the authentic signing time (given only
//!   under `notary.x509.signingAuthority`) means OK. A certificate with both OCSP and CRL is
//!   judged by CRL alone, which is what ng does when its OCSP responder cannot be reached.

use std::path::Path;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::ext::Extension;

use crate::limits::Limits;
use crate::pki::cert::{ext_oid, looks_like_pem, pem_blocks, Cert};
use crate::pki::cms::{expect_tlv, read_tlv, tag};
use crate::pki::crypto;

/// CRL and CRL-entry extension OIDs (RFC 5280 §5.2, §5.3).
pub mod crl_oid {
    use const_oid::ObjectIdentifier as Oid;
    /// cRLNumber.
    pub const CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
    /// deltaCRLIndicator: marks a delta CRL and names the base CRL number it applies to.
    pub const DELTA_CRL_INDICATOR: Oid = Oid::new_unwrap("2.5.29.27");
    /// issuingDistributionPoint.
    pub const ISSUING_DISTRIBUTION_POINT: Oid = Oid::new_unwrap("2.5.29.28");
    /// freshestCRL: where the delta CRL is published.
    pub const FRESHEST_CRL: Oid = Oid::new_unwrap("2.5.29.46");
    /// reasonCode (entry extension).
    pub const REASON_CODE: Oid = Oid::new_unwrap("2.5.29.21");
    /// invalidityDate (entry extension).
    pub const INVALIDITY_DATE: Oid = Oid::new_unwrap("2.5.29.24");
    /// id-ad-ocsp, the AIA access method of an OCSP responder.
    pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
}

/// Why a CRL could not be loaded, or why a certificate's revocation status is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// A CRL file is larger than `Limits::max_crl_file`.
    #[error("CRL file {source_name} is {size} bytes, larger than the limit of {limit} bytes; pass a smaller CRL or raise the CRL size limit")]
    TooLarge {
        /// The CRL file as given, or the trust material key that held it.
        source_name: String,
        /// Its size in bytes.
        size: u64,
        /// [`Limits::max_crl_file`], in bytes.
        limit: u64,
    },
    /// A CRL file cannot be read.
    #[error("cannot read CRL file {source_name}: {reason}")]
    Read {
        /// The CRL file as given.
        source_name: String,
        /// The operating system's error.
        reason: String,
    },
    /// The bytes are not a DER or PEM X.509 CRL.
    #[error("{source_name} is not a valid X.509 CRL: {reason}")]
    Malformed {
        /// The CRL file as given, or the trust material key that held it.
        source_name: String,
        /// The DER, PEM or extension parser's error.
        reason: String,
    },
    /// A PEM block of another type (a certificate, a key) in a CRL file.
    #[error("{source_name}: PEM block {label:?} is not an X509 CRL")]
    NotACrl {
        /// The CRL file as given, or the trust material key that held it.
        source_name: String,
        /// The PEM block's label (`CERTIFICATE`, say).
        label: String,
    },
    /// A CRL file holds no CRL at all.
    #[error("{source_name} holds no CRL")]
    Empty {
        /// The CRL file as given, or the trust material key that held it.
        source_name: String,
    },
    /// The certificate names an OCSP responder and no CRL distribution point; OCSP is never
    /// attempted offline, so its status cannot be known.
    #[error("the certificate names only an OCSP responder, and OCSP is never attempted offline; no CRL applies")]
    OcspOnly,
    /// The certificate has a CRL distribution point but no supplied CRL is issued by its
    /// issuer.
    #[error("no CRL issued by {issuer:?} was supplied (the certificate's CRL distribution point: {urls})")]
    NoCrlForIssuer {
        /// The issuing CA's subject ([`Cert::subject`]).
        issuer: String,
        /// The certificate's CRL distribution point URIs, comma-separated.
        urls: String,
    },
    /// CRLs with the issuer's name were supplied but none is validly signed by the issuer.
    #[error("CRL {source_name} is not signed by CA {issuer:?}: {reason}")]
    CrlSignatureInvalid {
        /// The first CRL with the issuer's name that failed: its file or trust material key.
        source_name: String,
        /// The issuing CA's subject ([`Cert::subject`]).
        issuer: String,
        /// Why the signature does not verify with the CA's key.
        reason: String,
    },
    /// The CRL has no nextUpdate.
    #[error("CRL {source_name} has no nextUpdate, so its freshness cannot be judged")]
    NextUpdateMissing {
        /// The CRL's file or trust material key.
        source_name: String,
    },
    /// The verification time is after the CRL's nextUpdate: the CRL is stale.
    #[error("expired CRL {source_name}: verification time {at} is after its nextUpdate {next_update}; supply a newer CRL")]
    StaleCrl {
        /// The CRL's file or trust material key.
        source_name: String,
        /// The verification time.
        at: String,
        /// The CRL's nextUpdate.
        next_update: String,
    },
    /// The CRL carries a critical extension other than issuingDistributionPoint and
    /// deltaCRLIndicator, or an entry of the certificate carries an unsupported critical
    /// extension.
    #[error("unsupported critical extension {oid} found in CRL {source_name}")]
    UnsupportedCriticalExtension {
        /// The CRL's file or trust material key.
        source_name: String,
        /// The critical extension's OID.
        oid: ObjectIdentifier,
    },
    /// The certificate has a freshestCRL extension but no delta CRL was supplied.
    #[error("freshest CRL from certificate extension is not supported: the certificate asks for a delta CRL and none issued by {issuer:?} was supplied")]
    FreshestCrlWithoutDelta {
        /// The issuing CA's subject ([`Cert::subject`]).
        issuer: String,
    },
    /// The base CRL names a delta CRL (freshestCRL) and none was supplied.
    #[error("CRL {source_name} names a delta CRL (freshestCRL) and none issued by {issuer:?} was supplied")]
    DeltaCrlMissing {
        /// The base CRL's file or trust material key.
        source_name: String,
        /// The issuing CA's subject ([`Cert::subject`]).
        issuer: String,
    },
    /// The delta CRL does not fit the base CRL (number not greater, indicator above the base
    /// number, no number).
    #[error("delta CRL {source_name} does not fit the base CRL: {reason}")]
    DeltaCrlMismatch {
        /// The delta CRL's file or trust material key.
        source_name: String,
        /// How it does not fit: numbers missing, or not in order.
        reason: String,
    },
    /// An entry for the certificate has an extension that does not parse.
    #[error("CRL {source_name}: entry for serial {serial} is malformed: {reason}")]
    MalformedEntry {
        /// The CRL's file or trust material key.
        source_name: String,
        /// The certificate's serial number, lowercase hex.
        serial: String,
        /// The extension parser's error.
        reason: String,
    },
}

/// RFC 5280 CRLReason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationReason {
    /// `unspecified` (0).
    Unspecified,
    /// `keyCompromise` (1).
    KeyCompromise,
    /// `cACompromise` (2).
    CaCompromise,
    /// `affiliationChanged` (3).
    AffiliationChanged,
    /// `superseded` (4).
    Superseded,
    /// `cessationOfOperation` (5).
    CessationOfOperation,
    /// `certificateHold` (6): temporary; revoked while it is the certificate's latest temporary
    /// entry.
    CertificateHold,
    /// `removeFromCRL` (8): ends an earlier `certificateHold` (delta CRLs).
    RemoveFromCrl,
    /// `privilegeWithdrawn` (9).
    PrivilegeWithdrawn,
    /// `aACompromise` (10).
    AaCompromise,
    /// A code RFC 5280 does not define.
    Other(u8),
}

impl RevocationReason {
    /// The reason for a CRLReason code.
    pub fn from_code(code: u8) -> RevocationReason {
        use RevocationReason::*;
        match code {
            0 => Unspecified,
            1 => KeyCompromise,
            2 => CaCompromise,
            3 => AffiliationChanged,
            4 => Superseded,
            5 => CessationOfOperation,
            6 => CertificateHold,
            8 => RemoveFromCrl,
            9 => PrivilegeWithdrawn,
            10 => AaCompromise,
            n => Other(n),
        }
    }

    /// The RFC 5280 name, for reports.
    pub fn name(self) -> String {
        use RevocationReason::*;
        match self {
            Unspecified => "unspecified".into(),
            KeyCompromise => "keyCompromise".into(),
            CaCompromise => "cACompromise".into(),
            AffiliationChanged => "affiliationChanged".into(),
            Superseded => "superseded".into(),
            CessationOfOperation => "cessationOfOperation".into(),
            CertificateHold => "certificateHold".into(),
            RemoveFromCrl => "removeFromCRL".into(),
            PrivilegeWithdrawn => "privilegeWithdrawn".into(),
            AaCompromise => "aACompromise".into(),
            Other(n) => format!("reason code {n}"),
        }
    }
}

impl std::fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// A CRL as x509-cert's `CertificateList` reads it, but with serial numbers of any length in its
/// entries, as Go's `x509.ParseRevocationList` reads them ([`crate::pki::cert::GoX509`]).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct CertificateList {
    tbs_cert_list: TbsCertList,
    signature_algorithm: spki::AlgorithmIdentifierOwned,
    signature: der::asn1::BitString,
}

/// x509-cert's `TbsCertList`, with [`RevokedCert`] entries.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct TbsCertList {
    version: x509_cert::Version,
    signature: spki::AlgorithmIdentifierOwned,
    issuer: x509_cert::name::Name,
    this_update: x509_cert::time::Time,
    next_update: Option<x509_cert::time::Time>,
    revoked_certificates: Option<Vec<RevokedCert>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_extensions: Option<x509_cert::ext::Extensions>,
}

/// x509-cert's `RevokedCert`, its serial number read as Go reads it.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct RevokedCert {
    serial_number: x509_cert::serial_number::SerialNumber<crate::pki::cert::GoX509>,
    revocation_date: x509_cert::time::Time,
    crl_entry_extensions: Option<x509_cert::ext::Extensions>,
}

/// One parsed CRL with what matching and reporting need.
#[derive(Debug, Clone)]
pub struct Crl {
    source: String,
    sha256: String,
    list: CertificateList,
    tbs: Vec<u8>,
    issuer_der: Vec<u8>,
    number: Option<Vec<u8>>,
    delta_base: Option<Vec<u8>>,
}

/// What a report shows of the CRL used for a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlRef {
    /// The file (or Secret key) it came from.
    pub source: String,
    /// The CRL issuer, RFC 4514.
    pub issuer: String,
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate, if any.
    pub next_update: Option<OffsetDateTime>,
    /// cRLNumber as lowercase hex, if any.
    pub number: Option<String>,
    /// Lowercase hex SHA-256 of the CRL's DER encoding.
    pub sha256: String,
}

impl Crl {
    /// Parse one DER CRL. `source` names it in messages and reports.
    pub fn from_der(source: &str, der: &[u8]) -> Result<Crl, RevocationError> {
        let malformed = |reason: String| RevocationError::Malformed {
            source_name: source.to_string(),
            reason,
        };
        let list = CertificateList::from_der(der).map_err(|e| malformed(e.to_string()))?;
        let mut input = der;
        let outer = expect_tlv(&mut input, tag::SEQUENCE, "CertificateList")
            .map_err(|e| malformed(e.to_string()))?;
        let mut content = outer.content;
        let tbs = read_tlv(&mut content)
            .map_err(|e| malformed(e.to_string()))?
            .raw
            .to_vec();
        let issuer_der = list
            .tbs_cert_list
            .issuer
            .to_der()
            .map_err(|e| malformed(e.to_string()))?;
        let int_ext = |oid: ObjectIdentifier| -> Result<Option<Vec<u8>>, RevocationError> {
            match crl_extension(&list, oid) {
                None => Ok(None),
                Some(ext) => der::asn1::UintRef::from_der(ext.extn_value.as_bytes())
                    .map(|u| Some(u.as_bytes().to_vec()))
                    .map_err(|e| malformed(format!("extension {oid}: {e}"))),
            }
        };
        let number = int_ext(crl_oid::CRL_NUMBER)?;
        let delta_base = int_ext(crl_oid::DELTA_CRL_INDICATOR)?;
        Ok(Crl {
            source: source.to_string(),
            sha256: hex::encode(crypto::HashAlg::Sha256.digest(der)),
            list,
            tbs,
            issuer_der,
            number,
            delta_base,
        })
    }

    /// Whether this is a delta CRL (it has a deltaCRLIndicator).
    pub fn is_delta(&self) -> bool {
        self.delta_base.is_some()
    }

    /// The issuer, RFC 4514.
    pub fn issuer(&self) -> String {
        self.list.tbs_cert_list.issuer.to_string()
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        to_offset(self.list.tbs_cert_list.this_update.to_unix_duration())
    }

    /// nextUpdate, if present.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.list
            .tbs_cert_list
            .next_update
            .map(|t| to_offset(t.to_unix_duration()))
    }

    /// What a report shows of this CRL.
    pub fn reference(&self) -> CrlRef {
        CrlRef {
            source: self.source.clone(),
            issuer: self.issuer(),
            this_update: self.this_update(),
            next_update: self.next_update(),
            number: self.number.as_ref().map(hex::encode),
            sha256: self.sha256.clone(),
        }
    }

    fn issued_by_name(&self, issuer: &Cert) -> bool {
        issuer
            .inner()
            .tbs_certificate
            .subject
            .to_der()
            .is_ok_and(|s| s == self.issuer_der)
    }

    /// Go `RevocationList.CheckSignatureFrom`: the issuer is a CA allowed to sign CRLs and the
    /// signature verifies with its key.
    pub fn signed_by(&self, issuer: &Cert) -> Result<(), String> {
        if !issuer.is_ca() {
            return Err("the issuer is not a CA".into());
        }
        if let Ok(Some((_, ku))) = issuer.key_usage() {
            if !ku.crl_sign() {
                return Err("the issuer's keyUsage does not allow cRLSign".into());
            }
        }
        let sig = self
            .list
            .signature
            .as_bytes()
            .ok_or("the signature is not a whole number of bytes")?;
        crypto::verify_x509_signature(
            &issuer.inner().tbs_certificate.subject_public_key_info,
            &self.list.signature_algorithm,
            &self.tbs,
            sig,
        )
        .map_err(|e| e.to_string())
    }
}

fn crl_extension(list: &CertificateList, oid: ObjectIdentifier) -> Option<&Extension> {
    list.tbs_cert_list
        .crl_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oid)
}

/// An ASN.1 time (as a duration since the Unix epoch) as an `OffsetDateTime`; times beyond
/// what `OffsetDateTime` holds become the epoch, which every validity check then rejects.
pub(crate) fn to_offset(d: std::time::Duration) -> OffsetDateTime {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Every CRL supplied for a verification, from files or bytes, DER or PEM, one or many each.
#[derive(Debug, Clone, Default)]
pub struct CrlSet {
    crls: Vec<Crl>,
}

impl CrlSet {
    /// An empty set: every certificate with a CRL distribution point will be Unknown.
    pub fn new() -> CrlSet {
        CrlSet::default()
    }

    /// Add every CRL in `bytes` (PEM `X509 CRL` blocks, or concatenated DER). `source` names
    /// the input in messages. Returns how many CRLs were added.
    pub fn add_bytes(
        &mut self,
        source: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<usize, RevocationError> {
        if bytes.len() as u64 > limits.max_crl_file {
            return Err(RevocationError::TooLarge {
                source_name: source.to_string(),
                size: bytes.len() as u64,
                limit: limits.max_crl_file,
            });
        }
        let malformed = |reason: String| RevocationError::Malformed {
            source_name: source.to_string(),
            reason,
        };
        let mut added = Vec::new();
        if looks_like_pem(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| malformed("PEM text is not UTF-8".into()))?;
            for block in pem_blocks(text) {
                let (label, der) = block.map_err(|e| malformed(e.to_string()))?;
                if label != "X509 CRL" {
                    return Err(RevocationError::NotACrl {
                        source_name: source.to_string(),
                        label,
                    });
                }
                added.push(Crl::from_der(source, &der)?);
            }
        } else {
            let mut rest = bytes;
            while !rest.is_empty() {
                let tlv = read_tlv(&mut rest).map_err(|e| malformed(e.to_string()))?;
                added.push(Crl::from_der(source, tlv.raw)?);
            }
        }
        if added.is_empty() {
            return Err(RevocationError::Empty {
                source_name: source.to_string(),
            });
        }
        let n = added.len();
        self.crls.extend(added);
        Ok(n)
    }

    /// Read and add a CRL file, refusing files larger than `Limits::max_crl_file` before
    /// reading them.
    pub fn add_file(&mut self, path: &Path, limits: &Limits) -> Result<usize, RevocationError> {
        use std::io::Read;
        let source = path.display().to_string();
        let read_err = |e: std::io::Error| RevocationError::Read {
            source_name: source.clone(),
            reason: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let size = file.metadata().map_err(read_err)?.len();
        let too_large = |size| RevocationError::TooLarge {
            source_name: source.clone(),
            size,
            limit: limits.max_crl_file,
        };
        if size > limits.max_crl_file {
            return Err(too_large(size));
        }
        let mut bytes = Vec::new();
        file.take(limits.max_crl_file.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        if bytes.len() as u64 > limits.max_crl_file {
            return Err(too_large(bytes.len() as u64));
        }
        self.add_bytes(&source, &bytes, limits)
    }

    /// How many CRLs the set holds.
    pub fn len(&self) -> usize {
        self.crls.len()
    }

    /// Whether the set holds no CRL.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty()
    }

    /// The CRLs, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = &Crl> {
        self.crls.iter()
    }
}

/// The revocation status of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked according to a fresh CRL from its issuer.
    Ok {
        /// The base CRL that decided.
        crl: CrlRef,
        /// The delta CRL read with it, if any.
        delta: Option<CrlRef>,
    },
    /// Revoked (or on hold) according to a fresh CRL from its issuer.
    Revoked {
        /// The base CRL that decided.
        crl: CrlRef,
        /// The delta CRL read with it, if any.
        delta: Option<CrlRef>,
        /// The entry's revocationDate.
        date: OffsetDateTime,
        /// The entry's reasonCode, if it has one.
        reason: Option<RevocationReason>,
    },
    /// The status cannot be known, and why.
    Unknown {
        /// Why no CRL could decide.
        why: RevocationError,
    },
    /// The certificate carries no revocation information, or is the root: counts as OK.
    NonRevocable,
}

impl CertStatus {
    /// Whether Notation counts this status as passing (OK or non-revocable).
    pub fn is_good(&self) -> bool {
        matches!(self, CertStatus::Ok { .. } | CertStatus::NonRevocable)
    }
}

/// One certificate's result, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRevocation {
    /// The certificate's subject.
    pub subject: String,
    /// Its serial number, lowercase hex.
    pub serial: String,
    /// Its status.
    pub status: CertStatus,
}

/// Which chain was checked; it decides the wording of failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainPurpose {
    /// The signing certificate chain (`revocation` validation).
    CodeSigning,
    /// The TSA chain (inside authenticTimestamp).
    Timestamping,
}

/// The chain verdict (ng `revocationFinalResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationVerdict {
    /// Every certificate is OK or non-revocable.
    Ok,
    /// At least one certificate is revoked; the one nearest the leaf is named.
    Revoked {
        /// The subject of the revoked certificate nearest the leaf.
        subject: String,
    },
    /// No certificate is revoked but at least one is unknown; the one nearest the leaf is
    /// named with the reason.
    Unknown {
        /// The subject of the certificate nearest the leaf whose status is unknown.
        subject: String,
        /// Why its status is unknown.
        why: RevocationError,
    },
}

/// The revocation results of a whole chain, leaf first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRevocation {
    /// What the chain is for.
    pub purpose: ChainPurpose,
    /// One result per certificate, leaf first.
    pub certs: Vec<CertRevocation>,
}

impl ChainRevocation {
    /// The verdict: Revoked beats Unknown; OK only if every certificate is OK or
    /// non-revocable.
    pub fn verdict(&self) -> RevocationVerdict {
        if let Some(c) = self
            .certs
            .iter()
            .find(|c| matches!(c.status, CertStatus::Revoked { .. }))
        {
            return RevocationVerdict::Revoked {
                subject: c.subject.clone(),
            };
        }
        for c in &self.certs {
            if let CertStatus::Unknown { why } = &c.status {
                return RevocationVerdict::Unknown {
                    subject: c.subject.clone(),
                    why: why.clone(),
                };
            }
        }
        RevocationVerdict::Ok
    }

    /// The failure message Notation gives, or `None` when the verdict is OK.
    pub fn failure_message(&self) -> Option<String> {
        let who = match self.purpose {
            ChainPurpose::CodeSigning => "signing",
            ChainPurpose::Timestamping => "timestamping",
        };
        match self.verdict() {
            RevocationVerdict::Ok => None,
            RevocationVerdict::Revoked { subject } => Some(format!(
                "{who} certificate with subject {subject:?} is revoked"
            )),
            RevocationVerdict::Unknown { subject, why } => Some(format!(
                "{who} certificate with subject {subject:?} revocation status is unknown: {why}"
            )),
        }
    }
}

/// Check the signing chain (leaf first) against the CRLs at time `at` (NOTATION.md §8).
/// `authentic_signing_time` is given only under `notary.x509.signingAuthority`: an entry whose
/// invalidityDate is after it does not revoke.
pub fn check_chain_revocation(
    chain: &[Cert],
    crls: &CrlSet,
    at: OffsetDateTime,
    authentic_signing_time: Option<OffsetDateTime>,
) -> ChainRevocation {
    check(
        ChainPurpose::CodeSigning,
        chain,
        crls,
        at,
        authentic_signing_time,
    )
}

/// Check the TSA chain (leaf first) against the CRLs at time `at` (NOTATION.md §5.2 step 9):
/// run under authenticTimestamp whatever the policy's `revocation` level says.
pub fn check_tsa_chain_revocation(
    chain: &[Cert],
    crls: &CrlSet,
    at: OffsetDateTime,
) -> ChainRevocation {
    check(ChainPurpose::Timestamping, chain, crls, at, None)
}

fn check(
    purpose: ChainPurpose,
    chain: &[Cert],
    crls: &CrlSet,
    at: OffsetDateTime,
    signing_time: Option<OffsetDateTime>,
) -> ChainRevocation {
    let certs = chain
        .iter()
        .enumerate()
        .map(|(i, cert)| CertRevocation {
            subject: cert.subject(),
            serial: cert.serial_hex(),
            status: match chain.get(i + 1) {
                None => CertStatus::NonRevocable,
                Some(issuer) => cert_status(cert, issuer, crls, at, signing_time),
            },
        })
        .collect();
    ChainRevocation { purpose, certs }
}

/// The URIs of a certificate's CRL distribution points (fullName URIs, as Go reads them).
fn crl_distribution_urls(cert: &Cert) -> Vec<String> {
    let Ok(Some((_, bytes))) = cert.extension(ext_oid::CRL_DISTRIBUTION_POINTS) else {
        return Vec::new();
    };
    let Ok(points) = CrlDistributionPoints::from_der(bytes) else {
        return Vec::new();
    };
    points
        .0
        .iter()
        .filter_map(|dp: &DistributionPoint| match &dp.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(|n| match n {
            GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
            _ => None,
        })
        .collect()
}

/// Whether the certificate names an OCSP responder (AIA id-ad-ocsp with a URI).
fn has_ocsp_responder(cert: &Cert) -> bool {
    let Ok(Some((_, bytes))) = cert.extension(ext_oid::AUTHORITY_INFO_ACCESS) else {
        return false;
    };
    AuthorityInfoAccessSyntax::from_der(bytes).is_ok_and(|aia| {
        aia.0.iter().any(|d| {
            d.access_method == crl_oid::AD_OCSP
                && matches!(d.access_location, GeneralName::UniformResourceIdentifier(_))
        })
    })
}

/// The status of one non-root certificate (NOTATION.md §8, "CRL logic").
fn cert_status(
    cert: &Cert,
    issuer: &Cert,
    crls: &CrlSet,
    at: OffsetDateTime,
    signing_time: Option<OffsetDateTime>,
) -> CertStatus {
    let urls = crl_distribution_urls(cert);
    if urls.is_empty() {
        return if has_ocsp_responder(cert) {
            CertStatus::Unknown {
                why: RevocationError::OcspOnly,
            }
        } else {
            CertStatus::NonRevocable
        };
    }
    match crl_status(cert, issuer, crls, at, signing_time, &urls) {
        Ok(status) => status,
        Err(why) => CertStatus::Unknown { why },
    }
}

fn crl_status(
    cert: &Cert,
    issuer: &Cert,
    crls: &CrlSet,
    at: OffsetDateTime,
    signing_time: Option<OffsetDateTime>,
    urls: &[String],
) -> Result<CertStatus, RevocationError> {
    let base = newest_crl_signed_by(issuer, crls, false)?.ok_or_else(|| {
        RevocationError::NoCrlForIssuer {
            issuer: issuer.subject(),
            urls: urls.join(", "),
        }
    })?;
    let wants_delta = crl_extension(&base.list, crl_oid::FRESHEST_CRL).is_some();
    let delta = if wants_delta {
        Some(newest_crl_signed_by(issuer, crls, true)?.ok_or_else(|| {
            RevocationError::DeltaCrlMissing {
                source_name: base.source.clone(),
                issuer: issuer.subject(),
            }
        })?)
    } else {
        None
    };
    if delta.is_none()
        && cert
            .extension(ext_oid::FRESHEST_CRL)
            .ok()
            .flatten()
            .is_some()
    {
        return Err(RevocationError::FreshestCrlWithoutDelta {
            issuer: issuer.subject(),
        });
    }
    crl_is_fresh_and_supported(base, at)?;
    if let Some(delta) = delta {
        crl_is_fresh_and_supported(delta, at)?;
        delta_fits_base(base, delta)?;
    }
    serial_lookup(cert, base, delta, signing_time)
}

/// The newest (by thisUpdate, then cRLNumber) base or delta CRL with the issuer's name whose signature the
/// issuer made. `Ok(None)` when no CRL has the issuer's name; an error when some do but none
/// verifies.
fn newest_crl_signed_by<'a>(
    issuer: &Cert,
    crls: &'a CrlSet,
    delta: bool,
) -> Result<Option<&'a Crl>, RevocationError> {
    let mut failure = None;
    let mut best: Option<&Crl> = None;
    for crl in crls
        .iter()
        .filter(|c| c.is_delta() == delta && c.issued_by_name(issuer))
    {
        match crl.signed_by(issuer) {
            Ok(()) => {
                if best.is_none_or(|b| newer(crl, b)) {
                    best = Some(crl);
                }
            }
            Err(reason) => {
                failure.get_or_insert(RevocationError::CrlSignatureInvalid {
                    source_name: crl.source.clone(),
                    issuer: issuer.subject(),
                    reason,
                });
            }
        }
    }
    match (best, failure) {
        (Some(b), _) => Ok(Some(b)),
        (None, Some(f)) => Err(f),
        (None, None) => Ok(None),
    }
}

/// Whether `a` supersedes `b`: a later thisUpdate, or the same one and a greater cRLNumber.
fn newer(a: &Crl, b: &Crl) -> bool {
    let zero = [0u8];
    a.this_update()
        .cmp(&b.this_update())
        .then_with(|| {
            cmp_uint(
                a.number.as_deref().unwrap_or(&zero),
                b.number.as_deref().unwrap_or(&zero),
            )
        })
        .is_gt()
}

/// ncg `validateCRL`: nextUpdate present and `at ≤ nextUpdate`; no critical extension other
/// than issuingDistributionPoint and deltaCRLIndicator.
fn crl_is_fresh_and_supported(crl: &Crl, at: OffsetDateTime) -> Result<(), RevocationError> {
    let next = crl
        .next_update()
        .ok_or_else(|| RevocationError::NextUpdateMissing {
            source_name: crl.source.clone(),
        })?;
    if at > next {
        return Err(RevocationError::StaleCrl {
            source_name: crl.source.clone(),
            at: at.to_string(),
            next_update: next.to_string(),
        });
    }
    for ext in crl.list.tbs_cert_list.crl_extensions.iter().flatten() {
        let allowed = ext.extn_id == crl_oid::ISSUING_DISTRIBUTION_POINT
            || ext.extn_id == crl_oid::DELTA_CRL_INDICATOR;
        if ext.critical && !allowed {
            return Err(RevocationError::UnsupportedCriticalExtension {
                source_name: crl.source.clone(),
                oid: ext.extn_id,
            });
        }
    }
    Ok(())
}

/// Compare two unsigned big-endian integers.
fn cmp_uint(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |x: &[u8]| -> Vec<u8> { x.iter().copied().skip_while(|b| *b == 0).collect() };
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// ncg `validate` for a delta: its number is greater than the base number, and its
/// deltaCRLIndicator is at most the base number.
fn delta_fits_base(base: &Crl, delta: &Crl) -> Result<(), RevocationError> {
    let mismatch = |reason: String| RevocationError::DeltaCrlMismatch {
        source_name: delta.source.clone(),
        reason,
    };
    let zero = [0u8];
    let base_number = base.number.as_deref().unwrap_or(&zero);
    let delta_number = delta.number.as_deref().unwrap_or(&zero);
    if cmp_uint(delta_number, base_number).is_le() {
        return Err(mismatch(format!(
            "delta CRL number {} is not greater than the base CRL number {}",
            hex::encode(delta_number),
            hex::encode(base_number)
        )));
    }
    let indicator = delta.delta_base.as_deref().unwrap_or(&zero);
    if cmp_uint(indicator, base_number).is_gt() {
        return Err(mismatch(format!(
            "delta CRL indicator {} is not less than or equal to the base CRL number {}",
            hex::encode(indicator),
            hex::encode(base_number)
        )));
    }
    Ok(())
}

/// ncg `checkRevocation`: look the serial up in the base then the delta CRL.
fn serial_lookup(
    cert: &Cert,
    base: &Crl,
    delta: Option<&Crl>,
    signing_time: Option<OffsetDateTime>,
) -> Result<CertStatus, RevocationError> {
    let serial = cert.inner().tbs_certificate.serial_number.as_bytes();
    let crl_ref = base.reference();
    let delta_ref = delta.map(Crl::reference);
    let ok = CertStatus::Ok {
        crl: crl_ref.clone(),
        delta: delta_ref.clone(),
    };
    let mut latest_temporary: Option<(OffsetDateTime, RevocationReason)> = None;
    for crl in std::iter::once(base).chain(delta) {
        for entry in crl.list.tbs_cert_list.revoked_certificates.iter().flatten() {
            if cmp_uint(entry.serial_number.as_bytes(), serial).is_ne() {
                continue;
            }
            let (reason, invalidity) = entry_extensions(crl, entry, cert)?;
            if let (Some(signed), Some(invalid)) = (signing_time, invalidity) {
                if signed < invalid {
                    return Ok(ok);
                }
            }
            let date = to_offset(entry.revocation_date.to_unix_duration());
            match reason {
                Some(r @ (RevocationReason::CertificateHold | RevocationReason::RemoveFromCrl)) => {
                    if latest_temporary.is_none_or(|(d, _)| d < date) {
                        latest_temporary = Some((date, r));
                    }
                }
                reason => {
                    return Ok(CertStatus::Revoked {
                        crl: crl_ref,
                        delta: delta_ref,
                        date,
                        reason,
                    })
                }
            }
        }
    }
    match latest_temporary {
        Some((date, RevocationReason::CertificateHold)) => Ok(CertStatus::Revoked {
            crl: crl_ref,
            delta: delta_ref,
            date,
            reason: Some(RevocationReason::CertificateHold),
        }),
        _ => Ok(ok),
    }
}

/// The reasonCode and invalidityDate of an entry; any other critical extension is an error.
fn entry_extensions(
    crl: &Crl,
    entry: &RevokedCert,
    cert: &Cert,
) -> Result<(Option<RevocationReason>, Option<OffsetDateTime>), RevocationError> {
    let malformed = |reason: String| RevocationError::MalformedEntry {
        source_name: crl.source.clone(),
        serial: cert.serial_hex(),
        reason,
    };
    let mut reason = None;
    let mut invalidity = None;
    for ext in entry.crl_entry_extensions.iter().flatten() {
        let value = ext.extn_value.as_bytes();
        if ext.extn_id == crl_oid::INVALIDITY_DATE {
            let t = der::asn1::GeneralizedTime::from_der(value)
                .map_err(|e| malformed(format!("invalidity date: {e}")))?;
            invalidity = Some(to_offset(t.to_unix_duration()));
        } else if ext.critical {
            return Err(RevocationError::UnsupportedCriticalExtension {
                source_name: crl.source.clone(),
                oid: ext.extn_id,
            });
        } else if ext.extn_id == crl_oid::REASON_CODE {
            match value {
                [0x0a, 0x01, code] => reason = Some(RevocationReason::from_code(*code)),
                _ => {
                    return Err(malformed(
                        "reason code is not a one-octet ENUMERATED".into(),
                    ))
                }
            }
        }
    }
    Ok((reason, invalidity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uint_comparison_ignores_leading_zeros() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_uint(&[0, 5], &[5]), Equal);
        assert_eq!(cmp_uint(&[1, 0], &[0xff]), Greater);
        assert_eq!(cmp_uint(&[], &[1]), Less);
    }

    #[test]
    fn oversized_and_garbage_inputs_are_refused() {
        let limits = Limits {
            max_crl_file: 8,
            ..Limits::default()
        };
        let mut set = CrlSet::new();
        assert!(matches!(
            set.add_bytes("big.crl", &[0u8; 9], &limits),
            Err(RevocationError::TooLarge { size: 9, .. })
        ));
        assert!(matches!(
            set.add_bytes("junk.crl", b"junk", &Limits::default()),
            Err(RevocationError::Malformed { .. })
        ));
        let cert = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            set.add_bytes("cert.pem", cert, &Limits::default()),
            Err(RevocationError::NotACrl { .. })
        ));
        assert!(set.is_empty());
    }

    #[test]
    fn reasons_have_rfc_names() {
        assert_eq!(RevocationReason::from_code(6).name(), "certificateHold");
        assert_eq!(RevocationReason::from_code(1).to_string(), "keyCompromise");
        assert_eq!(RevocationReason::from_code(7).name(), "reason code 7");
    }
}

//! RFC 3161 timestamp countersignatures: the authenticTimestamp check of the `notary.x509`
//! scheme (NOTATION.md §5.2, steps 2 to 7), as tspclient-go (`token.go`, `timestamp.go`,
//! `internal/cms/signed.go`) and notation-go (`verifyTimestamp`) perform it.
//!
//! Trust: the TSA certificate is path-built to any certificate of `tsa_roots`, with the token's
//! certificates as intermediates, at the token's genTime. With Flux's Secret semantics every
//! certificate of the Secret is a TSA trust anchor, so `tsa_roots` may hold intermediates or
//! leaves: a chain that reaches ANY trusted certificate counts (ng's `tsa` stores only accept
//! self-signed roots). The chain built must then satisfy the timestamping-chain rules of §6.2.
//!
//! Deviation, documented: where Go's `x509.Verify` stops at the first trusted certificate, we
//! also consider longer chains through it, and keep the first chain that satisfies the signing
//! time attribute and §6.2. Name constraints are not evaluated (no Notation TSA uses them).
//!
//! Revocation of the TSA chain (step 9) lives in [`crate::pki::revocation`].

use ::cms::signed_data::{SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::OctetStringRef;
use der::{Decode, Encode};
use time::{Duration, OffsetDateTime};
use x509_cert::attr::Attribute;

use crate::limits::Limits;
use crate::pki::cert::{ext_oid, Cert};
use crate::pki::cms::{self, expect_tlv, optional_tlv, read_tlv, tag, CmsError, Tlv};
use crate::pki::crypto::{oid, EcdsaEncoding, HashAlg, PssSalt, Verification};

/// Object identifiers of RFC 3161 / RFC 5652 / RFC 5035.
pub mod tsp_oid {
    use const_oid::ObjectIdentifier as Oid;
    /// id-ct-TSTInfo, the eContentType of a timestamp token.
    pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
    /// The content-type signed attribute.
    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    /// The message-digest signed attribute.
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    /// The signing-time signed attribute.
    pub const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
    /// signing-certificate (ESS, RFC 2634): not accepted on its own.
    pub const SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
    /// signing-certificate-v2 (RFC 5035): required.
    pub const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
    /// The baseline time-stamp policy of ETSI EN 319 422 / RFC 3628.
    pub const BASELINE_POLICY: Oid = Oid::new_unwrap("0.4.0.2023.1.1");
}

/// Why a timestamp token was rejected. The messages follow tspclient-go's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The token is not BER/DER `ContentInfo` holding `SignedData` version 3 with X.509
    /// certificates (e.g. a corrupt `io.cncf.notary.timestampSignature` value).
    #[error("failed to parse timestamp countersignature: {0}")]
    Malformed(#[from] CmsError),
    /// `encapContentInfo.eContentType` is not id-ct-TSTInfo.
    #[error(
        "unexpected content type: {0}. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)"
    )]
    NotTstInfo(ObjectIdentifier),
    /// The TSTInfo content does not parse (missing field, bad genTime, bad accuracy...).
    #[error("cannot unmarshal TSTInfo from timestamp token: {0}")]
    MalformedTstInfo(String),
    /// `TSTInfo.version` is not 1.
    #[error("timestamp token info version must be 1, but got {0}")]
    UnsupportedTstInfoVersion(u64),
    /// `messageImprint.hashAlgorithm` is not SHA-256, SHA-384 or SHA-512.
    #[error("unrecognized hash algorithm: {0} (the message imprint must use SHA-256, SHA-384 or SHA-512)")]
    UnsupportedImprintHash(ObjectIdentifier),
    /// `messageImprint.hashedMessage` is not the hash of the signature bytes: the token
    /// timestamps something else.
    #[error(
        "mismatched message: the timestamp's {0} message imprint does not cover this signature"
    )]
    MismatchedMessage(&'static str),
    /// No certificate to trust a TSA with: the trust material has no TSA certificates.
    #[error("no trusted TSA certificate found in trust store")]
    NoTrustedTsaCertificate,
    /// The token has no SignerInfo.
    #[error("signerInfo not found in the timestamp token")]
    SignerInfoNotFound,
    /// A SignerInfo does not parse.
    #[error("SignerInfo does not parse: {0}")]
    MalformedSignerInfo(String),
    /// No signing-certificate-v2 signed attribute. `v1_only` says a V1 attribute is present,
    /// which is not accepted.
    #[error("failed to get SigningCertificateV2 from signed attributes: attribute not found{}", if *.v1_only { " (only the SigningCertificate V1 attribute is present, which is not supported)" } else { "" })]
    SigningCertificateV2Missing {
        /// Whether a SigningCertificate (V1) attribute is there instead.
        v1_only: bool,
    },
    /// The signing-certificate-v2 attribute does not parse (truncated, wrong shape).
    #[error("failed to get SigningCertificateV2 from signed attributes: {0}")]
    MalformedSigningCertificateV2(String),
    /// The signing-certificate-v2 attribute lists no certificate.
    #[error("signingCertificateV2 does not contain any certificate")]
    SigningCertificateV2Empty,
    /// The attribute's IssuerSerial has no directoryName issuer.
    #[error("issuer name is missing in IssuerSerial")]
    IssuerNameMissing,
    /// No certificate of the token matches the IssuerSerial (or the SignerInfo sid).
    #[error("signing certificate not found in the timestamp token")]
    SigningCertificateNotFound,
    /// The attribute names a certificate hash other than SHA-256/384/512 (SHA-1 included).
    #[error("unsupported certificate hash algorithm {0} in SigningCertificateV2 attribute")]
    UnsupportedCertHash(ObjectIdentifier),
    /// The certificate found does not have the hash the attribute names.
    #[error("signing certificate hash does not match CertHash in signed attribute")]
    CertHashMismatch,
    /// `SignerInfo.version` is not 1 (only issuerAndSerialNumber signer identifiers).
    #[error("invalid signer info version: only version 1 is supported; got {0}")]
    UnsupportedSignerVersion(u64),
    /// The TSA certificate does not chain to any trusted TSA certificate at genTime (expired,
    /// unknown issuer, wrong EKU in the chain, issuer not a CA...).
    #[error(
        "timestamp signing certificate {subject:?} is not trusted at genTime {gen_time}: {reason}"
    )]
    UntrustedTsa {
        /// The TSA certificate's subject ([`Cert::subject`]).
        subject: String,
        /// The token's genTime.
        gen_time: String,
        /// Why the chain does not verify at that time.
        reason: String,
    },
    /// The SignerInfo's digest and signature algorithms are not RSA PKCS#1 v1.5, RSASSA-PSS or
    /// ECDSA with SHA-256/384/512.
    #[error("unknown signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(String),
    /// The CMS signature does not verify with the TSA certificate's key.
    #[error("timestamp signature does not verify with the key of {0:?}: {1}")]
    BadSignature(String, String),
    /// The SignerInfo has no signed attributes.
    #[error("missing signed attributes")]
    SignedAttributesMissing,
    /// The content-type signed attribute is absent, malformed, or not id-ct-TSTInfo.
    #[error("invalid content type attribute: {0}")]
    ContentTypeAttribute(String),
    /// The message-digest signed attribute is absent or malformed, its digest algorithm is not
    /// SHA-256/384/512, or it is not the digest of the TSTInfo.
    #[error("invalid message digest attribute: {0}")]
    MessageDigestAttribute(String),
    /// The signing-time signed attribute is malformed or outside the TSA chain's validity.
    #[error("invalid signing time attribute: {0}")]
    SigningTime(String),
    /// The TSA certificate's EKU is not exactly `[timeStamping]`, or is not critical.
    #[error("signing certificate {subject:?}: {reason}")]
    TsaExtendedKeyUsage {
        /// The TSA certificate's subject ([`Cert::subject`]).
        subject: String,
        /// What is wrong with its extended key usage.
        reason: String,
    },
    /// The TSA chain breaks a rule of NOTATION.md §6.2 (`ValidateTimestampingCertChain`).
    #[error("invalid timestamping certificate chain: {0}")]
    TsaChainRules(String),
}

/// A verified timestamp: when, how precisely, and by which TSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    /// `TSTInfo.genTime`.
    pub gen_time: OffsetDateTime,
    /// The accuracy (§5.2 step 4): the sum of the TSTInfo accuracy, or 1 s under the baseline
    /// policy when the token states none.
    pub accuracy: Duration,
    /// The TSA chain, leaf first, ending at the trusted certificate.
    pub tsa_chain: Vec<Cert>,
    /// The TSA certificate's subject.
    pub tsa_subject: String,
    /// The message-imprint hash.
    pub hash: HashAlg,
}

impl Timestamp {
    /// genTime − accuracy, the earliest the signature may have existed.
    pub fn earliest(&self) -> OffsetDateTime {
        self.gen_time.saturating_sub(self.accuracy)
    }

    /// genTime + accuracy, the latest the signature certainly existed.
    pub fn latest(&self) -> OffsetDateTime {
        self.gen_time.saturating_add(self.accuracy)
    }
}

/// What `inspect` shows of a token without trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampSummary {
    /// `TSTInfo.genTime`.
    pub gen_time: OffsetDateTime,
    /// The accuracy, as in [`Timestamp::accuracy`].
    pub accuracy: Duration,
    /// The subject of the first SignerInfo's certificate, when the token carries it.
    pub tsa_subject: Option<String>,
}

/// The parts of TSTInfo (RFC 3161 §2.4.2) that verification uses.
#[derive(Debug, Clone)]
struct TstInfo {
    version: u64,
    policy: ObjectIdentifier,
    imprint_alg: ObjectIdentifier,
    hashed_message: Vec<u8>,
    gen_time: OffsetDateTime,
    accuracy: (u64, u64, u64),
}

/// Verify an RFC 3161 timestamp token over the raw signature bytes (NOTATION.md §5.2 steps
/// 2-7): CMS syntax, TSTInfo, message imprint, accuracy, the signer (signing-certificate-v2,
/// version, path to a trusted TSA certificate at genTime, signature, signed attributes, EKU),
/// then the timestamping chain rules. SignerInfos are tried in order; the first that verifies
/// wins, else the last failure is returned (as tspclient-go).
pub fn verify_timestamp(
    token: &[u8],
    signature: &[u8],
    tsa_roots: &[Cert],
    limits: &Limits,
) -> Result<Timestamp, TimestampError> {
    let signed = cms::parse_signed_data(token, limits.max_certificates_per_chain)?;
    token_content_is_tst_info(&signed)?;
    let info = parse_tst_info(&signed.content)?;
    let hash = imprint_covers_signature(&info, signature)?;
    let accuracy = accuracy_of(&info);
    if tsa_roots.is_empty() {
        return Err(TimestampError::NoTrustedTsaCertificate);
    }
    let chain = verify_signers(&signed, tsa_roots, info.gen_time, limits)?;
    Ok(Timestamp {
        gen_time: info.gen_time,
        accuracy,
        tsa_subject: chain.first().map(Cert::subject).unwrap_or_default(),
        tsa_chain: chain,
        hash,
    })
}

/// §5.2 step 6 and 7 over every SignerInfo: the first that verifies gives the TSA chain, else
/// the last failure is returned (tspclient-go `SignedToken.Verify`).
fn verify_signers(
    signed: &cms::SignedData,
    tsa_roots: &[Cert],
    gen_time: OffsetDateTime,
    limits: &Limits,
) -> Result<Vec<Cert>, TimestampError> {
    let mut last = TimestampError::SignerInfoNotFound;
    for raw in &signed.signer_infos {
        match verify_signer(signed, raw, tsa_roots, gen_time, limits) {
            Ok(chain) => return Ok(chain),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Read a token's genTime, accuracy and TSA subject without verifying anything (for
/// `inspect`). Fails only when the token or its TSTInfo does not parse.
pub fn parse_timestamp_unverified(token: &[u8]) -> Result<TimestampSummary, TimestampError> {
    let signed = cms::parse_signed_data(token, u64::MAX)?;
    token_content_is_tst_info(&signed)?;
    let info = parse_tst_info(&signed.content)?;
    let tsa_subject = signed.signer_infos.first().and_then(|raw| {
        let si = cms_signer_info(raw).ok()?;
        signing_certificate(&signed, &si)
            .ok()
            .or_else(|| sid_certificate(&signed, &si))
            .map(Cert::subject)
    });
    Ok(TimestampSummary {
        gen_time: info.gen_time,
        accuracy: accuracy_of(&info),
        tsa_subject,
    })
}

/// §5.2 step 2: the encapsulated content must be id-ct-TSTInfo.
fn token_content_is_tst_info(signed: &cms::SignedData) -> Result<(), TimestampError> {
    if signed.content_type != tsp_oid::TST_INFO {
        return Err(TimestampError::NotTstInfo(signed.content_type));
    }
    Ok(())
}

/// §5.2 step 3: TSTInfo version 1, imprint hash SHA-256/384/512, and the imprint equals the
/// hash of the raw signature bytes. Returns the imprint's hash.
fn imprint_covers_signature(info: &TstInfo, signature: &[u8]) -> Result<HashAlg, TimestampError> {
    if info.version != 1 {
        return Err(TimestampError::UnsupportedTstInfoVersion(info.version));
    }
    let hash = HashAlg::from_oid(&info.imprint_alg)
        .ok_or(TimestampError::UnsupportedImprintHash(info.imprint_alg))?;
    if hash.digest(signature) != info.hashed_message {
        return Err(TimestampError::MismatchedMessage(hash.name()));
    }
    Ok(hash)
}

/// §5.2 step 4: the timestamp's accuracy. All-zero accuracy under the baseline time-stamp
/// policy 0.4.0.2023.1.1 means 1 s; otherwise the sum of seconds, millis and micros.
fn accuracy_of(info: &TstInfo) -> Duration {
    let (s, ms, us) = info.accuracy;
    if s == 0 && ms == 0 && us == 0 && info.policy == tsp_oid::BASELINE_POLICY {
        return Duration::seconds(1);
    }
    let secs = i64::try_from(s).unwrap_or(i64::MAX / 2);
    Duration::seconds(secs)
        .saturating_add(Duration::milliseconds(ms as i64))
        .saturating_add(Duration::microseconds(us as i64))
}

fn bad_tst(reason: impl std::fmt::Display) -> TimestampError {
    TimestampError::MalformedTstInfo(reason.to_string())
}

/// Parse TSTInfo; fields after accuracy (ordering, nonce, tsa, extensions) are not used.
fn parse_tst_info(der: &[u8]) -> Result<TstInfo, TimestampError> {
    let mut input = der;
    let seq = expect_tlv(&mut input, tag::SEQUENCE, "TSTInfo").map_err(bad_tst)?;
    if !input.is_empty() {
        return Err(bad_tst("trailing data after TSTInfo"));
    }
    let mut f = seq.content;
    let version_tlv = expect_tlv(&mut f, tag::INTEGER, "TSTInfo.version").map_err(bad_tst)?;
    let version = cms::small_uint(&version_tlv, "TSTInfo.version").map_err(bad_tst)?;
    let policy = cms::oid_of(
        &expect_tlv(&mut f, tag::OID, "TSTInfo.policy").map_err(bad_tst)?,
        "TSTInfo.policy",
    )
    .map_err(bad_tst)?;
    let imprint = expect_tlv(&mut f, tag::SEQUENCE, "TSTInfo.messageImprint").map_err(bad_tst)?;
    let mut m = imprint.content;
    let alg = expect_tlv(&mut m, tag::SEQUENCE, "messageImprint.hashAlgorithm").map_err(bad_tst)?;
    let imprint_alg = spki::AlgorithmIdentifierOwned::from_der(alg.raw)
        .map_err(|e| bad_tst(format!("messageImprint.hashAlgorithm: {e}")))?
        .oid;
    let hashed_message = expect_tlv(&mut m, tag::OCTET_STRING, "messageImprint.hashedMessage")
        .map_err(bad_tst)?
        .content
        .to_vec();
    expect_tlv(&mut f, tag::INTEGER, "TSTInfo.serialNumber").map_err(bad_tst)?;
    let gen = expect_tlv(&mut f, tag::GENERALIZED_TIME, "TSTInfo.genTime").map_err(bad_tst)?;
    let gen_time = parse_generalized_time(gen.content)
        .ok_or_else(|| bad_tst("genTime is not a valid GeneralizedTime"))?;
    let accuracy = match optional_tlv(&mut f, tag::SEQUENCE).map_err(bad_tst)? {
        Some(acc) => parse_accuracy(&acc)?,
        None => (0, 0, 0),
    };
    while !f.is_empty() {
        read_tlv(&mut f).map_err(bad_tst)?;
    }
    Ok(TstInfo {
        version,
        policy,
        imprint_alg,
        hashed_message,
        gen_time,
        accuracy,
    })
}

fn parse_accuracy(acc: &Tlv<'_>) -> Result<(u64, u64, u64), TimestampError> {
    let mut a = acc.content;
    let mut out = (0, 0, 0);
    if let Some(s) = optional_tlv(&mut a, tag::INTEGER).map_err(bad_tst)? {
        out.0 = cms::small_uint(&s, "accuracy.seconds").map_err(bad_tst)?;
    }
    if let Some(ms) = optional_tlv(&mut a, tag::ctx_prim(0)).map_err(bad_tst)? {
        out.1 = cms::small_uint(&ms, "accuracy.millis").map_err(bad_tst)?;
    }
    if let Some(us) = optional_tlv(&mut a, tag::ctx_prim(1)).map_err(bad_tst)? {
        out.2 = cms::small_uint(&us, "accuracy.micros").map_err(bad_tst)?;
    }
    if !a.is_empty() {
        return Err(bad_tst("unexpected field in accuracy"));
    }
    if out.1 > 999 || out.2 > 999 {
        return Err(bad_tst("accuracy millis and micros must be at most 999"));
    }
    Ok(out)
}

/// GeneralizedTime as RFC 3161 uses it: `YYYYMMDDHHMMSS[.f+](Z|±HHMM)`; a fraction must not end
/// in 0 (Go's parser round-trips the text the same way).
fn parse_generalized_time(text: &[u8]) -> Option<OffsetDateTime> {
    let s = std::str::from_utf8(text).ok()?;
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let year = digits(0..4)? as i32;
    let month = time::Month::try_from(digits(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(year, month, digits(6..8)? as u8).ok()?;
    let t = time::Time::from_hms(
        digits(8..10)? as u8,
        digits(10..12)? as u8,
        digits(12..14)? as u8,
    )
    .ok()?;
    let mut rest = s.get(14..)?;
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 || frac.as_bytes().get(n - 1) == Some(&b'0') {
            return None;
        }
        nanos = frac.get(..n)?.parse::<u32>().ok()? * 10u32.pow(9 - n as u32);
        rest = frac.get(n..)?;
    }
    let offset = match rest {
        "Z" => time::UtcOffset::UTC,
        _ if rest.len() == 5 && (rest.starts_with('+') || rest.starts_with('-')) => {
            let h = rest.get(1..3)?.parse::<i8>().ok()?;
            let m = rest.get(3..5)?.parse::<i8>().ok()?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            time::UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        _ => return None,
    };
    let dt = time::PrimitiveDateTime::new(date, t.replace_nanosecond(nanos).ok()?);
    Some(dt.assume_offset(offset).to_offset(time::UtcOffset::UTC))
}

fn cms_signer_info(raw: &[u8]) -> Result<SignerInfo, TimestampError> {
    SignerInfo::from_der(raw).map_err(|e| TimestampError::MalformedSignerInfo(e.to_string()))
}

/// Verify one SignerInfo (tspclient-go `SignedToken.Verify` for one signer) and return the
/// TSA chain.
fn verify_signer(
    signed: &cms::SignedData,
    raw: &[u8],
    tsa_roots: &[Cert],
    gen_time: OffsetDateTime,
    limits: &Limits,
) -> Result<Vec<Cert>, TimestampError> {
    let si = cms_signer_info(raw)?;
    let cert = signing_certificate(signed, &si)?;
    signer_info_version_is_1(&si)?;
    let chains = build_tsa_chains(cert, &signed.certificates, tsa_roots, gen_time, limits)?;
    signature_over_signed_attributes(&si, cert, &signed.content)?;
    let chains = signed_attributes_hold(&si, signed, chains)?;
    tsa_leaf_eku_is_exactly_time_stamping(cert)?;
    first_chain_meeting_timestamping_rules(chains, limits)
}

/// §5.2 step 6: SignerInfo version 1.
fn signer_info_version_is_1(si: &SignerInfo) -> Result<(), TimestampError> {
    let version = si.version as u64;
    if version != 1 {
        return Err(TimestampError::UnsupportedSignerVersion(version));
    }
    Ok(())
}

/// One attribute's single value, if the attribute is present.
fn attribute(attrs: &[Attribute], oid: ObjectIdentifier) -> Result<Option<&der::Any>, String> {
    match attrs.iter().find(|a| a.oid == oid) {
        None => Ok(None),
        Some(a) if a.values.len() == 1 => Ok(a.values.iter().next()),
        Some(a) => Err(format!(
            "attribute {oid} has {} values, expected 1",
            a.values.len()
        )),
    }
}

fn signed_attrs(si: &SignerInfo) -> &[Attribute] {
    si.signed_attrs
        .as_ref()
        .map(|a| a.as_slice())
        .unwrap_or(&[])
}

/// §5.2 step 6: locate the TSA certificate through the signing-certificate-v2 attribute
/// (RFC 5035; V1 alone fails). IssuerSerial if present, else the SignerInfo sid; certHash with
/// the named hash (default SHA-256; SHA-1 unsupported).
fn signing_certificate<'a>(
    signed: &'a cms::SignedData,
    si: &SignerInfo,
) -> Result<&'a Cert, TimestampError> {
    let attrs = signed_attrs(si);
    let value = attribute(attrs, tsp_oid::SIGNING_CERTIFICATE_V2)
        .map_err(TimestampError::MalformedSigningCertificateV2)?
        .ok_or_else(|| TimestampError::SigningCertificateV2Missing {
            v1_only: attrs.iter().any(|a| a.oid == tsp_oid::SIGNING_CERTIFICATE),
        })?;
    let id = parse_ess_cert_id_v2(value)?;
    let cert = match &id.issuer_serial {
        Some((issuer, serial)) => signed.certificates.iter().find(|c| {
            let tbs = &c.inner().tbs_certificate;
            tbs.issuer.to_der().is_ok_and(|i| &i == issuer)
                && tbs.serial_number.as_bytes() == serial.as_slice()
        }),
        None => sid_certificate(signed, si),
    }
    .ok_or(TimestampError::SigningCertificateNotFound)?;
    let hash = match id.hash_alg {
        None => HashAlg::Sha256,
        Some(oid) => HashAlg::from_oid(&oid).ok_or(TimestampError::UnsupportedCertHash(oid))?,
    };
    if hash.digest(cert.der()) != id.cert_hash {
        return Err(TimestampError::CertHashMismatch);
    }
    Ok(cert)
}

/// The certificate named by the SignerInfo's issuerAndSerialNumber.
fn sid_certificate<'a>(signed: &'a cms::SignedData, si: &SignerInfo) -> Option<&'a Cert> {
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return None;
    };
    signed.certificates.iter().find(|c| {
        let tbs = &c.inner().tbs_certificate;
        tbs.issuer == ias.issuer && tbs.serial_number.as_bytes() == ias.serial_number.as_bytes()
    })
}

/// The first ESSCertIDv2 of a SigningCertificateV2 attribute value.
struct EssCertIdV2 {
    hash_alg: Option<ObjectIdentifier>,
    cert_hash: Vec<u8>,
    /// DER issuer Name and serial number content octets.
    issuer_serial: Option<(Vec<u8>, Vec<u8>)>,
}

fn parse_ess_cert_id_v2(value: &der::Any) -> Result<EssCertIdV2, TimestampError> {
    let bad = |e: CmsError| TimestampError::MalformedSigningCertificateV2(e.to_string());
    let der = value
        .to_der()
        .map_err(|e| TimestampError::MalformedSigningCertificateV2(e.to_string()))?;
    let mut input = der.as_slice();
    let outer = expect_tlv(&mut input, tag::SEQUENCE, "SigningCertificateV2").map_err(bad)?;
    let mut o = outer.content;
    let certs = expect_tlv(&mut o, tag::SEQUENCE, "SigningCertificateV2.certs").map_err(bad)?;
    let mut c = certs.content;
    if c.is_empty() {
        return Err(TimestampError::SigningCertificateV2Empty);
    }
    let first = expect_tlv(&mut c, tag::SEQUENCE, "ESSCertIDv2").map_err(bad)?;
    let mut e = first.content;
    let hash_alg = match optional_tlv(&mut e, tag::SEQUENCE).map_err(bad)? {
        Some(alg) => Some(
            spki::AlgorithmIdentifierOwned::from_der(alg.raw)
                .map_err(|e| TimestampError::MalformedSigningCertificateV2(e.to_string()))?
                .oid,
        ),
        None => None,
    };
    let cert_hash = expect_tlv(&mut e, tag::OCTET_STRING, "ESSCertIDv2.certHash")
        .map_err(bad)?
        .content
        .to_vec();
    let issuer_serial = match optional_tlv(&mut e, tag::SEQUENCE).map_err(bad)? {
        None => None,
        Some(is) => {
            let mut s = is.content;
            let names = expect_tlv(&mut s, tag::SEQUENCE, "IssuerSerial.issuer").map_err(bad)?;
            let serial =
                expect_tlv(&mut s, tag::INTEGER, "IssuerSerial.serialNumber").map_err(bad)?;
            let mut n = names.content;
            let directory = optional_tlv(&mut n, tag::ctx_cons(4))
                .map_err(bad)?
                .ok_or(TimestampError::IssuerNameMissing)?;
            let mut d = directory.content;
            let name =
                expect_tlv(&mut d, tag::SEQUENCE, "IssuerSerial directoryName").map_err(bad)?;
            Some((name.raw.to_vec(), serial.content.to_vec()))
        }
    };
    Ok(EssCertIdV2 {
        hash_alg,
        cert_hash,
        issuer_serial,
    })
}

/// The verification recipe for a SignerInfo (tspclient-go `ToSignatureAlgorithm`): rsaEncryption
/// or RSASSA-PSS with the digest algorithm, or sha*WithRSAEncryption / ecdsa-with-SHA*.
fn signer_verification(digest: &ObjectIdentifier, sig: &ObjectIdentifier) -> Option<Verification> {
    let digest_hash = HashAlg::from_oid(digest);
    match *sig {
        oid::RSA_ENCRYPTION => digest_hash.map(Verification::RsaPkcs1v15),
        oid::RSASSA_PSS => digest_hash.map(|h| Verification::RsaPss(h, PssSalt::HashLength)),
        oid::SHA256_WITH_RSA => Some(Verification::RsaPkcs1v15(HashAlg::Sha256)),
        oid::SHA384_WITH_RSA => Some(Verification::RsaPkcs1v15(HashAlg::Sha384)),
        oid::SHA512_WITH_RSA => Some(Verification::RsaPkcs1v15(HashAlg::Sha512)),
        oid::ECDSA_WITH_SHA256 => Some(Verification::Ecdsa(HashAlg::Sha256, EcdsaEncoding::Der)),
        oid::ECDSA_WITH_SHA384 => Some(Verification::Ecdsa(HashAlg::Sha384, EcdsaEncoding::Der)),
        oid::ECDSA_WITH_SHA512 => Some(Verification::Ecdsa(HashAlg::Sha512, EcdsaEncoding::Der)),
        _ => None,
    }
}

/// §5.2 step 6: the signature over the DER SET of signed attributes (or over the content when
/// there are none, which the signed-attribute rule then rejects).
fn signature_over_signed_attributes(
    si: &SignerInfo,
    cert: &Cert,
    content: &[u8],
) -> Result<(), TimestampError> {
    let how =
        signer_verification(&si.digest_alg.oid, &si.signature_algorithm.oid).ok_or_else(|| {
            TimestampError::UnsupportedSignatureAlgorithm(format!(
                "{} with digest {}",
                si.signature_algorithm.oid, si.digest_alg.oid
            ))
        })?;
    let message = match &si.signed_attrs {
        Some(attrs) => attrs
            .to_der()
            .map_err(|e| TimestampError::MalformedSignerInfo(e.to_string()))?,
        None => content.to_vec(),
    };
    let key = cert
        .public_key()
        .map_err(|e| TimestampError::BadSignature(cert.subject(), e.to_string()))?;
    key.verify(how, &message, si.signature.as_bytes())
        .map_err(|e| TimestampError::BadSignature(cert.subject(), e.to_string()))
}

/// §5.2 step 6: content-type = id-ct-TSTInfo, message-digest = hash of the TSTInfo, and a
/// signing-time attribute, if present, within the validity of every certificate of the chain.
/// Returns the chains that satisfy the signing time.
fn signed_attributes_hold(
    si: &SignerInfo,
    signed: &cms::SignedData,
    chains: Vec<Vec<Cert>>,
) -> Result<Vec<Vec<Cert>>, TimestampError> {
    let attrs = signed_attrs(si);
    if attrs.is_empty() {
        return Err(TimestampError::SignedAttributesMissing);
    }
    let ct = attribute(attrs, tsp_oid::CONTENT_TYPE)
        .map_err(TimestampError::ContentTypeAttribute)?
        .ok_or_else(|| TimestampError::ContentTypeAttribute("attribute not found".into()))?
        .decode_as::<ObjectIdentifier>()
        .map_err(|e| TimestampError::ContentTypeAttribute(e.to_string()))?;
    if ct != signed.content_type {
        return Err(TimestampError::ContentTypeAttribute(format!(
            "mismatch content type: found {ct} in signer info, and {} in signed data",
            signed.content_type
        )));
    }
    let digest = attribute(attrs, tsp_oid::MESSAGE_DIGEST)
        .map_err(TimestampError::MessageDigestAttribute)?
        .ok_or_else(|| TimestampError::MessageDigestAttribute("attribute not found".into()))?
        .decode_as::<OctetStringRef<'_>>()
        .map_err(|e| TimestampError::MessageDigestAttribute(e.to_string()))?;
    let hash = HashAlg::from_oid(&si.digest_alg.oid).ok_or_else(|| {
        TimestampError::MessageDigestAttribute(format!(
            "unsupported digest algorithm {}",
            si.digest_alg.oid
        ))
    })?;
    if hash.digest(&signed.content) != digest.as_bytes() {
        return Err(TimestampError::MessageDigestAttribute(
            "mismatch message digest".into(),
        ));
    }
    let Some(value) =
        attribute(attrs, tsp_oid::SIGNING_TIME).map_err(TimestampError::SigningTime)?
    else {
        return Ok(chains);
    };
    let signing_time = value
        .to_der()
        .ok()
        .and_then(|d| x509_cert::time::Time::from_der(&d).ok())
        .map(|t| crate::pki::revocation::to_offset(t.to_unix_duration()))
        .ok_or_else(|| TimestampError::SigningTime("not a UTCTime or GeneralizedTime".into()))?;
    let within: Vec<Vec<Cert>> = chains
        .into_iter()
        .filter(|chain| {
            chain
                .iter()
                .all(|c| c.not_before() <= signing_time && signing_time <= c.not_after())
        })
        .collect();
    if within.is_empty() {
        return Err(TimestampError::SigningTime(format!(
            "signing time, {signing_time}, is outside certificate's validity period"
        )));
    }
    Ok(within)
}

/// §5.2 step 6 (tspclient-go `SignedToken.Verify`): the TSA certificate's EKU must be exactly
/// `[timeStamping]` and the extension critical.
pub fn tsa_leaf_eku_is_exactly_time_stamping(cert: &Cert) -> Result<(), TimestampError> {
    let fail = |reason: &str| TimestampError::TsaExtendedKeyUsage {
        subject: cert.subject(),
        reason: reason.into(),
    };
    match cert.extended_key_usage() {
        Ok(Some((critical, eku))) if eku.0 == [ext_oid::EKU_TIME_STAMPING] => {
            if critical {
                Ok(())
            } else {
                Err(fail(
                    "signing certificate extended key usage extension must be set as critical",
                ))
            }
        }
        _ => Err(fail(
            "signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage",
        )),
    }
}

/// §5.2 step 7: the first chain satisfying `ValidateTimestampingCertChain` (§6.2).
fn first_chain_meeting_timestamping_rules(
    chains: Vec<Vec<Cert>>,
    limits: &Limits,
) -> Result<Vec<Cert>, TimestampError> {
    let mut first_error = None;
    for chain in chains {
        match timestamping_chain_rules(&chain, limits) {
            Ok(()) => return Ok(chain),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(TimestampError::TsaChainRules(
        first_error.unwrap_or_else(|| "no certificate chain".into()),
    ))
}

/// The §6.2 rules on a built TSA chain.
fn timestamping_chain_rules(chain: &[Cert], limits: &Limits) -> Result<(), String> {
    use crate::pki::chain::{validate_chain, ChainProfile};
    validate_chain(chain, ChainProfile::Timestamping, limits).map_err(|e| e.to_string())
}

/// Largest number of signature checks while building TSA chains (Go's
/// `maxChainSignatureChecks`).
const MAX_SIGNATURE_CHECKS: usize = 100;
/// Go's `x509.UnknownAuthorityError` text: no chain reaches a trusted certificate.
pub const UNKNOWN_AUTHORITY: &str = "x509: certificate signed by unknown authority";

/// Largest number of candidate chains kept.
const MAX_CHAINS: usize = 8;

/// §5.2 step 6, Go `x509.Verify` with Roots = `anchors`, Intermediates = the token's
/// certificates, CurrentTime = genTime, KeyUsages = timeStamping. Every certificate must be
/// valid at `at`; every issuer a CA (basicConstraints cA, keyCertSign if keyUsage is present,
/// pathLen respected); every EKU present must allow timeStamping (or any). A chain ends at any
/// trusted certificate (Flux semantics, see the module documentation).
fn build_tsa_chains(
    leaf: &Cert,
    intermediates: &[Cert],
    anchors: &[Cert],
    at: OffsetDateTime,
    limits: &Limits,
) -> Result<Vec<Vec<Cert>>, TimestampError> {
    let untrusted = |reason: String| TimestampError::UntrustedTsa {
        subject: leaf.subject(),
        gen_time: at.to_string(),
        reason,
    };
    valid_at(leaf, at).map_err(untrusted)?;
    let mut candidates: Vec<&Cert> = Vec::new();
    for c in anchors.iter().chain(intermediates) {
        if !candidates.contains(&c) {
            candidates.push(c);
        }
    }
    let mut builder = PathBuilder {
        anchors,
        candidates,
        at,
        max_len: usize::try_from(limits.max_certificates_per_chain).unwrap_or(usize::MAX),
        checks_left: MAX_SIGNATURE_CHECKS,
        found: Vec::new(),
        last_error: None,
    };
    let mut chain = vec![leaf.clone()];
    builder.extend(&mut chain);
    let found: Vec<Vec<Cert>> = builder
        .found
        .into_iter()
        .filter(|chain| chain.iter().all(eku_allows_time_stamping))
        .collect();
    if found.is_empty() {
        let reason = builder.last_error.unwrap_or_else(|| {
            format!(
                "{UNKNOWN_AUTHORITY}: no chain from it to a trusted TSA certificate (its issuer is {:?})",
                leaf.issuer()
            )
        });
        return Err(untrusted(reason));
    }
    Ok(found)
}

struct PathBuilder<'a> {
    anchors: &'a [Cert],
    candidates: Vec<&'a Cert>,
    at: OffsetDateTime,
    max_len: usize,
    checks_left: usize,
    found: Vec<Vec<Cert>>,
    last_error: Option<String>,
}

impl PathBuilder<'_> {
    /// Depth-first search; recursion depth is bounded by `max_len`.
    fn extend(&mut self, chain: &mut Vec<Cert>) {
        let Some(current) = chain.last().cloned() else {
            return;
        };
        if self.anchors.contains(&current) {
            self.found.push(chain.clone());
        }
        if self.found.len() >= MAX_CHAINS || chain.len() >= self.max_len {
            return;
        }
        for i in 0..self.candidates.len() {
            let Some(parent) = self.candidates.get(i).copied() else {
                break;
            };
            if chain.contains(parent) || !current.issuer_name_is_subject_of(parent) {
                continue;
            }
            if self.checks_left == 0 {
                self.last_error = Some("too many signature checks while building the chain".into());
                return;
            }
            self.checks_left -= 1;
            if let Err(e) = current.verify_signed_by(parent) {
                self.last_error = Some(format!(
                    "the signature of {:?} does not verify with the key of {:?}: {e}",
                    current.subject(),
                    parent.subject()
                ));
                continue;
            }
            if let Err(e) = can_issue(parent, chain.len() - 1, self.at) {
                self.last_error = Some(e);
                continue;
            }
            chain.push(parent.clone());
            self.extend(chain);
            chain.pop();
            if self.found.len() >= MAX_CHAINS {
                return;
            }
        }
    }
}

/// Whether `cert` is within its validity period at `at`.
fn valid_at(cert: &Cert, at: OffsetDateTime) -> Result<(), String> {
    if at < cert.not_before() || at > cert.not_after() {
        return Err(format!(
            "certificate {:?} is not valid at {at}: it is valid from {} to {}",
            cert.subject(),
            cert.not_before(),
            cert.not_after()
        ));
    }
    Ok(())
}

/// Whether `parent` may issue a chain with `intermediates_below` intermediates under it.
fn can_issue(parent: &Cert, intermediates_below: usize, at: OffsetDateTime) -> Result<(), String> {
    valid_at(parent, at)?;
    let subject = parent.subject();
    match parent.basic_constraints() {
        Ok(Some((_, bc))) if bc.ca => {
            if let Some(max) = bc.path_len_constraint {
                if intermediates_below > max as usize {
                    return Err(format!(
                        "{subject:?} allows at most {max} intermediate certificates below it"
                    ));
                }
            }
        }
        _ => {
            return Err(format!(
                "{subject:?} is not a CA (basicConstraints cA is not true)"
            ))
        }
    }
    match parent.key_usage() {
        Ok(Some((_, ku))) if !ku.key_cert_sign() => {
            Err(format!("{subject:?} keyUsage does not allow keyCertSign"))
        }
        Err(e) => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// Whether a certificate's EKU, if present, allows timeStamping (or anyExtendedKeyUsage).
fn eku_allows_time_stamping(cert: &Cert) -> bool {
    match cert.extended_key_usage() {
        Ok(None) => true,
        Ok(Some((_, eku))) => eku
            .0
            .iter()
            .any(|o| *o == ext_oid::EKU_TIME_STAMPING || *o == ext_oid::EKU_ANY),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_with_and_without_fractions() {
        let t = parse_generalized_time(b"20210917140910Z").unwrap();
        assert_eq!(t.unix_timestamp(), 1631887750);
        let f = parse_generalized_time(b"20210917140910.25Z").unwrap();
        assert_eq!(f.nanosecond(), 250_000_000);
        let o = parse_generalized_time(b"20210917160910+0200").unwrap();
        assert_eq!(o, t);
        for bad in [
            &b"20210917140910.250Z"[..],
            b"2021091714091Z",
            b"20211317140910Z",
            b"x",
        ] {
            assert!(parse_generalized_time(bad).is_none(), "{bad:?}");
        }
    }

    fn info(policy: &str, acc: (u64, u64, u64)) -> TstInfo {
        TstInfo {
            version: 1,
            policy: ObjectIdentifier::new_unwrap(policy),
            imprint_alg: oid::SHA256,
            hashed_message: HashAlg::Sha256.digest(b"notation"),
            gen_time: OffsetDateTime::UNIX_EPOCH,
            accuracy: acc,
        }
    }

    #[test]
    fn baseline_policy_without_accuracy_means_one_second() {
        assert_eq!(
            accuracy_of(&info("0.4.0.2023.1.1", (0, 0, 0))),
            Duration::seconds(1)
        );
        assert_eq!(accuracy_of(&info("1.2.3.4", (0, 0, 0))), Duration::ZERO);
        assert_eq!(
            accuracy_of(&info("0.4.0.2023.1.1", (1, 2, 3))),
            Duration::seconds(1) + Duration::milliseconds(2) + Duration::microseconds(3)
        );
    }

    #[test]
    fn imprint_must_cover_the_signature_bytes() {
        let i = info("1.2.3", (0, 0, 0));
        assert_eq!(
            imprint_covers_signature(&i, b"notation"),
            Ok(HashAlg::Sha256)
        );
        assert_eq!(
            imprint_covers_signature(&i, b"other"),
            Err(TimestampError::MismatchedMessage("SHA-256"))
        );
        let mut v2 = i.clone();
        v2.version = 2;
        assert_eq!(
            imprint_covers_signature(&v2, b"notation"),
            Err(TimestampError::UnsupportedTstInfoVersion(2))
        );
        let mut sha1 = i;
        sha1.imprint_alg = oid::SHA1;
        assert!(matches!(
            imprint_covers_signature(&sha1, b"notation"),
            Err(TimestampError::UnsupportedImprintHash(_))
        ));
    }

    /// Parse a conformance token and run the signer checks directly (these vectors do not
    /// timestamp any bytes we know, so the imprint check is skipped).
    fn signed_token(rel: &str) -> Option<(cms::SignedData, TstInfo, Vec<Cert>)> {
        let dir = airgap_verify_testkit::conformance()?;
        let token = std::fs::read(dir.join(rel)).unwrap();
        let root = std::fs::read(dir.join("tspclient-go/testdata/GlobalSignRootCA.crt")).unwrap();
        let roots = crate::pki::cert::parse_certificates(&root, 32).unwrap();
        let signed = cms::parse_signed_data(&token, 32).unwrap();
        let info = parse_tst_info(&signed.content).unwrap();
        Some((signed, info, roots))
    }

    fn signer_result(rel: &str) -> Option<Result<Vec<Cert>, TimestampError>> {
        let (signed, info, roots) = signed_token(rel)?;
        Some(verify_signers(
            &signed,
            &roots,
            info.gen_time,
            &Limits::default(),
        ))
    }

    #[test]
    fn signing_certificate_v1_alone_is_not_enough() {
        let Some(r) =
            signer_result("tspclient-go/testdata/TimeStampTokenWithSigningCertificateV1.p7s")
        else {
            return;
        };
        assert_eq!(
            r,
            Err(TimestampError::SigningCertificateV2Missing { v1_only: true })
        );
        let Some(r) =
            signer_result("tspclient-go/testdata/TimeStampTokenWithSigningCertificateV1NoCert.p7s")
        else {
            return;
        };
        assert!(r.is_err());
    }

    #[test]
    fn issuer_serial_absent_falls_back_to_the_sid() {
        let rel = "tspclient-go/testdata/TimeStampTokenWithoutSigningCertificateV2IssuerSerial.p7s";
        let Some((signed, _, _)) = signed_token(rel) else {
            return;
        };
        let si = cms_signer_info(&signed.signer_infos[0]).unwrap();
        let cert = signing_certificate(&signed, &si).unwrap();
        assert!(
            cert.subject().contains("Globalsign TSA"),
            "{}",
            cert.subject()
        );
    }

    #[test]
    fn cms_level_vectors_fail_with_their_reason() {
        let base = "tspclient-go/internal/cms/testdata/";
        type Check = fn(&TimestampError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("TimeStampTokenWithSignerVersion2.p7s", |e| {
                matches!(e, TimestampError::UnsupportedSignerVersion(2))
            }),
            ("TimeStampTokenWithoutSignedAttributeDigest.p7s", |e| {
                matches!(
                    e,
                    TimestampError::MessageDigestAttribute(_)
                        | TimestampError::BadSignature(..)
                        | TimestampError::SigningCertificateV2Missing { .. }
                )
            }),
            ("TimeStampTokenWithInvalidSignature.p7s", |e| {
                matches!(e, TimestampError::BadSignature(..))
            }),
        ];
        for (name, check) in cases {
            let Some(r) = signer_result(&format!("{base}{name}")) else {
                return;
            };
            let err = r.expect_err(name);
            assert!(check(&err), "{name}: {err:?}");
        }
    }
}

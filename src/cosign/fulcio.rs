//! Fulcio certificates: the chain to a CA of the trust root, the embedded SCTs (RFC 6962 §3.3,
//! precertificate entries) against the CT logs, and the OIDC identity (SAN and issuer).

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

use super::keys::verify_signature;
use super::trust_root::TrustRoot;
use crate::pki::cert::Cert;
use crate::pki::crypto::HashAlg;

/// The embedded SCT list extension.
pub const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
/// Fulcio's OIDC issuer extension (v2, a DER UTF8String).
pub const OIDC_ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
/// Fulcio's OIDC issuer extension (v1, the raw string; deprecated).
pub const OIDC_ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
/// Most SCTs read from one certificate.
pub const MAX_SCTS: usize = 32;

/// Check the leaf chains to a CA of the trust root whose validity contains `t`, every
/// certificate of the path being valid at `t`. Returns the issuing certificate.
pub fn chain_to_trust_root<'a>(
    leaf: &Cert,
    root: &'a TrustRoot,
    t: OffsetDateTime,
) -> Result<&'a Cert, String> {
    let valid_at = |c: &Cert| c.not_before() <= t && t <= c.not_after();
    if !valid_at(leaf) {
        return Err(format!(
            "certificate {:?} is not valid at the signing time {t} (valid {} to {})",
            leaf.subject(),
            leaf.not_before(),
            leaf.not_after()
        ));
    }
    let mut last = "no certificate authority of the trust root issued the certificate".to_string();
    for ca in &root.certificate_authorities {
        let Some(start) = ca
            .chain
            .iter()
            .position(|c| leaf.issuer_name_is_subject_of(c) && leaf.verify_signed_by(c).is_ok())
        else {
            continue;
        };
        if !ca.validity.contains(t) {
            last = format!(
                "the certificate authority {:?} of the trust root is not valid at the signing time {t}",
                ca.uri
            );
            continue;
        }
        let path = &ca.chain[start..];
        let links_ok = path
            .windows(2)
            .all(|w| w[0].issuer_name_is_subject_of(&w[1]) && w[0].verify_signed_by(&w[1]).is_ok());
        let root_ok = path.last().is_some_and(Cert::is_self_signed);
        if !links_ok || !root_ok {
            last = format!(
                "the certificate chain of authority {:?} of the trust root is broken",
                ca.uri
            );
            continue;
        }
        if let Some(bad) = path.iter().find(|c| !valid_at(c)) {
            last = format!(
                "issuing CA certificate {:?} is not valid at the signing time {t}",
                bad.subject()
            );
            continue;
        }
        return Ok(&path[0]);
    }
    Err(last)
}

/// The leaf must be a code-signing certificate, not a CA.
pub fn leaf_is_code_signing(leaf: &Cert) -> Result<(), String> {
    if leaf.is_ca() {
        return Err("the signing certificate is a CA certificate".into());
    }
    let eku = leaf
        .extended_key_usage()
        .map_err(|e| e.to_string())?
        .ok_or("the signing certificate has no extended key usage")?;
    if !eku.1 .0.contains(&CODE_SIGNING) {
        return Err("the signing certificate's extended key usage lacks codeSigning".into());
    }
    Ok(())
}

struct Sct<'a> {
    log_id: &'a [u8],
    timestamp: u64,
    extensions: &'a [u8],
    hash: u8,
    signature: &'a [u8],
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if b.len() < n {
        return None;
    }
    let (h, t) = b.split_at(n);
    *b = t;
    Some(h)
}

fn take_len<'a>(b: &mut &'a [u8], width: usize) -> Option<&'a [u8]> {
    let len = take(b, width)?
        .iter()
        .fold(0usize, |a, &x| (a << 8) | usize::from(x));
    take(b, len)
}

fn parse_scts(list: &[u8]) -> Option<Vec<Sct<'_>>> {
    let mut outer = list;
    let mut items = take_len(&mut outer, 2)?;
    if !outer.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    while !items.is_empty() && out.len() < MAX_SCTS {
        let mut s = take_len(&mut items, 2)?;
        if take(&mut s, 1)? != [0] {
            continue; // not v1
        }
        let log_id = take(&mut s, 32)?;
        let timestamp = u64::from_be_bytes(take(&mut s, 8)?.try_into().ok()?);
        let extensions = take_len(&mut s, 2)?;
        let hash = take(&mut s, 1)?[0];
        let _sig_alg = take(&mut s, 1)?;
        let signature = take_len(&mut s, 2)?;
        out.push(Sct {
            log_id,
            timestamp,
            extensions,
            hash,
            signature,
        });
    }
    Some(out)
}

/// Verify the certificate's embedded SCTs: at least one must be signed by a CT log of the trust
/// root valid at the SCT's time. `issuer` is the certificate that issued the leaf.
pub fn verify_embedded_scts(leaf: &Cert, issuer: &Cert, root: &TrustRoot) -> Result<(), String> {
    let (_, value) = leaf
        .extension(SCT_LIST)
        .map_err(|e| e.to_string())?
        .ok_or("certificate does not include required embedded SCT")?;
    let list = der::asn1::OctetString::from_der(value)
        .map_err(|e| format!("the embedded SCT list is malformed: {e}"))?;
    let scts = parse_scts(list.as_bytes()).ok_or("the embedded SCT list is malformed")?;
    let mut tbs = leaf.inner().tbs_certificate.clone();
    if let Some(exts) = tbs.extensions.as_mut() {
        exts.retain(|e| e.extn_id != SCT_LIST);
    }
    let tbs_der = tbs
        .to_der()
        .map_err(|e| format!("re-encoding the certificate: {e}"))?;
    let issuer_key = issuer
        .inner()
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| format!("re-encoding the issuer key: {e}"))?;
    let issuer_key_hash = Sha256::digest(&issuer_key);
    let mut last = "no embedded SCT is from a CT log of the trust root".to_string();
    for sct in &scts {
        let Some(log) = root.ctlogs.iter().find(|l| l.log_id == sct.log_id) else {
            continue;
        };
        let Ok(ts) =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(sct.timestamp) * 1_000_000)
        else {
            continue;
        };
        if !log.validity.contains(ts) {
            last = "the SCT's CT log is not valid at the SCT's time".into();
            continue;
        }
        let hash = match sct.hash {
            4 => HashAlg::Sha256,
            5 => HashAlg::Sha384,
            6 => HashAlg::Sha512,
            _ => {
                last = "the SCT uses an unsupported hash".into();
                continue;
            }
        };
        let mut signed = Vec::with_capacity(tbs_der.len() + 64);
        signed.extend_from_slice(&[0, 0]);
        signed.extend_from_slice(&sct.timestamp.to_be_bytes());
        signed.extend_from_slice(&[0, 1]);
        signed.extend_from_slice(&issuer_key_hash);
        let n = tbs_der.len();
        if n >= 1 << 24 {
            return Err("the certificate is too large for an SCT".into());
        }
        signed.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        signed.extend_from_slice(&tbs_der);
        let e = sct.extensions.len();
        signed.extend_from_slice(&[(e >> 8) as u8, e as u8]);
        signed.extend_from_slice(sct.extensions);
        match verify_signature(&log.key, Some(hash), &signed, sct.signature) {
            Ok(()) => return Ok(()),
            Err(_) => {
                last = "the embedded SCT's signature does not verify with the CT log key".into()
            }
        }
    }
    Err(last)
}

/// The certificate's identity: its first SAN (URI, email or other name) and its OIDC issuer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertIdentity {
    /// The first URI, email or other-name of the subject alternative name.
    pub subject: String,
    /// The OIDC issuer extension's value (v2, else v1).
    pub issuer: String,
}

/// Read the SAN and the OIDC issuer of a Fulcio certificate.
pub fn identity(leaf: &Cert) -> Result<CertIdentity, String> {
    let issuer = oidc_issuer(leaf)?;
    let subject = san_subject(leaf)?;
    Ok(CertIdentity { subject, issuer })
}

/// The OIDC issuer of a Fulcio certificate: the v2 extension, else the deprecated v1.
pub fn oidc_issuer(leaf: &Cert) -> Result<String, String> {
    match leaf.extension(OIDC_ISSUER_V2).map_err(|e| e.to_string())? {
        Some((_, v)) => der::asn1::Utf8StringRef::from_der(v)
            .map(|s| s.as_str().to_string())
            .map_err(|e| format!("the OIDC issuer extension is malformed: {e}")),
        None => match leaf.extension(OIDC_ISSUER_V1).map_err(|e| e.to_string())? {
            Some((_, v)) => String::from_utf8(v.to_vec())
                .map_err(|_| "the OIDC issuer extension is not UTF-8".to_string()),
            None => Err("the certificate has no OIDC issuer extension".into()),
        },
    }
}

/// The first URI, email or other name of a certificate's subject alternative name.
pub fn san_subject(leaf: &Cert) -> Result<String, String> {
    let (_, san) = leaf
        .extension(SUBJECT_ALT_NAME)
        .map_err(|e| e.to_string())?
        .ok_or("the certificate has no subject alternative name")?;
    let san = SubjectAltName::from_der(san)
        .map_err(|e| format!("the subject alternative name is malformed: {e}"))?;
    san.0
        .iter()
        .find_map(|n| match n {
            GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
            GeneralName::Rfc822Name(m) => Some(m.to_string()),
            GeneralName::OtherName(o) => {
                der::asn1::Utf8StringRef::from_der(&o.value.to_der().ok()?)
                    .ok()
                    .map(|s| s.as_str().to_string())
            }
            _ => None,
        })
        .ok_or_else(|| "the subject alternative name has no URI, email or other name".into())
}

/// An identity a certificate must match: OIDC issuer and SAN, as Go RE2 regular expressions
/// matched anywhere in the value (Go's `regexp.MatchString`, as cosign and Flux match them).
#[derive(Debug, Clone)]
pub struct IdentityMatcher {
    /// Matched against [`CertIdentity::issuer`].
    pub issuer: regex::Regex,
    /// Matched against [`CertIdentity::subject`].
    pub subject: regex::Regex,
}

impl IdentityMatcher {
    /// From regular expressions (`matchOIDCIdentity` of an OCIRepository).
    pub fn from_regexps(issuer: &str, subject: &str) -> Result<IdentityMatcher, String> {
        let compile = |what: &str, re: &str| {
            regex::RegexBuilder::new(re)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| format!("malformed {what} in identity: {re} : {e}"))
        };
        Ok(IdentityMatcher {
            issuer: compile("issuer", issuer)?,
            subject: compile("subject", subject)?,
        })
    }

    /// Exactly these values.
    pub fn exact(issuer: &str, subject: &str) -> Result<IdentityMatcher, String> {
        IdentityMatcher::from_regexps(
            &format!("^{}$", regex::escape(issuer)),
            &format!("^{}$", regex::escape(subject)),
        )
    }

    /// Whether both the issuer and the subject match (anywhere in the value, as Go's
    /// `MatchString`).
    pub fn matches(&self, id: &CertIdentity) -> bool {
        self.issuer.is_match(&id.issuer) && self.subject.is_match(&id.subject)
    }
}

//! The Sigstore trust root (`TrustedRoot` JSON, `application/vnd.dev.sigstore.trustedroot+json`):
//! transparency logs, Fulcio CAs, CT logs and timestamp authorities, each with its validity.

use sigstore_protobuf_specs::dev::sigstore::common::v1::{PublicKey as ProtoKey, TimeRange};
use sigstore_protobuf_specs::dev::sigstore::trustroot::v1::{
    CertificateAuthority as ProtoCa, ClientTrustConfig, TransparencyLogInstance,
    TrustedRoot as Proto,
};
use time::OffsetDateTime;

use super::{SigstoreError, MAX_TRUST_ROOT};
use crate::pki::cert::Cert;
use crate::pki::crypto::PublicKey;

/// Most entries of each kind (logs, CAs, TSAs) read from a trust root.
pub const MAX_TRUST_ROOT_ENTRIES: usize = 64;
/// Most certificates in one CA chain of a trust root.
pub const MAX_CA_CHAIN: usize = 10;

/// `keyDetails` of RSA keys given as PKCS #1 `RSAPublicKey` rather than PKIX
/// (`PKCS1_RSA_PKCS1V5`, `PKCS1_RSA_PSS`).
const PKCS1_RSA: [i32; 2] = [1, 2];

/// A closed validity interval; `end` absent means still valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// The first instant of validity.
    pub start: OffsetDateTime,
    /// The last instant of validity; `None` while the entry is still in use.
    pub end: Option<OffsetDateTime>,
}

impl Validity {
    /// Whether `t` lies in the closed interval.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        t >= self.start && self.end.is_none_or(|e| t <= e)
    }
}

/// A transparency log or CT log of the trust root.
#[derive(Debug, Clone)]
pub struct LogKey {
    /// The log id (SHA-256 of the DER public key for Rekor v1 and CT logs).
    pub log_id: Vec<u8>,
    /// The id that checkpoint key hints are taken from (the log id unless the root says).
    pub checkpoint_key_id: Vec<u8>,
    /// The log's public key (PKIX, or PKCS #1 for the RSA key details that say so).
    pub key: PublicKey,
    /// When the key was valid (`publicKey.validFor`).
    pub validity: Validity,
    /// The log's `baseUrl`, as the trust root gives it (never contacted).
    pub base_url: String,
}

/// A Fulcio CA or a TSA: its chain (leaf-most first, root last) and validity.
#[derive(Debug, Clone)]
pub struct Authority {
    /// The chain, leaf-most first, root last.
    pub chain: Vec<Cert>,
    /// When the authority was valid (`validFor`).
    pub validity: Validity,
    /// The authority's `uri`, as the trust root gives it (named in messages, never contacted).
    pub uri: String,
}

/// A parsed trust root.
#[derive(Debug, Clone, Default)]
pub struct TrustRoot {
    /// The Rekor transparency logs (`tlogs`).
    pub tlogs: Vec<LogKey>,
    /// The certificate transparency logs (`ctlogs`).
    pub ctlogs: Vec<LogKey>,
    /// The Fulcio certificate authorities (`certificateAuthorities`).
    pub certificate_authorities: Vec<Authority>,
    /// The RFC 3161 timestamp authorities (`timestampAuthorities`).
    pub timestamp_authorities: Vec<Authority>,
}

fn time_of(seconds: i64, nanos: i32) -> Result<OffsetDateTime, String> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map(|d| d + time::Duration::nanoseconds(i64::from(nanos)))
        .map_err(|e| format!("time out of range: {e}"))
}

fn validity(v: Option<&TimeRange>, what: &str) -> Result<Validity, String> {
    let v = v.ok_or_else(|| format!("{what}: validFor is missing"))?;
    let start = v
        .start
        .as_ref()
        .ok_or_else(|| format!("{what}: validFor.start is missing"))?;
    Ok(Validity {
        start: time_of(start.seconds, start.nanos)
            .map_err(|e| format!("{what}: validFor.start: {e}"))?,
        end: v
            .end
            .as_ref()
            .map(|e| time_of(e.seconds, e.nanos))
            .transpose()
            .map_err(|e| format!("{what}: validFor.end: {e}"))?,
    })
}

fn log_key(l: &TransparencyLogInstance, what: &str) -> Result<LogKey, String> {
    let pk: &ProtoKey = l
        .public_key
        .as_ref()
        .ok_or_else(|| format!("{what}: publicKey is missing"))?;
    let raw = pk
        .raw_bytes
        .as_deref()
        .ok_or_else(|| format!("{what}: publicKey.rawBytes is missing"))?;
    let key = if PKCS1_RSA.contains(&pk.key_details) {
        use der::Encode;
        let spki = spki::SubjectPublicKeyInfoOwned {
            algorithm: spki::AlgorithmIdentifierOwned {
                oid: crate::pki::crypto::oid::RSA_ENCRYPTION,
                parameters: Some(der::asn1::Null.into()),
            },
            subject_public_key: der::asn1::BitString::from_bytes(raw)
                .map_err(|e| format!("{what}: publicKey: {e}"))?,
        };
        let der = spki
            .to_der()
            .map_err(|e| format!("{what}: publicKey: {e}"))?;
        PublicKey::from_spki_der(&der)
    } else {
        PublicKey::from_spki_der(raw)
    }
    .map_err(|e| format!("{what}: publicKey: {e}"))?;
    let log_id = l
        .log_id
        .as_ref()
        .map(|i| i.key_id.clone())
        .filter(|i| !i.is_empty())
        .ok_or_else(|| format!("{what}: logId.keyId is missing"))?;
    let checkpoint_key_id = l
        .checkpoint_key_id
        .as_ref()
        .map(|i| i.key_id.clone())
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| log_id.clone());
    Ok(LogKey {
        log_id,
        checkpoint_key_id,
        key,
        validity: validity(pk.valid_for.as_ref(), &format!("{what}: publicKey"))?,
        base_url: l.base_url.clone(),
    })
}

fn authority(a: &ProtoCa, what: &str) -> Result<Authority, String> {
    let certs = a
        .cert_chain
        .as_ref()
        .map(|c| c.certificates.as_slice())
        .unwrap_or_default();
    if certs.is_empty() {
        return Err(format!("{what}: certChain is empty"));
    }
    if certs.len() > MAX_CA_CHAIN {
        return Err(format!(
            "{what}: certChain has {} certificates, more than the limit of {MAX_CA_CHAIN}",
            certs.len()
        ));
    }
    let chain = certs
        .iter()
        .map(|c| Cert::from_der(&c.raw_bytes).map_err(|e| format!("{what}: certChain: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Authority {
        chain,
        validity: validity(a.valid_for.as_ref(), what)?,
        uri: a.uri.clone(),
    })
}

fn bounded<T>(v: &[T], what: &str) -> Result<(), String> {
    if v.len() > MAX_TRUST_ROOT_ENTRIES {
        return Err(format!(
            "{what}: {} entries, more than the limit of {MAX_TRUST_ROOT_ENTRIES}",
            v.len()
        ));
    }
    Ok(())
}

impl TrustRoot {
    /// Parse a `TrustedRoot` JSON document (or a `ClientTrustConfig` wrapping one). `name` names
    /// the file in errors.
    pub fn from_json(name: &str, json: &[u8]) -> Result<TrustRoot, SigstoreError> {
        let bad = |message: String| SigstoreError::TrustRoot {
            file: name.to_string(),
            message,
        };
        if json.len() as u64 > MAX_TRUST_ROOT {
            return Err(bad(format!(
                "{} bytes, more than the limit of {MAX_TRUST_ROOT}",
                json.len()
            )));
        }
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| bad(format!("not JSON: {e}")))?;
        let proto: Proto = if value.get("trustedRoot").is_some() {
            let config: ClientTrustConfig =
                serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            config
                .trusted_root
                .ok_or_else(|| bad("trustedRoot is missing".into()))?
        } else {
            serde_json::from_value(value).map_err(|e| bad(e.to_string()))?
        };
        if !proto
            .media_type
            .starts_with("application/vnd.dev.sigstore.trustedroot")
        {
            return Err(bad(format!(
                "mediaType {:?} is not a Sigstore trusted root",
                proto.media_type
            )));
        }
        bounded(&proto.tlogs, "tlogs").map_err(bad)?;
        bounded(&proto.ctlogs, "ctlogs").map_err(bad)?;
        bounded(&proto.certificate_authorities, "certificateAuthorities").map_err(bad)?;
        bounded(&proto.timestamp_authorities, "timestampAuthorities").map_err(bad)?;
        let logs = |v: &[TransparencyLogInstance], what: &str| {
            v.iter()
                .enumerate()
                .map(|(i, l)| log_key(l, &format!("{what}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
        };
        let cas = |v: &[ProtoCa], what: &str| {
            v.iter()
                .enumerate()
                .map(|(i, a)| authority(a, &format!("{what}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(TrustRoot {
            tlogs: logs(&proto.tlogs, "tlogs").map_err(bad)?,
            ctlogs: logs(&proto.ctlogs, "ctlogs").map_err(bad)?,
            certificate_authorities: cas(&proto.certificate_authorities, "certificateAuthorities")
                .map_err(bad)?,
            timestamp_authorities: cas(&proto.timestamp_authorities, "timestampAuthorities")
                .map_err(bad)?,
        })
    }
}

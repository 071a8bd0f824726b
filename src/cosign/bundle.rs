//! The Sigstore bundle verifier (`application/vnd.dev.sigstore.bundle…`, versions 0.1 to 0.3):
//! keyed or keyless, for blobs and for images (the DSSE in-toto statement's subject).
//!
//! Steps, in order: parse (bounded size, a known media type, protobuf JSON through
//! `sigstore_protobuf_specs`); the signer (the given key, or the leaf certificate); the
//! signature over the artifact or over the DSSE pre-authentication encoding; for DSSE, the
//! artifact digest among the statement's subjects; every transparency-log entry (log of the
//! trust root, body matching the signature, signer and artifact, signed entry timestamp and/or
//! inclusion proof against a checkpoint signed by the log); every RFC 3161 timestamp of a TSA
//! of the trust root; then, for certificates, at each verified signing time: the chain to a CA
//! of the trust root, the validity windows, an embedded SCT of a CT log of the trust root, and
//! the identity.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use sigstore_protobuf_specs::dev::sigstore::bundle::v1::{bundle, verification_material, Bundle};
use sigstore_protobuf_specs::dev::sigstore::rekor::v1::TransparencyLogEntry;
use time::OffsetDateTime;

use super::fulcio::{self, CertIdentity, IdentityMatcher};
use super::keys::{verify_signature, CosignKey};
use super::tlog::{self, Expected};
use super::trust_root::TrustRoot;
use super::{SigstoreError, MAX_BUNDLE};
use crate::limits::Limits;
use crate::oci::digest::Digest;
use crate::pki::cert::Cert;

/// Most transparency-log entries and timestamps examined in one bundle.
pub const MAX_TLOG_ENTRIES: usize = 16;
/// Most RFC 3161 timestamps examined in one bundle.
pub const MAX_TIMESTAMPS: usize = 16;
/// Largest canonicalized log entry body.
pub const MAX_ENTRY_BODY: usize = 1 << 20;
/// The DSSE payload type of in-toto statements.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

/// What was signed.
#[derive(Debug, Clone, Copy)]
pub enum Artifact<'a> {
    /// The artifact's bytes (blobs).
    Bytes(&'a [u8]),
    /// Only its digest (an image manifest): DSSE bundles only.
    Digest(&'a Digest),
}

/// What a bundle must satisfy.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    /// The trust root: required for certificates and for transparency-log entries.
    pub trust_root: Option<&'a TrustRoot>,
    /// Verify with this key instead of a certificate.
    pub key: Option<&'a CosignKey>,
    /// For certificates: one of these must match.
    pub identities: &'a [IdentityMatcher],
    /// Require a verified transparency-log entry (false: Flux's keyed `IgnoreTlog`; entries
    /// are then not examined at all).
    pub require_tlog: bool,
    /// The time at which the bundle's times and the trust root are judged ("now").
    pub at: OffsetDateTime,
}

/// Who signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Signer {
    /// A public key.
    Key {
        /// Where the key came from (a Secret entry or file name).
        name: String,
        /// `sha256:<hex>` of the key's DER SubjectPublicKeyInfo.
        key_id: String,
    },
    /// A Fulcio certificate.
    Certificate(CertIdentity),
}

/// Where a verified signing time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeSource {
    /// A transparency log's integrated time, under its signed entry timestamp.
    Tlog,
    /// An RFC 3161 timestamp.
    Timestamp,
}

/// A verified bundle.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The key or the Fulcio certificate's identity that signed.
    pub signer: Signer,
    /// The verified signing times.
    pub times: Vec<(TimeSource, OffsetDateTime)>,
    /// For DSSE bundles: the payload type and payload (the in-toto statement).
    pub dsse: Option<(String, Vec<u8>)>,
    /// The bundle's version (1 to 3, for 0.1 to 0.3).
    pub version: u8,
}

/// A parsed bundle, before verification.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The bundle message as parsed from its JSON.
    pub bundle: Bundle,
    /// 1, 2 or 3 for versions 0.1, 0.2, 0.3.
    pub version: u8,
}

fn bad(message: impl Into<String>) -> SigstoreError {
    SigstoreError::Malformed(message.into())
}

fn fail(message: impl Into<String>) -> SigstoreError {
    SigstoreError::Failed(message.into())
}

/// Parse a bundle: its size, its JSON, its media type.
pub fn parse(json: &[u8]) -> Result<Parsed, SigstoreError> {
    if json.len() as u64 > MAX_BUNDLE {
        return Err(bad(format!(
            "the bundle is {} bytes, more than the limit of {MAX_BUNDLE}",
            json.len()
        )));
    }
    crate::oci::model::json_nesting_is_within_limit(json, 64).map_err(bad)?;
    let mut value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| bad(format!("the bundle does not parse: {e}")))?;
    strip_base64_line_breaks(&mut value);
    let bundle: Bundle = serde_json::from_value(value)
        .map_err(|e| bad(format!("the bundle does not parse: {e}")))?;
    let version = match bundle.media_type.as_str() {
        "application/vnd.dev.sigstore.bundle+json;version=0.1" => 1,
        "application/vnd.dev.sigstore.bundle+json;version=0.2" => 2,
        "application/vnd.dev.sigstore.bundle+json;version=0.3"
        | "application/vnd.dev.sigstore.bundle.v0.3+json" => 3,
        other => return Err(bad(format!("unsupported bundle media type {other:?}"))),
    };
    Ok(Parsed { bundle, version })
}

/// Go's base64 decoder (used by `protojson` in cosign and sigstore-go) skips `\r` and `\n`:
/// remove them from strings that are otherwise wholly base64, so that such bytes fields read
/// as they do there. Strings with any other character (a checkpoint note, a media type) are
/// left as they are. The walk is iterative; nesting was bounded before.
fn strip_base64_line_breaks(v: &mut serde_json::Value) {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_');
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s)
                if s.contains(['\n', '\r'])
                    && s.chars().all(|c| is_b64(c) || c == '\n' || c == '\r') =>
            {
                s.retain(|c| c != '\n' && c != '\r');
            }
            serde_json::Value::Array(a) => stack.extend(a.iter_mut()),
            serde_json::Value::Object(o) => stack.extend(o.values_mut()),
            _ => {}
        }
    }
}

/// Parse and verify a bundle over an artifact under a policy.
pub fn verify(json: &[u8], artifact: Artifact, policy: &Policy) -> Result<Verified, SigstoreError> {
    verify_parsed(&parse(json)?, artifact, policy)
}

enum SignerMaterial<'a> {
    Key(&'a CosignKey),
    Cert(Box<Cert>),
}

/// The signature bytes and what they cover.
struct Content<'a> {
    signature: &'a [u8],
    message: Vec<u8>,
    dsse: Option<(&'a str, &'a [u8])>,
    artifact_sha256: Option<[u8; 32]>,
}

fn content<'a>(b: &'a Bundle, artifact: Artifact) -> Result<Content<'a>, SigstoreError> {
    match b.content.as_ref() {
        Some(bundle::Content::MessageSignature(m)) => {
            let Artifact::Bytes(bytes) = artifact else {
                return Err(fail(
                    "the bundle holds a message signature, not a DSSE envelope over an in-toto statement",
                ));
            };
            let digest: [u8; 32] = Sha256::digest(bytes).into();
            if let Some(d) = &m.message_digest {
                // SHA2_256 = 1; other algorithms are not produced by Sigstore clients.
                if d.algorithm != 1 || d.digest != digest {
                    return Err(fail(
                        "the bundle's message digest does not match the artifact",
                    ));
                }
            }
            if m.signature.is_empty() {
                return Err(bad("the message signature is empty"));
            }
            Ok(Content {
                signature: &m.signature,
                message: bytes.to_vec(),
                dsse: None,
                artifact_sha256: Some(digest),
            })
        }
        Some(bundle::Content::DsseEnvelope(env)) => {
            let [sig] = env.signatures.as_slice() else {
                return Err(fail(format!(
                    "the DSSE envelope has {} signatures, exactly one is supported",
                    env.signatures.len()
                )));
            };
            Ok(Content {
                signature: &sig.sig,
                message: crate::attest::dsse::pae(env.payload_type.as_bytes(), &env.payload),
                dsse: Some((env.payload_type.as_str(), env.payload.as_slice())),
                artifact_sha256: None,
            })
        }
        None => Err(bad("the bundle has no content")),
    }
}

/// The in-toto statement must name the artifact's digest among its subjects.
fn statement_names_artifact(payload: &[u8], artifact: Artifact) -> Result<(), SigstoreError> {
    let (alg, hex) = match artifact {
        Artifact::Bytes(b) => ("sha256".to_string(), hex::encode(Sha256::digest(b))),
        Artifact::Digest(d) => (d.algorithm().name().to_string(), d.hex().to_string()),
    };
    let v: serde_json::Value = serde_json::from_slice(payload)
        .map_err(|e| fail(format!("the DSSE payload is not an in-toto statement: {e}")))?;
    let subjects = v
        .get("subject")
        .and_then(|s| s.as_array())
        .ok_or_else(|| fail("the in-toto statement has no subject"))?;
    let found = subjects.iter().any(|s| {
        s.get("digest")
            .and_then(|d| d.get(&alg))
            .and_then(|d| d.as_str())
            .is_some_and(|d| d.eq_ignore_ascii_case(&hex))
    });
    if found {
        Ok(())
    } else {
        Err(fail("no matching subject digest found"))
    }
}

/// Verify an already parsed bundle.
pub fn verify_parsed(
    parsed: &Parsed,
    artifact: Artifact,
    policy: &Policy,
) -> Result<Verified, SigstoreError> {
    let b = &parsed.bundle;
    let vm = b
        .verification_material
        .as_ref()
        .ok_or_else(|| bad("the bundle has no verification material"))?;
    let signer = match (&vm.content, policy.key) {
        (Some(verification_material::Content::PublicKey(_)), Some(k)) => SignerMaterial::Key(k),
        (Some(verification_material::Content::PublicKey(_)), None) => {
            return Err(fail(
                "the bundle is signed with a key, and no key was given",
            ))
        }
        (_, Some(_)) => {
            return Err(fail(
                "the bundle is signed with a certificate, and a key was given to verify it",
            ))
        }
        (Some(verification_material::Content::Certificate(c)), None) => {
            SignerMaterial::Cert(Box::new(
                Cert::from_der(&c.raw_bytes).map_err(|e| bad(format!("the certificate: {e}")))?,
            ))
        }
        (Some(verification_material::Content::X509CertificateChain(chain)), None) => {
            if parsed.version >= 3 {
                return Err(bad(
                    "a v0.3 bundle must carry a single certificate, not a chain",
                ));
            }
            let first = chain
                .certificates
                .first()
                .ok_or_else(|| bad("the bundle's certificate chain is empty"))?;
            let limit = Limits::default().max_certificates_per_chain;
            if chain.certificates.len() as u64 > limit {
                return Err(bad(format!(
                    "the bundle's certificate chain has more than {limit} certificates"
                )));
            }
            for c in &chain.certificates {
                let c = Cert::from_der(&c.raw_bytes)
                    .map_err(|e| bad(format!("the certificate chain: {e}")))?;
                if c.is_self_signed() {
                    return Err(fail(
                        "the bundle's certificate chain contains a root certificate",
                    ));
                }
            }
            SignerMaterial::Cert(Box::new(
                Cert::from_der(&first.raw_bytes)
                    .map_err(|e| bad(format!("the certificate: {e}")))?,
            ))
        }
        (None, None) => return Err(bad("the bundle has no certificate or public key")),
    };
    let c = content(b, artifact)?;
    let (key, hash, signer_der, is_cert) = match &signer {
        SignerMaterial::Key(k) => (k.key.clone(), k.hash, k.spki_der.clone(), false),
        SignerMaterial::Cert(cert) => (
            cert.public_key().map_err(|e| fail(e.to_string()))?,
            None,
            cert.der().to_vec(),
            true,
        ),
    };
    verify_signature(&key, hash, &c.message, c.signature)
        .map_err(|_| fail("invalid signature when validating ASN.1 encoded signature"))?;
    if let Some((payload_type, payload)) = c.dsse {
        if payload_type != IN_TOTO {
            return Err(fail(format!(
                "invalid payloadType {payload_type} on envelope. Expected {IN_TOTO}"
            )));
        }
        statement_names_artifact(payload, artifact)?;
    }

    let mut times = Vec::new();
    if policy.require_tlog {
        let root = policy
            .trust_root
            .ok_or_else(|| fail("a trust root is needed to verify transparency log entries"))?;
        if vm.tlog_entries.is_empty() {
            return Err(fail("the bundle has no transparency log entry"));
        }
        if vm.tlog_entries.len() > MAX_TLOG_ENTRIES {
            return Err(bad(format!(
                "the bundle has more than {MAX_TLOG_ENTRIES} transparency log entries"
            )));
        }
        let expected = Expected {
            signature: c.signature,
            signer_der: &signer_der,
            signer_is_cert: is_cert,
            artifact_sha256: c.artifact_sha256,
            dsse: c.dsse,
        };
        for entry in &vm.tlog_entries {
            if let Some(t) = verify_entry(entry, parsed.version, root, &expected, policy.at)? {
                times.push((TimeSource::Tlog, t));
            }
        }
    }
    // A key under Flux's `IgnoreTlog` needs no observer time: timestamps are not examined.
    let use_timestamps = policy.require_tlog || policy.key.is_none();
    if let Some(tvd) = vm
        .timestamp_verification_data
        .as_ref()
        .filter(|_| use_timestamps)
    {
        let tokens = &tvd.rfc3161_timestamps;
        if tokens.len() > MAX_TIMESTAMPS {
            return Err(bad(format!(
                "the bundle has more than {MAX_TIMESTAMPS} RFC 3161 timestamps"
            )));
        }
        if !tokens.is_empty() {
            let root = policy
                .trust_root
                .ok_or_else(|| fail("a trust root is needed to verify RFC 3161 timestamps"))?;
            for t in tokens {
                times.push((
                    TimeSource::Timestamp,
                    verify_rfc3161(&t.signed_timestamp, c.signature, root, policy.at)?,
                ));
            }
        }
    }

    let signer = match signer {
        SignerMaterial::Key(k) => Signer::Key {
            name: k.name.clone(),
            key_id: k.key_id(),
        },
        SignerMaterial::Cert(cert) => {
            let root = policy
                .trust_root
                .ok_or_else(|| fail("a trust root is needed to verify a certificate"))?;
            if times.is_empty() {
                return Err(fail(
                    "no verified signing time: the bundle needs a transparency log entry with a signed entry timestamp or an RFC 3161 timestamp of a trusted TSA",
                ));
            }
            fulcio::leaf_is_code_signing(&cert).map_err(fail)?;
            let mut issuer = None;
            for (_, t) in &times {
                issuer = Some(fulcio::chain_to_trust_root(&cert, root, *t).map_err(fail)?);
            }
            let issuer = issuer.ok_or_else(|| fail("no verified signing time"))?;
            fulcio::verify_embedded_scts(&cert, issuer, root).map_err(fail)?;
            let id = fulcio::identity(&cert).map_err(fail)?;
            if !policy.identities.iter().any(|m| m.matches(&id)) {
                return Err(fail(format!(
                    "none of the expected identities matched what was in the certificate, got subjects [{}] with issuer {}",
                    id.subject, id.issuer
                )));
            }
            Signer::Certificate(id)
        }
    };
    Ok(Verified {
        signer,
        times,
        dsse: c.dsse.map(|(t, p)| (t.to_string(), p.to_vec())),
        version: parsed.version,
    })
}

/// Verify one transparency-log entry. Returns its integrated time when a signed entry
/// timestamp vouches for it.
fn verify_entry(
    e: &TransparencyLogEntry,
    version: u8,
    root: &TrustRoot,
    expected: &Expected,
    at: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, SigstoreError> {
    if e.log_index < 0 {
        return Err(bad(format!(
            "the log entry has a negative log index {}",
            e.log_index
        )));
    }
    let log_id = e
        .log_id
        .as_ref()
        .map(|l| l.key_id.as_slice())
        .unwrap_or_default();
    let log = root
        .tlogs
        .iter()
        .find(|l| l.log_id == log_id)
        .ok_or_else(|| {
            fail(format!(
                "the log entry is from a transparency log not in the trust root (log id {})",
                base64::engine::general_purpose::STANDARD.encode(log_id)
            ))
        })?;
    let kv = e
        .kind_version
        .as_ref()
        .ok_or_else(|| bad("the log entry has no kindVersion"))?;
    if e.canonicalized_body.len() > MAX_ENTRY_BODY {
        return Err(bad("the log entry body is too large"));
    }
    tlog::body_matches(&e.canonicalized_body, &kv.kind, &kv.version, expected).map_err(fail)?;

    let mut time = None;
    if let Some(promise) = &e.inclusion_promise {
        tlog::verify_set(
            log,
            &e.canonicalized_body,
            e.integrated_time,
            e.log_index,
            &promise.signed_entry_timestamp,
        )
        .map_err(fail)?;
        let t = OffsetDateTime::from_unix_timestamp(e.integrated_time)
            .map_err(|_| bad("the integrated time is out of range"))?;
        if t > at {
            return Err(fail(format!(
                "the log's integrated time {t} is in the future"
            )));
        }
        if !log.validity.contains(t) {
            return Err(fail(format!(
                "the transparency log's key is not valid at the integrated time {t}"
            )));
        }
        time = Some(t);
    } else if version < 2 {
        return Err(fail(
            "a v0.1 bundle's log entry needs a signed entry timestamp",
        ));
    }
    match &e.inclusion_proof {
        Some(p) => {
            if p.log_index < 0 || p.tree_size < 0 {
                return Err(bad("the inclusion proof has a negative index or size"));
            }
            let leaf = tlog::leaf_hash(&e.canonicalized_body);
            let computed = tlog::root_from_inclusion_proof(
                p.log_index as u64,
                p.tree_size as u64,
                leaf,
                &p.hashes,
            )
            .map_err(bad)?;
            if computed[..] != p.root_hash[..] {
                return Err(fail("the inclusion proof does not lead to its root hash"));
            }
            let checkpoint = p
                .checkpoint
                .as_ref()
                .ok_or_else(|| fail("the inclusion proof has no checkpoint"))?;
            let cp = tlog::verify_checkpoint(&checkpoint.envelope, log).map_err(fail)?;
            if cp.size != p.tree_size as u64 || cp.root_hash != p.root_hash {
                return Err(fail(
                    "the checkpoint's tree size or root hash differs from the inclusion proof's",
                ));
            }
        }
        None if version >= 2 => {
            return Err(fail("the log entry has no inclusion proof"));
        }
        None => {}
    }
    Ok(time)
}

/// Verify an RFC 3161 timestamp over the signature against the TSAs of the trust root; the
/// time must lie within the TSA's validity (closed) and not after `at`.
fn verify_rfc3161(
    token: &[u8],
    signature: &[u8],
    root: &TrustRoot,
    at: OffsetDateTime,
) -> Result<OffsetDateTime, SigstoreError> {
    let limits = Limits::default();
    let token = timestamp_token(token)?;
    let token = token.as_slice();
    let mut last = fail("no timestamp authority in the trust root");
    for tsa in &root.timestamp_authorities {
        // A token may leave out its certificates: the trust root's chain then supplies them.
        let result = crate::pki::timestamp::verify_timestamp(token, signature, &tsa.chain, &limits)
            .or_else(|first| match with_certificates(token, &tsa.chain) {
                Some(t) => {
                    crate::pki::timestamp::verify_timestamp(&t, signature, &tsa.chain, &limits)
                }
                None => Err(first),
            });
        match result {
            Ok(ts) => {
                let t = ts.gen_time;
                if !tsa.validity.contains(t) {
                    last = fail(format!(
                        "the timestamp {t} is outside the validity of its timestamp authority in the trust root"
                    ));
                    continue;
                }
                if t > at {
                    return Err(fail(format!("the timestamp {t} is in the future")));
                }
                return Ok(t);
            }
            Err(e) => last = fail(format!("the RFC 3161 timestamp does not verify: {e}")),
        }
    }
    Err(last)
}

/// The token of a DER `TimeStampResp` (what Sigstore bundles carry), or the bytes themselves
/// when they are a bare token.
fn timestamp_token(bytes: &[u8]) -> Result<Vec<u8>, SigstoreError> {
    use der::{Decode, Encode};
    match x509_tsp::TimeStampResp::from_der(bytes) {
        Ok(resp) => {
            // PKIStatus granted (0) or grantedWithMods (1).
            if !matches!(resp.status.status as u32, 0 | 1) {
                return Err(fail("the RFC 3161 timestamp response was not granted"));
            }
            let token = resp
                .time_stamp_token
                .ok_or_else(|| fail("the RFC 3161 timestamp response holds no token"))?;
            token
                .to_der()
                .map_err(|e| bad(format!("the RFC 3161 timestamp token: {e}")))
        }
        Err(_) => Ok(bytes.to_vec()),
    }
}

/// The token with `certs` added to its SignedData certificates (None when it does not parse).
fn with_certificates(token: &[u8], certs: &[Cert]) -> Option<Vec<u8>> {
    use cms::cert::CertificateChoices;
    use cms::content_info::ContentInfo;
    use cms::signed_data::{CertificateSet, SignedData};
    use der::{Decode, Encode};
    let mut info = ContentInfo::from_der(token).ok()?;
    let mut signed: SignedData = info.content.decode_as().ok()?;
    let mut set = signed
        .certificates
        .take()
        .map(|s| s.0.into_vec())
        .unwrap_or_default();
    for c in certs {
        let choice =
            CertificateChoices::Certificate(x509_cert::Certificate::from_der(c.der()).ok()?);
        if !set.contains(&choice) {
            set.push(choice);
        }
    }
    signed.certificates = Some(CertificateSet(der::asn1::SetOfVec::try_from(set).ok()?));
    info.content = der::Any::encode_from(&signed).ok()?;
    info.to_der().ok()
}

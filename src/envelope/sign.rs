//! A Notation signer, for test fixtures and interoperability checks only.
//!
//! The product verifies; in production the `notation` CLI (notation-go, notation-core-go) signs.
//! This module produces envelopes in exactly notation's formats (NOTATION.md §3 "JWS envelope"
//! and §4 "COSE envelope") so that the test suite and `examples/make_fixtures.rs` can build
//! signed bundles without the network or a Go toolchain, and so that [`SignOptions`] can break
//! each rule on purpose (a wrong `cty`, no `crit`, an unknown critical attribute, an algorithm
//! that does not fit the key, a signature that already expired...).
//!
//! Byte layout follows what notation writes:
//! - JWS: `{"payload","protected","header","signature"}` in that order; the protected header is
//!   a JSON object with keys sorted (Go map marshalling); `crit` lists
//!   `io.cncf.notary.signingScheme`, then critical extended attributes, then
//!   `io.cncf.notary.authenticSigningTime` (signingAuthority) and `io.cncf.notary.expiry`; the
//!   unprotected `header` is `{io.cncf.notary.timestampSignature?, x5c, io.cncf.notary.signingAgent?}`
//!   with standard padded base64 for byte values; the payload's descriptor keys are sorted.
//! - COSE: `COSE_Sign1_Tagged` (tag 18); protected map keys in CBOR core deterministic order
//!   (bytewise order of their encodings: `1` alg, `2` crit, `3` content type, then the text
//!   labels); times as CBOR tag 1 over integer seconds; unprotected `33` x5chain as an array of
//!   bstr, `io.cncf.notary.signingAgent`, `io.cncf.notary.timestampSignature`; the payload's
//!   descriptor keys in struct order (`mediaType`, `digest`, `size`, `annotations`).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ciborium::Value;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use signature::{RandomizedSigner, SignatureEncoding, Signer};
use time::OffsetDateTime;

use crate::digest::Descriptor;
use crate::pki::cert::Cert;
use crate::pki::crypto::{KeySpec, SignatureAlgorithm};

/// The payload content type Notation requires (NOTATION.md §2).
pub const PAYLOAD_CONTENT_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
/// The signing agent written by default: names this crate, so fixtures never pass for notation's.
pub const DEFAULT_SIGNING_AGENT: &str =
    concat!("airgap-verify-fixtures/", env!("CARGO_PKG_VERSION"));

const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
const EXPIRY: &str = "io.cncf.notary.expiry";
const VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
const VERIFICATION_PLUGIN_MIN_VERSION: &str = "io.cncf.notary.verificationPluginMinVersion";
const SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";
const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
const COSE_X5CHAIN: i64 = 33;

/// Why an envelope could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The private key is not an RSA 2048/3072/4096 or EC P-256/P-384/P-521 key, so Notation
    /// has no algorithm for it (signature specification, "Algorithm selection").
    #[error("unsupported signing key: {0}")]
    UnsupportedKey(String),
    /// PKCS#8 bytes (DER or PEM) did not decode as any supported private key.
    #[error("private key does not decode as PKCS#8 RSA or EC P-256/P-384/P-521: {0}")]
    BadKey(String),
    /// The certificate chain is empty: Notation requires at least the signing certificate.
    #[error("certificate chain is empty: at least the signing certificate is required")]
    EmptyChain,
    /// The cryptographic signing operation failed.
    #[error("signing failed: {0}")]
    Crypto(String),
    /// Encoding the header, payload or envelope failed.
    #[error("encoding the envelope failed: {0}")]
    Encoding(String),
    /// The timestamp callback of [`Timestamp::Countersign`] failed.
    #[error("timestamping the signature failed: {0}")]
    Timestamp(String),
}

/// A private key a Notation signature can be made with.
#[derive(Clone)]
#[non_exhaustive]
pub enum SigningKey {
    /// RSA; 2048, 3072 or 4096 bits sign with PS256/PS384/PS512 (PSS, salt = hash length).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// EC P-256, signs with ES256 (raw `r||s`).
    P256(p256::SecretKey),
    /// EC P-384, signs with ES384 (raw `r||s`).
    P384(p384::SecretKey),
    /// EC P-521, signs with ES512 (raw `r||s`).
    P521(p521::SecretKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.key_spec() {
            Ok(spec) => write!(f, "SigningKey({spec:?})"),
            Err(_) => write!(f, "SigningKey(unsupported)"),
        }
    }
}

impl SigningKey {
    /// A fresh key for a Notation key spec. RSA generation is slow in debug builds: tests should
    /// cache keys (see `tests/support`).
    pub fn generate(spec: KeySpec) -> Result<SigningKey, SignError> {
        let mut rng = rsa::rand_core::OsRng;
        let rsa = |bits| {
            rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits)
                .map(|k| SigningKey::Rsa(Box::new(k)))
                .map_err(|e| SignError::Crypto(e.to_string()))
        };
        match spec {
            KeySpec::Rsa2048 => rsa(2048),
            KeySpec::Rsa3072 => rsa(3072),
            KeySpec::Rsa4096 => rsa(4096),
            KeySpec::EcP256 => Ok(SigningKey::P256(p256::SecretKey::random(&mut rng))),
            KeySpec::EcP384 => Ok(SigningKey::P384(p384::SecretKey::random(&mut rng))),
            KeySpec::EcP521 => Ok(SigningKey::P521(p521::SecretKey::random(&mut rng))),
        }
    }

    /// Decode a PKCS#8 private key (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, SignError> {
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(SigningKey::Rsa(Box::new(k)));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Ok(SigningKey::P256(k));
        }
        if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
            return Ok(SigningKey::P384(k));
        }
        p521::SecretKey::from_pkcs8_der(der)
            .map(SigningKey::P521)
            .map_err(|e| SignError::BadKey(e.to_string()))
    }

    /// Decode a PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey, SignError> {
        let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes())
            .map_err(|e| SignError::BadKey(e.to_string()))?;
        if label != "PRIVATE KEY" {
            return Err(SignError::BadKey(format!(
                "PEM label {label:?}, expected \"PRIVATE KEY\""
            )));
        }
        SigningKey::from_pkcs8_der(&der)
    }

    /// The key as PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, SignError> {
        let doc = match self {
            SigningKey::Rsa(k) => k.to_pkcs8_der(),
            SigningKey::P256(k) => k.to_pkcs8_der(),
            SigningKey::P384(k) => k.to_pkcs8_der(),
            SigningKey::P521(k) => k.to_pkcs8_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| SignError::Encoding(e.to_string()))
    }

    /// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<String, SignError> {
        let der = self.to_pkcs8_der()?;
        pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der)
            .map_err(|e| SignError::Encoding(e.to_string()))
    }

    /// The public key as a DER SubjectPublicKeyInfo, for certificates.
    pub fn public_key_der(&self) -> Result<Vec<u8>, SignError> {
        use spki::EncodePublicKey;
        let doc = match self {
            SigningKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            SigningKey::P256(k) => k.public_key().to_public_key_der(),
            SigningKey::P384(k) => k.public_key().to_public_key_der(),
            SigningKey::P521(k) => k.public_key().to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| SignError::Encoding(e.to_string()))
    }

    /// The Notation key spec of this key; RSA sizes other than 2048/3072/4096 have none.
    pub fn key_spec(&self) -> Result<KeySpec, SignError> {
        match self {
            SigningKey::Rsa(k) => match k.size() * 8 {
                2048 => Ok(KeySpec::Rsa2048),
                3072 => Ok(KeySpec::Rsa3072),
                4096 => Ok(KeySpec::Rsa4096),
                bits => Err(SignError::UnsupportedKey(format!(
                    "rsa key size {bits} bits is not supported"
                ))),
            },
            SigningKey::P256(_) => Ok(KeySpec::EcP256),
            SigningKey::P384(_) => Ok(KeySpec::EcP384),
            SigningKey::P521(_) => Ok(KeySpec::EcP521),
        }
    }

    /// Sign `msg` as a JWS/COSE signature of the key's own algorithm: RSASSA-PSS with MGF1 of
    /// the same hash and the given salt length (`None` = hash length, what notation writes), or
    /// ECDSA with a fixed-width `r||s` result.
    pub fn sign_envelope(
        &self,
        msg: &[u8],
        pss_salt_len: Option<usize>,
    ) -> Result<Vec<u8>, SignError> {
        let alg = self.key_spec()?.signature_algorithm();
        let mut rng = rsa::rand_core::OsRng;
        match self {
            SigningKey::Rsa(k) => {
                let salt = pss_salt_len.unwrap_or(alg.hash().output_len());
                let sig = match alg {
                    SignatureAlgorithm::PS256 => {
                        rsa::pss::SigningKey::<sha2::Sha256>::new_with_salt_len((**k).clone(), salt)
                            .try_sign_with_rng(&mut rng, msg)
                            .map(|s| s.to_vec())
                    }
                    SignatureAlgorithm::PS384 => {
                        rsa::pss::SigningKey::<sha2::Sha384>::new_with_salt_len((**k).clone(), salt)
                            .try_sign_with_rng(&mut rng, msg)
                            .map(|s| s.to_vec())
                    }
                    _ => {
                        rsa::pss::SigningKey::<sha2::Sha512>::new_with_salt_len((**k).clone(), salt)
                            .try_sign_with_rng(&mut rng, msg)
                            .map(|s| s.to_vec())
                    }
                };
                sig.map_err(|e| SignError::Crypto(e.to_string()))
            }
            SigningKey::P256(k) => {
                let s: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k)
                    .try_sign(msg)
                    .map_err(|e| SignError::Crypto(e.to_string()))?;
                Ok(s.to_bytes().to_vec())
            }
            SigningKey::P384(k) => {
                let s: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k)
                    .try_sign(msg)
                    .map_err(|e| SignError::Crypto(e.to_string()))?;
                Ok(s.to_bytes().to_vec())
            }
            SigningKey::P521(k) => {
                let sk = p521::ecdsa::SigningKey::from_bytes(&k.to_bytes())
                    .map_err(|e| SignError::Crypto(e.to_string()))?;
                let s: p521::ecdsa::Signature = sk
                    .try_sign(msg)
                    .map_err(|e| SignError::Crypto(e.to_string()))?;
                Ok(s.to_bytes().to_vec())
            }
        }
    }
}

/// The signing scheme written in `io.cncf.notary.signingScheme` (NOTATION.md §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningScheme {
    /// `notary.x509`: writes `io.cncf.notary.signingTime`.
    X509,
    /// `notary.x509.signingAuthority`: writes `io.cncf.notary.authenticSigningTime` (critical).
    X509SigningAuthority,
    /// Any other value (to test rejection); the time is written as `signingTime`.
    Other(String),
}

impl SigningScheme {
    /// The header value.
    pub fn as_str(&self) -> &str {
        match self {
            SigningScheme::X509 => "notary.x509",
            SigningScheme::X509SigningAuthority => "notary.x509.signingAuthority",
            SigningScheme::Other(s) => s,
        }
    }

    fn time_label(&self) -> &'static str {
        match self {
            SigningScheme::X509SigningAuthority => AUTHENTIC_SIGNING_TIME,
            _ => SIGNING_TIME,
        }
    }
}

/// A value of an extended signed attribute (a protected-header entry that Notation does not
/// define).
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    /// A string (JSON string / CBOR tstr).
    Text(String),
    /// An integer (JSON number / CBOR int).
    Int(i64),
}

/// An extended signed attribute; `critical` lists its key in `crit`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendedAttribute {
    /// The header key (a text label in COSE).
    pub key: String,
    /// Its value.
    pub value: AttributeValue,
    /// Whether the key is listed in `crit` (an unknown critical attribute must be rejected).
    pub critical: bool,
}

/// A timestamp countersignature source: receives the raw signature bytes, returns the DER
/// `TimeStampToken` to store in `io.cncf.notary.timestampSignature`.
pub type Countersigner = Arc<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + Send + Sync>;

/// What to write as the RFC 3161 timestamp countersignature.
#[derive(Clone, Default)]
pub enum Timestamp {
    /// No `io.cncf.notary.timestampSignature`.
    #[default]
    None,
    /// These bytes, whatever they are (to test malformed or mismatched tokens).
    Token(Vec<u8>),
    /// Ask a countersigner over the signature bytes (a real token).
    Countersign(Countersigner),
}

impl std::fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timestamp::None => write!(f, "None"),
            Timestamp::Token(t) => write!(f, "Token({} bytes)", t.len()),
            Timestamp::Countersign(_) => write!(f, "Countersign(..)"),
        }
    }
}

/// Everything about a signature besides the target, chain and key. [`SignOptions::new`] gives
/// what notation writes; each field can be changed to break one rule on purpose.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// The signing scheme.
    pub scheme: SigningScheme,
    /// The signing time (or authentic signing time); `None` leaves it out (an integrity failure).
    pub signing_time: Option<OffsetDateTime>,
    /// `io.cncf.notary.expiry`, critical.
    pub expiry: Option<OffsetDateTime>,
    /// The content type (`cty` / COSE label 3); notation requires [`PAYLOAD_CONTENT_TYPE`].
    pub content_type: String,
    /// Write this JWS `alg` instead of the key's; the signature is still made with the key's own
    /// algorithm, so any other value gives an algorithm/key mismatch.
    pub jws_alg: Option<String>,
    /// Write this COSE alg id instead of the key's (same rule as `jws_alg`).
    pub cose_alg: Option<i64>,
    /// Leave `crit` out entirely.
    pub omit_crit: bool,
    /// Extra names appended to `crit` (present in the header or not).
    pub extra_crit: Vec<String>,
    /// Extended signed attributes.
    pub extended_attributes: Vec<ExtendedAttribute>,
    /// `io.cncf.notary.verificationPlugin` (critical).
    pub plugin: Option<String>,
    /// `io.cncf.notary.verificationPluginMinVersion` (critical).
    pub plugin_min_version: Option<String>,
    /// `io.cncf.notary.signingAgent`; `None` leaves it out.
    pub signing_agent: Option<String>,
    /// The RFC 3161 timestamp countersignature.
    pub timestamp: Timestamp,
    /// `targetArtifact.annotations` (user metadata).
    pub target_annotations: BTreeMap<String, String>,
    /// RSASSA-PSS salt length; `None` = hash length (what notation and go-cose require).
    pub pss_salt_len: Option<usize>,
    /// Sign these bytes as the payload instead of `{"targetArtifact": ...}`.
    pub payload_override: Option<Vec<u8>>,
}

impl SignOptions {
    /// What notation writes: `notary.x509`, the given signing time, no expiry, the payload
    /// content type, the key's algorithm, `crit` = `[signingScheme]`, this crate's signing agent.
    pub fn new(signing_time: OffsetDateTime) -> SignOptions {
        SignOptions {
            scheme: SigningScheme::X509,
            signing_time: Some(signing_time),
            expiry: None,
            content_type: PAYLOAD_CONTENT_TYPE.to_string(),
            jws_alg: None,
            cose_alg: None,
            omit_crit: false,
            extra_crit: Vec::new(),
            extended_attributes: Vec::new(),
            plugin: None,
            plugin_min_version: None,
            signing_agent: Some(DEFAULT_SIGNING_AGENT.to_string()),
            timestamp: Timestamp::None,
            target_annotations: BTreeMap::new(),
            pss_salt_len: None,
            payload_override: None,
        }
    }

    /// The `crit` list in notation's order, shared by both envelopes: signingScheme, critical
    /// extended attributes, plugin headers, authenticSigningTime, expiry, then `extra_crit`.
    fn crit(&self) -> Vec<String> {
        let mut crit = vec![SIGNING_SCHEME.to_string()];
        crit.extend(
            self.extended_attributes
                .iter()
                .filter(|a| a.critical)
                .map(|a| a.key.clone()),
        );
        if self.plugin.is_some() {
            crit.push(VERIFICATION_PLUGIN.to_string());
        }
        if self.plugin_min_version.is_some() {
            crit.push(VERIFICATION_PLUGIN_MIN_VERSION.to_string());
        }
        if self.scheme == SigningScheme::X509SigningAuthority && self.signing_time.is_some() {
            crit.push(AUTHENTIC_SIGNING_TIME.to_string());
        }
        if self.expiry.is_some() {
            crit.push(EXPIRY.to_string());
        }
        crit.extend(self.extra_crit.iter().cloned());
        crit
    }

    fn timestamp_token(&self, signature: &[u8]) -> Result<Option<Vec<u8>>, SignError> {
        match &self.timestamp {
            Timestamp::None => Ok(None),
            Timestamp::Token(t) => Ok(Some(t.clone())),
            Timestamp::Countersign(f) => f(signature).map(Some).map_err(SignError::Timestamp),
        }
    }
}

fn signing_alg(key: &SigningKey) -> Result<SignatureAlgorithm, SignError> {
    Ok(key.key_spec()?.signature_algorithm())
}

fn encoding<E: std::fmt::Display>(e: E) -> SignError {
    SignError::Encoding(e.to_string())
}

fn rfc3339(t: OffsetDateTime) -> Result<String, SignError> {
    t.format(&time::format_description::well_known::Rfc3339)
        .map_err(encoding)
}

/// The JWS payload's descriptor: keys in alphabetical order, as Go's map marshalling writes.
#[derive(Serialize)]
struct JwsTarget<'a> {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
    digest: String,
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    size: u64,
}

/// The COSE payload's descriptor: keys in Go's `ocispec.Descriptor` field order.
#[derive(Serialize)]
struct CoseTarget<'a> {
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    digest: String,
    size: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Payload<T> {
    #[serde(rename = "targetArtifact")]
    target_artifact: T,
}

#[derive(Serialize)]
struct JwsHeader {
    #[serde(
        rename = "io.cncf.notary.timestampSignature",
        skip_serializing_if = "Option::is_none"
    )]
    timestamp_signature: Option<String>,
    x5c: Vec<String>,
    #[serde(
        rename = "io.cncf.notary.signingAgent",
        skip_serializing_if = "Option::is_none"
    )]
    signing_agent: Option<String>,
}

#[derive(Serialize)]
struct JwsEnvelope {
    payload: String,
    protected: String,
    header: JwsHeader,
    signature: String,
}

/// Sign `target` as a Notation JWS envelope (`application/jose+json`, JSON serialization;
/// NOTATION.md §3). `chain` is leaf first; `key` is the leaf's private key.
pub fn sign_jws(
    opts: &SignOptions,
    target: &Descriptor,
    chain: &[Cert],
    key: &SigningKey,
) -> Result<Vec<u8>, SignError> {
    if chain.is_empty() {
        return Err(SignError::EmptyChain);
    }
    let alg = signing_alg(key)?;
    let payload = match &opts.payload_override {
        Some(p) => p.clone(),
        None => serde_json::to_vec(&Payload {
            target_artifact: JwsTarget {
                annotations: &opts.target_annotations,
                digest: target.digest.to_string(),
                media_type: &target.media_type,
                size: target.size,
            },
        })
        .map_err(encoding)?,
    };

    let mut protected: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for a in &opts.extended_attributes {
        let v = match &a.value {
            AttributeValue::Text(s) => serde_json::Value::from(s.as_str()),
            AttributeValue::Int(i) => serde_json::Value::from(*i),
        };
        protected.insert(a.key.clone(), v);
    }
    let text = |s: &str| serde_json::Value::from(s);
    protected.insert(
        "alg".into(),
        text(opts.jws_alg.as_deref().unwrap_or(alg.jws_name())),
    );
    protected.insert("cty".into(), text(&opts.content_type));
    protected.insert(SIGNING_SCHEME.into(), text(opts.scheme.as_str()));
    if let Some(t) = opts.signing_time {
        protected.insert(opts.scheme.time_label().into(), text(&rfc3339(t)?));
    }
    if let Some(t) = opts.expiry {
        protected.insert(EXPIRY.into(), text(&rfc3339(t)?));
    }
    if let Some(p) = &opts.plugin {
        protected.insert(VERIFICATION_PLUGIN.into(), text(p));
    }
    if let Some(v) = &opts.plugin_min_version {
        protected.insert(VERIFICATION_PLUGIN_MIN_VERSION.into(), text(v));
    }
    if !opts.omit_crit {
        protected.insert("crit".into(), serde_json::Value::from(opts.crit()));
    }
    let protected_b64 = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&protected).map_err(encoding)?);
    let payload_b64 = URL_SAFE_NO_PAD.encode(&payload);
    let signing_input = format!("{protected_b64}.{payload_b64}");
    let signature = key.sign_envelope(signing_input.as_bytes(), opts.pss_salt_len)?;
    let token = opts.timestamp_token(&signature)?;

    let envelope = JwsEnvelope {
        payload: payload_b64,
        protected: protected_b64,
        header: JwsHeader {
            timestamp_signature: token.map(|t| STANDARD.encode(t)),
            x5c: chain.iter().map(|c| STANDARD.encode(c.der())).collect(),
            signing_agent: opts.signing_agent.clone(),
        },
        signature: URL_SAFE_NO_PAD.encode(&signature),
    };
    serde_json::to_vec(&envelope).map_err(encoding)
}

fn cbor(value: &Value) -> Result<Vec<u8>, SignError> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).map_err(encoding)?;
    Ok(out)
}

/// A CBOR map with its keys in core deterministic order (RFC 8949 §4.2.1: bytewise order of the
/// encoded keys), as go-cose writes headers.
fn deterministic_map(entries: Vec<(Value, Value)>) -> Result<Value, SignError> {
    let mut keyed = entries
        .into_iter()
        .map(|(k, v)| Ok((cbor(&k)?, k, v)))
        .collect::<Result<Vec<_>, SignError>>()?;
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::Map(
        keyed.into_iter().map(|(_, k, v)| (k, v)).collect(),
    ))
}

fn cbor_time(t: OffsetDateTime) -> Value {
    Value::Tag(1, Box::new(Value::Integer(t.unix_timestamp().into())))
}

/// Sign `target` as a Notation COSE_Sign1 envelope (`application/cose`, CBOR tag 18;
/// NOTATION.md §4). `chain` is leaf first; `key` is the leaf's private key.
pub fn sign_cose(
    opts: &SignOptions,
    target: &Descriptor,
    chain: &[Cert],
    key: &SigningKey,
) -> Result<Vec<u8>, SignError> {
    if chain.is_empty() {
        return Err(SignError::EmptyChain);
    }
    let alg = signing_alg(key)?;
    let payload = match &opts.payload_override {
        Some(p) => p.clone(),
        None => serde_json::to_vec(&Payload {
            target_artifact: CoseTarget {
                media_type: &target.media_type,
                digest: target.digest.to_string(),
                size: target.size,
                annotations: &opts.target_annotations,
            },
        })
        .map_err(encoding)?,
    };

    let text = |s: &str| Value::Text(s.to_string());
    let mut protected = vec![
        (
            Value::Integer(1.into()),
            Value::Integer(opts.cose_alg.unwrap_or(alg.cose_id()).into()),
        ),
        (Value::Integer(3.into()), text(&opts.content_type)),
        (text(SIGNING_SCHEME), text(opts.scheme.as_str())),
    ];
    if !opts.omit_crit {
        let crit = opts.crit().iter().map(|c| text(c)).collect();
        protected.push((Value::Integer(2.into()), Value::Array(crit)));
    }
    if let Some(t) = opts.signing_time {
        protected.push((text(opts.scheme.time_label()), cbor_time(t)));
    }
    if let Some(t) = opts.expiry {
        protected.push((text(EXPIRY), cbor_time(t)));
    }
    if let Some(p) = &opts.plugin {
        protected.push((text(VERIFICATION_PLUGIN), text(p)));
    }
    if let Some(v) = &opts.plugin_min_version {
        protected.push((text(VERIFICATION_PLUGIN_MIN_VERSION), text(v)));
    }
    for a in &opts.extended_attributes {
        let v = match &a.value {
            AttributeValue::Text(s) => text(s),
            AttributeValue::Int(i) => Value::Integer((*i).into()),
        };
        protected.push((text(&a.key), v));
    }
    let protected = cbor(&deterministic_map(protected)?)?;

    let to_be_signed = cbor(&Value::Array(vec![
        text("Signature1"),
        Value::Bytes(protected.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.clone()),
    ]))?;
    let signature = key.sign_envelope(&to_be_signed, opts.pss_salt_len)?;
    let token = opts.timestamp_token(&signature)?;

    let mut unprotected = vec![(
        Value::Integer(COSE_X5CHAIN.into()),
        Value::Array(
            chain
                .iter()
                .map(|c| Value::Bytes(c.der().to_vec()))
                .collect(),
        ),
    )];
    if let Some(agent) = &opts.signing_agent {
        unprotected.push((text(SIGNING_AGENT), text(agent)));
    }
    if let Some(t) = token {
        unprotected.push((text(TIMESTAMP_SIGNATURE), Value::Bytes(t)));
    }
    let message = Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            deterministic_map(unprotected)?,
            Value::Bytes(payload),
            Value::Bytes(signature),
        ])),
    );
    cbor(&message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Algorithm;
    use crate::pki::crypto::PublicKey;

    fn target() -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            digest: Algorithm::Sha256.digest(b"manifest"),
            size: 8,
        }
    }

    fn when() -> OffsetDateTime {
        time::macros::datetime!(2025-01-02 03:04:05 UTC)
    }

    fn decode_b64url(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// A chain is only copied into the envelope, so any certificate does for these tests.
    fn any_cert() -> Option<Cert> {
        let dir = crate::testdata::conformance()?;
        let path = dir.join("notation/oci_layout/e2e-valid-signature/blobs/sha256/c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50");
        let env: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        let der = STANDARD.decode(env["header"]["x5c"][0].as_str()?).ok()?;
        Cert::from_der(&der).ok()
    }

    fn public(key: &SigningKey) -> PublicKey {
        PublicKey::from_spki_der(&key.public_key_der().unwrap()).unwrap()
    }

    #[test]
    fn jws_has_notation_shape_and_verifies() {
        let Some(cert) = any_cert() else { return };
        let key = SigningKey::generate(KeySpec::EcP256).unwrap();
        let mut opts = SignOptions::new(when());
        opts.expiry = Some(when() + time::Duration::days(1));
        let env = sign_jws(&opts, &target(), &[cert], &key).unwrap();
        let text = String::from_utf8(env.clone()).unwrap();
        assert!(text.starts_with("{\"payload\":"), "{text}");
        let v: serde_json::Value = serde_json::from_slice(&env).unwrap();
        let protected = String::from_utf8(decode_b64url(v["protected"].as_str().unwrap())).unwrap();
        assert_eq!(
            protected,
            "{\"alg\":\"ES256\",\"crit\":[\"io.cncf.notary.signingScheme\",\"io.cncf.notary.expiry\"],\
             \"cty\":\"application/vnd.cncf.notary.payload.v1+json\",\
             \"io.cncf.notary.expiry\":\"2025-01-03T03:04:05Z\",\
             \"io.cncf.notary.signingScheme\":\"notary.x509\",\
             \"io.cncf.notary.signingTime\":\"2025-01-02T03:04:05Z\"}"
        );
        let payload = String::from_utf8(decode_b64url(v["payload"].as_str().unwrap())).unwrap();
        assert!(
            payload.starts_with("{\"targetArtifact\":{\"digest\":\"sha256:"),
            "{payload}"
        );
        let input = format!(
            "{}.{}",
            v["protected"].as_str().unwrap(),
            v["payload"].as_str().unwrap()
        );
        let sig = decode_b64url(v["signature"].as_str().unwrap());
        assert_eq!(sig.len(), 64);
        let verification =
            SignatureAlgorithm::ES256.envelope_verification(crate::pki::crypto::PssSalt::Any);
        public(&key)
            .verify(verification, input.as_bytes(), &sig)
            .unwrap();
    }

    #[test]
    fn cose_has_notation_shape_and_verifies() {
        let Some(cert) = any_cert() else { return };
        let key = SigningKey::generate(KeySpec::EcP384).unwrap();
        let mut opts = SignOptions::new(when());
        opts.timestamp = Timestamp::Token(vec![1, 2, 3]);
        let env = sign_cose(&opts, &target(), std::slice::from_ref(&cert), &key).unwrap();
        assert_eq!(env[0], 0xd2);
        use coset::{CborSerializable, TaggedCborSerializable};
        let msg = coset::CoseSign1::from_tagged_slice(&env).unwrap();
        assert_eq!(
            msg.protected.header.alg,
            Some(coset::RegisteredLabelWithPrivate::Assigned(
                coset::iana::Algorithm::ES384
            ))
        );
        let time_entry = msg
            .protected
            .header
            .rest
            .iter()
            .find(|(l, _)| *l == coset::Label::Text(SIGNING_TIME.into()))
            .unwrap();
        assert_eq!(time_entry.1, cbor_time(when()));
        let x5 = msg
            .unprotected
            .rest
            .iter()
            .find(|(l, _)| *l == coset::Label::Int(33))
            .unwrap();
        assert_eq!(x5.1, Value::Array(vec![Value::Bytes(cert.der().to_vec())]));
        let tbs = msg.tbs_data(b"");
        let verification = SignatureAlgorithm::ES384
            .envelope_verification(crate::pki::crypto::PssSalt::HashLength);
        public(&key)
            .verify(verification, &tbs, &msg.signature)
            .unwrap();
        // Re-encoding the parsed message gives the same bytes: the encoding is canonical.
        assert_eq!(msg.to_tagged_vec().unwrap(), env);
        let _ = coset::CoseSign1::from_slice(&env[1..]).unwrap();
    }

    #[test]
    fn rejects_empty_chain_and_unsupported_rsa_size() {
        let key = SigningKey::generate(KeySpec::EcP256).unwrap();
        let opts = SignOptions::new(when());
        assert_eq!(
            sign_jws(&opts, &target(), &[], &key),
            Err(SignError::EmptyChain)
        );
        assert_eq!(
            sign_cose(&opts, &target(), &[], &key),
            Err(SignError::EmptyChain)
        );
    }

    #[test]
    fn pkcs8_round_trip() {
        for spec in [KeySpec::EcP256, KeySpec::EcP384, KeySpec::EcP521] {
            let key = SigningKey::generate(spec).unwrap();
            let pem = key.to_pkcs8_pem().unwrap();
            let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
            assert_eq!(back.key_spec().unwrap(), spec);
            assert_eq!(
                back.public_key_der().unwrap(),
                key.public_key_der().unwrap()
            );
        }
        assert!(matches!(
            SigningKey::from_pkcs8_der(b"junk"),
            Err(SignError::BadKey(_))
        ));
    }

    #[test]
    fn deterministic_map_orders_keys_bytewise() {
        let m = deterministic_map(vec![
            (Value::Text("b".into()), Value::Null),
            (Value::Integer(33.into()), Value::Null),
            (Value::Integer(1.into()), Value::Null),
        ])
        .unwrap();
        let Value::Map(entries) = m else { panic!() };
        let keys: Vec<_> = entries.into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            vec![
                Value::Integer(1.into()),
                Value::Integer(33.into()),
                Value::Text("b".into())
            ]
        );
    }
}

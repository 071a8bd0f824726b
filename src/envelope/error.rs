//! The envelope layer's error type: every way a signature envelope or its payload can be rejected.
//! Every one of them is an **integrity** failure in Notation's terms (NOTATION.md §3.5).

/// Why a signature envelope (or its signed payload) was rejected. Messages follow
/// notation-core-go's wording where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The envelope blob is larger than `Limits::max_envelope_blob`.
    #[error("signature envelope is {size} bytes, more than the limit of {limit} bytes (notation's maximum signature envelope size)")]
    TooLarge {
        /// The envelope blob's size in bytes.
        size: u64,
        /// [`crate::limits::Limits::max_envelope_blob`], in bytes.
        limit: u64,
    },

    /// The layer media type is neither `application/jose+json` nor `application/cose`.
    #[error("unsupported signature envelope format {0}")]
    UnsupportedMediaType(String),

    /// A JWS envelope is not a JSON object, or a JWS header is not valid JSON.
    #[error("{what} is not valid JSON: {reason}")]
    Json {
        /// What is not JSON: `jws envelope`, `jws protected header`...
        what: &'static str,
        /// The JSON parser's error.
        reason: String,
    },

    /// A JSON object has the same member twice (exactly, or differing only in letter case where
    /// Go's `encoding/json` would match both to one field). Go keeps the last one; we refuse to
    /// guess which one was meant.
    #[error("{what} has the member {name:?} more than once")]
    DuplicateMember {
        /// The object that has the member twice: `jws envelope`, `jws protected header`...
        what: &'static str,
        /// The member's name (and the spelling it folds to, when only letter case differs).
        name: String,
    },

    /// A required JWS member (`payload`, `protected`, `signature`) is absent.
    #[error("jws envelope has no {0:?} member")]
    MissingMember(&'static str),

    /// A member or header has the wrong JSON or CBOR type.
    #[error("{field} must be {expected}")]
    WrongType {
        /// The member or header, as the message names it (`protected header "crit"`).
        field: String,
        /// The type it must have (`a string`, `an array of strings`...).
        expected: &'static str,
    },

    /// A base64 field does not decode (`payload`, `protected`, `signature` are base64url without
    /// padding; `x5c` entries and `io.cncf.notary.timestampSignature` standard base64).
    #[error("{field} is not valid {encoding}: {reason}")]
    Base64 {
        /// The member or header whose value does not decode.
        field: String,
        /// The encoding it must be in: `base64url without padding` or `standard base64`.
        encoding: &'static str,
        /// The decoder's error.
        reason: String,
    },

    /// The protected header has no `alg` (JWS) or label 1 (COSE).
    #[error("signature algorithm is not present in the protected header")]
    MissingAlgorithm,

    /// `alg` names anything other than PS256/384/512 or ES256/384/512 (`none`, HMAC, RS256...).
    #[error("signature algorithm {0:?} is not supported (Notation allows PS256, PS384, PS512, ES256, ES384, ES512)")]
    UnsupportedAlgorithm(String),

    /// The protected header has no content type (`cty` / label 3).
    #[error("missing content type")]
    MissingContentType,

    /// The content type is not `application/vnd.cncf.notary.payload.v1+json`.
    #[error("payload content type {0:?} is not supported, expected \"application/vnd.cncf.notary.payload.v1+json\"")]
    WrongContentType(String),

    /// The protected header has no `crit`, or an empty one.
    #[error("missing \"crit\" header")]
    MissingCrit,

    /// `crit` names a header that is not in the protected header (or one that may not be marked
    /// critical, as notation-core-go treats it).
    #[error("{0:?} header is marked critical but not present")]
    CritHeaderNotPresent(String),

    /// `crit` names one of the COSE core labels 0-8, which the COSE envelope specification forbids.
    #[error("COSE \"crit\" must not list the core header label {0}")]
    CritCoreLabel(i64),

    /// A header that must be critical (signingScheme, expiry when present, authenticSigningTime
    /// under signingAuthority) is not listed in `crit`.
    #[error("these required headers are not marked as critical: {0:?}")]
    RequiredHeadersNotCritical(Vec<String>),

    /// `io.cncf.notary.signingScheme` is absent.
    #[error("\"io.cncf.notary.signingScheme\" header is not present")]
    MissingSigningScheme,

    /// `io.cncf.notary.signingScheme` is neither `notary.x509` nor `notary.x509.signingAuthority`.
    #[error("unsupported SigningScheme: `{0}`")]
    UnsupportedSigningScheme(String),

    /// A time header forbidden by the signing scheme is present (`authenticSigningTime` under
    /// `notary.x509`, `signingTime` under `notary.x509.signingAuthority`).
    #[error("{header:?} header must not be present for {scheme} signing scheme")]
    HeaderNotAllowedForScheme {
        /// The header present (`io.cncf.notary.authenticSigningTime`,
        /// `io.cncf.notary.signingTime`).
        header: &'static str,
        /// The signing scheme: `notary.x509` or `notary.x509.signingAuthority`.
        scheme: &'static str,
    },

    /// The signing time the scheme requires is absent (`signingTime` for `notary.x509`,
    /// `authenticSigningTime` for signingAuthority).
    #[error(
        "signing-time not present: {header:?} header must be present for {scheme} signing scheme"
    )]
    SigningTimeNotPresent {
        /// The header the scheme requires.
        header: &'static str,
        /// The signing scheme: `notary.x509` or `notary.x509.signingAuthority`.
        scheme: &'static str,
    },

    /// A time header is not a valid time (JWS: RFC 3339; COSE: CBOR tag 1 over an integer or float).
    #[error("invalid {header}: {reason}")]
    BadTime {
        /// The time header, by name (JWS) or label (COSE).
        header: String,
        /// What the value is instead of a time.
        reason: String,
    },

    /// `io.cncf.notary.expiry` is not strictly after the signing time.
    #[error("expiry cannot be equal or before the signing time")]
    ExpiryNotAfterSigningTime,

    /// `io.cncf.notary.verificationPlugin` / `...MinVersion` is not critical, not a string, empty,
    /// or (min version) not SemVer.
    #[error("{header} {problem}")]
    BadVerificationPluginHeader {
        /// `io.cncf.notary.verificationPlugin` or `io.cncf.notary.verificationPluginMinVersion`.
        header: &'static str,
        /// What is wrong with it, in notation-core-go's words (`is not a critical Extended
        /// attribute`).
        problem: &'static str,
    },

    /// A critical extended attribute that this verifier does not understand, with no verification
    /// plugin named to process it. The specification requires failing (notation-go does not).
    #[error("critical header {0:?} is not understood by this verifier (the Notary Project specification requires refusing it; notation-go, and so Flux, accepts it when no verification plugin is named)")]
    UnknownCriticalHeader(String),

    /// The payload is empty.
    #[error("content not present")]
    EmptyPayload,

    /// A COSE envelope has a nil (detached) payload.
    #[error("detached payload is not supported: the COSE envelope must carry its payload")]
    DetachedPayload,

    /// A JWS payload is not a JSON object (notation-core-go parses it as JWT claims).
    #[error("jws payload must be a JSON object: {0}")]
    PayloadNotJsonObject(String),

    /// The signature bytes are empty.
    #[error("signature not present or is empty")]
    EmptySignature,

    /// No certificates: `x5c` / `x5chain` is absent or empty.
    #[error("certificate chain is not present")]
    MissingCertificateChain,

    /// More certificates than `Limits::max_certificates_per_chain`.
    #[error("certificate chain has {count} certificates, more than the limit of {limit}")]
    TooManyCertificates {
        /// How many certificates the chain holds.
        count: u64,
        /// [`crate::limits::Limits::max_certificates_per_chain`].
        limit: u64,
    },

    /// A certificate of the chain does not parse (index 0 is the leaf).
    #[error("certificate {index} of the signature's chain is malformed: {reason}")]
    MalformedCertificate {
        /// Its position in the chain, 0 for the leaf.
        index: usize,
        /// The certificate parser's error.
        reason: String,
    },

    /// The bytes are not a COSE_Sign1 message (bad CBOR, wrong shape, duplicate labels, a label in
    /// both buckets, `crit` in the unprotected header...).
    #[error("invalid COSE_Sign1_Tagged object: {0}")]
    Cose(String),

    /// A well-formed COSE_Sign1 without CBOR tag 18 (or with another tag).
    #[error("invalid COSE_Sign1_Tagged object: the message must carry CBOR tag 18")]
    CoseNotTagged,

    /// The leaf certificate's key is not one Notation allows (RSA 2048/3072/4096, EC P-256/384/521).
    #[error("signing certificate key is not supported: {0}")]
    UnsupportedKey(String),

    /// The header algorithm is not the one paired with the leaf key (§3.4).
    #[error("mismatch between signature algorithm derived from signing certificate ({from_key}) and signing algorithm specified ({from_header})")]
    AlgorithmKeyMismatch {
        /// The algorithm the leaf key calls for (`PS256`...).
        from_key: &'static str,
        /// The algorithm the protected header names.
        from_header: &'static str,
    },

    /// The signature does not verify with the leaf certificate's key.
    #[error("signature is invalid: it does not verify with the signing certificate's key ({0})")]
    SignatureInvalid(String),

    /// The signed payload is not a JSON object with a `targetArtifact` descriptor, or a required
    /// descriptor field is missing or of the wrong type.
    #[error("signed payload is invalid: {0}")]
    BadPayload(String),
}

impl EnvelopeError {
    /// The limit this error met, if it is one.
    pub fn limit(&self) -> Option<crate::limits::Limit> {
        match self {
            EnvelopeError::TooManyCertificates { .. } => {
                Some(crate::limits::Limit::CertificatesPerChain)
            }
            _ => None,
        }
    }
}

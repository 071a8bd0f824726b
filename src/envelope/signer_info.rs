//! What a parsed envelope says: the specification's `SignerInfo` (signature specification,
//! "Signature Envelope"), the same for JWS and COSE.

use time::OffsetDateTime;

use crate::pki::cert::Cert;
use crate::pki::crypto::SignatureAlgorithm;

use super::EnvelopeFormat;

/// The Notary Project signing scheme (`io.cncf.notary.signingScheme`, NOTATION.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SigningScheme {
    /// `notary.x509`: signed with the signer's own certificate; the signing time is not trusted.
    #[serde(rename = "notary.x509")]
    X509,
    /// `notary.x509.signingAuthority`: signed by a signing authority whose
    /// `authenticSigningTime` is trusted.
    #[serde(rename = "notary.x509.signingAuthority")]
    X509SigningAuthority,
}

impl SigningScheme {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningScheme::X509 => "notary.x509",
            SigningScheme::X509SigningAuthority => "notary.x509.signingAuthority",
        }
    }

    /// Parse the header value; anything else is `None`.
    pub fn from_header(value: &str) -> Option<SigningScheme> {
        match value {
            "notary.x509" => Some(SigningScheme::X509),
            "notary.x509.signingAuthority" => Some(SigningScheme::X509SigningAuthority),
            _ => None,
        }
    }
}

impl std::fmt::Display for SigningScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A protected header that is not one Notation defines: a signer's "extended attribute".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedAttribute {
    /// The header name (COSE integer labels as decimal text).
    pub name: String,
    /// Listed in `crit`.
    pub critical: bool,
    /// The value: the string itself for a string, otherwise a JSON (JWS) or CBOR-diagnostic-like
    /// (COSE) rendering.
    pub value: String,
}

/// Everything a Notation signature envelope carries, parsed and checked for structure (see
/// [`super::parse_envelope`]); the signature itself is checked by
/// [`super::verify_envelope_signature`].
#[derive(Debug, Clone)]
pub struct SignerInfo {
    /// JWS or COSE.
    pub format: EnvelopeFormat,
    /// The signed payload bytes (see [`super::payload::Payload::parse`]).
    pub payload: Vec<u8>,
    /// The payload content type (always `application/vnd.cncf.notary.payload.v1+json` once parsed).
    pub payload_content_type: String,
    /// `io.cncf.notary.signingScheme`.
    pub signing_scheme: SigningScheme,
    /// `io.cncf.notary.signingTime` (`notary.x509` only; not trusted).
    pub signing_time: Option<OffsetDateTime>,
    /// `io.cncf.notary.authenticSigningTime` (signingAuthority only; trusted).
    pub authentic_signing_time: Option<OffsetDateTime>,
    /// `io.cncf.notary.expiry`, strictly after the signing time when present.
    pub expiry: Option<OffsetDateTime>,
    /// The protected `alg`.
    pub algorithm: SignatureAlgorithm,
    /// The raw primitive signature bytes: what an RFC 3161 timestamp token's imprint covers.
    pub signature: Vec<u8>,
    /// `x5c` / `x5chain`, leaf first.
    pub certificate_chain: Vec<Cert>,
    /// `io.cncf.notary.timestampSignature`: an RFC 3161 TimeStampToken, unparsed.
    pub timestamp_token: Option<Vec<u8>>,
    /// `io.cncf.notary.signingAgent` (unsigned, informational).
    pub signing_agent: Option<String>,
    /// Protected headers Notation does not define.
    pub extended_attributes: Vec<ExtendedAttribute>,
    /// `io.cncf.notary.verificationPlugin` (critical, non-empty when present).
    pub verification_plugin: Option<String>,
    /// `io.cncf.notary.verificationPluginMinVersion` (critical SemVer when present).
    pub verification_plugin_min_version: Option<String>,
    /// The exact bytes the signature covers: the JWS signing input
    /// `ASCII(protected_b64 "." payload_b64)`, or the COSE `Sig_structure`.
    pub(crate) signed_bytes: Vec<u8>,
}

impl SignerInfo {
    /// The exact bytes the signature covers (JWS signing input or COSE `Sig_structure`).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }

    /// The signing time the scheme defines: `signingTime` under `notary.x509`,
    /// `authenticSigningTime` under signingAuthority.
    pub fn scheme_signing_time(&self) -> Option<OffsetDateTime> {
        match self.signing_scheme {
            SigningScheme::X509 => self.signing_time,
            SigningScheme::X509SigningAuthority => self.authentic_signing_time,
        }
    }

    /// The leaf (signing) certificate.
    pub fn leaf(&self) -> Option<&Cert> {
        self.certificate_chain.first()
    }
}

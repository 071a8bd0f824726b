//! Notation signature envelopes: JWS (`application/jose+json`, JSON serialization) and
//! COSE_Sign1 (`application/cose`), and the signed payload.
//!
//! [`open`] is Notation's envelope integrity check minus the certificate-chain profile (which the
//! `pki` module checks): it picks the format from the layer media type, applies every structural
//! and header rule ([`parse_envelope`], NOTATION.md §3-4, §9.3), then verifies the signature with
//! the leaf certificate's key ([`verify_envelope_signature`], §3.4). Every error here is an
//! integrity failure (§3.5).

pub mod cose;
mod error;
pub mod headers;
pub mod jws;
pub mod payload;
pub mod signer_info;

pub use error::EnvelopeError;
pub use payload::{Payload, TargetArtifact};
pub use signer_info::{ExtendedAttribute, SignerInfo, SigningScheme};

use time::format_description::well_known::Rfc3339;

use crate::limits::Limits;
use crate::pki::cert::Cert;
use crate::pki::crypto::{KeySpec, PssSalt, SignatureAlgorithm};

/// The JWS envelope media type.
pub const MEDIA_TYPE_JWS: &str = "application/jose+json";
/// The COSE envelope media type.
pub const MEDIA_TYPE_COSE: &str = "application/cose";

/// The two envelope formats Notation signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EnvelopeFormat {
    /// JWS JSON serialization, `application/jose+json`.
    Jws,
    /// COSE_Sign1, `application/cose`.
    Cose,
}

impl EnvelopeFormat {
    /// The format a signature layer's media type names, if any (exact match, as notation-go).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            MEDIA_TYPE_JWS => Some(EnvelopeFormat::Jws),
            MEDIA_TYPE_COSE => Some(EnvelopeFormat::Cose),
            _ => None,
        }
    }

    /// The media type of this format.
    pub fn media_type(self) -> &'static str {
        match self {
            EnvelopeFormat::Jws => MEDIA_TYPE_JWS,
            EnvelopeFormat::Cose => MEDIA_TYPE_COSE,
        }
    }

    /// The RSASSA-PSS salt rule of this format's verifier (§3.4): golang-jwt accepts any salt
    /// length, go-cose requires salt = hash length.
    pub fn pss_salt(self) -> PssSalt {
        match self {
            EnvelopeFormat::Jws => PssSalt::Any,
            EnvelopeFormat::Cose => PssSalt::HashLength,
        }
    }
}

/// An envelope blob may be at most `Limits::max_envelope_blob` bytes (notation-go
/// `maxBlobSizeLimit`, 32 MiB).
pub fn envelope_within_size_limit(bytes: &[u8], limits: &Limits) -> Result<(), EnvelopeError> {
    let size = bytes.len() as u64;
    if size > limits.max_envelope_blob {
        return Err(EnvelopeError::TooLarge {
            size,
            limit: limits.max_envelope_blob,
        });
    }
    Ok(())
}

/// Parse the `x5c` / `x5chain` certificates (leaf first), refusing more than
/// `Limits::max_certificates_per_chain` before decoding any of them.
pub(crate) fn parse_certificate_chain(
    count: usize,
    ders: impl Iterator<Item = Result<Vec<u8>, EnvelopeError>>,
    limits: &Limits,
) -> Result<Vec<Cert>, EnvelopeError> {
    certificate_count_within_limit(count, limits)?;
    ders.enumerate()
        .map(|(index, der)| {
            Cert::from_der(&der?).map_err(|e| EnvelopeError::MalformedCertificate {
                index,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// A signature's chain may hold at most `Limits::max_certificates_per_chain` certificates.
pub fn certificate_count_within_limit(count: usize, limits: &Limits) -> Result<(), EnvelopeError> {
    let count = count as u64;
    if count > limits.max_certificates_per_chain {
        return Err(EnvelopeError::TooManyCertificates {
            count,
            limit: limits.max_certificates_per_chain,
        });
    }
    Ok(())
}

/// The envelope must carry a certificate chain: `x5c` / `x5chain` present and non-empty
/// (NOTATION.md §3.3, §4, "certificate chain is not present").
pub fn certificate_chain_is_present(info: &SignerInfo) -> Result<(), EnvelopeError> {
    if info.certificate_chain.is_empty() {
        Err(EnvelopeError::MissingCertificateChain)
    } else {
        Ok(())
    }
}

/// A critical extended attribute this verifier does not understand fails the signature, unless a
/// verification plugin is named: the plugin then owns those attributes (and the verifier fails or
/// defers the signature for the plugin; NOTATION.md §9.3). This is the specification's rule:
/// **notation-go does not reject unknown critical attributes** when no plugin is named (§11 item 6).
pub fn unknown_critical_headers_are_rejected(info: &SignerInfo) -> Result<(), EnvelopeError> {
    if info.verification_plugin.is_some() {
        return Ok(());
    }
    match info.extended_attributes.iter().find(|a| a.critical) {
        Some(a) => Err(EnvelopeError::UnknownCriticalHeader(a.name.clone())),
        None => Ok(()),
    }
}

/// The header algorithm must be the one paired with the leaf key (NOTATION.md §3.4): RSA
/// 2048/3072/4096 with PS256/384/512, EC P-256/384/521 with ES256/384/512.
pub fn algorithm_matches_signing_key(
    key: KeySpec,
    algorithm: SignatureAlgorithm,
) -> Result<(), EnvelopeError> {
    let from_key = key.signature_algorithm();
    if from_key == algorithm {
        Ok(())
    } else {
        Err(EnvelopeError::AlgorithmKeyMismatch {
            from_key: from_key.jws_name(),
            from_header: algorithm.jws_name(),
        })
    }
}

/// Parse an envelope and apply every structural and header rule of NOTATION.md §3.1-3.3, §4 and
/// §9.3: serialization, encodings, protected headers, `cty`, `crit`, signing scheme, times and
/// expiry, `x5c` / `x5chain` present and within `limits.max_certificates_per_chain`, and unknown
/// critical headers rejected unless a verification plugin is named (the specification's rule;
/// notation-go does not reject them). The signature is not verified: see
/// [`verify_envelope_signature`], or [`open`] for both.
pub fn parse_envelope(
    format: EnvelopeFormat,
    bytes: &[u8],
    limits: &Limits,
) -> Result<SignerInfo, EnvelopeError> {
    let info = match format {
        EnvelopeFormat::Jws => jws::parse(bytes, limits)?,
        EnvelopeFormat::Cose => cose::parse(bytes, limits)?,
    };
    certificate_chain_is_present(&info)?;
    unknown_critical_headers_are_rejected(&info)?;
    Ok(info)
}

/// Verify the envelope's signature with the leaf certificate's key: the key must be one Notation
/// allows, the header `alg` must be the one paired with it (§3.4), and the signature must verify
/// over the exact signed bytes (JWS: PSS with any salt length; COSE: PSS salt = hash length; ECDSA
/// raw `r||s`). The chain's structural rules are not checked here (the `pki` module does).
pub fn verify_envelope_signature(info: &SignerInfo) -> Result<(), EnvelopeError> {
    let leaf = info.leaf().ok_or(EnvelopeError::MissingCertificateChain)?;
    let key = leaf
        .public_key()
        .map_err(|e| EnvelopeError::UnsupportedKey(e.to_string()))?;
    let spec = key
        .key_spec()
        .map_err(|e| EnvelopeError::UnsupportedKey(e.to_string()))?;
    algorithm_matches_signing_key(spec, info.algorithm)?;
    key.verify(
        info.algorithm.envelope_verification(info.format.pss_salt()),
        &info.signed_bytes,
        &info.signature,
    )
    .map_err(|e| {
        EnvelopeError::SignatureInvalid(format!(
            "{} with {}: {e}",
            info.algorithm.jws_name(),
            key.describe()
        ))
    })
}

/// Notation's envelope integrity check minus the chain profile: the format from the layer media
/// type (an unknown one is `"unsupported signature envelope format <mt>"`), [`parse_envelope`], then
/// [`verify_envelope_signature`].
pub fn open(media_type: &str, bytes: &[u8], limits: &Limits) -> Result<SignerInfo, EnvelopeError> {
    let format = EnvelopeFormat::from_media_type(media_type)
        .ok_or_else(|| EnvelopeError::UnsupportedMediaType(media_type.to_string()))?;
    let info = parse_envelope(format, bytes, limits)?;
    verify_envelope_signature(&info)?;
    Ok(info)
}

/// For `inspect`: the leaf certificate's subject and the signing time (RFC 3339) of an envelope,
/// read WITHOUT verifying anything. `None` when the envelope does not parse or has no leaf.
pub fn unverified_summary(
    media_type: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Option<(String, String)> {
    let info = match EnvelopeFormat::from_media_type(media_type)? {
        EnvelopeFormat::Jws => jws::parse(bytes, limits).ok()?,
        EnvelopeFormat::Cose => cose::parse(bytes, limits).ok()?,
    };
    let subject = info.leaf()?.subject();
    let time = info.scheme_signing_time()?.format(&Rfc3339).ok()?;
    Some((subject, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_round_trip() {
        for f in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            assert_eq!(EnvelopeFormat::from_media_type(f.media_type()), Some(f));
        }
        assert_eq!(
            EnvelopeFormat::from_media_type("application/vnd.oci.image.layer.v1.tar"),
            None
        );
        assert_eq!(
            open("text/plain", b"", &Limits::default())
                .unwrap_err()
                .to_string(),
            "unsupported signature envelope format text/plain"
        );
    }

    #[test]
    fn envelope_within_size_limit_rule() {
        let limits = Limits {
            max_envelope_blob: 4,
            ..Limits::default()
        };
        assert!(envelope_within_size_limit(b"1234", &limits).is_ok());
        assert!(matches!(
            envelope_within_size_limit(b"12345", &limits),
            Err(EnvelopeError::TooLarge { size: 5, limit: 4 })
        ));
    }

    #[test]
    fn certificate_count_within_limit_rule() {
        let limits = Limits::default();
        assert!(certificate_count_within_limit(32, &limits).is_ok());
        assert!(certificate_count_within_limit(1000, &limits).is_err());
    }

    #[test]
    fn algorithm_matches_signing_key_rule() {
        assert!(algorithm_matches_signing_key(KeySpec::Rsa2048, SignatureAlgorithm::PS256).is_ok());
        assert!(algorithm_matches_signing_key(KeySpec::EcP384, SignatureAlgorithm::ES384).is_ok());
        let err =
            algorithm_matches_signing_key(KeySpec::Rsa2048, SignatureAlgorithm::ES256).unwrap_err();
        assert!(err.to_string().contains("(PS256)"), "{err}");
        assert!(
            algorithm_matches_signing_key(KeySpec::Rsa3072, SignatureAlgorithm::PS256).is_err()
        );
    }
}

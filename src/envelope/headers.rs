//! The protected-header rules shared by JWS and COSE (NOTATION.md §3.2, §4, §9.3). Each parser
//! decodes its own encoding into [`ProtectedHeaders`]; the rules here then apply identically.

use time::OffsetDateTime;

use super::signer_info::{ExtendedAttribute, SignerInfo, SigningScheme};
use super::{EnvelopeError, EnvelopeFormat};
use crate::pki::cert::Cert;
use crate::pki::crypto::SignatureAlgorithm;

/// The payload content type Notation signs (NOTATION.md §2).
pub const PAYLOAD_CONTENT_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";

/// The signing scheme: `notary.x509` or `notary.x509.signingAuthority` (always critical).
pub const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
/// The signing time the signer claims, untrusted (required under `notary.x509`).
pub const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
/// The signing time vouched for by a signing authority (required, and critical, under
/// `notary.x509.signingAuthority`).
pub const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
/// The time after which the signature must not be trusted (critical when present).
pub const EXPIRY: &str = "io.cncf.notary.expiry";
/// The verification plugin that must process the signature (critical when present).
pub const VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
/// The lowest version of that plugin allowed, SemVer (critical when present).
pub const VERIFICATION_PLUGIN_MIN_VERSION: &str = "io.cncf.notary.verificationPluginMinVersion";
/// The RFC 3161 timestamp token over the signature (an unprotected header, standard base64 in JWS).
pub const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
/// The tool that made the signature (an unprotected header, informational).
pub const SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";

/// A header name: JWS names are text; COSE labels are integers or text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// A COSE integer label.
    Int(i64),
    /// A JWS header name, or a COSE text label.
    Text(String),
}

impl Label {
    /// Whether this is the text label `name`.
    pub fn is_text(&self, name: &str) -> bool {
        matches!(self, Label::Text(t) if t == name)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Int(i) => write!(f, "{i}"),
            Label::Text(t) => f.write_str(t),
        }
    }
}

/// A string-valued header that may have been given another type (`None` then).
pub type StringHeader = Option<Option<String>>;

/// The protected headers of either envelope, decoded but not yet checked against each other.
#[derive(Debug, Clone)]
pub struct ProtectedHeaders {
    /// `alg` (JWS) or label 1 (COSE).
    pub algorithm: SignatureAlgorithm,
    /// `cty` (JWS) or label 3 (COSE): must be [`PAYLOAD_CONTENT_TYPE`].
    pub content_type: String,
    /// `crit` (JWS) or label 2 (COSE), as listed.
    pub crit: Vec<Label>,
    /// [`SIGNING_SCHEME`].
    pub signing_scheme: SigningScheme,
    /// [`SIGNING_TIME`].
    pub signing_time: Option<OffsetDateTime>,
    /// [`AUTHENTIC_SIGNING_TIME`].
    pub authentic_signing_time: Option<OffsetDateTime>,
    /// [`EXPIRY`].
    pub expiry: Option<OffsetDateTime>,
    /// [`VERIFICATION_PLUGIN`]: absent, a string, or (`Some(None)`) present with another type.
    pub verification_plugin: StringHeader,
    /// [`VERIFICATION_PLUGIN_MIN_VERSION`], as [`VERIFICATION_PLUGIN`].
    pub verification_plugin_min_version: StringHeader,
    /// Every other protected header, with its rendered value.
    pub extended: Vec<(Label, String)>,
}

/// The checked outcome of [`ProtectedHeaders::check`].
#[derive(Debug, Clone)]
pub struct CheckedHeaders {
    headers: ProtectedHeaders,
    verification_plugin: Option<String>,
    verification_plugin_min_version: Option<String>,
    extended_attributes: Vec<ExtendedAttribute>,
}

/// What an envelope carries besides its protected headers.
#[derive(Debug, Clone)]
pub struct EnvelopeParts {
    /// JWS or COSE.
    pub format: EnvelopeFormat,
    /// The signed payload bytes.
    pub payload: Vec<u8>,
    /// The signature bytes (ECDSA as raw `r||s`).
    pub signature: Vec<u8>,
    /// The exact bytes the signature covers: the JWS signing input (`protected.payload`), or the
    /// COSE `Sig_structure`.
    pub signed_bytes: Vec<u8>,
    /// The certificate chain (`x5c` / `x5chain`), leaf first.
    pub certificate_chain: Vec<Cert>,
    /// The RFC 3161 timestamp token ([`TIMESTAMP_SIGNATURE`]), decoded.
    pub timestamp_token: Option<Vec<u8>>,
    /// [`SIGNING_AGENT`], when present.
    pub signing_agent: Option<String>,
}

impl CheckedHeaders {
    /// Combine with the rest of the envelope.
    pub fn into_signer_info(self, parts: EnvelopeParts) -> SignerInfo {
        let h = self.headers;
        SignerInfo {
            format: parts.format,
            payload: parts.payload,
            payload_content_type: h.content_type,
            signing_scheme: h.signing_scheme,
            signing_time: h.signing_time,
            authentic_signing_time: h.authentic_signing_time,
            expiry: h.expiry,
            algorithm: h.algorithm,
            signature: parts.signature,
            certificate_chain: parts.certificate_chain,
            timestamp_token: parts.timestamp_token,
            signing_agent: parts.signing_agent,
            extended_attributes: self.extended_attributes,
            verification_plugin: self.verification_plugin,
            verification_plugin_min_version: self.verification_plugin_min_version,
            signed_bytes: parts.signed_bytes,
        }
    }
}

impl ProtectedHeaders {
    /// Apply every cross-header rule of §3.2 / §4 / §9.3. `crit` presence is checked by the
    /// format parser before this (the two formats differ there).
    pub fn check(self) -> Result<CheckedHeaders, EnvelopeError> {
        signing_time_headers_match_scheme(
            self.signing_scheme,
            self.signing_time.is_some(),
            self.authentic_signing_time.is_some(),
        )?;
        required_headers_are_critical(&self.crit, self.signing_scheme, self.expiry.is_some())?;
        content_type_is_notary_payload(&self.content_type)?;
        let signing_time = match self.signing_scheme {
            SigningScheme::X509 => self.signing_time,
            SigningScheme::X509SigningAuthority => self.authentic_signing_time,
        };
        expiry_is_after_signing_time(signing_time, self.expiry)?;
        let critical = |name: &str| self.crit.iter().any(|l| l.is_text(name));
        let verification_plugin = verification_plugin_header_is_valid(
            VERIFICATION_PLUGIN,
            &self.verification_plugin,
            critical(VERIFICATION_PLUGIN),
        )?;
        let verification_plugin_min_version = verification_plugin_header_is_valid(
            VERIFICATION_PLUGIN_MIN_VERSION,
            &self.verification_plugin_min_version,
            critical(VERIFICATION_PLUGIN_MIN_VERSION),
        )?;
        if let Some(v) = &verification_plugin_min_version {
            verification_plugin_min_version_is_semver(v)?;
        }
        let extended_attributes = self
            .extended
            .iter()
            .map(|(label, value)| ExtendedAttribute {
                name: label.to_string(),
                critical: self.crit.contains(label),
                value: value.clone(),
            })
            .collect();
        Ok(CheckedHeaders {
            headers: self,
            verification_plugin,
            verification_plugin_min_version,
            extended_attributes,
        })
    }
}

/// The signing scheme header must be `notary.x509` or `notary.x509.signingAuthority`
/// (NOTATION.md §3.2, "unsupported SigningScheme").
pub fn signing_scheme_is_supported(value: &str) -> Result<SigningScheme, EnvelopeError> {
    SigningScheme::from_header(value)
        .ok_or_else(|| EnvelopeError::UnsupportedSigningScheme(value.to_string()))
}

/// `notary.x509` requires `signingTime` and forbids `authenticSigningTime`; signingAuthority
/// requires `authenticSigningTime` and forbids `signingTime` (NOTATION.md §3.2). notation-core-go
/// enforces the "forbidden" half only for JWS and ignores the extra header in COSE; we reject it in
/// both formats (no Notation signer writes it).
pub fn signing_time_headers_match_scheme(
    scheme: SigningScheme,
    has_signing_time: bool,
    has_authentic_signing_time: bool,
) -> Result<(), EnvelopeError> {
    let (required, present, forbidden, forbidden_present) = match scheme {
        SigningScheme::X509 => (
            SIGNING_TIME,
            has_signing_time,
            AUTHENTIC_SIGNING_TIME,
            has_authentic_signing_time,
        ),
        SigningScheme::X509SigningAuthority => (
            AUTHENTIC_SIGNING_TIME,
            has_authentic_signing_time,
            SIGNING_TIME,
            has_signing_time,
        ),
    };
    if forbidden_present {
        return Err(EnvelopeError::HeaderNotAllowedForScheme {
            header: forbidden,
            scheme: scheme.as_str(),
        });
    }
    if !present {
        return Err(EnvelopeError::SigningTimeNotPresent {
            header: required,
            scheme: scheme.as_str(),
        });
    }
    Ok(())
}

/// `crit` must list `io.cncf.notary.signingScheme`, `io.cncf.notary.expiry` when expiry is
/// present, and `io.cncf.notary.authenticSigningTime` under signingAuthority (NOTATION.md §3.2,
/// §4).
pub fn required_headers_are_critical(
    crit: &[Label],
    scheme: SigningScheme,
    has_expiry: bool,
) -> Result<(), EnvelopeError> {
    let mut required = vec![SIGNING_SCHEME];
    if scheme == SigningScheme::X509SigningAuthority {
        required.push(AUTHENTIC_SIGNING_TIME);
    }
    if has_expiry {
        required.push(EXPIRY);
    }
    let missing: Vec<String> = required
        .into_iter()
        .filter(|name| !crit.iter().any(|l| l.is_text(name)))
        .map(str::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(EnvelopeError::RequiredHeadersNotCritical(missing))
    }
}

/// `crit` must be present and non-empty, and every name in it must be present (NOTATION.md §3.2,
/// §4). `present` says whether a label may be critical here (the formats differ: see the parsers).
pub fn critical_headers_are_present(
    crit: &[Label],
    present: impl Fn(&Label) -> bool,
) -> Result<(), EnvelopeError> {
    if crit.is_empty() {
        return Err(EnvelopeError::MissingCrit);
    }
    match crit.iter().find(|l| !present(l)) {
        Some(label) => Err(EnvelopeError::CritHeaderNotPresent(label.to_string())),
        None => Ok(()),
    }
}

/// The content type must be exactly `application/vnd.cncf.notary.payload.v1+json` (NOTATION.md
/// §2, ng `ValidatePayloadContentType`).
pub fn content_type_is_notary_payload(content_type: &str) -> Result<(), EnvelopeError> {
    if content_type == PAYLOAD_CONTENT_TYPE {
        Ok(())
    } else {
        Err(EnvelopeError::WrongContentType(content_type.to_string()))
    }
}

/// A signing time must be present, and `io.cncf.notary.expiry`, when present, must be strictly
/// after it (NOTATION.md §3.2, ncg `validateSigningAndExpiryTime`).
pub fn expiry_is_after_signing_time(
    signing_time: Option<OffsetDateTime>,
    expiry: Option<OffsetDateTime>,
) -> Result<(), EnvelopeError> {
    match (signing_time, expiry) {
        (Some(s), Some(e)) if e <= s => Err(EnvelopeError::ExpiryNotAfterSigningTime),
        _ => Ok(()),
    }
}

/// `io.cncf.notary.verificationPlugin` and `...MinVersion`, when present, must be critical,
/// non-empty strings (NOTATION.md §9.3, ng `extractCriticalStringExtendedAttribute`).
pub fn verification_plugin_header_is_valid(
    header: &'static str,
    value: &StringHeader,
    critical: bool,
) -> Result<Option<String>, EnvelopeError> {
    let bad = |problem| EnvelopeError::BadVerificationPluginHeader { header, problem };
    match value {
        None => Ok(None),
        Some(_) if !critical => Err(bad("is not a critical Extended attribute")),
        Some(None) => Err(bad("from extended attribute is not a string")),
        Some(Some(s)) if s.trim().is_empty() => {
            Err(bad("from extended attribute is an empty string"))
        }
        Some(Some(s)) => Ok(Some(s.clone())),
    }
}

/// `io.cncf.notary.verificationPluginMinVersion` must be a SemVer 2.0 version (NOTATION.md §9.3).
pub fn verification_plugin_min_version_is_semver(version: &str) -> Result<(), EnvelopeError> {
    semver::Version::parse(version).map(|_| ()).map_err(|_| {
        EnvelopeError::BadVerificationPluginHeader {
            header: VERIFICATION_PLUGIN_MIN_VERSION,
            problem: "from extended attribute is not a valid SemVer",
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn text(s: &str) -> Label {
        Label::Text(s.into())
    }

    #[test]
    fn signing_scheme_is_supported_accepts_both_schemes_only() {
        assert_eq!(
            signing_scheme_is_supported("notary.x509").unwrap(),
            SigningScheme::X509
        );
        assert_eq!(
            signing_scheme_is_supported("notary.x509.signingAuthority").unwrap(),
            SigningScheme::X509SigningAuthority
        );
        assert!(matches!(
            signing_scheme_is_supported("notary.x509.SigningAuthority"),
            Err(EnvelopeError::UnsupportedSigningScheme(_))
        ));
    }

    #[test]
    fn signing_time_headers_match_scheme_rules() {
        use SigningScheme::*;
        assert!(signing_time_headers_match_scheme(X509, true, false).is_ok());
        assert!(signing_time_headers_match_scheme(X509SigningAuthority, false, true).is_ok());
        assert!(matches!(
            signing_time_headers_match_scheme(X509, false, false),
            Err(EnvelopeError::SigningTimeNotPresent { .. })
        ));
        assert!(matches!(
            signing_time_headers_match_scheme(X509, true, true),
            Err(EnvelopeError::HeaderNotAllowedForScheme {
                header: AUTHENTIC_SIGNING_TIME,
                ..
            })
        ));
        assert!(matches!(
            signing_time_headers_match_scheme(X509SigningAuthority, true, true),
            Err(EnvelopeError::HeaderNotAllowedForScheme {
                header: SIGNING_TIME,
                ..
            })
        ));
        assert!(matches!(
            signing_time_headers_match_scheme(X509SigningAuthority, false, false),
            Err(EnvelopeError::SigningTimeNotPresent { .. })
        ));
    }

    #[test]
    fn required_headers_are_critical_rules() {
        let crit = [text(SIGNING_SCHEME), text(EXPIRY)];
        assert!(required_headers_are_critical(&crit, SigningScheme::X509, true).is_ok());
        let err = required_headers_are_critical(&crit, SigningScheme::X509SigningAuthority, true)
            .unwrap_err();
        assert_eq!(
            err,
            EnvelopeError::RequiredHeadersNotCritical(vec![AUTHENTIC_SIGNING_TIME.into()])
        );
        assert!(
            required_headers_are_critical(&[text(SIGNING_SCHEME)], SigningScheme::X509, true)
                .is_err()
        );
    }

    #[test]
    fn critical_headers_are_present_rules() {
        assert_eq!(
            critical_headers_are_present(&[], |_| true),
            Err(EnvelopeError::MissingCrit)
        );
        assert!(critical_headers_are_present(&[text("a")], |_| true).is_ok());
        let err =
            critical_headers_are_present(&[text("a"), text("b")], |l| l.is_text("a")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"b\" header is marked critical but not present"
        );
    }

    #[test]
    fn content_type_is_notary_payload_is_exact() {
        assert!(content_type_is_notary_payload(PAYLOAD_CONTENT_TYPE).is_ok());
        assert!(content_type_is_notary_payload("application/json").is_err());
        assert!(content_type_is_notary_payload(
            "application/vnd.cncf.notary.payload.v1+json; charset=utf-8"
        )
        .is_err());
    }

    #[test]
    fn expiry_is_after_signing_time_is_strict() {
        let t = datetime!(2023-06-27 13:20:21 +8);
        assert!(expiry_is_after_signing_time(Some(t), None).is_ok());
        assert!(expiry_is_after_signing_time(Some(t), Some(t + time::Duration::SECOND)).is_ok());
        assert_eq!(
            expiry_is_after_signing_time(Some(t), Some(t)),
            Err(EnvelopeError::ExpiryNotAfterSigningTime)
        );
        assert!(expiry_is_after_signing_time(Some(t), Some(t - time::Duration::DAY)).is_err());
    }

    #[test]
    fn verification_plugin_header_rules() {
        let ok = Some(Some("plugin".to_string()));
        assert_eq!(
            verification_plugin_header_is_valid(VERIFICATION_PLUGIN, &ok, true).unwrap(),
            Some("plugin".into())
        );
        assert_eq!(
            verification_plugin_header_is_valid(VERIFICATION_PLUGIN, &None, false).unwrap(),
            None
        );
        assert!(verification_plugin_header_is_valid(VERIFICATION_PLUGIN, &ok, false).is_err());
        assert!(
            verification_plugin_header_is_valid(VERIFICATION_PLUGIN, &Some(None), true).is_err()
        );
        assert!(verification_plugin_header_is_valid(
            VERIFICATION_PLUGIN,
            &Some(Some(" ".into())),
            true
        )
        .is_err());
        assert!(verification_plugin_min_version_is_semver("1.0.0-alpha.beta").is_ok());
        assert!(verification_plugin_min_version_is_semver("1.0").is_err());
    }
}

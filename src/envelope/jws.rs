//! The JWS envelope (`application/jose+json`): flattened JSON serialization with one signature
//! (NOTATION.md §3; spec `signature-envelope-jws.md`; ncg `signature/jws`).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::headers::{
    self, EnvelopeParts, Label, ProtectedHeaders, StringHeader, AUTHENTIC_SIGNING_TIME, EXPIRY,
    SIGNING_AGENT, SIGNING_SCHEME, SIGNING_TIME, TIMESTAMP_SIGNATURE, VERIFICATION_PLUGIN,
    VERIFICATION_PLUGIN_MIN_VERSION,
};
use super::signer_info::{SignerInfo, SigningScheme};
use super::{envelope_within_size_limit, parse_certificate_chain, EnvelopeError, EnvelopeFormat};
use crate::limits::Limits;
use crate::pki::crypto::SignatureAlgorithm;

/// The protected-header names notation-core-go handles itself (`headerKeys`): never extended
/// attributes, and (except the scheme-required ones) never allowed in `crit`.
const SYSTEM_HEADERS: [&str; 7] = [
    "alg",
    "cty",
    "crit",
    EXPIRY,
    SIGNING_TIME,
    SIGNING_SCHEME,
    AUTHENTIC_SIGNING_TIME,
];

/// A JSON object whose members are kept in order, with exact duplicate names rejected.
#[derive(Debug)]
struct StrictObject(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrictObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictObject, A::Error> {
                let mut members: Vec<(String, Value)> = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if members.iter().any(|(n, _)| *n == name) {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate member {name:?}"
                        )));
                    }
                    let value = map.next_value::<Value>()?;
                    members.push((name, value));
                }
                Ok(StrictObject(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parse a JSON object, naming duplicates precisely.
fn strict_object(what: &'static str, bytes: &[u8]) -> Result<StrictObject, EnvelopeError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let reason = e.to_string();
        match reason
            .strip_prefix("duplicate member ")
            .and_then(|r| r.split(" at line").next())
        {
            Some(name) => EnvelopeError::DuplicateMember {
                what,
                name: name.trim_matches('"').to_string(),
            },
            None => EnvelopeError::Json { what, reason },
        }
    })
}

/// Find a member the way Go's `encoding/json` matches struct fields: case-insensitively. Two
/// members matching the same field are rejected (Go would silently keep the last).
fn member<'a, I>(
    what: &'static str,
    members: I,
    name: &str,
) -> Result<Option<&'a Value>, EnvelopeError>
where
    I: IntoIterator<Item = (&'a String, &'a Value)>,
{
    let mut found = None;
    for (n, v) in members {
        if crate::json_fold::go_fold_eq(n, name) {
            if found.is_some() {
                return Err(EnvelopeError::DuplicateMember {
                    what,
                    name: name.to_string(),
                });
            }
            found = Some(v);
        }
    }
    Ok(found.filter(|v| !v.is_null()))
}

fn top_string<'a>(top: &'a StrictObject, name: &'static str) -> Result<&'a str, EnvelopeError> {
    match member("jws envelope", top.0.iter().map(|(n, v)| (n, v)), name)? {
        None => Err(EnvelopeError::MissingMember(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(EnvelopeError::WrongType {
            field: format!("jws envelope member {name:?}"),
            expected: "a string",
        }),
    }
}

fn b64url(field: &str, text: &str) -> Result<Vec<u8>, EnvelopeError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| EnvelopeError::Base64 {
            field: field.to_string(),
            encoding: "base64url without padding",
            reason: e.to_string(),
        })
}

fn b64std(field: &str, text: &str) -> Result<Vec<u8>, EnvelopeError> {
    STANDARD.decode(text).map_err(|e| EnvelopeError::Base64 {
        field: field.to_string(),
        encoding: "standard base64",
        reason: e.to_string(),
    })
}

/// The protected header as a name -> value list with exact names. A member whose name equals a
/// Notation header name only up to letter case is rejected: notation-core-go's struct decoding
/// would read it as that header while a plain lookup would not.
struct Protected(Vec<(String, Value)>);

impl Protected {
    fn get(&self, name: &str) -> Result<Option<&Value>, EnvelopeError> {
        if let Some((n, _)) = self
            .0
            .iter()
            .find(|(n, _)| n != name && crate::json_fold::go_fold_eq(n, name))
        {
            return Err(EnvelopeError::DuplicateMember {
                what: "jws protected header",
                name: format!("{n} (differs from {name:?} only in letter case)"),
            });
        }
        Ok(self
            .0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null()))
    }

    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && !v.is_null())
    }

    fn string(&self, name: &str) -> Result<Option<&str>, EnvelopeError> {
        match self.get(name)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(EnvelopeError::WrongType {
                field: format!("protected header {name:?}"),
                expected: "a string",
            }),
        }
    }

    fn time(&self, name: &str) -> Result<Option<OffsetDateTime>, EnvelopeError> {
        self.string(name)?
            .map(|s| {
                OffsetDateTime::parse(s, &Rfc3339).map_err(|e| EnvelopeError::BadTime {
                    header: name.to_string(),
                    reason: format!("{s:?} is not an RFC 3339 time: {e}"),
                })
            })
            .transpose()
    }

    fn string_header(&self, name: &str) -> Result<StringHeader, EnvelopeError> {
        Ok(self.get(name)?.map(|v| v.as_str().map(str::to_string)))
    }
}

/// Decode the `alg` header: only PS256/384/512 and ES256/384/512 (golang-jwt `WithValidMethods`).
fn algorithm(protected: &Protected) -> Result<SignatureAlgorithm, EnvelopeError> {
    match protected.get("alg")? {
        None => Err(EnvelopeError::MissingAlgorithm),
        Some(Value::String(s)) => SignatureAlgorithm::from_jws_name(s)
            .ok_or_else(|| EnvelopeError::UnsupportedAlgorithm(s.clone())),
        Some(other) => Err(EnvelopeError::UnsupportedAlgorithm(other.to_string())),
    }
}

fn crit(protected: &Protected) -> Result<Vec<Label>, EnvelopeError> {
    match protected.get("crit")? {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(Label::Text(s.clone())),
                _ => Err(EnvelopeError::WrongType {
                    field: "protected header \"crit\"".into(),
                    expected: "an array of strings",
                }),
            })
            .collect(),
        Some(_) => Err(EnvelopeError::WrongType {
            field: "protected header \"crit\"".into(),
            expected: "an array of strings",
        }),
    }
}

/// What JWS `crit` may name (ncg `validateCriticalHeaders`): the headers the scheme requires to be
/// critical, and extended attributes present in the header. Other Notation/JOSE headers (`alg`,
/// `cty`, `signingTime`...) are reported as "marked critical but not present", as ncg does.
fn jws_critical_header_is_present(
    protected: &Protected,
    headers: &ProtectedHeaders,
    label: &Label,
) -> bool {
    let Label::Text(name) = label else {
        return false;
    };
    let required = name == SIGNING_SCHEME
        || (name == EXPIRY && headers.expiry.is_some())
        || (name == AUTHENTIC_SIGNING_TIME
            && headers.signing_scheme == SigningScheme::X509SigningAuthority);
    required || (!SYSTEM_HEADERS.contains(&name.as_str()) && protected.contains(name))
}

/// Decode and check the protected header (NOTATION.md §3.2).
fn protected_headers(protected: &Protected) -> Result<ProtectedHeaders, EnvelopeError> {
    let signing_scheme = match protected.string(SIGNING_SCHEME)? {
        None => return Err(EnvelopeError::MissingSigningScheme),
        Some(s) => headers::signing_scheme_is_supported(s)?,
    };
    let algorithm = algorithm(protected)?;
    let content_type = protected
        .string("cty")?
        .ok_or(EnvelopeError::MissingContentType)?
        .to_string();
    let extended = protected
        .0
        .iter()
        .filter(|(n, _)| {
            !SYSTEM_HEADERS.contains(&n.as_str())
                && n != VERIFICATION_PLUGIN
                && n != VERIFICATION_PLUGIN_MIN_VERSION
        })
        .map(|(n, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (Label::Text(n.clone()), value)
        })
        .collect();
    let headers = ProtectedHeaders {
        algorithm,
        content_type,
        crit: crit(protected)?,
        signing_scheme,
        signing_time: protected.time(SIGNING_TIME)?,
        authentic_signing_time: protected.time(AUTHENTIC_SIGNING_TIME)?,
        expiry: protected.time(EXPIRY)?,
        verification_plugin: protected.string_header(VERIFICATION_PLUGIN)?,
        verification_plugin_min_version: protected
            .string_header(VERIFICATION_PLUGIN_MIN_VERSION)?,
        extended,
    };
    headers::critical_headers_are_present(&headers.crit, |l| {
        jws_critical_header_is_present(protected, &headers, l)
    })?;
    Ok(headers)
}

/// The JWS payload must be a JSON object: notation-core-go verifies through golang-jwt, which
/// decodes the payload as JWT claims (NOTATION.md §2).
pub fn jws_payload_is_json_object(payload: &[u8]) -> Result<(), EnvelopeError> {
    serde_json::from_slice::<serde_json::Map<String, Value>>(payload)
        .map(|_| ())
        .map_err(|e| EnvelopeError::PayloadNotJsonObject(e.to_string()))
}

/// Parse a JWS envelope: structure, protected and unprotected headers, certificates. The chain may
/// be empty here and unknown critical headers are kept: [`super::parse_envelope`] applies those
/// rules. The signature is not verified.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<SignerInfo, EnvelopeError> {
    envelope_within_size_limit(bytes, limits)?;
    let top = strict_object("jws envelope", bytes)?;
    let protected_b64 = top_string(&top, "protected")?;
    let payload_b64 = top_string(&top, "payload")?;
    let signature_b64 = top_string(&top, "signature")?;

    let protected_raw = b64url("jws protected header", protected_b64)?;
    let protected = Protected(strict_object("jws protected header", &protected_raw)?.0);
    let headers = protected_headers(&protected)?;
    let checked = headers.check()?;

    let payload = b64url("jws payload", payload_b64)?;
    if payload.is_empty() {
        return Err(EnvelopeError::EmptyPayload);
    }
    jws_payload_is_json_object(&payload)?;
    let signature = b64url("jws signature", signature_b64)?;
    if signature.is_empty() {
        return Err(EnvelopeError::EmptySignature);
    }

    let empty = serde_json::Map::new();
    let header = match member("jws envelope", top.0.iter().map(|(n, v)| (n, v)), "header")? {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: "jws envelope member \"header\"".into(),
                expected: "a JSON object",
            })
        }
    };
    let unprotected = |name| member("jws unprotected header", header.iter(), name);
    let certificate_chain = match unprotected("x5c")? {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let ders = items.iter().enumerate().map(|(i, v)| match v {
                Value::String(s) => b64std(&format!("x5c[{i}]"), s),
                _ => Err(EnvelopeError::WrongType {
                    field: "unprotected header \"x5c\"".into(),
                    expected: "an array of base64 strings",
                }),
            });
            parse_certificate_chain(items.len(), ders, limits)?
        }
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: "unprotected header \"x5c\"".into(),
                expected: "an array of base64 strings",
            })
        }
    };
    let timestamp_token = match unprotected(TIMESTAMP_SIGNATURE)? {
        None => None,
        Some(Value::String(s)) => Some(b64std(TIMESTAMP_SIGNATURE, s)?),
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: format!("unprotected header {TIMESTAMP_SIGNATURE:?}"),
                expected: "a base64 string",
            })
        }
    };
    let signing_agent = match unprotected(SIGNING_AGENT)? {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: format!("unprotected header {SIGNING_AGENT:?}"),
                expected: "a string",
            })
        }
    };

    let mut signed_bytes = Vec::with_capacity(protected_b64.len() + 1 + payload_b64.len());
    signed_bytes.extend_from_slice(protected_b64.as_bytes());
    signed_bytes.push(b'.');
    signed_bytes.extend_from_slice(payload_b64.as_bytes());

    Ok(checked.into_signer_info(EnvelopeParts {
        format: EnvelopeFormat::Jws,
        payload,
        signature,
        signed_bytes,
        certificate_chain,
        timestamp_token,
        signing_agent,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(protected: &str, payload: &str, header: &str) -> Vec<u8> {
        format!(
            r#"{{"payload":"{}","protected":"{}","header":{header},"signature":"AAAA"}}"#,
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(protected)
        )
        .into_bytes()
    }

    const GOOD: &str = r#"{"alg":"PS256","crit":["io.cncf.notary.signingScheme"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2023-06-27T13:20:21+08:00"}"#;

    #[test]
    fn parses_minimal_headers_without_chain() {
        let info = parse(
            &env(GOOD, r#"{"targetArtifact":{}}"#, "{}"),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(info.algorithm, SignatureAlgorithm::PS256);
        assert_eq!(
            info.signing_time.unwrap().unix_timestamp(),
            time::macros::datetime!(2023-06-27 05:20:21 UTC).unix_timestamp()
        );
        assert!(info.certificate_chain.is_empty());
        assert_eq!(
            info.signed_bytes().iter().filter(|&&b| b == b'.').count(),
            1
        );
    }

    #[test]
    fn jws_payload_is_json_object_rule() {
        assert!(jws_payload_is_json_object(br#"{"a":1}"#).is_ok());
        assert!(jws_payload_is_json_object(b"[1]").is_err());
        assert!(matches!(
            parse(&env(GOOD, "hello", "{}"), &Limits::default()),
            Err(EnvelopeError::PayloadNotJsonObject(_))
        ));
    }

    #[test]
    fn duplicate_protected_member_is_rejected() {
        let dup = GOOD.replace(r#""alg":"PS256","#, r#""alg":"PS256","alg":"ES256","#);
        assert!(matches!(
            parse(&env(&dup, "{}", "{}"), &Limits::default()),
            Err(EnvelopeError::DuplicateMember { .. })
        ));
        let case = GOOD.replace(r#""alg":"PS256","#, r#""alg":"PS256","ALG":"ES256","#);
        assert!(matches!(
            parse(&env(&case, "{}", "{}"), &Limits::default()),
            Err(EnvelopeError::DuplicateMember { .. })
        ));
    }

    #[test]
    fn jws_critical_header_rules_follow_notation_core_go() {
        // `crit` naming signingTime (a system header) is "not present" for ncg.
        let p = GOOD.replace(
            r#"["io.cncf.notary.signingScheme"]"#,
            r#"["io.cncf.notary.signingScheme","io.cncf.notary.signingTime"]"#,
        );
        assert_eq!(
            parse(&env(&p, "{}", "{}"), &Limits::default()).unwrap_err(),
            EnvelopeError::CritHeaderNotPresent(SIGNING_TIME.into())
        );
        // An extended attribute present and critical is accepted here.
        let p = GOOD.replace(
            r#"["io.cncf.notary.signingScheme"]"#,
            r#"["io.cncf.notary.signingScheme","k"],"k":"v""#,
        );
        let info = parse(&env(&p, "{}", "{}"), &Limits::default()).unwrap();
        assert_eq!(info.extended_attributes.len(), 1);
        assert!(info.extended_attributes[0].critical);
    }

    #[test]
    fn unprotected_members_match_case_insensitively() {
        let info = parse(
            &env(GOOD, "{}", r#"{"io.cncf.notary.SigningAgent":"agent/1"}"#),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(info.signing_agent.as_deref(), Some("agent/1"));
    }

    #[test]
    fn padded_base64url_is_rejected() {
        let mut e = String::from_utf8(env(GOOD, "{}", "{}")).unwrap();
        e = e.replace(r#""signature":"AAAA""#, r#""signature":"AAA=""#);
        assert!(matches!(
            parse(e.as_bytes(), &Limits::default()),
            Err(EnvelopeError::Base64 { .. })
        ));
    }
}

//! The COSE envelope (`application/cose`): a tagged COSE_Sign1 message (NOTATION.md §4; spec
//! `signature-envelope-cose.md`; ncg `signature/cose`, go-cose).

use ciborium::Value;
use coset::iana::EnumI64;
use coset::{
    CborSerializable, CoseSign1, Header, RegisteredLabelWithPrivate, TaggedCborSerializable,
};
use time::OffsetDateTime;

use super::headers::{
    self, EnvelopeParts, Label, ProtectedHeaders, StringHeader, AUTHENTIC_SIGNING_TIME, EXPIRY,
    SIGNING_AGENT, SIGNING_SCHEME, SIGNING_TIME, TIMESTAMP_SIGNATURE, VERIFICATION_PLUGIN,
    VERIFICATION_PLUGIN_MIN_VERSION,
};
use super::signer_info::SignerInfo;
use super::{envelope_within_size_limit, parse_certificate_chain, EnvelopeError, EnvelopeFormat};
use crate::limits::Limits;
use crate::pki::crypto::SignatureAlgorithm;

/// COSE header label of `x5chain` (RFC 9360).
const X5CHAIN: i64 = 33;

/// Every label present in a header bucket.
fn labels(h: &Header) -> Vec<Label> {
    let mut out = Vec::new();
    let core = [
        (1, h.alg.is_some()),
        (2, !h.crit.is_empty()),
        (3, h.content_type.is_some()),
        (4, !h.key_id.is_empty()),
        (5, !h.iv.is_empty()),
        (6, !h.partial_iv.is_empty()),
        (7, !h.counter_signatures.is_empty()),
    ];
    out.extend(core.iter().filter(|(_, p)| *p).map(|(l, _)| Label::Int(*l)));
    out.extend(h.rest.iter().map(|(l, _)| label(l)));
    out
}

fn label(l: &coset::Label) -> Label {
    match l {
        coset::Label::Int(i) => Label::Int(*i),
        coset::Label::Text(t) => Label::Text(t.clone()),
    }
}

fn crit_label(l: &RegisteredLabelWithPrivate<coset::iana::HeaderParameter>) -> Label {
    match l {
        RegisteredLabelWithPrivate::PrivateUse(i) => Label::Int(*i),
        RegisteredLabelWithPrivate::Assigned(a) => Label::Int(a.to_i64()),
        RegisteredLabelWithPrivate::Text(t) => Label::Text(t.clone()),
    }
}

fn rest<'a>(h: &'a Header, name: &str) -> Option<&'a Value> {
    h.rest
        .iter()
        .find(|(l, _)| matches!(l, coset::Label::Text(t) if t == name))
        .map(|(_, v)| v)
}

/// A CBOR value for messages: text as itself, other values in a debug rendering.
fn render(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        other => format!("{other:?}"),
    }
}

/// COSE times are CBOR tag 1 (epoch seconds, integer or float); any other tag or an untagged value
/// is rejected (NOTATION.md §4, ncg `DecTagRequired` and "only Tag `1` Datetime CBOR object is
/// supported").
pub fn cose_time_is_tag_1(header: &str, v: &Value) -> Result<OffsetDateTime, EnvelopeError> {
    let bad = |reason: String| EnvelopeError::BadTime {
        header: header.to_string(),
        reason,
    };
    let Value::Tag(tag, inner) = v else {
        return Err(bad(
            "the time value does not have a tag (CBOR tag 1 required)".into(),
        ));
    };
    if *tag != 1 {
        return Err(bad(format!(
            "only Tag `1` Datetime CBOR object is supported, found tag {tag}"
        )));
    }
    match inner.as_ref() {
        Value::Integer(i) => i64::try_from(i128::from(*i))
            .ok()
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .ok_or_else(|| bad("epoch seconds out of range".into())),
        Value::Float(f) if f.is_finite() => {
            let nanos = (*f * 1e9).round();
            if nanos.abs() > 1e30 {
                return Err(bad("epoch seconds out of range".into()));
            }
            OffsetDateTime::from_unix_timestamp_nanos(nanos as i128)
                .map_err(|_| bad("epoch seconds out of range".into()))
        }
        _ => Err(bad("tag 1 must wrap an integer or a finite float".into())),
    }
}

fn time(h: &Header, name: &str) -> Result<Option<OffsetDateTime>, EnvelopeError> {
    rest(h, name)
        .map(|v| cose_time_is_tag_1(name, v))
        .transpose()
}

fn string_header(h: &Header, name: &str) -> StringHeader {
    rest(h, name).map(|v| v.as_text().map(str::to_string))
}

/// `crit` must not list the COSE core labels 0-8 (COSE envelope specification, "crit"). go-cose
/// only checks presence; no Notation signer lists them.
pub fn crit_excludes_core_cose_labels(crit: &[Label]) -> Result<(), EnvelopeError> {
    match crit.iter().find_map(|l| match l {
        Label::Int(i) if (0..=8).contains(i) => Some(*i),
        _ => None,
    }) {
        Some(i) => Err(EnvelopeError::CritCoreLabel(i)),
        None => Ok(()),
    }
}

/// The unprotected bucket must not carry `crit`, and no label may appear in both buckets (go-cose
/// header validation).
pub fn cose_buckets_are_disjoint(
    protected: &Header,
    unprotected: &Header,
) -> Result<(), EnvelopeError> {
    if !unprotected.crit.is_empty() {
        return Err(EnvelopeError::Cose(
            "\"crit\" must be in the protected header".into(),
        ));
    }
    let p = labels(protected);
    match labels(unprotected).into_iter().find(|l| p.contains(l)) {
        Some(l) => Err(EnvelopeError::Cose(format!(
            "header label {l} is in both the protected and unprotected buckets"
        ))),
        None => Ok(()),
    }
}

fn protected_headers(h: &Header) -> Result<ProtectedHeaders, EnvelopeError> {
    let crit: Vec<Label> = h.crit.iter().map(crit_label).collect();
    let present = labels(h);
    headers::critical_headers_are_present(&crit, |l| present.contains(l))?;
    crit_excludes_core_cose_labels(&crit)?;
    let signing_scheme = match rest(h, SIGNING_SCHEME) {
        None => return Err(EnvelopeError::MissingSigningScheme),
        Some(Value::Text(s)) => headers::signing_scheme_is_supported(s)?,
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: format!("protected header {SIGNING_SCHEME:?}"),
                expected: "a tstr",
            })
        }
    };
    let algorithm = match &h.alg {
        None => return Err(EnvelopeError::MissingAlgorithm),
        Some(RegisteredLabelWithPrivate::Assigned(a)) => {
            SignatureAlgorithm::from_cose_id(a.to_i64()).ok_or_else(|| {
                EnvelopeError::UnsupportedAlgorithm(format!("{} ({a:?})", a.to_i64()))
            })?
        }
        Some(RegisteredLabelWithPrivate::PrivateUse(i)) => {
            return Err(EnvelopeError::UnsupportedAlgorithm(i.to_string()))
        }
        Some(RegisteredLabelWithPrivate::Text(t)) => {
            return Err(EnvelopeError::UnsupportedAlgorithm(t.clone()))
        }
    };
    let content_type = match &h.content_type {
        None => return Err(EnvelopeError::MissingContentType),
        Some(coset::ContentType::Text(t)) => t.clone(),
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: "content type (label 3)".into(),
                expected: "of 'tstr' type",
            })
        }
    };
    const SYSTEM: [&str; 6] = [
        SIGNING_SCHEME,
        SIGNING_TIME,
        AUTHENTIC_SIGNING_TIME,
        EXPIRY,
        VERIFICATION_PLUGIN,
        VERIFICATION_PLUGIN_MIN_VERSION,
    ];
    let mut extended: Vec<(Label, String)> = h
        .rest
        .iter()
        .filter(|(l, _)| !matches!(l, coset::Label::Text(t) if SYSTEM.contains(&t.as_str())))
        .map(|(l, v)| (label(l), render(v)))
        .collect();
    // Core labels 4-7 are not Notation headers either: keep them visible as extended attributes.
    for l in present.iter().filter(|l| matches!(l, Label::Int(4..=7))) {
        extended.push((l.clone(), String::from("(COSE core header)")));
    }
    Ok(ProtectedHeaders {
        algorithm,
        content_type,
        crit,
        signing_scheme,
        signing_time: time(h, SIGNING_TIME)?,
        authentic_signing_time: time(h, AUTHENTIC_SIGNING_TIME)?,
        expiry: time(h, EXPIRY)?,
        verification_plugin: string_header(h, VERIFICATION_PLUGIN),
        verification_plugin_min_version: string_header(h, VERIFICATION_PLUGIN_MIN_VERSION),
        extended,
    })
}

/// Decode a tagged COSE_Sign1 (tag 18 required; untagged input is rejected as go-cose does).
fn decode(bytes: &[u8]) -> Result<CoseSign1, EnvelopeError> {
    CoseSign1::from_tagged_slice(bytes).map_err(|e| {
        let wrong_tag = matches!(e, coset::CoseError::UnexpectedItem("tag", _));
        if wrong_tag || CoseSign1::from_slice(bytes).is_ok() {
            EnvelopeError::CoseNotTagged
        } else {
            EnvelopeError::Cose(e.to_string())
        }
    })
}

/// Parse a COSE envelope: structure, protected and unprotected headers, certificates. The chain
/// may be empty here and unknown critical headers are kept: [`super::parse_envelope`] applies
/// those rules. The signature is not verified.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<SignerInfo, EnvelopeError> {
    envelope_within_size_limit(bytes, limits)?;
    let msg = decode(bytes)?;
    let protected = &msg.protected.header;
    let unprotected = &msg.unprotected;
    cose_buckets_are_disjoint(protected, unprotected)?;
    let headers = protected_headers(protected)?;
    let checked = headers.check()?;

    let payload = msg.payload.clone().ok_or(EnvelopeError::DetachedPayload)?;
    if payload.is_empty() {
        return Err(EnvelopeError::EmptyPayload);
    }
    if msg.signature.is_empty() {
        return Err(EnvelopeError::EmptySignature);
    }

    let chain_type_error = || {
        EnvelopeError::WrongType {
        field: "x5chain (unprotected label 33)".into(),
        expected: "an array of bstr certificates (a single bare bstr is not accepted, as in notation-core-go)",
    }
    };
    let certificate_chain = match unprotected
        .rest
        .iter()
        .find(|(l, _)| *l == coset::Label::Int(X5CHAIN))
        .map(|(_, v)| v)
    {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let ders = items.iter().map(|v| match v {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(chain_type_error()),
            });
            parse_certificate_chain(items.len(), ders, limits)?
        }
        Some(_) => return Err(chain_type_error()),
    };
    let timestamp_token = match rest(unprotected, TIMESTAMP_SIGNATURE) {
        None => None,
        Some(Value::Bytes(b)) => Some(b.clone()),
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: format!("unprotected header {TIMESTAMP_SIGNATURE:?}"),
                expected: "a bstr",
            })
        }
    };
    let signing_agent = match rest(unprotected, SIGNING_AGENT) {
        None => None,
        Some(Value::Text(t)) => Some(t.clone()),
        Some(_) => {
            return Err(EnvelopeError::WrongType {
                field: format!("unprotected header {SIGNING_AGENT:?}"),
                expected: "a tstr",
            })
        }
    };
    let signed_bytes = msg.tbs_data(b"");

    Ok(checked.into_signer_info(EnvelopeParts {
        format: EnvelopeFormat::Cose,
        payload,
        signature: msg.signature,
        signed_bytes,
        certificate_chain,
        timestamp_token,
        signing_agent,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciborium::value::Integer;

    #[test]
    fn cose_time_is_tag_1_accepts_int_and_float() {
        let t = Value::Tag(1, Box::new(Value::Integer(Integer::from(1661321924))));
        assert_eq!(
            cose_time_is_tag_1("t", &t).unwrap().unix_timestamp(),
            1661321924
        );
        let f = Value::Tag(1, Box::new(Value::Float(1661321924.5)));
        assert_eq!(
            cose_time_is_tag_1("t", &f).unwrap().unix_timestamp_nanos(),
            1_661_321_924_500_000_000
        );
    }

    #[test]
    fn cose_time_is_tag_1_rejects_other_tags_and_untagged() {
        let untagged = Value::Integer(Integer::from(1));
        assert!(cose_time_is_tag_1("t", &untagged).is_err());
        let tag0 = Value::Tag(0, Box::new(Value::Text("2022-08-24T06:18:44Z".into())));
        assert!(cose_time_is_tag_1("t", &tag0)
            .unwrap_err()
            .to_string()
            .contains("only Tag `1`"));
        let huge = Value::Tag(1, Box::new(Value::Float(f64::MAX)));
        assert!(cose_time_is_tag_1("t", &huge).is_err());
        let nan = Value::Tag(1, Box::new(Value::Float(f64::NAN)));
        assert!(cose_time_is_tag_1("t", &nan).is_err());
    }

    #[test]
    fn crit_excludes_core_cose_labels_rule() {
        assert!(crit_excludes_core_cose_labels(&[Label::Text("a".into())]).is_ok());
        assert_eq!(
            crit_excludes_core_cose_labels(&[Label::Int(1)]),
            Err(EnvelopeError::CritCoreLabel(1))
        );
        assert!(crit_excludes_core_cose_labels(&[Label::Int(100)]).is_ok());
    }

    #[test]
    fn cose_buckets_are_disjoint_rule() {
        let mut p = Header::default();
        p.rest.push((coset::Label::Text("k".into()), Value::Null));
        let mut u = Header::default();
        assert!(cose_buckets_are_disjoint(&p, &u).is_ok());
        u.rest.push((coset::Label::Text("k".into()), Value::Null));
        assert!(cose_buckets_are_disjoint(&p, &u).is_err());
        let mut u2 = Header::default();
        u2.crit.push(RegisteredLabelWithPrivate::Text("x".into()));
        assert!(cose_buckets_are_disjoint(&p, &u2).is_err());
    }

    #[test]
    fn untagged_and_garbage_are_rejected() {
        assert_eq!(
            parse(&[0x84, 0x40, 0xa0, 0x40, 0x40], &Limits::default()).unwrap_err(),
            EnvelopeError::CoseNotTagged
        );
        assert!(matches!(
            parse(&[0xd2, 0x84, 0x40], &Limits::default()),
            Err(EnvelopeError::Cose(_))
        ));
        assert!(parse(&[], &Limits::default()).is_err());
    }
}

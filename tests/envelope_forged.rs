//! Forged and broken envelopes, made at test time by mutating real envelopes from the Notary
//! Project's tools: each must be rejected with the specific reason, never a panic.
#![cfg(test)]

use std::fs;
use std::path::Path;

use airgap_verify::envelope::{
    cose, jws, open, parse_envelope, EnvelopeError, EnvelopeFormat, Payload,
};
use airgap_verify::limits::Limits;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ciborium::value::{Integer, Value};
use proptest::prelude::*;
use serde_json::{json, Map};

const JOSE: &str = "application/jose+json";
const COSE: &str = "application/cose";

/// The e2e-valid-signature JWS envelope (PS256, RSA 2048).
fn real_jws(root: &Path) -> Vec<u8> {
    let blobs = root.join("notation/oci_layout/e2e-valid-signature/blobs/sha256");
    let entry = fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("c9af07e038b2b")
        })
        .unwrap();
    fs::read(entry).unwrap()
}

/// A COSE envelope with a timestamp from notation-go's tests.
fn real_cose(root: &Path) -> Vec<u8> {
    fs::read(root.join("notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig"))
        .unwrap()
}

fn top(env: &[u8]) -> Map<String, serde_json::Value> {
    serde_json::from_slice(env).unwrap()
}

fn with_top(env: &[u8], f: impl FnOnce(&mut Map<String, serde_json::Value>)) -> Vec<u8> {
    let mut t = top(env);
    f(&mut t);
    serde_json::to_vec(&t).unwrap()
}

fn b64(bytes: &[u8]) -> serde_json::Value {
    json!(URL_SAFE_NO_PAD.encode(bytes))
}

fn unb64(v: &serde_json::Value) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(v.as_str().unwrap()).unwrap()
}

fn with_protected(env: &[u8], f: impl FnOnce(&mut Map<String, serde_json::Value>)) -> Vec<u8> {
    with_top(env, |t| {
        let mut p: Map<String, serde_json::Value> =
            serde_json::from_slice(&unb64(&t["protected"])).unwrap();
        f(&mut p);
        t["protected"] = b64(&serde_json::to_vec(&p).unwrap());
    })
}

fn jws_err(env: &[u8]) -> EnvelopeError {
    open(JOSE, env, &Limits::default()).unwrap_err()
}

fn crit_push(p: &mut Map<String, serde_json::Value>, name: &str) {
    p["crit"].as_array_mut().unwrap().push(json!(name));
}

#[test]
fn jws_real_envelope_opens() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    open(JOSE, &real_jws(&root), &Limits::default()).unwrap();
}

#[test]
fn jws_flipped_signature_byte_fails() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_top(&real_jws(&root), |t| {
        let mut s = unb64(&t["signature"]);
        s[10] ^= 1;
        t["signature"] = b64(&s);
    });
    assert!(matches!(jws_err(&env), EnvelopeError::SignatureInvalid(_)));
}

#[test]
fn jws_flipped_payload_byte_fails() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_top(&real_jws(&root), |t| {
        let p = String::from_utf8(unb64(&t["payload"])).unwrap();
        let forged = p.replacen("sha256:b", "sha256:c", 1);
        assert_ne!(p, forged);
        t["payload"] = b64(forged.as_bytes());
    });
    assert!(matches!(jws_err(&env), EnvelopeError::SignatureInvalid(_)));
}

#[test]
fn jws_forbidden_algorithms_are_rejected() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    for alg in ["none", "HS256", "RS256", "EdDSA", "ps256"] {
        let env = with_protected(&real_jws(&root), |p| {
            p.insert("alg".into(), json!(alg));
        });
        assert_eq!(
            jws_err(&env),
            EnvelopeError::UnsupportedAlgorithm(alg.into()),
            "{alg}"
        );
    }
    let env = with_protected(&real_jws(&root), |p| {
        p.remove("alg");
    });
    assert_eq!(jws_err(&env), EnvelopeError::MissingAlgorithm);
}

#[test]
fn jws_algorithm_must_match_the_key() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    for alg in ["ES256", "PS384"] {
        let env = with_protected(&real_jws(&root), |p| {
            p.insert("alg".into(), json!(alg));
        });
        let err = jws_err(&env);
        assert!(
            matches!(
                err,
                EnvelopeError::AlgorithmKeyMismatch {
                    from_key: "PS256",
                    ..
                }
            ),
            "{alg}: {err}"
        );
    }
}

#[test]
fn jws_crit_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_protected(&real_jws(&root), |p| {
        p.insert("crit".into(), json!(["some.other"]));
        p.insert("some.other".into(), json!("x"));
    });
    assert_eq!(
        jws_err(&env),
        EnvelopeError::RequiredHeadersNotCritical(vec!["io.cncf.notary.signingScheme".into()])
    );
    let env = with_protected(&real_jws(&root), |p| crit_push(p, "io.cncf.notary.absent"));
    assert_eq!(
        jws_err(&env).to_string(),
        "\"io.cncf.notary.absent\" header is marked critical but not present"
    );
    let env = with_protected(&real_jws(&root), |p| crit_push(p, "io.cncf.notary.expiry"));
    assert_eq!(
        jws_err(&env).to_string(),
        "\"io.cncf.notary.expiry\" header is marked critical but not present"
    );
    let env = with_protected(&real_jws(&root), |p| {
        p.remove("crit");
    });
    assert_eq!(jws_err(&env), EnvelopeError::MissingCrit);
    let env = with_protected(&real_jws(&root), |p| {
        p.insert("crit".into(), json!([]));
    });
    assert_eq!(jws_err(&env), EnvelopeError::MissingCrit);
    // Expiry present but not critical.
    let env = with_protected(&real_jws(&root), |p| {
        p.insert(
            "io.cncf.notary.expiry".into(),
            json!("2999-01-01T00:00:00Z"),
        );
    });
    assert_eq!(
        jws_err(&env),
        EnvelopeError::RequiredHeadersNotCritical(vec!["io.cncf.notary.expiry".into()])
    );
}

#[test]
fn jws_unknown_critical_header_is_rejected_but_parses_structurally() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_protected(&real_jws(&root), |p| {
        crit_push(p, "com.example.mustUnderstand");
        p.insert("com.example.mustUnderstand".into(), json!(true));
    });
    assert_eq!(
        parse_envelope(EnvelopeFormat::Jws, &env, &Limits::default()).unwrap_err(),
        EnvelopeError::UnknownCriticalHeader("com.example.mustUnderstand".into())
    );
    // notation-go's structural parse accepts it.
    let info = jws::parse(&env, &Limits::default()).unwrap();
    assert_eq!(info.extended_attributes[0].value, "true");
}

#[test]
fn jws_wrong_content_type_fails() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    for cty in [
        "application/json",
        "application/vnd.cncf.notary.payload.v1+JSON",
    ] {
        let env = with_protected(&real_jws(&root), |p| {
            p.insert("cty".into(), json!(cty));
        });
        assert_eq!(jws_err(&env), EnvelopeError::WrongContentType(cty.into()));
    }
}

#[test]
fn jws_time_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_protected(&real_jws(&root), |p| {
        p.insert(
            "io.cncf.notary.expiry".into(),
            json!("2000-01-01T00:00:00Z"),
        );
        crit_push(p, "io.cncf.notary.expiry");
    });
    assert_eq!(jws_err(&env), EnvelopeError::ExpiryNotAfterSigningTime);
    let env = with_protected(&real_jws(&root), |p| {
        p.insert("io.cncf.notary.signingTime".into(), json!("yesterday"));
    });
    assert!(matches!(jws_err(&env), EnvelopeError::BadTime { .. }));
    let env = with_protected(&real_jws(&root), |p| {
        p.remove("io.cncf.notary.signingTime");
    });
    assert!(matches!(
        jws_err(&env),
        EnvelopeError::SigningTimeNotPresent { .. }
    ));
}

#[test]
fn jws_signing_authority_with_signing_time_fails() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_protected(&real_jws(&root), |p| {
        p.insert(
            "io.cncf.notary.signingScheme".into(),
            json!("notary.x509.signingAuthority"),
        );
        p.insert(
            "io.cncf.notary.authenticSigningTime".into(),
            json!("2023-06-27T13:20:21+08:00"),
        );
        crit_push(p, "io.cncf.notary.authenticSigningTime");
    });
    assert_eq!(
        jws_err(&env).to_string(),
        "\"io.cncf.notary.signingTime\" header must not be present for notary.x509.signingAuthority signing scheme"
    );
    let env = with_protected(&real_jws(&root), |p| {
        p.insert(
            "io.cncf.notary.signingScheme".into(),
            json!("notary.x509.v2"),
        );
    });
    assert_eq!(
        jws_err(&env).to_string(),
        "unsupported SigningScheme: `notary.x509.v2`"
    );
}

#[test]
fn jws_certificate_chain_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_top(&real_jws(&root), |t| {
        t["header"]["x5c"] = json!([]);
    });
    assert_eq!(jws_err(&env), EnvelopeError::MissingCertificateChain);
    let env = with_top(&real_jws(&root), |t| {
        t["header"].as_object_mut().unwrap().remove("x5c");
    });
    assert_eq!(jws_err(&env), EnvelopeError::MissingCertificateChain);
    let env = with_top(&real_jws(&root), |t| {
        let leaf = t["header"]["x5c"][0].clone();
        t["header"]["x5c"] = serde_json::Value::Array(vec![leaf; 1000]);
    });
    assert_eq!(
        jws_err(&env),
        EnvelopeError::TooManyCertificates {
            count: 1000,
            limit: 32
        }
    );
    let env = with_top(&real_jws(&root), |t| {
        t["header"]["x5c"] = json!([STANDARD.encode(b"not a certificate")]);
    });
    assert!(matches!(
        jws_err(&env),
        EnvelopeError::MalformedCertificate { index: 0, .. }
    ));
    let env = with_top(&real_jws(&root), |t| {
        t["header"]["x5c"] = json!("MIIB");
    });
    assert!(matches!(jws_err(&env), EnvelopeError::WrongType { .. }));
}

#[test]
fn jws_base64_and_size_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = with_top(&real_jws(&root), |t| {
        t["payload"] = json!("***");
    });
    assert!(matches!(jws_err(&env), EnvelopeError::Base64 { .. }));
    let env = with_top(&real_jws(&root), |t| {
        t["signature"] = json!(format!("{}!", "A".repeat(8 << 20)));
    });
    assert!(matches!(jws_err(&env), EnvelopeError::Base64 { .. }));
    let env = with_top(&real_jws(&root), |t| {
        let s = t["signature"].as_str().unwrap().to_string();
        t["signature"] = json!(format!("{s}=="));
    });
    assert!(matches!(jws_err(&env), EnvelopeError::Base64 { .. }));
    let small = Limits {
        max_envelope_blob: 100,
        ..Limits::default()
    };
    assert!(matches!(
        open(JOSE, &real_jws(&root), &small),
        Err(EnvelopeError::TooLarge { .. })
    ));
    assert!(matches!(jws_err(b"[]"), EnvelopeError::Json { .. }));
    let env = with_top(&real_jws(&root), |t| {
        t.remove("signature");
    });
    assert_eq!(jws_err(&env), EnvelopeError::MissingMember("signature"));
}

// ---------------------------------------------------------------------------------------------
// COSE

struct Sign1 {
    tag: Option<u64>,
    protected: Vec<(Value, Value)>,
    unprotected: Vec<(Value, Value)>,
    payload: Value,
    signature: Value,
}

fn split(bytes: &[u8]) -> Sign1 {
    let v: Value = ciborium::from_reader(bytes).unwrap();
    let Value::Tag(18, inner) = v else { panic!() };
    let Value::Array(items) = *inner else {
        panic!()
    };
    let mut items = items.into_iter();
    let Value::Bytes(p) = items.next().unwrap() else {
        panic!()
    };
    let Value::Map(protected) = ciborium::from_reader(p.as_slice()).unwrap() else {
        panic!()
    };
    let Value::Map(unprotected) = items.next().unwrap() else {
        panic!()
    };
    Sign1 {
        tag: Some(18),
        protected,
        unprotected,
        payload: items.next().unwrap(),
        signature: items.next().unwrap(),
    }
}

fn join(s: Sign1) -> Vec<u8> {
    let mut p = Vec::new();
    ciborium::into_writer(&Value::Map(s.protected), &mut p).unwrap();
    let arr = Value::Array(vec![
        Value::Bytes(p),
        Value::Map(s.unprotected),
        s.payload,
        s.signature,
    ]);
    let v = match s.tag {
        Some(t) => Value::Tag(t, Box::new(arr)),
        None => arr,
    };
    let mut out = Vec::new();
    ciborium::into_writer(&v, &mut out).unwrap();
    out
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn int(i: i64) -> Value {
    Value::Integer(Integer::from(i))
}

fn set(map: &mut Vec<(Value, Value)>, k: Value, v: Value) {
    if let Some(e) = map.iter_mut().find(|(l, _)| *l == k) {
        e.1 = v;
    } else {
        map.push((k, v));
    }
}

fn cose_err(bytes: &[u8]) -> EnvelopeError {
    open(COSE, bytes, &Limits::default()).unwrap_err()
}

#[test]
fn cose_re_encoded_real_envelope_still_opens() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    // Re-encoding must keep the same protected bytes for the signature to hold: it does when the
    // original encoding is canonical, which go-cose's is.
    let real = real_cose(&root);
    open(COSE, &real, &Limits::default()).unwrap();
    open(COSE, &join(split(&real)), &Limits::default()).unwrap();
}

#[test]
fn cose_flipped_bytes_fail() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let mut s = split(&real_cose(&root));
    if let Value::Bytes(b) = &mut s.signature {
        b[5] ^= 1;
    }
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::SignatureInvalid(_)
    ));
    let mut s = split(&real_cose(&root));
    if let Value::Bytes(b) = &mut s.payload {
        b[20] ^= 1;
    }
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::SignatureInvalid(_)
    ));
}

#[test]
fn cose_tag_and_truncation_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let real = real_cose(&root);
    for len in [1, 2, 10, real.len() / 2, real.len() - 1] {
        assert!(
            matches!(cose_err(&real[..len]), EnvelopeError::Cose(_)),
            "{len}"
        );
    }
    assert_eq!(cose_err(&real[1..]), EnvelopeError::CoseNotTagged);
    let mut s = split(&real);
    s.tag = Some(17);
    assert_eq!(cose_err(&join(s)), EnvelopeError::CoseNotTagged);
    let mut trailing = real.clone();
    trailing.push(0);
    assert!(matches!(cose_err(&trailing), EnvelopeError::Cose(_)));
}

#[test]
fn cose_x5chain_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let leaf = {
        let s = split(&real_cose(&root));
        let (_, chain) = s
            .unprotected
            .iter()
            .find(|(l, _)| *l == int(33))
            .unwrap()
            .clone();
        let Value::Array(c) = chain else { panic!() };
        c[0].clone()
    };
    let mut s = split(&real_cose(&root));
    set(&mut s.unprotected, int(33), leaf.clone());
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::WrongType { .. }
    ));
    let mut s = split(&real_cose(&root));
    set(&mut s.unprotected, int(33), Value::Array(vec![]));
    assert_eq!(cose_err(&join(s)), EnvelopeError::MissingCertificateChain);
    let mut s = split(&real_cose(&root));
    set(&mut s.unprotected, int(33), Value::Array(vec![leaf; 1000]));
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::TooManyCertificates { count: 1000, .. }
    ));
}

#[test]
fn cose_header_rules() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    // Forbidden algorithms: HMAC 256/256 (5), RS256 (-257), EdDSA (-8).
    for alg in [5, -257, -8] {
        let mut s = split(&real_cose(&root));
        set(&mut s.protected, int(1), int(alg));
        assert!(
            matches!(cose_err(&join(s)), EnvelopeError::UnsupportedAlgorithm(_)),
            "{alg}"
        );
    }
    // A time with a tag other than 1.
    let mut s = split(&real_cose(&root));
    set(
        &mut s.protected,
        text("io.cncf.notary.signingTime"),
        Value::Tag(0, Box::new(text("2024-06-18T07:20:00Z"))),
    );
    assert!(matches!(cose_err(&join(s)), EnvelopeError::BadTime { .. }));
    // Content type must be the Notation payload, as tstr.
    let mut s = split(&real_cose(&root));
    set(&mut s.protected, int(3), text("application/json"));
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::WrongContentType(_)
    ));
    let mut s = split(&real_cose(&root));
    set(&mut s.protected, int(3), int(50));
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::WrongType { .. }
    ));
    // Unknown critical header.
    let mut s = split(&real_cose(&root));
    set(&mut s.protected, text("com.example.k"), text("v"));
    if let Some((_, Value::Array(c))) = s.protected.iter_mut().find(|(l, _)| *l == int(2)) {
        c.push(text("com.example.k"));
    }
    assert_eq!(
        cose_err(&join(s)),
        EnvelopeError::UnknownCriticalHeader("com.example.k".into())
    );
    // Stricter than Flux: the message says so.
    let shown = EnvelopeError::UnknownCriticalHeader("com.example.k".into()).to_string();
    assert!(shown.contains("Flux, accepts it"), "{shown}");
    // crit naming an absent label.
    let mut s = split(&real_cose(&root));
    if let Some((_, Value::Array(c))) = s.protected.iter_mut().find(|(l, _)| *l == int(2)) {
        c.push(text("com.example.absent"));
    }
    assert_eq!(
        cose_err(&join(s)),
        EnvelopeError::CritHeaderNotPresent("com.example.absent".into())
    );
    // Duplicate label.
    let mut s = split(&real_cose(&root));
    s.protected.push((int(1), int(-37)));
    assert!(matches!(cose_err(&join(s)), EnvelopeError::Cose(_)));
    // Detached payload.
    let mut s = split(&real_cose(&root));
    s.payload = Value::Null;
    assert_eq!(cose_err(&join(s)), EnvelopeError::DetachedPayload);
    // signingAuthority with signingTime.
    let mut s = split(&real_cose(&root));
    set(
        &mut s.protected,
        text("io.cncf.notary.signingScheme"),
        text("notary.x509.signingAuthority"),
    );
    set(
        &mut s.protected,
        text("io.cncf.notary.authenticSigningTime"),
        Value::Tag(1, Box::new(int(1_718_695_000))),
    );
    if let Some((_, Value::Array(c))) = s.protected.iter_mut().find(|(l, _)| *l == int(2)) {
        c.push(text("io.cncf.notary.authenticSigningTime"));
    }
    assert!(matches!(
        cose_err(&join(s)),
        EnvelopeError::HeaderNotAllowedForScheme { .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let limits = Limits::default();
        let _ = jws::parse(&bytes, &limits);
        let _ = cose::parse(&bytes, &limits);
        let _ = Payload::parse(&bytes);
        let _ = airgap_verify::envelope::unverified_summary(JOSE, &bytes, &limits);
        let _ = airgap_verify::envelope::unverified_summary(COSE, &bytes, &limits);
    }

    #[test]
    fn parsers_never_panic_on_tagged_cbor(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut b = vec![0xd2, 0x84];
        b.extend(bytes);
        let _ = cose::parse(&b, &Limits::default());
    }

    #[test]
    fn mutated_real_envelopes_never_panic(
        pos in any::<prop::sample::Index>(),
        val in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let Some(root) = airgap_verify_testkit::conformance() else {
            return Ok(());
        };
        for (mt, real) in [(JOSE, real_jws(&root)), (COSE, real_cose(&root))] {
            let mut m = real.clone();
            let i = pos.index(m.len());
            m[i] = val;
            let _ = open(mt, &m, &Limits::default());
            let _ = open(mt, &real[..cut.index(real.len())], &Limits::default());
        }
    }
}

//! The fixture signer writes notation's formats: byte-identical to envelopes made by notation
//! (except the signature value) and round-tripping through serde and coset for every key spec
//! and every rule-breaking option.
#![cfg(test)]

use airgap_verify::oci::digest::{Descriptor, Digest};
use airgap_verify::pki::cert::Cert;
use airgap_verify::pki::crypto::{KeySpec, PssSalt, PublicKey, SignatureAlgorithm};
use airgap_verify_testkit::pki::{self, Pki, PkiSpec};
use airgap_verify_testkit::sign::{
    self, AttributeValue, SignAttribute, SignError, SignKey, SignOptions, SignScheme, SignTimestamp,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ciborium::Value;
use coset::TaggedCborSerializable;
use time::macros::datetime;
use time::OffsetDateTime;

fn target() -> Descriptor {
    airgap_verify_testkit::manifest_descriptor(b"a manifest")
}

fn when() -> OffsetDateTime {
    datetime!(2025-03-04 05:06:07 UTC)
}

/// A parsed JWS envelope: protected header, payload, signing input, signature, header.
struct Jws {
    protected: serde_json::Map<String, serde_json::Value>,
    payload: serde_json::Value,
    input: Vec<u8>,
    signature: Vec<u8>,
    header: serde_json::Value,
}

fn parse_jws(bytes: &[u8]) -> Jws {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
    let p = v["protected"].as_str().unwrap();
    let pl = v["payload"].as_str().unwrap();
    Jws {
        protected: serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap(),
        payload: serde_json::from_slice(&URL_SAFE_NO_PAD.decode(pl).unwrap()).unwrap(),
        input: format!("{p}.{pl}").into_bytes(),
        signature: URL_SAFE_NO_PAD
            .decode(v["signature"].as_str().unwrap())
            .unwrap(),
        header: v["header"].clone(),
    }
}

fn protected_label<'a>(msg: &'a coset::CoseSign1, label: &str) -> Option<&'a Value> {
    msg.protected
        .header
        .rest
        .iter()
        .find(|(l, _)| *l == coset::Label::Text(label.into()))
        .map(|(_, v)| v)
}

fn unprotected_label(msg: &coset::CoseSign1, label: coset::Label) -> Option<&Value> {
    msg.unprotected
        .rest
        .iter()
        .find(|(l, _)| *l == label)
        .map(|(_, v)| v)
}

fn public(cert: &Cert) -> PublicKey {
    cert.public_key().unwrap()
}

#[test]
fn every_key_spec_signs_jws_and_cose_that_verify() {
    for spec in airgap_verify_testkit::ALL_KEY_SPECS {
        let pki = Pki::from_spec(PkiSpec::with_keys("Round Trip", KeySpec::EcP256, spec));
        let chain = pki.chain();
        let alg = spec.signature_algorithm();
        let opts = SignOptions::new(when());

        let jws = parse_jws(&sign::sign_jws(&opts, &target(), &chain, &pki.leaf.key).unwrap());
        assert_eq!(jws.protected["alg"], alg.jws_name());
        public(&chain[0])
            .verify(
                alg.envelope_verification(PssSalt::HashLength),
                &jws.input,
                &jws.signature,
            )
            .unwrap_or_else(|e| panic!("{spec:?} JWS: {e}"));
        let x5c: Vec<Vec<u8>> = jws.header["x5c"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| STANDARD.decode(c.as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(
            x5c,
            chain.iter().map(|c| c.der().to_vec()).collect::<Vec<_>>()
        );

        let cose = sign::sign_cose(&opts, &target(), &chain, &pki.leaf.key).unwrap();
        let msg = coset::CoseSign1::from_tagged_slice(&cose).unwrap();
        let coset::RegisteredLabelWithPrivate::Assigned(cose_alg) =
            msg.protected.header.alg.clone().unwrap()
        else {
            panic!("alg")
        };
        assert_eq!(cose_alg as i64, alg.cose_id());
        public(&chain[0])
            .verify(
                alg.envelope_verification(PssSalt::HashLength),
                &msg.tbs_data(b""),
                &msg.signature,
            )
            .unwrap_or_else(|e| panic!("{spec:?} COSE: {e}"));
        let raw_len = match spec {
            KeySpec::EcP256 => Some(64),
            KeySpec::EcP384 => Some(96),
            KeySpec::EcP521 => Some(132),
            _ => None,
        };
        if let Some(len) = raw_len {
            assert_eq!(msg.signature.len(), len, "{spec:?}: raw r||s");
            assert_eq!(jws.signature.len(), len, "{spec:?}: raw r||s");
        }
    }
}

#[test]
fn payload_is_the_target_artifact_with_user_annotations() {
    let pki = Pki::new("Payload");
    let mut opts = SignOptions::new(when());
    opts.target_annotations
        .insert("purpose".into(), "test".into());
    let jws = parse_jws(&sign::sign_jws(&opts, &target(), &pki.chain(), &pki.leaf.key).unwrap());
    let t = &jws.payload["targetArtifact"];
    assert_eq!(t["digest"], target().digest.to_string());
    assert_eq!(t["mediaType"], target().media_type);
    assert_eq!(t["size"], 10);
    assert_eq!(t["annotations"]["purpose"], "test");
    let cose = sign::sign_cose(&opts, &target(), &pki.chain(), &pki.leaf.key).unwrap();
    let msg = coset::CoseSign1::from_tagged_slice(&cose).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(msg.payload.as_ref().unwrap()).unwrap();
    assert_eq!(payload["targetArtifact"], *t);
    assert_eq!(
        msg.protected.header.content_type,
        Some(coset::ContentType::Text(sign::PAYLOAD_CONTENT_TYPE.into()))
    );
}

#[test]
fn options_break_rules_on_purpose() {
    let pki = Pki::new("Options");
    let chain = pki.chain();
    let key = &pki.leaf.key;
    let mut opts = SignOptions::new(when());
    opts.expiry = Some(when() + time::Duration::hours(1));
    opts.content_type = "application/json".into();
    opts.jws_alg = Some("none".into());
    opts.cose_alg = Some(-257); // RS256: PKCS#1 v1.5, not allowed by Notation
    opts.extended_attributes.push(SignAttribute {
        key: "io.example.unknown".into(),
        value: AttributeValue::Text("x".into()),
        critical: true,
    });
    opts.extra_crit.push("io.example.absent".into());
    opts.plugin = Some("io.example.plugin".into());
    opts.plugin_min_version = Some("1.0.0".into());
    opts.scheme = SignScheme::X509SigningAuthority;
    opts.signing_agent = None;
    opts.timestamp = SignTimestamp::Token(b"not a token".to_vec());
    let jws = parse_jws(&sign::sign_jws(&opts, &target(), &chain, key).unwrap());
    let p = &jws.protected;
    assert_eq!(p["alg"], "none");
    assert_eq!(p["cty"], "application/json");
    assert_eq!(
        p["io.cncf.notary.signingScheme"],
        "notary.x509.signingAuthority"
    );
    assert_eq!(
        p["io.cncf.notary.authenticSigningTime"],
        "2025-03-04T05:06:07Z"
    );
    assert!(p.get("io.cncf.notary.signingTime").is_none());
    assert_eq!(p["io.cncf.notary.expiry"], "2025-03-04T06:06:07Z");
    assert_eq!(p["io.example.unknown"], "x");
    assert_eq!(p["io.cncf.notary.verificationPlugin"], "io.example.plugin");
    assert_eq!(
        p["crit"],
        serde_json::json!([
            "io.cncf.notary.signingScheme",
            "io.example.unknown",
            "io.cncf.notary.verificationPlugin",
            "io.cncf.notary.verificationPluginMinVersion",
            "io.cncf.notary.authenticSigningTime",
            "io.cncf.notary.expiry",
            "io.example.absent"
        ])
    );
    assert!(jws.header.get("io.cncf.notary.signingAgent").is_none());
    assert_eq!(
        STANDARD
            .decode(
                jws.header["io.cncf.notary.timestampSignature"]
                    .as_str()
                    .unwrap()
            )
            .unwrap(),
        b"not a token"
    );

    let cose = sign::sign_cose(&opts, &target(), &chain, key).unwrap();
    let msg = coset::CoseSign1::from_tagged_slice(&cose).unwrap();
    assert_eq!(
        msg.protected.header.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            coset::iana::Algorithm::RS256
        ))
    );
    assert_eq!(msg.protected.header.crit.len(), 7);
    assert_eq!(
        protected_label(&msg, "io.cncf.notary.expiry"),
        Some(&Value::Tag(
            1,
            Box::new(Value::Integer((when().unix_timestamp() + 3600).into()))
        ))
    );
    assert_eq!(
        unprotected_label(
            &msg,
            coset::Label::Text("io.cncf.notary.timestampSignature".into())
        ),
        Some(&Value::Bytes(b"not a token".to_vec()))
    );

    let mut bare = SignOptions::new(when());
    bare.omit_crit = true;
    bare.signing_time = None;
    let jws = parse_jws(&sign::sign_jws(&bare, &target(), &chain, key).unwrap());
    assert!(jws.protected.get("crit").is_none());
    assert!(jws.protected.get("io.cncf.notary.signingTime").is_none());
    let msg = coset::CoseSign1::from_tagged_slice(
        &sign::sign_cose(&bare, &target(), &chain, key).unwrap(),
    )
    .unwrap();
    assert!(msg.protected.header.crit.is_empty());
    assert!(protected_label(&msg, "io.cncf.notary.signingTime").is_none());
}

#[test]
fn pss_salt_length_can_differ_from_the_hash_length() {
    let leaf = pki::self_signed_leaf("Salt", KeySpec::Rsa2048);
    let mut opts = SignOptions::new(when());
    opts.pss_salt_len = Some(20);
    let chain = [leaf.cert.clone()];
    let cose = sign::sign_cose(&opts, &target(), &chain, &leaf.key).unwrap();
    let msg = coset::CoseSign1::from_tagged_slice(&cose).unwrap();
    let key = public(&leaf.cert);
    let tbs = msg.tbs_data(b"");
    let alg = SignatureAlgorithm::PS256;
    assert!(key
        .verify(
            alg.envelope_verification(PssSalt::HashLength),
            &tbs,
            &msg.signature
        )
        .is_err());
    key.verify(
        alg.envelope_verification(PssSalt::Any),
        &tbs,
        &msg.signature,
    )
    .unwrap();
}

#[test]
fn unsupported_keys_and_empty_chains_are_refused() {
    let small = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    let key = SignKey::Rsa(Box::new(small));
    let pki = Pki::new("Refused");
    let opts = SignOptions::new(when());
    assert!(matches!(
        sign::sign_jws(&opts, &target(), &pki.chain(), &key),
        Err(SignError::UnsupportedKey(_))
    ));
    assert_eq!(
        sign::sign_cose(&opts, &target(), &[], &pki.leaf.key),
        Err(SignError::EmptyChain)
    );
}

/// The certificates of a notation JWS envelope's x5c.
fn x5c(header: &serde_json::Value) -> Vec<Cert> {
    header["x5c"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Cert::from_der(&STANDARD.decode(c.as_str().unwrap()).unwrap()).unwrap())
        .collect()
}

fn descriptor_of(payload: &serde_json::Value) -> Descriptor {
    let t = &payload["targetArtifact"];
    Descriptor {
        media_type: t["mediaType"].as_str().unwrap().into(),
        digest: Digest::parse(t["digest"].as_str().unwrap()).unwrap(),
        size: t["size"].as_u64().unwrap(),
    }
}

/// Options that reproduce a notation envelope's attributes.
fn notation_options(signing_time: &str, token: Option<Vec<u8>>) -> SignOptions {
    let t = OffsetDateTime::parse(signing_time, &time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut opts = SignOptions::new(t);
    opts.signing_agent = Some("Notation/1.0.0".into());
    if let Some(token) = token {
        opts.timestamp = SignTimestamp::Token(token);
    }
    opts
}

#[test]
fn jws_is_byte_identical_to_notation_except_the_signature() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let key = pki::key(KeySpec::Rsa2048);
    for path in [
        "notation/oci_layout/e2e-valid-signature/blobs/sha256/c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50",
        "notation-go/verifier/testdata/timestamp/sigEnv/jwsWithTimestamp.sig",
    ] {
        let theirs = std::fs::read(dir.join(path)).unwrap();
        let parsed = parse_jws(&theirs);
        let token = parsed.header["io.cncf.notary.timestampSignature"]
            .as_str()
            .map(|t| STANDARD.decode(t).unwrap());
        let opts = notation_options(
            parsed.protected["io.cncf.notary.signingTime"].as_str().unwrap(),
            token,
        );
        let ours = sign::sign_jws(&opts, &descriptor_of(&parsed.payload), &x5c(&parsed.header), &key)
            .unwrap();
        let strip = |bytes: &[u8]| {
            let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            v["signature"] = serde_json::Value::Null;
            serde_json::to_string(&v).unwrap()
        };
        assert_eq!(strip(&ours), strip(&theirs), "{path}");
        // And the raw bytes: same text up to the signature value.
        let cut = |b: &[u8]| {
            let s = String::from_utf8(b.to_vec()).unwrap();
            s[..s.find("\"signature\":").unwrap()].to_string()
        };
        assert_eq!(cut(&ours), cut(&theirs), "{path}");
    }
}

#[test]
fn cose_is_byte_identical_to_notation_except_the_signature() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let key = pki::key(KeySpec::Rsa2048);
    let path = "notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig";
    let theirs = std::fs::read(dir.join(path)).unwrap();
    let msg = coset::CoseSign1::from_tagged_slice(&theirs).unwrap();
    let Some(Value::Array(certs)) = unprotected_label(&msg, coset::Label::Int(33)) else {
        panic!("x5chain")
    };
    let chain: Vec<Cert> = certs
        .iter()
        .map(|c| Cert::from_der(c.as_bytes().unwrap()).unwrap())
        .collect();
    let Some(Value::Tag(1, secs)) = protected_label(&msg, "io.cncf.notary.signingTime") else {
        panic!("signing time")
    };
    let secs: i128 = secs.as_integer().unwrap().into();
    let Some(Value::Bytes(token)) = unprotected_label(
        &msg,
        coset::Label::Text("io.cncf.notary.timestampSignature".into()),
    ) else {
        panic!("token")
    };
    let payload: serde_json::Value = serde_json::from_slice(msg.payload.as_ref().unwrap()).unwrap();
    let mut opts = notation_options("2000-01-01T00:00:00Z", Some(token.clone()));
    opts.signing_time = Some(OffsetDateTime::from_unix_timestamp(secs as i64).unwrap());
    let ours = sign::sign_cose(&opts, &descriptor_of(&payload), &chain, &key).unwrap();
    assert_eq!(ours.len(), theirs.len());
    let sig_len = msg.signature.len();
    assert_eq!(
        ours[..ours.len() - sig_len],
        theirs[..theirs.len() - sig_len]
    );
}

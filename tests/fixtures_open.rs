//! Round trip through the crate's own envelope parser: what the fixture signer writes,
//! `envelope::open` accepts with the same content, and each option that breaks a rule gives the
//! error that rule names (NOTATION.md §3-§4).
#![cfg(test)]

use airgap_verify::envelope::{self, EnvelopeError, EnvelopeFormat, SignerInfo};
use airgap_verify::limits::Limits;
use airgap_verify::oci::digest::Descriptor;
use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::layout::Envelope;
use airgap_verify_testkit::pki::{Pki, PkiSpec};
use airgap_verify_testkit::sign::{
    self, AttributeValue, SignAttribute, SignOptions, SignScheme, SignTimestamp,
};
use time::macros::datetime;
use time::OffsetDateTime;

const FORMATS: [Envelope; 2] = [Envelope::Jws, Envelope::Cose];

fn target() -> Descriptor {
    airgap_verify_testkit::manifest_descriptor(b"round trip")
}

fn when() -> OffsetDateTime {
    datetime!(2025-05-06 07:08:09 UTC)
}

fn seal(kind: Envelope, opts: &SignOptions, pki: &Pki) -> Vec<u8> {
    match kind {
        Envelope::Jws => sign::sign_jws(opts, &target(), &pki.chain(), &pki.leaf.key),
        Envelope::Cose => sign::sign_cose(opts, &target(), &pki.chain(), &pki.leaf.key),
    }
    .unwrap()
}

fn open(kind: Envelope, bytes: &[u8]) -> Result<SignerInfo, EnvelopeError> {
    envelope::open(kind.media_type(), bytes, &Limits::default())
}

/// Sign with options changed by `change` and open the result in both formats.
fn both(pki: &Pki, change: impl Fn(&mut SignOptions)) -> [Result<SignerInfo, EnvelopeError>; 2] {
    let mut opts = SignOptions::new(when());
    change(&mut opts);
    FORMATS.map(|kind| open(kind, &seal(kind, &opts, pki)))
}

#[test]
fn every_key_spec_opens_with_the_signed_content() {
    for spec in airgap_verify_testkit::ALL_KEY_SPECS {
        let pki = Pki::from_spec(PkiSpec::with_keys("Open", KeySpec::EcP256, spec));
        let mut opts = SignOptions::new(when());
        opts.expiry = Some(when() + time::Duration::days(30));
        for kind in FORMATS {
            let info = open(kind, &seal(kind, &opts, &pki))
                .unwrap_or_else(|e| panic!("{spec:?} {kind:?}: {e}"));
            let format = match kind {
                Envelope::Jws => EnvelopeFormat::Jws,
                Envelope::Cose => EnvelopeFormat::Cose,
            };
            assert_eq!(info.format, format);
            assert_eq!(info.algorithm, spec.signature_algorithm());
            assert_eq!(info.signing_scheme, envelope::SigningScheme::X509);
            assert_eq!(info.signing_time, Some(when()));
            assert_eq!(info.expiry, opts.expiry);
            assert_eq!(info.certificate_chain, pki.chain());
            assert_eq!(
                info.signing_agent.as_deref(),
                Some(sign::DEFAULT_SIGNING_AGENT)
            );
            assert_eq!(info.timestamp_token, None);
            let payload: serde_json::Value = serde_json::from_slice(&info.payload).unwrap();
            assert_eq!(
                payload["targetArtifact"]["digest"],
                target().digest.to_string()
            );
        }
    }
}

#[test]
fn signing_authority_timestamp_and_attributes_are_carried() {
    let pki = Pki::new("Carried");
    for info in both(&pki, |o| {
        o.scheme = SignScheme::X509SigningAuthority;
        o.timestamp = SignTimestamp::Token(b"token".to_vec());
        o.extended_attributes.push(SignAttribute {
            key: "io.example.note".into(),
            value: AttributeValue::Text("hello".into()),
            critical: false,
        });
    }) {
        let info = info.unwrap();
        assert_eq!(
            info.signing_scheme,
            envelope::SigningScheme::X509SigningAuthority
        );
        assert_eq!(info.authentic_signing_time, Some(when()));
        assert_eq!(info.signing_time, None);
        assert_eq!(info.timestamp_token.as_deref(), Some(&b"token"[..]));
        assert!(info
            .extended_attributes
            .iter()
            .any(|a| a.name == "io.example.note" && !a.critical));
    }
}

#[test]
fn each_broken_rule_gives_its_error() {
    let pki = Pki::new("Broken Rules");
    let check =
        |what: &str, change: &dyn Fn(&mut SignOptions), expect: &dyn Fn(&EnvelopeError) -> bool| {
            for (kind, result) in FORMATS.iter().zip(both(&pki, change)) {
                match result {
                    Err(e) if expect(&e) => {}
                    other => panic!("{what} ({kind:?}): unexpected {other:?}"),
                }
            }
        };
    check(
        "wrong content type",
        &|o| o.content_type = "application/json".into(),
        &|e| matches!(e, EnvelopeError::WrongContentType(_)),
    );
    check("no crit", &|o| o.omit_crit = true, &|e| {
        matches!(e, EnvelopeError::MissingCrit)
    });
    check(
        "crit names an absent header",
        &|o| o.extra_crit.push("io.example.absent".into()),
        &|e| matches!(e, EnvelopeError::CritHeaderNotPresent(_)),
    );
    check(
        "unknown critical attribute",
        &|o| {
            o.extended_attributes.push(SignAttribute {
                key: "io.example.critical".into(),
                value: AttributeValue::Int(1),
                critical: true,
            })
        },
        &|e| matches!(e, EnvelopeError::UnknownCriticalHeader(_)),
    );
    check(
        "unknown signing scheme",
        &|o| o.scheme = SignScheme::Other("notary.x509.other".into()),
        &|e| matches!(e, EnvelopeError::UnsupportedSigningScheme(_)),
    );
    check("no signing time", &|o| o.signing_time = None, &|e| {
        matches!(e, EnvelopeError::SigningTimeNotPresent { .. })
    });
    check(
        "expiry before signing time",
        &|o| o.expiry = Some(when() - time::Duration::hours(1)),
        &|e| matches!(e, EnvelopeError::ExpiryNotAfterSigningTime),
    );
    check(
        "algorithm of another key",
        &|o| {
            o.jws_alg = Some("ES384".into());
            o.cose_alg = Some(-35);
        },
        &|e| matches!(e, EnvelopeError::AlgorithmKeyMismatch { .. }),
    );
    check(
        "algorithm Notation forbids",
        &|o| {
            o.jws_alg = Some("HS256".into());
            o.cose_alg = Some(-257);
        },
        &|e| matches!(e, EnvelopeError::UnsupportedAlgorithm(_)),
    );
}

#[test]
fn pss_salt_rule_differs_between_jws_and_cose() {
    let pki = Pki::from_spec(PkiSpec::with_keys(
        "Salt",
        KeySpec::EcP256,
        KeySpec::Rsa2048,
    ));
    let [jws, cose] = both(&pki, |o| o.pss_salt_len = Some(20));
    jws.unwrap();
    assert!(
        matches!(cose, Err(EnvelopeError::SignatureInvalid(_))),
        "{cose:?}"
    );
}

#[test]
fn a_jws_payload_must_be_an_object() {
    let pki = Pki::new("Payload");
    let mut opts = SignOptions::new(when());
    opts.payload_override = Some(b"[1]".to_vec());
    let err = open(Envelope::Jws, &seal(Envelope::Jws, &opts, &pki)).unwrap_err();
    assert!(
        matches!(err, EnvelopeError::PayloadNotJsonObject(_)),
        "{err:?}"
    );
}

#[test]
fn a_changed_byte_breaks_the_signature() {
    let pki = Pki::new("Tamper");
    let opts = SignOptions::new(when());
    let mut cose = seal(Envelope::Cose, &opts, &pki);
    let last = cose.len() - 1;
    cose[last] ^= 1;
    let err = open(Envelope::Cose, &cose).unwrap_err();
    assert!(matches!(err, EnvelopeError::SignatureInvalid(_)), "{err:?}");
}

#[test]
fn committed_fixture_envelopes_open() {
    let layout = airgap_verify_testkit::fixtures_dir().join("signed");
    let mut opened = 0;
    for entry in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Ok(m) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        let Some(layer) = m["layers"].get(0).filter(|_| !m["subject"].is_null()) else {
            continue;
        };
        let digest =
            airgap_verify::oci::digest::Digest::parse(layer["digest"].as_str().unwrap()).unwrap();
        let env = std::fs::read(layout.join(digest.blob_path())).unwrap();
        let info = envelope::open(
            layer["mediaType"].as_str().unwrap(),
            &env,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(info.signing_time, Some(datetime!(2025-01-01 00:00:00 UTC)));
        opened += 1;
    }
    assert_eq!(opened, 2);
}

//! RFC 3161 timestamp tokens made by the Notary Project's tools: tspclient-go's vectors over the
//! bytes `notation`, notation-go's countersignatures, and the tokens inside notation-go's
//! timestamped JWS and COSE envelopes.
#![cfg(test)]

use std::path::{Path, PathBuf};

use airgap_verify::limits::Limits;
use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::timestamp::{
    parse_timestamp_unverified, verify_timestamp, Timestamp, TimestampError,
};
use base64::Engine;
use time::macros::datetime;

fn roots(path: &Path) -> Vec<Cert> {
    parse_certificates(&std::fs::read(path).unwrap(), 32).unwrap()
}

fn tsp(dir: &Path) -> PathBuf {
    dir.join("tspclient-go/testdata")
}

fn verify_file(path: &Path, message: &[u8], roots: &[Cert]) -> Result<Timestamp, TimestampError> {
    verify_timestamp(
        &std::fs::read(path).unwrap(),
        message,
        roots,
        &Limits::default(),
    )
}

#[test]
fn tspclient_golden_token_verifies_over_notation() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let roots = roots(&tsp(&dir).join("GlobalSignRootCA.crt"));
    for name in [
        "TimeStampToken.p7s",
        "TimeStampTokenWithValidAndInvalidSignerInfos.p7s",
    ] {
        let ts = verify_file(&tsp(&dir).join(name), b"notation", &roots)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ts.gen_time, datetime!(2021-09-17 14:09:10 UTC), "{name}");
        assert_eq!(ts.accuracy, time::Duration::seconds(1), "{name}");
        assert!(ts.tsa_subject.contains("GlobalSign"), "{}", ts.tsa_subject);
        assert!(ts.tsa_chain.len() >= 2);
        assert_eq!(ts.earliest(), datetime!(2021-09-17 14:09:09 UTC));
        assert_eq!(ts.latest(), datetime!(2021-09-17 14:09:11 UTC));
    }
    let summary =
        parse_timestamp_unverified(&std::fs::read(tsp(&dir).join("TimeStampToken.p7s")).unwrap())
            .unwrap();
    assert_eq!(summary.gen_time, datetime!(2021-09-17 14:09:10 UTC));
    assert!(summary.tsa_subject.unwrap().contains("GlobalSign"));
}

#[test]
fn golden_token_over_other_bytes_or_without_trust_fails() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let token = tsp(&dir).join("TimeStampToken.p7s");
    let roots = roots(&tsp(&dir).join("GlobalSignRootCA.crt"));
    assert_eq!(
        verify_file(&token, b"invalid", &roots),
        Err(TimestampError::MismatchedMessage("SHA-256"))
    );
    assert_eq!(
        verify_file(&token, b"notation", &[]),
        Err(TimestampError::NoTrustedTsaCertificate)
    );
    // A trust store holding an unrelated root: untrusted TSA.
    let other = roots_of(&dir, "notation/config/crl/root.crt");
    assert!(matches!(
        verify_file(&token, b"notation", &other),
        Err(TimestampError::UntrustedTsa { .. })
    ));
}

fn roots_of(dir: &Path, rel: &str) -> Vec<Cert> {
    roots(&dir.join(rel))
}

#[test]
fn every_failing_tspclient_token_is_rejected_with_its_reason() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let roots = roots(&tsp(&dir).join("GlobalSignRootCA.crt"));
    type Check = fn(&TimestampError) -> bool;
    let cases: &[(&str, Check)] = &[
        ("TimeStampTokenWithoutCertificate.p7s", |e| {
            matches!(e, TimestampError::SigningCertificateNotFound)
        }),
        ("TimeStampTokenWithInvalidSignature.p7s", |e| {
            matches!(e, TimestampError::BadSignature(..))
        }),
        ("TimeStampTokenWithInvalideContentType.p7s", |e| {
            matches!(e, TimestampError::NotTstInfo(_))
        }),
        ("TimeStampTokenWithInvalidTSTInfo.p7s", |e| {
            matches!(e, TimestampError::MalformedTstInfo(_))
        }),
        ("TimeStampTokenWithoutSigningCertificate.p7s", |e| {
            matches!(
                e,
                TimestampError::SigningCertificateV2Missing { v1_only: false }
            )
        }),
        ("TimeStampTokenWithSHA1CertHash.p7s", |e| {
            matches!(e, TimestampError::UnsupportedCertHash(_))
        }),
        ("TimeStampTokenWithMismatchCertHash.p7s", |e| {
            matches!(e, TimestampError::CertHashMismatch)
        }),
        ("TimeStampTokenWithInvalidSigningCertificateV2.p7s", |e| {
            matches!(e, TimestampError::MalformedSigningCertificateV2(_))
        }),
        ("TimeStampTokenWithSigningCertificateV2NoCert.p7s", |e| {
            matches!(e, TimestampError::SigningCertificateV2Empty)
        }),
        (
            "TimeStampTokenWithWrongSigningCertificateV2IssuerChoiceTag.p7s",
            |e| matches!(e, TimestampError::IssuerNameMissing),
        ),
        ("TimeStampTokenWithTSTInfoVersion2.p7s", |e| {
            matches!(e, TimestampError::UnsupportedTstInfoVersion(2))
        }),
        ("SHA1TimeStampToken.p7s", |e| {
            matches!(e, TimestampError::UnsupportedImprintHash(_))
        }),
    ];
    for (name, check) in cases {
        let err = verify_file(&tsp(&dir).join(name), b"notation", &roots).expect_err(name);
        assert!(check(&err), "{name}: unexpected error {err:?} ({err})");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn every_tspclient_cms_vector_but_the_good_ones_is_rejected() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let cms_dir = dir.join("tspclient-go/internal/cms/testdata");
    let roots = roots(&cms_dir.join("GlobalSignRootCA.crt"));
    for entry in std::fs::read_dir(&cms_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".p7s") {
            continue;
        }
        let token = std::fs::read(&path).unwrap();
        // These CMS vectors do not timestamp `notation`; the imprint check runs first, so
        // pass the bytes the imprint names to reach the CMS checks.
        let result = verify_timestamp(&token, b"notation", &roots, &Limits::default());
        let good = [
            "TimeStampToken.p7s",
            "TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s",
            "TimeStampTokenWithSigningTime.p7s",
            // The token is located through signing-certificate-v2's IssuerSerial, which is
            // right; only the SignerInfo sid names an unknown issuer (a CMS-level vector).
            "TimeStampTokenWithUnknownSignerIssuer.p7s",
        ];
        if !good.contains(&name.as_str()) {
            assert!(result.is_err(), "{name} should be rejected");
        }
        // Never a panic, whatever the file: also the unverified parse.
        let _ = parse_timestamp_unverified(&token);
    }
}

#[test]
fn notation_go_countersignatures() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let cs = dir.join("notation-go/verifier/testdata/timestamp/countersignature");
    let roots = roots(&tsp(&dir).join("GlobalSignRootCA.crt"));
    assert!(verify_file(&cs.join("TimeStampToken.p7s"), b"notation", &roots).is_ok());
    assert!(matches!(
        verify_file(&cs.join("TimeStampToken.p7s"), b"other message", &roots),
        Err(TimestampError::MismatchedMessage(_))
    ));
    assert!(matches!(
        verify_file(
            &cs.join("TimeStampTokenWithInvalideContentType.p7s"),
            b"notation",
            &roots
        ),
        Err(TimestampError::NotTstInfo(_))
    ));
    assert!(matches!(
        verify_file(
            &cs.join("TimeStampTokenWithInvalidTSTInfo.p7s"),
            b"notation",
            &roots
        ),
        Err(TimestampError::MalformedTstInfo(_))
    ));
    assert!(matches!(
        verify_file(
            &cs.join("TimeStampTokenWithoutCertificate.p7s"),
            b"notation",
            &roots
        ),
        Err(TimestampError::SigningCertificateNotFound)
    ));
}

/// The timestamp token and the signature bytes of a JWS (JSON) or COSE (CBOR) envelope.
fn token_and_signature(path: &Path) -> Option<(Vec<u8>, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    if bytes.first() == Some(&b'{') {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let token = v["header"]["io.cncf.notary.timestampSignature"].as_str()?;
        let token = base64::engine::general_purpose::STANDARD
            .decode(token)
            .unwrap();
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(v["signature"].as_str().unwrap())
            .unwrap();
        return Some((token, sig));
    }
    let value: ciborium::Value = ciborium::from_reader(bytes.as_slice()).unwrap();
    let ciborium::Value::Tag(18, inner) = value else {
        panic!("not COSE_Sign1");
    };
    let ciborium::Value::Array(parts) = *inner else {
        panic!("COSE_Sign1 is not an array");
    };
    let ciborium::Value::Map(unprotected) = &parts[1] else {
        panic!("no unprotected map");
    };
    let token = unprotected.iter().find_map(|(k, v)| match (k, v) {
        (ciborium::Value::Text(k), ciborium::Value::Bytes(b))
            if k == "io.cncf.notary.timestampSignature" =>
        {
            Some(b.clone())
        }
        _ => None,
    })?;
    let ciborium::Value::Bytes(sig) = &parts[3] else {
        panic!("signature is not a bstr");
    };
    Some((token, sig.clone()))
}

#[test]
fn tokens_inside_notation_go_envelopes_verify_over_their_signatures() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let env = dir.join("notation-go/verifier/testdata/timestamp/sigEnv");
    let roots = roots(&dir.join("notation/config/timestamp/globalsignTSARoot.cer"));
    for name in [
        "jwsWithTimestamp.sig",
        "coseWithTimestamp.sig",
        "jwsExpiredWithTimestamp.sig",
        "coseExpiredWithTimestamp.sig",
        "timestampBeforeNotBefore.sig",
        "timestampAfterNotAfter.sig",
    ] {
        let (token, sig) = token_and_signature(&env.join(name)).expect(name);
        let ts = verify_timestamp(&token, &sig, &roots, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            ts.tsa_subject.contains("GlobalSign"),
            "{name}: {}",
            ts.tsa_subject
        );
        // Over other bytes (the whole envelope), the imprint does not match.
        let whole = std::fs::read(env.join(name)).unwrap();
        assert!(matches!(
            verify_timestamp(&token, &whole, &roots, &Limits::default()),
            Err(TimestampError::MismatchedMessage(_))
        ));
    }
    assert!(token_and_signature(&env.join("withoutTimestamp.sig")).is_none());
}

#[test]
fn corrupt_tokens_fail_cleanly() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let roots = roots(&tsp(&dir).join("GlobalSignRootCA.crt"));
    let good = std::fs::read(tsp(&dir).join("TimeStampToken.p7s")).unwrap();
    // Truncations and single-byte flips: always an error, never a panic.
    for cut in (0..good.len()).step_by(97) {
        assert!(verify_timestamp(&good[..cut], b"notation", &roots, &Limits::default()).is_err());
        let _ = parse_timestamp_unverified(&good[..cut]);
    }
    for i in (0..good.len()).step_by(211) {
        let mut bad = good.clone();
        bad[i] ^= 0x55;
        let _ = verify_timestamp(&bad, b"notation", &roots, &Limits::default());
        let _ = parse_timestamp_unverified(&bad);
    }
    assert!(matches!(
        verify_timestamp(b"not a token", b"notation", &roots, &Limits::default()),
        Err(TimestampError::Malformed(_))
    ));
}

#[test]
fn any_trusted_certificate_anchors_the_tsa_path_then_the_chain_rules_apply() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let token = std::fs::read(tsp(&dir).join("TimeStampToken.p7s")).unwrap();
    let roots = roots(&tsp(&dir).join("GlobalSignRootCA.crt"));
    let ts = verify_timestamp(&token, b"notation", &roots, &Limits::default()).unwrap();
    // Flux semantics: trusting only the TSA leaf still builds a path (the leaf is trusted),
    // and a longer chain through it to the root carried in the token satisfies §6.2 when the
    // token carries the root; otherwise the §6.2 rules reject the one-certificate chain.
    let leaf_only = vec![ts.tsa_chain[0].clone()];
    match verify_timestamp(&token, b"notation", &leaf_only, &Limits::default()) {
        Ok(t) => assert!(t.tsa_chain.last().unwrap().is_self_signed()),
        Err(e) => assert!(matches!(e, TimestampError::TsaChainRules(_)), "{e}"),
    }
}

//! Envelopes made by the Notary Project's own tools (../shared/conformance, CASES.md §2 and the
//! signed e2e layouts) parse and verify as notation would.
#![cfg(test)]

use std::fs;
use std::path::{Path, PathBuf};

use airgap_verify::envelope::{
    self, cose, jws, open, parse_envelope, EnvelopeError, EnvelopeFormat, Payload, SigningScheme,
};
use airgap_verify::limits::Limits;
use airgap_verify::pki::crypto::SignatureAlgorithm;
use time::OffsetDateTime;

fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn format_of(bytes: &[u8]) -> EnvelopeFormat {
    if bytes.first() == Some(&b'{') {
        EnvelopeFormat::Jws
    } else {
        EnvelopeFormat::Cose
    }
}

/// Every (layout, layer media type, layer bytes) of a Notation signature manifest in the e2e
/// layouts.
fn e2e_signature_layers(root: &Path) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut layouts: Vec<PathBuf> = fs::read_dir(root.join("notation/oci_layout"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    layouts.sort();
    for layout in layouts {
        let blobs = layout.join("blobs/sha256");
        let Ok(entries) = fs::read_dir(&blobs) else {
            continue;
        };
        for entry in entries {
            let bytes = read(&entry.unwrap().path());
            let Ok(m) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                continue;
            };
            let is_sig = m["artifactType"] == "application/vnd.cncf.notary.signature"
                || m["config"]["mediaType"] == "application/vnd.cncf.notary.signature";
            if !is_sig {
                continue;
            }
            for layer in m["layers"].as_array().unwrap() {
                let mt = layer["mediaType"].as_str().unwrap().to_string();
                let digest = layer["digest"].as_str().unwrap();
                let hex = digest.strip_prefix("sha256:").unwrap();
                let name = layout.file_name().unwrap().to_string_lossy().to_string();
                out.push((name, mt, read(&blobs.join(hex))));
            }
        }
    }
    out
}

#[test]
fn e2e_layout_envelopes_parse_and_verify() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let layers = e2e_signature_layers(&root);
    let limits = Limits::default();
    let mut verified = 0;
    for (layout, mt, bytes) in &layers {
        let result = open(mt, bytes, &limits);
        if layout == "e2e-invalid-signature" {
            assert_eq!(
                result.unwrap_err().to_string(),
                "unsupported signature envelope format application/vnd.oci.image.layer.v1.tar"
            );
            continue;
        }
        let info = result.unwrap_or_else(|e| panic!("{layout}: {e}"));
        assert_eq!(info.format, EnvelopeFormat::Jws);
        assert_eq!(info.signing_scheme, SigningScheme::X509);
        assert!(info.signing_time.is_some(), "{layout}");
        let payload = Payload::parse(&info.payload).unwrap();
        payload.target_artifact.descriptor().unwrap();
        match layout.as_str() {
            "e2e-expired-signature" => assert!(info.expiry.unwrap() < OffsetDateTime::now_utc()),
            "e2e-with-timestamped-signature" => {
                assert!(info.timestamp_token.is_some());
                assert_eq!(payload.target_artifact.annotations["purpose"], "e2e");
            }
            "e2e-with-invalid-timestamped-signature" => assert!(info.timestamp_token.is_some()),
            _ => {}
        }
        let (subject, when) = envelope::unverified_summary(mt, bytes, &limits).unwrap();
        assert_eq!(subject, info.certificate_chain[0].subject());
        assert!(!when.is_empty());
        verified += 1;
    }
    // 7 signed layouts, one of them with two signatures.
    assert_eq!(verified, 7, "{layers:?}", layers = layers.len());
}

fn mock(root: &Path, name: &str) -> Vec<u8> {
    read(&root.join("notation-go/internal/mock/testdata").join(name))
}

#[test]
fn mock_envelopes_behave_as_in_notation_go() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let limits = Limits::default();
    let jose = "application/jose+json";

    let ca = open(jose, &mock(&root, "ca_valid_sig_env.json"), &limits).unwrap();
    assert_eq!(ca.signing_scheme, SigningScheme::X509);
    assert_eq!(ca.algorithm, SignatureAlgorithm::PS384);
    assert_eq!(ca.certificate_chain.len(), 2);
    // "io.cncf.notary.SigningAgent": matched case-insensitively, as Go does.
    assert!(ca.signing_agent.is_some());
    let sa = open(jose, &mock(&root, "sa_valid_sig_env.json"), &limits).unwrap();
    assert_eq!(sa.signing_scheme, SigningScheme::X509SigningAuthority);
    assert!(sa.authentic_signing_time.is_some() && sa.signing_time.is_none());

    for invalid in ["ca_invalid_sig_env.json", "sa_invalid_sig_env.json"] {
        assert!(
            open(jose, &mock(&root, invalid), &limits).is_err(),
            "{invalid}"
        );
    }

    for expired in ["ca_expired_sig_env.json", "sa_expired_sig_env.json"] {
        let info = parse_envelope(EnvelopeFormat::Jws, &mock(&root, expired), &limits).unwrap();
        assert!(
            info.expiry.unwrap() < OffsetDateTime::now_utc(),
            "{expired}"
        );
    }

    for plugin in ["ca_plugin_sig_env.json", "sa_plugin_sig_env.json"] {
        let info = parse_envelope(EnvelopeFormat::Jws, &mock(&root, plugin), &limits).unwrap();
        assert_eq!(info.verification_plugin.as_deref(), Some("plugin-name"));
        let some_key = info
            .extended_attributes
            .iter()
            .find(|a| a.name == "SomeKey")
            .unwrap();
        assert!(some_key.critical);
        assert_eq!(some_key.value, "SomeValue");
    }

    let mut versions = 0;
    for entry in fs::read_dir(root.join("notation-go/internal/mock/testdata")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.contains("pluginver_sig_env_") {
            continue;
        }
        let info = parse_envelope(EnvelopeFormat::Jws, &read(&path), &limits).unwrap();
        let version = name
            .split("pluginver_sig_env_")
            .nth(1)
            .unwrap()
            .trim_end_matches(".json");
        assert_eq!(
            info.verification_plugin_min_version.as_deref(),
            Some(version)
        );
        assert_eq!(
            info.verification_plugin.as_deref(),
            Some("io.cncf.notary.plugin.unittest.mock")
        );
        versions += 1;
    }
    assert_eq!(versions, 8);

    let md = open(jose, &mock(&root, "sig_env_with_metadata.json"), &limits).unwrap();
    let payload = Payload::parse(&md.payload).unwrap();
    assert_eq!(
        payload.target_artifact.annotations["io.wabbit-networks.buildId"],
        "123"
    );
}

#[test]
fn timestamped_envelopes_parse_and_verify() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let limits = Limits::default();
    let dir = root.join("notation-go/verifier/testdata/timestamp/sigEnv");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = read(&path);
        let format = format_of(&bytes);
        let info =
            open(format.media_type(), &bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.format, format);
        assert_eq!(
            info.timestamp_token.is_some(),
            name != "withoutTimestamp.sig",
            "{name}"
        );
        if name.starts_with("cose") {
            assert_eq!(format, EnvelopeFormat::Cose);
        }
        seen += 1;
    }
    assert_eq!(seen, 7);
}

#[test]
fn notation_go_internal_envelopes_verify() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let limits = Limits::default();
    let dir = root.join("notation-go/internal/testdata");
    let jws_info = open(
        "application/jose+json",
        &read(&dir.join("jws_signature.sig")),
        &limits,
    )
    .unwrap();
    let cose_info = open(
        "application/cose",
        &read(&dir.join("cose_signature.sig")),
        &limits,
    )
    .unwrap();
    for info in [&jws_info, &cose_info] {
        let p = Payload::parse(&info.payload).unwrap();
        assert!(p.target_artifact.digest.starts_with("sha256:19dbd2e4"));
        assert_eq!(p.target_artifact.size, 481);
    }
}

#[test]
fn notation_core_go_jws_conformance_headers() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let bytes = read(&root.join("notation-core-go/signature/jws/testdata/conformance.json"));
    let limits = Limits::default();
    // No x5c in this vector: the full parse refuses it, as notation-core-go's Verify does.
    assert_eq!(
        parse_envelope(EnvelopeFormat::Jws, &bytes, &limits).unwrap_err(),
        EnvelopeError::MissingCertificateChain
    );
    let info = jws::parse(&bytes, &limits).unwrap();
    assert_eq!(info.algorithm, SignatureAlgorithm::ES256);
    assert_eq!(info.signing_scheme, SigningScheme::X509);
    assert_eq!(
        info.signing_time.unwrap(),
        time::macros::datetime!(2022-08-29 13:50:00 UTC)
    );
    assert_eq!(
        info.expiry.unwrap(),
        time::macros::datetime!(2099-08-30 13:50:00 UTC)
    );
    assert_eq!(
        info.signing_agent.as_deref(),
        Some("NotationConformanceTest/1.0.0")
    );
    assert_eq!(info.payload, br#"{"key":"hello JWS"}"#);
    let mut attrs: Vec<(String, bool)> = info
        .extended_attributes
        .iter()
        .map(|a| (a.name.clone(), a.critical))
        .collect();
    attrs.sort();
    assert_eq!(
        attrs,
        vec![
            ("signedCritKey1".to_string(), true),
            ("signedKey1".to_string(), false),
            ("signedKey2".to_string(), false),
            ("signedKey3".to_string(), false),
            ("signedKey4".to_string(), false),
        ]
    );
    assert_eq!(info.signature.len(), 64, "ES256 is raw r||s");
}

#[test]
fn notation_core_go_cose_conformance_headers() {
    let Some(root) = airgap_verify_testkit::conformance() else {
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(&read(
        &root.join("notation-core-go/signature/cose/testdata/conformance.json"),
    ))
    .unwrap();
    let bytes = hex::decode(v["expectedOutput"]["cborHex"].as_str().unwrap()).unwrap();
    let limits = Limits::default();
    assert_eq!(
        parse_envelope(EnvelopeFormat::Cose, &bytes, &limits).unwrap_err(),
        EnvelopeError::MissingCertificateChain
    );
    let info = cose::parse(&bytes, &limits).unwrap();
    assert_eq!(info.algorithm, SignatureAlgorithm::PS384);
    assert_eq!(
        info.signing_time.unwrap().unix_timestamp(),
        v["signingTime"].as_i64().unwrap()
    );
    assert_eq!(
        info.expiry.unwrap().unix_timestamp(),
        v["expiry"].as_i64().unwrap()
    );
    assert_eq!(info.payload, b"hello COSE");
    assert_eq!(
        info.signing_agent.as_deref(),
        Some("NotationConformanceTest/1.0.0")
    );
    let crit: Vec<_> = info
        .extended_attributes
        .iter()
        .filter(|a| a.critical)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(crit, ["signedCritKey1"]);
    // The Sig_structure covers the protected bytes exactly as received.
    let protected = hex::decode(v["protectedHeaders"]["cborHex"].as_str().unwrap()).unwrap();
    assert!(info
        .signed_bytes()
        .windows(protected.len())
        .any(|w| w == protected.as_slice()));
}

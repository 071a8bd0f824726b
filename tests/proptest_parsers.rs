//! Property tests: round trips (digests, Notation envelopes, DSSE envelopes, trust policies) and
//! "never panics" on arbitrary and mutated bytes for every parser that reads attacker-controlled
//! input. (JWS and COSE on arbitrary bytes are in `envelope_forged.rs`.)
#![cfg(test)]

use std::path::PathBuf;
use std::sync::OnceLock;

use airgap_verify::attest::dsse::Envelope as Dsse;
use airgap_verify::attest::{SigningKey as AttestKey, VerificationKey};
use airgap_verify::envelope;
use airgap_verify::limits::Limits;
use airgap_verify::oci::digest::{Algorithm, Descriptor, Digest};
use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::policy::document::{SignatureVerification, Statement};
use airgap_verify::policy::Document;
use airgap_verify_testkit::sign::{sign_cose, sign_jws, SignKey, SignOptions, SignScheme};
use proptest::prelude::*;
use time::OffsetDateTime;

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fixture signing chain (leaf first) and the leaf's key.
fn signer() -> &'static (Vec<Cert>, SignKey) {
    static S: OnceLock<(Vec<Cert>, SignKey)> = OnceLock::new();
    S.get_or_init(|| {
        let chain = parse_certificates(&fixture("pki/chain.pem"), 32).unwrap();
        let pem = String::from_utf8(fixture("keys/leaf.pem")).unwrap();
        (chain, SignKey::from_pkcs8_pem(&pem).unwrap())
    })
}

fn attest_key() -> &'static (AttestKey, VerificationKey) {
    static K: OnceLock<(AttestKey, VerificationKey)> = OnceLock::new();
    K.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/attest");
        (
            AttestKey::load(&root.join("p256.key"), None).unwrap(),
            VerificationKey::load(&root.join("p256.pub")).unwrap(),
        )
    })
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

/// `seed` with one byte replaced and cut at some point (mutations of real input reach deeper
/// than arbitrary bytes).
fn mutate(seed: &[u8], pos: prop::sample::Index, byte: u8, cut: prop::sample::Index) -> Vec<u8> {
    let mut v = seed.to_vec();
    if !v.is_empty() {
        let i = pos.index(v.len());
        v[i] = byte;
        v.truncate(cut.index(v.len()) + 1);
    }
    v
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target)
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn scope_part() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}"
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        "[a-zA-Z0-9_-]{1,12}",
        prop_oneof![
            Just(vec!["*".to_string()]),
            proptest::collection::vec(
                (scope_part(), scope_part()).prop_map(|(a, b)| format!("{a}.example/{b}")),
                1..3
            ),
        ],
        prop_oneof![
            Just("strict"),
            Just("permissive"),
            Just("audit"),
            Just("skip")
        ],
        prop_oneof![Just(""), Just("always"), Just("afterCertExpiry")],
        proptest::collection::vec(scope_part().prop_map(|n| format!("ca:{n}")), 1..3),
    )
        .prop_map(|(name, scopes, level, ts, stores)| {
            let skip = level == "skip";
            Statement {
                name,
                registry_scopes: scopes,
                signature_verification: SignatureVerification {
                    level: level.to_string(),
                    overrides: Default::default(),
                    verify_timestamp: ts.to_string(),
                },
                trust_stores: if skip { vec![] } else { stores },
                trusted_identities: if skip { vec![] } else { vec!["*".into()] },
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn digest_display_parses_back(data in bytes(256), sha512 in any::<bool>()) {
        let alg = if sha512 { Algorithm::Sha512 } else { Algorithm::Sha256 };
        let d = alg.digest(&data);
        let text = d.to_string();
        prop_assert_eq!(Digest::parse(&text).unwrap(), d.clone());
        prop_assert_eq!(serde_json::from_str::<Digest>(&serde_json::to_string(&d).unwrap()).unwrap(), d);
    }

    #[test]
    fn digest_parse_never_panics(s in "\\PC{0,80}", t in "sha(256|512):[0-9a-fA-F]{0,130}") {
        for s in [s, t] {
            if let Ok(d) = Digest::parse(&s) {
                prop_assert_eq!(d.to_string(), s);
            }
        }
    }

    #[test]
    fn signed_envelopes_open(
        manifest in bytes(512),
        secs in 0i64..4_000_000_000,
        authority in any::<bool>(),
        cose in any::<bool>(),
    ) {
        let (chain, key) = signer();
        let target = Descriptor {
            media_type: airgap_verify::oci::IMAGE_MANIFEST.into(),
            digest: Algorithm::Sha256.digest(&manifest),
            size: manifest.len() as u64,
        };
        let mut opts = SignOptions::new(OffsetDateTime::from_unix_timestamp(secs).unwrap());
        if authority {
            opts.scheme = SignScheme::X509SigningAuthority;
        }
        let (bytes, mt) = if cose {
            (sign_cose(&opts, &target, chain, key).unwrap(), airgap_verify::oci::COSE)
        } else {
            (sign_jws(&opts, &target, chain, key).unwrap(), airgap_verify::oci::JWS)
        };
        let info = envelope::open(mt, &bytes, &Limits::default()).unwrap();
        prop_assert_eq!(info.certificate_chain.len(), chain.len());
        let payload = envelope::Payload::parse(&info.payload).unwrap();
        prop_assert_eq!(payload.target_artifact.descriptor().unwrap(), target);
    }

    #[test]
    fn dsse_sign_then_verify(body in bytes(1024), payload_type in "[a-z/+.-]{1,40}") {
        let (key, public) = attest_key();
        let env = Dsse::sign(&payload_type, &body, key).unwrap();
        let parsed = Dsse::parse(&env.to_json().unwrap()).unwrap();
        let verified = parsed.verify(public).unwrap();
        prop_assert_eq!(verified.payload, body);
        prop_assert!(verified.keyid_matched);
    }

    #[test]
    fn dsse_tampered_payload_fails(body in bytes(256), flip in any::<prop::sample::Index>()) {
        let (key, public) = attest_key();
        let env = Dsse::sign("application/vnd.in-toto+json", &body, key).unwrap();
        let mut other = body.clone();
        if other.is_empty() {
            other.push(0);
        } else {
            let i = flip.index(other.len());
            other[i] ^= 0x01;
        }
        let mut forged = env.clone();
        forged.payload = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &other);
        prop_assert!(forged.verify(public).is_err());
    }

    #[test]
    fn policy_serializes_and_parses_back(statements in proptest::collection::vec(statement(), 1..4)) {
        let mut doc = Document { version: "1.0".into(), statements };
        // Names must be unique for a valid document.
        for (i, st) in doc.statements.iter_mut().enumerate() {
            st.name = format!("{}-{i}", st.name);
        }
        let json = serde_json::to_vec(&doc).unwrap();
        let parsed = Document::parse(&json).unwrap();
        prop_assert_eq!(&parsed, &doc);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bundle_stream_never_panics(data in bytes(4096)) {
        airgap_verify_testkit::fuzz::bundle_stream(&data);
    }

    #[test]
    fn mutated_bundles_never_panic(
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
        which in 0usize..3,
    ) {
        let name = ["signed.tar", "signed.tar.gz", "signed.tar.zst"][which];
        airgap_verify_testkit::fuzz::bundle_stream(&mutate(&seed("bundle_stream", name), pos, byte, cut));
    }

    #[test]
    fn oci_graph_never_panics(data in bytes(2048)) {
        airgap_verify_testkit::fuzz::oci_graph(&data);
    }

    #[test]
    fn mutated_graphs_never_panic(
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
    ) {
        airgap_verify_testkit::fuzz::oci_graph(&mutate(&seed("oci_graph", "signed"), pos, byte, cut));
    }

    #[test]
    fn certificates_never_panic(
        data in bytes(2048),
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
    ) {
        airgap_verify_testkit::fuzz::cert_chain(&data);
        airgap_verify_testkit::fuzz::cert_chain(&mutate(&seed("cert_chain", "leaf.der"), pos, byte, cut));
        airgap_verify_testkit::fuzz::cert_chain(&mutate(&seed("cert_chain", "chain.pem"), pos, byte, cut));
    }

    #[test]
    fn trust_policy_never_panics(
        data in bytes(1024),
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
    ) {
        airgap_verify_testkit::fuzz::trust_policy(&data);
        airgap_verify_testkit::fuzz::trust_policy(&mutate(&seed("trust_policy", "trustpolicy.json"), pos, byte, cut));
    }

    #[test]
    fn secret_and_flux_yaml_never_panic(
        data in bytes(1024),
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
        which in 0usize..3,
    ) {
        airgap_verify_testkit::fuzz::secret_flux_yaml(&data);
        let name = ["secret.yaml", "seed.yaml", "multi.yaml"][which];
        airgap_verify_testkit::fuzz::secret_flux_yaml(&mutate(&seed("secret_flux_yaml", name), pos, byte, cut));
    }

    #[test]
    fn timestamp_never_panics(
        data in bytes(2048),
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
    ) {
        airgap_verify_testkit::fuzz::timestamp(&data);
        airgap_verify_testkit::fuzz::timestamp(&mutate(&seed("timestamp", "token-cert"), pos, byte, cut));
    }

    #[test]
    fn crl_never_panics(
        data in bytes(2048),
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
    ) {
        airgap_verify_testkit::fuzz::crl(&data);
        airgap_verify_testkit::fuzz::crl(&mutate(&seed("crl", "revoked.crl.der"), pos, byte, cut));
    }

    #[test]
    fn dsse_never_panics(
        data in bytes(1024),
        pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(),
    ) {
        airgap_verify_testkit::fuzz::dsse(&data);
        airgap_verify_testkit::fuzz::dsse(&mutate(&seed("dsse", "statement.json"), pos, byte, cut));
    }
}

//! Keyless Sigstore bundles under a test trust root of our own (Fulcio-like CA, Rekor-like log
//! key, CT log key): built here, verified by the library, and by Python's `sigstore` package
//! (`sigstore verify identity --offline --trust-config`) when it is installed.
#![cfg(test)]

use std::str::FromStr;

use airgap_verify::cosign::bundle::{self, Artifact, Policy};
use airgap_verify::cosign::{
    verify_image_keyed, verify_image_keyless, CosignKey, IdentityMatcher, KeylessOutcome, Outcome,
    Signer, TrustRoot,
};
use airgap_verify::limits::Limits;
use airgap_verify_testkit::cosign::{sha, Layout};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use der::asn1::{BitString, OctetString, Utf8StringRef};
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

const IDENTITY: &str =
    "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn key() -> SigningKey {
    SigningKey::random(&mut rand_core::OsRng)
}

fn spki_der(k: &SigningKey) -> Vec<u8> {
    k.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn sign(k: &SigningKey, msg: &[u8]) -> Vec<u8> {
    let s: Signature = k.sign(msg);
    s.to_der().as_bytes().to_vec()
}

fn ext(oid: &str, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(value).unwrap(),
    }
}

fn time_of(t: OffsetDateTime) -> Time {
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(
        t.unix_timestamp() as u64
    ))
    .unwrap();
    Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).unwrap())
}

fn key_id(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)[..20].to_vec()
}

struct CertParts<'a> {
    subject: Name,
    issuer: Name,
    serial: u64,
    from: OffsetDateTime,
    to: OffsetDateTime,
    key: &'a SigningKey,
    extensions: Vec<Extension>,
}

fn tbs(p: &CertParts) -> TbsCertificate {
    TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::from(p.serial),
        signature: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
            parameters: None,
        },
        issuer: p.issuer.clone(),
        validity: Validity {
            not_before: time_of(p.from),
            not_after: time_of(p.to),
        },
        subject: p.subject.clone(),
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki_der(p.key)).unwrap(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(p.extensions.clone()),
    }
}

fn certify(tbs: TbsCertificate, issuer_key: &SigningKey) -> Vec<u8> {
    let sig = sign(issuer_key, &tbs.to_der().unwrap());
    Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&sig).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// The test Sigstore instance: CA, log and CT log keys, and the trust root naming them.
struct Instance {
    ca_key: SigningKey,
    ca_der: Vec<u8>,
    log_key: SigningKey,
    ct_key: SigningKey,
    start: OffsetDateTime,
}

impl Instance {
    fn new() -> Instance {
        let ca_key = key();
        let start = OffsetDateTime::now_utc() - time::Duration::days(30);
        let name = Name::from_str("CN=sigstore-test,O=airgap-verify test").unwrap();
        let ski = key_id(&spki_der(&ca_key));
        let ca_der = certify(
            tbs(&CertParts {
                subject: name.clone(),
                issuer: name,
                serial: 1,
                from: start,
                to: start + time::Duration::days(3650),
                key: &ca_key,
                extensions: vec![
                    ext(
                        "2.5.29.19",
                        true,
                        BasicConstraints {
                            ca: true,
                            path_len_constraint: None,
                        }
                        .to_der()
                        .unwrap(),
                    ),
                    ext(
                        "2.5.29.15",
                        true,
                        KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)
                            .to_der()
                            .unwrap(),
                    ),
                    ext(
                        "2.5.29.14",
                        false,
                        SubjectKeyIdentifier(OctetString::new(ski).unwrap())
                            .to_der()
                            .unwrap(),
                    ),
                ],
            }),
            &ca_key,
        );
        Instance {
            ca_key,
            ca_der,
            log_key: key(),
            ct_key: key(),
            start,
        }
    }

    fn log_id(&self) -> Vec<u8> {
        Sha256::digest(spki_der(&self.log_key)).to_vec()
    }

    fn trust_root(&self) -> Value {
        let rfc3339 = |t: OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        let log = |k: &SigningKey, url: &str| {
            json!({"baseUrl": url, "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": B64.encode(spki_der(k)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": rfc3339(self.start)}},
                "logId": {"keyId": B64.encode(Sha256::digest(spki_der(k)))}})
        };
        json!({"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&self.log_key, "https://rekor.example")],
            "certificateAuthorities": [{"subject": {"organization": "airgap-verify test", "commonName": "sigstore-test"},
                "uri": "https://fulcio.example",
                "certChain": {"certificates": [{"rawBytes": B64.encode(&self.ca_der)}]},
                "validFor": {"start": rfc3339(self.start)}}],
            "ctlogs": [log(&self.ct_key, "https://ctfe.example")],
            "timestampAuthorities": []})
    }

    /// A Fulcio-like leaf for `key`, valid 10 minutes from `from`, with an embedded SCT.
    fn leaf(&self, key: &SigningKey, from: OffsetDateTime, ct_key: &SigningKey) -> Vec<u8> {
        let ca_name = Certificate::from_der(&self.ca_der)
            .unwrap()
            .tbs_certificate
            .subject;
        let san = SubjectAltName(vec![GeneralName::UniformResourceIdentifier(
            der::asn1::Ia5String::new(IDENTITY).unwrap(),
        )]);
        let extensions = vec![
            ext(
                "2.5.29.15",
                true,
                KeyUsage(KeyUsages::DigitalSignature.into())
                    .to_der()
                    .unwrap(),
            ),
            ext(
                "2.5.29.37",
                false,
                ExtendedKeyUsage(vec![ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3")])
                    .to_der()
                    .unwrap(),
            ),
            ext(
                "2.5.29.14",
                false,
                SubjectKeyIdentifier(OctetString::new(key_id(&spki_der(key))).unwrap())
                    .to_der()
                    .unwrap(),
            ),
            ext(
                "2.5.29.35",
                false,
                AuthorityKeyIdentifier {
                    key_identifier: Some(
                        OctetString::new(key_id(&spki_der(&self.ca_key))).unwrap(),
                    ),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                }
                .to_der()
                .unwrap(),
            ),
            ext("2.5.29.17", true, san.to_der().unwrap()),
            ext("1.3.6.1.4.1.57264.1.1", false, ISSUER.as_bytes().to_vec()),
            ext(
                "1.3.6.1.4.1.57264.1.8",
                false,
                Utf8StringRef::new(ISSUER).unwrap().to_der().unwrap(),
            ),
        ];
        let parts = CertParts {
            subject: Name::default(),
            issuer: ca_name,
            serial: 7,
            from,
            to: from + time::Duration::minutes(10),
            key,
            extensions,
        };
        let pre = tbs(&parts);
        // RFC 6962 §3.2: the SCT signs the TBS without the SCT extension, as a precertificate.
        let ts = (from.unix_timestamp() as u64 + 1) * 1000;
        let pre_der = pre.to_der().unwrap();
        let mut signed = vec![0u8, 0];
        signed.extend_from_slice(&ts.to_be_bytes());
        signed.extend_from_slice(&[0, 1]);
        signed.extend_from_slice(&Sha256::digest(spki_der(&self.ca_key)));
        let n = pre_der.len();
        signed.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        signed.extend_from_slice(&pre_der);
        signed.extend_from_slice(&[0, 0]);
        let sig = sign(ct_key, &signed);
        let mut sct = vec![0u8];
        sct.extend_from_slice(&Sha256::digest(spki_der(ct_key)));
        sct.extend_from_slice(&ts.to_be_bytes());
        sct.extend_from_slice(&[0, 0, 4, 3]);
        sct.extend_from_slice(&(sig.len() as u16).to_be_bytes());
        sct.extend_from_slice(&sig);
        let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
        list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
        list.extend_from_slice(&sct);
        let mut full = parts.extensions.clone();
        full.push(ext(
            "1.3.6.1.4.1.11129.2.4.2",
            false,
            OctetString::new(list).unwrap().to_der().unwrap(),
        ));
        certify(
            tbs(&CertParts {
                extensions: full,
                ..parts
            }),
            &self.ca_key,
        )
    }
}

/// What to break in a generated bundle.
#[derive(Default, Clone, Copy)]
struct Breakage {
    wrong_ct_key: bool,
    no_inclusion_proof: bool,
    log_time_after_cert: bool,
    untrusted_ca: bool,
}

fn make_bundle(inst: &Instance, artifact: &[u8], br: Breakage) -> Value {
    let signer = key();
    let now = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let other_ct = key();
    let ct = if br.wrong_ct_key {
        &other_ct
    } else {
        &inst.ct_key
    };
    let leaf = if br.untrusted_ca {
        Instance::new().leaf(&signer, now, ct)
    } else {
        inst.leaf(&signer, now, ct)
    };
    let sig = sign(&signer, artifact);
    let digest = Sha256::digest(artifact);
    let pem =
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &leaf).unwrap();
    let body = serde_json::to_vec(&json!({"apiVersion": "0.0.1", "kind": "hashedrekord",
        "spec": {"data": {"hash": {"algorithm": "sha256", "value": hex::encode(digest)}},
            "signature": {"content": B64.encode(&sig), "publicKey": {"content": B64.encode(pem)}}}}))
    .unwrap();
    let integrated = now.unix_timestamp() + if br.log_time_after_cert { 3600 } else { 60 };
    let entry = log_entry(
        inst,
        &body,
        "hashedrekord",
        integrated,
        !br.no_inclusion_proof,
    );
    json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"certificate": {"rawBytes": B64.encode(&leaf)}, "tlogEntries": [entry]},
        "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": B64.encode(digest)},
            "signature": B64.encode(&sig)}})
}

/// A Rekor v1 entry for `body`: signed entry timestamp and, if asked, an inclusion proof in a
/// one-leaf tree with a checkpoint signed by the log.
fn log_entry(inst: &Instance, body: &[u8], kind: &str, integrated: i64, proof: bool) -> Value {
    let set_payload = format!(
        "{{\"body\":\"{}\",\"integratedTime\":{integrated},\"logID\":\"{}\",\"logIndex\":0}}",
        B64.encode(body),
        hex::encode(inst.log_id())
    );
    let set = sign(&inst.log_key, set_payload.as_bytes());
    let mut leaf_hash = Sha256::new();
    leaf_hash.update([0u8]);
    leaf_hash.update(body);
    let root = leaf_hash.finalize();
    let note = format!("rekor.example - 1\n1\n{}\n", B64.encode(root));
    let mut note_sig = inst.log_id()[..4].to_vec();
    note_sig.extend_from_slice(&sign(&inst.log_key, note.as_bytes()));
    let checkpoint = format!("{note}\n\u{2014} rekor.example {}\n", B64.encode(note_sig));
    let mut entry = json!({"logIndex": "0", "logId": {"keyId": B64.encode(inst.log_id())},
        "kindVersion": {"kind": kind, "version": "0.0.1"},
        "integratedTime": integrated.to_string(),
        "inclusionPromise": {"signedEntryTimestamp": B64.encode(set)},
        "inclusionProof": {"logIndex": "0", "rootHash": B64.encode(root), "treeSize": "1", "hashes": [],
            "checkpoint": {"envelope": checkpoint}},
        "canonicalizedBody": B64.encode(body)});
    if !proof {
        entry.as_object_mut().unwrap().remove("inclusionProof");
    }
    entry
}

/// A keyless DSSE bundle over an in-toto statement naming `subject` (`sha256:<hex>`).
fn make_dsse_bundle(inst: &Instance, subject: &str) -> Value {
    let signer = key();
    let now = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let leaf = inst.leaf(&signer, now, &inst.ct_key);
    let statement = serde_json::to_vec(&json!({"_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/app", "digest": {"sha256": &subject[7..]}}],
        "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}}))
    .unwrap();
    let payload_type = "application/vnd.in-toto+json";
    let sig = sign(
        &signer,
        &airgap_verify::attest::dsse::pae(payload_type.as_bytes(), &statement),
    );
    let pem =
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &leaf).unwrap();
    let envelope = serde_json::to_vec(
        &json!({"payload": B64.encode(&statement), "payloadType": payload_type,
        "signatures": [{"sig": B64.encode(&sig)}]}),
    )
    .unwrap();
    let body = serde_json::to_vec(&json!({"apiVersion": "0.0.1", "kind": "dsse",
        "spec": {"envelopeHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&envelope))},
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&statement))},
            "signatures": [{"signature": B64.encode(&sig), "verifier": B64.encode(pem)}]}}))
    .unwrap();
    let entry = log_entry(inst, &body, "dsse", now.unix_timestamp() + 60, true);
    json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"certificate": {"rawBytes": B64.encode(&leaf)}, "tlogEntries": [entry]},
        "dsseEnvelope": {"payload": B64.encode(&statement), "payloadType": payload_type,
            "signatures": [{"sig": B64.encode(&sig), "keyid": ""}]}})
}

fn ours(
    inst: &Instance,
    bundle: &Value,
    artifact: &[u8],
    issuer: &str,
    subject: &str,
) -> Result<(), String> {
    let root = TrustRoot::from_json("test", &serde_json::to_vec(&inst.trust_root()).unwrap())
        .map_err(|e| e.to_string())?;
    let ids = [IdentityMatcher::from_regexps(issuer, subject)?];
    let policy = Policy {
        trust_root: Some(&root),
        key: None,
        identities: &ids,
        require_tlog: true,
        at: OffsetDateTime::now_utc(),
    };
    bundle::verify(
        &serde_json::to_vec(bundle).unwrap(),
        Artifact::Bytes(artifact),
        &policy,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// Python `sigstore verify identity --offline`: Some(verified) or None when not installed.
fn python_sigstore(inst: &Instance, bundle: &Value, artifact: &[u8]) -> Option<bool> {
    let dir = tempfile::tempdir().unwrap();
    let start = "2020-01-01T00:00:00Z";
    let service = |url: &str| json!([{"url": url, "majorApiVersion": 1, "validFor": {"start": start}, "operator": "test"}]);
    let config = json!({"mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": inst.trust_root(),
        "signingConfig": {"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": service("https://fulcio.example"), "oidcUrls": service("https://oauth2.example"),
            "rekorTlogUrls": service("https://rekor.example"), "tsaUrls": [],
            "rekorTlogConfig": {"selector": "ANY"}, "tsaConfig": {"selector": "ANY"}}});
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("config.json"), serde_json::to_vec(&config).unwrap()).unwrap();
    std::fs::write(p("artifact"), artifact).unwrap();
    std::fs::write(
        p("artifact.sigstore.json"),
        serde_json::to_vec(bundle).unwrap(),
    )
    .unwrap();
    let out = std::process::Command::new("sigstore")
        .arg("--trust-config")
        .arg(p("config.json"))
        .args([
            "verify",
            "identity",
            "--offline",
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
            "--bundle",
        ])
        .arg(p("artifact.sigstore.json"))
        .arg(p("artifact"))
        .output()
        .ok()?;
    eprintln!(
        "python sigstore: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.status.success())
}

#[test]
fn keyless_bundle_verifies_and_each_break_fails() {
    let inst = Instance::new();
    let artifact = b"release artifact\n";
    let good = make_bundle(&inst, artifact, Breakage::default());
    let exact = |v: &Value| {
        ours(
            &inst,
            v,
            artifact,
            &format!("^{}$", regex::escape(ISSUER)),
            &format!("^{}$", regex::escape(IDENTITY)),
        )
    };
    exact(&good).unwrap();
    // Flux's matchOIDCIdentity regexps are matched anywhere in the value (Go's MatchString).
    ours(&inst, &good, artifact, "githubusercontent", "example/app").unwrap();
    let e = ours(&inst, &good, artifact, ISSUER, "other/app").unwrap_err();
    assert!(e.contains("none of the expected identities matched"), "{e}");
    let e = ours(&inst, &good, b"another artifact", ISSUER, IDENTITY).unwrap_err();
    assert!(e.contains("message digest does not match"), "{e}");

    let cases = [
        (
            Breakage {
                wrong_ct_key: true,
                ..Default::default()
            },
            "SCT",
        ),
        (
            Breakage {
                no_inclusion_proof: true,
                ..Default::default()
            },
            "no inclusion proof",
        ),
        (
            Breakage {
                log_time_after_cert: true,
                ..Default::default()
            },
            "not valid at the signing time",
        ),
        (
            Breakage {
                untrusted_ca: true,
                ..Default::default()
            },
            "no certificate authority",
        ),
    ];
    for (br, want) in cases {
        let bad = make_bundle(&inst, artifact, br);
        let e = exact(&bad).unwrap_err();
        assert!(e.contains(want), "{want}: {e}");
        if let Some(verified) = python_sigstore(&inst, &bad, artifact) {
            assert!(
                !verified,
                "python sigstore verified a bundle broken by {want}"
            );
        }
    }
    match python_sigstore(&inst, &good, artifact) {
        Some(verified) => assert!(verified, "python sigstore rejected the good bundle"),
        None => airgap_verify_testkit::skip("Python sigstore (pip install sigstore) not installed"),
    }
}

fn add_bundle_referrer(l: &mut Layout, image: &Value, bundle: &Value) {
    let config = l.blob("application/vnd.oci.empty.v1+json", b"{}");
    let layer = l.blob(
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        &serde_json::to_vec(bundle).unwrap(),
    );
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "config": config, "layers": [layer], "subject": image});
    let desc = l.blob(
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    l.list(&desc, json!({}));
}

#[test]
fn keyless_image_verifies_from_its_bundle_referrer() {
    let inst = Instance::new();
    let root =
        TrustRoot::from_json("test", &serde_json::to_vec(&inst.trust_root()).unwrap()).unwrap();
    let ids = [IdentityMatcher::from_regexps(
        "^https://token\\.actions\\.githubusercontent\\.com$",
        "^https://github\\.com/example/",
    )
    .unwrap()];
    let wrong = [IdentityMatcher::from_regexps(".*", "^https://github\\.com/other/").unwrap()];
    for (subject_is_image, identities, want) in [
        (true, &ids, None),
        (
            true,
            &wrong,
            Some("none of the expected identities matched"),
        ),
        (false, &ids, Some("no matching subject digest found")),
    ] {
        let mut l = Layout::new();
        let image = l.image();
        let digest = image["digest"].as_str().unwrap().to_string();
        let subject = if subject_is_image {
            digest.clone()
        } else {
            sha(b"another manifest")
        };
        let dsse = make_dsse_bundle(&inst, &subject);
        add_bundle_referrer(&mut l, &image, &dsse);
        // Python sigstore judges the DSSE bundle over the manifest bytes (its subject); a
        // wrong identity is not asked of it (it is given the right one).
        if identities[0].subject.as_str().contains("example") {
            if let Some(verified) = python_sigstore(&inst, &dsse, &l.read(&digest)) {
                assert_eq!(verified, subject_is_image, "python sigstore on {want:?}");
            }
        }
        let g = l.finish();
        let policy = Policy {
            trust_root: Some(&root),
            key: None,
            identities,
            require_tlog: true,
            at: OffsetDateTime::now_utc(),
        };
        let d = serde_json::from_value(image.clone()).unwrap();
        match (
            verify_image_keyless(&g, &d, &policy, &Limits::default()),
            want,
        ) {
            (KeylessOutcome::Verified { verified, .. }, None) => match verified.signer {
                Signer::Certificate(id) => {
                    assert_eq!(id.subject, IDENTITY);
                    assert_eq!(id.issuer, ISSUER);
                }
                s => panic!("{s:?}"),
            },
            (KeylessOutcome::Failed { message }, Some(want)) => {
                assert!(
                    message.starts_with("no matching attestations: "),
                    "{message}"
                );
                assert!(message.contains(want), "{message}");
            }
            (o, want) => panic!("{want:?}: {o:?}"),
        }
    }
}

/// A cosign v2 keyless signature of `image` under the `.sig` tag: the payload signed by a
/// Fulcio-like certificate, with its Rekor bundle annotation (SET, body, integrated time).
fn add_keyless_sig(
    l: &mut Layout,
    inst: &Instance,
    image: &Value,
    claimed: &str,
    tamper_set: bool,
) -> SigningKey {
    let signer = key();
    let now = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let leaf = inst.leaf(&signer, now, &inst.ct_key);
    let payload = serde_json::to_vec(
        &json!({"critical": {"identity": {"docker-reference": "registry.example/app"},
        "image": {"docker-manifest-digest": claimed}, "type": "cosign container image signature"},
        "optional": null}),
    )
    .unwrap();
    let sig = sign(&signer, &payload);
    let pem =
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &leaf).unwrap();
    let body = serde_json::to_vec(&json!({"apiVersion": "0.0.1", "kind": "hashedrekord",
        "spec": {"data": {"hash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&payload))}},
            "signature": {"content": B64.encode(&sig), "publicKey": {"content": B64.encode(&pem)}}}}))
    .unwrap();
    let integrated = now.unix_timestamp() + 60;
    let entry = log_entry(inst, &body, "hashedrekord", integrated, false);
    let mut set = entry["inclusionPromise"]["signedEntryTimestamp"]
        .as_str()
        .unwrap()
        .to_string();
    if tamper_set {
        set = B64.encode(sign(&key(), b"other"));
    }
    let rekor = json!({"SignedEntryTimestamp": set, "Payload": {"body": B64.encode(&body),
        "integratedTime": integrated, "logIndex": 0, "logID": hex::encode(inst.log_id())}});
    let config = l.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let mut layer = l.blob("application/vnd.dev.cosign.simplesigning.v1+json", &payload);
    layer["annotations"] = json!({"dev.cosignproject.cosign/signature": B64.encode(&sig),
        "dev.sigstore.cosign/certificate": pem, "dev.sigstore.cosign/chain": "",
        "dev.sigstore.cosign/bundle": rekor.to_string()});
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config, "layers": [layer]});
    let desc = l.blob(
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    let tag = format!(
        "{}.sig",
        image["digest"].as_str().unwrap().replace(':', "-")
    );
    l.list(&desc, json!({"org.opencontainers.image.ref.name": tag}));
    signer
}

#[test]
fn keyless_v2_signature_verifies_from_its_rekor_bundle_annotation() {
    let inst = Instance::new();
    let root =
        TrustRoot::from_json("test", &serde_json::to_vec(&inst.trust_root()).unwrap()).unwrap();
    let ids = [IdentityMatcher::from_regexps("token\\.actions", "github\\.com/example/").unwrap()];
    for (other_digest, tamper_set, want) in [
        (false, false, None),
        (true, false, Some("invalid or missing digest in claim")),
        (false, true, Some("signed entry timestamp does not verify")),
    ] {
        let mut l = Layout::new();
        let image = l.image();
        let claimed = if other_digest {
            sha(b"another")
        } else {
            image["digest"].as_str().unwrap().to_string()
        };
        add_keyless_sig(&mut l, &inst, &image, &claimed, tamper_set);
        let g = l.finish();
        let policy = Policy {
            trust_root: Some(&root),
            key: None,
            identities: &ids,
            require_tlog: true,
            at: OffsetDateTime::now_utc(),
        };
        let d = serde_json::from_value(image.clone()).unwrap();
        match (
            verify_image_keyless(&g, &d, &policy, &Limits::default()),
            want,
        ) {
            (KeylessOutcome::Verified { verified, .. }, None) => {
                assert!(matches!(verified.signer, Signer::Certificate(_)));
                assert_eq!(verified.times.len(), 1);
            }
            (KeylessOutcome::Failed { message }, Some(want)) => {
                assert!(message.starts_with("no matching signatures: "), "{message}");
                assert!(message.contains(want), "{message}");
            }
            (o, want) => panic!("{want:?}: {o:?}"),
        }
    }
}

/// Keyed verification of a signature that carries an expired Fulcio certificate fails as in
/// cosign (no log time is consulted under `IgnoreTlog`).
#[test]
fn keyed_signature_with_an_expired_certificate_fails() {
    let inst = Instance::new();
    let mut l = Layout::new();
    let image = l.image();
    let digest = image["digest"].as_str().unwrap().to_string();
    let signer = add_keyless_sig(&mut l, &inst, &image, &digest, false);
    let g = l.finish();
    let key = CosignKey::from_spki_der("cosign.pub", &spki_der(&signer)).unwrap();
    let d = serde_json::from_value(image.clone()).unwrap();
    match verify_image_keyed(&g, &d, "app", &[key], &Limits::default()) {
        Outcome::Failed { details, .. } => assert!(
            details[0].contains("expected a signed timestamp to verify an expired certificate"),
            "{details:?}"
        ),
        o => panic!("{o:?}"),
    }
}

//! A Sigstore instance of our own for keyless tests: a Fulcio-like CA, a Rekor-like log key and
//! a CT log key, the `TrustedRoot` naming them, and what they sign: Fulcio-shaped leaves with an
//! embedded SCT, Rekor v1 entries (signed entry timestamp, inclusion proof in a one-leaf tree
//! with a signed checkpoint), v0.3 bundles (message signature over a blob, DSSE over an in-toto
//! statement naming an image), and cosign v2 keyless `.sig` signatures with the Rekor bundle
//! annotation. [`Breakage`] breaks one check at a time. [`python_sigstore`] asks Python's
//! `sigstore verify identity --offline --trust-config` for its verdict when it is installed.

use std::str::FromStr;

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

use crate::cosign::{add_sig_layer, sig_tag, simple_signing, Layout};

/// The SAN URI of every leaf the instance issues.
pub const IDENTITY: &str =
    "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
/// The OIDC issuer of every leaf the instance issues.
pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// How long a leaf is valid, as Fulcio issues them.
pub const LEAF_VALIDITY: time::Duration = time::Duration::minutes(10);

/// A fresh P-256 key.
pub fn key() -> SigningKey {
    SigningKey::random(&mut rsa::rand_core::OsRng)
}

/// The DER SubjectPublicKeyInfo of a key.
pub fn spki_der(k: &SigningKey) -> Vec<u8> {
    k.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// An ASN.1 DER ECDSA signature over SHA-256 of `msg`.
pub fn sign(k: &SigningKey, msg: &[u8]) -> Vec<u8> {
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

/// A certificate time as RFC 5280 §4.1.2.5 has it: UTCTime through 2049, GeneralizedTime after.
fn time_of(t: OffsetDateTime) -> Time {
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(
        t.unix_timestamp() as u64
    ))
    .unwrap();
    if t.year() < 2050 {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).unwrap())
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
    }
}

fn key_id(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)[..20].to_vec()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
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
pub struct Instance {
    ca_key: SigningKey,
    /// The CA's self-signed certificate.
    pub ca_der: Vec<u8>,
    /// The transparency log's key (signed entry timestamps and checkpoints).
    pub log_key: SigningKey,
    /// The CT log's key (SCTs).
    pub ct_key: SigningKey,
    /// Where every validity window of the trust root starts (30 days ago for [`Instance::new`]).
    pub start: OffsetDateTime,
    /// The key and start of every leaf, for [`Instance::from_seed`]; else a fresh key, an hour
    /// ago.
    fixed_signer: Option<(SigningKey, OffsetDateTime)>,
}

impl Default for Instance {
    fn default() -> Instance {
        Instance::new()
    }
}

impl Instance {
    /// A new instance with fresh keys: trust root and CA valid from 30 days ago, the CA for ten
    /// years.
    pub fn new() -> Instance {
        let start = OffsetDateTime::now_utc() - time::Duration::days(30);
        Instance::with_keys(
            key(),
            key(),
            key(),
            (start, start + time::Duration::days(3650)),
        )
    }

    /// The same instance for the same `seed` (for shipped fixtures): CA, log, CT log and signing
    /// keys derived from it, trust root and CA valid from `start` (the CA to the end of 2099),
    /// every leaf issued at `signed_at` to the same signing key. ECDSA signatures are
    /// deterministic (RFC 6979), so everything it makes is the same bytes on every run.
    pub fn from_seed(seed: &str, start: OffsetDateTime, signed_at: OffsetDateTime) -> Instance {
        let k = |name: &str| crate::cosign::Signer::from_seed(&format!("{seed}/{name}")).key;
        let mut inst = Instance::with_keys(
            k("ca"),
            k("log"),
            k("ct"),
            (start, time::macros::datetime!(2099-12-31 23:59:59 UTC)),
        );
        inst.fixed_signer = Some((k("signer"), signed_at));
        inst
    }

    /// The instance of the shipped keyless fixtures (`fixtures/sigstore/`,
    /// `fixtures/cosign-keyless/`): trust root from 2024-01-01, leaves issued 2025-01-01.
    pub fn fixture() -> Instance {
        Instance::from_seed(
            "airgap-verify fixtures sigstore",
            time::macros::datetime!(2024-01-01 00:00:00 UTC),
            time::macros::datetime!(2025-01-01 00:00:00 UTC),
        )
    }

    /// An instance of these keys whose trust root starts at `validity.0`, the CA certificate
    /// valid over `validity`.
    fn with_keys(
        ca_key: SigningKey,
        log_key: SigningKey,
        ct_key: SigningKey,
        (start, end): (OffsetDateTime, OffsetDateTime),
    ) -> Instance {
        let name = Name::from_str("CN=sigstore-test,O=airgap-verify test").unwrap();
        let ski = key_id(&spki_der(&ca_key));
        let ca_der = certify(
            tbs(&CertParts {
                subject: name.clone(),
                issuer: name,
                serial: 1,
                from: start,
                to: end,
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
            log_key,
            ct_key,
            start,
            fixed_signer: None,
        }
    }

    /// The log's id: SHA-256 of its key's DER SubjectPublicKeyInfo.
    pub fn log_id(&self) -> Vec<u8> {
        Sha256::digest(spki_der(&self.log_key)).to_vec()
    }

    /// The Sigstore `TrustedRoot` of the instance (no timestamp authority).
    pub fn trust_root(&self) -> Value {
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

    /// The trust root as the bytes of a `trusted_root.json`.
    pub fn trust_root_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(&self.trust_root()).unwrap()
    }

    /// A Fulcio-like leaf for `key` ([`IDENTITY`] from [`ISSUER`]), valid [`LEAF_VALIDITY`]
    /// from `from`, with an SCT signed by `ct_key` embedded.
    pub fn leaf(&self, key: &SigningKey, from: OffsetDateTime, ct_key: &SigningKey) -> Vec<u8> {
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
            to: from + LEAF_VALIDITY,
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

    /// A signing key and its leaf, issued an hour ago (so expired now; for
    /// [`Instance::from_seed`], its key at its time), as `br` asks: an SCT of another CT log, or
    /// a leaf of another CA. Returns the key, the leaf and its start.
    fn signer(&self, br: Breakage) -> (SigningKey, Vec<u8>, OffsetDateTime) {
        let (signer, from) = match &self.fixed_signer {
            Some((k, at)) => (k.clone(), *at),
            None => (key(), OffsetDateTime::now_utc() - time::Duration::hours(1)),
        };
        let other_ct = key();
        let ct = if br.wrong_ct_key {
            &other_ct
        } else {
            &self.ct_key
        };
        let leaf = if br.untrusted_ca {
            Instance::new().leaf(&signer, from, ct)
        } else {
            self.leaf(&signer, from, ct)
        };
        (signer, leaf, from)
    }
}

/// What to break in a generated bundle or signature (the default breaks nothing).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Breakage {
    /// The leaf's SCT is signed by a CT log not in the trust root.
    pub wrong_ct_key: bool,
    /// The log entry has no inclusion proof (a v2 signature, which never carries one: no
    /// Rekor bundle annotation at all).
    pub no_inclusion_proof: bool,
    /// The log's integrated time is after the leaf expired.
    pub log_time_after_cert: bool,
    /// The leaf is issued by a CA not in the trust root.
    pub untrusted_ca: bool,
    /// A byte of the signature is flipped after the log entry was made.
    pub flip_signature: bool,
    /// The signed entry timestamp is made by another key.
    pub tamper_set: bool,
}

impl Breakage {
    /// Each single breakage: its name, itself, and the words of the library's error.
    pub fn each() -> Vec<(&'static str, Breakage, &'static str)> {
        let d = Breakage::default();
        vec![
            (
                "bad SCT",
                Breakage {
                    wrong_ct_key: true,
                    ..d
                },
                "no embedded SCT is from a CT log of the trust root",
            ),
            (
                "missing inclusion proof",
                Breakage {
                    no_inclusion_proof: true,
                    ..d
                },
                "the log entry has no inclusion proof",
            ),
            (
                "certificate expired at the log time",
                Breakage {
                    log_time_after_cert: true,
                    ..d
                },
                "is not valid at the signing time",
            ),
            (
                "untrusted CA",
                Breakage {
                    untrusted_ca: true,
                    ..d
                },
                "no certificate authority of the trust root issued the certificate",
            ),
            (
                "tampered signature",
                Breakage {
                    flip_signature: true,
                    ..d
                },
                "invalid signature when validating ASN.1 encoded signature",
            ),
            (
                "tampered SET",
                Breakage {
                    tamper_set: true,
                    ..d
                },
                "signed entry timestamp does not verify",
            ),
        ]
    }

    /// The integrated time of an entry for a leaf valid from `from`: a minute in, or (broken)
    /// after the leaf expired.
    fn integrated(&self, from: OffsetDateTime) -> i64 {
        from.unix_timestamp()
            + if self.log_time_after_cert {
                LEAF_VALIDITY.whole_seconds() + 3000
            } else {
                60
            }
    }

    /// The signature as a bundle carries it: flipped in its last byte if asked.
    fn signature(&self, sig: &[u8]) -> Vec<u8> {
        let mut sig = sig.to_vec();
        if self.flip_signature {
            if let Some(b) = sig.last_mut() {
                *b ^= 0x01;
            }
        }
        sig
    }
}

fn pem(der: &[u8]) -> String {
    pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, der).unwrap()
}

/// A keyless v0.3 bundle of a message signature over `artifact` (a `hashedrekord` entry).
pub fn make_bundle(inst: &Instance, artifact: &[u8], br: Breakage) -> Value {
    let (signer, leaf, from) = inst.signer(br);
    let sig = sign(&signer, artifact);
    let digest = Sha256::digest(artifact);
    let body = serde_json::to_vec(&json!({"apiVersion": "0.0.1", "kind": "hashedrekord",
        "spec": {"data": {"hash": {"algorithm": "sha256", "value": hex::encode(digest)}},
            "signature": {"content": B64.encode(&sig), "publicKey": {"content": B64.encode(pem(&leaf))}}}}))
    .unwrap();
    let entry = log_entry(inst, &body, "hashedrekord", br.integrated(from), br);
    json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"certificate": {"rawBytes": B64.encode(&leaf)}, "tlogEntries": [entry]},
        "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": B64.encode(digest)},
            "signature": B64.encode(br.signature(&sig))}})
}

/// A Rekor v1 entry for `body` integrated at `integrated` (Unix seconds): signed entry
/// timestamp (by another key if `br.tamper_set`) and, unless `br.no_inclusion_proof`, an
/// inclusion proof in a one-leaf tree with a checkpoint signed by the log.
pub fn log_entry(inst: &Instance, body: &[u8], kind: &str, integrated: i64, br: Breakage) -> Value {
    let set_payload = format!(
        "{{\"body\":\"{}\",\"integratedTime\":{integrated},\"logID\":\"{}\",\"logIndex\":0}}",
        B64.encode(body),
        hex::encode(inst.log_id())
    );
    let set = if br.tamper_set {
        sign(&key(), set_payload.as_bytes())
    } else {
        sign(&inst.log_key, set_payload.as_bytes())
    };
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
    if br.no_inclusion_proof {
        entry.as_object_mut().unwrap().remove("inclusionProof");
    }
    entry
}

/// A keyless v0.3 DSSE bundle over the in-toto statement cosign signs for an image, naming
/// `subject` (`sha256:<hex>`), as `br` asks.
pub fn make_dsse_bundle(inst: &Instance, subject: &str, br: Breakage) -> Value {
    let (signer, leaf, from) = inst.signer(br);
    let statement = crate::cosign::statement(subject);
    let payload_type = "application/vnd.in-toto+json";
    let sig = sign(
        &signer,
        &airgap_verify::attest::dsse::pae(payload_type.as_bytes(), &statement),
    );
    let envelope = serde_json::to_vec(
        &json!({"payload": B64.encode(&statement), "payloadType": payload_type,
        "signatures": [{"sig": B64.encode(&sig)}]}),
    )
    .unwrap();
    let body = serde_json::to_vec(&json!({"apiVersion": "0.0.1", "kind": "dsse",
        "spec": {"envelopeHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&envelope))},
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&statement))},
            "signatures": [{"signature": B64.encode(&sig), "verifier": B64.encode(pem(&leaf))}]}}))
    .unwrap();
    let entry = log_entry(inst, &body, "dsse", br.integrated(from), br);
    json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"certificate": {"rawBytes": B64.encode(&leaf)}, "tlogEntries": [entry]},
        "dsseEnvelope": {"payload": B64.encode(&statement), "payloadType": payload_type,
            "signatures": [{"sig": B64.encode(br.signature(&sig)), "keyid": ""}]}})
}

/// A cosign v2 keyless signature of `image` under its `.sig` tag: a simple-signing payload
/// claiming `claimed`, signed by a Fulcio-like leaf, with the certificate and the Rekor bundle
/// annotation (SET, body, integrated time), as `br` asks. Returns the signing key.
pub fn add_keyless_sig(
    l: &mut Layout,
    inst: &Instance,
    image: &Value,
    claimed: &str,
    br: Breakage,
) -> SigningKey {
    let (signer, leaf, from) = inst.signer(br);
    let payload = simple_signing(claimed, airgap_verify::cosign::SIMPLE_SIGNING_TYPE);
    let sig = sign(&signer, &payload);
    let pem = pem(&leaf);
    let body = serde_json::to_vec(&json!({"apiVersion": "0.0.1", "kind": "hashedrekord",
        "spec": {"data": {"hash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&payload))}},
            "signature": {"content": B64.encode(&sig), "publicKey": {"content": B64.encode(&pem)}}}}))
    .unwrap();
    let integrated = br.integrated(from);
    let entry = log_entry(inst, &body, "hashedrekord", integrated, br);
    let rekor = json!({"SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
        "Payload": {"body": B64.encode(&body), "integratedTime": integrated, "logIndex": 0,
            "logID": hex::encode(inst.log_id())}});
    let mut annotations = json!({"dev.cosignproject.cosign/signature": B64.encode(br.signature(&sig)),
        "dev.sigstore.cosign/certificate": pem, "dev.sigstore.cosign/chain": ""});
    if !br.no_inclusion_proof {
        annotations["dev.sigstore.cosign/bundle"] = rekor.to_string().into();
    }
    add_sig_layer(l, &payload, annotations, Some(sig_tag(image)));
    signer
}

/// Python `sigstore verify identity --offline` of `bundle` over `artifact` under `trust_root`
/// (a `TrustedRoot`, such as [`Instance::trust_root`]), for the exact `identity` and `issuer`:
/// `Some(verified)`, or `None` when it is not installed.
pub fn python_sigstore(
    trust_root: &Value,
    bundle: &Value,
    artifact: &[u8],
    identity: &str,
    issuer: &str,
) -> Option<bool> {
    let dir = tempfile::tempdir().unwrap();
    let start = "2020-01-01T00:00:00Z";
    let service = |url: &str| json!([{"url": url, "majorApiVersion": 1, "validFor": {"start": start}, "operator": "test"}]);
    let config = json!({"mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": trust_root,
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
            identity,
            "--cert-oidc-issuer",
            issuer,
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

//! OCI layouts for cosign tests, in the shapes `cosign save` and `oras copy -r
//! --to-oci-layout` write: blobs by digest, `index.json` entries with their annotations.

use airgap_verify::bundle::{read_bundle, ProgressSink, Source};
use airgap_verify::limits::Limits;
use airgap_verify::oci::Graph;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

/// `sha256:<hex>` of bytes.
pub fn sha(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

/// An OCI layout under construction.
pub struct Layout {
    /// The temporary folder, removed on drop (none for [`Layout::create`]).
    _temp: Option<tempfile::TempDir>,
    root: std::path::PathBuf,
    index: Vec<Value>,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::new()
    }
}

impl Layout {
    /// An empty layout in a temporary folder.
    pub fn new() -> Layout {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Layout::create(dir.path());
        l._temp = Some(dir);
        l
    }

    /// An empty layout in `dir` (created), kept after the program ends.
    pub fn create(dir: &std::path::Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout {
            _temp: None,
            root: dir.to_path_buf(),
            index: Vec::new(),
        }
    }

    pub fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let d = sha(bytes);
        std::fs::write(self.root.join("blobs/sha256").join(&d[7..]), bytes).unwrap();
        json!({"mediaType": media_type, "digest": d, "size": bytes.len()})
    }

    /// The bytes of a blob written earlier.
    pub fn read(&self, digest: &str) -> Vec<u8> {
        std::fs::read(self.root.join("blobs/sha256").join(&digest[7..])).unwrap()
    }

    pub fn list(&mut self, desc: &Value, annotations: Value) {
        let mut d = desc.clone();
        if annotations.as_object().is_some_and(|a| !a.is_empty()) {
            d["annotations"] = annotations;
        }
        self.index.push(d);
    }

    /// The image: a manifest with one layer, tagged `v1`.
    pub fn image(&mut self) -> Value {
        self.image_with(
            b"layer bytes",
            json!({"org.opencontainers.image.ref.name": "v1"}),
        )
    }

    /// An image: a manifest with one layer of `content`, listed with `annotations`.
    pub fn image_with(&mut self, content: &[u8], annotations: Value) -> Value {
        let config = self.blob("application/vnd.oci.image.config.v1+json", b"{}");
        let layer = self.blob("application/vnd.oci.image.layer.v1.tar", content);
        let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config, "layers": [layer]});
        let desc = self.blob(
            "application/vnd.oci.image.manifest.v1+json",
            &serde_json::to_vec(&m).unwrap(),
        );
        self.list(&desc, annotations);
        desc
    }

    /// A multi-platform image: an index of one platform manifest, tagged `v1`.
    pub fn index_image(&mut self) -> Value {
        let config = self.blob(
            "application/vnd.oci.image.config.v1+json",
            b"{\"os\":\"linux\"}",
        );
        let layer = self.blob("application/vnd.oci.image.layer.v1.tar", b"platform layer");
        let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config, "layers": [layer]});
        let mut platform = self.blob(
            "application/vnd.oci.image.manifest.v1+json",
            &serde_json::to_vec(&m).unwrap(),
        );
        platform["platform"] = json!({"architecture": "amd64", "os": "linux"});
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [platform]});
        let desc = self.blob(
            "application/vnd.oci.image.index.v1+json",
            &serde_json::to_vec(&index).unwrap(),
        );
        self.list(&desc, json!({"org.opencontainers.image.ref.name": "v1"}));
        desc
    }

    /// The layout's folder.
    pub fn path(&self) -> &std::path::Path {
        self.root.as_path()
    }

    /// Write `index.json`.
    pub fn write(&self) {
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": self.index});
        std::fs::write(
            self.root.join("index.json"),
            serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
    }

    /// Write `index.json` and read the layout back as the verifier does.
    pub fn finish(&self) -> Graph {
        self.write();
        let limits = Limits::default();
        let b = read_bundle(
            &Source::Path(self.root.clone()),
            &limits,
            &ProgressSink::none(),
        )
        .unwrap();
        Graph::build(&b, &limits).unwrap()
    }
}

/// A P-256 signing key and its cosign public key.
pub struct Signer {
    pub key: p256::ecdsa::SigningKey,
}

impl Signer {
    /// A key derived from `seed` (the same seed, the same key: for shipped fixtures).
    pub fn from_seed(seed: &str) -> Signer {
        let mut n = 0u32;
        loop {
            let d = Sha256::digest(format!("{seed}/{n}").as_bytes());
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&d) {
                return Signer { key };
            }
            n += 1;
        }
    }

    /// The PEM PKIX public key, as `cosign.pub` holds it.
    pub fn pem(&self) -> String {
        self.key
            .verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap()
    }

    /// An ASN.1 DER ECDSA signature over SHA-256 of `msg`, as cosign signs.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = self.key.sign(msg);
        sig.to_der().as_bytes().to_vec()
    }
}

/// A simple-signing payload naming `digest`, of `critical.type` `kind`.
pub fn simple_signing(digest: &str, kind: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"critical": {"identity": {"docker-reference": "registry.example/app"},
        "image": {"docker-manifest-digest": digest}, "type": kind}, "optional": null}),
    )
    .unwrap()
}

/// The v2 signature tag of an image descriptor: `sha256-<hex>.sig`.
pub fn sig_tag(image: &Value) -> String {
    format!(
        "{}.sig",
        image["digest"].as_str().unwrap().replace(':', "-")
    )
}

/// A v2 signature manifest over `payload`, listed as `tag` (or untagged with cosign save's
/// `kind` annotation).
pub fn add_sig(l: &mut Layout, signer: &Signer, payload: &[u8], tag: Option<String>) -> Value {
    let annotations =
        json!({"dev.cosignproject.cosign/signature": B64.encode(signer.sign(payload))});
    add_sig_layer(l, payload, annotations, tag)
}

/// A v2 signature manifest of one simple-signing layer over `payload` with `annotations` (the
/// signature's, and a certificate and Rekor bundle for keyless), listed as `tag` (or untagged
/// with cosign save's `kind` annotation).
pub fn add_sig_layer(
    l: &mut Layout,
    payload: &[u8],
    annotations: Value,
    tag: Option<String>,
) -> Value {
    let config = l.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let mut layer = l.blob("application/vnd.dev.cosign.simplesigning.v1+json", payload);
    layer["annotations"] = annotations;
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config, "layers": [layer]});
    let desc = l.blob(
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    match tag {
        Some(t) => l.list(&desc, json!({"org.opencontainers.image.ref.name": t})),
        None => l.list(&desc, json!({"kind": "dev.cosignproject.cosign/sigs"})),
    }
    desc
}

/// A v3 bundle referrer of `image`: a keyed DSSE envelope over an in-toto statement naming
/// `subject_digest` (`tamper`: the payload changed after signing).
pub fn add_bundle(
    l: &mut Layout,
    signer: &Signer,
    image: &Value,
    subject_digest: &str,
    tamper: bool,
) {
    add_bundle_bytes(l, image, &keyed_bundle(signer, subject_digest, tamper));
}

/// The in-toto statement a cosign v3 image signature signs: `subject_digest` as its subject.
pub fn statement(subject_digest: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/app", "digest": {"sha256": &subject_digest[7..]}}],
        "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}}))
    .unwrap()
}

/// A keyed v3 bundle (JSON): a DSSE envelope signed by `signer` over an in-toto statement
/// naming `subject_digest` (`tamper`: the payload changed after signing).
pub fn keyed_bundle(signer: &Signer, subject_digest: &str, tamper: bool) -> Vec<u8> {
    let statement = statement(subject_digest);
    let pae = airgap_verify::attest::dsse::pae(b"application/vnd.in-toto+json", &statement);
    let sig = signer.sign(&pae);
    let mut payload = statement.clone();
    if tamper {
        payload.extend_from_slice(b" ");
    }
    serde_json::to_vec(&json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": ""}},
        "dsseEnvelope": {"payload": B64.encode(&payload), "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": B64.encode(sig), "keyid": ""}]}}))
    .unwrap()
}

/// A self-signed code-signing certificate in the shape Fulcio issues: SAN URI `subject`, OIDC
/// issuer extension (v2, a UTF8String) `issuer`. It chains to no trust root: it is for what is
/// read from a signature before verification (`inspect`), not for verification.
pub fn fulcio_shaped_certificate(subject: &str, issuer: &str) -> airgap_verify::pki::cert::Cert {
    use der::Encode as _;
    use x509_cert::ext::pkix::name::GeneralName;
    let san = x509_cert::ext::pkix::SubjectAltName(vec![GeneralName::UniformResourceIdentifier(
        der::asn1::Ia5String::new(subject).unwrap(),
    )]);
    let mut spec =
        crate::pki::CertSpec::leaf("sigstore", airgap_verify::pki::crypto::KeySpec::EcP256);
    spec.extra = vec![
        (
            der::oid::ObjectIdentifier::new_unwrap("2.5.29.17"),
            true,
            san.to_der().unwrap(),
        ),
        (
            der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8"),
            false,
            der::asn1::Utf8StringRef::new(issuer)
                .unwrap()
                .to_der()
                .unwrap(),
        ),
    ];
    crate::pki::make(spec, None).cert
}

/// A keyless v3 bundle (JSON) with certificate `cert_der` and one Rekor entry integrated at
/// `integrated` (Unix seconds), over an in-toto statement naming `subject_digest`. Its
/// signatures are not made by the certificate's key: it is for reading, not verification.
pub fn keyless_bundle(cert_der: &[u8], subject_digest: &str, integrated: i64) -> Vec<u8> {
    let statement = statement(subject_digest);
    serde_json::to_vec(&json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"certificate": {"rawBytes": B64.encode(cert_der)},
            "tlogEntries": [{"logIndex": "1", "logId": {"keyId": B64.encode([0u8; 32])},
                "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                "integratedTime": integrated.to_string(),
                "inclusionPromise": {"signedEntryTimestamp": B64.encode(b"set")},
                "canonicalizedBody": B64.encode(b"{}")}]},
        "dsseEnvelope": {"payload": B64.encode(&statement), "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": B64.encode(b"signature"), "keyid": ""}]}}))
    .unwrap()
}

/// The `dev.sigstore.cosign/bundle` annotation of a v2 keyless signature: a Rekor entry
/// integrated at `integrated` (Unix seconds), its signed entry timestamp not made by any log.
pub fn rekor_bundle_annotation(integrated: i64) -> String {
    json!({"SignedEntryTimestamp": B64.encode(b"set"), "Payload": {"body": B64.encode(b"{}"),
        "integratedTime": integrated, "logIndex": 1, "logID": hex::encode([0u8; 32])}})
    .to_string()
}

/// A v3 bundle referrer of `image` holding `bundle`.
pub fn add_bundle_bytes(l: &mut Layout, image: &Value, bundle: &[u8]) {
    let config = l.blob("application/vnd.oci.empty.v1+json", b"{}");
    let layer = l.blob("application/vnd.dev.sigstore.bundle.v0.3+json", bundle);
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "config": config, "layers": [layer], "subject": image});
    let desc = l.blob(
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    l.list(&desc, json!({}));
}

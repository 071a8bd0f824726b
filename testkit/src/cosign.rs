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
    dir: tempfile::TempDir,
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
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(
            dir.path().join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        Layout {
            dir,
            index: Vec::new(),
        }
    }

    pub fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let d = sha(bytes);
        std::fs::write(self.dir.path().join("blobs/sha256").join(&d[7..]), bytes).unwrap();
        json!({"mediaType": media_type, "digest": d, "size": bytes.len()})
    }

    /// The bytes of a blob written earlier.
    pub fn read(&self, digest: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join("blobs/sha256").join(&digest[7..])).unwrap()
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
        let config = self.blob("application/vnd.oci.image.config.v1+json", b"{}");
        let layer = self.blob("application/vnd.oci.image.layer.v1.tar", b"layer bytes");
        let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config, "layers": [layer]});
        let desc = self.blob(
            "application/vnd.oci.image.manifest.v1+json",
            &serde_json::to_vec(&m).unwrap(),
        );
        self.list(&desc, json!({"org.opencontainers.image.ref.name": "v1"}));
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
        self.dir.path()
    }

    /// Write `index.json`.
    pub fn write(&self) {
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": self.index});
        std::fs::write(
            self.dir.path().join("index.json"),
            serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
    }

    /// Write `index.json` and read the layout back as the verifier does.
    pub fn finish(&self) -> Graph {
        self.write();
        let limits = Limits::default();
        let b = read_bundle(
            &Source::Path(self.dir.path().into()),
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
    let config = l.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let mut layer = l.blob("application/vnd.dev.cosign.simplesigning.v1+json", payload);
    layer["annotations"] =
        json!({"dev.cosignproject.cosign/signature": B64.encode(signer.sign(payload))});
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
    let statement = serde_json::to_vec(&json!({"_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/app", "digest": {"sha256": &subject_digest[7..]}}],
        "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}}))
    .unwrap();
    let pae = airgap_verify::attest::dsse::pae(b"application/vnd.in-toto+json", &statement);
    let sig = signer.sign(&pae);
    let mut payload = statement.clone();
    if tamper {
        payload.extend_from_slice(b" ");
    }
    let bundle = serde_json::to_vec(&json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": ""}},
        "dsseEnvelope": {"payload": B64.encode(&payload), "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": B64.encode(sig), "keyid": ""}]}}))
    .unwrap();
    add_bundle_bytes(l, image, &bundle);
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

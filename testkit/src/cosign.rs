//! OCI layouts for cosign tests, in the shapes `cosign save` and `oras copy -r
//! --to-oci-layout` write: blobs by digest, `index.json` entries with their annotations.

use airgap_verify::bundle::{read_bundle, ProgressSink, Source};
use airgap_verify::limits::Limits;
use airgap_verify::oci::Graph;
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

    pub fn finish(&self) -> Graph {
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": self.index});
        std::fs::write(
            self.dir.path().join("index.json"),
            serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
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

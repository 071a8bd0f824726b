//! Storing an attestation in an OCI image-layout folder as a referrer of the image it is about:
//! an image manifest with `artifactType` `application/vnd.dsse.envelope.v1+json`, the empty JSON
//! config, one layer holding the envelope, and `subject` = the image; listed (untagged) in
//! `index.json`. Existing blobs are never modified; new blobs and `index.json` are written
//! through a temporary file and a rename, so a failure leaves the bundle as it was (at worst with
//! an unreferenced new blob).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::attest::dsse::DSSE_ENVELOPE_MEDIA_TYPE;
use crate::attest::vsa::VSA_PREDICATE_TYPE;
use crate::attest::{read_limited, write_atomically, AttestError};
use crate::digest::{Algorithm, Descriptor, Digest};
use crate::oci::{Graph, EMPTY_JSON, IMAGE_MANIFEST};

/// The layer annotation naming the predicate type of the attestation.
pub const PREDICATE_TYPE_ANNOTATION: &str = "in-toto.io/predicate-type";

/// Store `envelope_json` in the layout folder `layout_dir` as a referrer of `subject`; returns
/// the descriptor of the new manifest. Attaching the same envelope twice lists it once.
pub fn attach(
    layout_dir: &Path,
    subject: &Descriptor,
    envelope_json: &[u8],
) -> Result<Descriptor, AttestError> {
    let layout_err = |reason: String| AttestError::Layout {
        path: layout_dir.to_path_buf(),
        reason,
    };
    if !layout_dir.is_dir() {
        return Err(layout_err(if layout_dir.exists() {
            "it is a file (a tar bundle?); attestations can only be attached to an OCI image-layout folder: extract the bundle into a folder, or keep the attestation as a separate file".into()
        } else {
            "no such folder".into()
        }));
    }
    if !layout_dir.join("oci-layout").is_file() {
        return Err(layout_err(
            "it has no oci-layout file, so it is not an OCI image layout".into(),
        ));
    }
    let index_path = layout_dir.join("index.json");
    let index_bytes = read_limited(&index_path, crate::limits::MAX_JSON_BLOB)?;
    let mut index: Value = serde_json::from_slice(&index_bytes)
        .map_err(|e| layout_err(format!("index.json is not JSON: {e}")))?;

    let envelope = put_blob(layout_dir, envelope_json)?;
    let config = put_blob(layout_dir, b"{}")?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "artifactType": DSSE_ENVELOPE_MEDIA_TYPE,
        "config": {
            "mediaType": EMPTY_JSON,
            "digest": config.to_string(),
            "size": 2,
        },
        "layers": [{
            "mediaType": DSSE_ENVELOPE_MEDIA_TYPE,
            "digest": envelope.to_string(),
            "size": envelope_json.len(),
            "annotations": { PREDICATE_TYPE_ANNOTATION: VSA_PREDICATE_TYPE },
        }],
        "subject": subject,
    });
    let manifest_bytes =
        serde_json::to_vec(&manifest).map_err(|e| layout_err(format!("manifest JSON: {e}")))?;
    let manifest_digest = put_blob(layout_dir, &manifest_bytes)?;
    let descriptor = Descriptor {
        media_type: IMAGE_MANIFEST.to_string(),
        digest: manifest_digest,
        size: manifest_bytes.len() as u64,
    };

    let manifests = index
        .get_mut("manifests")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| layout_err("index.json has no \"manifests\" array".into()))?;
    let digest_str = descriptor.digest.to_string();
    let listed = manifests
        .iter()
        .any(|m| m.get("digest").and_then(Value::as_str) == Some(digest_str.as_str()));
    if !listed {
        manifests.push(json!({
            "mediaType": descriptor.media_type,
            "digest": digest_str,
            "size": descriptor.size,
            "artifactType": DSSE_ENVELOPE_MEDIA_TYPE,
        }));
        let bytes =
            serde_json::to_vec(&index).map_err(|e| layout_err(format!("index.json: {e}")))?;
        write_atomically(&index_path, &bytes)?;
    }
    Ok(descriptor)
}

/// Write a blob under `blobs/sha256/` unless it is already there; an existing file must have the
/// same content (it is never rewritten).
fn put_blob(layout_dir: &Path, bytes: &[u8]) -> Result<Digest, AttestError> {
    let digest = Algorithm::Sha256.digest(bytes);
    let path: PathBuf = layout_dir.join(digest.blob_path());
    if path.exists() {
        let existing = read_limited(&path, bytes.len() as u64)
            .map_err(|_| AttestError::ExistingBlobDiffers { path: path.clone() })?;
        if existing != bytes {
            return Err(AttestError::ExistingBlobDiffers { path });
        }
        return Ok(digest);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AttestError::Write {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    write_atomically(&path, bytes)?;
    Ok(digest)
}

/// The DSSE envelopes attached to the image `subject` in a bundle: every referrer with
/// `artifactType` [`DSSE_ENVELOPE_MEDIA_TYPE`] whose first layer is a DSSE envelope held in
/// memory, in the graph's referrer order. Returns (referrer manifest digest, envelope bytes).
pub fn attached_envelopes(graph: &Graph, subject: &Digest) -> Vec<(Digest, Arc<[u8]>)> {
    let mut out = Vec::new();
    for r in graph.referrers(subject) {
        if r.artifact_type.as_deref() != Some(DSSE_ENVELOPE_MEDIA_TYPE) {
            continue;
        }
        let Some(manifest) = graph.blob(&r.descriptor.digest) else {
            continue;
        };
        let Ok(manifest) = serde_json::from_slice::<Value>(&manifest) else {
            continue;
        };
        let layer = manifest
            .pointer("/layers/0")
            .filter(|l| {
                l.get("mediaType").and_then(Value::as_str) == Some(DSSE_ENVELOPE_MEDIA_TYPE)
            })
            .and_then(|l| l.get("digest"))
            .and_then(Value::as_str)
            .and_then(|s| Digest::parse(s).ok());
        if let Some(envelope) = layer.and_then(|d| graph.blob(&d)) {
            out.push((r.descriptor.digest.clone(), envelope));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> (tempfile::TempDir, Descriptor) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        let image = br#"{"schemaVersion":2}"#;
        let d = Algorithm::Sha256.digest(image);
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(dir.path().join(d.blob_path()), image).unwrap();
        let subject = Descriptor {
            media_type: IMAGE_MANIFEST.into(),
            digest: d,
            size: image.len() as u64,
        };
        let index = json!({"schemaVersion": 2, "manifests": [
            {"mediaType": IMAGE_MANIFEST, "digest": subject.digest.to_string(), "size": subject.size,
             "annotations": {"org.opencontainers.image.ref.name": "v1"}}]});
        std::fs::write(
            dir.path().join("index.json"),
            serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
        (dir, subject)
    }

    #[test]
    fn attach_writes_referrer_and_lists_it_once() {
        let (dir, subject) = layout();
        let env = br#"{"payloadType":"x","payload":"","signatures":[{"sig":""}]}"#;
        let d1 = attach(dir.path(), &subject, env).unwrap();
        let d2 = attach(dir.path(), &subject, env).unwrap();
        assert_eq!(d1, d2);
        let index: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
        let manifests = index["manifests"].as_array().unwrap();
        assert_eq!(manifests.len(), 2);
        assert_eq!(
            manifests[0]["annotations"]["org.opencontainers.image.ref.name"],
            "v1"
        );
        assert!(manifests[1].get("annotations").is_none(), "untagged");
        let m: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(d1.digest.blob_path())).unwrap())
                .unwrap();
        assert_eq!(m["artifactType"], DSSE_ENVELOPE_MEDIA_TYPE);
        assert_eq!(m["subject"]["digest"], subject.digest.to_string());
        assert_eq!(
            m["config"]["digest"],
            Algorithm::Sha256.digest(b"{}").to_string()
        );
        // Every blob's name is its digest.
        for e in std::fs::read_dir(dir.path().join("blobs/sha256")).unwrap() {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            assert_eq!(
                Algorithm::Sha256.digest(&bytes).hex(),
                e.file_name().to_str().unwrap()
            );
        }
        // The bundle is intact and the graph finds the attestation among the referrers.
        let limits = crate::limits::Limits::default();
        let bundle = crate::bundle::read_bundle(
            &crate::bundle::Source::Path(dir.path().to_path_buf()),
            &limits,
            &crate::bundle::ProgressSink::none(),
        )
        .unwrap();
        let graph = Graph::build(&bundle, &limits).unwrap();
        assert!(!graph.integrity().is_damaged(), "{:?}", graph.integrity());
        assert!(graph.integrity().unreferenced.is_empty());
        assert_eq!(graph.images().len(), 1, "the referrer is not an image");
        let found = attached_envelopes(&graph, &subject.digest);
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].1, env);
        let other = Algorithm::Sha256.digest(b"other");
        assert!(attached_envelopes(&graph, &other).is_empty());
    }

    #[test]
    fn attach_refuses_files_and_non_layouts() {
        let (dir, subject) = layout();
        let file = dir.path().join("oci-layout");
        let err = attach(&file, &subject, b"{}").unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        let err = attach(empty.path(), &subject, b"{}").unwrap_err();
        assert!(err.to_string().contains("oci-layout"), "{err}");
        assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
    }

    #[test]
    fn attach_never_rewrites_a_differing_blob() {
        let (dir, subject) = layout();
        let env = b"envelope";
        let d = Algorithm::Sha256.digest(env);
        std::fs::write(dir.path().join(d.blob_path()), b"tampered").unwrap();
        let before = std::fs::read(dir.path().join("index.json")).unwrap();
        let err = attach(dir.path(), &subject, env).unwrap_err();
        assert!(matches!(err, AttestError::ExistingBlobDiffers { .. }));
        assert_eq!(
            std::fs::read(dir.path().join(d.blob_path())).unwrap(),
            b"tampered"
        );
        assert_eq!(
            std::fs::read(dir.path().join("index.json")).unwrap(),
            before
        );
    }
}

//! Storing an attestation in an OCI image-layout folder as a referrer of the image it is about:
//! an image manifest with `artifactType` `application/vnd.dsse.envelope.v1+json`, the empty JSON
//! config, one layer holding the envelope, and `subject` = the image; listed (untagged) in
//! `index.json`. Existing blobs are never modified; new blobs and `index.json` are written
//! through a temporary file in the layout root and a rename, so a failure or a kill leaves the
//! bundle as it was (at worst with an unreferenced new blob, and a temporary file in the root that
//! the next attach removes). An advisory lock on `.airgap-verify.lock` in the layout makes
//! concurrent attaches take turns, each merging into the `index.json` the previous one wrote.
//!
//! The same envelope is also stored the way cosign stores attestations, so that `cosign
//! verify-attestation` (and Kyverno) find it once the layout is pushed: an image manifest tagged
//! `sha256-<hex>.att` in `index.json` (the image digest with `:` replaced by `-`), whose config
//! is an OCI image config and whose layers are DSSE envelopes (`application/vnd.dsse.envelope.v1+json`)
//! each with an empty `dev.cosignproject.cosign/signature` annotation (cosign reads the raw layer
//! bytes as the envelope and refuses a layer without that annotation) and a `predicateType`
//! annotation. A later attach adds its layer to the layers of the existing `.att` manifest and
//! moves the tag to the new manifest, as `cosign attest` appends.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::attest::dsse::DSSE_ENVELOPE_MEDIA_TYPE;
use crate::attest::vsa::VSA_PREDICATE_TYPE;
use crate::attest::{read_limited, write_atomically_via, AttestError};
use crate::digest::{Algorithm, Descriptor, Digest};
use crate::oci::{Graph, EMPTY_JSON, IMAGE_MANIFEST, REF_NAME};

/// The layer annotation naming the predicate type of the attestation.
pub const PREDICATE_TYPE_ANNOTATION: &str = "in-toto.io/predicate-type";
/// cosign's signature annotation; empty on attestation layers (the signature is in the envelope).
pub const COSIGN_SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// cosign's predicate type annotation on attestation layers.
pub const COSIGN_PREDICATE_TYPE_ANNOTATION: &str = "predicateType";
/// The config media type of cosign's signature and attestation manifests.
pub const OCI_IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// Most earlier attestation layers carried over into a new cosign `.att` manifest.
const MAX_COSIGN_LAYERS: usize = 1000;

/// The tag cosign stores the attestations of `subject` under: `sha256-<hex>.att`.
pub fn cosign_attestation_tag(subject: &Digest) -> String {
    format!("{}.att", subject.referrers_tag())
}

/// Why cosign could not check attestations signed by `key`, if it could not: cosign loads a
/// public key with SHA-256 for every ECDSA curve and checks RSA with PKCS #1 v1.5, so an RSA-PSS
/// or an ECDSA P-384 (SHA-384) signature does not verify there. ECDSA P-256 and Ed25519 do.
pub fn cosign_cannot_check(key: &crate::attest::SigningKey) -> Option<String> {
    use crate::pki::crypto::KeyType;
    match key.key_type() {
        KeyType::P256 | KeyType::Ed25519 => None,
        KeyType::Rsa { .. } => Some(format!(
            "the attestation key is {}: its signatures are RSA-PSS, which cosign verify-attestation does not accept (it checks RSA with PKCS #1 v1.5); the cosign-style .att tag is written anyway. Use an ECDSA P-256 key for cosign and Kyverno",
            key.describe()
        )),
        KeyType::P384 | KeyType::P521 => Some(
            "the attestation key is EC P-384: its signatures are over SHA-384, and cosign verify-attestation checks ECDSA over SHA-256; the cosign-style .att tag is written anyway. Use an ECDSA P-256 key for cosign and Kyverno".to_string(),
        ),
    }
}

/// Store `envelope_json` in the layout folder `layout_dir` as a referrer of `subject`; returns
/// the descriptor of the new manifest. Attaching the same envelope twice lists it once.
pub fn attach(
    layout_dir: &Path,
    subject: &Descriptor,
    envelope_json: &[u8],
) -> Result<Descriptor, AttestError> {
    let layout = check_layout_is_writable(layout_dir)?;
    // One attach at a time per layout: index.json is re-read, merged and replaced under the lock.
    let lock = lock_layout(&layout)?;
    remove_stale_temporaries(&layout);
    let result = attach_locked(&layout, subject, envelope_json);
    drop(lock);
    result
}

/// The lock file in the layout folder that serialises `--attach` runs.
pub const LOCK_FILE: &str = ".airgap-verify.lock";

/// Take the advisory lock of the layout (blocking until another attach is done).
fn lock_layout(layout: &Path) -> Result<std::fs::File, AttestError> {
    let path = layout.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| AttestError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    file.lock().map_err(|e| AttestError::Write {
        path,
        reason: format!("cannot lock it: {e}"),
    })?;
    Ok(file)
}

/// Temporary files of an earlier attach that was killed (only ever in the layout root).
fn remove_stale_temporaries(layout: &Path) {
    let Ok(entries) = std::fs::read_dir(layout) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(super::TEMP_PREFIX)
            && name.ends_with(super::TEMP_SUFFIX)
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Check, before anything is written anywhere, that `--attach` may write into `layout_dir`: an
/// OCI layout folder whose `blobs/`, `blobs/sha256/`, `index.json` and `oci-layout` are not
/// symbolic links and resolve inside it, and which is writable. Returns the folder's canonical
/// path.
pub fn check_layout_is_writable(layout_dir: &Path) -> Result<PathBuf, AttestError> {
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
    let root = layout_dir
        .canonicalize()
        .map_err(|e| layout_err(e.to_string()))?;
    for (rel, required) in [
        ("oci-layout", true),
        ("index.json", true),
        ("blobs", false),
        ("blobs/sha256", false),
    ] {
        let path = root.join(rel);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(_) if !required => continue,
            Err(_) if rel == "oci-layout" => {
                return Err(layout_err(
                    "it has no oci-layout file, so it is not an OCI image layout".into(),
                ))
            }
            Err(e) => return Err(layout_err(format!("{rel}: {e}"))),
        };
        if meta.file_type().is_symlink() {
            return Err(layout_err(format!(
                "{rel} is a symbolic link; attaching writes only inside the layout folder"
            )));
        }
        let inside = path.canonicalize().is_ok_and(|p| p.starts_with(&root));
        if !inside {
            return Err(layout_err(format!(
                "{rel} resolves outside the layout folder"
            )));
        }
    }
    for rel in [".", "blobs/sha256"] {
        let path = root.join(rel);
        if std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(layout_err(format!(
                "{} is read-only",
                if rel == "." { "the folder" } else { rel }
            )));
        }
    }
    // The folder itself must take new files (temporary files are written there, never in blobs/).
    tempfile::Builder::new()
        .prefix(super::TEMP_PREFIX)
        .suffix(super::TEMP_SUFFIX)
        .tempfile_in(&root)
        .map_err(|e| layout_err(format!("cannot write in it: {e}")))?;
    Ok(root)
}

/// [`attach`] once the layout is checked and locked.
fn attach_locked(
    layout_dir: &Path,
    subject: &Descriptor,
    envelope_json: &[u8],
) -> Result<Descriptor, AttestError> {
    let layout_err = |reason: String| AttestError::Layout {
        path: layout_dir.to_path_buf(),
        reason,
    };
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

    let cosign = put_cosign_manifest(layout_dir, &index, subject, envelope_json, &envelope)?;
    let manifests = index
        .get_mut("manifests")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| layout_err("index.json has no \"manifests\" array".into()))?;
    let before = manifests.clone();
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
    }
    // The `.att` tag names the new cosign manifest only.
    let tag = cosign_attestation_tag(&subject.digest);
    manifests.retain(|m| {
        m.pointer("/annotations/org.opencontainers.image.ref.name")
            .and_then(Value::as_str)
            != Some(tag.as_str())
    });
    manifests.push(json!({
        "mediaType": IMAGE_MANIFEST,
        "digest": cosign.digest.to_string(),
        "size": cosign.size,
        "annotations": { REF_NAME: tag },
    }));
    if *manifests != before {
        let bytes =
            serde_json::to_vec(&index).map_err(|e| layout_err(format!("index.json: {e}")))?;
        write_atomically_via(&index_path, layout_dir, &bytes)?;
    }
    Ok(descriptor)
}

/// Write the cosign-style attestation manifest of `subject`: the layers of the manifest the
/// `.att` tag names now (if it is one of ours: DSSE layers only), and the new envelope's layer
/// unless it is already among them.
fn put_cosign_manifest(
    layout_dir: &Path,
    index: &Value,
    subject: &Descriptor,
    envelope_json: &[u8],
    envelope: &Digest,
) -> Result<Descriptor, AttestError> {
    let tag = cosign_attestation_tag(&subject.digest);
    let mut layers: Vec<Value> = index
        .get("manifests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| {
            m.pointer("/annotations/org.opencontainers.image.ref.name")
                .and_then(Value::as_str)
                == Some(tag.as_str())
        })
        .filter_map(|m| m.get("digest").and_then(Value::as_str))
        .filter_map(|d| Digest::parse(d).ok())
        .filter_map(|d| {
            read_limited(
                &layout_dir.join(d.blob_path()),
                crate::limits::MAX_JSON_BLOB,
            )
            .ok()
        })
        .filter_map(|b| serde_json::from_slice::<Value>(&b).ok())
        .filter_map(|m| m.get("layers").and_then(Value::as_array).cloned())
        .next_back()
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.get("mediaType").and_then(Value::as_str) == Some(DSSE_ENVELOPE_MEDIA_TYPE))
        .take(MAX_COSIGN_LAYERS)
        .collect();
    let envelope_str = envelope.to_string();
    if !layers
        .iter()
        .any(|l| l.get("digest").and_then(Value::as_str) == Some(envelope_str.as_str()))
    {
        layers.push(json!({
            "mediaType": DSSE_ENVELOPE_MEDIA_TYPE,
            "digest": envelope_str,
            "size": envelope_json.len(),
            "annotations": {
                COSIGN_SIGNATURE_ANNOTATION: "",
                COSIGN_PREDICATE_TYPE_ANNOTATION: VSA_PREDICATE_TYPE,
            },
        }));
    }
    let diff_ids: Vec<Value> = layers
        .iter()
        .filter_map(|l| l.get("digest").cloned())
        .collect();
    let config = json!({
        "architecture": "",
        "os": "",
        "config": {},
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    });
    let layout_err = |reason: String| AttestError::Layout {
        path: layout_dir.to_path_buf(),
        reason,
    };
    let config_bytes =
        serde_json::to_vec(&config).map_err(|e| layout_err(format!("config JSON: {e}")))?;
    let config_digest = put_blob(layout_dir, &config_bytes)?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "config": {
            "mediaType": OCI_IMAGE_CONFIG,
            "digest": config_digest.to_string(),
            "size": config_bytes.len(),
        },
        "layers": layers,
    });
    let bytes =
        serde_json::to_vec(&manifest).map_err(|e| layout_err(format!("manifest JSON: {e}")))?;
    let digest = put_blob(layout_dir, &bytes)?;
    Ok(Descriptor {
        media_type: IMAGE_MANIFEST.to_string(),
        digest,
        size: bytes.len() as u64,
    })
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
    // The temporary file lives in the layout root, never in blobs/: a kill leaves no stray
    // file where a reader looks for blobs.
    write_atomically_via(&path, layout_dir, bytes)?;
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
        assert_eq!(manifests.len(), 3, "image, referrer, cosign .att");
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

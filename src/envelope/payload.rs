//! The signed payload `application/vnd.cncf.notary.payload.v1+json` (NOTATION.md §2): the
//! descriptor of the signed artifact.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::EnvelopeError;
use crate::digest::{Descriptor, Digest};

/// The Notation payload: `{"targetArtifact": <OCI descriptor>}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// What was signed.
    pub target_artifact: TargetArtifact,
}

/// The signed artifact's descriptor as the signer wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetArtifact {
    /// `mediaType` (required).
    pub media_type: String,
    /// `digest` (required), as written; [`TargetArtifact::descriptor`] validates it.
    pub digest: String,
    /// `size` (required).
    pub size: u64,
    /// `annotations`: user metadata (`notation sign --user-metadata`).
    pub annotations: BTreeMap<String, String>,
    /// `artifactType` (specification 1.1 and later).
    pub artifact_type: Option<String>,
}

/// The member names of the payload and of its descriptor.
const PAYLOAD_MEMBER_NAMES: &[&str] = &[
    "targetArtifact",
    "mediaType",
    "digest",
    "size",
    "annotations",
    "artifactType",
    "urls",
    "data",
    "platform",
];

#[derive(Deserialize)]
struct RawPayload {
    #[serde(rename = "targetArtifact")]
    target_artifact: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawTarget {
    #[serde(rename = "mediaType")]
    media_type: Option<String>,
    digest: Option<String>,
    size: Option<u64>,
    annotations: Option<BTreeMap<String, String>>,
    #[serde(rename = "artifactType")]
    artifact_type: Option<String>,
}

impl Payload {
    /// Parse payload bytes: a JSON object whose `targetArtifact` has `mediaType`, `digest` and
    /// `size` (NOTATION.md §2). Unknown members are ignored, as notation-go does.
    pub fn parse(bytes: &[u8]) -> Result<Payload, EnvelopeError> {
        let bad = |m: String| EnvelopeError::BadPayload(m);
        // notation-go decodes the payload with Go's encoding/json: a member it would read as
        // `targetArtifact` or one of the descriptor's fields must be spelled exactly so.
        crate::json_fold::check_member_names(bytes, PAYLOAD_MEMBER_NAMES, &["annotations"])
            .map_err(bad)?;
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        if !value.is_object() {
            return Err(bad("the payload must be a JSON object".into()));
        }
        let raw: RawPayload =
            serde_json::from_value(value).map_err(|e| bad(format!("targetArtifact: {e}")))?;
        let target = raw
            .target_artifact
            .ok_or_else(|| bad("\"targetArtifact\" is missing".into()))?;
        let raw: RawTarget = serde_json::from_value(serde_json::Value::Object(target))
            .map_err(|e| bad(format!("targetArtifact: {e}")))?;
        let missing = |f: &str| bad(format!("targetArtifact has no {f:?}"));
        Ok(Payload {
            target_artifact: TargetArtifact {
                media_type: raw.media_type.ok_or_else(|| missing("mediaType"))?,
                digest: raw.digest.ok_or_else(|| missing("digest"))?,
                size: raw.size.ok_or_else(|| missing("size"))?,
                annotations: raw.annotations.unwrap_or_default(),
                artifact_type: raw.artifact_type,
            },
        })
    }
}

impl TargetArtifact {
    /// The identifying fields (mediaType, digest, size) that notation-go compares with the target
    /// (`content.Equal`); the digest must be a valid OCI digest.
    pub fn descriptor(&self) -> Result<Descriptor, EnvelopeError> {
        let digest = Digest::parse(&self.digest)
            .map_err(|e| EnvelopeError::BadPayload(format!("targetArtifact digest: {e}")))?;
        Ok(Descriptor {
            media_type: self.media_type.clone(),
            digest,
            size: self.size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

    #[test]
    fn parses_full_payload() {
        let p = Payload::parse(
            format!(r#"{{"targetArtifact":{{"annotations":{{"purpose":"e2e"}},"artifactType":"a/b","digest":"{D}","mediaType":"application/vnd.oci.image.manifest.v1+json","size":517,"urls":[]}}}}"#)
                .as_bytes(),
        )
        .unwrap();
        let t = &p.target_artifact;
        assert_eq!(t.size, 517);
        assert_eq!(t.annotations["purpose"], "e2e");
        assert_eq!(t.artifact_type.as_deref(), Some("a/b"));
        let d = t.descriptor().unwrap();
        assert_eq!(d.digest.to_string(), D);
    }

    #[test]
    fn rejects_missing_fields_and_non_objects() {
        for bad in [
            "[]".to_string(),
            "\"x\"".to_string(),
            "{}".to_string(),
            r#"{"targetArtifact":[]}"#.to_string(),
            format!(r#"{{"targetArtifact":{{"digest":"{D}","size":1}}}}"#),
            r#"{"targetArtifact":{"mediaType":"m","size":1}}"#.to_string(),
            format!(r#"{{"targetArtifact":{{"mediaType":"m","digest":"{D}"}}}}"#),
            format!(r#"{{"targetArtifact":{{"mediaType":"m","digest":"{D}","size":-1}}}}"#),
            format!(r#"{{"targetArtifact":{{"mediaType":"m","digest":"{D}","size":"1"}}}}"#),
        ] {
            assert!(
                matches!(
                    Payload::parse(bad.as_bytes()),
                    Err(EnvelopeError::BadPayload(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_members_go_would_read_differently() {
        for (bad, member) in [
            (
                format!(
                    r#"{{"targetArtifact":{{"mediaType":"m","digest":"{D}","Digest":"{D}","size":1}}}}"#
                ),
                "targetArtifact.Digest",
            ),
            (
                format!(
                    r#"{{"targetArtifact":{{"mediaType":"m","digest":"{D}","ſize":1,"size":1}}}}"#
                ),
                "targetArtifact.ſize",
            ),
            (
                format!(r#"{{"TargetArtifact":{{"mediaType":"m","digest":"{D}","size":1}}}}"#),
                "TargetArtifact",
            ),
        ] {
            match Payload::parse(bad.as_bytes()) {
                Err(EnvelopeError::BadPayload(m)) => assert!(m.contains(member), "{m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn descriptor_rejects_bad_digest() {
        let t = TargetArtifact {
            media_type: "m".into(),
            digest: "sha256:XYZ".into(),
            size: 1,
            annotations: BTreeMap::new(),
            artifact_type: None,
        };
        assert!(t.descriptor().is_err());
    }
}

//! The JSON documents of an OCI layout, read leniently: one shape covers image manifests, OCI
//! artifact manifests, indexes and Docker v2 manifests and manifest lists. Unknown fields are
//! ignored; fields we rely on are type-checked (a digest must be a valid digest).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::digest::{Descriptor, Digest};

/// Docker image manifest v2 schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// ORAS artifact manifest (Notary v2 alpha); never a Notation signature today.
pub const ORAS_ARTIFACT_MANIFEST: &str = "application/vnd.cncf.oras.artifact.manifest.v1+json";

/// The platform of a manifest in an index.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Platform {
    /// CPU architecture (`amd64`, `arm64`, ...).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`, `windows`, ...).
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v8`, ...), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A descriptor as found in JSON, with the optional fields we use.
#[derive(Debug, Clone, Deserialize)]
pub struct RawDescriptor {
    /// The media type (may be absent in hostile input; then empty).
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// The content digest.
    pub digest: Digest,
    /// The content size in bytes.
    pub size: u64,
    /// `artifactType`, in index entries and subjects.
    #[serde(rename = "artifactType", default)]
    pub artifact_type: Option<String>,
    /// Annotations (tags, thumbprints, ...).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// The platform, in index entries.
    #[serde(default)]
    pub platform: Option<Platform>,
}

impl RawDescriptor {
    /// The three identifying fields.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.size,
        }
    }
}

/// A manifest or an index: which one is decided by [`is_index_media_type`] of its media type.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Document {
    /// The document's own `mediaType`, if it states one.
    #[serde(rename = "mediaType", default)]
    pub media_type: Option<String>,
    /// `artifactType` (image-spec 1.1 manifests and artifact manifests).
    #[serde(rename = "artifactType", default)]
    pub artifact_type: Option<String>,
    /// The config (image manifests).
    #[serde(default)]
    pub config: Option<RawDescriptor>,
    /// The layers (image manifests).
    #[serde(default)]
    pub layers: Vec<RawDescriptor>,
    /// The blobs (OCI and ORAS artifact manifests).
    #[serde(default)]
    pub blobs: Vec<RawDescriptor>,
    /// The manifests (indexes).
    #[serde(default)]
    pub manifests: Vec<RawDescriptor>,
    /// The subject: what this manifest refers to.
    #[serde(default)]
    pub subject: Option<RawDescriptor>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Is this media type an index (OCI image index or Docker manifest list)?
pub fn is_index_media_type(media_type: &str) -> bool {
    media_type == super::IMAGE_INDEX || media_type == DOCKER_MANIFEST_LIST
}

/// Is this media type a manifest (OCI image or artifact manifest, Docker v2, ORAS artifact)?
pub fn is_manifest_media_type(media_type: &str) -> bool {
    matches!(
        media_type,
        super::IMAGE_MANIFEST | super::ARTIFACT_MANIFEST | DOCKER_MANIFEST | ORAS_ARTIFACT_MANIFEST
    )
}

/// Deepest nesting of arrays and objects accepted in a manifest or index: real ones nest 4 deep.
pub const MAX_JSON_DEPTH: usize = 64;

/// A JSON document (manifest, index) must not nest arrays and objects deeper than `limit`.
/// Scans the bytes once, outside strings; no recursion.
pub fn json_nesting_is_within_limit(bytes: &[u8], limit: usize) -> Result<(), String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (pos, b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(format!(
                        "arrays and objects are nested more than {limit} deep (at byte {pos})"
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Every member name of the OCI and Docker documents a bundle carries (index, manifest,
/// descriptor, platform): a member that Go's `encoding/json` would read as one of these, but that
/// is not spelled exactly so, makes the document malformed.
pub const OCI_MEMBER_NAMES: &[&str] = &[
    "schemaVersion",
    "mediaType",
    "artifactType",
    "config",
    "layers",
    "blobs",
    "manifests",
    "subject",
    "annotations",
    "digest",
    "size",
    "urls",
    "data",
    "platform",
    "architecture",
    "os",
    "os.version",
    "os.features",
    "variant",
    "features",
];

impl Document {
    /// Parse JSON nested at most [`MAX_JSON_DEPTH`] deep (serde_json would skip deeper
    /// unknown fields; its recursion limit of 128 covers the rest), whose member names Go's
    /// `encoding/json` reads as we do ([`crate::json_fold::check_member_names`]).
    pub fn parse(bytes: &[u8]) -> Result<Document, String> {
        json_nesting_is_within_limit(bytes, MAX_JSON_DEPTH)?;
        crate::json_fold::check_member_names(bytes, OCI_MEMBER_NAMES, &["annotations"])?;
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    /// The media type to go by: the document's own, else the one it was listed with.
    pub fn effective_media_type<'a>(&'a self, listed: &'a str) -> &'a str {
        self.media_type.as_deref().unwrap_or(listed)
    }

    /// Artifact type = `artifactType`, else `config.mediaType` (older Notation form).
    pub fn artifact_type(&self) -> Option<&str> {
        self.artifact_type
            .as_deref()
            .filter(|a| !a.is_empty())
            .or_else(|| self.config.as_ref().map(|c| c.media_type.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_an_error_not_a_panic() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Document::parse(deep.as_bytes()).is_err());
        let nested_field = format!(
            "{{\"annotations\":{{}},\"x\":{}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(Document::parse(nested_field.as_bytes()).is_err());
        let nested_known = format!(
            "{{\"manifests\":{}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(Document::parse(nested_known.as_bytes()).is_err());
    }

    #[test]
    fn json_nesting_is_within_limit_ignores_brackets_in_strings() {
        let ok = format!("{{\"a\":\"{}\\\"\"}}", "[".repeat(100));
        assert!(json_nesting_is_within_limit(ok.as_bytes(), 2).is_ok());
        assert!(json_nesting_is_within_limit(b"[[[]]]", 2).is_err());
        assert!(json_nesting_is_within_limit(b"[[]]", 2).is_ok());
    }

    #[test]
    fn artifact_type_falls_back_to_config_media_type() {
        let d = Document::parse(
            br#"{"config":{"mediaType":"application/vnd.cncf.notary.signature","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}}"#,
        )
        .unwrap();
        assert_eq!(
            d.artifact_type(),
            Some("application/vnd.cncf.notary.signature")
        );
    }
}

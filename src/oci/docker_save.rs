//! The `manifest.json` of a `docker save` archive, checked against `index.json`. `docker load`
//! imports every entry of it (`Config`, `RepoTags`, `Layers`: blob paths, no manifest digest),
//! tagged or not, so each entry must be an image the index names, under names the index gives
//! to that image; otherwise a `docker load` on the far side imports something never verified.

use serde::Deserialize;

use super::digest::Digest;
use super::graph::Node;
use super::Image;
use crate::bundle::BundleError;

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// The member names docker reads from an entry (Go's `encoding/json`: folded spellings refused).
const MEMBER_NAMES: &[&str] = &["Config", "RepoTags", "Layers", "LayerSources", "Parent"];

/// Check every entry of `manifest_json` against the images of the index and the manifests they
/// hold.
pub(super) fn check(
    bundle: &str,
    manifest_json: &[u8],
    images: &[Image],
    nodes: &super::graph::Nodes,
) -> Result<(), BundleError> {
    let refuse = |entry: String, reason: String| BundleError::Ambiguous {
        bundle: bundle.to_string(),
        entry,
        reason,
    };
    super::model::json_nesting_is_within_limit(manifest_json, super::model::MAX_JSON_DEPTH)
        .and_then(|()| {
            crate::json_fold::check_member_names(manifest_json, MEMBER_NAMES, &["LayerSources"])
        })
        .map_err(|m| refuse("manifest.json".to_string(), m))?;
    let entries: Vec<Entry> = serde_json::from_slice(manifest_json).map_err(|e| {
        refuse(
            "manifest.json".to_string(),
            format!("it is not the JSON list `docker load` reads ({e})"),
        )
    })?;
    for (i, entry) in entries.iter().enumerate() {
        let what = format!("manifest.json entry {i} (Config {})", entry.config);
        let config = blob_digest(&entry.config)
            .ok_or_else(|| refuse(what.clone(), "its Config is not a blob path".to_string()))?;
        let layers: Option<Vec<Digest>> = entry.layers.iter().map(|l| blob_digest(l)).collect();
        let layers = layers
            .ok_or_else(|| refuse(what.clone(), "a Layers item is not a blob path".to_string()))?;
        let matching: Vec<&Image> = images
            .iter()
            .filter(|image| {
                image_manifests(image, nodes)
                    .iter()
                    .any(|n| manifest_is(n, &config, &layers))
            })
            .collect();
        if matching.is_empty() {
            return Err(refuse(
                what,
                "its config and layers are those of no image that index.json names; `docker load` would import an image never verified".to_string(),
            ));
        }
        for tag in entry.repo_tags.iter().flatten() {
            let wanted = normalize(tag);
            let named: Vec<&Image> = images
                .iter()
                .filter(|image| image_names(image).iter().any(|n| normalize(n) == wanted))
                .collect();
            if !named
                .iter()
                .any(|n| matching.iter().any(|m| std::ptr::eq(*n, *m)))
            {
                let reason = if named.is_empty() {
                    format!("its RepoTags {tag:?} is a name index.json gives to no image")
                } else {
                    format!(
                        "its RepoTags {tag:?} names {} in index.json, another image than the one its config and layers make",
                        named.iter().map(|n| n.descriptor.digest.to_string()).collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(refuse(what, reason));
            }
        }
    }
    Ok(())
}

/// `blobs/<alg>/<hex>` as a digest.
fn blob_digest(path: &str) -> Option<Digest> {
    let rest = path.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    Digest::parse(&format!("{alg}:{hex}")).ok()
}

/// The image manifests of an image: itself, or the manifests of its index.
fn image_manifests<'a>(image: &Image, nodes: &'a super::graph::Nodes) -> Vec<&'a Node> {
    let Some(node) = nodes.get(&image.descriptor.digest) else {
        return Vec::new();
    };
    if node.is_index {
        node.manifests
            .iter()
            .filter_map(|m| nodes.get(&m.digest).map(|n| &**n))
            .filter(|n| !n.is_index)
            .collect()
    } else {
        vec![node]
    }
}

/// Whether a manifest has this config and these layers, in order.
fn manifest_is(node: &Node, config: &Digest, layers: &[Digest]) -> bool {
    node.config_and_layers
        .as_ref()
        .is_some_and(|cl| cl.0.as_ref() == Some(config) && cl.1.as_slice() == layers)
}

/// The names index.json gives an image: its full names (a bare tag names no repository).
fn image_names(image: &Image) -> Vec<String> {
    image.full_names.clone()
}

/// A reference as docker reads it: `alpine:3` is `docker.io/library/alpine:3`, a name without
/// a tag has `:latest`.
fn normalize(reference: &str) -> String {
    let (name, tag) = match reference.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (reference, "latest"),
    };
    let mut parts: Vec<&str> = name.split('/').collect();
    let has_domain = parts.len() > 1
        && parts
            .first()
            .is_some_and(|d| d.contains('.') || d.contains(':') || *d == "localhost");
    if !has_domain {
        if parts.len() == 1 {
            parts.insert(0, "library");
        }
        parts.insert(0, "docker.io");
    }
    format!("{}:{tag}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_reads_names_as_docker_does() {
        assert_eq!(normalize("alpine:3"), "docker.io/library/alpine:3");
        assert_eq!(
            normalize("docker.io/library/alpine:3"),
            "docker.io/library/alpine:3"
        );
        assert_eq!(normalize("me/app"), "docker.io/me/app:latest");
        assert_eq!(normalize("localhost:5000/app:v1"), "localhost:5000/app:v1");
        assert_eq!(
            normalize("registry.example/team/app:v1"),
            "registry.example/team/app:v1"
        );
    }
}

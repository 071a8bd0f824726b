//! The OCI graph of a bundle: `index.json` -> indexes -> manifests, the images (tags), the
//! referrers of each manifest (by `subject`), and the integrity of the whole bundle.
//!
//! Public API (used by `verify`, `inspect`, `attest`):
//! - [`Graph::build`]: from a [`crate::bundle::Bundle`], check integrity and build the graph;
//! - [`Graph::integrity`]: per-blob problems, unreferenced blobs, counts;
//! - [`Graph::images`], [`Graph::resolve`]: the images and finding one by tag or digest;
//! - [`Graph::referrers`]: what refers to a manifest, however it was found;
//! - [`Graph::notation_signatures`]: the Notation signature candidates of a target, in the
//!   documented deterministic order;
//! - [`Graph::blob`]: the content of a small blob.

/// Digests and descriptors, also reachable here for code that names them by their OCI home.
pub use crate::digest;
mod docker_save;
mod graph;
mod integrity;
pub mod model;
mod signatures;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::digest::{Descriptor, Digest};

pub use graph::{CONTAINERD_NAME, REF_NAME};
pub use integrity::{Integrity, Problem, ProblemKind};
pub use model::Platform;

/// The artifact type of Notation signatures.
pub const NOTATION_SIGNATURE: &str = "application/vnd.cncf.notary.signature";
/// The empty config / empty JSON descriptor media type.
pub const EMPTY_JSON: &str = "application/vnd.oci.empty.v1+json";
/// OCI image manifest.
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI artifact manifest (image-spec 1.1 release candidates; still read by notation-go).
pub const ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
/// JWS signature envelope.
pub const JWS: &str = "application/jose+json";
/// COSE signature envelope.
pub const COSE: &str = "application/cose";
/// The annotation listing the certificate chain's SHA-256 thumbprints of a Notation signature.
pub const THUMBPRINT_ANNOTATION: &str = "io.cncf.notary.x509chain.thumbprint#S256";

/// An image of the bundle: something listed in `index.json` (or a nested index) that is not a
/// referrer of something else.
#[derive(Debug, Clone)]
pub struct Image {
    /// mediaType, digest and size as listed in `index.json` (what notation resolves).
    pub descriptor: Descriptor,
    /// Tags (`org.opencontainers.image.ref.name`, `io.containerd.image.name`).
    pub tags: Vec<String>,
    /// A full image name (`registry/repository[:tag]`) when an annotation gives one.
    pub full_name: Option<String>,
    /// Every full name given by annotations (the first is `full_name`).
    pub full_names: Vec<String>,
    /// `artifactType`, else `config.mediaType` (none for an index).
    pub artifact_type: Option<String>,
    /// For a multi-platform index: its manifests, with their platforms. Empty for a manifest.
    pub platforms: Vec<PlatformManifest>,
    /// Layers of the manifest (summed over the platforms of an index).
    pub layer_count: usize,
    /// Bytes of manifest, config and layers (summed over the platforms of an index).
    pub total_size: u64,
}

impl Image {
    /// The name for people: the full name, else the first tag, else the digest.
    pub fn reference(&self) -> String {
        self.full_name
            .clone()
            .or_else(|| self.tags.first().cloned())
            .unwrap_or_else(|| self.descriptor.digest.to_string())
    }
}

/// One manifest of a multi-platform index.
#[derive(Debug, Clone)]
pub struct PlatformManifest {
    /// The platform, as the index states it.
    pub platform: Option<Platform>,
    /// The manifest as listed in the index.
    pub descriptor: Descriptor,
    /// Its layers.
    pub layer_count: usize,
    /// Bytes of manifest, config and layers.
    pub size: u64,
}

/// How a referrer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Listing {
    /// Listed in `index.json` or a nested index.
    Index,
    /// Listed in a referrers index under the tag schema `sha256-<hex>`.
    TagSchema,
    /// A blob that parses as a manifest with a `subject`, listed nowhere (notation would not see
    /// it).
    Unlisted,
}

impl Listing {
    /// The name used in reports (`index`, `tag-schema`, `unlisted`).
    pub fn name(self) -> &'static str {
        match self {
            Listing::Index => "index",
            Listing::TagSchema => "tag-schema",
            Listing::Unlisted => "unlisted",
        }
    }
}

/// A manifest that refers to another through its `subject`.
#[derive(Debug, Clone)]
pub struct Referrer {
    /// The referrer manifest: its media type, digest and actual size.
    pub descriptor: Descriptor,
    /// `artifactType`, else `config.mediaType`.
    pub artifact_type: Option<String>,
    /// How it was found (the best way, when several).
    pub listing: Listing,
    /// Its `subject`.
    pub subject: Descriptor,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
}

/// Why a signature's envelope cannot be had from the bundle, in words, and the limit it exceeds
/// when that is the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EnvelopeUnavailable {
    /// What is wrong, for people.
    pub message: String,
    /// The limit exceeded, when one was.
    pub limit: Option<crate::limits::Limit>,
}

impl From<String> for EnvelopeUnavailable {
    fn from(message: String) -> Self {
        EnvelopeUnavailable {
            message,
            limit: None,
        }
    }
}

/// A Notation signature candidate among the referrers of a target.
#[derive(Debug, Clone)]
pub struct SignatureCandidate {
    /// The signature manifest.
    pub manifest: Descriptor,
    /// How the signature manifest was found.
    pub listing: Listing,
    /// The envelope: its media type (`application/jose+json`, `application/cose`, or anything
    /// else, which then fails integrity) and its bytes; or why it cannot be had (a manifest
    /// without exactly one layer, an envelope over the size limit).
    pub envelope: Result<(Descriptor, Arc<[u8]>), EnvelopeUnavailable>,
    /// The manifest's `io.cncf.notary.x509chain.thumbprint#S256` annotation, unverified.
    pub thumbprints: Vec<String>,
}

/// Why an image or its signatures cannot be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The bundle lists no image at all.
    #[error("the bundle holds no image (index.json lists no manifest that is not a referrer)")]
    NoImages,
    /// No reference was given and the bundle holds several images, or a tag names several.
    #[error("{reason}; choose one of: {}", .images.join(", "))]
    Ambiguous {
        /// Why a choice is needed.
        reason: String,
        /// The images, as `reference (digest)`.
        images: Vec<String>,
    },
    /// No image has this tag, name or digest.
    #[error("no image {reference:?} in the bundle; it holds: {}", .images.join(", "))]
    NotFound {
        /// The reference asked for.
        reference: String,
        /// The images, as `reference (digest)`.
        images: Vec<String>,
    },
    /// The target has more referrers than `Limits::max_referrers_per_image`.
    #[error("{digest} has {count} referrers, more than the limit of {limit}")]
    TooManyReferrers {
        /// The target.
        digest: String,
        /// How many referrers it has.
        count: u64,
        /// The limit.
        limit: u64,
    },
}

impl ResolveError {
    /// The limit this error met, if it is one.
    pub fn limit(&self) -> Option<crate::limits::Limit> {
        match self {
            ResolveError::TooManyReferrers { .. } => Some(crate::limits::Limit::ReferrersPerImage),
            _ => None,
        }
    }
}

/// The graph of a bundle. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    images: Vec<Image>,
    /// Tags of `index.json` that name no image by their structure (referrers tag indexes,
    /// cosign `.sig` / `.att` manifests), with the manifests or indexes they name.
    structural_tags: HashMap<String, Vec<Digest>>,
    /// Untagged entries of `index.json` in the shape `cosign save` writes signatures and
    /// attestations (no `subject`, only cosign layers): not images.
    cosign_untagged: Vec<Digest>,
    /// Those of `cosign_untagged` whose every layer is a simple-signing payload.
    untagged_simple_signing: Vec<Digest>,
    referrers: HashMap<Digest, Vec<Referrer>>,
    integrity: Integrity,
    contents: HashMap<Digest, Arc<[u8]>>,
    nodes: graph::Nodes,
}

impl Graph {
    /// The integrity report: problems per blob, unreferenced blobs, counts.
    pub fn integrity(&self) -> &Integrity {
        &self.integrity
    }

    /// The images, in `index.json` order.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// The manifests or indexes that `index.json` tags `tag` when the tag names no image by its
    /// structure: a referrers tag index (`sha256-<hex>`) or a cosign signature or attestation
    /// (`sha256-<hex>.sig` / `.att`). In `index.json` order.
    pub fn structurally_tagged(&self, tag: &str) -> Vec<&Digest> {
        self.structural_tags
            .get(tag)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The untagged cosign signature and attestation manifests of `index.json` (the `cosign
    /// save` shape: no `subject`, every layer of cosign's media types), in `index.json` order.
    /// They are not images.
    pub fn untagged_cosign_manifests(&self) -> &[Digest] {
        &self.cosign_untagged
    }

    /// Those of [`Graph::untagged_cosign_manifests`] whose every layer is a cosign
    /// simple-signing payload (`application/vnd.dev.cosign.simplesigning.v1+json`): the
    /// signatures, not the attestations. In `index.json` order.
    pub fn untagged_simple_signing_manifests(&self) -> &[Digest] {
        &self.untagged_simple_signing
    }

    /// Choose an image by tag, full name or digest (`sha256:...`, or `name@sha256:...`). With
    /// `None`, the bundle must hold exactly one image. Errors list the images.
    pub fn resolve(&self, reference: Option<&str>) -> Result<&Image, ResolveError> {
        let listing = || {
            self.images
                .iter()
                .map(|i| format!("{} ({})", i.reference(), i.descriptor.digest))
                .collect::<Vec<_>>()
        };
        let Some(reference) = reference else {
            return match self.images.as_slice() {
                [] => Err(ResolveError::NoImages),
                [one] => Ok(one),
                _ => Err(ResolveError::Ambiguous {
                    reason: format!("the bundle holds {} images", self.images.len()),
                    images: listing(),
                }),
            };
        };
        let digest = reference.rsplit_once('@').map_or(reference, |(_, d)| d);
        let matches: Vec<&Image> = match digest::Digest::parse(digest) {
            Ok(d) => self
                .images
                .iter()
                .filter(|i| i.descriptor.digest == d)
                .collect(),
            Err(_) => self
                .images
                .iter()
                .filter(|i| {
                    i.tags.iter().any(|t| t == reference)
                        || i.full_names.iter().any(|n| n == reference)
                })
                .collect(),
        };
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(ResolveError::NotFound {
                reference: reference.to_string(),
                images: listing(),
            }),
            _ => Err(ResolveError::Ambiguous {
                reason: format!("{reference:?} names {} images", matches.len()),
                images: listing(),
            }),
        }
    }

    /// The referrers of a manifest or index (any manifest whose `subject` has this digest), in
    /// the documented order: listed in an index first, then under the tag schema, then unlisted;
    /// within each, in the order the walk of `index.json` met them; ties by digest.
    pub fn referrers(&self, digest: &Digest) -> Vec<&Referrer> {
        self.referrers
            .get(digest)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The content of a blob kept in memory (at most `--max-json-blob` bytes) that is a referrer
    /// (a manifest with a `subject`), a cosign signature or attestation manifest, or a config,
    /// layer or blob of one: what signatures and attestations are read from. The build reads
    /// image manifests, indexes and their configs and layers and keeps only what it needs of
    /// them.
    pub fn blob(&self, digest: &Digest) -> Option<Arc<[u8]>> {
        self.contents.get(digest).cloned()
    }
}

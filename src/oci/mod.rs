//! The OCI graph of a bundle: `index.json` -> indexes -> manifests, the images (tags), the
//! referrers of each manifest (by `subject`), and the integrity of the whole bundle.
//!
//! Public API (used by `verify`, `inspect`, `attest`):
//! - [`Graph::build`]: from a [`crate::bundle::Bundle`], check integrity and build the graph;
//! - [`Graph::images`], [`Graph::resolve`]: the images and finding one by tag or digest;
//! - [`Graph::notation_signatures`]: the Notation signature candidates of a target, in the
//!   documented deterministic order.

pub mod digest;

use std::sync::Arc;

use crate::oci::digest::Descriptor;

/// The artifact type of Notation signatures.
pub const NOTATION_SIGNATURE: &str = "application/vnd.cncf.notary.signature";
/// The empty config / empty JSON descriptor media type.
pub const EMPTY_JSON: &str = "application/vnd.oci.empty.v1+json";
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
pub const JWS: &str = "application/jose+json";
pub const COSE: &str = "application/cose";

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
}

/// How a referrer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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

/// A Notation signature candidate among the referrers of a target.
#[derive(Debug, Clone)]
pub struct SignatureCandidate {
    /// The signature manifest.
    pub manifest: Descriptor,
    pub listing: Listing,
    /// The envelope: its media type (`application/jose+json`, `application/cose`, or anything
    /// else, which then fails integrity) and its bytes; or why it cannot be had (a manifest
    /// without exactly one layer, an envelope over the size limit).
    pub envelope: Result<(Descriptor, Arc<[u8]>), String>,
    /// The manifest's `io.cncf.notary.x509chain.thumbprint#S256` annotation, unverified.
    pub thumbprints: Vec<String>,
}

/// The graph of a bundle. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Graph {}

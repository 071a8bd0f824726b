//! The report of `inspect`: what a bundle holds (images, referrers, Notation and cosign
//! signatures) and whether every blob is intact, rendered as text or JSON (version 1) from the
//! same values.

use serde::Serialize;

use super::text::one_line;
use crate::bundle::Bundle;
use crate::cosign::unverified::{self, CosignSummary};
use crate::digest::{Descriptor, Digest};
use crate::limits::Limits;
use crate::oci::{Graph, Image, Integrity, Referrer, SignatureCandidate, COSE, JWS};

/// The signer's subject and the signing time of an envelope, read without verifying anything,
/// for display only (labelled "unverified"). `None` when they cannot be read.
pub fn unverified_signer_summary(media_type: &str, envelope: &[u8]) -> Option<(String, String)> {
    crate::envelope::unverified_summary(media_type, envelope, &crate::limits::Limits::default())
}

/// What `inspect` reports, rendered as text or JSON from the same values.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// Version of the JSON shape (1).
    pub version: u32,
    /// The bundle and its integrity.
    pub bundle: BundleSummary,
    /// The images, in `index.json` order.
    pub images: Vec<ImageSummary>,
}

/// The bundle and its integrity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleSummary {
    /// The path, or `<stdin>`.
    pub name: String,
    /// `directory`, `tar`, `tar-gzip` or `tar-zstd`.
    pub format: &'static str,
    /// `intact` or `damaged`.
    pub status: &'static str,
    /// Counts, problems per blob and unreferenced blobs.
    pub integrity: Integrity,
    /// Files ignored and similar remarks.
    pub notes: Vec<String>,
}

/// One image.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageSummary {
    /// The full name, else the first tag, else the digest.
    pub reference: String,
    /// All tags.
    pub tags: Vec<String>,
    /// Full names (`registry/repository[:tag]`) given by annotations.
    pub full_names: Vec<String>,
    /// The manifest or index digest.
    pub digest: Digest,
    /// Its media type as listed in `index.json`.
    pub media_type: String,
    /// Its size as listed.
    pub size: u64,
    /// `artifactType`, else `config.mediaType`.
    pub artifact_type: Option<String>,
    /// Layers (summed over platforms).
    pub layers: usize,
    /// Bytes of manifests, configs and layers.
    pub total_size: u64,
    /// The platform manifests of a multi-platform index.
    pub platforms: Vec<PlatformSummary>,
    /// What refers to this image.
    pub referrers: Vec<ReferrerSummary>,
    /// Why its signatures could not be listed (too many referrers), if so.
    pub error: Option<String>,
}

/// One platform manifest of an index.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformSummary {
    /// `os/architecture[/variant]`, or `unknown`.
    pub platform: String,
    /// The manifest digest.
    pub digest: Digest,
    /// Its layers.
    pub layers: usize,
    /// Bytes of manifest, config and layers.
    pub size: u64,
    /// What refers to this manifest.
    pub referrers: Vec<ReferrerSummary>,
}

/// One referrer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferrerSummary {
    /// The referrer manifest digest.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
    /// `artifactType`, else `config.mediaType`.
    pub artifact_type: Option<String>,
    /// `index`, `tag-schema` or `unlisted`; for cosign v2 signature manifests (which have no
    /// `subject`), `cosign-tag` (the `sha256-<hex>.sig` tag) or `cosign-untagged` (the shape
    /// `cosign save` writes).
    pub listing: &'static str,
    /// Set when the referrer is a Notation signature.
    pub signature: Option<SignatureSummary>,
    /// Set when the referrer is a cosign signature manifest or Sigstore bundle (unverified).
    pub cosign: Option<CosignSummary>,
}

/// A Notation signature, unverified.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureSummary {
    /// `jws`, `cose`, or `unknown` (by the envelope layer's media type).
    pub envelope: &'static str,
    /// The envelope layer's media type, when there is one layer.
    pub envelope_media_type: Option<String>,
    /// Why the envelope cannot be had, if so.
    pub error: Option<String>,
    /// The leaf certificate's subject, UNVERIFIED.
    pub unverified_signer: Option<String>,
    /// The signing time, UNVERIFIED.
    pub unverified_signing_time: Option<String>,
    /// The certificate thumbprints annotated on the manifest, UNVERIFIED.
    pub thumbprints: Vec<String>,
}

impl InspectReport {
    /// Gather the report from a bundle and its graph.
    pub fn new(bundle: &Bundle, graph: &Graph, limits: &Limits) -> InspectReport {
        let integrity = graph.integrity().clone();
        let mut notes = bundle.notes.clone();
        let (v2, unplaced) = cosign_v2_signatures(graph, limits);
        notes.extend(unplaced.into_iter().map(|d| {
            format!(
                "the untagged cosign signature manifest {d} is listed under no image: its payloads name no image of the bundle without a .sig tag"
            )
        }));
        InspectReport {
            version: 1,
            bundle: BundleSummary {
                name: bundle.name.clone(),
                format: bundle.format.name(),
                status: if integrity.is_damaged() {
                    "damaged"
                } else {
                    "intact"
                },
                integrity,
                notes,
            },
            images: graph
                .images()
                .iter()
                .zip(v2)
                .map(|(i, v2)| image_summary(graph, i, v2, limits))
                .collect(),
        }
    }

    /// The JSON rendering, one object (version 1; fields are added, never renamed):
    ///
    /// ```text
    /// {"version": 1,
    ///  "bundle": {"name", "format": "directory|tar|tar-gzip|tar-zstd", "status": "intact|damaged",
    ///             "integrity": {"problems": [{"digest", "path",
    ///                                         "problem": "digest-mismatch|size-mismatch|missing",
    ///                                         "actual"?, "declared"?, "referencedBy"?}],
    ///                           "unreferenced": [digest], "blobs", "bytes", "manifests"},
    ///             "notes": [string]},
    ///  "images": [{"reference", "tags": [..], "fullNames": [..], "digest", "mediaType", "size",
    ///              "artifactType", "layers", "totalSize",
    ///              "platforms": [{"platform", "digest", "layers", "size", "referrers": [..]}],
    ///              "referrers": [{"digest", "mediaType", "artifactType",
    ///                             "listing": "index|tag-schema|unlisted|cosign-tag|cosign-untagged",
    ///                             "signature": null | {"envelope": "jws|cose|unknown",
    ///                                "envelopeMediaType", "error", "unverifiedSigner",
    ///                                "unverifiedSigningTime", "thumbprints": [..]},
    ///                             "cosign": null | {"format": "simple-signing|bundle", "error",
    ///                                "unreadLayers",
    ///                                "signatures": [{"layer", "bundleMediaType",
    ///                                  "mode": "keyed|keyless", "unverifiedCertificateIssuer",
    ///                                  "unverifiedSubject", "unverifiedIssuer",
    ///                                  "unverifiedIntegratedTime", "unverifiedImageDigest",
    ///                                  "error"}]}}],
    ///              "error"}]}
    /// ```
    pub fn render_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The text rendering, for people: the bundle's strings with their control characters
    /// escaped ([`super::text`]).
    pub fn render_text(&self) -> String {
        super::text::escape_controls(&self.render_text_unescaped()).into_owned()
    }

    fn render_text_unescaped(&self) -> String {
        let mut out = String::new();
        let b = &self.bundle;
        out.push_str(&format!("Bundle {} ({})\n", b.name, b.format));
        out.push_str(&format!("Integrity: {}\n", b.integrity.summary()));
        for p in &b.integrity.problems {
            out.push_str(&format!("  problem: {p}\n"));
        }
        for u in &b.integrity.unreferenced {
            out.push_str(&format!("  unreferenced: {u}\n"));
        }
        for n in &b.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        if self.images.is_empty() {
            out.push_str("\nNo images.\n");
        }
        for i in &self.images {
            out.push_str(&format!("\nImage {}\n", one_line(&i.reference)));
            if !i.tags.is_empty() {
                let tags: Vec<_> = i.tags.iter().map(|t| one_line(t)).collect();
                out.push_str(&format!("  tags:          {}\n", tags.join(", ")));
            }
            out.push_str(&format!("  digest:        {}\n", i.digest));
            out.push_str(&format!("  media type:    {}\n", one_line(&i.media_type)));
            if let Some(a) = &i.artifact_type {
                out.push_str(&format!("  artifact type: {}\n", one_line(a)));
            }
            out.push_str(&format!(
                "  layers:        {} ({} in total)\n",
                i.layers,
                crate::units::human_bytes(i.total_size)
            ));
            for p in &i.platforms {
                out.push_str(&format!(
                    "  platform {}: {} ({}, {})\n",
                    p.platform,
                    p.digest,
                    crate::units::counted(p.layers as u64, "layer", "layers"),
                    crate::units::human_bytes(p.size)
                ));
                render_referrers(&mut out, &p.referrers, "    ");
            }
            render_referrers(&mut out, &i.referrers, "  ");
            if let Some(e) = &i.error {
                out.push_str(&format!("  error: {e}\n"));
            }
        }
        out
    }
}

fn render_referrers(out: &mut String, referrers: &[ReferrerSummary], indent: &str) {
    if referrers.is_empty() {
        out.push_str(&format!("{indent}referrers:     none\n"));
        return;
    }
    out.push_str(&format!("{indent}referrers:\n"));
    for r in referrers {
        out.push_str(&format!(
            "{indent}  {} {} (listed: {})\n",
            r.digest,
            one_line(r.artifact_type.as_deref().unwrap_or("(no artifact type)")),
            r.listing
        ));
        if let Some(s) = &r.signature {
            out.push_str(&format!(
                "{indent}    Notation signature, envelope {}\n",
                s.envelope.to_uppercase()
            ));
            if let Some(e) = &s.error {
                out.push_str(&format!("{indent}    invalid: {e}\n"));
            }
            if let Some(v) = &s.unverified_signer {
                out.push_str(&format!(
                    "{indent}    signer (unverified): {}\n",
                    one_line(v)
                ));
            }
            if let Some(v) = &s.unverified_signing_time {
                out.push_str(&format!(
                    "{indent}    signing time (unverified): {}\n",
                    one_line(v)
                ));
            }
        }
        if let Some(c) = &r.cosign {
            render_cosign(out, c, &format!("{indent}    "));
        }
    }
}

fn render_cosign(out: &mut String, c: &CosignSummary, indent: &str) {
    let format = match c.format {
        crate::cosign::Format::SimpleSigning => "simple signing",
        crate::cosign::Format::Bundle => "Sigstore bundle",
    };
    if let Some(e) = &c.error {
        out.push_str(&format!("{indent}cosign signature, {format}\n"));
        out.push_str(&format!("{indent}invalid: {}\n", one_line(e)));
    }
    for s in &c.signatures {
        let mut head = format!("{indent}cosign signature, {format}");
        if let Some(m) = &s.bundle_media_type {
            head.push_str(&format!(" {}", one_line(m)));
        }
        if let Some(m) = s.mode {
            head.push_str(&format!(", {}", m.name()));
        }
        out.push_str(&head);
        out.push('\n');
        let lines = [
            ("certificate issuer", &s.unverified_certificate_issuer),
            ("subject", &s.unverified_subject),
            ("OIDC issuer", &s.unverified_issuer),
            ("log integrated time", &s.unverified_integrated_time),
            ("image digest", &s.unverified_image_digest),
        ];
        for (what, value) in lines {
            if let Some(v) = value {
                out.push_str(&format!("{indent}  {what} (unverified): {}\n", one_line(v)));
            }
        }
        if let Some(e) = &s.error {
            out.push_str(&format!("{indent}  invalid: {}\n", one_line(e)));
        }
    }
    if c.unread_layers > 0 {
        out.push_str(&format!(
            "{indent}{} not read (nor tried by verification)\n",
            crate::units::counted(c.unread_layers as u64, "more layer", "more layers")
        ));
    }
}

/// The cosign v2 signature manifests of each image, in image order, as verification finds
/// them: the image's `sha256-<hex>.sig` tag, else the untagged manifests of a `cosign save`
/// layout (all of them for a bundle of one image, else those whose payload names the image).
/// Also the untagged manifests listed under no image.
fn cosign_v2_signatures(
    graph: &Graph,
    limits: &Limits,
) -> (Vec<Vec<unverified::SignatureManifest>>, Vec<Digest>) {
    let images = graph.images();
    let untagged = unverified::untagged_simple_signing(graph, limits);
    let mut named: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, m) in untagged.iter().enumerate() {
        for s in &m.summary.signatures {
            if let Some(d) = s.unverified_image_digest.as_deref() {
                let list = named.entry(d).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
    }
    let mut placed = vec![false; untagged.len()];
    let per_image = images
        .iter()
        .map(|image| {
            let digest = &image.descriptor.digest;
            let tagged = unverified::tagged_simple_signing(graph, digest, limits);
            if !tagged.is_empty() {
                return tagged;
            }
            let chosen: Vec<usize> = if images.len() == 1 {
                (0..untagged.len()).collect()
            } else {
                named
                    .get(digest.to_string().as_str())
                    .cloned()
                    .unwrap_or_default()
            };
            chosen
                .into_iter()
                .filter(|&i| untagged[i].digest != *digest)
                .map(|i| {
                    placed[i] = true;
                    untagged[i].clone()
                })
                .collect()
        })
        .collect();
    let unplaced = untagged
        .iter()
        .zip(placed)
        .filter(|(_, p)| !p)
        .map(|(m, _)| m.digest.clone())
        .collect();
    (per_image, unplaced)
}

fn image_summary(
    graph: &Graph,
    image: &Image,
    v2: Vec<unverified::SignatureManifest>,
    limits: &Limits,
) -> ImageSummary {
    let (referrers, error) = referrer_summaries(graph, &image.descriptor, v2, limits);
    ImageSummary {
        reference: image.reference(),
        tags: image.tags.clone(),
        full_names: image.full_names.clone(),
        digest: image.descriptor.digest.clone(),
        media_type: image.descriptor.media_type.clone(),
        size: image.descriptor.size,
        artifact_type: image.artifact_type.clone(),
        layers: image.layer_count,
        total_size: image.total_size,
        platforms: image
            .platforms
            .iter()
            .map(|p| PlatformSummary {
                platform: p
                    .platform
                    .as_ref()
                    .map_or_else(|| "unknown".to_string(), ToString::to_string),
                digest: p.descriptor.digest.clone(),
                layers: p.layer_count,
                size: p.size,
                referrers: referrer_summaries(
                    graph,
                    &p.descriptor,
                    unverified::tagged_simple_signing(graph, &p.descriptor.digest, limits),
                    limits,
                )
                .0,
            })
            .collect(),
        referrers,
        error,
    }
}

/// The referrers of `target` (Notation signatures and cosign bundles described), then its cosign
/// v2 signature manifests `v2`.
fn referrer_summaries(
    graph: &Graph,
    target: &Descriptor,
    v2: Vec<unverified::SignatureManifest>,
    limits: &Limits,
) -> (Vec<ReferrerSummary>, Option<String>) {
    let (signatures, error) = match graph.notation_signatures(target, limits) {
        Ok(s) => (s, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let max = limits.max_referrers_per_image as usize;
    let mut list: Vec<ReferrerSummary> = graph
        .referrers(&target.digest)
        .into_iter()
        .enumerate()
        .map(|(i, r)| referrer_summary(graph, r, &signatures, i < max))
        .collect();
    list.extend(v2.into_iter().map(|m| ReferrerSummary {
        digest: m.digest,
        media_type: m.media_type.unwrap_or_default(),
        artifact_type: m.artifact_type,
        listing: if m.tagged {
            "cosign-tag"
        } else {
            "cosign-untagged"
        },
        signature: None,
        cosign: Some(m.summary),
    }));
    (list, error)
}

/// One referrer; `read_cosign`: describe it if it is a cosign bundle (within the referrer limit).
fn referrer_summary(
    graph: &Graph,
    r: &Referrer,
    signatures: &[SignatureCandidate],
    read_cosign: bool,
) -> ReferrerSummary {
    let signature = signatures
        .iter()
        .find(|s| s.manifest.digest == r.descriptor.digest)
        .map(signature_summary);
    let cosign = if read_cosign && signature.is_none() {
        unverified::bundle_referrer(graph, r)
    } else {
        None
    };
    ReferrerSummary {
        digest: r.descriptor.digest.clone(),
        media_type: r.descriptor.media_type.clone(),
        artifact_type: r.artifact_type.clone(),
        listing: r.listing.name(),
        signature,
        cosign,
    }
}

fn signature_summary(s: &SignatureCandidate) -> SignatureSummary {
    let (envelope_media_type, error, signer) = match &s.envelope {
        Ok((d, bytes)) => (
            Some(d.media_type.clone()),
            None,
            unverified_signer_summary(&d.media_type, bytes),
        ),
        Err(e) => (None, Some(e.clone()), None),
    };
    let envelope = match envelope_media_type.as_deref() {
        Some(JWS) => "jws",
        Some(COSE) => "cose",
        _ => "unknown",
    };
    let (unverified_signer, unverified_signing_time) = signer.unzip();
    SignatureSummary {
        envelope,
        envelope_media_type,
        error: error.map(|e| e.message),
        unverified_signer,
        unverified_signing_time,
        thumbprints: s.thumbprints.clone(),
    }
}

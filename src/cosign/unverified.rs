//! What cosign signatures and bundles say about themselves, read without verifying anything
//! (for `inspect`, where every such value is labelled unverified).
//!
//! The signatures are found as verification finds them: v3 bundles among the referrers of an
//! image, v2 simple-signing manifests under the `sha256-<hex>.sig` tag (else the untagged ones
//! of a `cosign save` layout). Everything is read through the same bounded readers as
//! verification (blob sizes, the bundle parser, the certificate parser); a part that cannot be
//! read is reported as an error beside what could be read.

use base64::Engine as _;
use serde::Serialize;
use sigstore_protobuf_specs::dev::sigstore::bundle::v1::verification_material;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{
    blob_of, bundle, fulcio, keys, manifest, simple_signing_layers, Format, V2Layer,
    BUNDLE_MEDIA_TYPE_PREFIX, CERTIFICATE_ANNOTATION, MAX_BUNDLE, REKOR_BUNDLE_ANNOTATION,
};
use crate::limits::Limits;
use crate::oci::digest::Digest;
use crate::oci::{Graph, Referrer};
use crate::pki::cert::Cert;

/// How a signature is made: with a public key, or with a (Fulcio) certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// A public key: no certificate.
    Keyed,
    /// A certificate (Fulcio's, for keyless signing).
    Keyless,
}

impl Mode {
    /// `keyed` or `keyless`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Keyed => "keyed",
            Mode::Keyless => "keyless",
        }
    }
}

/// A cosign signature manifest or bundle referrer, unverified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CosignSummary {
    /// `simple-signing` (v2) or `bundle` (v3).
    pub format: Format,
    /// Why the manifest itself cannot be read, if so.
    pub error: Option<String>,
    /// Layers of a v2 signature manifest beyond the number of signatures verification tries
    /// (`max_signatures_per_image`), not read.
    pub unread_layers: usize,
    /// The signatures: each layer of a v2 signature manifest, the one bundle of a referrer.
    pub signatures: Vec<UnverifiedSignature>,
}

/// One cosign signature, every value UNVERIFIED.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnverifiedSignature {
    /// The layer holding the payload or the bundle.
    pub layer: Option<Digest>,
    /// The bundle's media type (bundles only).
    pub bundle_media_type: Option<String>,
    /// Keyed or keyless, when it can be told.
    pub mode: Option<Mode>,
    /// The certificate's issuer name.
    pub unverified_certificate_issuer: Option<String>,
    /// The certificate's subject alternative name (the identity keyless signing certifies).
    pub unverified_subject: Option<String>,
    /// The certificate's OIDC issuer extension.
    pub unverified_issuer: Option<String>,
    /// The transparency log's integrated time of the entry, RFC 3339.
    pub unverified_integrated_time: Option<String>,
    /// The image digest a simple-signing payload names (`critical.image.docker-manifest-digest`).
    pub unverified_image_digest: Option<String>,
    /// What could not be read, if anything.
    pub error: Option<String>,
}

impl UnverifiedSignature {
    fn problem(&mut self, message: String) {
        match &mut self.error {
            Some(e) => {
                e.push_str("; ");
                e.push_str(&message);
            }
            None => self.error = Some(message),
        }
    }

    fn certificate(&mut self, der: &[u8]) {
        self.mode = Some(Mode::Keyless);
        let cert = match Cert::from_der(der) {
            Ok(c) => c,
            Err(e) => return self.problem(format!("the certificate does not parse: {e}")),
        };
        self.unverified_certificate_issuer = Some(cert.issuer());
        match fulcio::san_subject(&cert) {
            Ok(s) => self.unverified_subject = Some(s),
            Err(e) => self.problem(e),
        }
        match fulcio::oidc_issuer(&cert) {
            Ok(s) => self.unverified_issuer = Some(s),
            Err(e) => self.problem(e),
        }
    }

    fn integrated_time(&mut self, seconds: i64) {
        match OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
        {
            Some(t) => self.unverified_integrated_time = Some(t),
            None => self.problem(format!("the log's integrated time {seconds} is not a time")),
        }
    }
}

/// The cosign bundle a referrer holds, when it is one: a manifest whose artifact type or one of
/// whose layers is of a Sigstore bundle media type. `None` for any other referrer.
pub fn bundle_referrer(graph: &Graph, referrer: &Referrer) -> Option<CosignSummary> {
    let by_type = referrer
        .artifact_type
        .as_deref()
        .is_some_and(|a| a.starts_with(BUNDLE_MEDIA_TYPE_PREFIX));
    let doc = manifest(graph, &referrer.descriptor.digest);
    let layers = doc.as_ref().map(|d| {
        if d.layers.is_empty() {
            &d.blobs
        } else {
            &d.layers
        }
    });
    let by_layer = layers.is_some_and(|l| {
        l.iter()
            .any(|l| l.media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX))
    });
    if !by_type && !by_layer {
        return None;
    }
    let mut summary = CosignSummary {
        format: Format::Bundle,
        error: None,
        unread_layers: 0,
        signatures: Vec::new(),
    };
    match layers.map(Vec::as_slice) {
        None => summary.error = Some("the referrer manifest cannot be read".into()),
        Some([layer]) if layer.media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX) => {
            let mut s = UnverifiedSignature {
                layer: Some(layer.digest.clone()),
                bundle_media_type: Some(layer.media_type.clone()),
                ..UnverifiedSignature::default()
            };
            match blob_of(graph, &layer.descriptor(), MAX_BUNDLE) {
                Ok(content) => read_bundle(&mut s, &content),
                Err(e) => s.problem(e),
            }
            summary.signatures.push(s);
        }
        Some([layer]) => {
            summary.error = Some(format!(
                "the layer's media type {:?} is not a Sigstore bundle's",
                layer.media_type
            ))
        }
        Some(layers) => {
            summary.error = Some(format!(
                "the referrer has {} layers; cosign reads a bundle from exactly one",
                layers.len()
            ))
        }
    }
    Some(summary)
}

/// What a bundle says of its signer and its log entry.
fn read_bundle(s: &mut UnverifiedSignature, content: &[u8]) {
    let parsed = match bundle::parse(content) {
        Ok(p) => p,
        Err(e) => return s.problem(e.to_string()),
    };
    s.bundle_media_type = Some(parsed.bundle.media_type.clone());
    if parsed.version < 3 {
        s.problem(format!(
            "a bundle of media type {:?}: cosign looks only for version 0.3 and later",
            parsed.bundle.media_type
        ));
    }
    let Some(vm) = parsed.bundle.verification_material.as_ref() else {
        return s.problem("the bundle has no verification material".into());
    };
    match &vm.content {
        Some(verification_material::Content::PublicKey(_)) => s.mode = Some(Mode::Keyed),
        Some(verification_material::Content::Certificate(c)) => s.certificate(&c.raw_bytes),
        Some(verification_material::Content::X509CertificateChain(chain)) => {
            match chain.certificates.first() {
                Some(c) => s.certificate(&c.raw_bytes),
                None => s.problem("the bundle's certificate chain is empty".into()),
            }
        }
        None => s.problem("the bundle has no certificate or public key".into()),
    }
    if let Some(entry) = vm.tlog_entries.iter().find(|e| e.integrated_time != 0) {
        s.integrated_time(entry.integrated_time);
    }
}

/// A v2 signature manifest, unverified.
#[derive(Debug, Clone)]
pub struct SignatureManifest {
    /// The manifest's digest.
    pub digest: Digest,
    /// Its own `mediaType`, if it states one.
    pub media_type: Option<String>,
    /// `artifactType`, else `config.mediaType`.
    pub artifact_type: Option<String>,
    /// Found by the `sha256-<hex>.sig` tag (else untagged: the `cosign save` shape).
    pub tagged: bool,
    /// What it holds.
    pub summary: CosignSummary,
}

impl SignatureManifest {
    /// Whether one of its payloads names `digest` (unverified).
    pub fn names(&self, digest: &Digest) -> bool {
        let digest = digest.to_string();
        self.summary
            .signatures
            .iter()
            .any(|s| s.unverified_image_digest.as_deref() == Some(digest.as_str()))
    }
}

/// The v2 signature manifests tagged `sha256-<hex>.sig` for `digest` (at most
/// `max_referrers_per_image`).
pub fn tagged_simple_signing(
    graph: &Graph,
    digest: &Digest,
    limits: &Limits,
) -> Vec<SignatureManifest> {
    super::sig_tagged(graph, digest)
        .into_iter()
        .take(limits.max_referrers_per_image as usize)
        .map(|d| signature_manifest(graph, d, true, limits))
        .collect()
}

/// The untagged v2 signature manifests of a `cosign save` layout (at most
/// `max_referrers_per_image`). Verification considers them for every image without a `.sig`
/// tag.
pub fn untagged_simple_signing(graph: &Graph, limits: &Limits) -> Vec<SignatureManifest> {
    super::untagged_simple_signing(graph)
        .take(limits.max_referrers_per_image as usize)
        .map(|d| signature_manifest(graph, d, false, limits))
        .collect()
}

fn signature_manifest(
    graph: &Graph,
    d: &Digest,
    tagged: bool,
    limits: &Limits,
) -> SignatureManifest {
    let doc = manifest(graph, d);
    let mut summary = CosignSummary {
        format: Format::SimpleSigning,
        error: None,
        unread_layers: 0,
        signatures: Vec::new(),
    };
    match &doc {
        Some(doc) => {
            summary.signatures = simple_signing_layers(graph, d, doc, limits)
                .iter()
                .map(read_layer)
                .collect();
            summary.unread_layers = doc.layers.len().saturating_sub(summary.signatures.len());
        }
        None => summary.error = Some("the signature manifest cannot be read".into()),
    }
    SignatureManifest {
        digest: d.clone(),
        media_type: doc.as_ref().and_then(|m| m.media_type.clone()),
        artifact_type: doc.as_ref().and_then(|m| m.artifact_type().map(Into::into)),
        tagged,
        summary,
    }
}

/// What one simple-signing layer says: the payload's image digest, the certificate's identity,
/// the Rekor bundle's integrated time.
fn read_layer(layer: &V2Layer) -> UnverifiedSignature {
    let mut s = UnverifiedSignature {
        layer: Some(layer.layer.clone()),
        mode: Some(Mode::Keyed),
        ..UnverifiedSignature::default()
    };
    match &layer.content {
        Ok((payload, b64)) => {
            if base64::engine::general_purpose::STANDARD
                .decode(b64)
                .is_err()
            {
                s.problem(format!(
                    "the {} annotation is not base64",
                    super::SIGNATURE_ANNOTATION
                ));
            }
            match serde_json::from_slice::<serde_json::Value>(payload) {
                Ok(v) => {
                    s.unverified_image_digest = v
                        .pointer("/critical/image/docker-manifest-digest")
                        .and_then(|d| d.as_str())
                        .map(str::to_string);
                }
                Err(e) => s.problem(format!("the payload is not JSON: {e}")),
            }
        }
        Err(e) => s.problem(e.clone()),
    }
    if let Some(pem) = layer.annotations.get(CERTIFICATE_ANNOTATION) {
        match keys::first_pem_block(pem) {
            Some((_, der)) => s.certificate(&der),
            None => {
                s.mode = Some(Mode::Keyless);
                s.problem("the certificate annotation is not PEM".into());
            }
        }
    }
    if let Some(rekor) = layer.annotations.get(REKOR_BUNDLE_ANNOTATION) {
        match rekor_integrated_time(rekor) {
            Ok(t) => s.integrated_time(t),
            Err(e) => s.problem(e),
        }
    }
    s
}

/// `Payload.integratedTime` of a v2 Rekor bundle annotation.
fn rekor_integrated_time(annotation: &str) -> Result<i64, String> {
    super::rekor_bundle_json(annotation)?
        .pointer("/Payload/integratedTime")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| "the Rekor bundle's integratedTime is not a number".into())
}

//! Cosign signatures, verified offline from the bundle with Flux's semantics
//! (`internal/oci/cosign` and the cosign part of the OCIRepository controller of
//! fluxcd/source-controller).
//!
//! [`provider`] makes cosign a provider beside Notation: its trust material and an image's
//! [`crate::verify::Outcome`].
//!
//! # Keyed verification ([`verify_image_keyed`])
//! Flux verifies with every `*.pub` entry of `spec.verify.secretRef`, each loaded as a PEM PKIX
//! public key (ECDSA P-256/P-384/P-521 checked over SHA-256, RSA PKCS #1 v1.5 over SHA-256,
//! Ed25519), with `Offline` and `IgnoreTlog` set: no transparency log is needed or examined. The
//! image verifies when a signature verifies with any key. For each key:
//! - cosign v3 **bundles** first: the referrers of the image whose manifest has exactly one
//!   layer of a `application/vnd.dev.sigstore.bundle…` media type that parses as a bundle of
//!   version 0.3 or later (a referrer that does not is skipped, as `cosign.GetBundles` skips
//!   it). A bundle must hold a DSSE envelope signed by the key over an in-toto statement that
//!   names the image digest among its subjects; any predicate type passes
//!   (`VerifyImageAttestations`). When bundles are found and none verifies, the image fails,
//!   even if a good v2 signature is present.
//! - else cosign v2 **signatures**: the `sha256-<hex>.sig` tag of the image (the shape
//!   `oras copy -r --to-oci-layout` writes), else an untagged simple-signing manifest (the
//!   shape `cosign save` writes, one image per layout). Each layer is a
//!   `application/vnd.dev.cosign.simplesigning.v1+json` payload with its base64 signature in the
//!   `dev.cosignproject.cosign/signature` annotation; the payload's
//!   `critical.image.docker-manifest-digest` must equal the image digest and `critical.type`
//!   must be `cosign container image signature` (`docker-reference` is ignored, as cosign
//!   does).
//!
//! The failure message is Flux's: `no matching signatures were found for '<reference>'`
//! (Flux's condition prefixes it with `failed to verify the signature using provider
//! 'cosign': `); cosign's own errors per key (`no matching signatures: …`,
//! `no matching attestations: …`, `no signatures found`) are kept apart as details.
//!
//! Difference from Flux: Flux calls `VerifyImageSignatures` without a claim verifier, so the
//! payload's digest is not compared there; cosign's CLI compares it, and so does this module.
//!
//! # Keyless verification ([`verify_image_keyless`])
//! With a trust root and identities (`matchOIDCIdentity`: issuer and subject regular
//! expressions, matched anywhere in the value as Go's `regexp.MatchString` does): v3 bundles
//! first, as above; else v2 signatures whose layers carry the Fulcio certificate
//! (`dev.sigstore.cosign/certificate`) and the Rekor bundle (`dev.sigstore.cosign/bundle`),
//! judged as a v0.1 Sigstore bundle (signed entry timestamp, entry body, certificate at the
//! integrated time, SCT, identity), then the payload's claims.
//!
//! # The Sigstore bundle verifier ([`bundle::verify`])
//! Keyed or keyless, for blobs (message signatures and DSSE) and images (DSSE), against a
//! Sigstore `TrustedRoot` ([`TrustRoot`]); see [`bundle`] for the steps. Nothing is fetched: the
//! trust root is given, there is no TUF and no Rekor or Fulcio lookup.

pub mod bundle;
pub mod fulcio;
pub mod keys;
pub mod provider;
pub mod tlog;
pub mod trust_root;
pub mod unverified;

use base64::Engine as _;

pub use bundle::{Artifact, Policy, Signer, Verified};
pub use fulcio::{CertIdentity, IdentityMatcher};
pub use keys::CosignKey;
pub use trust_root::TrustRoot;

use crate::limits::Limits;
use crate::oci::digest::{Descriptor, Digest};
use crate::oci::model::Document;
use crate::oci::Graph;

/// Largest bundle read.
pub const MAX_BUNDLE: u64 = 16 * 1024 * 1024;
/// Largest trust root read.
pub const MAX_TRUST_ROOT: u64 = 4 * 1024 * 1024;
/// Largest simple-signing payload read.
pub const MAX_PAYLOAD: u64 = 1024 * 1024;

/// The artifact type of cosign v3 bundles.
pub const BUNDLE_ARTIFACT_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The prefix of bundle layer media types cosign accepts.
pub const BUNDLE_MEDIA_TYPE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";
/// The layer media type of cosign v2 signatures.
pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The annotation holding a v2 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// `critical.type` of a simple-signing payload.
pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

/// Why a bundle or trust root was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigstoreError {
    /// The trust root does not parse or breaks a rule.
    #[error("trust root {file}: {message}")]
    TrustRoot {
        /// The trust root file, as given.
        file: String,
        /// What is wrong: the field (`tlogs[0]: publicKey is missing`) or the JSON error.
        message: String,
    },
    /// The bundle is malformed.
    #[error("malformed bundle: {0}")]
    Malformed(String),
    /// The bundle is well formed and does not verify.
    #[error("{0}")]
    Failed(String),
}

/// The format of the signature that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// cosign v2: a simple-signing payload under the `.sig` tag.
    SimpleSigning,
    /// cosign v3: a Sigstore bundle referrer.
    Bundle,
}

/// The verdict on one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A signature verified.
    Verified {
        /// The key's name (Secret entry or file).
        key_name: String,
        /// `sha256:<hex>` of the key's DER SubjectPublicKeyInfo.
        key_id: String,
        /// Whether a v2 simple-signing signature or a v3 bundle verified.
        format: Format,
        /// The signature manifest.
        signature: Digest,
    },
    /// No signature verified.
    Failed {
        /// Flux's message.
        message: String,
        /// cosign's error for each key, as `key: error`.
        details: Vec<String>,
    },
}

/// Verify `image` (its manifest or index descriptor, named `reference` in messages) with
/// Flux's keyed semantics. See the module documentation.
pub fn verify_image_keyed(
    graph: &Graph,
    image: &Descriptor,
    reference: &str,
    keys: &[CosignKey],
    limits: &Limits,
) -> Outcome {
    let bundles = find_bundles(graph, &image.digest, limits);
    let signatures = if bundles.is_empty() {
        find_simple_signing(graph, &image.digest, limits)
    } else {
        Vec::new()
    };
    let mut details = Vec::new();
    for key in keys {
        let result = if bundles.is_empty() {
            verify_simple_signing(&signatures, &image.digest, key)
        } else {
            verify_bundles(&bundles, &image.digest, key)
        };
        match result {
            Ok((format, signature)) => {
                return Outcome::Verified {
                    key_name: key.name.clone(),
                    key_id: key.key_id(),
                    format,
                    signature,
                }
            }
            Err(e) => details.push(format!("{}: {e}", key.name)),
        }
    }
    if keys.is_empty() {
        details.push("no public key (no *.pub entry) to verify with".to_string());
    }
    Outcome::Failed {
        message: format!("no matching signatures were found for '{reference}'"),
        details,
    }
}

/// The verdict on one image verified keyless.
#[derive(Debug, Clone)]
pub enum KeylessOutcome {
    /// A bundle verified: its manifest and what it proved (identity, signing times).
    Verified {
        /// The bundle's referrer manifest.
        signature: Digest,
        /// The identity and the signing times it proved.
        verified: Verified,
    },
    /// No bundle verified: cosign's message.
    Failed {
        /// cosign's message (`no matching attestations: …`).
        message: String,
    },
}

/// Verify `image` keyless from its cosign v3 bundle referrers under `policy` (a trust root and
/// the `matchOIDCIdentity` identities; `require_tlog` set). The message on failure is cosign's
/// (`no matching attestations: …`); Flux reports it after `failed to verify the signature
/// using provider 'cosign keyless': `. Without bundles, the v2 signatures are judged
/// (`no matching signatures: …`): each layer's certificate (`dev.sigstore.cosign/certificate`)
/// and Rekor bundle (`dev.sigstore.cosign/bundle`: signed entry timestamp, body, integrated
/// time) make a v0.1 Sigstore bundle over the payload, verified like any other, then the
/// payload's claims are checked.
pub fn verify_image_keyless(
    graph: &Graph,
    image: &Descriptor,
    policy: &Policy,
    limits: &Limits,
) -> KeylessOutcome {
    let bundles = find_bundles(graph, &image.digest, limits);
    if bundles.is_empty() {
        return verify_simple_signing_keyless(graph, &image.digest, policy, limits);
    }
    if policy.identities.len() > 1 {
        // cosign builds sigstore-go's policy from one identity only and refuses more, for
        // every bundle before verifying any (`CheckOpts.verificationOptions`); its v2 path
        // takes any of them.
        let each = vec![MULTIPLE_IDENTITIES; bundles.len()];
        return KeylessOutcome::Failed {
            message: format!("no matching attestations: {}", each.join("\n")),
        };
    }
    match verify_bundles_under(&bundles, &image.digest, policy) {
        Ok((signature, verified)) => KeylessOutcome::Verified {
            signature,
            verified,
        },
        Err(message) => KeylessOutcome::Failed { message },
    }
}

/// cosign's words when a v3 bundle is to be verified against more than one identity.
pub const MULTIPLE_IDENTITIES: &str =
    "unsupported: multiple identities are not supported at this time";

/// The content of a blob named by a descriptor: present, of its size, matching its digest.
fn blob_of(graph: &Graph, d: &Descriptor, max: u64) -> Result<std::sync::Arc<[u8]>, String> {
    if d.size > max {
        return Err(format!(
            "{} is {} bytes, more than the limit of {max}",
            d.digest, d.size
        ));
    }
    let content = graph
        .blob(&d.digest)
        .ok_or_else(|| format!("{} is missing from the bundle", d.digest))?;
    if content.len() as u64 != d.size || d.digest.algorithm().digest(&content) != d.digest {
        return Err(format!("{} does not match its descriptor", d.digest));
    }
    Ok(content)
}

fn manifest(graph: &Graph, digest: &Digest) -> Option<Document> {
    graph.blob(digest).and_then(|b| Document::parse(&b).ok())
}

/// cosign v3 bundles among the referrers of `digest` (`cosign.GetBundles`): exactly one layer
/// of a bundle media type that parses as a bundle of version 0.3 or later. Others are skipped.
fn find_bundles(graph: &Graph, digest: &Digest, limits: &Limits) -> Vec<(Digest, bundle::Parsed)> {
    let mut out = Vec::new();
    for r in graph
        .referrers(digest)
        .into_iter()
        .take(limits.max_referrers_per_image as usize)
    {
        let Some(doc) = manifest(graph, &r.descriptor.digest) else {
            continue;
        };
        let layers = if doc.layers.is_empty() {
            &doc.blobs
        } else {
            &doc.layers
        };
        let [layer] = layers.as_slice() else {
            continue;
        };
        if !layer.media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX) {
            continue;
        }
        let Ok(content) = blob_of(graph, &layer.descriptor(), MAX_BUNDLE) else {
            continue;
        };
        match bundle::parse(&content) {
            Ok(p) if p.version >= 3 => out.push((r.descriptor.digest.clone(), p)),
            _ => continue,
        }
    }
    out
}

fn verify_bundles(
    bundles: &[(Digest, bundle::Parsed)],
    image: &Digest,
    key: &CosignKey,
) -> Result<(Format, Digest), String> {
    let policy = Policy {
        trust_root: None,
        key: Some(key),
        identities: &[],
        require_tlog: false,
        at: time::OffsetDateTime::now_utc(),
    };
    verify_bundles_under(bundles, image, &policy).map(|(d, _)| (Format::Bundle, d))
}

/// `verifyImageAttestationsSigstoreBundle`: the first bundle that verifies under the policy
/// and holds a DSSE envelope, else `no matching attestations: …`.
fn verify_bundles_under(
    bundles: &[(Digest, bundle::Parsed)],
    image: &Digest,
    policy: &Policy,
) -> Result<(Digest, Verified), String> {
    let mut errors = Vec::new();
    for (manifest, parsed) in bundles {
        match bundle::verify_parsed(parsed, Artifact::Digest(image), policy) {
            Ok(v) if v.dsse.is_some() => return Ok((manifest.clone(), v)),
            Ok(_) => errors.push("bundle does not contain a DSSE envelope".to_string()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(format!("no matching attestations: {}", errors.join("\n")))
}

/// One v2 signature layer: its payload and base64 signature, or why it cannot be had.
type SimpleSignature = Result<(Vec<u8>, String), String>;

/// One layer of a v2 signature manifest.
struct V2Layer {
    /// The signature manifest.
    manifest: Digest,
    /// The layer's digest.
    layer: Digest,
    /// The payload and base64 signature.
    content: SimpleSignature,
    /// Its annotations (certificate, chain, Rekor bundle).
    annotations: std::collections::BTreeMap<String, String>,
}

/// The v2 signature manifests of `digest`: those of the `sha256-<hex>.sig` tag, else the
/// untagged simple-signing manifests of a `cosign save` layout; `true` when found by the tag.
fn simple_signing_manifests<'g>(graph: &'g Graph, digest: &Digest) -> (Vec<&'g Digest>, bool) {
    let tagged = sig_tagged(graph, digest);
    if !tagged.is_empty() {
        return (tagged, true);
    }
    let untagged = untagged_simple_signing(graph)
        .filter(|d| *d != digest)
        .collect();
    (untagged, false)
}

/// The manifests `index.json` tags `sha256-<hex>.sig` for `digest`.
fn sig_tagged<'g>(graph: &'g Graph, digest: &Digest) -> Vec<&'g Digest> {
    graph.structurally_tagged(&format!("{}.sig", digest.referrers_tag()))
}

/// The untagged manifests of `index.json` whose every layer is a simple-signing payload (the
/// signatures of a `cosign save` layout), in `index.json` order (listed once by the graph).
fn untagged_simple_signing(graph: &Graph) -> impl Iterator<Item = &Digest> {
    graph.untagged_simple_signing_manifests().iter()
}

/// The signature layers of one v2 signature manifest (at most `max_signatures_per_image`).
fn simple_signing_layers(
    graph: &Graph,
    d: &Digest,
    doc: &Document,
    limits: &Limits,
) -> Vec<V2Layer> {
    doc.layers
        .iter()
        .take(limits.max_signatures_per_image as usize)
        .map(|layer| {
            let sig = layer
                .annotations
                .get(SIGNATURE_ANNOTATION)
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "layer {} has no {SIGNATURE_ANNOTATION} annotation",
                        layer.digest
                    )
                });
            let payload = blob_of(graph, &layer.descriptor(), MAX_PAYLOAD).map(|c| c.to_vec());
            V2Layer {
                manifest: d.clone(),
                layer: layer.digest.clone(),
                content: payload.and_then(|p| sig.map(|s| (p, s))),
                annotations: layer.annotations.clone(),
            }
        })
        .collect()
}

/// The v2 signature layers of `digest` ([`simple_signing_manifests`]).
fn find_simple_signing(graph: &Graph, digest: &Digest, limits: &Limits) -> Vec<V2Layer> {
    let mut out = Vec::new();
    for d in simple_signing_manifests(graph, digest).0 {
        if let Some(doc) = manifest(graph, d) {
            out.extend(simple_signing_layers(graph, d, &doc, limits));
        }
    }
    out
}

fn verify_simple_signing(
    signatures: &[V2Layer],
    image: &Digest,
    key: &CosignKey,
) -> Result<(Format, Digest), String> {
    if signatures.is_empty() {
        return Err("no signatures found".to_string());
    }
    let mut errors = Vec::new();
    for layer in signatures {
        match layer
            .content
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|(payload, b64)| check_simple_signing(payload, b64, image, key))
            .and_then(|()| certificate_unexpired(&layer.annotations))
        {
            Ok(()) => return Ok((Format::SimpleSigning, layer.manifest.clone())),
            Err(e) => errors.push(e),
        }
    }
    Err(format!("no matching signatures: {}", errors.join("\n ")))
}

/// cosign's `verifyOCISignature` then `SimpleClaimVerifier`, and the payload's type.
fn check_simple_signing(
    payload: &[u8],
    b64: &str,
    image: &Digest,
    key: &CosignKey,
) -> Result<(), String> {
    let sig = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("illegal base64 data: {e}"))?;
    key.verify(payload, &sig)
        .map_err(|_| "invalid signature when validating ASN.1 encoded signature".to_string())?;
    simple_signing_claims(payload, image)
}

/// A keyed v2 signature that carries a certificate: cosign (`verifyInternal`, with the log
/// ignored and no RFC 3161 timestamp) checks it against the current time.
fn certificate_unexpired(
    annotations: &std::collections::BTreeMap<String, String>,
) -> Result<(), String> {
    let Some(pem) = annotations.get(CERTIFICATE_ANNOTATION) else {
        return Ok(());
    };
    let (_, der) = keys::first_pem_block(pem).ok_or("the certificate annotation is not PEM")?;
    let cert = crate::pki::cert::Cert::from_der(&der)
        .map_err(|e| format!("invalid certificate found on signature: {e}"))?;
    let now = time::OffsetDateTime::now_utc();
    if now < cert.not_before() || now > cert.not_after() {
        return Err("expected a signed timestamp to verify an expired certificate".into());
    }
    Ok(())
}

/// `SimpleClaimVerifier` (the digest) and the payload's type.
fn simple_signing_claims(payload: &[u8], image: &Digest) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
    let found = v
        .pointer("/critical/image/docker-manifest-digest")
        .and_then(|d| d.as_str())
        .unwrap_or_default();
    if found != image.to_string() {
        return Err(format!("invalid or missing digest in claim: {found}"));
    }
    let kind = v
        .pointer("/critical/type")
        .and_then(|d| d.as_str())
        .unwrap_or_default();
    if kind != SIMPLE_SIGNING_TYPE {
        return Err(format!(
            "the payload's critical.type is {kind:?}, not {SIMPLE_SIGNING_TYPE:?}"
        ));
    }
    Ok(())
}

/// The v2 annotations of a keyless signature.
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// The Rekor bundle annotation of a v2 signature.
pub const REKOR_BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";

/// cosign v2 keyless: `verifySignatures` with a trust root, offline.
fn verify_simple_signing_keyless(
    graph: &Graph,
    image: &Digest,
    policy: &Policy,
    limits: &Limits,
) -> KeylessOutcome {
    let signatures = find_simple_signing(graph, image, limits);
    if signatures.is_empty() {
        return KeylessOutcome::Failed {
            message: "no signatures found".into(),
        };
    }
    let mut errors = Vec::new();
    for layer in &signatures {
        let (manifest_digest, annotations) = (&layer.manifest, &layer.annotations);
        let result = layer
            .content
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|(payload, b64)| {
                let parsed = v2_as_bundle(b64, annotations)?;
                let verified = bundle::verify_parsed(&parsed, Artifact::Bytes(payload), policy)
                    .map_err(|e| e.to_string())?;
                simple_signing_claims(payload, image)?;
                Ok(verified)
            });
        match result {
            Ok(verified) => {
                return KeylessOutcome::Verified {
                    signature: manifest_digest.clone(),
                    verified,
                }
            }
            Err(e) => errors.push(e),
        }
    }
    KeylessOutcome::Failed {
        message: format!("no matching signatures: {}", errors.join("\n ")),
    }
}

/// The JSON of a `dev.sigstore.cosign/bundle` annotation, of bounded size.
fn rekor_bundle_json(annotation: &str) -> Result<serde_json::Value, String> {
    if annotation.len() as u64 > MAX_BUNDLE {
        return Err("the Rekor bundle annotation is too large".into());
    }
    serde_json::from_str(annotation)
        .map_err(|e| format!("the Rekor bundle annotation is not JSON: {e}"))
}

/// A v2 keyless signature as a v0.1 Sigstore bundle: the certificate, the message signature,
/// and the Rekor entry of the `dev.sigstore.cosign/bundle` annotation.
fn v2_as_bundle(
    b64: &str,
    annotations: &std::collections::BTreeMap<String, String>,
) -> Result<bundle::Parsed, String> {
    use sigstore_protobuf_specs::dev::sigstore::bundle::v1 as pb;
    use sigstore_protobuf_specs::dev::sigstore::common::v1 as common;
    use sigstore_protobuf_specs::dev::sigstore::rekor::v1 as rekor;
    let std64 = base64::engine::general_purpose::STANDARD;
    let signature = std64
        .decode(b64)
        .map_err(|e| format!("illegal base64 data: {e}"))?;
    let cert_pem = annotations
        .get(CERTIFICATE_ANNOTATION)
        .ok_or("no certificate found on signature")?;
    let (_, cert) =
        keys::first_pem_block(cert_pem).ok_or("the certificate annotation is not PEM")?;
    let rekor_bundle = annotations
        .get(REKOR_BUNDLE_ANNOTATION)
        .ok_or("the signature has no Rekor bundle: offline verification failed")?;
    let rb = rekor_bundle_json(rekor_bundle)?;
    let field = |p: &str| rb.pointer(p).ok_or(format!("the Rekor bundle has no {p}"));
    let set = field("/SignedEntryTimestamp")?
        .as_str()
        .and_then(|s| std64.decode(s).ok())
        .ok_or("the Rekor bundle's SignedEntryTimestamp is not base64")?;
    let body = field("/Payload/body")?
        .as_str()
        .and_then(|s| std64.decode(s).ok())
        .ok_or("the Rekor bundle's body is not base64")?;
    let integrated_time = field("/Payload/integratedTime")?
        .as_i64()
        .ok_or("the Rekor bundle's integratedTime is not a number")?;
    let log_index = field("/Payload/logIndex")?
        .as_i64()
        .ok_or("the Rekor bundle's logIndex is not a number")?;
    let log_id = field("/Payload/logID")?
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .ok_or("the Rekor bundle's logID is not hex")?;
    let body_json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("the Rekor entry body is not JSON: {e}"))?;
    let text = |k: &str| {
        body_json
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    Ok(bundle::Parsed {
        version: 1,
        bundle: pb::Bundle {
            media_type: "application/vnd.dev.sigstore.bundle+json;version=0.1".into(),
            verification_material: Some(pb::VerificationMaterial {
                tlog_entries: vec![rekor::TransparencyLogEntry {
                    log_index,
                    log_id: Some(common::LogId { key_id: log_id }),
                    kind_version: Some(rekor::KindVersion {
                        kind: text("kind"),
                        version: text("apiVersion"),
                    }),
                    integrated_time,
                    inclusion_promise: Some(rekor::InclusionPromise {
                        signed_entry_timestamp: set,
                    }),
                    inclusion_proof: None,
                    canonicalized_body: body,
                }],
                timestamp_verification_data: None,
                content: Some(pb::verification_material::Content::X509CertificateChain(
                    common::X509CertificateChain {
                        certificates: vec![common::X509Certificate { raw_bytes: cert }],
                    },
                )),
            }),
            content: Some(pb::bundle::Content::MessageSignature(
                common::MessageSignature {
                    message_digest: None,
                    signature,
                },
            )),
        },
    })
}

//! Which referrers are Notation signatures, and their envelopes (NOTATION.md §1.1-1.4).
//!
//! Order of candidates: the order of [`Graph::referrers`] (listed in an index, then under the
//! referrers tag schema, then unlisted; within each, `index.json` walk order; ties by digest).
//! notation-go tries signatures of a layout in an unspecified order (§1.4); ours is
//! deterministic so that verdicts and reports are reproducible.
//!
//! A signature manifest without exactly one layer (or blob), or an envelope over a size limit,
//! is a candidate whose `envelope` is `Err(reason)`: reaching it aborts the verification, as
//! notation-go's `FetchSignatureBlob` failure does (§1.3).

use std::sync::Arc;

use super::digest::Descriptor;
use super::model::{Document, RawDescriptor};
use super::{
    EnvelopeUnavailable, Graph, ResolveError, SignatureCandidate, ARTIFACT_MANIFEST, EMPTY_JSON,
    IMAGE_MANIFEST, NOTATION_SIGNATURE, THUMBPRINT_ANNOTATION,
};
use crate::limits::Limits;

impl Graph {
    /// The Notation signature candidates of `target`: referrers whose `subject` equals the
    /// target on mediaType, digest and size and that are Notation signatures by §1.3. Too many
    /// referrers (`Limits::max_referrers_per_image`) is an error naming the limit.
    pub fn notation_signatures(
        &self,
        target: &Descriptor,
        limits: &Limits,
    ) -> Result<Vec<SignatureCandidate>, ResolveError> {
        let referrers: Vec<_> = self
            .referrers(&target.digest)
            .into_iter()
            .filter(|r| subject_equals_target(&r.subject, target))
            .collect();
        let count = referrers.len() as u64;
        if count > limits.max_referrers_per_image {
            return Err(ResolveError::TooManyReferrers {
                digest: target.digest.to_string(),
                count,
                limit: limits.max_referrers_per_image,
            });
        }
        let mut out = Vec::new();
        for r in referrers {
            let Some(envelope) = self
                .nodes
                .get(&r.descriptor.digest)
                .and_then(|node| node.notation_envelope.as_ref())
            else {
                continue;
            };
            out.push(SignatureCandidate {
                manifest: r.descriptor.clone(),
                listing: r.listing,
                envelope: (**envelope)
                    .clone()
                    .map_err(EnvelopeUnavailable::from)
                    .and_then(|d| self.envelope_content(d, limits)),
                thumbprints: thumbprints(&r.annotations),
            });
        }
        Ok(out)
    }

    /// The envelope blob: present, intact, of the declared size, within the limits.
    fn envelope_content(
        &self,
        d: Descriptor,
        limits: &Limits,
    ) -> Result<(Descriptor, Arc<[u8]>), EnvelopeUnavailable> {
        if d.size > limits.max_envelope_blob {
            return Err(EnvelopeUnavailable::from(format!(
                "the signature envelope {} is {} bytes, more than the limit of {}",
                d.digest, d.size, limits.max_envelope_blob
            )));
        }
        let content = self.blob(&d.digest).ok_or_else(|| {
            if d.size > limits.max_json_blob {
                EnvelopeUnavailable {
                    message: format!(
                        "the signature envelope {} is {} bytes, more than the limit of {} bytes kept in memory",
                        d.digest, d.size, limits.max_json_blob
                    ),
                    limit: Some(crate::limits::Limit::JsonBlob),
                }
            } else {
                format!("the signature envelope {} is missing from the bundle", d.digest).into()
            }
        })?;
        if content.len() as u64 != d.size {
            return Err(EnvelopeUnavailable::from(format!(
                "the signature envelope {} has {} bytes, its descriptor declares {}",
                d.digest,
                content.len(),
                d.size
            )));
        }
        if d.digest.algorithm().digest(&content) != d.digest {
            return Err(EnvelopeUnavailable::from(format!(
                "the signature envelope {} does not match its digest",
                d.digest
            )));
        }
        Ok((d, content))
    }
}

/// §1.3: a referrer is a candidate only when its `subject` equals the target on mediaType,
/// digest and size (oras `content.Equal`).
pub fn subject_equals_target(subject: &Descriptor, target: &Descriptor) -> bool {
    subject.media_type == target.media_type
        && subject.digest == target.digest
        && subject.size == target.size
}

/// §1.1-1.3: an image manifest is a Notation signature when `artifactType` is
/// `application/vnd.cncf.notary.signature` with the empty config, or when `artifactType` is
/// absent and `config.mediaType` is `application/vnd.cncf.notary.signature`; an OCI artifact
/// manifest when its `artifactType` is that value. ORAS artifact manifests and anything else are
/// not signatures.
pub fn is_notation_signature_manifest(media_type: &str, doc: &Document) -> bool {
    let artifact_type = doc.artifact_type.as_deref().unwrap_or("");
    let config = doc.config.as_ref().map(|c| c.media_type.as_str());
    match media_type {
        IMAGE_MANIFEST => match artifact_type {
            NOTATION_SIGNATURE => config == Some(EMPTY_JSON),
            "" => config == Some(NOTATION_SIGNATURE),
            _ => false,
        },
        ARTIFACT_MANIFEST => artifact_type == NOTATION_SIGNATURE,
        _ => false,
    }
}

/// §1.1/§1.3: a signature manifest carries exactly one envelope: `layers[0]` of an image
/// manifest, `blobs[0]` of an artifact manifest.
///
/// notation aborts the whole verification when it reaches a signature manifest that does not
/// have exactly one layer; so does [`crate::verify::verify_image`].
pub fn signature_manifest_has_exactly_one_envelope<'a>(
    media_type: &str,
    doc: &'a Document,
) -> Result<&'a RawDescriptor, String> {
    let list = if media_type == ARTIFACT_MANIFEST {
        &doc.blobs
    } else {
        &doc.layers
    };
    match list.as_slice() {
        [one] => Ok(one),
        // notation-go's words (its spelling too).
        other => Err(format!(
            "signature manifest requries exactly one signature envelope blob, got {}",
            other.len()
        )),
    }
}

/// The `io.cncf.notary.x509chain.thumbprint#S256` annotation: a JSON array of hex strings
/// (unverified; empty when absent or malformed).
fn thumbprints(annotations: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    annotations
        .get(THUMBPRINT_ANNOTATION)
        .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Algorithm;

    fn doc(json: &str) -> Document {
        Document::parse(json.as_bytes()).unwrap()
    }

    fn d(mt: &str) -> String {
        format!(
            r#"{{"mediaType":"{mt}","digest":"{}","size":2}}"#,
            Algorithm::Sha256.digest(b"{}")
        )
    }

    #[test]
    fn is_notation_signature_manifest_accepts_both_image_manifest_forms() {
        let current = doc(&format!(
            r#"{{"artifactType":"{NOTATION_SIGNATURE}","config":{}}}"#,
            d(EMPTY_JSON)
        ));
        assert!(is_notation_signature_manifest(IMAGE_MANIFEST, &current));
        let legacy = doc(&format!(r#"{{"config":{}}}"#, d(NOTATION_SIGNATURE)));
        assert!(is_notation_signature_manifest(IMAGE_MANIFEST, &legacy));
        let artifact = doc(&format!(r#"{{"artifactType":"{NOTATION_SIGNATURE}"}}"#));
        assert!(is_notation_signature_manifest(ARTIFACT_MANIFEST, &artifact));
    }

    #[test]
    fn is_notation_signature_manifest_rejects_other_forms() {
        let wrong_config = doc(&format!(
            r#"{{"artifactType":"{NOTATION_SIGNATURE}","config":{}}}"#,
            d("application/vnd.oci.image.config.v1+json")
        ));
        assert!(!is_notation_signature_manifest(
            IMAGE_MANIFEST,
            &wrong_config
        ));
        let other = doc(&format!(
            r#"{{"artifactType":"application/spdx+json","config":{}}}"#,
            d(EMPTY_JSON)
        ));
        assert!(!is_notation_signature_manifest(IMAGE_MANIFEST, &other));
        let oras = doc(r#"{"artifactType":"application/vnd.cncf.notary.v2.signature"}"#);
        assert!(!is_notation_signature_manifest(
            super::super::model::ORAS_ARTIFACT_MANIFEST,
            &oras
        ));
    }

    #[test]
    fn signature_manifest_has_exactly_one_envelope_counts_layers() {
        let one = doc(&format!(r#"{{"layers":[{}]}}"#, d(super::super::JWS)));
        assert!(signature_manifest_has_exactly_one_envelope(IMAGE_MANIFEST, &one).is_ok());
        let two = doc(&format!(
            r#"{{"layers":[{},{}]}}"#,
            d(super::super::JWS),
            d(super::super::COSE)
        ));
        let e = signature_manifest_has_exactly_one_envelope(IMAGE_MANIFEST, &two).unwrap_err();
        assert!(
            e.ends_with("exactly one signature envelope blob, got 2"),
            "{e}"
        );
        let blobs = doc(&format!(r#"{{"blobs":[{}]}}"#, d(super::super::COSE)));
        assert!(signature_manifest_has_exactly_one_envelope(ARTIFACT_MANIFEST, &blobs).is_ok());
    }

    #[test]
    fn subject_equals_target_compares_three_fields() {
        let t = Descriptor {
            media_type: IMAGE_MANIFEST.into(),
            digest: Algorithm::Sha256.digest(b"x"),
            size: 1,
        };
        assert!(subject_equals_target(&t, &t));
        let mut other = t.clone();
        other.size = 2;
        assert!(!subject_equals_target(&other, &t));
        let mut other = t.clone();
        other.media_type = super::super::IMAGE_INDEX.into();
        assert!(!subject_equals_target(&other, &t));
    }
}

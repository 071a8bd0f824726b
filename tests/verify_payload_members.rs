//! The signed Notation payload is read as notation-go's `encoding/json` reads it: a member whose
//! name Go would match to `targetArtifact` or one of its descriptor's fields without being
//! spelled exactly so fails the signature, naming the member; the exact spelling verifies.
#![cfg(test)]

use airgap_verify_testkit::harness::{level, signed_at, Bundle};
use airgap_verify_testkit::layout::{Envelope, Listing, ManifestForm, SignatureSpec};
use airgap_verify_testkit::pki::Pki;
use airgap_verify_testkit::sign::{self, SignOptions};

/// A bundle whose only signature signs `payload(image digest, image size)` as its payload.
fn signed_payload(pki: &Pki, kind: Envelope, payload: impl Fn(&str, u64) -> String) -> Bundle {
    Bundle::build(|layout, image| {
        let mut opts = SignOptions::new(signed_at());
        opts.payload_override = Some(payload(&image.digest.to_string(), image.size).into_bytes());
        let envelope = match kind {
            Envelope::Jws => sign::sign_jws(&opts, image, &pki.chain(), &pki.leaf.key),
            Envelope::Cose => sign::sign_cose(&opts, image, &pki.chain(), &pki.leaf.key),
        }
        .unwrap();
        layout.add_signature(
            image,
            &SignatureSpec {
                envelope: &envelope,
                kind,
                chain: &pki.chain(),
                created: signed_at(),
                form: ManifestForm::ArtifactType,
                listing: Listing::Index,
            },
        );
    })
}

/// The payload text for an image digest and size.
type MakePayload = dyn Fn(&str, u64) -> String;

const MT: &str = "application/vnd.oci.image.manifest.v1+json";
const OTHER: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn exact_member_names_verify() {
    let pki = Pki::new("Payload Exact");
    for kind in [Envelope::Jws, Envelope::Cose] {
        let b = signed_payload(&pki, kind, |d, s| {
            format!(r#"{{"targetArtifact":{{"digest":"{d}","mediaType":"{MT}","size":{s}}}}}"#)
        });
        b.verify(&level("strict"), &[&pki.root.cert], &[])
            .expect(0, "verified");
    }
}

#[test]
fn case_folded_payload_members_fail_the_signature() {
    let pki = Pki::new("Payload Folded");
    let cases: Vec<(Box<MakePayload>, &str)> = vec![
        (
            Box::new(|d, s| {
                format!(
                    r#"{{"targetArtifact":{{"digest":"{d}","Digest":"{OTHER}","mediaType":"{MT}","size":{s}}}}}"#
                )
            }),
            "targetArtifact.Digest",
        ),
        (
            Box::new(|d, s| {
                format!(
                    r#"{{"targetArtifact":{{"digest":"{d}","mediaType":"{MT}","size":{s},"ſize":1}}}}"#
                )
            }),
            "targetArtifact.ſize",
        ),
        (
            Box::new(|d, s| {
                format!(
                    r#"{{"targetArtifact":{{"digest":"{d}","mediaType":"{MT}","size":{s}}},"TargetArtifact":{{}}}}"#
                )
            }),
            "TargetArtifact",
        ),
        (
            Box::new(|d, s| {
                format!(
                    r#"{{"targetArtifact":{{"digest":"{d}","mediaType":"{MT}","mediaType":"x","size":{s}}}}}"#
                )
            }),
            "targetArtifact.mediaType",
        ),
    ];
    for (payload, member) in &cases {
        for kind in [Envelope::Jws, Envelope::Cose] {
            let b = signed_payload(&pki, kind, payload);
            let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
            r.no_panic();
            r.expect(1, "failed");
            assert!(r.error(0).contains(member), "{kind:?} {member}: {r:#?}");
        }
    }
}

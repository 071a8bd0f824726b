//! Keyed cosign verification of images over OCI layouts built here in the shapes cosign and
//! oras write: v2 `sha256-<hex>.sig` tags (`oras copy -r --to-oci-layout`), untagged signature
//! manifests (`cosign save`), and v3 bundle referrers.
#![cfg(test)]

use std::path::Path;

use airgap_verify::cosign::{verify_image_keyed, CosignKey, Format, Outcome};
use airgap_verify::limits::Limits;
use airgap_verify::oci::Graph;
use airgap_verify_testkit::cosign::{
    add_bundle, add_sig, sha, sig_tag, simple_signing, Layout, Signer,
};
use serde_json::Value;

fn random() -> Signer {
    Signer {
        key: p256::ecdsa::SigningKey::random(&mut rand_core::OsRng),
    }
}

fn cosign_key(s: &Signer, name: &str) -> CosignKey {
    CosignKey::from_pem_flux(name, s.pem().as_bytes()).unwrap()
}

fn verdict(g: &Graph, image: &Value, keys: &[CosignKey]) -> Outcome {
    let d: airgap_verify::oci::digest::Descriptor = serde_json::from_value(image.clone()).unwrap();
    verify_image_keyed(
        g,
        &d,
        "registry.example/app@digest",
        keys,
        &Limits::default(),
    )
}

fn failed_message(o: &Outcome) -> (&str, String) {
    match o {
        Outcome::Failed { message, details } => (message.as_str(), details.join("\n")),
        Outcome::Verified { .. } => panic!("verified: {o:?}"),
    }
}

#[test]
fn v2_sig_tag_verifies_with_the_right_key_among_several() {
    let (signer, other) = (random(), random());
    let mut l = Layout::new();
    let image = l.image();
    let payload = simple_signing(
        image["digest"].as_str().unwrap(),
        "cosign container image signature",
    );
    add_sig(&mut l, &signer, &payload, Some(sig_tag(&image)));
    let g = l.finish();
    let keys = [
        cosign_key(&other, "other.pub"),
        cosign_key(&signer, "cosign.pub"),
    ];
    match verdict(&g, &image, &keys) {
        Outcome::Verified {
            key_name,
            key_id,
            format,
            ..
        } => {
            assert_eq!(key_name, "cosign.pub");
            assert_eq!(format, Format::SimpleSigning);
            assert_eq!(key_id, keys[1].key_id());
        }
        o => panic!("{o:?}"),
    }
    let o = verdict(&g, &image, &keys[..1]);
    let (message, details) = failed_message(&o);
    assert_eq!(
        message,
        "no matching signatures were found for 'registry.example/app@digest'"
    );
    assert!(
        details.contains("no matching signatures: invalid signature"),
        "{details}"
    );
}

#[test]
fn v2_cosign_save_shape_verifies_untagged_signature_manifests() {
    let signer = random();
    let mut l = Layout::new();
    let image = l.image();
    let payload = simple_signing(
        image["digest"].as_str().unwrap(),
        "cosign container image signature",
    );
    add_sig(&mut l, &signer, &payload, None);
    let g = l.finish();
    assert!(matches!(
        verdict(&g, &image, &[cosign_key(&signer, "cosign.pub")]),
        Outcome::Verified {
            format: Format::SimpleSigning,
            ..
        }
    ));
}

#[test]
fn v2_payload_for_another_digest_or_type_fails() {
    let signer = random();
    let other_digest = sha(b"another manifest");
    for (digest, kind, want) in [
        (
            other_digest.as_str(),
            "cosign container image signature",
            "invalid or missing digest in claim",
        ),
        ("", "atomic container signature", "critical.type"),
    ] {
        let mut l = Layout::new();
        let image = l.image();
        let digest = if digest.is_empty() {
            image["digest"].as_str().unwrap().to_string()
        } else {
            digest.to_string()
        };
        add_sig(
            &mut l,
            &signer,
            &simple_signing(&digest, kind),
            Some(sig_tag(&image)),
        );
        let g = l.finish();
        let o = verdict(&g, &image, &[cosign_key(&signer, "cosign.pub")]);
        let (_, details) = failed_message(&o);
        assert!(details.contains(want), "{details}");
    }
}

#[test]
fn no_signature_at_all_fails() {
    let signer = random();
    let mut l = Layout::new();
    let image = l.image();
    let g = l.finish();
    let o = verdict(&g, &image, &[cosign_key(&signer, "cosign.pub")]);
    let (_, details) = failed_message(&o);
    assert!(details.contains("no signatures found"), "{details}");
}

#[test]
fn v3_bundle_referrer_verifies_and_wrong_key_fails() {
    let (signer, other) = (random(), random());
    let mut l = Layout::new();
    let image = l.image();
    add_bundle(
        &mut l,
        &signer,
        &image,
        image["digest"].as_str().unwrap(),
        false,
    );
    let g = l.finish();
    assert!(matches!(
        verdict(&g, &image, &[cosign_key(&signer, "cosign.pub")]),
        Outcome::Verified {
            format: Format::Bundle,
            ..
        }
    ));
    let o = verdict(&g, &image, &[cosign_key(&other, "other.pub")]);
    let (_, details) = failed_message(&o);
    assert!(details.contains("no matching attestations"), "{details}");
}

#[test]
fn v3_bundle_for_another_digest_fails() {
    let signer = random();
    let mut l = Layout::new();
    let image = l.image();
    add_bundle(&mut l, &signer, &image, &sha(b"another manifest"), false);
    let g = l.finish();
    let o = verdict(&g, &image, &[cosign_key(&signer, "cosign.pub")]);
    let (_, details) = failed_message(&o);
    assert!(
        details.contains("no matching subject digest found"),
        "{details}"
    );
}

#[test]
fn a_tampered_bundle_fails_the_image_even_next_to_a_good_sig() {
    let signer = random();
    let mut l = Layout::new();
    let image = l.image();
    let payload = simple_signing(
        image["digest"].as_str().unwrap(),
        "cosign container image signature",
    );
    add_sig(&mut l, &signer, &payload, Some(sig_tag(&image)));
    add_bundle(
        &mut l,
        &signer,
        &image,
        image["digest"].as_str().unwrap(),
        true,
    );
    let g = l.finish();
    let o = verdict(&g, &image, &[cosign_key(&signer, "cosign.pub")]);
    let (_, details) = failed_message(&o);
    assert!(details.contains("no matching attestations"), "{details}");
}

/// `openssl dgst -verify` agrees with the v2 payload signatures built here.
#[test]
fn openssl_verifies_the_v2_payload_signature() {
    let signer = random();
    let payload = simple_signing(&sha(b"x"), "cosign container image signature");
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("key.pem"), signer.pem()).unwrap();
    std::fs::write(p("payload"), &payload).unwrap();
    std::fs::write(p("sig"), signer.sign(&payload)).unwrap();
    std::fs::write(p("bad"), random().sign(&payload)).unwrap();
    let run = |sig: &Path| {
        std::process::Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(p("key.pem"))
            .arg("-signature")
            .arg(sig)
            .arg(p("payload"))
            .output()
    };
    let Ok(good) = run(&p("sig")) else {
        airgap_verify_testkit::skip("openssl not found");
        return;
    };
    assert!(good.status.success(), "{good:?}");
    assert!(!run(&p("bad")).unwrap().status.success());
    let key = cosign_key(&signer, "cosign.pub");
    assert!(key
        .verify(&payload, &std::fs::read(p("sig")).unwrap())
        .is_ok());
    assert!(key
        .verify(&payload, &std::fs::read(p("bad")).unwrap())
        .is_err());
}

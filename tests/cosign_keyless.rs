//! Keyless Sigstore bundles under a test trust root of our own (Fulcio-like CA, Rekor-like log
//! key, CT log key): built here, verified by the library, and by Python's `sigstore` package
//! (`sigstore verify identity --offline --trust-config`) when it is installed.
#![cfg(test)]

use airgap_verify::cosign::bundle::{self, Artifact, Policy};
use airgap_verify::cosign::{
    verify_image_keyed, verify_image_keyless, CosignKey, IdentityMatcher, KeylessOutcome, Outcome,
    Signer, TrustRoot,
};
use airgap_verify::limits::Limits;
use airgap_verify_testkit::cosign::{add_bundle_bytes, sha, Layout};
use airgap_verify_testkit::sigstore::{
    add_keyless_sig, make_bundle, make_dsse_bundle, spki_der, Breakage, Instance, IDENTITY, ISSUER,
};
use serde_json::Value;
use time::OffsetDateTime;

fn ours(
    inst: &Instance,
    bundle: &Value,
    artifact: &[u8],
    issuer: &str,
    subject: &str,
) -> Result<(), String> {
    let root = TrustRoot::from_json("test", &serde_json::to_vec(&inst.trust_root()).unwrap())
        .map_err(|e| e.to_string())?;
    let ids = [IdentityMatcher::from_regexps(issuer, subject)?];
    let policy = Policy {
        trust_root: Some(&root),
        key: None,
        identities: &ids,
        require_tlog: true,
        at: OffsetDateTime::now_utc(),
    };
    bundle::verify(
        &serde_json::to_vec(bundle).unwrap(),
        Artifact::Bytes(artifact),
        &policy,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// Python `sigstore verify identity --offline` for the instance's identity.
fn python_sigstore(inst: &Instance, bundle: &Value, artifact: &[u8]) -> Option<bool> {
    airgap_verify_testkit::sigstore::python_sigstore(
        &inst.trust_root(),
        bundle,
        artifact,
        IDENTITY,
        ISSUER,
    )
}

#[test]
fn keyless_bundle_verifies_and_each_break_fails() {
    let inst = Instance::new();
    let artifact = b"release artifact\n";
    let good = make_bundle(&inst, artifact, Breakage::default());
    let exact = |v: &Value| {
        ours(
            &inst,
            v,
            artifact,
            &format!("^{}$", regex::escape(ISSUER)),
            &format!("^{}$", regex::escape(IDENTITY)),
        )
    };
    exact(&good).unwrap();
    // Flux's matchOIDCIdentity regexps are matched anywhere in the value (Go's MatchString).
    ours(&inst, &good, artifact, "githubusercontent", "example/app").unwrap();
    let e = ours(&inst, &good, artifact, ISSUER, "other/app").unwrap_err();
    assert!(e.contains("none of the expected identities matched"), "{e}");
    let e = ours(&inst, &good, b"another artifact", ISSUER, IDENTITY).unwrap_err();
    assert!(e.contains("message digest does not match"), "{e}");

    for (name, br, want) in Breakage::each() {
        let bad = make_bundle(&inst, artifact, br);
        let e = exact(&bad).unwrap_err();
        assert!(e.contains(want), "{name}: {e}");
        if let Some(verified) = python_sigstore(&inst, &bad, artifact) {
            assert!(
                !verified,
                "python sigstore verified a bundle broken by {name}"
            );
        }
    }
    match python_sigstore(&inst, &good, artifact) {
        Some(verified) => assert!(verified, "python sigstore rejected the good bundle"),
        None => airgap_verify_testkit::skip("Python sigstore (pip install sigstore) not installed"),
    }
}

#[test]
fn keyless_image_verifies_from_its_bundle_referrer() {
    let inst = Instance::new();
    let root =
        TrustRoot::from_json("test", &serde_json::to_vec(&inst.trust_root()).unwrap()).unwrap();
    let ids = [IdentityMatcher::from_regexps(
        "^https://token\\.actions\\.githubusercontent\\.com$",
        "^https://github\\.com/example/",
    )
    .unwrap()];
    let wrong = [IdentityMatcher::from_regexps(".*", "^https://github\\.com/other/").unwrap()];
    for (subject_is_image, identities, want) in [
        (true, &ids, None),
        (
            true,
            &wrong,
            Some("none of the expected identities matched"),
        ),
        (false, &ids, Some("no matching subject digest found")),
    ] {
        let mut l = Layout::new();
        let image = l.image();
        let digest = image["digest"].as_str().unwrap().to_string();
        let subject = if subject_is_image {
            digest.clone()
        } else {
            sha(b"another manifest")
        };
        let dsse = make_dsse_bundle(&inst, &subject, Breakage::default());
        add_bundle_bytes(&mut l, &image, &serde_json::to_vec(&dsse).unwrap());
        // Python sigstore judges the DSSE bundle over the manifest bytes (its subject); a
        // wrong identity is not asked of it (it is given the right one).
        if identities[0].subject.as_str().contains("example") {
            if let Some(verified) = python_sigstore(&inst, &dsse, &l.read(&digest)) {
                assert_eq!(verified, subject_is_image, "python sigstore on {want:?}");
            }
        }
        let g = l.finish();
        let policy = Policy {
            trust_root: Some(&root),
            key: None,
            identities,
            require_tlog: true,
            at: OffsetDateTime::now_utc(),
        };
        let d = serde_json::from_value(image.clone()).unwrap();
        match (
            verify_image_keyless(&g, &d, &policy, &Limits::default()),
            want,
        ) {
            (KeylessOutcome::Verified { verified, .. }, None) => match verified.signer {
                Signer::Certificate(id) => {
                    assert_eq!(id.subject, IDENTITY);
                    assert_eq!(id.issuer, ISSUER);
                }
                s => panic!("{s:?}"),
            },
            (KeylessOutcome::Failed { message }, Some(want)) => {
                assert!(
                    message.starts_with("no matching attestations: "),
                    "{message}"
                );
                assert!(message.contains(want), "{message}");
            }
            (o, want) => panic!("{want:?}: {o:?}"),
        }
    }
}

#[test]
fn keyless_v2_signature_verifies_from_its_rekor_bundle_annotation() {
    let inst = Instance::new();
    let root =
        TrustRoot::from_json("test", &serde_json::to_vec(&inst.trust_root()).unwrap()).unwrap();
    let ids = [IdentityMatcher::from_regexps("token\\.actions", "github\\.com/example/").unwrap()];
    for (other_digest, tamper_set, want) in [
        (false, false, None),
        (true, false, Some("invalid or missing digest in claim")),
        (false, true, Some("signed entry timestamp does not verify")),
    ] {
        let mut l = Layout::new();
        let image = l.image();
        let claimed = if other_digest {
            sha(b"another")
        } else {
            image["digest"].as_str().unwrap().to_string()
        };
        add_keyless_sig(
            &mut l,
            &inst,
            &image,
            &claimed,
            Breakage {
                tamper_set,
                ..Default::default()
            },
        );
        let g = l.finish();
        let policy = Policy {
            trust_root: Some(&root),
            key: None,
            identities: &ids,
            require_tlog: true,
            at: OffsetDateTime::now_utc(),
        };
        let d = serde_json::from_value(image.clone()).unwrap();
        match (
            verify_image_keyless(&g, &d, &policy, &Limits::default()),
            want,
        ) {
            (KeylessOutcome::Verified { verified, .. }, None) => {
                assert!(matches!(verified.signer, Signer::Certificate(_)));
                assert_eq!(verified.times.len(), 1);
            }
            (KeylessOutcome::Failed { message }, Some(want)) => {
                assert!(message.starts_with("no matching signatures: "), "{message}");
                assert!(message.contains(want), "{message}");
            }
            (o, want) => panic!("{want:?}: {o:?}"),
        }
    }
}

/// Keyed verification of a signature that carries an expired Fulcio certificate fails as in
/// cosign (no log time is consulted under `IgnoreTlog`).
#[test]
fn keyed_signature_with_an_expired_certificate_fails() {
    let inst = Instance::new();
    let mut l = Layout::new();
    let image = l.image();
    let digest = image["digest"].as_str().unwrap().to_string();
    let signer = add_keyless_sig(&mut l, &inst, &image, &digest, Breakage::default());
    let g = l.finish();
    let key = CosignKey::from_spki_der("cosign.pub", &spki_der(&signer)).unwrap();
    let d = serde_json::from_value(image.clone()).unwrap();
    match verify_image_keyed(&g, &d, "app", &[key], &Limits::default()) {
        Outcome::Failed { details, .. } => assert!(
            details[0].contains("expected a signed timestamp to verify an expired certificate"),
            "{details:?}"
        ),
        o => panic!("{o:?}"),
    }
}

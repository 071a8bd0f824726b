//! `inspect` through the binary lists cosign signatures among the referrers, unverified: v2
//! simple-signing manifests (the `sha256-<hex>.sig` tag, the untagged `cosign save` shape) and v3
//! Sigstore bundle referrers, keyed or keyless, with the certificate's names and the log's
//! integrated time. A malformed one is listed with its error; nothing crashes.

#![cfg(test)]

use std::path::Path;
use std::process::Command;

use airgap_verify_testkit::cosign::{
    add_bundle, add_bundle_bytes, add_sig, add_sig_layer, fulcio_shaped_certificate,
    keyless_bundle, rekor_bundle_annotation, sha, sig_tag, simple_signing, Layout, Signer,
};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};

const SUBJECT: &str =
    "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// 2025-01-01T00:00:00Z.
const INTEGRATED: i64 = 1_735_689_600;
const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

struct Inspected {
    code: i32,
    text: String,
    json: Value,
}

fn inspect(layout: &Path) -> Inspected {
    let run = |args: &[&str]| {
        let out = Command::new(airgap_verify_testkit::bin())
            .arg("inspect")
            .arg(layout)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, text) = run(&[]);
    let (json_code, json) = run(&["--format", "json"]);
    assert_eq!(code, json_code, "{text}");
    Inspected {
        code,
        text,
        json: serde_json::from_str(&json).unwrap(),
    }
}

/// The referrers of the first image carrying a cosign description.
fn cosign_referrers(v: &Value) -> Vec<Value> {
    v["images"][0]["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["cosign"].is_null())
        .cloned()
        .collect()
}

fn digest_of(image: &Value) -> String {
    image["digest"].as_str().unwrap().to_string()
}

#[test]
fn keyed_sig_tag_and_bundle_referrer_are_listed() {
    let signer = Signer::from_seed("inspect-cosign/keyed");
    let mut l = Layout::new();
    let image = l.image();
    let digest = digest_of(&image);
    let sig = add_sig(
        &mut l,
        &signer,
        &simple_signing(&digest, SIMPLE_SIGNING_TYPE),
        Some(sig_tag(&image)),
    );
    add_bundle(&mut l, &signer, &image, &digest, false);
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0, "{}", r.text);
    let refs = cosign_referrers(&r.json);
    assert_eq!(refs.len(), 2, "{:#}", r.json);
    // The bundle is a real referrer (listed in index.json); the .sig manifest follows.
    let bundle = &refs[0];
    assert_eq!(bundle["listing"], "index");
    assert_eq!(
        bundle["artifactType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(bundle["signature"], Value::Null);
    assert_eq!(bundle["cosign"]["format"], "bundle");
    assert_eq!(bundle["cosign"]["error"], Value::Null);
    let b = &bundle["cosign"]["signatures"][0];
    assert_eq!(b["mode"], "keyed");
    assert_eq!(
        b["bundleMediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(b["unverifiedSubject"], Value::Null);
    assert_eq!(b["error"], Value::Null);

    let v2 = &refs[1];
    assert_eq!(v2["digest"], sig["digest"]);
    assert_eq!(v2["listing"], "cosign-tag");
    assert_eq!(
        v2["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(v2["cosign"]["format"], "simple-signing");
    let s = &v2["cosign"]["signatures"][0];
    assert_eq!(s["mode"], "keyed");
    assert_eq!(s["unverifiedImageDigest"], digest.as_str());
    assert_eq!(s["error"], Value::Null);
    assert_eq!(s["unverifiedIntegratedTime"], Value::Null);

    for needle in [
        "cosign signature, Sigstore bundle application/vnd.dev.sigstore.bundle.v0.3+json, keyed",
        "(listed: cosign-tag)",
        "cosign signature, simple signing, keyed",
        &format!("image digest (unverified): {digest}"),
    ] {
        assert!(r.text.contains(needle), "{needle}:\n{}", r.text);
    }
    assert!(!r.text.contains("invalid"), "{}", r.text);
}

#[test]
fn keyless_bundle_and_signature_show_the_certificate_names_and_the_log_time() {
    let cert = fulcio_shaped_certificate(SUBJECT, ISSUER);
    let mut l = Layout::new();
    let image = l.image();
    let digest = digest_of(&image);
    add_bundle_bytes(
        &mut l,
        &image,
        &keyless_bundle(cert.der(), &digest, INTEGRATED),
    );
    let pem = airgap_verify_testkit::pki::pem(&cert);
    add_sig_layer(
        &mut l,
        &simple_signing(&digest, SIMPLE_SIGNING_TYPE),
        json!({"dev.cosignproject.cosign/signature": B64.encode(b"sig"),
            "dev.sigstore.cosign/certificate": pem, "dev.sigstore.cosign/chain": "",
            "dev.sigstore.cosign/bundle": rekor_bundle_annotation(INTEGRATED + 60)}),
        Some(sig_tag(&image)),
    );
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0, "{}", r.text);
    let refs = cosign_referrers(&r.json);
    assert_eq!(refs.len(), 2, "{:#}", r.json);
    for (referrer, time) in [
        (&refs[0], "2025-01-01T00:00:00Z"),
        (&refs[1], "2025-01-01T00:01:00Z"),
    ] {
        let s = &referrer["cosign"]["signatures"][0];
        assert_eq!(s["mode"], "keyless", "{s:#}");
        assert_eq!(s["unverifiedSubject"], SUBJECT);
        assert_eq!(s["unverifiedIssuer"], ISSUER);
        assert_eq!(s["unverifiedCertificateIssuer"], cert.issuer().as_str());
        assert_eq!(s["unverifiedIntegratedTime"], time);
        assert_eq!(s["error"], Value::Null, "{s:#}");
    }
    for needle in [
        "cosign signature, Sigstore bundle application/vnd.dev.sigstore.bundle.v0.3+json, keyless",
        "cosign signature, simple signing, keyless",
        &format!("subject (unverified): {SUBJECT}"),
        &format!("OIDC issuer (unverified): {ISSUER}"),
        &format!("certificate issuer (unverified): {}", cert.issuer()),
        "log integrated time (unverified): 2025-01-01T00:00:00Z",
        "log integrated time (unverified): 2025-01-01T00:01:00Z",
    ] {
        assert!(r.text.contains(needle), "{needle}:\n{}", r.text);
    }
}

#[test]
fn cosign_save_shape_is_listed_untagged_and_platform_signatures_under_their_platform() {
    let signer = Signer::from_seed("inspect-cosign/save");
    let mut l = Layout::new();
    let image = l.index_image();
    let digest = digest_of(&image);
    let index: Value = serde_json::from_slice(&l.read(&digest)).unwrap();
    let platform = index["manifests"][0].clone();
    add_sig(
        &mut l,
        &signer,
        &simple_signing(&digest, SIMPLE_SIGNING_TYPE),
        None,
    );
    add_sig(
        &mut l,
        &signer,
        &simple_signing(platform["digest"].as_str().unwrap(), SIMPLE_SIGNING_TYPE),
        Some(sig_tag(&platform)),
    );
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(
        r.json["images"].as_array().unwrap().len(),
        1,
        "{:#}",
        r.json
    );
    let refs = cosign_referrers(&r.json);
    assert_eq!(refs.len(), 1, "{:#}", r.json);
    assert_eq!(refs[0]["listing"], "cosign-untagged");
    assert_eq!(
        refs[0]["cosign"]["signatures"][0]["unverifiedImageDigest"],
        digest.as_str()
    );
    let on_platform = &r.json["images"][0]["platforms"][0]["referrers"];
    assert_eq!(on_platform.as_array().unwrap().len(), 1, "{on_platform:#}");
    assert_eq!(on_platform[0]["listing"], "cosign-tag");
    assert_eq!(
        on_platform[0]["cosign"]["signatures"][0]["unverifiedImageDigest"],
        platform["digest"]
    );
    assert!(r.text.contains("(listed: cosign-untagged)"), "{}", r.text);
}

#[test]
fn an_image_without_cosign_signatures_lists_none() {
    let mut l = Layout::new();
    l.image();
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0);
    assert_eq!(r.json["images"][0]["referrers"], json!([]));
    assert!(r.text.contains("referrers:     none"), "{}", r.text);
    assert!(!r.text.contains("cosign"), "{}", r.text);
}

/// Add a bundle referrer of `image` whose manifest has these layers (media type, bytes).
fn add_bundle_manifest(l: &mut Layout, image: &Value, layers: &[(&str, &[u8])]) {
    let config = l.blob("application/vnd.oci.empty.v1+json", b"{}");
    let layers: Vec<Value> = layers.iter().map(|(mt, b)| l.blob(mt, b)).collect();
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "config": config, "layers": layers, "subject": image});
    let desc = l.blob(
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    l.list(&desc, json!({}));
}

const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// A manifest's layers: media type and bytes.
type Layers<'a> = Vec<(&'a str, &'a [u8])>;

#[test]
fn malformed_bundles_are_listed_with_their_error() {
    let cert = fulcio_shaped_certificate(SUBJECT, ISSUER);
    let good = keyless_bundle(cert.der(), &sha(b"x"), INTEGRATED);
    let text = String::from_utf8(good.clone()).unwrap();
    let v01 = text.replace(
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
    );
    let bad_cert = {
        let mut v: Value = serde_json::from_str(&text).unwrap();
        v["verificationMaterial"]["certificate"]["rawBytes"] = json!(B64.encode(b"not DER"));
        v.to_string()
    };
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let cases: Vec<(Layers, &str)> = vec![
        (
            vec![(BUNDLE, b"not json")],
            "malformed bundle: the bundle does not parse",
        ),
        (vec![(BUNDLE, deep.as_bytes())], "nested more than 64 deep"),
        (
            vec![(BUNDLE, &good[..good.len() / 2])],
            "the bundle does not parse",
        ),
        (
            vec![(BUNDLE, br#"{"mediaType": "text/plain"}"#)],
            "unsupported bundle media type",
        ),
        (
            vec![(BUNDLE, v01.as_bytes())],
            "cosign looks only for version 0.3",
        ),
        (
            vec![(BUNDLE, bad_cert.as_bytes())],
            "the certificate does not parse",
        ),
        (
            vec![(
                BUNDLE,
                br#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
            )],
            "the bundle has no verification material",
        ),
        (
            vec![(BUNDLE, &good), (BUNDLE, &good)],
            "the referrer has 2 layers; cosign reads a bundle from exactly one",
        ),
        (
            vec![("application/octet-stream", &good)],
            "is not a Sigstore bundle's",
        ),
    ];
    for (layers, want) in &cases {
        let mut l = Layout::new();
        let image = l.image();
        add_bundle_manifest(&mut l, &image, layers);
        l.write();
        let r = inspect(l.path());
        assert_eq!(r.code, 0, "{want}: {}", r.text);
        let refs = cosign_referrers(&r.json);
        assert_eq!(refs.len(), 1, "{want}: {:#}", r.json);
        let c = &refs[0]["cosign"];
        let error = c["error"]
            .as_str()
            .or_else(|| c["signatures"][0]["error"].as_str())
            .unwrap_or_else(|| panic!("{want}: no error in {c:#}"));
        assert!(error.contains(want), "{want}: {error}");
        assert!(r.text.contains("invalid: "), "{want}: {}", r.text);
    }
    // The good bundle in the same shape has no error: the cases above fail for their reason.
    let mut l = Layout::new();
    let image = l.image();
    add_bundle_manifest(&mut l, &image, &[(BUNDLE, &good)]);
    l.write();
    let r = inspect(l.path());
    let c = &cosign_referrers(&r.json)[0]["cosign"];
    assert_eq!(c["error"], Value::Null);
    assert_eq!(c["signatures"][0]["error"], Value::Null, "{c:#}");
}

#[test]
fn a_certificate_without_fulcio_names_is_listed_with_what_it_lacks() {
    let leaf = airgap_verify_testkit::pki::make(
        airgap_verify_testkit::pki::CertSpec::leaf(
            "Not Fulcio",
            airgap_verify::pki::crypto::KeySpec::EcP256,
        ),
        None,
    );
    let mut l = Layout::new();
    let image = l.image();
    add_bundle_bytes(
        &mut l,
        &image,
        &keyless_bundle(leaf.cert.der(), &digest_of(&image), INTEGRATED),
    );
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0);
    let s = &cosign_referrers(&r.json)[0]["cosign"]["signatures"][0];
    assert_eq!(s["mode"], "keyless");
    assert_eq!(
        s["unverifiedCertificateIssuer"],
        leaf.cert.issuer().as_str()
    );
    assert_eq!(s["unverifiedSubject"], Value::Null);
    let e = s["error"].as_str().unwrap();
    assert!(
        e.contains("the certificate has no subject alternative name")
            && e.contains("the certificate has no OIDC issuer extension"),
        "{e}"
    );
    assert_eq!(s["unverifiedIntegratedTime"], "2025-01-01T00:00:00Z");
}

#[test]
fn malformed_simple_signing_layers_are_listed_with_their_error() {
    let cert = fulcio_shaped_certificate(SUBJECT, ISSUER);
    let pem = airgap_verify_testkit::pki::pem(&cert);
    let signature = B64.encode(b"sig");
    let cases: Vec<(Vec<u8>, Value, &str)> = vec![
        (
            b"{}".to_vec(),
            json!({}),
            "has no dev.cosignproject.cosign/signature annotation",
        ),
        (
            b"not json".to_vec(),
            json!({"dev.cosignproject.cosign/signature": signature}),
            "the payload is not JSON",
        ),
        (
            b"{}".to_vec(),
            json!({"dev.cosignproject.cosign/signature": "%%%"}),
            "annotation is not base64",
        ),
        (
            b"{}".to_vec(),
            json!({"dev.cosignproject.cosign/signature": signature,
                "dev.sigstore.cosign/certificate": "not PEM"}),
            "the certificate annotation is not PEM",
        ),
        (
            b"{}".to_vec(),
            json!({"dev.cosignproject.cosign/signature": signature,
                "dev.sigstore.cosign/certificate": pem, "dev.sigstore.cosign/bundle": "{"}),
            "the Rekor bundle annotation is not JSON",
        ),
        (
            b"{}".to_vec(),
            json!({"dev.cosignproject.cosign/signature": signature,
                "dev.sigstore.cosign/certificate": pem,
                "dev.sigstore.cosign/bundle": r#"{"Payload": {"integratedTime": "soon"}}"#}),
            "integratedTime is not a number",
        ),
        (
            b"{}".to_vec(),
            json!({"dev.cosignproject.cosign/signature": signature,
                "dev.sigstore.cosign/certificate": pem,
                "dev.sigstore.cosign/bundle": rekor_bundle_annotation(i64::MAX)}),
            "is not a time",
        ),
    ];
    for (payload, annotations, want) in cases {
        let mut l = Layout::new();
        let image = l.image();
        add_sig_layer(&mut l, &payload, annotations, Some(sig_tag(&image)));
        l.write();
        let r = inspect(l.path());
        assert_eq!(r.code, 0, "{want}: {}", r.text);
        let refs = cosign_referrers(&r.json);
        assert_eq!(refs.len(), 1, "{want}: {:#}", r.json);
        let e = refs[0]["cosign"]["signatures"][0]["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{want}: {:#}", refs[0]));
        assert!(e.contains(want), "{want}: {e}");
        assert!(r.text.contains("invalid: "), "{}", r.text);
    }
}

/// A `.sig` tag naming a blob that is no manifest makes the bundle malformed (exit 3, naming the
/// blob), as any listed manifest that does not parse.
#[test]
fn a_sig_tag_naming_a_manifest_that_is_not_json_is_a_malformed_bundle() {
    let mut l = Layout::new();
    let image = l.image();
    let desc = l.blob("application/vnd.oci.image.manifest.v1+json", b"[1, 2, 3]");
    l.list(
        &desc,
        json!({"org.opencontainers.image.ref.name": sig_tag(&image)}),
    );
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 3, "{}", r.text);
    let error = r.json["error"].as_str().unwrap();
    let hex = &desc["digest"].as_str().unwrap()[7..];
    assert!(error.contains(hex), "{error}");
}

#[test]
fn text_escapes_control_characters_in_certificate_names() {
    let cert = fulcio_shaped_certificate("https://evil.example/\u{1b}[32mverified", ISSUER);
    let mut l = Layout::new();
    let image = l.image();
    add_bundle_bytes(
        &mut l,
        &image,
        &keyless_bundle(cert.der(), &digest_of(&image), INTEGRATED),
    );
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0);
    assert!(!r.text.contains('\u{1b}'), "{}", r.text);
    assert!(r.text.contains("\\x1b[32mverified"), "{}", r.text);
    assert_eq!(
        cosign_referrers(&r.json)[0]["cosign"]["signatures"][0]["unverifiedSubject"],
        "https://evil.example/\u{1b}[32mverified"
    );
}

/// Every truncation and every single-byte change of a keyless bundle and of a v2 signature
/// manifest's layer is read without a crash.
#[test]
fn damaged_cosign_material_never_crashes_inspect() {
    let cert = fulcio_shaped_certificate(SUBJECT, ISSUER);
    let bundle = keyless_bundle(cert.der(), &sha(b"x"), INTEGRATED);
    let step = (bundle.len() / 24).max(1);
    let mut l = Layout::new();
    let image = l.image();
    for cut in (0..bundle.len()).step_by(step) {
        let mut b = bundle[..cut].to_vec();
        add_bundle_manifest(&mut l, &image, &[(BUNDLE, &b)]);
        if let Some(x) = b.get_mut(cut / 2) {
            *x ^= 0x55;
        }
        b.extend_from_slice(&bundle[cut..]);
        add_bundle_manifest(&mut l, &image, &[(BUNDLE, &b)]);
    }
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0, "{}", r.text);
    let refs = cosign_referrers(&r.json);
    assert!(refs.len() >= 40, "{}", refs.len());
    assert!(
        refs.iter()
            .any(|r| !r["cosign"]["signatures"][0]["error"].is_null()),
        "{refs:#?}"
    );
}

/// In a bundle of several images, an untagged signature manifest is listed under the image its
/// payload names; one naming none of them is a note. Each image's own `.sig` tag comes first:
/// with one, the untagged manifests are not its signatures (as verification finds them).
#[test]
fn untagged_signatures_of_several_images_go_to_the_image_they_name() {
    let signer = Signer::from_seed("inspect-cosign/untagged");
    let mut l = Layout::new();
    let a = l.image_with(b"a", json!({"org.opencontainers.image.ref.name": "a"}));
    l.image_with(b"b", json!({"org.opencontainers.image.ref.name": "b"}));
    let c = l.image_with(b"c", json!({"org.opencontainers.image.ref.name": "c"}));
    let sign = |l: &mut Layout, digest: &str, tag: Option<String>| {
        add_sig(
            l,
            &signer,
            &simple_signing(digest, SIMPLE_SIGNING_TYPE),
            tag,
        )
    };
    let for_a = sign(&mut l, &digest_of(&a), None);
    let for_nobody = sign(&mut l, &sha(b"elsewhere"), None);
    // c has its own .sig tag: an untagged manifest naming c is not listed under it.
    let for_c = sign(&mut l, &digest_of(&c), None);
    let c_tag = sign(&mut l, &digest_of(&c), Some(sig_tag(&c)));
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0, "{}", r.text);
    let images = r.json["images"].as_array().unwrap();
    assert_eq!(images.len(), 3, "{:#}", r.json);
    let listed = |i: usize| -> Vec<(Value, Value)> {
        images[i]["referrers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["digest"].clone(), r["listing"].clone()))
            .collect()
    };
    assert_eq!(
        listed(0),
        [(for_a["digest"].clone(), json!("cosign-untagged"))]
    );
    assert_eq!(listed(1), []);
    assert_eq!(listed(2), [(c_tag["digest"].clone(), json!("cosign-tag"))]);
    let notes: Vec<&str> = r.json["bundle"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    for d in [&for_nobody, &for_c] {
        let d = d["digest"].as_str().unwrap();
        assert!(
            notes
                .iter()
                .any(|n| n.contains(d) && n.contains("is listed under no image")),
            "{d}: {notes:?}"
        );
        assert!(r
            .text
            .contains(&format!("note: the untagged cosign signature manifest {d}")));
    }
}

/// Layers beyond the signatures verification tries are counted, not read.
#[test]
fn layers_beyond_the_signatures_tried_are_counted() {
    let mut l = Layout::new();
    let image = l.image();
    let digest = digest_of(&image);
    let config = l.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let layers: Vec<Value> = (0..5)
        .map(|i| {
            let mut d = l.blob(
                "application/vnd.dev.cosign.simplesigning.v1+json",
                &simple_signing(&digest, &format!("{SIMPLE_SIGNING_TYPE}{}", " ".repeat(i))),
            );
            d["annotations"] = json!({"dev.cosignproject.cosign/signature": B64.encode(b"sig")});
            d
        })
        .collect();
    let m = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config, "layers": layers});
    let desc = l.blob(
        "application/vnd.oci.image.manifest.v1+json",
        &serde_json::to_vec(&m).unwrap(),
    );
    l.list(
        &desc,
        json!({"org.opencontainers.image.ref.name": sig_tag(&image)}),
    );
    l.write();
    let r = inspect(l.path());
    assert_eq!(r.code, 0, "{}", r.text);
    let c = &cosign_referrers(&r.json)[0]["cosign"];
    assert_eq!(c["signatures"].as_array().unwrap().len(), 3, "{c:#}");
    assert_eq!(c["unreadLayers"], 2);
    assert!(
        r.text
            .contains("2 more layers not read (nor tried by verification)"),
        "{}",
        r.text
    );
    assert_eq!(
        r.text
            .matches("cosign signature, simple signing, keyed")
            .count(),
        3,
        "{}",
        r.text
    );
}

//! Under `verify --all` and in `inspect`, every tag of `index.json` names an image, whatever the
//! manifest carries, except two structures: a referrers tag index (`sha256-<hex>` on an index of
//! manifests whose `subject` is that digest) and cosign's `sha256-<hex>.sig` / `.att` manifests
//! (layers all of cosign's media types). So an unsigned image cannot hide behind a `subject` or a
//! look-alike tag.
#![cfg(test)]

use std::ffi::OsString;
use std::process::Command;

use airgap_verify_testkit::harness::{
    cert_files, level, run_verify, signed_at, Bundle, Run, SCOPE,
};
use airgap_verify_testkit::layout::{Envelope, Layout, OciDescriptor};
use airgap_verify_testkit::pki::Pki;
use airgap_verify_testkit::sign::SignOptions;
use serde_json::json;

/// Adds entries to a layout whose signed image is the descriptor.
type AddEntries = dyn Fn(&mut Layout, &airgap_verify::oci::digest::Descriptor);

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Add a manifest of `layers` (media type, content) with an optional subject, tagged `tag`.
fn add_tagged(
    layout: &mut Layout,
    tag: &str,
    layers: &[(&str, &[u8])],
    subject: Option<&airgap_verify::oci::digest::Descriptor>,
) {
    let config = layout.blob("application/vnd.oci.image.config.v1+json", b"{}");
    let layers: Vec<OciDescriptor> = layers.iter().map(|(mt, c)| layout.blob(mt, c)).collect();
    let mut m = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": config,
        "layers": layers,
    });
    if let Some(s) = subject {
        m["subject"] =
            json!({"mediaType": s.media_type, "digest": s.digest.to_string(), "size": s.size});
    }
    let mut d = layout.blob(MANIFEST, &serde_json::to_vec(&m).unwrap());
    d.annotations.insert(REF_NAME.to_string(), tag.to_string());
    layout.list(d);
}

/// A bundle with the signed image `v1` (and its referrers tag index) and `extra` added.
fn bundle(
    pki: &Pki,
    extra: impl FnOnce(&mut Layout, &airgap_verify::oci::digest::Descriptor),
) -> Bundle {
    Bundle::build(|layout, image| {
        layout.sign(
            image,
            Envelope::Jws,
            &SignOptions::new(signed_at()),
            &pki.chain(),
            &pki.leaf,
        );
        extra(layout, image);
    })
}

fn verify_all(b: &Bundle, pki: &Pki) -> Run {
    let dir = b.trust(&level("strict"), &cert_files(&[&pki.root.cert]));
    let args: Vec<OsString> = [
        "--trust-dir".into(),
        dir.into_os_string(),
        "--all".into(),
        "--scope".into(),
        SCOPE.into(),
    ]
    .to_vec();
    run_verify(&b.layout, &args)
}

fn inspect(b: &Bundle) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_airgap-verify"))
        .args(["inspect", "--progress", "never"])
        .arg(&b.layout)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tags_verified(r: &Run) -> Vec<String> {
    r.json["results"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x["ref"].as_str().or(x["tags"][0].as_str()).unwrap_or("?"),
                x["verdict"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[test]
fn the_referrers_tag_index_and_cosign_signatures_are_not_images() {
    let pki = Pki::new("All Structures");
    let b = bundle(&pki, |layout, image| {
        let tag = format!("{}.sig", image.digest.referrers_tag());
        add_tagged(
            layout,
            &tag,
            &[("application/vnd.dev.cosign.simplesigning.v1+json", b"{}")],
            None,
        );
    });
    let r = verify_all(&b, &pki);
    r.no_panic();
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        r.json["results"].as_array().map(Vec::len),
        Some(1),
        "{r:#?}"
    );
    let listing = inspect(&b);
    let tag = format!("{}.sig", b.image.digest.referrers_tag());
    assert!(!listing.contains(&tag), "{listing}");
    assert!(
        !listing.contains(&format!("Image {}", b.image.digest.referrers_tag())),
        "{listing}"
    );
}

#[test]
fn a_tagged_image_with_a_subject_is_verified() {
    let pki = Pki::new("All Subject");
    let b = bundle(&pki, |layout, image| {
        add_tagged(
            layout,
            "v2",
            &[("application/vnd.oci.image.layer.v1.tar", b"evil")],
            Some(image),
        );
    });
    let r = verify_all(&b, &pki);
    assert_eq!(r.code, 1, "{:?} {r:#?}", tags_verified(&r));
    assert_eq!(
        r.json["results"].as_array().map(Vec::len),
        Some(2),
        "{r:#?}"
    );
    assert!(inspect(&b).contains("v2"));
}

#[test]
fn look_alike_tags_name_images() {
    let pki = Pki::new("All Look-alike");
    // A manifest (not an index) tagged as the referrers tag; a `.sig` tag whose layer is not
    // cosign's; a `.att` tag on a name that is not a digest.
    let cases: Vec<Box<AddEntries>> = vec![
        Box::new(|layout, image| {
            let tag = format!("sha256-{}", "ab".repeat(32));
            let _ = image;
            add_tagged(
                layout,
                &tag,
                &[("application/vnd.oci.image.layer.v1.tar", b"evil")],
                None,
            );
        }),
        Box::new(|layout, image| {
            let tag = format!("{}.sig", image.digest.referrers_tag());
            add_tagged(
                layout,
                &tag,
                &[("application/vnd.oci.image.layer.v1.tar", b"evil")],
                None,
            );
        }),
        Box::new(|layout, _| {
            add_tagged(
                layout,
                "latest.att",
                &[("application/vnd.dsse.envelope.v1+json", b"{}")],
                None,
            );
        }),
    ];
    for add in cases {
        let b = bundle(&pki, |layout, image| add(layout, image));
        let r = verify_all(&b, &pki);
        assert_eq!(r.code, 1, "{r:#?}");
        assert_eq!(
            r.json["results"].as_array().map(Vec::len),
            Some(2),
            "{r:#?}"
        );
    }
}

//! The library API over real and synthetic layouts: images, resolve, referrers and Notation
//! signature candidates.
#![cfg(test)]

use airgap_verify::bundle::{read_bundle, ProgressSink, Source};
use airgap_verify::limits::Limits;
use airgap_verify::oci::{Graph, Listing, ResolveError};
use airgap_verify_testkit::bundles::*;

fn graph_of(path: &std::path::Path) -> Graph {
    let limits = Limits::default();
    let b = read_bundle(&Source::Path(path.into()), &limits, &ProgressSink::none()).unwrap();
    Graph::build(&b, &limits).unwrap()
}

/// The Notation signature candidates of the single image of a graph.
fn signatures_of(g: &Graph) -> Vec<airgap_verify::oci::SignatureCandidate> {
    let image = g.resolve(None).unwrap();
    g.notation_signatures(&image.descriptor, &Limits::default())
        .unwrap()
}

#[test]
fn resolve_by_nothing_tag_and_digest() {
    let Some(l) = layout("e2e-valid-multiple-signatures") else {
        return;
    };
    let g = graph_of(&l);
    let digest = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
    assert_eq!(
        g.resolve(None).unwrap().descriptor.digest.to_string(),
        digest
    );
    assert_eq!(g.resolve(Some("v1")).unwrap().tags, vec!["v1"]);
    assert!(g.resolve(Some(digest)).is_ok());
    let e = g.resolve(Some("v2")).unwrap_err();
    assert!(matches!(e, ResolveError::NotFound { .. }));
    assert!(e.to_string().contains("v1 (sha256:b8479de3"), "{e}");
}

#[test]
fn multiple_signatures_in_index_order() {
    let Some(l) = layout("e2e-valid-multiple-signatures") else {
        return;
    };
    let g = graph_of(&l);
    let image = g.resolve(None).unwrap();
    let sigs = signatures_of(&g);
    let digests: Vec<String> = sigs.iter().map(|s| s.manifest.digest.to_string()).collect();
    assert_eq!(digests.len(), 2);
    assert!(digests[0].starts_with("sha256:90ceaff2"), "{digests:?}");
    assert!(digests[1].starts_with("sha256:c3ebe4a2"), "{digests:?}");
    for s in &sigs {
        assert_eq!(s.listing, Listing::Index);
        let (d, bytes) = s.envelope.as_ref().unwrap();
        assert_eq!(d.media_type, "application/jose+json");
        assert_eq!(bytes.len() as u64, d.size);
        assert_eq!(s.thumbprints.len(), 1);
    }
    let limits = Limits {
        max_referrers_per_image: 1,
        ..Limits::default()
    };
    let e = g
        .notation_signatures(&image.descriptor, &limits)
        .unwrap_err();
    // The library names the limit; the command line adds its flag (tests/hostile_limits.rs).
    assert!(e.to_string().contains("more than the limit of 1"), "{e}");
    assert!(!e.to_string().contains("--"), "{e}");
}

#[test]
fn invalid_signature_has_a_non_envelope_layer() {
    let Some(l) = layout("e2e-invalid-signature") else {
        return;
    };
    let g = graph_of(&l);
    let sigs = signatures_of(&g);
    assert_eq!(sigs.len(), 1);
    let (d, _) = sigs[0].envelope.as_ref().unwrap();
    assert_eq!(d.media_type, "application/vnd.oci.image.layer.v1.tar");
}

#[test]
fn unlisted_signature_is_found_and_labelled() {
    let Some(l) = layout("e2e-valid-signature") else {
        return;
    };
    let copy = copy_layout(&l);
    let index = r#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9","size":517,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}"#;
    std::fs::write(copy.path().join("index.json"), index).unwrap();
    let g = graph_of(copy.path());
    let refs = g.referrers(&g.resolve(None).unwrap().descriptor.digest);
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].listing, Listing::Unlisted);
    assert_eq!(signatures_of(&g)[0].listing, Listing::Unlisted);
    // The tag-schema index is now referenced by nothing.
    let unref: Vec<String> = g
        .integrity()
        .unreferenced
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(unref.len(), 1, "{unref:?}");
    assert!(unref[0].starts_with("sha256:13e107e0"));
    assert!(!g.integrity().is_damaged());
}

#[test]
fn tag_schema_only_signature() {
    let Some(l) = layout("e2e-valid-signature") else {
        return;
    };
    let copy = copy_layout(&l);
    let p = copy.path().join("index.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    v["manifests"].as_array_mut().unwrap().remove(1);
    std::fs::write(&p, v.to_string()).unwrap();
    let g = graph_of(copy.path());
    let sigs = signatures_of(&g);
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].listing, Listing::TagSchema);
}

#[test]
fn multi_platform_index_with_containerd_name() {
    let mut files = small_layout();
    let manifest = files[4].1.clone();
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}}]}}"#,
        sha256(&manifest),
        manifest.len()
    )
    .into_bytes();
    files[1].1 = index_json(&[(
        "application/vnd.oci.image.index.v1+json",
        &index,
        r#"{"io.containerd.image.name":"docker.io/library/alpine:3.19","org.opencontainers.image.ref.name":"3.19"}"#,
    )]);
    files.push((blob_path(&index), index));
    let dir = write_dir(&files);
    let g = graph_of(dir.path());
    let image = g.resolve(Some("docker.io/library/alpine:3.19")).unwrap();
    assert_eq!(image.tags, vec!["3.19"]);
    assert_eq!(image.platforms.len(), 1);
    assert_eq!(
        image.platforms[0].platform.as_ref().unwrap().to_string(),
        "linux/arm64/v8"
    );
    assert_eq!(image.layer_count, 1);
    assert!(g.resolve(Some("3.19")).is_ok());
}

#[test]
fn signature_with_two_layers_is_a_candidate_with_an_error() {
    let mut files = small_layout();
    let target = files[4].1.clone();
    let empty = b"{}".to_vec();
    let env = b"{\"payload\":\"\"}".to_vec();
    let sig = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{e}","size":2}},"layers":[{{"mediaType":"application/jose+json","digest":"{v}","size":{n}}},{{"mediaType":"application/jose+json","digest":"{v}","size":{n}}}],"subject":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{t}","size":{tn}}}}}"#,
        e = sha256(&empty),
        v = sha256(&env),
        n = env.len(),
        t = sha256(&target),
        tn = target.len()
    )
    .into_bytes();
    files[1].1 = index_json(&[
        (
            "application/vnd.oci.image.manifest.v1+json",
            &target,
            r#"{"org.opencontainers.image.ref.name":"v1"}"#,
        ),
        ("application/vnd.oci.image.manifest.v1+json", &sig, "{}"),
    ]);
    files.push((blob_path(&empty), empty));
    files.push((blob_path(&env), env));
    files.push((blob_path(&sig), sig));
    let dir = write_dir(&files);
    let g = graph_of(dir.path());
    assert_eq!(g.images().len(), 1);
    let sigs = signatures_of(&g);
    assert_eq!(sigs.len(), 1);
    let e = sigs[0].envelope.as_ref().unwrap_err();
    assert!(
        e.message
            .ends_with("exactly one signature envelope blob, got 2"),
        "{e}"
    );
}

#[test]
fn sha512_blobs_are_checked() {
    let mut files = small_layout();
    let data = b"sha512 content".to_vec();
    let hex = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha512::digest(&data))
    };
    files.push((format!("blobs/sha512/{hex}"), b"tampered".to_vec()));
    let dir = write_dir(&files);
    let g = graph_of(dir.path());
    assert!(g.integrity().is_damaged());
    assert!(g.integrity().problems[0].to_string().contains(&hex));
    files.pop();
    files.push((format!("blobs/sha512/{hex}"), data));
    let dir = write_dir(&files);
    assert!(!graph_of(dir.path()).integrity().is_damaged());
}

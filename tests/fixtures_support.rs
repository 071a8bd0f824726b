//! The test-support builders make what Notation expects: chains that link, layouts whose blobs
//! hash to their names, archives that hold the same files, tokens that parse.
#![cfg(test)]

use airgap_verify::oci::digest::{Algorithm, Digest};
use airgap_verify::pki::cert::ext_oid;
use airgap_verify::pki::crypto::{HashAlg, KeySpec};
use airgap_verify_testkit::layout::{Envelope, ImageSpec, Layout};
use airgap_verify_testkit::pki::{self, CertSpec, Pki, PkiSpec};
use airgap_verify_testkit::sign::{SignOptions, SignTimestamp};

#[test]
fn pki_chain_links_and_has_the_code_signing_profile() {
    let pki = Pki::new("Support");
    let chain = pki.chain();
    chain[0].verify_signed_by(&chain[1]).unwrap();
    chain[1].verify_signed_by(&chain[2]).unwrap();
    assert!(chain[2].is_self_signed());
    assert!(!chain[0].is_self_signed());
    let (critical, ku) = chain[0].key_usage().unwrap().unwrap();
    assert!(critical);
    assert!(ku.digital_signature());
    let (_, eku) = chain[0].extended_key_usage().unwrap().unwrap();
    assert_eq!(eku.0, vec![ext_oid::EKU_CODE_SIGNING]);
    assert!(chain[1].is_ca() && chain[2].is_ca() && !chain[0].is_ca());
    assert_eq!(chain[0].subject(), pki.leaf.spec.subject);
}

#[test]
fn specs_can_break_each_rule() {
    let mut spec = PkiSpec::new("Broken");
    spec.leaf.key_usage = None;
    spec.intermediate.basic_constraints = None;
    spec.leaf.issuer_override = Some(pki::subject("Somebody Else"));
    let pki = Pki::from_spec(spec);
    assert!(pki.leaf.cert.key_usage().unwrap().is_none());
    assert!(pki.intermediate.cert.basic_constraints().unwrap().is_none());
    assert!(!pki
        .leaf
        .cert
        .issuer_name_is_subject_of(&pki.intermediate.cert));
    let expired = pki.issue_leaf(CertSpec::leaf("Expired", KeySpec::EcP256).valid(
        time::macros::datetime!(2020-01-01 0:00 UTC),
        time::macros::datetime!(2021-01-01 0:00 UTC),
    ));
    assert_eq!(expired.cert.not_after().year(), 2021);
    let rsa = pki::self_signed_leaf("RSA", KeySpec::Rsa2048);
    assert!(rsa.cert.is_self_signed());
    assert_eq!(
        rsa.cert.public_key().unwrap().key_spec().unwrap(),
        KeySpec::Rsa2048
    );
}

#[test]
fn layout_blobs_hash_to_their_names_and_archives_hold_them() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki::new("Layout");
    let mut layout = Layout::create(&tmp.path().join("layout"));
    let image = layout.add_image(&ImageSpec::new("one").tag("v1"));
    let opts = SignOptions::new(pki::LONG_AGO);
    layout.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
    layout.sign(&image, Envelope::Cose, &opts, &pki.chain(), &pki.leaf);
    let dir = layout.finish();
    let mut blobs = 0;
    for entry in std::fs::read_dir(dir.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let bytes = std::fs::read(entry.path()).unwrap();
        assert_eq!(Algorithm::Sha256.digest(&bytes).hex(), name);
        blobs += 1;
    }
    // image: layer, config, manifest; 2 x (envelope, signature manifest); shared {} config;
    // referrers index.
    assert_eq!(blobs, 9);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let tag = image.digest.referrers_tag();
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 4);
    assert!(manifests
        .iter()
        .any(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag.as_str()));

    let tar = tmp.path().join("l.tar");
    airgap_verify_testkit::layout::write_tar(&dir, &tar);
    let mut archive = tar::Archive::new(std::fs::File::open(&tar).unwrap());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 11);
    assert!(names.contains(&"oci-layout".to_string()));
    let zst = tmp.path().join("l.tar.zst");
    airgap_verify_testkit::layout::write_tar_zst(&dir, &zst);
    let mut decoded = Vec::new();
    let mut dec =
        ruzstd::decoding::StreamingDecoder::new(std::fs::File::open(&zst).unwrap()).unwrap();
    std::io::Read::read_to_end(&mut dec, &mut decoded).unwrap();
    assert_eq!(decoded, std::fs::read(&tar).unwrap());
    let _ = Digest::parse(&format!("sha256:{}", "0".repeat(64))).unwrap();
}

#[test]
fn openssl_makes_a_timestamp_token_over_the_signature() {
    if !airgap_verify_testkit::openssl::available_or_skip() {
        return;
    }
    let (tsa_root, tsa) = pki::tsa_chain("Support");
    let token = airgap_verify_testkit::tsa::timestamp_token(
        b"signature bytes",
        HashAlg::Sha256,
        &tsa,
        &[&tsa_root],
    )
    .unwrap();
    // A CMS ContentInfo (SEQUENCE) holding id-signedData and the TSA certificate.
    assert_eq!(token[0], 0x30);
    let der = tsa.cert.der();
    assert!(token.windows(der.len()).any(|w| w == der));
    // TSTInfo: version 1, messageImprint = SHA-256 of the data (NOTATION.md §5.2 step 3).
    use der::{Decode, Encode};
    let info = cms::content_info::ContentInfo::from_der(&token).unwrap();
    let signed: cms::signed_data::SignedData = info.content.decode_as().unwrap();
    let econtent = signed.encap_content_info.econtent.unwrap();
    let octets = der::asn1::OctetString::from_der(&econtent.to_der().unwrap()).unwrap();
    let tst = x509_tsp::TstInfo::from_der(octets.as_bytes()).unwrap();
    assert_eq!(
        tst.message_imprint.hashed_message.as_bytes(),
        HashAlg::Sha256.digest(b"signature bytes").as_slice()
    );
    assert_eq!(
        tst.message_imprint.hash_algorithm.oid,
        airgap_verify::pki::crypto::oid::SHA256
    );

    let pki = Pki::new("Timestamped");
    let mut opts = SignOptions::new(pki::LONG_AGO);
    opts.timestamp = SignTimestamp::Countersign(airgap_verify_testkit::tsa::countersigner(
        HashAlg::Sha256,
        &tsa,
        &[&tsa_root],
    ));
    let target = airgap_verify::oci::digest::Descriptor {
        media_type: airgap_verify::oci::IMAGE_MANIFEST.into(),
        digest: Algorithm::Sha256.digest(b"m"),
        size: 1,
    };
    let env =
        airgap_verify_testkit::sign::sign_jws(&opts, &target, &pki.chain(), &pki.leaf.key).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&env).unwrap();
    assert!(v["header"]["io.cncf.notary.timestampSignature"].is_string());
}

#[test]
fn multi_platform_image_and_prefixed_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let mut layout = Layout::create(&tmp.path().join("layout"));
    let (index, platforms) =
        layout.add_multi_platform_image("multi", "v2", &[("linux", "amd64"), ("linux", "arm64")]);
    assert_eq!(index.media_type, airgap_verify::oci::IMAGE_INDEX);
    assert_eq!(platforms.len(), 2);
    let dir = layout.finish();
    let blob = std::fs::read(dir.join(index.digest.blob_path())).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&blob).unwrap();
    assert_eq!(v["manifests"][1]["platform"]["architecture"], "arm64");
    assert_eq!(v["manifests"][0]["digest"], platforms[0].digest.to_string());

    let tar = airgap_verify_testkit::layout::tar_bytes_under(&dir, "bundle/");
    let mut archive = tar::Archive::new(tar.as_slice());
    assert!(archive
        .entries()
        .unwrap()
        .all(|e| e.unwrap().path().unwrap().starts_with("bundle")));
}

#[test]
fn openssl_timestamps_without_issuer_certificates() {
    if !airgap_verify_testkit::openssl::available_or_skip() {
        return;
    }
    let (_, tsa) = pki::tsa_chain("Alone");
    let token =
        airgap_verify_testkit::tsa::timestamp_token(b"sig", HashAlg::Sha384, &tsa, &[]).unwrap();
    assert_eq!(token[0], 0x30);
}

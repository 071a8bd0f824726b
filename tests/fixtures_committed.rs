//! The committed `fixtures/` are well formed: every blob hashes to its name and is referenced,
//! every descriptor's size is right, signatures are listed as notation lists them and verify
//! with the fixture chain, the archives hold the folder, and the Secret, trust folder and Flux
//! seed agree with the PKI and the image.
#![cfg(test)]

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use airgap_verify::oci::digest::{Algorithm, Digest};
use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::crypto::PssSalt;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use coset::TaggedCborSerializable;
use serde_json::Value;

const LAYOUTS: [&str; 7] = [
    "signed",
    "expired-signature",
    "expired-certificate",
    "unsigned",
    "multi",
    "cosign",
    "cosign-keyless",
];

fn fixtures() -> std::path::PathBuf {
    airgap_verify_testkit::fixtures_dir()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn blob(layout: &Path, digest: &str) -> Vec<u8> {
    let d = Digest::parse(digest).unwrap();
    std::fs::read(layout.join(d.blob_path())).unwrap_or_else(|e| panic!("{digest}: {e}"))
}

/// Walk the graph from `index.json`, checking each descriptor's blob and size; returns the
/// digests reached.
fn reachable(layout: &Path) -> BTreeSet<String> {
    let index = read_json(&layout.join("index.json"));
    let mut seen = BTreeSet::new();
    let mut todo: Vec<Value> = index["manifests"].as_array().unwrap().clone();
    while let Some(desc) = todo.pop() {
        let digest = desc["digest"].as_str().unwrap().to_string();
        let bytes = blob(layout, &digest);
        assert_eq!(
            bytes.len() as u64,
            desc["size"].as_u64().unwrap(),
            "size of {digest}"
        );
        if !seen.insert(digest) {
            continue;
        }
        match desc["mediaType"].as_str().unwrap() {
            airgap_verify::oci::IMAGE_MANIFEST => {
                let m: Value = serde_json::from_slice(&bytes).unwrap();
                todo.push(m["config"].clone());
                todo.extend(m["layers"].as_array().unwrap().iter().cloned());
                if !m["subject"].is_null() {
                    todo.push(m["subject"].clone());
                }
            }
            airgap_verify::oci::IMAGE_INDEX => {
                let m: Value = serde_json::from_slice(&bytes).unwrap();
                todo.extend(m["manifests"].as_array().unwrap().iter().cloned());
            }
            _ => {}
        }
    }
    seen
}

#[test]
fn every_layout_is_intact_and_fully_referenced() {
    for name in LAYOUTS {
        let layout = fixtures().join(name);
        assert_eq!(
            read_json(&layout.join("oci-layout"))["imageLayoutVersion"],
            "1.0.0"
        );
        let mut present = BTreeSet::new();
        for entry in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
            let entry = entry.unwrap();
            let hex = entry.file_name().into_string().unwrap();
            let bytes = std::fs::read(entry.path()).unwrap();
            assert_eq!(
                Algorithm::Sha256.digest(&bytes).hex(),
                hex,
                "{name}: blob {hex}"
            );
            present.insert(format!("sha256:{hex}"));
        }
        assert_eq!(
            reachable(&layout),
            present,
            "{name}: unreferenced or missing blobs"
        );
    }
}

/// The signature manifests of `subject` listed in `index.json`.
fn signatures(layout: &Path, subject: &str) -> Vec<Value> {
    let index = read_json(&layout.join("index.json"));
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["mediaType"] == airgap_verify::oci::IMAGE_MANIFEST)
        .map(|d| {
            serde_json::from_slice::<Value>(&blob(layout, d["digest"].as_str().unwrap())).unwrap()
        })
        .filter(|m| m["subject"]["digest"] == subject)
        .collect()
}

fn tagged(layout: &Path, tag: &str) -> Value {
    let index = read_json(&layout.join("index.json"));
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap_or_else(|| panic!("{}: no tag {tag}", layout.display()))
        .clone()
}

fn pki_cert(name: &str) -> Cert {
    let pem = std::fs::read(fixtures().join(format!("pki/{name}.crt"))).unwrap();
    parse_certificates(&pem, 10).unwrap().remove(0)
}

/// Check one envelope: x5c is the fixture chain, the signature verifies with the leaf, the
/// payload names `image`.
fn check_envelope(media_type: &str, bytes: &[u8], image: &Value, chain: &[Cert]) {
    let leaf_key = chain[0].public_key().unwrap();
    let alg = leaf_key.key_spec().unwrap().signature_algorithm();
    let (payload, x5c) = if media_type == airgap_verify::oci::JWS {
        let v: Value = serde_json::from_slice(bytes).unwrap();
        let (p, pl) = (
            v["protected"].as_str().unwrap(),
            v["payload"].as_str().unwrap(),
        );
        let sig = URL_SAFE_NO_PAD
            .decode(v["signature"].as_str().unwrap())
            .unwrap();
        leaf_key
            .verify(
                alg.envelope_verification(PssSalt::HashLength),
                format!("{p}.{pl}").as_bytes(),
                &sig,
            )
            .unwrap();
        let x5c: Vec<Vec<u8>> = v["header"]["x5c"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| STANDARD.decode(c.as_str().unwrap()).unwrap())
            .collect();
        (URL_SAFE_NO_PAD.decode(pl).unwrap(), x5c)
    } else {
        assert_eq!(media_type, airgap_verify::oci::COSE);
        let msg = coset::CoseSign1::from_tagged_slice(bytes).unwrap();
        leaf_key
            .verify(
                alg.envelope_verification(PssSalt::HashLength),
                &msg.tbs_data(b""),
                &msg.signature,
            )
            .unwrap();
        let x5c = msg
            .unprotected
            .rest
            .iter()
            .find(|(l, _)| *l == coset::Label::Int(33))
            .and_then(|(_, v)| v.as_array().cloned())
            .unwrap()
            .into_iter()
            .map(|c| c.into_bytes().unwrap())
            .collect();
        (msg.payload.unwrap(), x5c)
    };
    assert_eq!(
        x5c,
        chain.iter().map(|c| c.der().to_vec()).collect::<Vec<_>>()
    );
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    let target = &payload["targetArtifact"];
    assert_eq!(target["digest"], image["digest"]);
    assert_eq!(target["size"], image["size"]);
    assert_eq!(target["mediaType"], image["mediaType"]);
}

#[test]
fn signed_layout_has_a_jws_and_a_cose_signature_in_both_manifest_forms() {
    let layout = fixtures().join("signed");
    let image = tagged(&layout, "v1");
    assert_eq!(
        image["annotations"]["io.containerd.image.name"],
        "registry.example/app:v1"
    );
    let digest = image["digest"].as_str().unwrap();
    let chain = vec![pki_cert("leaf"), pki_cert("intermediate"), pki_cert("root")];
    let sigs = signatures(&layout, digest);
    assert_eq!(sigs.len(), 2);
    let mut kinds = BTreeSet::new();
    for sig in &sigs {
        let layer = &sig["layers"][0];
        let media_type = layer["mediaType"].as_str().unwrap();
        kinds.insert(media_type.to_string());
        match media_type {
            airgap_verify::oci::JWS => {
                assert_eq!(sig["artifactType"], airgap_verify::oci::NOTATION_SIGNATURE);
                assert_eq!(sig["config"]["mediaType"], airgap_verify::oci::EMPTY_JSON);
            }
            _ => {
                assert!(sig.get("artifactType").is_none());
                assert_eq!(
                    sig["config"]["mediaType"],
                    airgap_verify::oci::NOTATION_SIGNATURE
                );
            }
        }
        assert_eq!(
            sig["subject"],
            serde_json::json!({
                "mediaType": image["mediaType"], "digest": image["digest"], "size": image["size"]
            })
        );
        let thumbprints: Vec<String> = serde_json::from_str(
            sig["annotations"]["io.cncf.notary.x509chain.thumbprint#S256"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            thumbprints,
            chain
                .iter()
                .map(|c| c.sha256_thumbprint())
                .collect::<Vec<_>>()
        );
        check_envelope(
            media_type,
            &blob(&layout, layer["digest"].as_str().unwrap()),
            &image,
            &chain,
        );
    }
    assert_eq!(kinds.len(), 2);

    let referrers = tagged(&layout, &Digest::parse(digest).unwrap().referrers_tag());
    let referrers: Value =
        serde_json::from_slice(&blob(&layout, referrers["digest"].as_str().unwrap())).unwrap();
    let listed = referrers["manifests"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed
        .iter()
        .all(|d| d["artifactType"] == airgap_verify::oci::NOTATION_SIGNATURE));
}

#[test]
fn other_layouts_hold_what_the_readme_says() {
    let now = time::OffsetDateTime::now_utc();
    // Expired signature: expiry one day after signing, long past.
    let layout = fixtures().join("expired-signature");
    let image = tagged(&layout, "v1");
    let sigs = signatures(&layout, image["digest"].as_str().unwrap());
    assert_eq!(sigs.len(), 2);
    let jws = sigs
        .iter()
        .find(|s| s["layers"][0]["mediaType"] == airgap_verify::oci::JWS)
        .unwrap();
    let env: Value =
        serde_json::from_slice(&blob(&layout, jws["layers"][0]["digest"].as_str().unwrap()))
            .unwrap();
    let protected: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(env["protected"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let expiry = time::OffsetDateTime::parse(
        protected["io.cncf.notary.expiry"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expiry < now);
    assert!(protected["crit"]
        .as_array()
        .unwrap()
        .contains(&Value::from("io.cncf.notary.expiry")));

    // Expired certificate.
    let layout = fixtures().join("expired-certificate");
    let image = tagged(&layout, "v1");
    let sigs = signatures(&layout, image["digest"].as_str().unwrap());
    assert_eq!(sigs.len(), 1);
    let expired = pki_cert("expired");
    assert!(expired.not_after() < now);
    let chain = vec![expired, pki_cert("intermediate"), pki_cert("root")];
    check_envelope(
        airgap_verify::oci::JWS,
        &blob(&layout, sigs[0]["layers"][0]["digest"].as_str().unwrap()),
        &image,
        &chain,
    );

    // Unsigned.
    let layout = fixtures().join("unsigned");
    let image = tagged(&layout, "v1");
    assert!(signatures(&layout, image["digest"].as_str().unwrap()).is_empty());

    // Multi: signed by the chain, signed by the unrelated certificate, unsigned.
    let layout = fixtures().join("multi");
    let signed = tagged(&layout, "signed");
    let other = tagged(&layout, "other");
    let unsigned = tagged(&layout, "unsigned");
    let chain = vec![pki_cert("leaf"), pki_cert("intermediate"), pki_cert("root")];
    let s = signatures(&layout, signed["digest"].as_str().unwrap());
    check_envelope(
        airgap_verify::oci::JWS,
        &blob(&layout, s[0]["layers"][0]["digest"].as_str().unwrap()),
        &signed,
        &chain,
    );
    let s = signatures(&layout, other["digest"].as_str().unwrap());
    check_envelope(
        airgap_verify::oci::JWS,
        &blob(&layout, s[0]["layers"][0]["digest"].as_str().unwrap()),
        &other,
        &[pki_cert("unrelated")],
    );
    assert!(signatures(&layout, unsigned["digest"].as_str().unwrap()).is_empty());
}

#[test]
fn pki_has_the_documented_certificates() {
    let root = pki_cert("root");
    let intermediate = pki_cert("intermediate");
    let leaf = pki_cert("leaf");
    leaf.verify_signed_by(&intermediate).unwrap();
    intermediate.verify_signed_by(&root).unwrap();
    assert!(root.is_self_signed());
    assert!(leaf.not_after().year() >= 2099);
    let chain = parse_certificates(
        &std::fs::read(fixtures().join("pki/chain.pem")).unwrap(),
        10,
    )
    .unwrap();
    assert_eq!(chain, vec![leaf, intermediate.clone(), root]);
    let self_signed = pki_cert("self-signed");
    assert!(self_signed.is_self_signed());
    assert_eq!(
        self_signed.public_key().unwrap().key_spec().unwrap(),
        airgap_verify::pki::crypto::KeySpec::Rsa2048
    );
    let expired = pki_cert("expired");
    expired.verify_signed_by(&intermediate).unwrap();
    assert_eq!(expired.not_before().year(), 2020);
    assert_eq!(expired.not_after().year(), 2021);
    assert!(pki_cert("unrelated").is_self_signed());
    let tsa = pki_cert("tsa");
    tsa.verify_signed_by(&pki_cert("tsa-root")).unwrap();
    let (critical, eku) = tsa.extended_key_usage().unwrap().unwrap();
    assert!(critical);
    assert_eq!(
        eku.0,
        vec![airgap_verify::pki::cert::ext_oid::EKU_TIME_STAMPING]
    );
    // Every private key matches its certificate.
    for (cert, key) in [
        ("leaf", "leaf"),
        ("root", "root"),
        ("self-signed", "rsa-2048"),
        ("unrelated", "unrelated"),
        ("tsa", "tsa"),
    ] {
        let pem = std::fs::read_to_string(fixtures().join(format!("keys/{key}.pem"))).unwrap();
        let key = airgap_verify_testkit::sign::SignKey::from_pkcs8_pem(&pem).unwrap();
        let spki = der::Encode::to_der(
            &pki_cert(cert)
                .inner()
                .tbs_certificate
                .subject_public_key_info,
        )
        .unwrap();
        assert_eq!(key.public_key_der().unwrap(), spki, "{cert}");
    }
}

fn tar_files(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

#[test]
fn archives_hold_exactly_the_signed_folder() {
    let dir = fixtures();
    let tar = std::fs::read(dir.join("signed.tar")).unwrap();
    let files = tar_files(&tar);
    for (name, data) in &files {
        assert_eq!(
            &std::fs::read(dir.join("signed").join(name)).unwrap(),
            data,
            "{name}"
        );
    }
    let on_disk = walkdir::WalkDir::new(dir.join("signed"))
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(files.len(), on_disk);

    let mut gz = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("signed.tar.gz")).unwrap())
        .read_to_end(&mut gz)
        .unwrap();
    assert_eq!(gz, tar);
    let mut zst = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(
        std::fs::File::open(dir.join("signed.tar.zst")).unwrap(),
    )
    .unwrap()
    .read_to_end(&mut zst)
    .unwrap();
    assert_eq!(zst, tar);
}

fn secret_data(secret: &Value, key: &str) -> Vec<u8> {
    STANDARD
        .decode(secret["data"][key].as_str().unwrap())
        .unwrap()
}

#[test]
fn secret_trust_folder_and_flux_seed_agree() {
    let dir = fixtures();
    let secret: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(dir.join("secret.yaml")).unwrap()).unwrap();
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(secret["metadata"]["name"], "notation-config");
    assert_eq!(secret["metadata"]["namespace"], "flux-system");
    let policy_bytes = secret_data(&secret, "trustpolicy.json");
    assert_eq!(
        policy_bytes,
        std::fs::read(dir.join("trust/trustpolicy.json")).unwrap()
    );
    let root = secret_data(&secret, "root.crt");
    assert_eq!(root, std::fs::read(dir.join("trust/root.crt")).unwrap());
    assert_eq!(root, std::fs::read(dir.join("pki/root.crt")).unwrap());

    let policy: Value = serde_json::from_slice(&policy_bytes).unwrap();
    assert_eq!(policy["version"], "1.0");
    let statement = &policy["trustPolicies"][0];
    assert_eq!(
        statement["registryScopes"],
        serde_json::json!(["registry.example/app"])
    );
    assert_eq!(statement["signatureVerification"]["level"], "strict");
    assert_eq!(
        statement["trustStores"],
        serde_json::json!(["ca:not-existing"])
    );
    let identity = statement["trustedIdentities"][0].as_str().unwrap();
    assert_eq!(
        identity,
        format!("x509.subject:{}", pki_cert("leaf").subject())
    );

    let seed: Vec<Value> =
        serde_saphyr::from_multiple(&std::fs::read_to_string(dir.join("flux/seed.yaml")).unwrap())
            .unwrap();
    let kinds: Vec<&str> = seed.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Namespace", "OCIRepository", "Secret"]);
    let repo = &seed[1];
    assert_eq!(repo["apiVersion"], "source.toolkit.fluxcd.io/v1");
    assert_eq!(repo["spec"]["url"], "oci://registry.example/app");
    assert_eq!(
        repo["spec"]["ref"]["digest"],
        tagged(&dir.join("signed"), "v1")["digest"]
    );
    assert_eq!(repo["spec"]["verify"]["provider"], "notation");
    assert_eq!(
        repo["spec"]["verify"]["secretRef"]["name"],
        "notation-config"
    );
    assert_eq!(seed[2], secret);

    let multi: Vec<Value> =
        serde_saphyr::from_multiple(&std::fs::read_to_string(dir.join("flux/multi.yaml")).unwrap())
            .unwrap();
    let providers: Vec<&str> = multi
        .iter()
        .filter(|d| d["kind"] == "OCIRepository")
        .map(|d| d["spec"]["verify"]["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["notation", "notation", "cosign"]);
}

#[test]
fn attestation_keys_parse() {
    use pkcs8::{DecodePrivateKey, DecodePublicKey};
    let dir = fixtures().join("attest");
    let ed = ed25519_dalek::SigningKey::from_pkcs8_pem(
        &std::fs::read_to_string(dir.join("ed25519.key")).unwrap(),
    )
    .unwrap();
    let ed_pub = ed25519_dalek::VerifyingKey::from_public_key_pem(
        &std::fs::read_to_string(dir.join("ed25519.pub")).unwrap(),
    )
    .unwrap();
    assert_eq!(ed.verifying_key(), ed_pub);
    let p =
        p256::SecretKey::from_pkcs8_pem(&std::fs::read_to_string(dir.join("p256.key")).unwrap())
            .unwrap();
    let p_pub = p256::PublicKey::from_public_key_pem(
        &std::fs::read_to_string(dir.join("p256.pub")).unwrap(),
    )
    .unwrap();
    assert_eq!(p.public_key(), p_pub);
}

#[test]
fn fixtures_stay_small_and_documented() {
    let total: u64 = walkdir::WalkDir::new(fixtures())
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert!(total < 2 * 1024 * 1024, "fixtures/ is {total} bytes");
    let readme = std::fs::read_to_string(fixtures().join("README.md")).unwrap();
    assert!(readme.contains("cargo run --example make_fixtures"));
}

//! Writes every generated fixture (everything under `fixtures/` but `frozen/`), byte for byte
//! the same on every run: the fixed signing time, deterministic ECDSA (RFC 6979), fixed serial
//! numbers and the private keys of `fixtures/keys/` (reused when present, copied into another
//! target folder). `cargo run --example make_fixtures` rewrites `fixtures/`; a test writes a
//! fresh copy into a temporary folder and compares it with the committed files.

use std::path::Path;

use crate::layout::{self, Envelope, ImageSpec, Layout, Listing, ManifestForm, SignatureSpec};
use crate::pki::{self, CertSpec, Issued, Pki};
use crate::sign::{SignKey, SignOptions};
use crate::sigstore;
use crate::trust::{self, Statement};
use airgap_verify::oci::digest::Descriptor;
use airgap_verify::pki::crypto::KeySpec;
use pkcs8::{EncodePrivateKey, EncodePublicKey};
use time::macros::datetime;
use time::OffsetDateTime;

/// The signing time of every fixture signature.
const SIGNED_AT: OffsetDateTime = datetime!(2025-01-01 00:00:00 UTC);
/// The registry and repository of the main fixture image.
const REPOSITORY: &str = "registry.example/app";
/// Secret name and namespace (as in Flux's documentation).
const SECRET_NAME: &str = "notation-config";
/// The Secret holding the cosign public key.
const COSIGN_SECRET_NAME: &str = "cosign-pub";
const NAMESPACE: &str = "flux-system";
/// The Secret holding the Sigstore trust root.
const TRUSTED_ROOT_SECRET_NAME: &str = "sigstore-root";
/// The keyless identity the Flux manifest asks for (Go RE2, as cosign's flags).
const KEYLESS_SUBJECT_RE: &str = "^https://github\\.com/example/app/";
const KEYLESS_ISSUER_RE: &str = "^https://token\\.actions\\.githubusercontent\\.com$";

/// Why the fixtures could not be written.
pub type Error = Box<dyn std::error::Error>;

/// Write the generated fixtures into `out` (the repository's `fixtures/` or another folder).
pub fn write_fixtures(out: &Path) -> Result<(), Error> {
    let out = out.to_path_buf();
    for generated in [
        "pki",
        "signed",
        "trust",
        "flux",
        "expired-signature",
        "expired-certificate",
        "unsigned",
        "multi",
        "attest",
        "cosign",
        "cosign-keyless",
        "sigstore",
    ] {
        let dir = out.join(generated);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    std::fs::create_dir_all(out.join("keys"))?;
    if out != crate::fixtures_dir() {
        for entry in std::fs::read_dir(crate::fixtures_dir().join("keys"))? {
            let entry = entry?;
            let target = out.join("keys").join(entry.file_name());
            if !target.exists() {
                std::fs::copy(entry.path(), target)?;
            }
        }
    }
    let keys = Keys {
        dir: out.join("keys"),
    };

    // Certificates.
    let root = pki::make_with_key(
        CertSpec::root("Airgap Verify Fixtures Root CA", KeySpec::EcP256),
        keys.get("root", KeySpec::EcP256)?,
        None,
    );
    let intermediate = pki::make_with_key(
        CertSpec::intermediate("Airgap Verify Fixtures Intermediate CA", KeySpec::EcP256),
        keys.get("intermediate", KeySpec::EcP256)?,
        Some(&root),
    );
    let leaf = pki::make_with_key(
        CertSpec::leaf("Airgap Verify Fixtures Signer", KeySpec::EcP256),
        keys.get("leaf", KeySpec::EcP256)?,
        Some(&intermediate),
    );
    let pki = Pki {
        root,
        intermediate,
        leaf,
    };
    let self_signed = pki::make_with_key(
        CertSpec::leaf("Airgap Verify Fixtures Self-Signed", KeySpec::Rsa2048),
        keys.get("rsa-2048", KeySpec::Rsa2048)?,
        None,
    );
    let expired = pki::make_with_key(
        CertSpec::leaf("Airgap Verify Fixtures Expired Signer", KeySpec::EcP256).valid(
            datetime!(2020-01-01 00:00:00 UTC),
            datetime!(2021-01-01 00:00:00 UTC),
        ),
        keys.get("expired", KeySpec::EcP256)?,
        Some(&pki.intermediate),
    );
    let unrelated = pki::make_with_key(
        CertSpec::leaf("Airgap Verify Fixtures Unrelated Signer", KeySpec::EcP256),
        keys.get("unrelated", KeySpec::EcP256)?,
        None,
    );
    let tsa_root = pki::make_with_key(
        CertSpec::root("Airgap Verify Fixtures TSA Root", KeySpec::EcP256),
        keys.get("tsa-root", KeySpec::EcP256)?,
        None,
    );
    let tsa = pki::make_with_key(
        CertSpec::tsa("Airgap Verify Fixtures TSA", KeySpec::EcP256),
        keys.get("tsa", KeySpec::EcP256)?,
        Some(&tsa_root),
    );
    // Keep the other RSA sizes in the key store for tests (key generation is slow in tests).
    keys.get("rsa-3072", KeySpec::Rsa3072)?;
    keys.get("rsa-4096", KeySpec::Rsa4096)?;

    let pki_dir = out.join("pki");
    std::fs::create_dir_all(&pki_dir)?;
    for (name, issued) in [
        ("root", &pki.root),
        ("intermediate", &pki.intermediate),
        ("leaf", &pki.leaf),
        ("self-signed", &self_signed),
        ("expired", &expired),
        ("unrelated", &unrelated),
        ("tsa-root", &tsa_root),
        ("tsa", &tsa),
    ] {
        std::fs::write(pki_dir.join(format!("{name}.crt")), issued.pem())?;
    }
    let chain_pem: String = pki.chain().iter().map(pki::pem).collect();
    std::fs::write(pki_dir.join("chain.pem"), chain_pem)?;

    // The main signed layout: one JWS (current manifest form) and one COSE (legacy form).
    let signed = out.join("signed");
    let mut l = Layout::create(&signed);
    let image = l.add_image(
        &ImageSpec::new("app v1")
            .tag("v1")
            .full_name(&format!("{REPOSITORY}:v1")),
    );
    let opts = SignOptions::new(SIGNED_AT);
    l.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
    add_signature(
        &mut l,
        &image,
        Envelope::Cose,
        &opts,
        &pki.chain(),
        &pki.leaf,
        ManifestForm::ConfigMediaType,
    )?;
    l.finish();
    layout::write_tar(&signed, &out.join("signed.tar"));
    layout::write_tar_gz(&signed, &out.join("signed.tar.gz"));
    layout::write_tar_zst(&signed, &out.join("signed.tar.zst"));

    // Trust material: a Flux Secret, and the same files as a folder. The release signer and the
    // signer whose certificate has since expired (for the forensic `--at` example) are trusted.
    let policy = trust::policy(&[Statement::strict(
        REPOSITORY,
        &[pki.leaf.identity(), expired.identity()],
    )]);
    let root_pem = pki.root.pem();
    let files: [(&str, &[u8]); 2] = [
        ("root.crt", root_pem.as_bytes()),
        ("trustpolicy.json", policy.as_bytes()),
    ];
    let secret = trust::secret_yaml(SECRET_NAME, NAMESPACE, &files);
    std::fs::write(out.join("secret.yaml"), &secret)?;
    trust::write_trust_dir(&out.join("trust"), &files);

    // Flux: the seed example (Namespace + OCIRepository + Secret).
    let flux = out.join("flux");
    std::fs::create_dir_all(&flux)?;
    let seed = format!(
        "{}---\n{}---\n{}",
        namespace_yaml(NAMESPACE),
        oci_repository_yaml(
            "app",
            &format!("oci://{REPOSITORY}"),
            &image,
            "notation",
            SECRET_NAME
        ),
        secret
    );
    std::fs::write(flux.join("seed.yaml"), seed)?;

    // A signature whose expiry has passed.
    let mut l = Layout::create(&out.join("expired-signature"));
    let image = l.add_image(
        &ImageSpec::new("expired signature")
            .tag("v1")
            .full_name(&format!("{REPOSITORY}:v1")),
    );
    let mut opts = SignOptions::new(SIGNED_AT);
    opts.expiry = Some(SIGNED_AT + time::Duration::days(1));
    l.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
    l.sign(&image, Envelope::Cose, &opts, &pki.chain(), &pki.leaf);
    l.finish();

    // A signature by a certificate that expired in 2021 (signed while it was valid).
    let mut l = Layout::create(&out.join("expired-certificate"));
    let image = l.add_image(
        &ImageSpec::new("expired certificate")
            .tag("v1")
            .full_name(&format!("{REPOSITORY}:v1")),
    );
    let opts = SignOptions::new(datetime!(2020-06-01 00:00:00 UTC));
    l.sign(
        &image,
        Envelope::Jws,
        &opts,
        &pki.chain_for(&expired),
        &expired,
    );
    l.finish();

    // No signature at all.
    let mut l = Layout::create(&out.join("unsigned"));
    l.add_image(
        &ImageSpec::new("unsigned")
            .tag("v1")
            .full_name(&format!("{REPOSITORY}:v1")),
    );
    l.finish();

    // Three images: signed by the fixture chain, signed by an unrelated certificate, unsigned.
    let mut l = Layout::create(&out.join("multi"));
    let opts = SignOptions::new(SIGNED_AT);
    let mut repos = Vec::new();
    for (name, signer) in [
        ("signed", Some((pki.chain(), &pki.leaf))),
        ("other", Some((vec![unrelated.cert.clone()], &unrelated))),
        ("unsigned", None),
    ] {
        let repo = format!("registry.example/multi/{name}");
        let image = l.add_image(
            &ImageSpec::new(&format!("multi {name}"))
                .tag(name)
                .full_name(&format!("{repo}:v1")),
        );
        if let Some((chain, issued)) = signer {
            l.sign(&image, Envelope::Jws, &opts, &chain, issued);
        }
        repos.push((name, repo, image));
    }
    l.finish();
    let multi_policy = trust::policy(&[Statement::strict("*", &[pki.leaf.identity()])]);
    let multi_files: [(&str, &[u8]); 2] = [
        ("root.crt", root_pem.as_bytes()),
        ("trustpolicy.json", multi_policy.as_bytes()),
    ];
    let mut multi_yaml = namespace_yaml(NAMESPACE);
    for (name, repo, image) in &repos {
        let provider = if *name == "unsigned" {
            "cosign"
        } else {
            "notation"
        };
        multi_yaml.push_str("---\n");
        multi_yaml.push_str(&oci_repository_yaml(
            name,
            &format!("oci://{repo}"),
            image,
            provider,
            SECRET_NAME,
        ));
    }
    multi_yaml.push_str("---\n");
    multi_yaml.push_str(&trust::secret_yaml(SECRET_NAME, NAMESPACE, &multi_files));
    std::fs::write(flux.join("multi.yaml"), multi_yaml)?;

    // Keys for attestation examples.
    let attest = out.join("attest");
    std::fs::create_dir_all(&attest)?;
    let ed = keys.ed25519("attest-ed25519")?;
    std::fs::write(
        attest.join("ed25519.key"),
        ed.to_pkcs8_pem(pkcs8::LineEnding::LF)?.as_bytes(),
    )?;
    std::fs::write(
        attest.join("ed25519.pub"),
        ed.verifying_key()
            .to_public_key_pem(pkcs8::LineEnding::LF)?,
    )?;
    let p256 = keys.get("attest-p256", KeySpec::EcP256)?;
    std::fs::write(attest.join("p256.key"), p256.to_pkcs8_pem()?)?;
    let p256_pub = pem_rfc7468::encode_string(
        "PUBLIC KEY",
        pem_rfc7468::LineEnding::LF,
        &p256.public_key_der()?,
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(attest.join("p256.pub"), p256_pub)?;

    cosign_fixtures(&out, &keys, &flux)?;
    cosign_keyless_fixtures(&out, &flux)?;

    std::fs::write(out.join("README.md"), readme(&pki, &image_digest(&out)?))?;
    println!("fixtures written to {}", out.display());
    Ok(())
}

/// cosign: a P-256 key (`keys/cosign.pem`, public key `cosign.pub`); the layout `cosign/` with
/// image `v1` signed in cosign's v2 form (a simple-signing manifest tagged `sha256-<hex>.sig`, as
/// `oras copy -r --to-oci-layout` writes it) and image `v2` signed with a v3 Sigstore bundle
/// referrer (keyed DSSE over an in-toto statement); and `flux/cosign.yaml`, an OCIRepository
/// with `provider: cosign` for each image and the Secret holding `cosign.pub`.
fn cosign_fixtures(out: &Path, keys: &Keys, flux: &Path) -> Result<(), Error> {
    use crate::cosign::{self, sig_tag, simple_signing};
    let SignKey::P256(secret) = keys.get("cosign", KeySpec::EcP256)? else {
        return Err("keys/cosign.pem is not an EC P-256 key".into());
    };
    let signer = cosign::Signer {
        key: p256::ecdsa::SigningKey::from(secret),
    };
    let public = signer.pem();
    std::fs::write(out.join("cosign.pub"), &public)?;
    let mut l = cosign::Layout::create(&out.join("cosign"));
    let mut images = Vec::new();
    for (tag, bundle) in [("v1", false), ("v2", true)] {
        let image = l.image_with(
            format!("cosign app {tag}").as_bytes(),
            serde_json::json!({
                "org.opencontainers.image.ref.name": tag,
                "io.containerd.image.name": format!("{REPOSITORY}:{tag}"),
            }),
        );
        let digest = image["digest"].as_str().ok_or("no digest")?.to_string();
        if bundle {
            cosign::add_bundle(&mut l, &signer, &image, &digest, false);
        } else {
            let payload = simple_signing(&digest, "cosign container image signature");
            cosign::add_sig(&mut l, &signer, &payload, Some(sig_tag(&image)));
        }
        images.push(serde_json::from_value::<Descriptor>(image)?);
    }
    l.write();
    let mut yaml = namespace_yaml(NAMESPACE);
    for (name, image) in [("app", &images[0]), ("app-bundle", &images[1])] {
        yaml.push_str("---\n");
        yaml.push_str(&oci_repository_yaml(
            name,
            &format!("oci://{REPOSITORY}"),
            image,
            "cosign",
            COSIGN_SECRET_NAME,
        ));
    }
    yaml.push_str("---\n");
    yaml.push_str(&trust::secret_yaml_string_data(
        COSIGN_SECRET_NAME,
        NAMESPACE,
        &[("cosign.pub", &public)],
    ));
    std::fs::write(flux.join("cosign.yaml"), yaml)?;
    Ok(())
}

/// Keyless cosign under a Sigstore instance of our own, every key derived from a fixed seed:
/// `sigstore/trusted_root.json` (its CA, log key and CT log key, valid from 2024 on, the CA
/// certificate to 2099); the layout `cosign-keyless/` with image `v1` signed with a v3 Sigstore
/// bundle referrer (DSSE over an in-toto statement, as cosign v3 writes it) and image `v2` with a
/// v2 keyless `.sig` signature (certificate and Rekor bundle annotations), both by a leaf for
/// [`sigstore::IDENTITY`] from [`sigstore::ISSUER`] issued at the signing time; and
/// `flux/cosign-keyless.yaml`, an OCIRepository with `provider: cosign`, `matchOIDCIdentity` and
/// `trustedRootSecretRef` for each image, and the Secret holding `trusted_root.json`.
fn cosign_keyless_fixtures(out: &Path, flux: &Path) -> Result<(), Error> {
    use crate::cosign::{self, add_bundle_bytes};
    use crate::sigstore::{add_keyless_sig, make_dsse_bundle, Breakage, Instance};
    let inst = Instance::fixture();
    let sigstore_dir = out.join("sigstore");
    std::fs::create_dir_all(&sigstore_dir)?;
    let mut root = inst.trust_root_json();
    root.push(b'\n');
    std::fs::write(sigstore_dir.join("trusted_root.json"), &root)?;
    let mut l = cosign::Layout::create(&out.join("cosign-keyless"));
    let mut images = Vec::new();
    for (tag, bundle) in [("v1", true), ("v2", false)] {
        let image = l.image_with(
            format!("cosign keyless app {tag}").as_bytes(),
            serde_json::json!({
                "org.opencontainers.image.ref.name": tag,
                "io.containerd.image.name": format!("{REPOSITORY}:{tag}"),
            }),
        );
        let digest = image["digest"].as_str().ok_or("no digest")?.to_string();
        if bundle {
            let b = make_dsse_bundle(&inst, &digest, Breakage::default());
            add_bundle_bytes(&mut l, &image, &serde_json::to_vec(&b)?);
        } else {
            add_keyless_sig(&mut l, &inst, &image, &digest, Breakage::default());
        }
        images.push(serde_json::from_value::<Descriptor>(image)?);
    }
    l.write();
    let mut yaml = namespace_yaml(NAMESPACE);
    for (name, image) in [("app-keyless", &images[0]), ("app-keyless-sig", &images[1])] {
        yaml.push_str("---\n");
        yaml.push_str(&format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: {NAMESPACE}\nspec:\n  interval: 10m\n  url: oci://{REPOSITORY}\n  ref:\n    digest: {}\n  verify:\n    provider: cosign\n    matchOIDCIdentity:\n      - issuer: '{KEYLESS_ISSUER_RE}'\n        subject: '{KEYLESS_SUBJECT_RE}'\n    trustedRootSecretRef:\n      name: {TRUSTED_ROOT_SECRET_NAME}\n",
            image.digest
        ));
    }
    yaml.push_str("---\n");
    yaml.push_str(&trust::secret_yaml_string_data(
        TRUSTED_ROOT_SECRET_NAME,
        NAMESPACE,
        &[("trusted_root.json", std::str::from_utf8(&root)?)],
    ));
    std::fs::write(flux.join("cosign-keyless.yaml"), yaml)?;
    Ok(())
}

/// Sign and add a signature in a given manifest form.
fn add_signature(
    l: &mut Layout,
    image: &Descriptor,
    kind: Envelope,
    opts: &SignOptions,
    chain: &[airgap_verify::pki::cert::Cert],
    signer: &Issued,
    form: ManifestForm,
) -> Result<(), Error> {
    let envelope = match kind {
        Envelope::Jws => crate::sign::sign_jws(opts, image, chain, &signer.key)?,
        Envelope::Cose => crate::sign::sign_cose(opts, image, chain, &signer.key)?,
    };
    l.add_signature(
        image,
        &SignatureSpec {
            envelope: &envelope,
            kind,
            chain,
            created: SIGNED_AT,
            form,
            listing: Listing::IndexAndTag,
        },
    );
    Ok(())
}

/// The digest of the main fixture image (tag `v1` of `fixtures/signed`).
fn image_digest(out: &Path) -> Result<String, Error> {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("signed/index.json"))?)?;
    let manifests = index["manifests"]
        .as_array()
        .ok_or("index.json has no manifests")?;
    manifests
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == "v1")
        .and_then(|m| m["digest"].as_str())
        .map(str::to_string)
        .ok_or_else(|| "no v1 tag".into())
}

fn namespace_yaml(name: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
}

fn oci_repository_yaml(
    name: &str,
    url: &str,
    image: &Descriptor,
    provider: &str,
    secret: &str,
) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: {NAMESPACE}\nspec:\n  interval: 10m\n  url: {url}\n  ref:\n    digest: {}\n  verify:\n    provider: {provider}\n    secretRef:\n      name: {secret}\n",
        image.digest
    )
}

/// Private keys kept in `fixtures/keys/` (PKCS#8 PEM), reused when present.
struct Keys {
    dir: std::path::PathBuf,
}

impl Keys {
    fn get(&self, name: &str, spec: KeySpec) -> Result<SignKey, Error> {
        let path = self.dir.join(format!("{name}.pem"));
        if let Ok(pem) = std::fs::read_to_string(&path) {
            let key = SignKey::from_pkcs8_pem(&pem)?;
            if key.key_spec()? == spec {
                return Ok(key);
            }
        }
        let key = SignKey::generate(spec)?;
        std::fs::write(&path, key.to_pkcs8_pem()?)?;
        Ok(key)
    }

    fn ed25519(&self, name: &str) -> Result<ed25519_dalek::SigningKey, Error> {
        use pkcs8::DecodePrivateKey;
        let path = self.dir.join(format!("{name}.pem"));
        if let Ok(pem) = std::fs::read_to_string(&path) {
            return Ok(ed25519_dalek::SigningKey::from_pkcs8_pem(&pem)?);
        }
        let mut seed = [0u8; 32];
        rsa::rand_core::RngCore::fill_bytes(&mut rsa::rand_core::OsRng, &mut seed);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        std::fs::write(&path, key.to_pkcs8_pem(pkcs8::LineEnding::LF)?.as_bytes())?;
        Ok(key)
    }
}

fn readme(pki: &Pki, digest: &str) -> String {
    format!(
        r#"# Test fixtures

Generated by `cargo run --example make_fixtures` (source: `examples/make_fixtures.rs`, using
the `testkit/` crate). Nothing here is edited by hand: change the generator and rerun it. To check
that the committed files are what the generator makes: `cargo run --example make_fixtures --
/tmp/fixtures && diff -r fixtures /tmp/fixtures`. Private keys
in `keys/` are reused when present, so a rerun reproduces the same files; delete `keys/` to roll
every key. All of this is test material: the keys are public.

Signatures are made by the test kit's fixture signer (`testkit/src/sign.rs`) in notation's exact
JWS and COSE formats, signing time {signed_at}, signing agent `airgap-verify-fixtures/<version>`.

| path | what |
|---|---|
| `pki/root.crt`, `pki/intermediate.crt`, `pki/leaf.crt`, `pki/chain.pem` | EC P-256 code-signing chain valid 2019-01-01 to 2099-12-31; `chain.pem` is leaf, intermediate, root |
| `pki/self-signed.crt` | self-signed RSA 2048 code-signing leaf (key `keys/rsa-2048.pem`) |
| `pki/expired.crt` | leaf under the intermediate, valid 2020-01-01 to 2021-01-01 |
| `pki/unrelated.crt` | self-signed EC P-256 code-signing leaf, unrelated to the chain |
| `pki/tsa-root.crt`, `pki/tsa.crt` | a TSA root and TSA leaf (EKU timeStamping, critical) |
| `keys/*.pem` | PKCS#8 private keys of all of the above (`leaf.pem`, `root.pem`...), plus RSA 3072/4096 keys for tests |
| `signed/` | OCI layout: image tagged `v1` (`io.containerd.image.name` = `{repo}:v1`), digest `{digest}`; a JWS signature (artifactType form) and a COSE signature (legacy `config.mediaType` form), both listed in `index.json` and in the referrers index tagged `sha256-<hex>` |
| `signed.tar`, `signed.tar.gz`, `signed.tar.zst` | the same layout as archives |
| `secret.yaml` | Flux Secret `{namespace}/{secret}`: `trustpolicy.json` (strict, scope `{repo}`, trust store `ca:not-existing`, identities of the leaf and of the expired leaf) and `root.crt` |
| `trust/` | the same two files as a folder (a mounted Secret) |
| `flux/seed.yaml` | Namespace + OCIRepository (`source.toolkit.fluxcd.io/v1`, `oci://{repo}`, `ref.digest` of `signed/`, `verify.provider: notation`) + the Secret |
| `flux/multi.yaml` | three OCIRepositories for `multi/` (notation, notation, cosign) and a Secret whose policy has scope `*` |
| `expired-signature/` | image signed (JWS, COSE) with `io.cncf.notary.expiry` one day after signing |
| `expired-certificate/` | image signed (JWS) by `pki/expired.crt` in 2020 |
| `unsigned/` | one image, no signature |
| `multi/` | three images: `registry.example/multi/signed:v1` signed by the leaf chain, `.../other:v1` signed by `pki/unrelated.crt`, `.../unsigned:v1` unsigned |
| `attest/` | Ed25519 and EC P-256 PKCS#8 key pairs (`*.key`, `*.pub`) for attestation examples |
| `cosign.pub` | a cosign public key (EC P-256, PEM PKIX; its private key is `keys/cosign.pem`) |
| `cosign/` | OCI layout signed with cosign's formats by `cosign.pub`: image `v1` (`{repo}:v1`) with a v2 simple-signing manifest tagged `sha256-<hex>.sig` (the shape `oras copy -r --to-oci-layout` writes), image `v2` (`{repo}:v2`) with a v3 Sigstore bundle referrer (DSSE over an in-toto statement naming the image) |
| `flux/cosign.yaml` | Namespace + two OCIRepositories with `verify.provider: cosign` (`app`: `ref.digest` of `v1`, `app-bundle`: of `v2`) + the Secret `{namespace}/cosign-pub` holding `cosign.pub` |
| `sigstore/trusted_root.json` | the Sigstore `TrustedRoot` of a test instance whose keys are derived from a fixed seed (`testkit/src/sigstore.rs`, `Instance::from_seed`): a Fulcio-like CA (EC P-256, valid 2024-01-01 to 2099-12-31), a Rekor-like log key and a CT log key, all valid from 2024-01-01 with no end |
| `cosign-keyless/` | OCI layout signed keyless under that instance, by a Fulcio-shaped leaf for subject `{identity_keyless}` from issuer `{issuer}`, issued {signed_at} (valid ten minutes, an SCT embedded), logged a minute later (signed entry timestamp, inclusion proof with a signed checkpoint): image `v1` (`{repo}:v1`) with a v3 Sigstore bundle referrer (DSSE over an in-toto statement naming the image, the shape cosign v3 writes), image `v2` (`{repo}:v2`) with a v2 `.sig` signature carrying the certificate and the Rekor bundle annotations |
| `flux/cosign-keyless.yaml` | Namespace + two OCIRepositories with `verify.provider: cosign`, `matchOIDCIdentity` (issuer `{issuer_re}`, subject `{subject_re}`) and `trustedRootSecretRef` (`app-keyless`: `ref.digest` of `v1`, `app-keyless-sig`: of `v2`) + the Secret `{namespace}/{root_secret}` holding `trusted_root.json` |

The trusted identity of the leaf is `{identity}`.

The policies of `secret.yaml` and `trust/` have one statement, for scope `{repo}`: verify with
`--scope {repo}` (the scope comes from the user, never from the bundle's annotations, unless
`--scope-from-bundle` is given).
"#,
        signed_at = "2025-01-01T00:00:00Z",
        repo = REPOSITORY,
        namespace = NAMESPACE,
        secret = SECRET_NAME,
        identity = pki.leaf.identity(),
        identity_keyless = sigstore::IDENTITY,
        issuer = sigstore::ISSUER,
        issuer_re = KEYLESS_ISSUER_RE,
        subject_re = KEYLESS_SUBJECT_RE,
        root_secret = TRUSTED_ROOT_SECRET_NAME,
    )
}

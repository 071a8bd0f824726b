//! Writes the bundles `scripts/bench` measures, signed with the fixture signer, and a Flux Secret
//! that trusts them:
//!
//! - `cargo run --release --example make_bench_bundle -- large DIR BYTES [LAYERS]`: one image
//!   whose LAYERS (default 16) random, incompressible layers add up to BYTES;
//! - `... -- small DIR COUNT [BLOB_BYTES]`: COUNT random blobs of BLOB_BYTES (default 16 KiB)
//!   as layers of images of at most 100 layers each, every image signed;
//! - `... -- images DIR COUNT`: COUNT small images, each with its own JWS signature;
//! - `... -- triple DIR COUNT`: COUNT small images with three JWS signatures each, tried in this
//!   order: one by a signer the trust policy does not trust (fails authenticity), one by the
//!   trusted signer over another image (fails the target-artifact check), and a good one.
//!
//! DIR receives `layout/` (an OCI image layout folder) and `secret.yaml` (trust policy scoped to
//! `*` with the signing chain's root). Signing time is an hour ago, so `verify` passes now.

use std::io::Write;
use std::path::{Path, PathBuf};

use airgap_verify::oci::digest::Descriptor;
use airgap_verify_testkit::layout::{
    Envelope, ImageSpec, Layout, Listing, Manifest, ManifestForm, OciDescriptor, SignatureSpec,
    REF_NAME,
};
use airgap_verify_testkit::pki::Pki;
use airgap_verify_testkit::sign::SignOptions;
use airgap_verify_testkit::trust::{self, Statement};
use sha2::{Digest as _, Sha256};

type Error = Box<dyn std::error::Error>;

const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const CHUNK: usize = 1 << 20;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: make_bench_bundle large|small|images|triple DIR N [M]";
    let (kind, dir, n) = match args.as_slice() {
        [kind, dir, n, ..] => (kind.as_str(), PathBuf::from(dir), n.parse::<u64>()?),
        _ => return Err(usage.into()),
    };
    let m = args.get(3).map(|s| s.parse::<u64>()).transpose()?;
    let pki = Pki::new("Airgap Verify Bench");
    let opts = SignOptions::new(time::OffsetDateTime::now_utc() - time::Duration::hours(1));
    let mut layout = Layout::create(&dir.join("layout"));
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d ^ n);
    match kind {
        "large" => {
            let count = m.unwrap_or(16).max(1);
            let layers = (0..count)
                .map(|i| {
                    let size = n / count + u64::from(i < n % count);
                    random_blob(layout.dir(), size, &mut rng)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let image = add_image(&mut layout, "large", layers);
            layout.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
        }
        "small" => {
            let size = m.unwrap_or(16 * 1024);
            let mut left = n;
            let mut image_no = 0;
            while left > 0 {
                let count = left.min(100);
                left -= count;
                let layers = (0..count)
                    .map(|_| random_blob(layout.dir(), size, &mut rng))
                    .collect::<Result<Vec<_>, _>>()?;
                let image = add_image(&mut layout, &format!("small-{image_no}"), layers);
                layout.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
                image_no += 1;
            }
        }
        "images" => {
            for i in 0..n {
                let spec = ImageSpec::new(&format!("image {i}"))
                    .tag(&format!("v{i}"))
                    .full_name(&format!("registry.example/bench/app{i}:v1"));
                let image = layout.add_image(&spec);
                layout.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
            }
        }
        "triple" => {
            let stranger = Pki::new("Airgap Verify Bench Stranger");
            let created = opts
                .signing_time
                .unwrap_or_else(time::OffsetDateTime::now_utc);
            for i in 0..n {
                let spec = ImageSpec::new(&format!("image {i}"))
                    .tag(&format!("v{i}"))
                    .full_name(&format!("registry.example/bench/app{i}:v1"));
                let image = layout.add_image(&spec);
                layout.sign(
                    &image,
                    Envelope::Jws,
                    &opts,
                    &stranger.chain(),
                    &stranger.leaf,
                );
                let other = Descriptor {
                    media_type: image.media_type.clone(),
                    digest: airgap_verify::digest::Algorithm::Sha256
                        .digest(format!("another image {i}").as_bytes()),
                    size: image.size,
                };
                let envelope = airgap_verify_testkit::sign::sign_jws(
                    &opts,
                    &other,
                    &pki.chain(),
                    &pki.leaf.key,
                )?;
                layout.add_signature(
                    &image,
                    &SignatureSpec {
                        envelope: &envelope,
                        kind: Envelope::Jws,
                        chain: &pki.chain(),
                        created,
                        form: ManifestForm::ArtifactType,
                        listing: Listing::IndexAndTag,
                    },
                );
                layout.sign(&image, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
            }
        }
        _ => return Err(usage.into()),
    }
    layout.finish();
    let policy = trust::policy(&[Statement::strict("*", &[pki.leaf.identity()])]);
    let root = pki.root.pem();
    let files: [(&str, &[u8]); 2] = [
        ("root.crt", root.as_bytes()),
        ("trustpolicy.json", policy.as_bytes()),
    ];
    std::fs::write(
        dir.join("secret.yaml"),
        trust::secret_yaml("notation-config", "flux-system", &files),
    )?;
    println!("{}", dir.join("layout").display());
    Ok(())
}

/// An image manifest over `layers` (and a small config), listed in `index.json` with a tag.
fn add_image(layout: &mut Layout, tag: &str, layers: Vec<OciDescriptor>) -> Descriptor {
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| &l.digest).collect::<Vec<_>>()},
    });
    let config = layout.blob(
        "application/vnd.oci.image.config.v1+json",
        config.to_string().as_bytes(),
    );
    let manifest = Manifest {
        schema_version: 2,
        media_type: airgap_verify::oci::IMAGE_MANIFEST.to_string(),
        artifact_type: None,
        config,
        layers,
        subject: None,
        annotations: Default::default(),
    };
    let bytes = serde_json::to_vec(&manifest).expect("manifest JSON");
    let mut d = layout.blob(airgap_verify::oci::IMAGE_MANIFEST, &bytes);
    let plain = d.plain();
    d.annotations.insert(REF_NAME.to_string(), tag.to_string());
    layout.list(d);
    plain
}

/// Write `size` random bytes as a blob (streamed: hashed while written, then renamed).
fn random_blob(dir: &Path, size: u64, rng: &mut XorShift) -> Result<OciDescriptor, Error> {
    let tmp = dir.join("blobs/sha256/.partial");
    let mut out = std::io::BufWriter::with_capacity(CHUNK, std::fs::File::create(&tmp)?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut left = size;
    while left > 0 {
        let n = usize::try_from(left.min(CHUNK as u64))?;
        let part = &mut buf[..n];
        rng.fill(part);
        hasher.update(&*part);
        out.write_all(part)?;
        left -= n as u64;
    }
    out.flush()?;
    let hex = hex::encode(hasher.finalize());
    std::fs::rename(&tmp, dir.join("blobs/sha256").join(&hex))?;
    Ok(OciDescriptor {
        media_type: LAYER_MEDIA_TYPE.to_string(),
        digest: format!("sha256:{hex}"),
        size,
        annotations: Default::default(),
        artifact_type: None,
    })
}

/// xorshift64*: fast, incompressible enough for gzip and zlib.
struct XorShift(u64);

impl XorShift {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

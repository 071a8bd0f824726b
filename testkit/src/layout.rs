//! OCI image layouts for tests: images (a small config and 1-2 layers), Notation signature
//! manifests in both forms (NOTATION.md §1.1), referrers indexes under the `sha256-<hex>` tag
//! (§1.4), and `.tar`, `.tar.gz`, `.tar.zst` archives of a layout.
//!
//! JSON is written the way Go's image-spec structs marshal (field order of `ocispec.Manifest`,
//! `ocispec.Index`, `ocispec.Descriptor`; annotation keys sorted), as notation and oras write it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use airgap_verify::oci::digest::{Algorithm, Descriptor, Digest};
use airgap_verify::oci::{self, NOTATION_SIGNATURE};
use airgap_verify::pki::cert::Cert;
use serde::Serialize;
use time::OffsetDateTime;

use crate::pki::Issued;
use crate::sign::{self, SignOptions};

/// `org.opencontainers.image.ref.name`: the tag in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// `io.containerd.image.name`: a full image name in `index.json` (docker, containerd).
pub const FULL_NAME: &str = "io.containerd.image.name";
/// The thumbprint annotation of signature manifests.
pub const THUMBPRINTS: &str = "io.cncf.notary.x509chain.thumbprint#S256";
/// `org.opencontainers.image.created`.
pub const CREATED: &str = "org.opencontainers.image.created";

/// An OCI descriptor in Go's field order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OciDescriptor {
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(rename = "artifactType", skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

impl OciDescriptor {
    /// The descriptor of `bytes` with a media type.
    pub fn of(media_type: &str, bytes: &[u8]) -> OciDescriptor {
        OciDescriptor {
            media_type: media_type.to_string(),
            digest: Algorithm::Sha256.digest(bytes).to_string(),
            size: bytes.len() as u64,
            annotations: BTreeMap::new(),
            artifact_type: None,
        }
    }

    /// The crate's three-field descriptor.
    pub fn plain(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: Digest::parse(&self.digest).expect("digest"),
            size: self.size,
        }
    }

    fn from_plain(d: &Descriptor) -> OciDescriptor {
        OciDescriptor {
            media_type: d.media_type.clone(),
            digest: d.digest.to_string(),
            size: d.size,
            annotations: BTreeMap::new(),
            artifact_type: None,
        }
    }
}

/// An image manifest in Go's field order.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    #[serde(rename = "artifactType", skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: OciDescriptor,
    pub layers: Vec<OciDescriptor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<OciDescriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An image index in Go's field order.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub manifests: Vec<OciDescriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Which signature manifest form to write (NOTATION.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestForm {
    /// `artifactType: application/vnd.cncf.notary.signature`, empty config (current notation).
    ArtifactType,
    /// No artifactType; `config.mediaType: application/vnd.cncf.notary.signature` (legacy).
    ConfigMediaType,
}

/// Where a signature manifest is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// In `index.json` and in the referrers index tagged `sha256-<hex>` (what notation writes).
    IndexAndTag,
    /// Only in `index.json`.
    Index,
    /// Only in the referrers index.
    Tag,
    /// Nowhere: the blob is present but unlisted.
    Unlisted,
}

/// Which envelope to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `application/jose+json`.
    Jws,
    /// `application/cose`.
    Cose,
}

impl Envelope {
    /// The layer media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Envelope::Jws => oci::JWS,
            Envelope::Cose => oci::COSE,
        }
    }
}

/// A signature manifest to add: the envelope, its kind, the chain (for the thumbprint
/// annotation), the creation time annotation, the manifest form and where it is listed.
#[derive(Debug, Clone, Copy)]
pub struct SignatureSpec<'a> {
    /// The envelope bytes (the manifest's only layer).
    pub envelope: &'a [u8],
    /// JWS or COSE: the layer media type.
    pub kind: Envelope,
    /// The chain whose thumbprints go in `io.cncf.notary.x509chain.thumbprint#S256`.
    pub chain: &'a [Cert],
    /// `org.opencontainers.image.created`.
    pub created: OffsetDateTime,
    /// artifactType form or legacy config form.
    pub form: ManifestForm,
    /// Where the manifest is listed.
    pub listing: Listing,
}

/// An image to add: tags, a full name, layer contents.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    /// `org.opencontainers.image.ref.name` in `index.json`.
    pub tag: Option<String>,
    /// `io.containerd.image.name` in `index.json`.
    pub full_name: Option<String>,
    /// Contents of each layer (written as `application/vnd.oci.image.layer.v1.tar`).
    pub layers: Vec<Vec<u8>>,
    /// The config's `created` and the manifest's `org.opencontainers.image.created`.
    pub created: OffsetDateTime,
}

impl ImageSpec {
    /// An image with one small tar layer holding `name` (so each image has its own digest).
    pub fn new(name: &str) -> ImageSpec {
        ImageSpec {
            tag: None,
            full_name: None,
            layers: vec![small_tar(&[(
                "etc/airgap-verify-test",
                format!("{name}\n").as_bytes(),
            )])],
            created: crate::pki::LONG_AGO,
        }
    }

    /// Tag it (`org.opencontainers.image.ref.name`).
    pub fn tag(mut self, tag: &str) -> ImageSpec {
        self.tag = Some(tag.to_string());
        self
    }

    /// Give it a full name (`io.containerd.image.name`).
    pub fn full_name(mut self, name: &str) -> ImageSpec {
        self.full_name = Some(name.to_string());
        self
    }
}

/// A small deterministic tar archive of files.
pub fn small_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, *data).expect("tar entry");
    }
    b.into_inner().expect("tar")
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339")
}

fn json(v: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON")
}

/// An OCI image layout being written. Call [`Layout::finish`] to write `index.json`.
#[derive(Debug)]
pub struct Layout {
    dir: PathBuf,
    index: Vec<OciDescriptor>,
    referrers: BTreeMap<String, Vec<OciDescriptor>>,
}

impl Layout {
    /// Start a layout in `dir` (created; `oci-layout` and `blobs/sha256` written).
    pub fn create(dir: &Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).expect("blobs folder");
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
            .expect("oci-layout");
        Layout {
            dir: dir.to_path_buf(),
            index: Vec::new(),
            referrers: BTreeMap::new(),
        }
    }

    /// The layout folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Write a blob; returns its descriptor.
    pub fn blob(&mut self, media_type: &str, bytes: &[u8]) -> OciDescriptor {
        let d = OciDescriptor::of(media_type, bytes);
        let digest = Digest::parse(&d.digest).expect("digest");
        std::fs::write(self.dir.join(digest.blob_path()), bytes).expect("blob");
        d
    }

    /// List a descriptor in `index.json`.
    pub fn list(&mut self, d: OciDescriptor) {
        self.index.push(d);
    }

    /// Add an image (config + layers + manifest), listed in `index.json` with its tag and full
    /// name. Returns the manifest descriptor as notation resolves it (mediaType, digest, size).
    pub fn add_image(&mut self, spec: &ImageSpec) -> Descriptor {
        let mut layers = Vec::new();
        let mut diff_ids = Vec::new();
        for l in &spec.layers {
            layers.push(self.blob("application/vnd.oci.image.layer.v1.tar", l));
            diff_ids.push(Algorithm::Sha256.digest(l).to_string());
        }
        let config = serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "created": rfc3339(spec.created),
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        });
        let config = self.blob("application/vnd.oci.image.config.v1+json", &json(&config));
        let mut annotations = BTreeMap::new();
        annotations.insert(CREATED.to_string(), rfc3339(spec.created));
        let manifest = Manifest {
            schema_version: 2,
            media_type: oci::IMAGE_MANIFEST.to_string(),
            artifact_type: None,
            config,
            layers,
            subject: None,
            annotations,
        };
        let mut d = self.blob(oci::IMAGE_MANIFEST, &json(&manifest));
        let plain = d.plain();
        if let Some(tag) = &spec.tag {
            d.annotations.insert(REF_NAME.to_string(), tag.clone());
        }
        if let Some(name) = &spec.full_name {
            d.annotations.insert(FULL_NAME.to_string(), name.clone());
        }
        self.list(d);
        plain
    }

    /// Add a signature manifest for `subject` carrying `sig.envelope`.
    pub fn add_signature(&mut self, subject: &Descriptor, sig: &SignatureSpec) -> Descriptor {
        let SignatureSpec {
            envelope,
            kind,
            chain,
            created,
            form,
            listing,
        } = *sig;
        let layer = self.blob(kind.media_type(), envelope);
        let (artifact_type, config_type) = match form {
            ManifestForm::ArtifactType => (Some(NOTATION_SIGNATURE.to_string()), oci::EMPTY_JSON),
            ManifestForm::ConfigMediaType => (None, NOTATION_SIGNATURE),
        };
        let config = self.blob(config_type, b"{}");
        let thumbprints: Vec<String> = chain.iter().map(|c| c.sha256_thumbprint()).collect();
        let mut annotations = BTreeMap::new();
        annotations.insert(
            THUMBPRINTS.to_string(),
            String::from_utf8(json(&thumbprints)).expect("utf8"),
        );
        annotations.insert(CREATED.to_string(), rfc3339(created));
        let manifest = Manifest {
            schema_version: 2,
            media_type: oci::IMAGE_MANIFEST.to_string(),
            artifact_type: artifact_type.clone(),
            config,
            layers: vec![layer],
            subject: Some(OciDescriptor::from_plain(subject)),
            annotations: annotations.clone(),
        };
        let mut d = self.blob(oci::IMAGE_MANIFEST, &json(&manifest));
        let plain = d.plain();
        if matches!(listing, Listing::IndexAndTag | Listing::Index) {
            self.list(d.clone());
        }
        if matches!(listing, Listing::IndexAndTag | Listing::Tag) {
            d.annotations = annotations;
            d.artifact_type = Some(NOTATION_SIGNATURE.to_string());
            self.referrers
                .entry(subject.digest.to_string())
                .or_default()
                .push(d);
        }
        plain
    }

    /// Sign `subject` with `signer` (leaf key, `chain` leaf first) and add the signature in the
    /// current form, listed as notation lists it.
    pub fn sign(
        &mut self,
        subject: &Descriptor,
        kind: Envelope,
        opts: &SignOptions,
        chain: &[Cert],
        signer: &Issued,
    ) -> Descriptor {
        let envelope = match kind {
            Envelope::Jws => sign::sign_jws(opts, subject, chain, &signer.key),
            Envelope::Cose => sign::sign_cose(opts, subject, chain, &signer.key),
        }
        .expect("signing");
        let created = opts.signing_time.unwrap_or(crate::pki::LONG_AGO);
        self.add_signature(
            subject,
            &SignatureSpec {
                envelope: &envelope,
                kind,
                chain,
                created,
                form: ManifestForm::ArtifactType,
                listing: Listing::IndexAndTag,
            },
        )
    }

    /// Add a multi-platform image: one image manifest per `(os, architecture)` and an image
    /// index over them, listed in `index.json` with `tag`. Returns the index descriptor (the
    /// target notation signs) and the platform manifests.
    pub fn add_multi_platform_image(
        &mut self,
        name: &str,
        tag: &str,
        platforms: &[(&str, &str)],
    ) -> (Descriptor, Vec<Descriptor>) {
        let mut entries = Vec::new();
        let mut plain = Vec::new();
        for (os, arch) in platforms {
            let layer = small_tar(&[("etc/platform", format!("{name} {os}/{arch}\n").as_bytes())]);
            let layer = self.blob("application/vnd.oci.image.layer.v1.tar", &layer);
            let config = serde_json::json!({
                "architecture": arch,
                "os": os,
                "rootfs": {"type": "layers", "diff_ids": [layer.digest]},
            });
            let config = self.blob("application/vnd.oci.image.config.v1+json", &json(&config));
            let manifest = Manifest {
                schema_version: 2,
                media_type: oci::IMAGE_MANIFEST.to_string(),
                artifact_type: None,
                config,
                layers: vec![layer],
                subject: None,
                annotations: BTreeMap::new(),
            };
            let d = self.blob(oci::IMAGE_MANIFEST, &json(&manifest));
            plain.push(d.plain());
            let mut entry = serde_json::to_value(&d).expect("descriptor");
            entry["platform"] = serde_json::json!({"architecture": arch, "os": os});
            entries.push(entry);
        }
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": oci::IMAGE_INDEX,
            "manifests": entries,
        });
        let mut d = self.blob(oci::IMAGE_INDEX, &json(&index));
        let target = d.plain();
        d.annotations.insert(REF_NAME.to_string(), tag.to_string());
        self.list(d);
        (target, plain)
    }

    /// Write the referrers indexes (tagged `sha256-<hex>`) and `index.json`; returns the folder.
    pub fn finish(mut self) -> PathBuf {
        for (subject, manifests) in std::mem::take(&mut self.referrers) {
            let index = Index {
                schema_version: 2,
                media_type: oci::IMAGE_INDEX.to_string(),
                manifests,
                annotations: BTreeMap::new(),
            };
            let mut d = self.blob(oci::IMAGE_INDEX, &json(&index));
            let tag = Digest::parse(&subject).expect("digest").referrers_tag();
            d.annotations.insert(REF_NAME.to_string(), tag);
            self.list(d);
        }
        let index = Index {
            schema_version: 2,
            media_type: oci::IMAGE_INDEX.to_string(),
            manifests: std::mem::take(&mut self.index),
            annotations: BTreeMap::new(),
        };
        std::fs::write(self.dir.join("index.json"), json(&index)).expect("index.json");
        self.dir
    }
}

/// The files of a layout folder, relative paths with `/`, sorted.
fn layout_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("prefix");
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (name, e.path().to_path_buf())
        })
        .collect();
    files.sort();
    files
}

/// A deterministic tar of a layout folder (entries sorted, mtime 0, mode 0644, root:root).
pub fn tar_bytes(dir: &Path) -> Vec<u8> {
    tar_bytes_under(dir, "")
}

/// As [`tar_bytes`], with every entry under `prefix` (e.g. `"bundle/"`: a layout under a single
/// top folder, as some transports ship it).
pub fn tar_bytes_under(dir: &Path, prefix: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, path) in layout_files(dir) {
        let name = format!("{prefix}{name}");
        let data = std::fs::read(&path).expect("read");
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, &name, data.as_slice())
            .expect("tar entry");
    }
    b.into_inner().expect("tar")
}

/// Write `dir` as a `.tar`.
pub fn write_tar(dir: &Path, out: &Path) {
    std::fs::write(out, tar_bytes(dir)).expect("write tar");
}

/// Write `dir` as a `.tar.gz`.
pub fn write_tar_gz(dir: &Path, out: &Path) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar_bytes(dir)).expect("gzip");
    std::fs::write(out, gz.finish().expect("gzip")).expect("write tar.gz");
}

/// Write `dir` as a `.tar.zst`.
pub fn write_tar_zst(dir: &Path, out: &Path) {
    let tar = tar_bytes(dir);
    let zst = ruzstd::encoding::compress_to_vec(
        tar.as_slice(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    std::fs::write(out, zst).expect("write tar.zst");
}

//! The bodies of the fuzz targets: each takes arbitrary bytes and drives one parser (and what a
//! verification does next with what it parsed). A body returns nothing; the only failure is a
//! panic, an abort (out of memory) or a timeout. the fuzz crate's `fuzz_targets/*.rs` are one-line wrappers, so
//! the same bodies can be replayed from a plain test or a debugger.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use airgap_verify::attest::dsse::Envelope as DsseEnvelope;
use airgap_verify::attest::VerificationKey;
use airgap_verify::bundle::{read_bundle, Blob, Bundle, Format, ProgressSink, Source};
use airgap_verify::envelope;
use airgap_verify::limits::Limits;
use airgap_verify::oci::digest::{Algorithm, Digest};
use airgap_verify::oci::Graph;
use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::{chain, revocation, timestamp};
use airgap_verify::policy::Document;
use airgap_verify::trust;

/// Limits for fuzzing: the defaults, with the decompressed bundle capped so one input cannot
/// take seconds.
fn limits() -> Limits {
    Limits {
        max_bundle_size: 8 * 1024 * 1024,
        ..Limits::default()
    }
}

/// A scratch folder for the targets whose entry point is a file, kept for the whole process.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("airgap-verify-fuzz")
            .tempdir()
            .map(tempfile::TempDir::keep)
            .unwrap_or_else(|_| std::env::temp_dir());
        dir
    })
}

/// Write `data` to the file `name` in the scratch folder (one per thread: tests replaying the
/// bodies run in parallel).
fn scratch_file(name: &str, data: &[u8]) -> Option<PathBuf> {
    let thread: String = format!("{:?}", std::thread::current().id())
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let path = scratch().join(format!("{thread}-{name}"));
    let mut f = std::fs::File::create(&path).ok()?;
    f.write_all(data).ok()?;
    Some(path)
}

fn fixture_certs(pem: &[u8]) -> Vec<Cert> {
    parse_certificates(pem, 32).unwrap_or_default()
}

/// The fixture signing chain (leaf first) and TSA root.
fn fixture_chain() -> &'static Vec<Cert> {
    static C: OnceLock<Vec<Cert>> = OnceLock::new();
    C.get_or_init(|| fixture_certs(include_bytes!("../../fixtures/pki/chain.pem")))
}

fn tsa_roots() -> &'static Vec<Cert> {
    static C: OnceLock<Vec<Cert>> = OnceLock::new();
    C.get_or_init(|| fixture_certs(include_bytes!("../../fixtures/pki/tsa-root.crt")))
}

/// What a verification does with a graph: list the images and their signature candidates, and
/// open each candidate envelope.
fn walk_graph(graph: &Graph, limits: &Limits) {
    let _ = graph.integrity();
    for image in graph.images() {
        let _ = image.reference();
        if let Ok(candidates) = graph.notation_signatures(&image.descriptor, limits) {
            for c in candidates {
                let _ = format!("{c:?}");
            }
        }
    }
    let _ = graph.resolve(None);
}

/// A tar / tar.gz / tar.zst stream through [`read_bundle`], then [`Graph::build`].
pub fn bundle_stream(data: &[u8]) {
    let Some(path) = scratch_file("bundle", data) else {
        return;
    };
    let limits = limits();
    if let Ok(bundle) = read_bundle(&Source::Path(path), &limits, &ProgressSink::none()) {
        if let Ok(graph) = Graph::build(&bundle, &limits) {
            walk_graph(&graph, &limits);
        }
    }
}

/// A synthetic bundle for [`Graph::build`], from pieces separated by `\n--\n`: the first piece is
/// `index.json`, each other piece a blob named by the SHA-256 of its raw bytes. In every piece
/// that starts with `{` (JSON; binary blobs such as COSE envelopes are left alone), `@N` becomes
/// the digest of piece N and `#N` the length of piece N, so the fuzzer can wire descriptors to
/// real blobs.
pub fn oci_graph(data: &[u8]) {
    let limits = limits();
    if let Some(bundle) = synthetic_bundle(data) {
        if let Ok(graph) = Graph::build(&bundle, &limits) {
            walk_graph(&graph, &limits);
        }
    }
}

/// Build the synthetic bundle [`oci_graph`] describes (public so tests can inspect seeds).
pub fn synthetic_bundle(data: &[u8]) -> Option<Bundle> {
    let pieces: Vec<&[u8]> = split(data, b"\n--\n").take(64).collect();
    let digests: Vec<Digest> = pieces.iter().map(|p| Algorithm::Sha256.digest(p)).collect();
    // Highest index first, so `@12` is not read as `@1` followed by `2`.
    let resolve = |p: &[u8]| -> Vec<u8> {
        let mut out = p.to_vec();
        if !p.starts_with(b"{") {
            return out;
        }
        for (i, d) in digests.iter().enumerate().rev() {
            out = replace(&out, format!("@{i}").as_bytes(), d.to_string().as_bytes());
            let len = pieces.get(i).map_or(0, |p| p.len()).to_string();
            out = replace(&out, format!("#{i}").as_bytes(), len.as_bytes());
        }
        out
    };
    let (index, blobs) = pieces.split_first()?;
    let mut bundle = Bundle {
        name: "fuzz".into(),
        format: Format::Tar,
        layout_root: String::new(),
        oci_layout: Some(br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
        index_json: Some(resolve(index)),
        // A last piece that is a JSON list is a `docker save` manifest.json.
        docker_manifest: blobs
            .last()
            .filter(|p| p.starts_with(b"["))
            .map(|p| resolve_list(p, &digests)),
        blobs: Default::default(),
        bytes_hashed: 0,
        notes: Vec::new(),
    };
    for (i, raw) in blobs.iter().enumerate() {
        let digest = digests.get(i + 1)?.clone();
        let content = resolve(raw);
        bundle.blobs.insert(
            digest.clone(),
            Blob::hashed(
                &digest,
                raw.len() as u64,
                digest.clone(),
                Some(content.into()),
            ),
        );
    }
    Some(bundle)
}

/// A `docker save` manifest.json piece: `@N` becomes `blobs/sha256/<hex of piece N>`.
fn resolve_list(p: &[u8], digests: &[Digest]) -> Vec<u8> {
    let mut out = p.to_vec();
    for (i, d) in digests.iter().enumerate().rev() {
        out = replace(&out, format!("@{i}").as_bytes(), d.blob_path().as_bytes());
    }
    out
}

/// The parts of `data` between occurrences of `sep`.
fn split<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(sep.len()).position(|w| w == sep) {
            Some(at) => {
                rest = r.get(at + sep.len()..);
                r.get(..at)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `data` with every occurrence of `from` replaced by `to`.
fn replace(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    split(data, from).collect::<Vec<_>>().join(to)
}

/// A JWS envelope: parse, then verify its signature.
pub fn jws(data: &[u8]) {
    let limits = limits();
    if let Ok(info) = envelope::open(airgap_verify::oci::JWS, data, &limits) {
        let _ = chain::validate_code_signing_chain(&info.certificate_chain);
    }
    let _ = envelope::unverified_summary(airgap_verify::oci::JWS, data, &limits);
}

/// A COSE_Sign1 envelope: parse, then verify its signature.
pub fn cose(data: &[u8]) {
    let limits = limits();
    if let Ok(info) = envelope::open(airgap_verify::oci::COSE, data, &limits) {
        let _ = chain::validate_code_signing_chain(&info.certificate_chain);
    }
    let _ = envelope::unverified_summary(airgap_verify::oci::COSE, data, &limits);
}

/// Certificates (PEM or concatenated DER), then every chain rule over them, as a code-signing
/// chain and as a timestamping chain, against themselves as trust anchors.
pub fn cert_chain(data: &[u8]) {
    let Ok(certs) = parse_certificates(data, 32) else {
        return;
    };
    let _ = chain::validate_code_signing_chain(&certs);
    let _ = chain::validate_timestamping_chain(&certs);
    let _ = chain::authenticity_any_cert_in_chain(&certs, &certs);
    for c in &certs {
        let _ = (c.subject(), c.issuer(), c.serial_hex(), c.public_key());
        let _ = (c.key_usage(), c.basic_constraints(), c.extended_key_usage());
        let _ = (c.not_before(), c.not_after(), c.is_self_signed());
        if let Some(first) = certs.first() {
            let _ = chain::chain_valid_at(&certs, first.not_before());
        }
    }
}

/// A trust policy document: parse, validate, look a scope up.
pub fn trust_policy(data: &[u8]) {
    if let Ok(doc) = Document::parse(data) {
        if doc.validate().is_ok() {
            let _ = doc.applicable_statement("registry.example/app");
            let _ = doc.global_statement();
        }
    }
}

/// A Kubernetes Secret file and a Flux manifests file (YAML or JSON).
pub fn secret_flux_yaml(data: &[u8]) {
    let limits = limits();
    if let Some(path) = scratch_file("secret.yaml", data) {
        let _ = trust::from_secret_file(&path, &limits);
        let _ = airgap_verify::flux::load_flux(&[path], &limits);
    }
}

/// An RFC 3161 token: the first byte gives the length of the signature it should cover, the
/// rest is the token. Verified against the fixture TSA root, and read unverified.
pub fn timestamp(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n).min(rest.len());
    let (signature, token) = rest.split_at(n);
    let limits = limits();
    let _ = timestamp::verify_timestamp(token, signature, tsa_roots(), &limits);
    let _ = timestamp::verify_timestamp(token, signature, &[], &limits);
    let _ = timestamp::parse_timestamp_unverified(token);
}

/// CRLs (PEM or DER), then the fixture chain checked against them.
pub fn crl(data: &[u8]) {
    let limits = limits();
    let mut set = revocation::CrlSet::new();
    if set.add_bytes("fuzz.crl", data, &limits).is_ok() {
        for c in set.iter() {
            let _ = c.reference();
        }
        let chain = fixture_chain();
        if let Some(leaf) = chain.first() {
            let at = leaf.not_before();
            let r = revocation::check_chain_revocation(chain, &set, at, Some(at));
            let _ = (r.verdict(), r.failure_message());
            let r = revocation::check_tsa_chain_revocation(chain, &set, at);
            let _ = r.verdict();
        }
    }
}

/// A DSSE envelope: parse, then verify against the fixture attestation key.
pub fn dsse(data: &[u8]) {
    static KEY: OnceLock<Option<VerificationKey>> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        VerificationKey::from_pem(include_bytes!("../../fixtures/attest/p256.pub"), "p256.pub").ok()
    });
    if let Ok(env) = DsseEnvelope::parse(data) {
        let _ = env.payload_bytes();
        if let Some(key) = key {
            let _ = env.verify(key);
        }
        let _ = env.to_json();
    }
}

/// A Sigstore bundle: `cosign::bundle::parse`, then verification keyed (with a fixed key and
/// the bundle's own DSSE subject absent) and keyless (with a trust root that names nothing).
pub fn sigstore_bundle(data: &[u8]) {
    use airgap_verify::cosign::bundle::{self, Artifact, Policy};
    use airgap_verify::cosign::{CosignKey, TrustRoot};
    static KEY: OnceLock<Option<CosignKey>> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        CosignKey::from_pem_flux("p256.pub", include_bytes!("../../fixtures/attest/p256.pub")).ok()
    });
    let Ok(parsed) = bundle::parse(data) else {
        return;
    };
    let root = TrustRoot::default();
    let now = time::OffsetDateTime::now_utc();
    let keyless = Policy {
        trust_root: Some(&root),
        key: None,
        identities: &[],
        require_tlog: true,
        at: now,
    };
    let _ = bundle::verify_parsed(&parsed, Artifact::Bytes(b"artifact"), &keyless);
    if let Some(key) = key {
        let keyed = Policy {
            key: Some(key),
            require_tlog: false,
            ..keyless
        };
        let digest = Algorithm::Sha256.digest(b"artifact");
        let _ = bundle::verify_parsed(&parsed, Artifact::Digest(&digest), &keyed);
    }
}

/// A Sigstore trusted root: `cosign::TrustRoot::from_json`.
pub fn sigstore_trust_root(data: &[u8]) {
    let _ = airgap_verify::cosign::TrustRoot::from_json("fuzz", data);
}

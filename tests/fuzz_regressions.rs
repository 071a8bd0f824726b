//! Replays, on the stable toolchain, the fuzz targets' bodies (`testkit/src/fuzz.rs`) over their
//! seed corpora (`fuzz/seeds/<target>/`, rebuilt by `fuzz/make_seeds.sh`) and over every input
//! a fuzzer ever found crashing, hanging or exhausting memory (`tests/data/fuzz/<target>/`, plus
//! the inline cases below). A body only fails by panicking.
//!
//! To fuzz (see `fuzz/README.md`): `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/corpus/<target>
//! fuzz/seeds/<target>`; a crash lands in `fuzz/artifacts/<target>/`: copy it to
//! `tests/data/fuzz/<target>/` and fix the parser.
#![cfg(test)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A fuzz target's body.
type Body = fn(&[u8]);

/// Every target, with its body.
const TARGETS: [(&str, Body); 12] = [
    ("bundle_stream", airgap_verify_testkit::fuzz::bundle_stream),
    ("oci_graph", airgap_verify_testkit::fuzz::oci_graph),
    ("jws", airgap_verify_testkit::fuzz::jws),
    ("cose", airgap_verify_testkit::fuzz::cose),
    ("cert_chain", airgap_verify_testkit::fuzz::cert_chain),
    ("trust_policy", airgap_verify_testkit::fuzz::trust_policy),
    (
        "secret_flux_yaml",
        airgap_verify_testkit::fuzz::secret_flux_yaml,
    ),
    ("timestamp", airgap_verify_testkit::fuzz::timestamp),
    ("crl", airgap_verify_testkit::fuzz::crl),
    ("dsse", airgap_verify_testkit::fuzz::dsse),
    (
        "sigstore_bundle",
        airgap_verify_testkit::fuzz::sigstore_bundle,
    ),
    (
        "sigstore_trust_root",
        airgap_verify_testkit::fuzz::sigstore_trust_root,
    ),
];

fn files_in(dir: PathBuf) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Run `body` on `data`; each input must finish quickly (a hang is a finding too).
fn replay(target: &str, name: &str, body: Body, data: &[u8]) {
    let start = Instant::now();
    body(data);
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(20),
        "{target}/{name} took {took:?}"
    );
}

#[test]
fn seeds_and_recorded_crashes_replay_without_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for (target, body) in TARGETS {
        let seeds = files_in(root.join("fuzz/seeds").join(target));
        assert!(!seeds.is_empty(), "no seeds for {target}");
        let crashes = files_in(root.join("tests/data/fuzz").join(target));
        for path in seeds.iter().chain(&crashes) {
            let data = std::fs::read(path).unwrap();
            replay(target, &path.display().to_string(), body, &data);
            seen += 1;
        }
    }
    assert!(seen >= 10);
}

/// The seeds reach past the parsers: the graph seed has images with signatures, the envelope
/// seeds open, the timestamp seeds verify against the fixture TSA root.
#[test]
fn seeds_reach_deep() {
    use airgap_verify::limits::Limits;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let limits = Limits::default();

    let graph_seed = std::fs::read(root.join("fuzz/seeds/oci_graph/signed")).unwrap();
    let bundle = airgap_verify_testkit::fuzz::synthetic_bundle(&graph_seed).unwrap();
    let graph = airgap_verify::oci::Graph::build(&bundle, &limits).unwrap();
    let image = graph.images().first().unwrap();
    let sigs = graph
        .notation_signatures(&image.descriptor, &limits)
        .unwrap();
    assert_eq!(sigs.len(), 2, "{sigs:?} {:?}", graph.integrity());
    assert!(sigs.iter().all(|s| s.envelope.is_ok()), "{sigs:?}");

    for (target, mt) in [
        ("jws", airgap_verify::oci::JWS),
        ("cose", airgap_verify::oci::COSE),
    ] {
        // Hostile seeds (`folded-*`: member names Go reads differently) must fail; the others open.
        for path in files_in(root.join("fuzz/seeds").join(target)) {
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("folded-"))
            {
                let data = std::fs::read(&path).unwrap();
                assert!(airgap_verify::envelope::open(mt, &data, &limits).is_err());
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            airgap_verify::envelope::open(mt, &data, &limits)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }

    for path in files_in(root.join("fuzz/seeds/sigstore_bundle")) {
        airgap_verify::cosign::bundle::parse(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    for path in files_in(root.join("fuzz/seeds/sigstore_trust_root")) {
        airgap_verify::cosign::TrustRoot::from_json("seed", &std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    let roots = airgap_verify::pki::cert::parse_certificates(
        &std::fs::read(root.join("fixtures/pki/tsa-root.crt")).unwrap(),
        32,
    )
    .unwrap();
    let with_cert = |p: &PathBuf| p.ends_with("token-cert") || p.ends_with("token-cert-no-nonce");
    let tokens: Vec<PathBuf> = files_in(root.join("fuzz/seeds/timestamp"))
        .into_iter()
        .filter(with_cert)
        .collect();
    assert_eq!(tokens.len(), 2);
    for path in tokens {
        let data = std::fs::read(&path).unwrap();
        let (n, rest) = data.split_first().unwrap();
        let (sig, token) = rest.split_at(usize::from(*n));
        airgap_verify::pki::timestamp::verify_timestamp(token, sig, &roots, &limits)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

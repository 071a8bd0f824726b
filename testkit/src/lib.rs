//! The test machinery of airgap-verify, kept out of the product: the integration tests,
//! `examples/make_fixtures.rs`, `examples/make_bench_bundle.rs` and the fuzz crate depend on it.
//!
//! - [`sign`]: a Notation signer in notation's exact JWS and COSE formats whose options break each
//!   envelope rule on purpose.
//! - [`pki`]: certificates and keys, every field changeable to break one chain rule.
//! - [`layout`]: OCI image layouts with Notation signatures, and their archives.
//! - [`trust`]: trust material in Flux's shapes (policy, Secret, mounted Secret folder).
//! - [`tsa`] and [`openssl`]: RFC 3161 tokens and certificates made by the `openssl` CLI.
//! - [`bundles`]: archives and hostile tar entries at test time, and `airgap-verify inspect` runs.
//! - [`cosign`]: OCI layouts with cosign v2 signatures and v3 bundle referrers, keyed.
//! - [`sigstore`]: a Sigstore instance of our own (CA, log, CT log) and keyless bundles and
//!   signatures under it, each check breakable, and Python `sigstore`'s verdict on them.
//! - [`harness`]: a signed layout and trust folder, `airgap-verify verify --format json`, the report.
//! - [`fuzz`]: the bodies of the fuzz targets, replayed by the tests over seeds and crashes.
//! - [`conformance`]: where the Notary Project conformance data lives.

pub mod bundles;
pub mod cosign;
pub mod fuzz;
pub mod harness;
pub mod layout;
pub mod openssl;
pub mod pki;
pub mod regenerate;
pub mod sign;
pub mod sigstore;
pub mod trust;
pub mod tsa;

use std::path::{Path, PathBuf};

use airgap_verify::oci::digest::{Algorithm, Descriptor};
use airgap_verify::pki::crypto::KeySpec;

/// Every key spec Notation allows (NOTATION.md §3.4).
pub const ALL_KEY_SPECS: [KeySpec; 6] = [
    KeySpec::Rsa2048,
    KeySpec::Rsa3072,
    KeySpec::Rsa4096,
    KeySpec::EcP256,
    KeySpec::EcP384,
    KeySpec::EcP521,
];

/// The descriptor of an image manifest with these bytes (a signing target for envelope tests).
pub fn manifest_descriptor(bytes: &[u8]) -> Descriptor {
    Descriptor {
        media_type: airgap_verify::oci::IMAGE_MANIFEST.into(),
        digest: Algorithm::Sha256.digest(bytes),
        size: bytes.len() as u64,
    }
}

/// The repository's folder (the `airgap-verify` crate's own).
pub fn repository_dir() -> PathBuf {
    let kit = Path::new(env!("CARGO_MANIFEST_DIR"));
    kit.parent().unwrap_or(kit).to_path_buf()
}

/// The repository's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    repository_dir().join("fixtures")
}

/// The Notary Project conformance folder (`../shared/conformance` beside the repository), or
/// `None` (with a note on stderr) when it is absent. When `AIRGAP_VERIFY_REQUIRE_CONFORMANCE` is
/// set (as in CI), absence is a test failure.
pub fn conformance() -> Option<PathBuf> {
    let dir = repository_dir().join("../shared/conformance");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("AIRGAP_VERIFY_REQUIRE_CONFORMANCE").is_some() {
        panic!("conformance data not found at {}", dir.display());
    }
    skip(&format!("conformance data not found at {}", dir.display()));
    None
}

/// Say that a test is skipped, and why, as a line of the test run's output. Written to the
/// process's standard error directly: `eprintln!` would be captured by the test harness and
/// hidden for a test that passes.
pub fn skip(why: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .map(|n| format!("{n}: "))
        .unwrap_or_default();
    let _ = writeln!(std::io::stderr(), "skipped: {test}{why}");
}

/// Tell the test run's output something a passing test would otherwise hide (which independent
/// implementation an interop test used), bypassing the harness's capture as [`skip`] does.
pub fn note(what: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .map(|n| format!("{n}: "))
        .unwrap_or_default();
    let _ = writeln!(std::io::stderr(), "note: {test}{what}");
}

/// The `airgap-verify` binary cargo built for the running integration test: beside the test
/// executable's `deps/` folder.
pub fn bin() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test executable");
    let mut dir = exe
        .parent()
        .expect("folder of the test executable")
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join(format!("airgap-verify{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} not found: run integration tests with `cargo test`",
        bin.display()
    );
    bin
}

/// Copy the folder `from` to `to`, recursively (a layout to tamper with or attach to).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

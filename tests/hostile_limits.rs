//! Every limit in `src/limits.rs` is enforced, and exceeding it is a clear error naming the
//! limit (and the flag that raises it, where there is one). Limits already proven elsewhere:
//! `max_index_depth` and `max_inflate_ratio` (`bundle_bad_input.rs`, `hostile_bundles.rs`),
//! `max_envelope_blob` through a bundle and `max_signatures_per_image` (`hostile_bundles.rs`).
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use airgap_verify::bundle::{read_bundle, ProgressSink, Source};
use airgap_verify::limits::Limits;
use airgap_verify::oci::Graph;
use airgap_verify_testkit::bundles::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `airgap-verify verify BUNDLE --secret fixtures/secret.yaml EXTRA`.
fn verify(bundle: &Path, extra: &[&str]) -> Run {
    let out = Command::new(bin())
        .arg("verify")
        .arg(bundle)
        .arg("--secret")
        .arg(fixtures().join("secret.yaml"))
        .args(["--scope", "registry.example/app"])
        .args(["--progress", "never"])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn all(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

fn read(path: &Path, limits: &Limits) -> Result<Graph, String> {
    let bundle = read_bundle(
        &Source::Path(path.to_path_buf()),
        limits,
        &ProgressSink::none(),
    )
    .map_err(|e| e.to_string())?;
    Graph::build(&bundle, limits).map_err(|e| e.to_string())
}

#[test]
fn the_defaults_pass_the_signed_fixture() {
    let run = verify(&fixtures().join("signed.tar.gz"), &[]);
    assert_eq!(run.code, 0, "{}", all(&run));
}

#[test]
fn max_json_blob() {
    let run = verify(&fixtures().join("signed"), &["--max-json-blob", "100"]);
    assert_ne!(run.code, 0, "{}", all(&run));
    assert!(all(&run).contains("--max-json-blob"), "{}", all(&run));
}

#[test]
fn max_envelope_blob() {
    let limits = Limits {
        max_envelope_blob: 10,
        ..Limits::default()
    };
    let e = airgap_verify::envelope::envelope_within_size_limit(&[0; 11], &limits).unwrap_err();
    assert!(
        e.to_string().contains("more than the limit of 10 bytes"),
        "{e}"
    );
}

#[test]
fn max_entries() {
    let limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    let e = read(&fixtures().join("signed.tar"), &limits).unwrap_err();
    assert!(e.contains("more than the limit of 3 entries"), "{e}");
}

#[test]
fn max_manifests() {
    let run = verify(&fixtures().join("signed.tar"), &["--max-manifests", "2"]);
    assert_eq!(run.code, 3, "{}", all(&run));
    assert!(
        all(&run).contains("more than the limit of 2 manifests and indexes"),
        "{}",
        all(&run)
    );
    assert!(all(&run).contains("--max-manifests"), "{}", all(&run));
}

#[test]
fn max_referrers_per_image() {
    let run = verify(&fixtures().join("signed"), &["--max-referrers", "1"]);
    assert_ne!(run.code, 0, "{}", all(&run));
    assert!(
        all(&run).contains("more than the limit of 1"),
        "{}",
        all(&run)
    );
    assert!(all(&run).contains("--max-referrers"), "{}", all(&run));
}

#[test]
fn max_certificates_per_chain() {
    let run = verify(&fixtures().join("signed"), &["--max-chain", "2"]);
    assert_eq!(run.code, 1, "{}", all(&run));
    assert!(
        all(&run).contains("3 certificates, more than the limit of 2"),
        "{}",
        all(&run)
    );
    assert!(all(&run).contains("--max-chain"), "{}", all(&run));
}

#[test]
fn max_bundle_size() {
    let limits = Limits {
        max_bundle_size: 1000,
        ..Limits::default()
    };
    let e = read(&fixtures().join("signed.tar.gz"), &limits).unwrap_err();
    assert!(e.contains("more than the limit of 1000"), "{e}");
}

#[test]
fn max_config_file() {
    let limits = Limits {
        max_config_file: 100,
        ..Limits::default()
    };
    let e = airgap_verify::trust::from_secret_file(&fixtures().join("secret.yaml"), &limits)
        .unwrap_err();
    assert!(
        e.to_string().contains("more than the limit of 100 bytes"),
        "{e}"
    );
    let e =
        airgap_verify::flux::load_flux(&[fixtures().join("flux/seed.yaml")], &limits).unwrap_err();
    assert!(
        e.to_string().contains("more than the limit of 100 bytes"),
        "{e}"
    );
}

#[test]
fn max_crl_file() {
    let limits = Limits {
        max_crl_file: 10,
        ..Limits::default()
    };
    let mut set = airgap_verify::pki::revocation::CrlSet::new();
    let e = set.add_bytes("big.crl", &[0x30; 11], &limits).unwrap_err();
    assert!(
        e.to_string().contains("larger than the limit of 10 bytes"),
        "{e}"
    );
}

//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The conformance folder (`../shared/conformance`), or `None` (with a note) when absent. When
/// `AIRGAP_VERIFY_REQUIRE_CONFORMANCE` is set (as in CI), absence is a test failure.
pub fn conformance() -> Option<PathBuf> {
    airgap_verify::testdata::conformance()
}

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_airgap-verify"))
}

/// A fresh self-signed P-256 certificate with the given subject (openssl `-subj` form, e.g.
/// `/C=US/ST=WA/O=Test/CN=a`), as (PEM, DER), made by the `openssl` CLI in `dir`. `None` (with
/// a note) when openssl is not installed.
pub fn self_signed_cert(dir: &std::path::Path, subject: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    use std::process::{Command, Stdio};
    let stem: String = subject
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let (key, pem, der) = (
        dir.join(format!("{stem}.key")),
        dir.join(format!("{stem}.pem")),
        dir.join(format!("{stem}.der")),
    );
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", subject, "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&pem)
        .stderr(Stdio::null())
        .status();
    let Ok(made) = made else {
        eprintln!("skipped: openssl not found");
        return None;
    };
    assert!(made.success(), "openssl req failed");
    let converted = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&pem)
        .arg("-out")
        .arg(&der)
        .status()
        .expect("openssl x509");
    assert!(converted.success(), "openssl x509 failed");
    Some((std::fs::read(pem).unwrap(), std::fs::read(der).unwrap()))
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

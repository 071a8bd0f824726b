//! The `openssl` CLI, for what the tests make with an independent implementation: self-signed
//! certificates, RFC 3161 tokens ([`crate::tsa`]), CRLs, encrypted keys, CMS signatures.

use std::path::Path;
use std::process::{Command, Stdio};

/// Whether `openssl` runs on this machine.
pub fn available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether `openssl` runs on this machine; when it does not, a note on stderr (the caller skips).
pub fn available_or_skip() -> bool {
    let found = available();
    if !found {
        crate::skip("openssl not found");
    }
    found
}

/// Run `openssl ARGS` in `dir`; the error carries openssl's standard error.
pub fn run(args: &[&str], dir: &Path) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Run `openssl ARGS` in `dir`, panicking with openssl's standard error when it fails.
pub fn must(dir: &Path, args: &[&str]) {
    if let Err(e) = run(args, dir) {
        panic!("{e}");
    }
}

/// A fresh self-signed P-256 certificate with the given subject (openssl `-subj` form, e.g.
/// `/C=US/ST=WA/O=Test/CN=a`), as (PEM, DER), made by the `openssl` CLI in `dir`. `None` (with
/// a note) when openssl is not installed.
pub fn self_signed_cert(dir: &Path, subject: &str) -> Option<(Vec<u8>, Vec<u8>)> {
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
        crate::skip("openssl not found");
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

//! Size-limited files (`--crl`, trust files, keys, attestations) go through one size-capped
//! reader: a FIFO or a file that keeps growing is never read past its limit.
#![cfg(test)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn fixture(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

/// A FIFO in `dir` that a thread fills with `bytes` zero bytes (until the reader goes away).
fn endless_fifo(dir: &Path, bytes: usize) -> std::path::PathBuf {
    let fifo = dir.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let path = fifo.clone();
    std::thread::spawn(move || {
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
            let chunk = vec![0u8; 1 << 20];
            let mut left = bytes;
            while left > 0 {
                let n = left.min(chunk.len());
                if f.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n;
            }
        }
    });
    fifo
}

#[test]
fn a_crl_fifo_is_read_only_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB offered, the CRL limit is 16 MiB.
    let fifo = endless_fifo(dir.path(), 64 << 20);
    let start = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$@\"")
        .arg("sh")
        .arg(airgap_verify_testkit::bin())
        .arg("verify")
        .arg(fixture("signed"))
        .arg("--secret")
        .arg(fixture("secret.yaml"))
        .args(["--scope", "registry.example/app"])
        .arg("--crl")
        .arg(&fifo)
        .args(["--progress", "never"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("over the limit of 16777216 bytes"),
        "{stderr}"
    );
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_crl_within_the_limit_is_read_from_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    // A FIFO holding garbage within the limit is read whole and refused as not a CRL.
    let fifo = endless_fifo(dir.path(), 1000);
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .arg(fixture("signed"))
        .arg("--secret")
        .arg(fixture("secret.yaml"))
        .args(["--scope", "registry.example/app"])
        .arg("--crl")
        .arg(&fifo)
        .args(["--progress", "never"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("over the limit"), "{stderr}");
}

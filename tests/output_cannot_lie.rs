//! Output that cannot lie: control characters of the bundle are escaped in text output, a
//! closed pipe ends quietly with the exit code of the work, and with `--format json` every
//! failure that ends the run is still one JSON object on standard output.
#![cfg(test)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use airgap_verify_testkit::layout::{ImageSpec, Layout};
use serde_json::Value;

const FORGED: &str =
    "v1\x1b[1A\x1b[2K\rsigned:v1 (sha256:0000): verified signature\u{9b}0m\u{202e}";

fn bin() -> Command {
    Command::new(airgap_verify_testkit::bin())
}

fn fixtures() -> std::path::PathBuf {
    airgap_verify_testkit::fixtures_dir()
}

fn forged_layout(dir: &Path) -> std::path::PathBuf {
    let mut layout = Layout::create(&dir.join("layout"));
    layout.add_image(&ImageSpec::new("app").tag(FORGED));
    layout.finish()
}

fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || *c == '\u{202e}')
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: raw control characters {bad:?} in {text}"
    );
}

#[test]
fn control_characters_of_the_bundle_are_escaped_in_text() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = forged_layout(tmp.path());
    let inspect = bin().arg("inspect").arg(&layout).output().unwrap();
    assert_eq!(inspect.status.code(), Some(0));
    assert_no_controls("inspect", &inspect.stdout);
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(text.contains("v1\\x1b[1A\\x1b[2K\\x0dsigned"), "{text}");
    assert!(text.contains("\\u{9b}0m\\u{202e}"), "{text}");

    let trust = fixtures().join("trust");
    let verify = bin()
        .arg("verify")
        .arg(&layout)
        .arg("--trust-dir")
        .arg(&trust)
        .args(["--all", "--scope", "registry.example/app", "-v"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert_no_controls("verify stdout", &verify.stdout);
    assert_no_controls("verify stderr", &verify.stderr);
    assert!(String::from_utf8_lossy(&verify.stdout).contains("\\x1b"));

    // An error naming the tag escapes it on standard error too.
    let missing = bin()
        .arg("verify")
        .arg(&layout)
        .arg("--trust-dir")
        .arg(&trust)
        .args(["--ref", "nope"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_no_controls("verify error", &missing.stderr);

    // JSON keeps the value exactly (escaped by JSON itself).
    let json = bin()
        .arg("inspect")
        .arg(&layout)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["images"][0]["tags"][0], FORGED);
}

/// Run with standard output a pipe whose reading end is closed at once (`| head -0`).
fn closed_pipe(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_exit_code_of_the_work() {
    let signed = fixtures().join("signed");
    let inspect = closed_pipe(bin().arg("inspect").arg(&signed));
    let stderr = String::from_utf8_lossy(&inspect.stderr);
    assert_eq!(inspect.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    let tmp = tempfile::tempdir().unwrap();
    let att = tmp.path().join("a.dsse.json");
    let verify = closed_pipe(
        bin()
            .arg("verify")
            .arg(&signed)
            .arg("--secret")
            .arg(fixtures().join("secret.yaml"))
            .args(["--scope", "registry.example/app", "--attest-key"])
            .arg(fixtures().join("attest/p256.key"))
            .arg("--attestation")
            .arg(&att),
    );
    let stderr = String::from_utf8_lossy(&verify.stderr);
    assert_eq!(verify.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(att.exists(), "the work goes on after the pipe closed");

    let check = closed_pipe(
        bin()
            .arg("verify-attestation")
            .arg(&att)
            .arg("--key")
            .arg(fixtures().join("attest/p256.pub"))
            .arg("--bundle")
            .arg(&signed),
    );
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    // The exit code is the work's: a damaged bundle still exits 3.
    let damaged = tmp.path().join("damaged");
    airgap_verify_testkit::copy_dir(&signed, &damaged);
    let blob = std::fs::read_dir(damaged.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::metadata(p).unwrap().len() > 1000)
        .unwrap();
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let inspect = closed_pipe(bin().arg("inspect").arg(&damaged));
    assert_eq!(inspect.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&inspect.stderr).contains("panicked"));
}

/// Standard output is exactly one JSON object, with `error` and `exitCode` equal to the exit.
fn one_failure_document(what: &str, out: &Output, code: i32) -> Value {
    assert_eq!(out.status.code(), Some(code), "{what}: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: not one JSON document ({e}): {text:?}"));
    assert_eq!(doc["exitCode"], code, "{what}: {doc:#}");
    assert!(
        !doc["error"].as_str().unwrap_or("").is_empty(),
        "{what}: {doc:#}"
    );
    doc
}

#[test]
fn with_json_every_failure_is_one_document() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = std::fs::read(fixtures().join("signed.tar")).unwrap();
    let truncated = tmp.path().join("truncated.tar");
    std::fs::write(&truncated, &tar[..tar.len() / 2]).unwrap();
    let malformed = tmp.path().join("malformed");
    airgap_verify_testkit::copy_dir(&fixtures().join("signed"), &malformed);
    std::fs::write(malformed.join("index.json"), b"{\"manifests\": [").unwrap();
    let secret = fixtures().join("secret.yaml");

    for bundle in [&truncated, &malformed] {
        let name = bundle.display().to_string();
        let out = bin()
            .arg("verify")
            .arg(bundle)
            .arg("--secret")
            .arg(&secret)
            .args(["--scope", "registry.example/app", "--format", "json"])
            .output()
            .unwrap();
        one_failure_document(&name, &out, 3);
        let out = bin()
            .arg("inspect")
            .arg(bundle)
            .args(["--format", "json"])
            .output()
            .unwrap();
        one_failure_document(&name, &out, 3);
        let out = bin()
            .arg("verify-attestation")
            .arg("--key")
            .arg(fixtures().join("attest/p256.pub"))
            .arg("--bundle")
            .arg(bundle)
            .args(["--format", "json"])
            .output()
            .unwrap();
        one_failure_document(&name, &out, 3);
    }

    // An attestation key that cannot be read is found before the bundle is read: one document,
    // the error, no results.
    let out = bin()
        .arg("verify")
        .arg(fixtures().join("signed"))
        .arg("--secret")
        .arg(&secret)
        .args(["--scope", "registry.example/app", "--format", "json"])
        .arg("--attest-key")
        .arg(tmp.path().join("no-such.key"))
        .arg("--attestation")
        .arg(tmp.path().join("a.dsse.json"))
        .output()
        .unwrap();
    let doc = one_failure_document("key", &out, 2);
    assert!(doc["results"].is_null(), "{doc:#}");
    assert!(
        doc["error"].as_str().unwrap().contains("no-such.key"),
        "{doc:#}"
    );

    // A usage error found before anything is read.
    let out = bin()
        .arg("verify")
        .arg(fixtures().join("signed"))
        .args(["--format", "json", "--at", "yesterday", "--trust-dir"])
        .arg(fixtures().join("trust"))
        .output()
        .unwrap();
    one_failure_document("usage", &out, 2);
}

//! `verify --attach` writes only inside a real, writable layout folder, leaves a layout that
//! `inspect` and `verify` accept whenever it is killed, and concurrent runs all land in
//! `index.json`.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

fn attach_cmd(bundle: &Path, key: &str, att: &Path) -> Command {
    let mut c = Command::new(airgap_verify_testkit::bin());
    c.arg("verify")
        .arg(bundle)
        .arg("--secret")
        .arg(fixture("secret.yaml"))
        .args(["--scope", "registry.example/app"])
        .arg("--attest-key")
        .arg(fixture(&format!("attest/{key}.key")))
        .arg("--attestation")
        .arg(att)
        .arg("--attach")
        .args(["--progress", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn copy_signed(tmp: &Path) -> PathBuf {
    let bundle = tmp.join("bundle");
    airgap_verify_testkit::copy_dir(&fixture("signed"), &bundle);
    bundle
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

fn attestation_referrers(bundle: &Path) -> usize {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["artifactType"] == "application/vnd.dsse.envelope.v1+json")
        .count()
}

fn inspect_ok(bundle: &Path) {
    let o = Command::new(airgap_verify_testkit::bin())
        .args(["inspect", "--progress", "never"])
        .arg(bundle)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("0 problems"), "{}", text(&o));
}

#[test]
fn attach_into_a_plain_layout_works() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = copy_signed(tmp.path());
    let att = tmp.path().join("a.dsse.json");
    let o = attach_cmd(&bundle, "p256", &att).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(attestation_referrers(&bundle), 1);
    inspect_ok(&bundle);
}

#[test]
fn symlinked_layout_parts_are_refused_before_anything_is_written() {
    for part in ["blobs", "blobs/sha256", "index.json"] {
        let tmp = tempfile::tempdir().unwrap();
        let bundle = copy_signed(tmp.path());
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::rename(bundle.join(part), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, bundle.join(part)).unwrap();
        let before = files(&elsewhere);
        let att = tmp.path().join("a.dsse.json");
        let o = attach_cmd(&bundle, "p256", &att).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{part}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("{part} is a symbolic link")),
            "{}",
            text(&o)
        );
        assert_eq!(files(&elsewhere), before, "{part}");
        assert!(!att.exists(), "{part}: the attestation file was written");
    }
}

#[test]
fn a_read_only_layout_is_refused_before_anything_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let bundle = copy_signed(tmp.path());
    let before = files(&bundle);
    std::fs::set_permissions(&bundle, std::fs::Permissions::from_mode(0o555)).unwrap();
    let att = tmp.path().join("a.dsse.json");
    let o = attach_cmd(&bundle, "p256", &att).output().unwrap();
    std::fs::set_permissions(&bundle, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("read-only"), "{}", text(&o));
    assert!(!att.exists(), "the attestation file was written");
    assert_eq!(files(&bundle), before);
}

#[test]
fn concurrent_attaches_both_land_in_index_json() {
    for round in 0..3 {
        let tmp = tempfile::tempdir().unwrap();
        let bundle = copy_signed(tmp.path());
        let runs: Vec<Child> = ["p256", "ed25519"]
            .iter()
            .map(|key| {
                attach_cmd(&bundle, key, &tmp.path().join(format!("{key}.dsse.json")))
                    .spawn()
                    .unwrap()
            })
            .collect();
        for r in runs {
            let o = r.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "round {round}: {}", text(&o));
        }
        assert_eq!(attestation_referrers(&bundle), 2, "round {round}");
        inspect_ok(&bundle);
    }
}

#[test]
fn a_kill_at_any_moment_leaves_a_readable_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = copy_signed(tmp.path());
    for i in 0..24u64 {
        let att = tmp.path().join("a.dsse.json");
        let mut child = attach_cmd(&bundle, if i % 2 == 0 { "p256" } else { "ed25519" }, &att)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 * i));
        let _ = child.kill();
        let _ = child.wait();
        inspect_ok(&bundle);
        assert!(
            !files(&bundle.join("blobs"))
                .iter()
                .any(|f| f.contains(".tmp")),
            "a temporary file in blobs/"
        );
    }
    // A later attach still works and removes what killed runs left in the root.
    let o = attach_cmd(&bundle, "p256", &tmp.path().join("b.dsse.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        !files(&bundle).iter().any(|f| f.ends_with(".tmp")),
        "{:?}",
        files(&bundle)
    );
}

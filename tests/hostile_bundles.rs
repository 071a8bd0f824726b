//! Hostile bundles, generated at test time, through `airgap-verify verify`: each ends with exit 2
//! or 3 and a message (never a panic), writes no file (the working folder and `TMPDIR` stay
//! empty), and runs under a 2 GiB address-space cap (memory bounded). The entry-level cases
//! through `inspect` (messages, each tar trick) are in `bundle_bad_input.rs`; here every class
//! goes through the whole verification and the cases that need a signed image are added.
//!
//! Deviation from notation (documented in `oci::signatures`): a signature manifest with two
//! layers makes notation abort the whole verification; we report that signature as invalid and
//! go on with the next candidate, so a good signature beside it still verifies.
#![cfg(test)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use airgap_verify_testkit::bundles::*;
use serde_json::{json, Value};

const NOTATION_SIGNATURE: &str = "application/vnd.cncf.notary.signature";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Run `verify BUNDLE --secret fixtures/secret.yaml EXTRA` from an empty folder with an empty
/// `TMPDIR` and a 2 GiB address-space cap; both folders must still be empty afterwards.
fn verify(bundle: &Path, extra: &[&str]) -> (Run, Duration) {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![
        bin().display().to_string(),
        "verify".into(),
        bundle.display().to_string(),
        "--secret".into(),
        fixtures().join("secret.yaml").display().to_string(),
        "--scope".into(),
        "registry.example/app".into(),
        "--progress".into(),
        "never".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let start = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2097152 && exec \"$@\"")
        .arg("sh")
        .args(&args)
        .current_dir(cwd.path())
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = start.elapsed();
    for d in [cwd.path(), tmp.path()] {
        let left: Vec<_> = std::fs::read_dir(d).unwrap().collect();
        assert!(
            left.is_empty(),
            "files written in {}: {left:?}",
            d.display()
        );
    }
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (run, took)
}

/// Exit 2 or 3, `needle` in the output, no panic.
fn assert_refused(run: &Run, needle: &str) {
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(run.code == 2 || run.code == 3, "exit {}:\n{all}", run.code);
    assert!(all.contains(needle), "{needle:?} not in:\n{all}");
    assert!(!all.contains("panicked"), "{all}");
}

fn bytes_file(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

// ---- tar-level tricks, through the whole verification ---------------------------------------

fn hostile_tar(extra: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in small_layout() {
        b.append(
            &raw_header(name.as_bytes(), tar::EntryType::Regular, data.len() as u64),
            data.as_slice(),
        )
        .unwrap();
    }
    for (name, kind, data) in extra {
        let mut h = raw_header(name, *kind, data.len() as u64);
        if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
            h.set_size(0);
            h.set_link_name("../../../../etc/passwd").unwrap();
            h.set_cksum();
            b.append(&h, &[][..]).unwrap();
        } else {
            b.append(&h, *data).unwrap();
        }
    }
    b.into_inner().unwrap()
}

#[test]
fn tar_tricks_are_refused_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let dup = blob_path(b"layer content");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "traversal",
            hostile_tar(&[(b"blobs/../../escape", tar::EntryType::Regular, b"x")]),
            "blobs/../../escape",
        ),
        (
            "absolute",
            hostile_tar(&[(b"/tmp/escape", tar::EntryType::Regular, b"x")]),
            "/tmp/escape",
        ),
        (
            "symlink",
            hostile_tar(&[(b"blobs/sha256/link", tar::EntryType::Symlink, b"")]),
            "blobs/sha256/link",
        ),
        (
            "hardlink",
            hostile_tar(&[(b"blobs/sha256/hard", tar::EntryType::Link, b"")]),
            "blobs/sha256/hard",
        ),
        (
            "duplicate",
            hostile_tar(&[(dup.as_bytes(), tar::EntryType::Regular, b"layer content")]),
            &dup,
        ),
    ];
    for (name, data, needle) in cases {
        let p = bytes_file(dir.path(), name, &data);
        let (run, _) = verify(&p, &[]);
        assert_refused(&run, needle);
        // gzip and zstd wrap the same entries: the same refusal.
        let p = bytes_file(dir.path(), &format!("{name}.gz"), &gzip(&data));
        assert_refused(&verify(&p, &[]).0, needle);
    }
}

#[test]
fn decompression_bomb_is_refused_naming_the_ratio() {
    // 96 MiB of zeros (past the 64 MiB that is always allowed) in a few hundred KiB of zstd.
    let dir = tempfile::tempdir().unwrap();
    let size: u64 = 96 * 1024 * 1024;
    let mut b = tar::Builder::new(Vec::new());
    let h = raw_header(blob_path(b"bomb").as_bytes(), tar::EntryType::Regular, size);
    b.append(&h, std::io::Read::take(std::io::repeat(0), size))
        .unwrap();
    let tar = b.into_inner().unwrap();
    let p = bytes_file(dir.path(), "bomb.tar.zst", &zstd(&tar));
    drop(tar);
    let (run, _) = verify(&p, &["--max-inflate-ratio", "50"]);
    assert_refused(&run, "ratio limit of 50:1");
}

#[test]
fn cyclic_indexes_are_refused() {
    // Index A lists index B which lists A: neither can hash to what the other names, and
    // neither is followed forever.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        format!("sha256:{}", "aa".repeat(32)),
        format!("sha256:{}", "bb".repeat(32)),
    );
    let idx = |d: &str| {
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{d}","size":120}}]}}"#
        )
        .into_bytes()
    };
    let mut files = small_layout();
    files[1].1 = idx(&a);
    files.push((format!("blobs/sha256/{}", "aa".repeat(32)), idx(&b)));
    files.push((format!("blobs/sha256/{}", "bb".repeat(32)), idx(&a)));
    let p = bytes_file(dir.path(), "cycle.tar", &tar_files(&files));
    let (run, took) = verify(&p, &[]);
    assert_refused(&run, "sha256:aaaa");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

// ---- bundles built on the signed fixture ------------------------------------------------------

/// A writable copy of `fixtures/signed`.
fn signed_copy() -> tempfile::TempDir {
    copy_layout(&fixtures().join("signed"))
}

fn write_blob(dir: &Path, data: &[u8]) -> Value {
    let p = dir.join(blob_path(data));
    std::fs::write(p, data).unwrap();
    json!({"digest": sha256(data), "size": data.len()})
}

fn subject(dir: &Path) -> Value {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| is_signed_image(m))
        .map(|m| json!({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"]}))
        .unwrap()
}

/// The fixture image's entry in `index.json` (tagged `v1`).
fn is_signed_image(entry: &Value) -> bool {
    entry["annotations"]["org.opencontainers.image.ref.name"] == "v1"
}

/// The fixture's JWS envelope (the first `application/jose+json` layer found).
fn fixture_jws(dir: &Path) -> Vec<u8> {
    for e in std::fs::read_dir(dir.join("blobs/sha256")).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        if data.starts_with(b"{") && data.windows(11).any(|w| w == b"\"protected\"") {
            return data;
        }
    }
    panic!("no JWS envelope in the signed fixture")
}

/// A signature manifest for the fixture image with these layers (media type, content), listed
/// first in `index.json` so it is tried before the fixture's own signatures.
fn add_signature(dir: &Path, layers: &[(&str, &[u8])]) -> Value {
    let config = write_blob(dir, b"{}");
    let layers: Vec<Value> = layers
        .iter()
        .map(|(mt, data)| {
            let mut d = write_blob(dir, data);
            d["mediaType"] = json!(mt);
            d
        })
        .collect();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": NOTATION_SIGNATURE,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                   "digest": config["digest"], "size": config["size"]},
        "layers": layers,
        "subject": subject(dir),
        "annotations": {"org.opencontainers.image.created": "2020-01-01T00:00:00Z"},
    }))
    .unwrap();
    let mut d = write_blob(dir, &manifest);
    d["mediaType"] = json!("application/vnd.oci.image.manifest.v1+json");
    d["artifactType"] = json!(NOTATION_SIGNATURE);
    let path = dir.join("index.json");
    let mut index: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    index["manifests"]
        .as_array_mut()
        .unwrap()
        .insert(1, d.clone());
    std::fs::write(&path, serde_json::to_vec(&index).unwrap()).unwrap();
    d
}

/// A signature manifest whose first layer is a good envelope and whose second is junk.
fn add_two_layer_signature(dir: &Path, jws: &[u8]) -> Value {
    add_signature(
        dir,
        &[
            ("application/jose+json", jws),
            ("application/jose+json", b"{}"),
        ],
    )
}

/// Drop the fixture's own signatures from `index.json` and the referrers index (their blobs
/// stay, unlisted: still found by `subject`, so remove those blobs too).
fn remove_fixture_signatures(dir: &Path) {
    let path = dir.join("index.json");
    let index: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut keep = Vec::new();
    for m in index["manifests"].as_array().unwrap() {
        if is_signed_image(m) {
            keep.push(m.clone());
        } else {
            let hex = m["digest"].as_str().unwrap().trim_start_matches("sha256:");
            std::fs::remove_file(dir.join("blobs/sha256").join(hex)).unwrap();
        }
    }
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": keep})).unwrap(),
    )
    .unwrap();
}

#[test]
fn two_layer_signature_first_aborts_as_notation_does_and_names_the_good_one() {
    let dir = signed_copy();
    let jws = fixture_jws(dir.path());
    let broken = add_two_layer_signature(dir.path(), &jws);
    let (run, _) = verify(dir.path(), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let r = &v["results"][0];
    let message = r["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "unable to retrieve digital signature with digest \"{}\" associated with",
            broken["digest"].as_str().unwrap()
        )),
        "{message}"
    );
    assert!(
        message.ends_with(
            "error : signature manifest requries exactly one signature envelope blob, got 2"
        ),
        "{message}"
    );
    assert_eq!(r["abortedBy"], broken["digest"]);
    let good = r["wouldVerify"].as_str().unwrap();
    assert_ne!(good, broken["digest"].as_str().unwrap());
    assert_eq!(r["fluxRisk"][0]["kind"], "broken-signature", "{r:#}");
    assert!(!run.stderr.contains("panicked"));

    // Alone, it verifies nothing: a verification failure, with the reason.
    let dir = signed_copy();
    remove_fixture_signatures(dir.path());
    add_two_layer_signature(dir.path(), &jws);
    let (run, _) = verify(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("exactly one signature envelope blob, got 2"),
        "{all}"
    );
    // Nothing would verify, so there is no order risk.
    assert!(!all.contains("wouldVerify"), "{all}");
}

#[test]
fn max_signatures_stops_the_evaluation_and_says_so() {
    // An envelope of an unknown media type is tried first (it fails integrity, it does not
    // abort); with one attempt allowed, the good signature after it is never reached.
    let dir = signed_copy();
    let jws = fixture_jws(dir.path());
    add_signature(dir.path(), &[("application/octet-stream", &jws)]);
    let (run, _) = verify(dir.path(), &["--max-signatures", "1", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("configured limit of 1 signatures"), "{all}");
    assert!(all.contains("attempt-limit"), "{all}");
}

#[test]
fn deep_json_envelope_is_rejected_not_recursed() {
    let dir = signed_copy();
    remove_fixture_signatures(dir.path());
    let deep = format!(
        r#"{{"payload":"e30","protected":"e30","header":{{"x":{}{}}},"signature":""}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    add_signature(dir.path(), &[("application/jose+json", deep.as_bytes())]);
    let (run, _) = verify(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("overflow"));
}

/// The fixture JWS with `x5c` (unprotected header) replaced by `count` copies of its leaf.
fn jws_with_x5c(jws: &[u8], count: usize) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(jws).unwrap();
    let leaf = v["header"]["x5c"][0].clone();
    v["header"]["x5c"] = Value::Array(vec![leaf; count]);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn many_certificates_in_x5c_name_the_limit() {
    let dir = signed_copy();
    let jws = fixture_jws(dir.path());
    remove_fixture_signatures(dir.path());
    add_signature(
        dir.path(),
        &[("application/jose+json", &jws_with_x5c(&jws, 1000))],
    );
    let (run, _) = verify(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("limit of 32"), "{all}");
    assert!(all.contains("--max-chain"), "{all}");

    // Raising the limit gets past it to the chain rules (the same certificate repeated).
    let (run, _) = verify(dir.path(), &["--max-chain", "2000"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(!all.contains("limit of 32"), "{all}");
}

#[test]
fn a_30_mb_envelope_is_refused_naming_the_limit() {
    let dir = signed_copy();
    let jws = fixture_jws(dir.path());
    remove_fixture_signatures(dir.path());
    let one = jws_with_x5c(&jws, 1).len();
    let huge = jws_with_x5c(&jws, 30 * 1024 * 1024 / one.max(1) * 2);
    assert!(huge.len() > 25 * 1024 * 1024);
    add_signature(dir.path(), &[("application/jose+json", &huge)]);
    let (run, took) = verify(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("--max-json-blob"), "{all}");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// `count` signature-like referrers (empty layers) of the fixture image, written straight into
/// a tar.gz (listed nowhere: found by their `subject`).
fn many_referrers(count: usize) -> tempfile::TempDir {
    let src = fixtures().join("signed");
    let out = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(out.path().join("bundle.tar.gz")).unwrap();
    let gz =
        flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    b.append_dir_all(".", &src).unwrap();
    let subject = subject(&src);
    for i in 0..count {
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": NOTATION_SIGNATURE,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                       "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                       "size": 2},
            "layers": [],
            "subject": subject,
            "annotations": {"n": i.to_string()},
        }))
        .unwrap();
        let h = raw_header(
            blob_path(&manifest).as_bytes(),
            tar::EntryType::Regular,
            manifest.len() as u64,
        );
        b.append(&h, manifest.as_slice()).unwrap();
    }
    let mut w = b.into_inner().unwrap().finish().unwrap();
    w.flush().unwrap();
    out
}

#[test]
fn one_hundred_thousand_referrers_fail_fast_naming_the_limit() {
    let dir = many_referrers(100_000);
    let p = dir.path().join("bundle.tar.gz");
    let (run, took) = verify(&p, &[]);
    let all = format!("{}{}", run.stdout, run.stderr);
    // Too many referrers is the bundle's fault: exit 3.
    assert_eq!(run.code, 3, "{all}");
    assert!(all.contains("limit"), "{all}");
    assert!(all.contains("--max-"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn too_many_referrers_is_the_bundles_fault() {
    let dir = many_referrers(6);
    let p = dir.path().join("bundle.tar.gz");
    let (run, _) = verify(&p, &["--max-referrers", "5"]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("more than the limit of 5"),
        "{}",
        run.stderr
    );
    let (run, _) = verify(&p, &["--max-referrers", "100"]);
    assert_ne!(run.code, 3, "{}{}", run.stdout, run.stderr);
}

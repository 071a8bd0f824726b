//! The conventions a newcomer expects, through the binary: `-o`/`--output`, `-q`, `-v` before
//! or after the subcommand, `--color`, `--version`; flag combinations refused instead of
//! ignored; messages that name the fix; progress as plain lines when standard error is not a
//! terminal.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

/// Run the binary. A `verify` with a Secret or trust folder and no `--scope` is given the scope
/// the fixtures' policy names (`registry.example/app`): these tests are about other flags.
fn run(args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    let verifies = args.contains(&"verify")
        && (args.contains(&"--secret") || args.contains(&"--trust-dir"))
        && !args.contains(&"--scope");
    if verifies {
        args.extend(["--scope", "registry.example/app"]);
    }
    Command::new(airgap_verify_testkit::bin())
        .args(&args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn signed() -> String {
    fixture("signed").display().to_string()
}

fn secret() -> String {
    fixture("secret.yaml").display().to_string()
}

#[test]
fn output_is_an_alias_of_format() {
    for flag in ["-o", "--output", "--format"] {
        let (code, out, err) = text(&run(&[
            "verify",
            &signed(),
            "--secret",
            &secret(),
            flag,
            "json",
        ]));
        assert_eq!(code, 0, "{flag}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect(flag);
        assert_eq!(v["results"][0]["verdict"], "verified");
    }
}

#[test]
fn quiet_drops_the_text_report_but_not_json_nor_errors() {
    let (code, out, _) = text(&run(&["verify", &signed(), "--secret", &secret(), "-q"]));
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = text(&run(&[
        "-q",
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "-o",
        "json",
    ]));
    assert_eq!(code, 0);
    assert!(out.contains("\"verdict\": \"verified\""), "{out}");
    let (code, out, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        "/nonexistent.yaml",
        "-q",
    ]));
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("/nonexistent.yaml"), "{err}");
    let (code, out, _) = text(&run(&["inspect", &signed(), "--quiet"]));
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn verbose_before_or_after_the_subcommand() {
    let after = text(&run(&["verify", &signed(), "--secret", &secret(), "-v"]));
    let before = text(&run(&["-v", "verify", &signed(), "--secret", &secret()]));
    let plain = text(&run(&["verify", &signed(), "--secret", &secret()]));
    assert_eq!(after.0, 0);
    assert!(before.1.contains("signature 1 "), "{}", before.1);
    assert!(after.1.contains("signature 1 "), "{}", after.1);
    assert!(!plain.1.contains("signature 1 "), "{}", plain.1);
    assert_eq!(text(&run(&["inspect", &signed(), "-v"])).0, 0);
}

#[test]
fn colour_only_on_the_verdict_word_and_only_when_asked() {
    let (_, out, _) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--color",
        "always",
    ]));
    let first = out.lines().next().unwrap();
    assert!(
        first.contains(": \x1b[32mverified\x1b[0m signature of revision"),
        "{first:?}"
    );
    assert_eq!(out.matches('\x1b').count(), 2, "{out:?}");
    // Not a terminal: auto does not colour; NO_COLOR does not matter then either.
    let (_, out, _) = text(&run(&["verify", &signed(), "--secret", &secret()]));
    assert!(!out.contains('\x1b'), "{out:?}");
    let (_, out, _) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--color",
        "never",
    ]));
    assert!(!out.contains('\x1b'), "{out:?}");
    let (_, out, _) = text(&run(&[
        "verify",
        &fixture("expired-certificate").display().to_string(),
        "--secret",
        &secret(),
        "--color=always",
    ]));
    assert!(out.contains(": \x1b[31mnot verified\x1b[0m: "), "{out:?}");
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let (code, out, _) = text(&run(&["--version"]));
    assert_eq!(code, 0);
    let want = format!("airgap-verify {}\n", airgap_verify::version());
    assert_eq!(out, want);
    assert!(
        out.starts_with(&format!(
            "airgap-verify {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    if let Some(h) = head.ok().filter(|h| h.status.success()) {
        let commit = String::from_utf8_lossy(&h.stdout).trim().to_string();
        assert!(
            out.contains(&format!("(commit {commit}, built ")),
            "{out} vs {commit}"
        );
    }
    let date = out.rsplit("built ").next().unwrap().trim_end_matches(")\n");
    assert!(
        time::Date::parse(
            date,
            &time::macros::format_description!("[year]-[month]-[day]")
        )
        .is_ok(),
        "{date}"
    );
}

#[test]
fn flux_refuses_the_flags_it_would_ignore() {
    let flux = fixture("flux/multi.yaml").display().to_string();
    let multi = fixture("multi").display().to_string();
    for extra in [
        &["--ref", "v1"][..],
        &["--scope", "registry.example/x"],
        &["--all"],
    ] {
        let mut args = vec!["verify", multi.as_str(), "--flux", flux.as_str()];
        args.extend_from_slice(extra);
        let (code, _, err) = text(&run(&args));
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(
            err.contains(&format!("{} cannot be used with --flux", extra[0])),
            "{err}"
        );
    }
    // One path per --flux: the bundle after it stays the bundle; CRLs stay legal.
    let (code, _, err) = text(&run(&["verify", "--flux", &flux, &multi]));
    assert_ne!(code, 2, "{err}");
}

#[test]
fn limits_refuse_zero_signatures_and_accept_units() {
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--max-signatures",
        "0",
    ]));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--max-json-blob",
        "8MiB",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--max-json-blob",
        "8 parsecs",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("8MiB"), "{err}");
}

#[test]
fn a_tag_missing_from_the_bundle_is_not_verified() {
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--ref",
        "v9",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no image \"v9\" in the bundle"), "{err}");
    let (code, out, err) = text(&run(&["inspect", &signed(), "--ref", "v9"]));
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
}

#[test]
fn inspect_ref_shows_one_image_in_human_units() {
    let multi = fixture("multi").display().to_string();
    let (code, all, _) = text(&run(&["inspect", &multi]));
    assert_eq!(code, 0);
    assert!(all.matches("\nImage ").count() > 1, "{all}");
    let (code, out, err) = text(&run(&["inspect", &multi, "-o", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let digest = v["images"][0]["digest"].as_str().unwrap().to_string();
    assert!(v["images"][0]["totalSize"].is_u64());
    let (code, one, _) = text(&run(&["inspect", &multi, "--ref", &digest]));
    assert_eq!(code, 0);
    assert_eq!(one.matches("\nImage ").count(), 1, "{one}");
    assert!(one.contains(&digest));
    assert!(
        one.contains(" B in total)") || one.contains("iB in total)"),
        "{one}"
    );
    assert!(
        one.contains("0 problems") && !one.contains(" bytes"),
        "{one}"
    );
}

#[test]
fn secret_and_trust_dir_suggest_each_other() {
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &fixture("trust").display().to_string(),
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("is a folder") && err.contains("--trust-dir"),
        "{err}"
    );
    let (code, _, err) = text(&run(&["verify", &signed(), "--trust-dir", &secret()]));
    assert_eq!(code, 2);
    assert!(err.contains("--secret"), "{err}");
}

#[test]
fn secret_from_standard_input() {
    let mut child = Command::new(airgap_verify_testkit::bin())
        .args([
            "verify",
            &signed(),
            "--secret",
            "-",
            "--scope",
            "registry.example/app",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(&std::fs::read(fixture("secret.yaml")).unwrap())
            .unwrap();
    }
    let (code, out, err) = text(&child.wait_with_output().unwrap());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified signature"), "{out}");
    let (code, _, err) = text(&run(&["verify", "-", "--secret", "-"]));
    assert_eq!(code, 2);
    assert!(err.contains("both read standard input"), "{err}");
}

#[test]
fn secret_keys_flux_ignores_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        fixture("trust/trustpolicy.json"),
        dir.join("trustpolicy.json"),
    )
    .unwrap();
    std::fs::copy(fixture("trust/root.crt"), dir.join("root.cer")).unwrap();
    std::fs::copy(fixture("trust/root.crt"), dir.join("ca.CRT")).unwrap();
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--trust-dir",
        &dir.display().to_string(),
    ]));
    assert_eq!(code, 2);
    // Flux's words, then the hint on its own line.
    let mut lines = err.lines();
    assert!(
        lines.next().unwrap().ends_with(&format!(
            "no certificates found in folder '{}'",
            dir.display()
        )),
        "{err}"
    );
    let hint = lines.next().unwrap();
    assert!(
        hint.starts_with("  hint: keys seen: 'ca.CRT', 'root.cer', 'trustpolicy.json'"),
        "{err}"
    );
    assert!(hint.contains(".crt or .pem"), "{err}");
}

#[test]
fn a_missing_policy_lists_the_keys_and_flags_a_near_miss() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, near) in [
        ("trustpolicy.jsn", true),
        ("trustpolicy.oci.json", true),
        ("policy.yaml", false),
    ] {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::copy(fixture("trust/trustpolicy.json"), dir.join(name)).unwrap();
        std::fs::copy(fixture("trust/root.crt"), dir.join("root.crt")).unwrap();
        let (code, _, err) = text(&run(&[
            "verify",
            &signed(),
            "--trust-dir",
            &dir.display().to_string(),
        ]));
        assert_eq!(code, 2);
        assert!(
            err.contains("'trustpolicy.json' not found in folder"),
            "{err}"
        );
        let hint = err
            .lines()
            .find(|l| l.starts_with("  hint: keys seen: "))
            .expect(&err);
        assert!(
            hint.contains(&format!("'{name}'")) && hint.contains("'root.crt'"),
            "{err}"
        );
        assert_eq!(err.contains("is close to trustpolicy.json"), near, "{err}");
    }
}

#[test]
fn a_notation_config_folder_points_at_notation_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::copy(
        fixture("trust/trustpolicy.json"),
        dir.join("trustpolicy.json"),
    )
    .unwrap();
    let store = dir.join("truststore/x509/ca/fixtures");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::copy(fixture("trust/root.crt"), store.join("root.crt")).unwrap();
    let (code, _, err) = text(&run(&[
        "verify",
        &signed(),
        "--trust-dir",
        &dir.display().to_string(),
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("looks like a notation configuration folder")
            && err.contains("--notation-config"),
        "{err}"
    );
}

#[test]
fn a_walked_flux_file_that_does_not_parse_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("flux/multi.yaml"), tmp.path().join("a.yaml")).unwrap();
    std::fs::write(
        tmp.path().join("b.yaml"),
        "kind: Secret\nmetadata: [unclosed\n",
    )
    .unwrap();
    let (code, _, err) = text(&run(&[
        "verify",
        &fixture("multi").display().to_string(),
        "--flux",
        &tmp.path().display().to_string(),
    ]));
    assert_eq!(code, 2, "{err}");
    let b = tmp.path().join("b.yaml").display().to_string();
    assert!(err.contains(&format!("{b}: not valid YAML/JSON")), "{err}");
    assert!(err.contains("line"), "{err}");
}

#[test]
fn all_ends_with_a_summary_line() {
    let multi = fixture("multi").display().to_string();
    let (_, out, err) = text(&run(&[
        "verify",
        &multi,
        "--all",
        "--secret",
        &secret(),
        "--scope",
        "registry.example/app",
    ]));
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.contains(" verified, ") && last.contains(" failed"),
        "{out}{err}"
    );
}

/// `--progress always` into a pipe: plain lines, each ending in a newline, no escape codes,
/// carriage returns or spinner glyphs, a last line with the totals.
#[test]
fn progress_always_writes_plain_lines_to_a_pipe() {
    let (code, _, err) = text(&run(&[
        "inspect",
        &fixture("signed.tar.gz").display().to_string(),
        "--progress",
        "always",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.ends_with('\n'), "{err:?}");
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(err.is_ascii(), "{err:?}");
    let last = err.lines().last().unwrap();
    assert!(last.starts_with("inflating and hashing: done, "), "{err:?}");
    assert!(last.contains(" blobs in "), "{err:?}");
    // Never: nothing.
    let (_, _, err) = text(&run(&["inspect", &signed(), "--progress", "never"]));
    assert_eq!(err, "");
}

/// A stream (a FIFO, `<(…)`, a pipe) has no known total: no percentage, no ETA.
#[test]
fn progress_of_a_stream_has_no_total() {
    let mut child = Command::new(airgap_verify_testkit::bin())
        .args(["inspect", "-", "--progress", "always"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(&std::fs::read(fixture("signed.tar")).unwrap())
            .unwrap();
    }
    let (code, _, err) = text(&child.wait_with_output().unwrap());
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains("ETA") && !err.contains('%') && !err.contains(" of "),
        "{err:?}"
    );
    assert!(err.contains("reading and hashing: done, "), "{err:?}");
}

#[test]
fn verify_attestation_shows_progress_of_its_bundle() {
    let (_, _, err) = text(&run(&[
        "verify-attestation",
        "--key",
        &fixture("attest/p256.pub").display().to_string(),
        "--bundle",
        &signed(),
        "--progress",
        "always",
    ]));
    assert!(
        err.contains("\nhashing: done, ") || err.starts_with("hashing: done, "),
        "{err}"
    );
}

#[test]
fn help_has_examples() {
    for sub in ["verify", "verify-attestation", "inspect"] {
        let (code, out, _) = text(&run(&[sub, "--help"]));
        assert_eq!(code, 0);
        assert!(out.contains("Examples:\n"), "{sub}: {out}");
        assert!(!out.to_lowercase().contains("see readme"), "{sub}: {out}");
    }
}

#[test]
fn text_names_each_thing_once_and_times_to_the_second() {
    let d = "sha256:7dedb8f0dfbd3495300c0e69c654ec595effb28bf9dfcf6c1713ea42cc6a3e4b";
    let r = format!("registry.example/app@{d}");
    let (code, out, err) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "--ref",
        &r,
    ]));
    assert_eq!(code, 0, "{err}");
    // A name@digest reference names its digest once.
    assert!(out.contains(&format!("revision {r}\n")), "{out}");
    assert!(!out.contains(&format!("{d}@{d}")), "{out}");
    // The reference names the digest: it is not repeated in parentheses.
    assert_eq!(out.matches(d).count(), 2, "{out}");
    // Times to the second in text; the JSON keeps the full precision.
    let time = out.lines().find(|l| l.starts_with("  time: ")).unwrap();
    assert!(time.ends_with("Z (now)") && !time.contains('.'), "{time}");
    let (_, json, _) = text(&run(&[
        "verify",
        &signed(),
        "--secret",
        &secret(),
        "-o",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["results"][0]["time"].as_str().unwrap().contains('.'),
        "{v:#}"
    );

    // With Flux manifests, one verdict line per OCIRepository: the condition; the image is
    // named beneath it.
    let (_, out, err) = text(&run(&[
        "verify",
        &fixture("multi").display().to_string(),
        "--flux",
        &fixture("flux/multi.yaml").display().to_string(),
    ]));
    let signed_lines = out
        .lines()
        .filter(|l| l.contains("verified signature of revision"))
        .count();
    assert_eq!(signed_lines, 1, "{out}{err}");
    assert!(out.contains("\n  image: sha256:"), "{out}");
    assert!(
        !out.contains("not verified: signature verification failed"),
        "{out}"
    );
}

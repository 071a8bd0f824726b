//! `--notation-config`: the notation CLI's semantics through the binary, compared with the real
//! notation CLI's verdicts of the conformance data (`notation_cli` in `flux-oracle.json` and
//! `notation-layouts.json`; null ones are not compared), and the layouts of `notation-cli.json`
//! judged `--at` in both modes (`--secret` with Flux's semantics, `--notation-config` with the
//! CLI's).
//!
//! The config folder of a case is built as the data's README says: the case's `trustpolicy.json`
//! as is, and for every `type:name` store a statement names, `truststore/x509/<type>/<name>/`
//! holding every `.crt`/`.pem` value of the Secret.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

use airgap_verify::limits::Limits;
use airgap_verify::trust::secret::secret_object_from_file;
use serde_json::Value;

/// A notation configuration folder in `dir` with `policy` and `certs` in every named store.
fn config_folder(dir: &Path, policy: &[u8], certs: &[(String, Vec<u8>)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("trustpolicy.json"), policy).unwrap();
    // A policy that does not parse names no stores: the CLI fails it before any is read.
    let parsed: Value = serde_json::from_slice(policy).unwrap_or(Value::Null);
    let statements = parsed["trustPolicies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for st in statements {
        for store in st["trustStores"].as_array().cloned().unwrap_or_default() {
            let Some((kind, name)) = store.as_str().and_then(|s| s.split_once(':')) else {
                continue;
            };
            if name.contains('/') || kind.contains('/') || name == ".." {
                continue;
            }
            let folder = dir.join("truststore/x509").join(kind).join(name);
            std::fs::create_dir_all(&folder).unwrap();
            for (file, bytes) in certs {
                std::fs::write(folder.join(file), bytes).unwrap();
            }
        }
    }
    dir.to_path_buf()
}

/// The policy and the `.crt` / `.pem` values of a case's Secret file.
fn secret_contents(secret: &Path) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let (object, _) = secret_object_from_file(secret, &Limits::default()).unwrap();
    let mut values = object
        .values_where(|k| k == "trustpolicy.json" || k.ends_with(".crt") || k.ends_with(".pem"))
        .unwrap();
    let policy = values.remove("trustpolicy.json").unwrap_or_default();
    (policy, values.into_iter().collect())
}

/// The notation CLI's words for our result: `verified`, `skipped` or `failed` (exit 1 or 2: a
/// configuration the CLI refuses fails the command too); with the exit code and the report.
fn run(args: &[&std::ffi::OsStr]) -> (String, i32, Value) {
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let r = &json["results"][0];
    let cli = match (code, r["verdict"].as_str(), r["ignoredReason"].as_str()) {
        (0, Some("verified"), _) => "verified",
        (0, Some("ignored"), Some("skip")) => "skipped",
        // An audit-level logged authenticity failure: the CLI says verified.
        (0, Some("ignored"), Some("authenticity-logged")) => "verified",
        (1 | 2, _, _) => "failed",
        _ => "unexpected",
    };
    (cli.to_string(), code, json)
}

fn verify_config(
    layout: &Path,
    config: &Path,
    reference: &str,
    scope: &str,
) -> (String, i32, Value) {
    run(&[
        layout.as_os_str(),
        "--notation-config".as_ref(),
        config.as_os_str(),
        "--ref".as_ref(),
        reference.as_ref(),
        "--scope".as_ref(),
        scope.as_ref(),
    ])
}

#[test]
fn oracle_and_layout_cases_match_the_notation_cli() {
    let Some(conf) = airgap_verify_testkit::conformance() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let mut wrong = Vec::new();
    let oracle: Value =
        serde_json::from_slice(&std::fs::read(conf.join("flux-oracle.json")).unwrap()).unwrap();
    for case in oracle["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        let Some(want) = case["notation_cli"].as_str() else {
            continue;
        };
        let dir = conf.join(s("dir"));
        let (policy, certs) = secret_contents(&dir.join("secret.yaml"));
        let config = config_folder(&t.path().join(s("id")), &policy, &certs);
        let (got, code, json) = verify_config(&dir.join("layout"), &config, &s("ref"), &s("scope"));
        compared += 1;
        if got != want {
            wrong.push(format!(
                "{}: notation CLI {want}, ours {got} (exit {code}): {json}",
                s("id")
            ));
        } else if code != 2 {
            assert_eq!(json["results"][0]["semantics"], "notation-cli", "{json:#}");
        }
    }
    let layouts: Value =
        serde_json::from_slice(&std::fs::read(conf.join("notation-layouts.json")).unwrap())
            .unwrap();
    for case in layouts["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        let Some(want) = case["notation_cli"].as_str() else {
            continue;
        };
        let policy = std::fs::read(conf.join(s("trustpolicy"))).unwrap();
        let certs: Vec<(String, Vec<u8>)> = case["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let path = c.as_str().unwrap();
                let name = Path::new(path).file_name().unwrap().to_string_lossy();
                (name.into_owned(), std::fs::read(conf.join(path)).unwrap())
            })
            .collect();
        let config = config_folder(&t.path().join(s("id")), &policy, &certs);
        let (got, code, json) =
            verify_config(&conf.join(s("layout")), &config, &s("ref"), &s("scope"));
        compared += 1;
        if got != want {
            wrong.push(format!(
                "{}: notation CLI {want}, ours {got} (exit {code}): {json}",
                s("id")
            ));
        }
    }
    assert!(
        compared >= 30,
        "only {compared} cases have a notation CLI verdict"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Cases where the data names another failing validation than notation-go reaches, the one we
/// give, and why. The verdict still matches.
const FAILING_VALIDATION_DIFFERS: &[(&str, &str, &str)] = &[(
    "cose-expiry-metadata@2026-12-03T00:00:00Z",
    "expiry",
    "past both the signature's expiry and its certificate's end: notation-go's processSignature checks expiry before authenticTimestamp, so expiry fails first under strict",
)];

#[test]
fn notation_cli_layouts_pass_in_both_modes() {
    let Some(conf) = airgap_verify_testkit::conformance() else {
        return;
    };
    let data: Value =
        serde_json::from_slice(&std::fs::read(conf.join("notation-cli.json")).unwrap()).unwrap();
    let secret = conf.join(data["secret"].as_str().unwrap());
    let (policy, certs) = secret_contents(&secret);
    let t = tempfile::tempdir().unwrap();
    let config = config_folder(&t.path().join("config"), &policy, &certs);
    let mut wrong = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        let layout = conf.join(s("dir")).join("layout");
        let common: Vec<&std::ffi::OsStr> = vec![
            layout.as_os_str(),
            "--ref".as_ref(),
            case["ref"].as_str().unwrap().as_ref(),
            "--scope".as_ref(),
            case["scope"].as_str().unwrap().as_ref(),
            "--at".as_ref(),
            case["at"].as_str().unwrap().as_ref(),
        ];
        for (mode, trust) in [
            ("--secret", secret.as_os_str()),
            ("--notation-config", config.as_os_str()),
        ] {
            let mut args = common.clone();
            args.extend([mode.as_ref(), trust]);
            let (got, code, json) = run(&args);
            let r = &json["results"][0];
            let failing = r["signatures"][0]["checks"].as_object().and_then(|c| {
                c.iter()
                    .find(|(_, v)| *v == "failed")
                    .map(|(k, _)| k.clone())
            });
            let want_failing = match FAILING_VALIDATION_DIFFERS
                .iter()
                .find(|(id, ..)| *id == s("id"))
            {
                Some((_, ours, _)) => Some(ours.to_string()),
                None => case["failing_validation"].as_str().map(str::to_string),
            };
            if got != s("expect") || (code == 1 && failing != want_failing) {
                wrong.push(format!(
                    "{} {mode}: expected {} ({want_failing:?}), ours {got} (exit {code}, {failing:?})",
                    s("id"),
                    s("expect")
                ));
            }
            let semantics = if mode == "--secret" {
                "flux"
            } else {
                "notation-cli"
            };
            assert_eq!(r["semantics"], semantics, "{json:#}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn notation_config_tries_up_to_100_signatures_unless_told() {
    // The limit is the mode's default: the help says 3 for Flux and 100 for the notation CLI.
    let out = Command::new(airgap_verify_testkit::bin())
        .args(["verify", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--notation-config"), "{help}");
    assert!(help.contains("100 with"), "{help}");
    // A folder that is not a notation configuration is a usage error naming it.
    let t = tempfile::tempdir().unwrap();
    let (got, code, json) = verify_config(
        &airgap_verify_testkit::fixtures_dir().join("signed"),
        t.path(),
        "v1",
        "registry.example/app",
    );
    assert_eq!((got.as_str(), code), ("failed", 2), "{json:#}");
    assert!(
        json["error"]
            .as_str()
            .unwrap_or_default()
            .contains("trustpolicy"),
        "{json:#}"
    );
    // --notation-config is one trust material among the others.
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .arg(airgap_verify_testkit::fixtures_dir().join("signed"))
        .arg("--notation-config")
        .arg(t.path())
        .arg("--secret")
        .arg(airgap_verify_testkit::fixtures_dir().join("secret.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

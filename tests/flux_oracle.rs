//! Every case of `../shared/conformance/flux-oracle.json` through the binary with `--secret`,
//! compared with Flux's measured verdict and message (see the data's README), and every case of
//! `notation-layouts.json` with a Secret made of its policy and certificates, compared with its
//! `flux` verdict.
//!
//! A few cases still differ for reasons outside the Secret reading; they are listed in
//! [`PENDING`] with the reason, and the test checks that each of them STILL differs, so the
//! table must shrink when one is fixed. Every other case must match.
#![cfg(test)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Cases whose verdict or message does not match Flux yet, and why.
const PENDING: &[(&str, &str)] = &[];

/// `notation-layouts.json` cases whose Flux verdict we do not give yet.
const PENDING_LAYOUTS: &[(&str, &str)] = &[];

/// Deliberate deviations (README, "Deviations from Flux"): the case and the exit code we give.
const DELIBERATE: &[(&str, i32, &str)] = &[(
    "p36-missing-envelope-blob-first-then-valid",
    3,
    "a blob the bundle lacks makes it a damaged bundle, whatever a registry would answer",
)];

/// What Flux prefixes to notation's error in the `SourceVerified=False` message.
const FLUX_PREFIX: &str = "failed to verify the signature using provider 'notation': ";

/// The stages where Flux fails before any signature is looked at: our exit 2 is as good.
const CONFIG_STAGES: &[&str] = &["secret", "trustpolicy", "verifier.New"];

struct Ours {
    code: i32,
    verdict: String,
    message: String,
}

fn run_case(dir: &Path, case: &Value) -> Ours {
    let s = |k: &str| case[k].as_str().unwrap_or_default().to_string();
    let case_dir = dir.join(s("dir"));
    run(
        &case_dir.join("layout"),
        &case_dir.join("secret.yaml"),
        &s("ref"),
        &s("scope"),
    )
}

fn run(layout: &Path, secret: &Path, reference: &str, scope: &str) -> Ours {
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .arg(layout)
        .arg("--secret")
        .arg(secret)
        .args(["--ref", reference, "--scope", scope, "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    let json: Option<Value> = serde_json::from_str(&stdout).ok();
    let result = json.as_ref().and_then(|v| v["results"].get(0)).cloned();
    match (code, result) {
        (0 | 1 | 4, Some(r)) => {
            let verdict = r["verdict"].as_str().unwrap_or_default().to_string();
            let message = if verdict == "verified" {
                format!(
                    "verified signature of revision {}@{}",
                    r["reference"].as_str().unwrap_or_default(),
                    r["digest"].as_str().unwrap_or_default()
                )
            } else {
                r["message"].as_str().unwrap_or_default().to_string()
            };
            Ours {
                code,
                verdict,
                message,
            }
        }
        (2, _) => Ours {
            code,
            verdict: "config-error".into(),
            message: stderr,
        },
        (code, _) => Ours {
            code,
            verdict: format!("exit {code}"),
            message: format!("{stdout}{stderr}"),
        },
    }
}

/// Where Flux's message holds text of Go's own parsers (`asn1: ...` of encoding/asn1,
/// `invalid character ...` of encoding/json), only notation-go's part before it is compared.
fn comparable(flux: &str) -> &str {
    let cut = ["asn1: ", "invalid character "]
        .iter()
        .filter_map(|m| flux.find(m))
        .min();
    match cut {
        Some(i) => &flux[..i],
        None => flux,
    }
}

/// Whether our result is Flux's: the verdict, and the message (for a failure, notation's error
/// after Flux's prefix; for a configuration error, Flux's message somewhere in ours).
fn matches(case: &Value, ours: &Ours) -> Result<(), String> {
    let flux = case["flux"].as_str().unwrap_or_default();
    let stage = case["flux_stage"].as_str().unwrap_or_default();
    let flux_message = case["flux_message"].as_str().unwrap_or_default();
    let notation_message = flux_message
        .strip_prefix(FLUX_PREFIX)
        .unwrap_or(flux_message);
    let ok = match (flux, ours.verdict.as_str()) {
        ("verified", "verified") => ours.message == flux_message,
        ("failed", "failed") => ours.message.starts_with(comparable(notation_message)),
        ("failed", "config-error") => {
            (CONFIG_STAGES.contains(&stage)
                || notation_message.contains("no applicable trust policy"))
                && ours.message.contains(comparable(notation_message))
        }
        ("ignored", "ignored") => ours.code == 4,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Flux: {flux} ({stage}): {notation_message}\nours: {}: {}",
            ours.verdict, ours.message
        ))
    }
}

#[test]
fn every_oracle_case_matches_flux_or_is_pending() {
    let Some(conf) = airgap_verify_testkit::conformance() else {
        return;
    };
    let data: Value =
        serde_json::from_slice(&std::fs::read(conf.join("flux-oracle.json")).unwrap()).unwrap();
    let cases = data["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 47);
    let mut wrong = Vec::new();
    let mut fixed = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let ours = run_case(&conf, case);
        if let Some((_, code, why)) = DELIBERATE.iter().find(|(d, _, _)| *d == id) {
            assert_eq!(ours.code, *code, "{id}: {why}: {}", ours.message);
            continue;
        }
        let result = matches(case, &ours);
        match (PENDING.iter().any(|(p, _)| *p == id), result) {
            (false, Err(e)) => wrong.push(format!("{id}:\n{e}")),
            (true, Ok(())) => fixed.push(id.to_string()),
            _ => {}
        }
    }
    for (p, _) in PENDING {
        assert!(
            cases.iter().any(|c| c["id"] == *p),
            "pending case {p} is not in the data"
        );
    }
    assert!(
        fixed.is_empty(),
        "now matching Flux, remove from PENDING: {fixed:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} cases differ from Flux:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

/// A Secret holding `trustpolicy.json` and the given files (`.cer` renamed `.crt`, as the data's
/// Flux oracle did).
fn secret_yaml(policy: &[u8], certs: &[(String, Vec<u8>)]) -> String {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut out = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: notation\n  namespace: flux-system\ndata:\n  trustpolicy.json: {}\n",
        b64(policy)
    );
    for (name, bytes) in certs {
        out.push_str(&format!("  {name}: {}\n", b64(bytes)));
    }
    out
}

#[test]
fn every_layout_case_matches_flux_or_is_pending() {
    let Some(conf) = airgap_verify_testkit::conformance() else {
        return;
    };
    let data: Value =
        serde_json::from_slice(&std::fs::read(conf.join("notation-layouts.json")).unwrap())
            .unwrap();
    let t = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    let mut fixed = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        let id = s("id");
        let certs: Vec<(String, Vec<u8>)> = case["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let path = c.as_str().unwrap();
                let name = Path::new(path).file_name().unwrap().to_string_lossy();
                let name = match name.strip_suffix(".cer") {
                    Some(stem) => format!("{stem}.crt"),
                    None => name.into_owned(),
                };
                (name, std::fs::read(conf.join(path)).unwrap())
            })
            .collect();
        let policy = std::fs::read(conf.join(s("trustpolicy"))).unwrap();
        let secret = t.path().join(format!("{id}.yaml"));
        std::fs::write(&secret, secret_yaml(&policy, &certs)).unwrap();
        let ours = run(&conf.join(s("layout")), &secret, &s("ref"), &s("scope"));
        let same = ours.verdict == s("flux");
        match (PENDING_LAYOUTS.iter().any(|(p, _)| *p == id), same) {
            (false, false) => wrong.push(format!(
                "{id}: Flux {}, ours {}: {}",
                s("flux"),
                ours.verdict,
                ours.message
            )),
            (true, true) => fixed.push(id),
            _ => {}
        }
    }
    assert!(
        fixed.is_empty(),
        "now matching Flux, remove from PENDING_LAYOUTS: {fixed:?}"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_comparison_can_fail() {
    let case: Value = serde_json::json!({
        "flux": "failed", "flux_stage": "notation.Verify",
        "flux_message": format!("{FLUX_PREFIX}signature verification failed\nx509: malformed certificate"),
    });
    let ours = |verdict: &str, message: &str| Ours {
        code: 1,
        verdict: verdict.into(),
        message: message.into(),
    };
    assert!(matches(
        &case,
        &ours(
            "failed",
            "signature verification failed\nx509: malformed certificate"
        )
    )
    .is_ok());
    assert!(matches(
        &case,
        &ours("failed", "signature verification failed\nx509: other")
    )
    .is_err());
    assert!(matches(&case, &ours("verified", "")).is_err());
    // A configuration error stands for Flux's failure only before notation.Verify.
    assert!(matches(
        &case,
        &ours(
            "config-error",
            "signature verification failed\nx509: malformed certificate"
        )
    )
    .is_err());
}

/// `flux-oracle.json` cases whose `--flux` condition does not match Flux's yet, and why.
const PENDING_FLUX: &[(&str, &str)] = &[];

/// `metadata.name` and `metadata.namespace` of the oracle's Secret files (two-space indented
/// under `metadata:`, as every one of them is written).
fn secret_name(yaml: &str) -> (String, String) {
    let mut in_meta = false;
    let (mut name, mut ns) = (String::new(), String::new());
    for line in yaml.lines() {
        if line == "metadata:" {
            in_meta = true;
        } else if in_meta && !line.starts_with("  ") {
            in_meta = false;
        } else if in_meta {
            if let Some(v) = line.strip_prefix("  name: ") {
                name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("  namespace: ") {
                ns = v.trim().to_string();
            }
        }
    }
    (name, ns)
}

/// The digest `index.json` of a layout tags `reference` with.
fn tagged_digest(layout: &Path, reference: &str) -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == reference)
        .and_then(|m| m["digest"].as_str())
        .unwrap()
        .to_string()
}

/// Every oracle case with `--flux`: an OCIRepository in the Secret's namespace, `url:
/// oci://SCOPE`, `ref.digest` of the image; its `SourceVerified` condition must be Flux's.
#[test]
fn every_oracle_case_gives_fluxs_condition_with_flux_manifests() {
    let Some(conf) = airgap_verify_testkit::conformance() else {
        return;
    };
    let data: Value =
        serde_json::from_slice(&std::fs::read(conf.join("flux-oracle.json")).unwrap()).unwrap();
    let t = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    let mut fixed = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        let id = s("id");
        let dir = conf.join(s("dir"));
        let layout = dir.join("layout");
        let secret = std::fs::read_to_string(dir.join("secret.yaml")).unwrap();
        let (name, ns) = secret_name(&secret);
        let digest = tagged_digest(&layout, &s("ref"));
        let manifests = t.path().join(&id);
        std::fs::create_dir_all(&manifests).unwrap();
        std::fs::write(manifests.join("secret.yaml"), &secret).unwrap();
        std::fs::write(
            manifests.join("ocirepository.yaml"),
            format!(
                "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: {ns}\nspec:\n  interval: 5m\n  url: oci://{}\n  ref:\n    digest: {digest}\n  verify:\n    provider: notation\n    secretRef:\n      name: {name}\n",
                s("scope")
            ),
        )
        .unwrap();
        let out = Command::new(airgap_verify_testkit::bin())
            .arg("verify")
            .arg(&layout)
            .arg("--flux")
            .arg(&manifests)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        if let Some((_, want, why)) = DELIBERATE.iter().find(|(d, _, _)| *d == id) {
            assert_eq!(code, *want, "{id}: {why}");
            continue;
        }
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let cond = &v["results"][0]["flux"];
        let (status, reason, message) = (
            cond["status"].as_str().unwrap_or_default(),
            cond["reason"].as_str().unwrap_or_default(),
            cond["message"].as_str().unwrap_or_default(),
        );
        let flux_message = s("flux_message");
        let ok = match s("flux").as_str() {
            // By digest, Flux's revision is the digest alone.
            "verified" => {
                code == 0
                    && status == "True"
                    && message == format!("verified signature of revision {digest}")
            }
            "failed" => {
                status == "False"
                    && reason == "VerificationError"
                    && (code == 1 || code == 2)
                    && if CONFIG_STAGES.contains(&s("flux_stage").as_str()) {
                        message.contains(comparable(
                            flux_message
                                .strip_prefix(FLUX_PREFIX)
                                .unwrap_or(&flux_message),
                        ))
                    } else {
                        message.starts_with(comparable(&flux_message))
                    }
            }
            "ignored" => code == 4 && status == "None",
            _ => false,
        };
        match (PENDING_FLUX.iter().any(|(p, _)| *p == id), ok) {
            (false, false) => wrong.push(format!(
                "{id}: Flux {} {flux_message}\nours: exit {code} {status} {reason}: {message}\n{}",
                s("flux"),
                String::from_utf8_lossy(&out.stderr)
            )),
            (true, true) => fixed.push(id),
            _ => {}
        }
    }
    assert!(
        fixed.is_empty(),
        "now matching Flux, remove from PENDING_FLUX: {fixed:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} cases differ from Flux:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

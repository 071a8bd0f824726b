//! The bundle must not choose its own policy: the scope an image is judged by comes from the
//! user (`--scope`, `--scope REF=...`, Flux's `spec.url`), or, without any, only a policy whose
//! one statement is `*` applies. `--scope-from-bundle` lets a trusted pipeline's annotation name
//! it, and the report and the attestation say so; `verify-attestation` refuses such an
//! attestation unless the importer names the scope.
#![cfg(test)]

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use airgap_verify_testkit::harness::{
    cert_files, level, policy_of, run_verify, signed_at, statement, Run,
};
use airgap_verify_testkit::layout::{Envelope, ImageSpec, Layout};
use airgap_verify_testkit::pki::Pki;
use airgap_verify_testkit::sign::SignOptions;
use serde_json::{json, Value};

const GOOD: &str = "registry.example/app";
const AUDITED: &str = "evil.example/app";

/// An image signed by the attacker's own CA, annotated with the scope of the `audit` statement.
struct Attack {
    tmp: tempfile::TempDir,
    layout: std::path::PathBuf,
    trust: std::path::PathBuf,
}

fn attack() -> Attack {
    let tmp = tempfile::tempdir().unwrap();
    let ours = Pki::new("Ours");
    let theirs = Pki::new("Attacker");
    let mut layout = Layout::create(&tmp.path().join("layout"));
    let image = layout.add_image(
        &ImageSpec::new("app")
            .tag("v1")
            .full_name(&format!("{AUDITED}:v1")),
    );
    layout.sign(
        &image,
        Envelope::Jws,
        &SignOptions::new(signed_at()),
        &theirs.chain(),
        &theirs.leaf,
    );
    let layout = layout.finish();
    let policy = policy_of(vec![
        statement("prod", &[GOOD], json!({"level": "strict"}), &["ca:x"]),
        statement("legacy", &[AUDITED], json!({"level": "audit"}), &["ca:x"]),
    ]);
    let trust = tmp.path().join("trust");
    write_trust(&trust, &policy, &cert_files(&[&ours.root.cert]));
    Attack { tmp, layout, trust }
}

fn write_trust(dir: &Path, policy: &Value, files: &[(&str, Vec<u8>)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("trustpolicy.json"), policy.to_string()).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn verify(layout: &Path, trust: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<OsString> = vec!["--trust-dir".into(), trust.into()];
    args.extend(extra.iter().map(OsString::from));
    run_verify(layout, &args)
}

#[test]
fn without_a_scope_the_bundle_annotation_does_not_choose_the_statement() {
    let a = attack();
    let run = verify(&a.layout, &a.trust, &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    for text in [
        GOOD,
        AUDITED,
        "--scope REGISTRY/REPO",
        "--scope REF=REGISTRY/REPO",
    ] {
        assert!(run.stderr.contains(text), "{text:?} not in {run:#?}");
    }
    // The JSON document of the failure.
    assert_eq!(run.json["exitCode"], 2, "{run:#?}");
    assert!(run.json["error"].as_str().unwrap().contains(AUDITED));
    // The user's scope: the attacker's CA is not trusted there.
    verify(&a.layout, &a.trust, &["--scope", GOOD]).expect(1, "failed");
    verify(&a.layout, &a.trust, &["--scope", &format!("v1={GOOD}")]).expect(1, "failed");
}

#[test]
fn scope_from_bundle_is_an_opt_in_recorded_in_the_report() {
    let a = attack();
    // The audited statement logs the attacker's untrusted signer: Flux's "ignored".
    let run = verify(&a.layout, &a.trust, &["--scope-from-bundle"]);
    run.expect(4, "ignored");
    assert_eq!(run.result()["scope"], AUDITED);
    assert_eq!(run.result()["scopeSource"], "bundle");
    let user = verify(&a.layout, &a.trust, &["--scope", AUDITED]);
    user.expect(4, "ignored");
    assert_eq!(user.result()["scopeSource"], "user");
    // As text, the bundle-chosen scope is said.
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .arg(&a.layout)
        .arg("--trust-dir")
        .arg(&a.trust)
        .arg("--scope-from-bundle")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "scope: {AUDITED} (the bundle's own name annotation"
        )),
        "{text}"
    );
}

#[test]
fn a_policy_of_one_global_statement_needs_no_scope() {
    let a = attack();
    let pki = Pki::new("Attacker");
    let trust = a.tmp.path().join("global");
    write_trust(&trust, &level("audit"), &cert_files(&[&pki.root.cert]));
    let run = verify(&a.layout, &trust, &[]);
    run.expect(4, "ignored");
    assert_eq!(run.result()["scope"], "*");
    assert_eq!(run.result()["scopeSource"], "policy");
    // A `*` statement beside others is not enough.
    let both = a.tmp.path().join("both");
    let policy = policy_of(vec![
        statement("prod", &[GOOD], json!({"level": "strict"}), &["ca:x"]),
        statement("rest", &["*"], json!({"level": "audit"}), &["ca:x"]),
    ]);
    write_trust(&both, &policy, &cert_files(&[&pki.root.cert]));
    let run = verify(&a.layout, &both, &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("\"*\""), "{run:#?}");
}

#[test]
fn per_image_scopes_under_all() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = Pki::new("Ours");
    let mut layout = Layout::create(&tmp.path().join("layout"));
    for name in ["app", "worker"] {
        let image = layout.add_image(&ImageSpec::new(name).tag(name));
        layout.sign(
            &image,
            Envelope::Jws,
            &SignOptions::new(signed_at()),
            &pki.chain(),
            &pki.leaf,
        );
    }
    let layout = layout.finish();
    let policy = policy_of(vec![
        statement("app", &[GOOD], json!({"level": "strict"}), &["ca:x"]),
        statement(
            "worker",
            &["registry.example/worker"],
            json!({"level": "strict"}),
            &["ca:x"],
        ),
    ]);
    let trust = tmp.path().join("trust");
    write_trust(&trust, &policy, &cert_files(&[&pki.root.cert]));
    let app = format!("app={GOOD}");
    let run = verify(
        &layout,
        &trust,
        &[
            "--all",
            "--scope",
            &app,
            "--scope",
            "worker=registry.example/worker",
        ],
    );
    assert_eq!(run.code, 0, "{run:#?}");
    let scopes: Vec<&str> = run.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["policy"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["app", "worker"]);
    // One image without a scope: the run asks for it.
    let run = verify(&layout, &trust, &["--all", "--scope", &app]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("worker"), "{run:#?}");
    // A REF the bundle does not hold is a typo, not a no-op.
    let run = verify(
        &layout,
        &trust,
        &["--all", "--scope", &app, "--scope", "wroker=x.example/w"],
    );
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("wroker"), "{run:#?}");
    // Two plain scopes are ambiguous.
    let run = verify(
        &layout,
        &trust,
        &["--all", "--scope", GOOD, "--scope", GOOD],
    );
    assert_eq!(run.code, 2, "{run:#?}");
}

fn verify_attestation(file: &Path, digest: &str) -> std::process::Output {
    Command::new(airgap_verify_testkit::bin())
        .arg("verify-attestation")
        .arg(file)
        .arg("--key")
        .arg(airgap_verify_testkit::fixtures_dir().join("attest/p256.pub"))
        .args(["--digest", digest])
        .output()
        .unwrap()
}

#[test]
fn an_attestation_of_a_bundle_chosen_scope_is_refused_on_import() {
    let a = attack();
    let key = airgap_verify_testkit::fixtures_dir().join("attest/p256.key");
    for (flags, source) in [
        (vec!["--scope-from-bundle"], Some("bundle")),
        (vec!["--scope", AUDITED], None),
    ] {
        let out = a.tmp.path().join("a.dsse.json");
        let mut extra = flags.clone();
        extra.extend(["--attest-key", key.to_str().unwrap()]);
        extra.extend(["--attestation", out.to_str().unwrap(), "--attest-failures"]);
        let run = verify(&a.layout, &a.trust, &extra);
        run.expect(4, "ignored");
        let envelope: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(envelope["payload"].as_str().unwrap())
            .unwrap();
        let statement: Value = serde_json::from_slice(&payload).unwrap();
        let ext =
            &statement["predicate"]["https://github.com/airgap-verify/airgap-verify/notation/v1"];
        assert_eq!(ext["scopeSource"].as_str(), source, "{ext:#}");
        let digest = run.result()["digest"].as_str().unwrap().to_string();
        let checked = verify_attestation(&out, &digest);
        let stderr = String::from_utf8_lossy(&checked.stderr);
        match source {
            Some(_) => {
                assert_eq!(checked.status.code(), Some(1), "{stderr}");
                assert!(stderr.contains("--scope-from-bundle"), "{stderr}");
            }
            // The user's own scope: refused only because an ignored image is never PASSED.
            None => {
                assert_eq!(checked.status.code(), Some(1), "{stderr}");
                assert!(!stderr.contains("--scope-from-bundle"), "{stderr}");
            }
        }
    }
}

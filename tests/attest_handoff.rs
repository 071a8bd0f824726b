//! The attestation handoff through the binary: what `verify` writes (and removes), and what
//! `verify-attestation` refuses: older PASSED under a newer FAILED, stale files, another scope,
//! other trust material, a lower level, ignored images, bad flags found before the work, folders
//! of sign-offs, and the cosign-style `.att` tag read as cosign reads it.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Out {
    let o = Command::new(airgap_verify_testkit::bin())
        .args(args)
        .output()
        .unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A trust folder like fixtures/trust with the policy's level replaced.
fn trust_with_level(dir: &Path, level: &str) -> PathBuf {
    let t = dir.join(format!("trust-{level}"));
    airgap_verify_testkit::copy_dir(&fixture("trust"), &t);
    let policy = std::fs::read_to_string(t.join("trustpolicy.json")).unwrap();
    std::fs::write(
        t.join("trustpolicy.json"),
        policy.replace("\"strict\"", &format!("\"{level}\"")),
    )
    .unwrap();
    t
}

fn envelope_statement(path: &Path) -> serde_json::Value {
    let env: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// `--trust-dir DIR --scope registry.example/app`: the scope the fixtures' policy names.
fn scoped_trust_dir(dir: &Path) -> Vec<String> {
    vec![
        "--trust-dir".into(),
        s(dir),
        "--scope".into(),
        "registry.example/app".into(),
    ]
}

const EXT: &str = "https://github.com/airgap-verify/airgap-verify/notation/v1";

fn verify_attest(bundle: &Path, trust: &[&str], out: &Path, extra: &[&str]) -> Out {
    let mut args: Vec<String> = vec!["verify".into(), s(bundle)];
    args.extend(trust.iter().map(|a| a.to_string()));
    args.extend([
        "--attest-key".into(),
        s(&fixture("attest/p256.key")),
        "--attestation".into(),
        s(out),
    ]);
    args.extend(extra.iter().map(|a| a.to_string()));
    run(&args)
}

fn check(att: Option<&Path>, extra: &[&str]) -> Out {
    let mut args: Vec<String> = vec!["verify-attestation".into()];
    if let Some(a) = att {
        args.push(s(a));
    }
    args.extend(["--key".into(), s(&fixture("attest/p256.pub"))]);
    args.extend(extra.iter().map(|a| a.to_string()));
    run(&args)
}

#[test]
fn the_newest_attached_attestation_decides() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    airgap_verify_testkit::copy_dir(&fixture("signed"), &bundle);
    let trust = scoped_trust_dir(&fixture("trust"));
    let trust: Vec<&str> = trust.iter().map(String::as_str).collect();
    let o = verify_attest(&bundle, &trust, &tmp.path().join("a.json"), &["--attach"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let o = check(None, &["--bundle", &s(&bundle)]);
    assert_eq!(o.code, 0, "{}", o.all());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // The same layout judged as of 2020 (before the signature): FAILED, attached too.
    let o = verify_attest(
        &bundle,
        &trust,
        &tmp.path().join("b.json"),
        &[
            "--attach",
            "--attest-failures",
            "--at",
            "2020-06-01T00:00:00Z",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    let o = check(None, &["--bundle", &s(&bundle)]);
    assert_eq!(o.code, 1, "an older PASSED must not win: {}", o.all());
    assert!(o.stderr.contains("FAILED"), "{}", o.stderr);
    assert!(
        o.stderr.contains("also found"),
        "the others are listed: {}",
        o.stderr
    );
    let o = check(None, &["--bundle", &s(&bundle), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["others"].as_array().unwrap().len(), 1);
    assert_eq!(v["others"][0]["verificationResult"], "PASSED");

    // Tampered: a newer PASSED signed with another key is attached; it does not count.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut args: Vec<String> = vec!["verify".into(), s(&bundle)];
    args.extend(trust.iter().map(|a| a.to_string()));
    args.extend([
        "--attest-key".into(),
        s(&fixture("attest/ed25519.key")),
        "--attestation".into(),
        s(&tmp.path().join("c.json")),
        "--attach".into(),
    ]);
    assert_eq!(run(&args).code, 0);
    let o = check(None, &["--bundle", &s(&bundle)]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("FAILED"), "{}", o.stderr);
    assert!(o.stderr.contains("no signature"), "{}", o.stderr);
}

#[test]
fn a_failed_run_leaves_no_stale_passed_file() {
    let tmp = tempfile::tempdir().unwrap();
    let att = tmp.path().join("s.json");
    let trust = scoped_trust_dir(&fixture("trust"));
    let trust: Vec<&str> = trust.iter().map(String::as_str).collect();
    let o = verify_attest(&fixture("signed"), &trust, &att, &[]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(o.stderr.contains("wrote PASSED"), "{}", o.stderr);
    assert!(att.is_file());
    let o = verify_attest(
        &fixture("signed"),
        &trust,
        &att,
        &["--at", "2020-06-01T00:00:00Z"],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(!att.exists(), "the older PASSED file must be gone");
    assert!(o.stderr.contains("none written"), "{}", o.stderr);
    assert!(o.stderr.contains("removed the older"), "{}", o.stderr);
    let o = check(
        Some(&att),
        &["--bundle", &s(&fixture("signed")), "--max-age", "1d"],
    );
    assert_eq!(o.code, 2, "{}", o.all());
    // With --attest-failures the same path holds the FAILED one, which is refused.
    let o = verify_attest(
        &fixture("signed"),
        &trust,
        &att,
        &["--at", "2020-06-01T00:00:00Z", "--attest-failures"],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("wrote FAILED"), "{}", o.stderr);
    let o = check(
        Some(&att),
        &["--bundle", &s(&fixture("signed")), "--max-age", "1d"],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("FAILED"), "{}", o.stderr);
}

#[test]
fn scope_trust_material_and_level_are_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let att = tmp.path().join("a.json");
    let secret = s(&fixture("secret.yaml"));
    let o = verify_attest(
        &fixture("signed"),
        &["--secret", &secret, "--scope", "registry.example/app"],
        &att,
        &[],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    let bundle = s(&fixture("signed"));
    // Without --scope the output says which scope it is for.
    let o = check(Some(&att), &["--bundle", &bundle]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(
        o.stdout.contains("registry.example/app (not checked"),
        "{}",
        o.stdout
    );
    let o = check(
        Some(&att),
        &[
            "--bundle",
            &bundle,
            "--scope",
            "registry.example/app",
            "--secret",
            &secret,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    // Another scope.
    let o = check(
        Some(&att),
        &["--bundle", &bundle, "--scope", "registry.example/other"],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(
        o.stderr
            .contains("not for the scope required, registry.example/other"),
        "{}",
        o.stderr
    );
    // Another policy: the same Secret's files with a reformatted policy.
    let other = tmp.path().join("other-trust");
    airgap_verify_testkit::copy_dir(&fixture("trust"), &other);
    let p = std::fs::read_to_string(other.join("trustpolicy.json")).unwrap();
    std::fs::write(other.join("trustpolicy.json"), format!("{p}\n")).unwrap();
    let o = check(
        Some(&att),
        &["--bundle", &bundle, "--trust-dir", &s(&other)],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("trust material"), "{}", o.stderr);
    // --policy-digest: the attestation's own, and another.
    let st = envelope_statement(&att);
    let digest = format!(
        "sha256:{}",
        st["predicate"]["policy"]["digest"]["sha256"]
            .as_str()
            .unwrap()
    );
    assert_eq!(
        check(
            Some(&att),
            &["--bundle", &bundle, "--policy-digest", &digest]
        )
        .code,
        0
    );
    let wrong = format!("sha256:{}", "0".repeat(64));
    let o = check(
        Some(&att),
        &["--bundle", &bundle, "--policy-digest", &wrong],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("trust material"), "{}", o.stderr);

    // An audit-level PASSED is refused unless asked for.
    let audit = trust_with_level(tmp.path(), "audit");
    let att2 = tmp.path().join("audit.json");
    let o = verify_attest(
        &fixture("signed"),
        &["--trust-dir", &s(&audit), "--scope", "registry.example/app"],
        &att2,
        &[],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    assert_eq!(
        envelope_statement(&att2)["predicate"]["verifiedLevels"][0],
        "NOTATION_AUDIT"
    );
    let o = check(Some(&att2), &["--bundle", &bundle]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(
        o.stderr.contains("below the minimum level permissive"),
        "{}",
        o.stderr
    );
    // The flag is a hint on its own line, beside the library's words.
    assert!(
        o.stderr
            .contains("\n  hint: accept an audit-level attestation with --min-level audit"),
        "{}",
        o.stderr
    );
    assert_eq!(
        check(Some(&att2), &["--bundle", &bundle, "--min-level", "audit"]).code,
        0
    );
    let o = check(Some(&att), &["--bundle", &bundle, "--min-level", "strict"]);
    assert_eq!(o.code, 0, "{}", o.all());
}

#[test]
fn ignored_images_are_attested_failed_with_the_exact_result() {
    let tmp = tempfile::tempdir().unwrap();
    let skip = trust_with_level(tmp.path(), "skip");
    let att = tmp.path().join("a.json");
    let trust = scoped_trust_dir(&skip);
    let trust: Vec<&str> = trust.iter().map(String::as_str).collect();
    let o = verify_attest(&fixture("signed"), &trust, &att, &[]);
    assert!(!att.exists(), "{}", o.all());
    assert!(o.stderr.contains("none written"), "{}", o.stderr);
    assert!(o.stderr.contains("ignored: skip"), "{}", o.stderr);
    verify_attest(&fixture("signed"), &trust, &att, &["--attest-failures"]);
    let st = envelope_statement(&att);
    assert_eq!(st["predicate"]["verificationResult"], "FAILED");
    assert_eq!(st["predicate"][EXT]["result"], "ignored");
    assert_eq!(st["predicate"][EXT]["ignoredBecause"], "skip");
    let o = check(
        Some(&att),
        &["--bundle", &s(&fixture("signed")), "--min-level", "audit"],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("ignored (skip)"), "{}", o.stderr);
}

#[test]
fn trust_digest_v2_is_recorded_and_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let att = tmp.path().join("a.json");
    let secret = s(&fixture("secret.yaml"));
    let bundle = s(&fixture("signed"));
    assert_eq!(
        verify_attest(
            &fixture("signed"),
            &["--secret", &secret, "--scope", "registry.example/app"],
            &att,
            &[]
        )
        .code,
        0
    );
    let st = envelope_statement(&att);
    assert_eq!(
        st["predicate"][EXT]["trustMaterialDigestRecipe"],
        "airgap-verify/trust-material/v2"
    );
    let limits = airgap_verify::limits::Limits::default();
    let m = airgap_verify::trust::from_secret_file(&fixture("secret.yaml"), &limits).unwrap();
    let v2 = airgap_verify::attest::trust_digest::trust_digest_v2(&m, &Default::default());
    assert_eq!(
        format!(
            "sha256:{}",
            st["predicate"]["policy"]["digest"]["sha256"]
                .as_str()
                .unwrap()
        ),
        v2
    );
    assert_eq!(
        check(Some(&att), &["--bundle", &bundle, "--secret", &secret]).code,
        0
    );
    // A changed Secret: the same files and a value that does not parse (Flux then fails every
    // lookup). Version 1 cannot tell; version 2 does.
    let dir = tmp.path().join("changed");
    airgap_verify_testkit::copy_dir(&fixture("trust"), &dir);
    std::fs::write(dir.join("junk.crt"), b"not a certificate").unwrap();
    let o = check(Some(&att), &["--bundle", &bundle, "--trust-dir", &s(&dir)]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("trust material"), "{}", o.stderr);

    // --flux: the OCIRepository whose spec.url is the attestation's scope.
    let seed = s(&fixture("flux/seed.yaml"));
    let folder = tmp.path().join("flux");
    let o = verify_attest(&fixture("signed"), &["--flux", &seed], &folder, &[]);
    assert_eq!(o.code, 0, "{}", o.all());
    let file = std::fs::read_dir(&folder)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let o = check(Some(&file), &["--bundle", &bundle, "--flux", &seed]);
    assert_eq!(o.code, 0, "{}", o.all());
    // Another scope has no OCIRepository there.
    let o = check(
        Some(&file),
        &[
            "--bundle",
            &bundle,
            "--flux",
            &seed,
            "--scope",
            "registry.example/other",
        ],
    );
    assert_eq!(o.code, 1, "{}", o.all());
}

#[test]
fn version_1_attestations_still_verify_against_the_files() {
    let att = fixture("frozen/attest-v1/signed.p256.dsse.json");
    let st = envelope_statement(&att);
    assert_eq!(
        st["predicate"][EXT]["trustMaterialDigestRecipe"],
        "airgap-verify/trust-material/v1"
    );
    let o = run(&[
        "verify-attestation".to_string(),
        s(&att),
        "--key".into(),
        s(&fixture("frozen/attest-v1/p256.pub")),
        "--digest".into(),
        "sha256:7dedb8f0dfbd3495300c0e69c654ec595effb28bf9dfcf6c1713ea42cc6a3e4b".into(),
        "--policy-digest".into(),
        format!(
            "sha256:{}",
            st["predicate"]["policy"]["digest"]["sha256"]
                .as_str()
                .unwrap()
        ),
    ]);
    assert_eq!(o.code, 0, "{}", o.all());
}

#[test]
fn bad_flags_fail_before_the_bundle_is_read_and_print_no_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    let missing_bundle = s(&tmp.path().join("no-such-bundle"));
    let trust = scoped_trust_dir(&fixture("trust"));
    let trust: Vec<&str> = trust.iter().map(String::as_str).collect();
    let key_cases = [
        (fixture("attest/p256.pub"), "PRIVATE KEY"),
        (tmp.path().join("missing.key"), "missing.key"),
    ];
    for (key, words) in key_cases {
        let mut args: Vec<String> = vec!["verify".into(), missing_bundle.clone()];
        args.extend(trust.iter().map(|a| a.to_string()));
        args.extend([
            "--attest-key".into(),
            s(&key),
            "--attestation".into(),
            s(&tmp.path().join("a.json")),
        ]);
        let o = run(&args);
        assert_eq!(o.code, 2, "{}", o.all());
        assert!(o.stderr.contains(words), "{words}: {}", o.stderr);
        assert!(o.stdout.is_empty());
    }
    // An attestation in a missing folder, naming a folder; --all with an existing file.
    let o = verify_attest(
        Path::new(&missing_bundle),
        &trust,
        &tmp.path().join("no/such/a.json"),
        &[],
    );
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("does not exist"), "{}", o.stderr);
    let o = verify_attest(Path::new(&missing_bundle), &trust, tmp.path(), &[]);
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("is a folder"), "{}", o.stderr);
    let file = tmp.path().join("exists.json");
    std::fs::write(&file, b"{}").unwrap();
    let o = verify_attest(Path::new(&missing_bundle), &trust, &file, &["--all"]);
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("is a file"), "{}", o.stderr);
    // A --ref that does not parse.
    let mut args: Vec<String> = vec!["verify".into(), missing_bundle.clone()];
    args.extend(trust.iter().map(|a| a.to_string()));
    args.extend(["--ref".into(), "sha256:zz".into()]);
    let o = run(&args);
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("--ref"), "{}", o.stderr);
    // An attestation that would need a scope none was given for.
    let unscoped = ["--trust-dir", trust[1]];
    let o = verify_attest(
        Path::new(&missing_bundle),
        &unscoped,
        &tmp.path().join("a.json"),
        &[],
    );
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("give --scope"), "{}", o.stderr);
    assert!(!o.stderr.contains("no-such-bundle"), "{}", o.stderr);
    // verify-attestation: a missing attestation file is named before the bundle.
    let o = check(
        Some(&tmp.path().join("none.json")),
        &["--bundle", &missing_bundle],
    );
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("none.json"), "{}", o.stderr);
    // The good run still works.
    let o = verify_attest(&fixture("signed"), &trust, &tmp.path().join("ok.json"), &[]);
    assert_eq!(o.code, 0, "{}", o.all());
}

#[test]
fn a_folder_of_sign_offs_covers_every_image() {
    let tmp = tempfile::tempdir().unwrap();
    let signoffs = tmp.path().join("signoffs");
    let secret = s(&fixture("secret.yaml"));
    let multi = fixture("multi");
    let o = verify_attest(
        &multi,
        &[
            "--secret",
            &secret,
            "--all",
            "--scope",
            "registry.example/app",
        ],
        &signoffs,
        &["--attest-failures"],
    );
    assert!(o.code == 0 || o.code == 1, "{}", o.all());
    let o = check(
        Some(&signoffs),
        &["--bundle", &s(&multi), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 3, "{v:#}");
    let passed = images.iter().filter(|i| i["verified"] == true).count();
    assert_eq!(o.code, if passed == 3 { 0 } else { 1 }, "{v:#}");
    assert!(passed >= 1, "{v:#}");
    // Only the verified ones, then one file removed: that image has none.
    let signed = tmp.path().join("signed-only");
    std::fs::create_dir(&signed).unwrap();
    for i in images.iter().filter(|i| i["verified"] == true) {
        let name = format!(
            "{}.dsse.json",
            i["digest"].as_str().unwrap().replace(':', "-")
        );
        std::fs::copy(signoffs.join(&name), signed.join(&name)).unwrap();
    }
    let o = check(Some(&signed), &["--bundle", &s(&multi)]);
    assert_eq!(o.code, if passed == 3 { 0 } else { 1 }, "{}", o.all());
    let first = std::fs::read_dir(&signed)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&first).unwrap();
    let o = check(Some(&signed), &["--bundle", &s(&multi)]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("no attestation of"), "{}", o.all());
}

#[test]
fn attach_writes_the_att_tag_that_cosign_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    airgap_verify_testkit::copy_dir(&fixture("signed"), &bundle);
    let trust = scoped_trust_dir(&fixture("trust"));
    let trust: Vec<&str> = trust.iter().map(String::as_str).collect();
    let o = verify_attest(&bundle, &trust, &tmp.path().join("a.json"), &["--attach"]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(
        !o.stderr.contains("warning"),
        "P-256 is what cosign checks: {}",
        o.stderr
    );
    let image = "sha256:7dedb8f0dfbd3495300c0e69c654ec595effb28bf9dfcf6c1713ea42cc6a3e4b";
    let key = airgap_verify::cosign::CosignKey::from_pem_flux(
        "p256.pub",
        &std::fs::read(fixture("attest/p256.pub")).unwrap(),
    )
    .unwrap();
    let layers = cosign_attestations(&bundle, image);
    assert_eq!(layers.len(), 1);
    assert!(cosign_verifies(&layers[0], &key, image));
    // A second attach appends its layer to the tagged manifest, as cosign attest does.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    verify_attest(&bundle, &trust, &tmp.path().join("b.json"), &["--attach"]);
    let layers = cosign_attestations(&bundle, image);
    assert_eq!(layers.len(), 2);
    assert!(layers.iter().all(|l| cosign_verifies(l, &key, image)));
    // The layout stays intact and still verifies; the .att manifest is no image.
    assert_eq!(run(&["inspect".to_string(), s(&bundle)]).code, 0);
    assert_eq!(
        run(&[
            "verify".to_string(),
            s(&bundle),
            trust[0].into(),
            trust[1].into(),
            trust[2].into(),
            trust[3].into()
        ])
        .code,
        0
    );

    // A P-384 key: signed over SHA-384, which cosign does not check: a warning, and indeed
    // cosign's reading does not verify it.
    let p384 = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    use pkcs8::EncodePrivateKey;
    use spki::EncodePublicKey;
    let key_path = tmp.path().join("p384.key");
    std::fs::write(
        &key_path,
        p384.to_pkcs8_pem(Default::default()).unwrap().as_bytes(),
    )
    .unwrap();
    let other = tmp.path().join("other");
    airgap_verify_testkit::copy_dir(&fixture("signed"), &other);
    let o = run(&[
        "verify".to_string(),
        s(&other),
        trust[0].into(),
        trust[1].into(),
        trust[2].into(),
        trust[3].into(),
        "--attest-key".into(),
        s(&key_path),
        "--attestation".into(),
        s(&tmp.path().join("c.json")),
        "--attach".into(),
    ]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(
        o.stderr.contains("warning") && o.stderr.contains("cosign"),
        "{}",
        o.stderr
    );
    let pub_pem = p384
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    let key =
        airgap_verify::cosign::CosignKey::from_pem_flux("p384.pub", pub_pem.as_bytes()).unwrap();
    let layers = cosign_attestations(&other, image);
    assert!(!cosign_verifies(&layers[0], &key, image));
}

/// The layers of the manifest tagged `sha256-<hex>.att`, read the way cosign reads them
/// (`ociremote.Attestations`, then `sigLayer`): the raw layer bytes are the payload, and the
/// `dev.cosignproject.cosign/signature` annotation must be present.
fn cosign_attestations(layout: &Path, image: &str) -> Vec<Vec<u8>> {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let tag = format!("{}.att", image.replace(':', "-"));
    let tagged: Vec<&serde_json::Value> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag.as_str())
        .collect();
    assert_eq!(tagged.len(), 1, "one manifest carries the tag");
    let blob = |d: &str| {
        std::fs::read(
            layout
                .join("blobs/sha256")
                .join(d.trim_start_matches("sha256:")),
        )
        .unwrap()
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&blob(tagged[0]["digest"].as_str().unwrap())).unwrap();
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.oci.image.config.v1+json"
    );
    let config: serde_json::Value =
        serde_json::from_slice(&blob(manifest["config"]["digest"].as_str().unwrap())).unwrap();
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert_eq!(l["mediaType"], "application/vnd.dsse.envelope.v1+json");
            assert!(l["annotations"]["dev.cosignproject.cosign/signature"].is_string());
            assert_eq!(
                l["annotations"]["predicateType"],
                "https://slsa.dev/verification_summary/v1"
            );
            assert!(config["rootfs"]["diff_ids"]
                .as_array()
                .unwrap()
                .contains(&l["digest"]));
            blob(l["digest"].as_str().unwrap())
        })
        .collect()
}

/// cosign verify-attestation --key K --type https://slsa.dev/verification_summary/v1
/// --insecure-ignore-tlog on one layer: the DSSE signature over the PAE with the key as cosign
/// loads it, the payload type, the predicate type, the subject digest.
fn cosign_verifies(layer: &[u8], key: &airgap_verify::cosign::CosignKey, image: &str) -> bool {
    let env: serde_json::Value = serde_json::from_slice(layer).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64.decode(env["payload"].as_str().unwrap()).unwrap();
    let payload_type = env["payloadType"].as_str().unwrap();
    let pae = airgap_verify::attest::dsse::pae(payload_type.as_bytes(), &payload);
    let signed = env["signatures"].as_array().unwrap().iter().any(|s| {
        b64.decode(s["sig"].as_str().unwrap())
            .is_ok_and(|sig| key.verify(&pae, &sig).is_ok())
    });
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    signed
        && payload_type == "application/vnd.in-toto+json"
        && st["predicateType"] == "https://slsa.dev/verification_summary/v1"
        && st["subject"][0]["digest"]["sha256"] == image.trim_start_matches("sha256:")
}

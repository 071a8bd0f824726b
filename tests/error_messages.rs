//! The wording of the most common errors: each names the file and field, says what was
//! expected and, where a mistake is likely, how to fix it. Exit codes as the README says.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

/// Run the binary; return (exit code, stdout + stderr).
fn run(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new(airgap_verify_testkit::bin())
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn os<'a>(items: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    items.iter().map(std::ffi::OsStr::new).collect()
}

/// A trust folder with `policy` as trustpolicy.json and the fixture root certificate.
fn trust_dir(tmp: &Path, policy: &str) -> PathBuf {
    let dir = tmp.join("trust");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("trustpolicy.json"), policy).unwrap();
    std::fs::copy(fixture("pki/root.crt"), dir.join("root.crt")).unwrap();
    dir
}

fn verify_with_dir(bundle: &Path, dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "verify".to_string(),
        bundle.display().to_string(),
        "--trust-dir".into(),
        dir.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&os(&refs))
}

fn assert_has(code: i32, text: &str, want_code: i32, parts: &[&str]) {
    assert_eq!(code, want_code, "{text}");
    for p in parts {
        assert!(text.contains(p), "expected {p:?} in: {text}");
    }
}

const POLICY_OK: &str = r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
 "signatureVerification":{"level":"strict"},"trustStores":["ca:not-existing"],"trustedIdentities":["*"]}]}"#;

#[test]
fn no_trust_material_says_which_flags() {
    let b = fixture("signed");
    let (code, text) = run(&os(&["verify", b.to_str().unwrap()]));
    assert_has(code, &text, 2, &["--secret", "--trust-dir", "--flux"]);
}

#[test]
fn empty_trust_stores_suggests_the_flux_placeholder() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = POLICY_OK.replace(r#"["ca:not-existing"]"#, "[]");
    let dir = trust_dir(tmp.path(), &policy);
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &[]);
    assert_has(code, &text, 2, &["missing trust stores", "ca:not-existing"]);
}

#[test]
fn policy_that_is_not_json_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), "{\"version\": \"1.0\",");
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &[]);
    assert_has(
        code,
        &text,
        2,
        &["error occurred while parsing trustpolicy.json"],
    );
}

#[test]
fn unsupported_policy_version_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), &POLICY_OK.replace("\"1.0\"", "\"2.0\""));
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &[]);
    assert_has(code, &text, 2, &["unsupported version \"2.0\""]);
}

/// Verify the signed fixture with a Secret whose values section is `values` (YAML lines under
/// `data:` or `stringData:`).
fn verify_with_secret(values: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("s.yaml");
    let yaml =
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: cfg\n  namespace: ns\n{values}");
    std::fs::write(&secret, yaml).unwrap();
    run(&os(&[
        "verify",
        fixture("signed").to_str().unwrap(),
        "--secret",
        secret.to_str().unwrap(),
    ]))
}

#[test]
fn secret_without_policy_key_uses_flux_words() {
    let (code, text) = verify_with_secret("stringData:\n  root.crt: x\n");
    let want = "'trustpolicy.json' not found in secret 'ns/cfg'";
    assert_has(code, &text, 2, &[want]);
}

#[test]
fn secret_without_certificates_uses_flux_words() {
    let policy = POLICY_OK.replace('\n', " ");
    let (code, text) =
        verify_with_secret(&format!("stringData:\n  trustpolicy.json: '{policy}'\n"));
    assert_has(
        code,
        &text,
        2,
        &["no certificates found in secret 'ns/cfg'"],
    );
}

#[test]
fn bad_base64_names_the_key() {
    let (code, text) =
        verify_with_secret("data:\n  trustpolicy.json: e30=\n  root.crt: '!!not base64!!'\n");
    assert_has(code, &text, 2, &["root.crt", "base64"]);
}

#[test]
fn bad_at_time_shows_the_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), POLICY_OK);
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &["--at", "yesterday"]);
    assert_has(
        code,
        &text,
        2,
        &["--at", "RFC 3339", "2024-05-01T12:00:00Z"],
    );
}

#[test]
fn missing_bundle_names_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), POLICY_OK);
    let (code, text) = verify_with_dir(&tmp.path().join("nope.tar"), &dir, &[]);
    assert_has(code, &text, 2, &["nope.tar"]);
}

#[test]
fn several_images_without_ref_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), POLICY_OK);
    let (code, text) = verify_with_dir(&fixture("multi"), &dir, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--ref") || text.contains("--all"), "{text}");
}

#[test]
fn unknown_ref_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), POLICY_OK);
    // Not in the bundle: not verified (exit 1), as when an OCIRepository's spec.ref names it.
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &["--ref", "v9"]);
    assert_has(code, &text, 1, &["v9", "registry.example/app:v1"]);
}

#[test]
fn no_applicable_statement_names_the_artifact() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = POLICY_OK.replace(
        r#""registryScopes":["*"]"#,
        r#""registryScopes":["other.example/app"]"#,
    );
    let dir = trust_dir(tmp.path(), &policy);
    let (code, text) = verify_with_dir(
        &fixture("signed"),
        &dir,
        &["--scope", "registry.example/app"],
    );
    assert_has(
        code,
        &text,
        2,
        &[
            "registry.example/app@sha256:",
            "has no applicable trust policy statement",
            // Beside notation's words: the scope used, where it came from, the policy's scopes.
            "\n  scope: registry.example/app (given with --scope)",
            "\n  hint: the policy's registryScopes are \"other.example/app\"",
        ],
    );
}

#[test]
fn tampered_blob_is_named_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    airgap_verify_testkit::copy_dir(&fixture("signed"), &bundle);
    // Change one byte of the largest blob (a layer).
    let blobs = bundle.join("blobs/sha256");
    let largest = std::fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(&largest).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&largest, bytes).unwrap();
    let dir = trust_dir(tmp.path(), POLICY_OK);
    let (code, text) = verify_with_dir(&bundle, &dir, &[]);
    let name = largest.file_name().unwrap().to_str().unwrap();
    assert_has(code, &text, 3, &[name, "damaged"]);
}

#[test]
fn attach_to_an_archive_explains_why_not() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, text) = run(&os(&[
        "verify",
        fixture("signed.tar").to_str().unwrap(),
        "--secret",
        fixture("secret.yaml").to_str().unwrap(),
        "--scope",
        "registry.example/app",
        "--attest-key",
        fixture("attest/ed25519.key").to_str().unwrap(),
        "--attestation",
        tmp.path().join("a.json").to_str().unwrap(),
        "--attach",
    ]));
    assert_has(code, &text, 2, &["--attach", "folder"]);
    assert!(!tmp.path().join("a.json").exists(), "no output on error");
}

#[test]
fn a_secret_file_given_as_a_trust_folder_is_pointed_at_secret() {
    let (code, text) = verify_with_dir(&fixture("signed"), &fixture("secret.yaml"), &[]);
    assert_has(code, &text, 2, &["not a folder", "hint:", "--secret"]);
}

#[test]
fn a_policy_that_does_not_parse_names_where_it_is_and_a_bom() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = trust_dir(tmp.path(), &format!("\u{feff}{POLICY_OK}"));
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &["--scope", "a/b"]);
    assert_has(
        code,
        &text,
        2,
        &[
            "error occurred while parsing trustpolicy.json",
            "line 1 column 1",
            "\n  hint: the policy is the key trustpolicy.json of folder",
            "byte order mark",
        ],
    );
    // Without a BOM, the place is named and no BOM is claimed.
    std::fs::write(dir.join("trustpolicy.json"), "{\"version\": \"1.0\",\n ]").unwrap();
    let (code, text) = verify_with_dir(&fixture("signed"), &dir, &["--scope", "a/b"]);
    assert_has(
        code,
        &text,
        2,
        &["line 2 column 2", "hint: the policy is the key"],
    );
    assert!(!text.contains("byte order mark"), "{text}");
}

#[test]
fn a_misspelled_string_data_field_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("s.yaml");
    std::fs::write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringdata:\n  trustpolicy.json: \"{}\"\n",
    )
    .unwrap();
    let (code, text) = run(&[
        "verify".as_ref(),
        fixture("signed").as_os_str(),
        "--secret".as_ref(),
        secret.as_os_str(),
        "--scope".as_ref(),
        "a/b".as_ref(),
    ]);
    assert_has(
        code,
        &text,
        2,
        &[
            "'trustpolicy.json' not found in secret 'default/x'",
            "\n  hint: the Secret has the field 'stringdata'",
        ],
    );
}

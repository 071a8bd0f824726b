//! `verify --flux` through the binary: the committed seed and multi-image fixtures, and bundles
//! and manifests generated here (tags, semver, Docker Hub names, Secrets in the wrong place,
//! Flux's "ignored" outcomes).
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

use airgap_verify::oci::digest::Descriptor;
use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::layout::{Envelope, ImageSpec, Layout};
use airgap_verify_testkit::pki::{self, Pki};
use airgap_verify_testkit::sign::SignOptions;
use airgap_verify_testkit::trust::{self, Statement};
use serde_json::Value;
use time::macros::datetime;

/// The `spec.ref.digest` values of a committed Flux manifest, in order (the fixtures are
/// regenerated, so digests are read, not written down).
fn manifest_digests(name: &str) -> Vec<String> {
    std::fs::read_to_string(fixture(name))
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("digest: "))
        .map(str::to_string)
        .collect()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(airgap_verify_testkit::bin())
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let r = run(&all);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

fn fixture(p: &str) -> String {
    airgap_verify_testkit::fixtures_dir()
        .join(p)
        .display()
        .to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The Flux status of the result for OCIRepository `id`.
fn flux_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["flux"]["ocirepository"] == id)
        .unwrap_or_else(|| panic!("no result for {id}: {report:#}"))
}

/// The Flux status message of OCIRepository `id` in a JSON report.
fn flux_message(report: &Value, id: &str) -> String {
    flux_of(report, id)["flux"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// An OCIRepository manifest; `reference` and `verify` are YAML blocks (indented by 4).
fn ocirepo(ns: &str, name: &str, url: &str, reference: &str, verify: &str) -> String {
    let mut y = format!(
        "---\napiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  interval: 5m\n  url: {url}\n"
    );
    if !reference.is_empty() {
        y.push_str("  ref:\n");
        for l in reference.lines() {
            y.push_str(&format!("    {l}\n"));
        }
    }
    if !verify.is_empty() {
        y.push_str("  verify:\n");
        for l in verify.lines() {
            y.push_str(&format!("    {l}\n"));
        }
    }
    y
}

const NOTATION: &str = "provider: notation\nsecretRef:\n  name: notation-config";

/// A bundle of one repository with several tags, all signed by one chain, plus another
/// repository that also has a `latest` tag.
struct World {
    _tmp: tempfile::TempDir,
    bundle: PathBuf,
    pki: Pki,
    digests: Vec<(String, Descriptor)>,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let pki = Pki::new("Flux Test");
        let mut l = Layout::create(&tmp.path().join("bundle"));
        let opts = SignOptions::new(datetime!(2025-01-01 00:00:00 UTC));
        let mut digests = Vec::new();
        let names = [
            ("registry.example/app", "1.0.0"),
            ("registry.example/app", "1.2.0"),
            ("registry.example/app", "v1.3.0-rc.1"),
            ("registry.example/app", "2.0.0"),
            ("registry.example/app", "latest"),
            ("registry.example/other", "latest"),
            ("registry.example/other", "9.9.9"),
            ("docker.io/library/hub", "v1"),
        ];
        for (repo, tag) in names {
            let full = format!("{repo}:{tag}");
            let d = l.add_image(&ImageSpec::new(&full).full_name(&full));
            l.sign(&d, Envelope::Jws, &opts, &pki.chain(), &pki.leaf);
            digests.push((full, d));
        }
        let bundle = l.finish();
        World {
            _tmp: tmp,
            bundle,
            pki,
            digests,
        }
    }

    fn digest(&self, full: &str) -> String {
        self.digests
            .iter()
            .find(|(n, _)| n == full)
            .map(|(_, d)| d.digest.to_string())
            .unwrap()
    }

    fn secret(&self, ns: &str, statements: &[Statement]) -> String {
        trust::secret_yaml(
            "notation-config",
            ns,
            &[
                ("trustpolicy.json", trust::policy(statements).as_bytes()),
                ("root.crt", self.pki.root.pem().as_bytes()),
            ],
        )
    }

    fn strict(&self, scope: &str) -> Statement {
        Statement::strict(scope, &[self.pki.leaf.identity()])
    }

    /// Write manifests to a file in the world's folder.
    fn manifests(&self, name: &str, text: &str) -> PathBuf {
        let p = self._tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

#[test]
fn seed_example_prints_fluxs_success_message_for_folder_and_archive() {
    let seed_digest = &manifest_digests("flux/seed.yaml")[0];
    for bundle in ["signed", "signed.tar.gz"] {
        let r = run(&[&fixture(bundle), "--flux", &fixture("flux/seed.yaml")]);
        assert_eq!(r.code, 0, "{bundle}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(&format!(
                "OCIRepository flux-system/app: SourceVerified=True reason Succeeded: verified signature of revision {seed_digest}"
            )),
            "{}",
            r.stdout
        );
        let (code, v) = json(&[&fixture(bundle), "--flux", &fixture("flux/seed.yaml")]);
        assert_eq!(code, 0);
        let f = &flux_of(&v, "flux-system/app")["flux"];
        assert_eq!(f["condition"], "SourceVerified");
        assert_eq!(f["status"], "True");
        assert_eq!(f["reason"], "Succeeded");
        assert_eq!(
            f["message"],
            format!("verified signature of revision {seed_digest}")
        );
        assert_eq!(v["results"][0]["scope"], "registry.example/app");
        assert_eq!(v["results"][0]["verdict"], "verified");
        assert!(v.get("notRequested").is_none(), "{v:#}");
    }
}

#[test]
fn three_repositories_give_three_results_and_the_worst_exit_code() {
    let (code, v) = json(&[&fixture("multi"), "--flux", &fixture("flux/multi.yaml")]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    let ok = &flux_of(&v, "flux-system/signed")["flux"];
    assert_eq!(ok["status"], "True");
    assert_eq!(ok["reason"], "Succeeded");
    let bad = &flux_of(&v, "flux-system/other")["flux"];
    assert_eq!(bad["status"], "False");
    assert_eq!(bad["reason"], "VerificationError");
    let m = bad["message"].as_str().unwrap();
    assert!(
        m.starts_with("failed to verify the signature using provider 'notation': signature verification failed\nfailed to verify signature with digest sha256:"),
        "{m}"
    );
    assert!(
        m.ends_with("the signature's certificate chain does not contain any trusted certificate"),
        "{m}"
    );
    let cosign = flux_of(&v, "flux-system/unsigned");
    assert_eq!(
        cosign["flux"]["message"],
        "failed to verify the signature using provider 'cosign': no matching signatures were found for 'registry.example/multi/unsigned@sha256:4cac7de5ce03bf3674cdf1ac96dfa51a4582e304685658411f16c7fc1c8d6185'"
    );
    assert_eq!(cosign["provider"], "cosign");
    assert_eq!(cosign["verdict"], "failed");
    // Every image is asked for by some repository.
    assert!(v.get("notRequested").is_none(), "{v:#}");

    let r = run(&[&fixture("multi"), "--flux", &fixture("flux/multi.yaml")]);
    assert_eq!(r.code, 1);
    assert!(r
        .stdout
        .contains("OCIRepository flux-system/unsigned: SourceVerified=False reason VerificationError: failed to verify the signature using provider 'cosign': no matching signatures were found for 'registry.example/multi/unsigned@sha256:"));
}

#[test]
fn ocirepository_picks_one_and_the_others_images_are_not_requested() {
    let args = [
        &fixture("multi"),
        "--flux",
        &fixture("flux/multi.yaml"),
        "--ocirepository",
        "flux-system/signed",
    ];
    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["results"].as_array().unwrap().len(), 1);
    let not: Vec<&str> = v["notRequested"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(not.len(), 2, "{not:?}");
    assert!(not[0].starts_with("registry.example/multi/other:v1 (sha256:"));
    assert!(not[1].starts_with("registry.example/multi/unsigned:v1 (sha256:"));
    let r = run(&args);
    let unsigned = &manifest_digests("flux/multi.yaml")[2];
    assert!(
        r.stdout.contains(&format!(
            "registry.example/multi/unsigned:v1 ({unsigned}): not requested by any OCIRepository"
        )),
        "{}",
        r.stdout
    );

    let r = run(&[
        &fixture("multi"),
        "--flux",
        &fixture("flux/multi.yaml"),
        "--ocirepository",
        "flux-system/nope",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no OCIRepository flux-system/nope")
            && r.stderr.contains("flux-system/signed, flux-system/other"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_folder_is_walked_recursively_and_other_files_are_noted_under_verbose() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("flux/multi.yaml")).unwrap();
    // Split the objects over nested files, as in a GitOps checkout.
    let docs: Vec<&str> = text.split("\n---\n").collect();
    std::fs::create_dir_all(tmp.path().join("apps/deep")).unwrap();
    std::fs::create_dir_all(tmp.path().join("infra")).unwrap();
    std::fs::write(
        tmp.path().join("apps/repos.yaml"),
        docs[..4].join("\n---\n"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("infra/secret.yml"), docs[4]).unwrap();
    std::fs::write(tmp.path().join("apps/deep/values.yaml"), "replicas: 3\n").unwrap();
    std::fs::write(
        tmp.path().join("apps/deep/chart.json"),
        r#"{"name": "not kubernetes"}"#,
    )
    .unwrap();
    std::fs::write(tmp.path().join("README.md"), "# not read\n").unwrap();

    let r = run(&[&fixture("multi"), "--flux", s(tmp.path())]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("flux-system/signed: SourceVerified=True"));
    assert!(r.stdout.contains("flux-system/other: SourceVerified=False"));
    assert!(r
        .stdout
        .contains("flux-system/unsigned: SourceVerified=False"));
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);

    let r = run(&[&fixture("multi"), "--flux", s(tmp.path()), "-v"]);
    assert_eq!(r.code, 1);
    for f in ["values.yaml", "chart.json"] {
        assert!(
            r.stderr.lines().any(|l| l.starts_with("note: ")
                && l.contains(f)
                && l.contains("skipped: no Kubernetes object")),
            "{f}: {}",
            r.stderr
        );
    }
    assert!(!r.stderr.contains("README"), "{}", r.stderr);
    // JSON on standard output stays clean.
    let out = Command::new(airgap_verify_testkit::bin())
        .args(["verify", &fixture("multi"), "--flux", s(tmp.path()), "-v"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice::<Value>(&out.stdout).unwrap();
}

#[test]
fn trust_material_notes_are_printed_under_verbose() {
    let w = World::new();
    let secret = trust::secret_yaml(
        "notation-config",
        "flux-system",
        &[
            (
                "trustpolicy.json",
                trust::policy(&[w.strict("*")]).as_bytes(),
            ),
            ("root.crt", w.pki.root.pem().as_bytes()),
            ("README", b"ignored"),
        ],
    );
    let m = w.manifests(
        "notes.yaml",
        &(ocirepo(
            "flux-system",
            "app",
            "oci://registry.example/app",
            "tag: 1.0.0",
            NOTATION,
        ) + "---\n"
            + &secret),
    );
    let r = run(&[s(&w.bundle), "--flux", s(&m), "-v"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("note: key 'README'") && r.stderr.contains("is ignored"),
        "{}",
        r.stderr
    );
    let secret_file = w.manifests("secret.yaml", &secret);
    let r = run(&[
        s(&w.bundle),
        "--secret",
        s(&secret_file),
        "--ref",
        "registry.example/app:1.0.0",
        "-v",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("note: key 'README'"), "{}", r.stderr);
    let r = run(&[
        s(&w.bundle),
        "--secret",
        s(&secret_file),
        "--ref",
        "registry.example/app:1.0.0",
    ]);
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);
}

#[test]
fn tags_semver_and_digests_choose_each_repositorys_own_image() {
    let w = World::new();
    let mut y = w.secret("flux-system", &[w.strict("*")]);
    let cases = [
        ("default", "", "latest", None),
        ("tag", "tag: 1.0.0", "1.0.0", None),
        (
            "range",
            "semver: \">=1.0.0 <2.0.0\"",
            "1.2.0",
            Some("spec.ref.semver '>=1.0.0 <2.0.0' chose tag 1.2.0"),
        ),
        (
            "pre",
            "semver: \">=1.3.0-rc.0 <2.0.0\"",
            "v1.3.0-rc.1",
            Some("chose tag v1.3.0-rc.1"),
        ),
        (
            "filtered",
            "semver: \"*\"\nsemverFilter: \"^1\\\\.0\"",
            "1.0.0",
            Some("chose tag 1.0.0 (semverFilter '^1\\.0')"),
        ),
        ("star", "semver: \"*\"", "2.0.0", Some("chose tag 2.0.0")),
    ];
    for (name, reference, _, _) in &cases {
        y.push_str(&ocirepo(
            "flux-system",
            name,
            "oci://registry.example/app",
            reference,
            NOTATION,
        ));
    }
    let by_digest = w.digest("registry.example/app:1.2.0");
    y.push_str(&ocirepo(
        "flux-system",
        "digest",
        "oci://registry.example/app",
        &format!("digest: {by_digest}"),
        NOTATION,
    ));
    // Another repository with its own `latest`.
    y.push_str(&ocirepo(
        "flux-system",
        "other",
        "oci://registry.example/other",
        "",
        NOTATION,
    ));
    let m = w.manifests("refs.yaml", &y);
    let (code, v) = json(&[s(&w.bundle), "--flux", s(&m)]);
    assert_eq!(code, 0, "{v:#}");
    for (name, _, tag, note) in cases {
        let r = flux_of(&v, &format!("flux-system/{name}"));
        let digest = w.digest(&format!("registry.example/app:{tag}"));
        assert_eq!(r["reference"], tag, "{name}");
        assert_eq!(r["digest"], digest, "{name}");
        assert_eq!(
            r["flux"]["message"],
            format!("verified signature of revision {tag}@{digest}"),
            "{name}"
        );
        match note {
            Some(n) => assert!(r["note"].as_str().unwrap().contains(n), "{name}: {r:#}"),
            None => assert!(r.get("note").is_none(), "{name}: {r:#}"),
        }
    }
    let r = flux_of(&v, "flux-system/digest");
    assert_eq!(
        r["flux"]["message"],
        format!("verified signature of revision {by_digest}")
    );
    let r = flux_of(&v, "flux-system/other");
    assert_eq!(r["digest"], w.digest("registry.example/other:latest"));
    assert_eq!(r["scope"], "registry.example/other");
    // Not asked for: 2.0.0? no, `star` took it. 9.9.9 of other and the Docker Hub image are left.
    let not: Vec<String> = v["notRequested"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    assert_eq!(not.len(), 2, "{not:?}");
    assert!(not[0].starts_with("registry.example/other:9.9.9 ("));
    assert!(not[1].starts_with("docker.io/library/hub:v1 ("));

    // The text report says which tag the range chose.
    let r = run(&[
        s(&w.bundle),
        "--flux",
        s(&m),
        "--ocirepository",
        "flux-system/range",
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("  note: spec.ref.semver '>=1.0.0 <2.0.0' chose tag 1.2.0"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_references_fail_that_repository_with_the_right_exit_code() {
    let w = World::new();
    let mut y = w.secret("flux-system", &[w.strict("*")]);
    let cases = [
        ("nomatch", "semver: \">=5.0.0\"", 1, "no match found for semver: >=5.0.0"),
        ("badrange", "semver: \"not a range\"", 2, "semver 'not a range' parse error"),
        (
            "badfilter",
            "semver: \"*\"\nsemverFilter: \"([\"",
            2,
            "semverFilter '([' is not a valid regular expression",
        ),
        ("notag", "tag: 3.0.0", 1, "tag '3.0.0' of registry.example/app is not in the bundle"),
        (
            "nodigest",
            "digest: sha256:0000000000000000000000000000000000000000000000000000000000000000",
            1,
            "spec.ref.digest sha256:0000000000000000000000000000000000000000000000000000000000000000 is not in the bundle",
        ),
    ];
    for (name, reference, _, _) in &cases {
        y.push_str(&ocirepo(
            "flux-system",
            name,
            "oci://registry.example/app",
            reference,
            NOTATION,
        ));
    }
    let m = w.manifests("bad.yaml", &y);
    for (name, _, code, message) in cases {
        let id = format!("flux-system/{name}");
        let (c, v) = json(&[s(&w.bundle), "--flux", s(&m), "--ocirepository", &id]);
        assert_eq!(c, code, "{name}: {v:#}");
        let f = flux_of(&v, &id);
        assert_eq!(f["flux"]["status"], "False");
        let got = f["flux"]["message"].as_str().unwrap();
        assert!(
            got.starts_with("failed to verify the signature using provider 'notation': ")
                && got.contains(message),
            "{name}: {got}"
        );
    }
    // All together: the worst is 2.
    let (c, v) = json(&[s(&w.bundle), "--flux", s(&m)]);
    assert_eq!(c, 2, "{v:#}");
    assert_eq!(v["results"].as_array().unwrap().len(), 5);
}

#[test]
fn verification_settings_and_secrets_as_flux_reads_them() {
    let w = World::new();
    let mut y = w.secret("flux-system", &[w.strict("*")]);
    // A Secret of the same name in another namespace does not count.
    y.push_str("---\n");
    y.push_str(&w.secret("elsewhere", &[w.strict("*")]));
    let url = "oci://registry.example/app";
    y.push_str(&ocirepo("flux-system", "none", url, "tag: 1.0.0", ""));
    y.push_str(&ocirepo(
        "flux-system",
        "cosign",
        url,
        "tag: 1.0.0",
        "provider: cosign",
    ));
    y.push_str(&ocirepo(
        "flux-system",
        "defaultprovider",
        url,
        "tag: 1.0.0",
        "secretRef:\n  name: notation-config",
    ));
    y.push_str(&ocirepo(
        "flux-system",
        "missing",
        url,
        "tag: 1.0.0",
        "provider: notation\nsecretRef:\n  name: does-not-exist",
    ));
    y.push_str(&ocirepo(
        "team-a",
        "othernamespace",
        url,
        "tag: 1.0.0",
        NOTATION,
    ));
    y.push_str(&ocirepo(
        "flux-system",
        "noref",
        url,
        "tag: 1.0.0",
        "provider: notation",
    ));
    let m = w.manifests("settings.yaml", &y);
    let one = |id: &str| json(&[s(&w.bundle), "--flux", s(&m), "--ocirepository", id]);

    let (c, v) = one("flux-system/none");
    assert_eq!(c, 4, "{v:#}");
    let r = flux_of(&v, "flux-system/none");
    assert_eq!(r["flux"]["message"], "no verification configured");
    assert_eq!(r["flux"]["status"], "None");
    assert_eq!(r["verdict"], "ignored");
    assert_eq!(r["ignoredReason"], "not-configured");
    let t = run(&[
        s(&w.bundle),
        "--flux",
        s(&m),
        "--ocirepository",
        "flux-system/none",
    ]);
    assert!(t.stdout.contains(
        "OCIRepository flux-system/none: no SourceVerified condition: no verification configured"
    ));

    // provider defaults to cosign: a Secret without `*.pub` entries gives cosign no key to try.
    let (c, v) = one("flux-system/defaultprovider");
    assert_eq!(c, 1, "{v:#}");
    let msg = flux_message(&v, "flux-system/defaultprovider");
    assert!(
        msg.starts_with("failed to verify the signature using provider 'cosign': no matching signatures were found for 'registry.example/app@sha256:"),
        "{msg}"
    );
    // Keyless (no secretRef) needs the identities to match and a trust root.
    let (c, v) = one("flux-system/cosign");
    assert_eq!(c, 2, "{v:#}");
    let msg = flux_message(&v, "flux-system/cosign");
    assert!(msg.contains("matchOIDCIdentity"), "{msg}");

    let (c, v) = one("flux-system/missing");
    assert_eq!(c, 2, "{v:#}");
    let msg = flux_message(&v, "flux-system/missing");
    assert!(
        msg.contains("secret 'flux-system/does-not-exist' not found"),
        "{msg}"
    );

    let (c, v) = one("team-a/othernamespace");
    assert_eq!(c, 2, "{v:#}");
    let msg = flux_message(&v, "team-a/othernamespace");
    assert!(
        msg.contains("secret 'team-a/notation-config' not found"),
        "{msg}"
    );

    let (c, v) = one("flux-system/noref");
    assert_eq!(c, 2, "{v:#}");
    let msg = flux_message(&v, "flux-system/noref");
    assert!(
        msg.ends_with(&format!(
            "verification secret cannot be empty: 'registry.example/app@{}'",
            w.digest("registry.example/app:1.0.0")
        )),
        "{msg}"
    );
}

#[test]
fn an_ocirepository_without_url_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("nourl.yaml");
    std::fs::write(
        &m,
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  ref:\n    tag: v1\n",
    )
    .unwrap();
    let r = run(&[&fixture("signed"), "--flux", s(&m)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("OCIRepository 'flux-system/app' has no spec.url"),
        "{}",
        r.stderr
    );
}

#[test]
fn docker_hub_names_are_normalised_as_flux_does() {
    let w = World::new();
    let mut y = w.secret("flux-system", &[w.strict("index.docker.io/library/hub")]);
    y.push_str(&ocirepo(
        "flux-system",
        "hub",
        "oci://docker.io/hub",
        "tag: v1",
        NOTATION,
    ));
    let m = w.manifests("hub.yaml", &y);
    let (c, v) = json(&[s(&w.bundle), "--flux", s(&m)]);
    assert_eq!(c, 0, "{v:#}");
    let r = flux_of(&v, "flux-system/hub");
    assert_eq!(r["scope"], "index.docker.io/library/hub");
    assert_eq!(r["digest"], w.digest("docker.io/library/hub:v1"));
    assert_eq!(r["flux"]["status"], "True");

    // A scope written the notation CLI's way does not match in Flux.
    let mut y = w.secret("flux-system", &[w.strict("docker.io/hub")]);
    y.push_str(&ocirepo(
        "flux-system",
        "hub",
        "oci://docker.io/hub",
        "tag: v1",
        NOTATION,
    ));
    let m = w.manifests("hub-cli.yaml", &y);
    let (c, v) = json(&[s(&w.bundle), "--flux", s(&m)]);
    assert_eq!(c, 2, "{v:#}");
    let msg = flux_message(&v, "flux-system/hub");
    assert!(
        msg.contains("artifact \"index.docker.io/library/hub@sha256:")
            && msg.contains("has no applicable trust policy statement"),
        "{msg}"
    );
}

#[test]
fn audit_with_an_untrusted_signer_and_skip_are_ignored_by_flux() {
    let w = World::new();
    // Trust an unrelated certificate: the bundle's signer is not trusted.
    let unrelated = pki::self_signed_leaf("Unrelated", KeySpec::EcP256);
    let audit = Statement {
        level: "audit".into(),
        ..w.strict("registry.example/app")
    };
    let skip = Statement {
        name: "skip".into(),
        scopes: vec!["registry.example/other".into()],
        level: "skip".into(),
        trust_stores: vec![],
        identities: vec![],
    };
    let mut y = trust::secret_yaml(
        "notation-config",
        "flux-system",
        &[
            ("trustpolicy.json", trust::policy(&[audit, skip]).as_bytes()),
            ("unrelated.crt", unrelated.pem().as_bytes()),
        ],
    );
    y.push_str(&ocirepo(
        "flux-system",
        "audit",
        "oci://registry.example/app",
        "tag: 1.0.0",
        NOTATION,
    ));
    y.push_str(&ocirepo(
        "flux-system",
        "skip",
        "oci://registry.example/other",
        "",
        NOTATION,
    ));
    let m = w.manifests("ignored.yaml", &y);
    let (c, v) = json(&[s(&w.bundle), "--flux", s(&m)]);
    assert_eq!(c, 4, "{v:#}");
    assert_eq!(v["version"], 2);
    let a = flux_of(&v, "flux-system/audit");
    assert_eq!(a["verdict"], "ignored");
    assert_eq!(a["ignoredReason"], "authenticity-logged");
    assert_eq!(a["signatures"][0]["checks"]["authenticity"], "logged");
    assert_eq!(a["flux"]["status"], "None");
    assert!(a["flux"]["message"]
        .as_str()
        .unwrap()
        .contains("Flux writes no SourceVerified condition"));
    let k = flux_of(&v, "flux-system/skip");
    assert_eq!(k["verdict"], "ignored");
    assert_eq!(k["ignoredReason"], "skip");
    assert_eq!(k["flux"]["status"], "None");
    assert!(k["flux"]["message"]
        .as_str()
        .unwrap()
        .contains("trust policy level is skip; Flux writes no SourceVerified condition"));
    let r = run(&[s(&w.bundle), "--flux", s(&m)]);
    assert_eq!(r.code, 4);
    assert!(r.stdout.contains(
        "OCIRepository flux-system/skip: no SourceVerified condition: verification ignored"
    ));
}

#[test]
fn hostile_manifests_are_configuration_errors_even_inside_a_walked_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let laughs = {
        let mut y = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, p) in ('b'..='j').zip('a'..='i') {
            y.push_str(&format!(
                "{i}: &{i} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
            ));
        }
        y
    };
    let duplicate = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  name: y\n";
    let big = {
        let mut y =
            String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  v: \"");
        y.push_str(&"x".repeat(50 * 1024 * 1024));
        y.push_str("\"\n");
        y
    };
    for (name, text, expected) in [
        ("laughs.yaml", laughs.as_str(), "not valid YAML/JSON"),
        ("duplicate.yaml", duplicate, "not valid YAML/JSON"),
        ("big.yaml", big.as_str(), "more than the limit"),
    ] {
        let dir = tmp.path().join(name.replace('.', "-"));
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        let file = dir.join("nested").join(name);
        std::fs::write(&file, text).unwrap();
        for target in [&file, &dir] {
            let started = std::time::Instant::now();
            let r = run(&[&fixture("signed"), "--flux", s(target)]);
            assert_eq!(r.code, 2, "{name}: {}{}", r.stdout, r.stderr);
            assert!(r.stderr.contains(expected), "{name}: {}", r.stderr);
            assert!(started.elapsed() < std::time::Duration::from_secs(30));
        }
    }
}

//! Keyless cosign through the binary: `--certificate-identity-regexp`,
//! `--certificate-oidc-issuer-regexp` and `--trusted-root`, and Flux manifests with
//! `provider: cosign`, `matchOIDCIdentity` and `trustedRootSecretRef`, over layouts (folders and
//! archives) holding v3 bundle referrers and v2 `.sig` signatures of images and indexes, signed
//! under a test Sigstore instance. Each check fails on its own, with cosign's words; Python's
//! `sigstore` judges every v3 bundle too, when it is installed.
#![cfg(test)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use airgap_verify_testkit::cosign::{add_bundle_bytes, sha, Layout};
use airgap_verify_testkit::harness::{run, Run};
use airgap_verify_testkit::sigstore::{
    add_keyless_sig, make_dsse_bundle, python_sigstore, Breakage, Instance, IDENTITY, ISSUER,
};
use airgap_verify_testkit::{bundles::tar_of, fixtures_dir, skip};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;

const SUBJECT_RE: &str = "^https://github\\.com/example/app/";
const ISSUER_RE: &str = "^https://token\\.actions\\.githubusercontent\\.com$";

/// A test Sigstore instance and its trust root written to a file.
struct Root {
    inst: Instance,
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl Root {
    fn new() -> Root {
        let inst = Instance::new();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("trusted_root.json");
        std::fs::write(&file, inst.trust_root_json()).unwrap();
        Root { inst, dir, file }
    }

    /// `verify BUNDLE` with the keyless flags (`subject` and `issuer` regexps) and `extra`.
    fn verify(&self, bundle: &Path, subject: &str, issuer: &str, extra: &[&str]) -> Run {
        let mut args: Vec<OsString> = vec!["verify".into(), bundle.into()];
        for a in [
            "--certificate-identity-regexp",
            subject,
            "--certificate-oidc-issuer-regexp",
            issuer,
            "--trusted-root",
        ] {
            args.push(a.into());
        }
        args.push(self.file.clone().into());
        args.extend(extra.iter().map(OsString::from));
        run(&args)
    }

    /// [`Root::verify`] with the identity of the instance's leaves, `--format json`.
    fn json(&self, bundle: &Path) -> Run {
        self.verify(bundle, SUBJECT_RE, ISSUER_RE, &["--format", "json"])
    }

    /// The log's integrated time of the signature of `s`, which must verify.
    fn log_time(&self, s: &Signed) -> OffsetDateTime {
        let r = self.json(s.layout.path());
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let c = &r.result()["cosign"];
        assert_eq!(c["signingTimes"][0]["source"], "tlog", "{c}");
        OffsetDateTime::parse(
            c["signingTimes"][0]["time"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    }

    /// [`Root::verify`] with the `(subject, issuer)` regexps must fail, in JSON and in text:
    /// exit 1, `failed`, the message cosign's for `shape` with `want` in it. Returns the JSON run.
    fn fails(
        &self,
        s: &Signed,
        (subject, issuer): (&str, &str),
        extra: &[&str],
        shape: Shape,
        want: &str,
        what: &str,
    ) -> Run {
        let mut json = extra.to_vec();
        json.extend(["--format", "json"]);
        let r = self.verify(s.layout.path(), subject, issuer, &json);
        assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
        let res = r.result();
        assert_eq!(res["verdict"], "failed", "{what}");
        assert_eq!(res["provider"], "cosign", "{what}");
        let m = res["message"].as_str().unwrap_or_default();
        assert!(m.starts_with(prefix(shape)), "{what}: {m}");
        assert!(m.contains(want), "{what}: {m}");
        let text = self.verify(s.layout.path(), subject, issuer, extra);
        assert_eq!(text.code, 1, "{what}");
        assert!(text.stdout.contains(want), "{what}: {}", text.stdout);
        r
    }
}

/// How an image is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A cosign v3 bundle referrer.
    V3,
    /// A cosign v2 `.sig` signature.
    V2,
}

/// A signed layout (written), the image descriptor, and the v3 bundle if any.
struct Signed {
    layout: Layout,
    image: Value,
    bundle: Option<Value>,
}

impl Signed {
    fn digest(&self) -> String {
        self.image["digest"].as_str().unwrap().to_string()
    }
}

/// A layout with one image (a manifest, or an index) signed keyless in `shape`, broken as `br`
/// asks; `other_digest`: the signature names another digest.
fn signed(inst: &Instance, index: bool, shape: Shape, br: Breakage, other_digest: bool) -> Signed {
    let mut l = Layout::new();
    let image = if index { l.index_image() } else { l.image() };
    let digest = image["digest"].as_str().unwrap().to_string();
    let claimed = if other_digest {
        sha(b"another manifest")
    } else {
        digest
    };
    let bundle = match shape {
        Shape::V3 => {
            let b = make_dsse_bundle(inst, &claimed, br);
            add_bundle_bytes(&mut l, &image, &serde_json::to_vec(&b).unwrap());
            Some(b)
        }
        Shape::V2 => {
            add_keyless_sig(&mut l, inst, &image, &claimed, br);
            None
        }
    };
    l.write();
    Signed {
        layout: l,
        image,
        bundle,
    }
}

/// Python sigstore's verdict on the v3 bundle of `s` (over the image manifest, its subject)
/// under the instance's trust root must be `ours`. Returns whether it was asked.
fn python_agrees(inst: &Instance, s: &Signed, identity: &str, issuer: &str, ours: bool) -> bool {
    python_agrees_under(&inst.trust_root(), s, (identity, issuer), ours)
}

/// [`python_agrees`] under `trust_root`.
fn python_agrees_under(
    trust_root: &Value,
    s: &Signed,
    (identity, issuer): (&str, &str),
    ours: bool,
) -> bool {
    let Some(bundle) = &s.bundle else {
        return false;
    };
    let manifest = s.layout.read(&s.digest());
    match python_sigstore(trust_root, bundle, &manifest, identity, issuer) {
        Some(theirs) => {
            assert_eq!(
                theirs, ours,
                "python sigstore and airgap-verify disagree on {bundle}"
            );
            true
        }
        None => false,
    }
}

fn skip_python_once(asked: bool) {
    if !asked {
        skip("Python sigstore (pip install sigstore) not installed: no independent verdict on the bundles");
    }
}

#[test]
fn keyless_v2_and_v3_images_and_indexes_verify_from_folders_and_archives() {
    let root = Root::new();
    let mut asked = false;
    for index in [false, true] {
        for shape in [Shape::V3, Shape::V2] {
            let s = signed(&root.inst, index, shape, Breakage::default(), false);
            let digest = s.digest();
            let what = format!("index {index}, {shape:?}");
            let r = root.json(s.layout.path());
            assert_eq!(r.code, 0, "{what}: {}{}", r.stdout, r.stderr);
            let res = r.result();
            assert_eq!(res["provider"], "cosign", "{what}");
            assert_eq!(res["verdict"], "verified", "{what}");
            assert_eq!(res["digest"], digest.as_str(), "{what}");
            let c = &res["cosign"];
            assert_eq!(c["mode"], "keyless", "{what}");
            assert_eq!(c["issuer"], ISSUER, "{what}");
            assert_eq!(c["subject"], IDENTITY, "{what}");
            assert_eq!(
                c["format"],
                match shape {
                    Shape::V3 => "bundle",
                    Shape::V2 => "simple-signing",
                },
                "{what}"
            );
            // The log's integrated time, a minute into the certificate's validity.
            assert_eq!(c["signingTimes"][0]["source"], "tlog", "{what}: {c}");
            assert!(c.get("keyId").is_none(), "{what}: {c}");

            let text = root.verify(s.layout.path(), SUBJECT_RE, ISSUER_RE, &[]);
            assert_eq!(text.code, 0, "{what}: {}", text.stderr);
            assert!(
                text.stdout
                    .contains(&format!("verified signature of revision v1@{digest}")),
                "{what}: {}",
                text.stdout
            );
            assert!(
                text.stdout.contains(&format!(
                    "provider: cosign (keyless), issuer {ISSUER}, subject {IDENTITY}"
                )),
                "{what}: {}",
                text.stdout
            );

            // The same layout as an archive.
            let tar = root
                .dir
                .path()
                .join(format!("bundle-{index}-{shape:?}.tar"));
            std::fs::write(&tar, tar_of(s.layout.path(), None)).unwrap();
            let r = root.json(&tar);
            assert_eq!(r.code, 0, "{what} (tar): {}{}", r.stdout, r.stderr);
            assert_eq!(r.result()["cosign"]["subject"], IDENTITY);

            asked |= python_agrees(&root.inst, &s, IDENTITY, ISSUER, true);
        }
    }
    skip_python_once(asked);
}

#[test]
fn keyless_attestation_names_the_mode_and_identity_and_verifies() {
    let root = Root::new();
    let s = signed(&root.inst, false, Shape::V3, Breakage::default(), false);
    skip_python_once(python_agrees(&root.inst, &s, IDENTITY, ISSUER, true));
    let out = root.dir.path().join("app.dsse.json");
    let key = fixtures_dir().join("attest/p256.key");
    let r = root.verify(
        s.layout.path(),
        SUBJECT_RE,
        ISSUER_RE,
        &[
            "--attest-key",
            key.to_str().unwrap(),
            "--attestation",
            out.to_str().unwrap(),
            "--scope",
            "registry.example/app",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let envelope: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let statement: Value =
        serde_json::from_slice(&B64.decode(envelope["payload"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(statement["subject"][0]["digest"]["sha256"], s.digest()[7..]);
    let predicate = &statement["predicate"];
    assert_eq!(
        predicate["verifiedLevels"],
        serde_json::json!(["COSIGN_KEYLESS"]),
        "{predicate}"
    );
    let text = predicate.to_string();
    assert!(text.contains(ISSUER), "{text}");
    assert!(text.contains(IDENTITY), "{text}");
    assert_eq!(predicate["verificationResult"], "PASSED", "{predicate}");

    // The trust-material digest covers the trust root and the identities, by the recipe of
    // `CosignMaterial::digest_input`.
    let material = |subject: &str| {
        let q = |s: &str| Value::String(s.to_string()).to_string();
        let text = format!(
            "cosign/v1\nkeyless\ntrusted-root {}\nidentity {} {}\n",
            sha(&root.inst.trust_root_json()),
            q(ISSUER_RE),
            q(subject)
        );
        sha(text.as_bytes())
    };
    let want = material(SUBJECT_RE);
    assert_eq!(
        predicate["policy"]["digest"]["sha256"].as_str(),
        Some(&want[7..]),
        "{predicate}"
    );

    let pubkey = fixtures_dir().join("attest/p256.pub");
    let check = |extra: &[&str]| {
        let mut args: Vec<OsString> = vec![
            "verify-attestation".into(),
            out.clone().into(),
            "--key".into(),
            pubkey.clone().into(),
            "--bundle".into(),
            s.layout.path().into(),
        ];
        args.extend(extra.iter().map(OsString::from));
        run(&args)
    };
    let v = check(&[]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    // A cosign verification ranks permissive: it checks no revocation, which strict enforces.
    let v = check(&["--min-level", "strict"]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stderr
            .contains("records verification level cosign-keyless, below the minimum level strict"),
        "{}",
        v.stderr
    );
    let v = check(&["--policy-digest", &want]);
    assert_eq!(v.code, 0, "{want}: {}{}", v.stdout, v.stderr);
    // Other identities are other trust material.
    let v = check(&[
        "--policy-digest",
        &material("^https://github\\.com/example/"),
    ]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    // The digest recomputed from the keyless flags and the trust root file: the same ones
    // verify, another subject pattern or another trust root does not.
    let root_file = root.file.to_str().unwrap();
    let keyless = |subject: &'static str, root_file: &str| {
        let mut args = vec![
            "--certificate-identity-regexp",
            subject,
            "--certificate-oidc-issuer-regexp",
            ISSUER_RE,
            "--trusted-root",
        ];
        args.push(root_file);
        check(&args)
    };
    let v = keyless(SUBJECT_RE, root_file);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let v = keyless("^https://github\\.com/example/", root_file);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stderr.contains("was made under trust material"),
        "{}",
        v.stderr
    );
    let other = Root::new();
    let v = keyless(SUBJECT_RE, other.file.to_str().unwrap());
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    // The image's digest is what it is about, not another's.
    for (digest, code) in [(s.digest(), 0), (sha(b"another manifest"), 1)] {
        let v = run(&[
            OsString::from("verify-attestation"),
            out.clone().into(),
            "--key".into(),
            pubkey.clone().into(),
            "--digest".into(),
            digest.into(),
        ]);
        assert_eq!(v.code, code, "{}{}", v.stdout, v.stderr);
    }
}

fn prefix(shape: Shape) -> &'static str {
    match shape {
        Shape::V3 => "no matching attestations: ",
        Shape::V2 => "no matching signatures: ",
    }
}

#[test]
fn each_broken_check_fails_through_the_binary_and_python_agrees() {
    let root = Root::new();
    let mut asked = false;
    for index in [false, true] {
        for shape in [Shape::V3, Shape::V2] {
            for (name, br, want) in Breakage::each() {
                // A v2 signature carries no inclusion proof: its Rekor bundle's SET is the log's
                // promise, and without that annotation there is no log proof at all.
                let want = match (shape, br.no_inclusion_proof) {
                    (Shape::V2, true) => {
                        "the signature has no Rekor bundle: offline verification failed"
                    }
                    _ => want,
                };
                let s = signed(&root.inst, index, shape, br, false);
                let what = format!("index {index}, {shape:?}, {name}");
                root.fails(&s, (SUBJECT_RE, ISSUER_RE), &[], shape, want, &what);
                asked |= python_agrees(&root.inst, &s, IDENTITY, ISSUER, false);
            }
        }
    }
    skip_python_once(asked);
}

#[test]
fn wrong_identity_and_another_digest_fail_through_the_binary() {
    let root = Root::new();
    let mut asked = false;
    for index in [false, true] {
        for shape in [Shape::V3, Shape::V2] {
            let s = signed(&root.inst, index, shape, Breakage::default(), false);
            let got = format!("got subjects [{IDENTITY}] with issuer {ISSUER}");
            for (subject, issuer, py_identity, py_issuer) in [
                (
                    "^https://github\\.com/other/",
                    ISSUER_RE,
                    "https://github.com/other/app/.github/workflows/release.yml@refs/heads/main",
                    ISSUER,
                ),
                (
                    SUBJECT_RE,
                    "^https://accounts\\.google\\.com$",
                    IDENTITY,
                    "https://accounts.google.com",
                ),
            ] {
                let what = format!("index {index}, {shape:?}, identity {subject} {issuer}");
                root.fails(
                    &s,
                    (subject, issuer),
                    &[],
                    shape,
                    &format!(
                        "none of the expected identities matched what was in the certificate, {got}"
                    ),
                    &what,
                );
                asked |= python_agrees(&root.inst, &s, py_identity, py_issuer, false);
            }

            let s = signed(&root.inst, index, shape, Breakage::default(), true);
            let what = format!("index {index}, {shape:?}, another digest");
            let want = match shape {
                Shape::V3 => "no matching subject digest found",
                Shape::V2 => "invalid or missing digest in claim",
            };
            root.fails(&s, (SUBJECT_RE, ISSUER_RE), &[], shape, want, &what);
            asked |= python_agrees(&root.inst, &s, IDENTITY, ISSUER, false);
        }
    }
    skip_python_once(asked);
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// `--at` judges the log's time: a time before the entry was integrated fails; a time long
/// after the short-lived certificate expired verifies, the certificate being judged at the
/// log's integrated time.
#[test]
fn at_before_the_log_time_fails_and_after_the_certificate_expired_verifies() {
    let root = Root::new();
    let mut asked = false;
    for shape in [Shape::V3, Shape::V2] {
        let s = signed(&root.inst, false, shape, Breakage::default(), false);
        asked |= python_agrees(&root.inst, &s, IDENTITY, ISSUER, true);
        let logged = root.log_time(&s);
        // The leaf expired 10 minutes after it was issued, 50 minutes ago: judged at the log
        // time, it verifies a day from now too.
        let later = rfc3339(OffsetDateTime::now_utc() + time::Duration::days(1));
        let r = root.verify(
            s.layout.path(),
            SUBJECT_RE,
            ISSUER_RE,
            &["--at", &later, "--format", "json"],
        );
        assert_eq!(r.code, 0, "{shape:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.result()["verdict"], "verified");

        let before = rfc3339(logged - time::Duration::seconds(30));
        let r = root.fails(
            &s,
            (SUBJECT_RE, ISSUER_RE),
            &["--at", &before],
            shape,
            "the log's integrated time",
            &format!("{shape:?} --at {before}"),
        );
        assert!(
            r.result()["message"]
                .as_str()
                .unwrap()
                .contains("is in the future"),
            "{}",
            r.stdout
        );
    }
    skip_python_once(asked);
}

/// The trust root's validity windows are judged at the signing time, as sigstore-go (cosign's
/// and Flux's verifier) judges them: a CA, log key or CT log key whose window closed before the
/// log's integrated time fails the bundle; one that closed after it (and before now) does not.
/// Python sigstore judges no window's end when verifying (it takes expired authorities too), so
/// it is asked only where the window is open.
#[test]
fn trust_root_windows_are_judged_at_the_log_time() {
    let root = Root::new();
    let mut asked = false;
    for shape in [Shape::V3, Shape::V2] {
        let s = signed(&root.inst, false, shape, Breakage::default(), false);
        let logged = root.log_time(&s);
        // The SCT is dated a second after the leaf's start, a minute before the log time.
        for (window, pointer, want) in [
            (
                "CA",
                "/certificateAuthorities/0/validFor",
                "of the trust root is not valid at the signing time",
            ),
            (
                "log key",
                "/tlogs/0/publicKey/validFor",
                "the transparency log's key is not valid at the integrated time",
            ),
            (
                "CT log key",
                "/ctlogs/0/publicKey/validFor",
                "the SCT's CT log is not valid at the SCT's time",
            ),
        ] {
            for (end, verifies) in [
                (logged + time::Duration::minutes(5), true),
                (logged - time::Duration::minutes(5), false),
            ] {
                let mut tr = root.inst.trust_root();
                tr.pointer_mut(pointer).unwrap()["end"] = Value::String(rfc3339(end));
                let file = root.dir.path().join("windowed_root.json");
                std::fs::write(&file, serde_json::to_vec(&tr).unwrap()).unwrap();
                let windowed = Root {
                    inst: Instance::new(),
                    dir: tempfile::tempdir().unwrap(),
                    file,
                };
                let what = format!("{shape:?}, {window} valid until {end}");
                if verifies {
                    let r = windowed.json(s.layout.path());
                    assert_eq!(r.code, 0, "{what}: {}{}", r.stdout, r.stderr);
                } else {
                    windowed.fails(&s, (SUBJECT_RE, ISSUER_RE), &[], shape, want, &what);
                }
                if verifies {
                    asked |= python_agrees_under(&tr, &s, (IDENTITY, ISSUER), true);
                }
            }
        }
    }
    skip_python_once(asked);
}

/// The Flux manifests: an OCIRepository with `provider: cosign` and `matchOIDCIdentity`, and
/// (when `secret`) a `trustedRootSecretRef` Secret holding the trust root.
fn flux_manifests(root: &Instance, subject: &str, secret: bool) -> String {
    let verify_root = if secret {
        "    trustedRootSecretRef:\n      name: sigstore-root\n"
    } else {
        ""
    };
    let json = String::from_utf8(root.trust_root_json())
        .unwrap()
        .replace('\n', "\n    ");
    let secret_doc = if secret {
        format!("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: sigstore-root\n  namespace: flux-system\nstringData:\n  trusted_root.json: |\n    {json}\n")
    } else {
        String::new()
    };
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  url: oci://registry.example/app\n  ref:\n    tag: v1\n  verify:\n    provider: cosign\n    matchOIDCIdentity:\n      - issuer: '{ISSUER_RE}'\n        subject: '{subject}'\n{verify_root}{secret_doc}"
    )
}

#[test]
fn flux_keyless_with_a_trusted_root_secret_or_the_flag() {
    let root = Root::new();
    let mut asked = false;
    for (index, shape) in [(false, Shape::V3), (true, Shape::V2)] {
        let s = signed(&root.inst, index, shape, Breakage::default(), false);
        asked |= python_agrees(&root.inst, &s, IDENTITY, ISSUER, true);
        let digest = s.digest();
        let f = root.dir.path().join("flux.yaml");
        let flux = |manifests: String, extra: &[&str]| {
            std::fs::write(&f, manifests).unwrap();
            let mut args: Vec<OsString> = vec![
                "verify".into(),
                s.layout.path().into(),
                "--flux".into(),
                f.clone().into(),
            ];
            args.extend(extra.iter().map(OsString::from));
            run(&args)
        };
        let what = format!("index {index}, {shape:?}");

        let r = flux(
            flux_manifests(&root.inst, SUBJECT_RE, true),
            &["--format", "json"],
        );
        assert_eq!(r.code, 0, "{what}: {}{}", r.stdout, r.stderr);
        let res = r.result();
        assert_eq!(res["flux"]["status"], "True", "{what}: {}", r.stdout);
        assert_eq!(
            res["flux"]["message"],
            format!("verified signature of revision v1@{digest}"),
            "{what}"
        );
        assert_eq!(res["cosign"]["mode"], "keyless", "{what}");
        assert_eq!(res["cosign"]["subject"], IDENTITY, "{what}");
        assert_eq!(res["cosign"]["issuer"], ISSUER, "{what}");

        let r = flux(
            flux_manifests(&root.inst, "^https://github\\.com/other/", true),
            &["--format", "json"],
        );
        assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
        let m = r.result()["flux"]["message"].as_str().unwrap();
        assert!(
            m.starts_with(&format!(
                "failed to verify the signature using provider 'cosign keyless': {}",
                prefix(shape)
            )),
            "{what}: {m}"
        );
        assert!(
            m.contains("none of the expected identities matched"),
            "{what}: {m}"
        );

        // Without trustedRootSecretRef, the root of --trusted-root.
        let file = root.file.to_str().unwrap();
        let r = flux(
            flux_manifests(&root.inst, SUBJECT_RE, false),
            &["--trusted-root", file, "--format", "json"],
        );
        assert_eq!(r.code, 0, "{what}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.result()["flux"]["status"], "True", "{what}");
        assert_eq!(r.result()["cosign"]["subject"], IDENTITY, "{what}");
        // ... and another instance's root there does not verify it.
        let other = Root::new();
        let r = flux(
            flux_manifests(&root.inst, SUBJECT_RE, false),
            &["--trusted-root", other.file.to_str().unwrap()],
        );
        assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .contains("failed to verify the signature using provider 'cosign keyless': "),
            "{what}: {}",
            r.stdout
        );
    }
    skip_python_once(asked);
}

#[test]
fn keyless_flags_that_cannot_be_used_are_usage_errors() {
    let root = Root::new();
    let s = signed(&root.inst, false, Shape::V3, Breakage::default(), false);
    let bad_re = root.verify(s.layout.path(), SUBJECT_RE, "issuer(", &[]);
    assert_eq!(bad_re.code, 2, "{}{}", bad_re.stdout, bad_re.stderr);
    assert!(bad_re.stderr.contains("issuer("), "{}", bad_re.stderr);

    let not_root = root.dir.path().join("not-a-root.json");
    std::fs::write(&not_root, b"{}").unwrap();
    let r = run(&[
        OsString::from("verify"),
        s.layout.path().into(),
        "--certificate-identity-regexp".into(),
        SUBJECT_RE.into(),
        "--certificate-oidc-issuer-regexp".into(),
        ISSUER_RE.into(),
        "--trusted-root".into(),
        not_root.clone().into(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("trust root {}: ", not_root.display())),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("is not a Sigstore trusted root"),
        "{}",
        r.stderr
    );

    // cosign asks for both an identity and an issuer.
    let r = run(&[
        OsString::from("verify"),
        s.layout.path().into(),
        "--certificate-identity-regexp".into(),
        SUBJECT_RE.into(),
        "--trusted-root".into(),
        root.file.clone().into(),
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("--certificate-oidc-issuer-regexp"),
        "{}",
        r.stderr
    );
}

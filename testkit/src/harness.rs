//! Shared by the `verify_*` integration tests: build a signed layout and a trust folder at test
//! time, run `airgap-verify verify --format json` and read the report.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use airgap_verify::oci::digest::Descriptor;
use airgap_verify::pki::cert::Cert;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::layout::{Envelope, ImageSpec, Layout};
use crate::pki::{pem, Issued, Pki, LONG_AGO};
use crate::sign::SignOptions;

/// The scope every generated image is verified under.
pub const SCOPE: &str = "registry.example/app";

/// A signing time inside every generated certificate's validity.
pub fn signed_at() -> OffsetDateTime {
    LONG_AGO + time::Duration::days(30)
}

/// One signature to put in a layout.
pub struct Sig<'a> {
    pub kind: Envelope,
    pub opts: SignOptions,
    pub chain: Vec<Cert>,
    pub signer: &'a Issued,
}

impl<'a> Sig<'a> {
    /// A JWS signature by the PKI's leaf, as notation writes it.
    pub fn jws(pki: &'a Pki) -> Sig<'a> {
        Sig::by(Envelope::Jws, pki.chain(), &pki.leaf)
    }

    /// A COSE signature by the PKI's leaf.
    pub fn cose(pki: &'a Pki) -> Sig<'a> {
        Sig::by(Envelope::Cose, pki.chain(), &pki.leaf)
    }

    /// A signature with an explicit chain and signer.
    pub fn by(kind: Envelope, chain: Vec<Cert>, signer: &'a Issued) -> Sig<'a> {
        Sig {
            kind,
            opts: SignOptions::new(signed_at()),
            chain,
            signer,
        }
    }

    /// Change the signing options.
    pub fn with(mut self, f: impl FnOnce(&mut SignOptions)) -> Sig<'a> {
        f(&mut self.opts);
        self
    }
}

/// A temporary folder holding a layout with one image tagged `v1` and its signatures.
pub struct Bundle {
    pub tmp: tempfile::TempDir,
    pub layout: PathBuf,
    pub image: Descriptor,
}

impl Bundle {
    /// Sign one image with each signature in order.
    pub fn signed(sigs: &[Sig<'_>]) -> Bundle {
        Bundle::build(|layout, image| {
            for s in sigs {
                layout.sign(image, s.kind, &s.opts, &s.chain, s.signer);
            }
        })
    }

    /// A layout with one image; `add` adds the signatures.
    pub fn build(add: impl FnOnce(&mut Layout, &Descriptor)) -> Bundle {
        let tmp = tempfile::tempdir().unwrap();
        let mut layout = Layout::create(&tmp.path().join("layout"));
        let image = layout.add_image(&ImageSpec::new("app").tag("v1"));
        add(&mut layout, &image);
        let layout = layout.finish();
        Bundle { tmp, layout, image }
    }

    /// A path in the temporary folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Write a trust folder (`trustpolicy.json` + files) and return it.
    pub fn trust(&self, policy: &Value, files: &[(&str, Vec<u8>)]) -> PathBuf {
        let dir = self.path("trust");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("trustpolicy.json"),
            serde_json::to_vec_pretty(policy).unwrap(),
        )
        .unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        dir
    }

    /// Verify with a trust folder made of `policy` and `certs` (as `cert<i>.crt`), under
    /// [`SCOPE`], with more arguments.
    pub fn verify(&self, policy: &Value, certs: &[&Cert], extra: &[&str]) -> Run {
        let files = cert_files(certs);
        let dir = self.trust(policy, &files);
        self.verify_dir(&dir, extra)
    }

    /// Verify with a prepared trust folder under [`SCOPE`].
    pub fn verify_dir(&self, dir: &Path, extra: &[&str]) -> Run {
        let mut args: Vec<OsString> = vec![
            "--trust-dir".into(),
            dir.into(),
            "--ref".into(),
            "v1".into(),
            "--scope".into(),
            SCOPE.into(),
        ];
        args.extend(extra.iter().map(OsString::from));
        run_verify(&self.layout, &args)
    }
}

/// Certificates as trust folder entries `cert<i>.crt` (PEM).
pub fn cert_files(certs: &[&Cert]) -> Vec<(&'static str, Vec<u8>)> {
    const NAMES: [&str; 6] = [
        "cert0.crt",
        "cert1.crt",
        "cert2.crt",
        "cert3.crt",
        "cert4.crt",
        "cert5.crt",
    ];
    certs
        .iter()
        .zip(NAMES)
        .map(|(c, n)| (n, pem(c).into_bytes()))
        .collect()
}

/// A trust policy statement value: `level` (a name or a full `signatureVerification` object),
/// the stores and identities.
pub fn statement(name: &str, scopes: &[&str], verification: Value, stores: &[&str]) -> Value {
    json!({
        "name": name,
        "registryScopes": scopes,
        "signatureVerification": verification,
        "trustStores": stores,
        "trustedIdentities": ["*"],
    })
}

/// A policy document of statements.
pub fn policy_of(statements: Vec<Value>) -> Value {
    json!({"version": "1.0", "trustPolicies": statements})
}

/// A one-statement policy for every scope with `signatureVerification` and `ca:not-existing`.
pub fn policy(verification: Value) -> Value {
    policy_of(vec![statement(
        "all",
        &["*"],
        verification,
        &["ca:not-existing"],
    )])
}

/// A one-statement policy at a level.
pub fn level(name: &str) -> Value {
    policy(json!({"level": name}))
}

/// The output of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub json: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The first result.
    pub fn result(&self) -> &Value {
        &self.json["results"][0]
    }

    /// `verified`, `ignored` or `failed`.
    pub fn verdict(&self) -> &str {
        self.result()["verdict"].as_str().unwrap_or("")
    }

    /// The image's message.
    pub fn message(&self) -> &str {
        self.result()["message"].as_str().unwrap_or("")
    }

    /// Signature `i` of the first result.
    pub fn sig(&self, i: usize) -> &Value {
        &self.result()["signatures"][i]
    }

    /// The number of signatures tried.
    pub fn attempts(&self) -> usize {
        self.result()["signatures"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    }

    /// Check `name` of signature `i`.
    pub fn check(&self, i: usize, name: &str) -> &str {
        self.sig(i)["checks"][name].as_str().unwrap_or("")
    }

    /// The error of signature `i`.
    pub fn error(&self, i: usize) -> &str {
        self.sig(i)["error"].as_str().unwrap_or("")
    }

    /// Every warning of the image, joined.
    pub fn warnings(&self) -> String {
        self.result()["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    /// Assert the exit code and verdict, printing the whole run on failure.
    pub fn expect(&self, code: i32, verdict: &str) -> &Run {
        assert_eq!(
            (self.code, self.verdict()),
            (code, verdict),
            "unexpected outcome: {self:#?}"
        );
        self
    }

    /// Assert a usage / configuration error (exit 2) whose message contains `text`, and that
    /// nothing panicked.
    pub fn expect_config_error(&self, text: &str) -> &Run {
        assert_eq!(self.code, 2, "{self:#?}");
        assert!(self.stderr.contains(text), "{text:?} not in {self:#?}");
        self.no_panic()
    }

    /// Assert no panic message.
    pub fn no_panic(&self) -> &Run {
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }
}

/// Run `airgap-verify verify BUNDLE --format json ARGS`.
pub fn run_verify(bundle: &Path, args: &[OsString]) -> Run {
    let mut all: Vec<OsString> = vec![
        "verify".into(),
        bundle.into(),
        "--format".into(),
        "json".into(),
    ];
    all.extend(args.iter().cloned());
    run(&all)
}

/// Run `airgap-verify ARGS`; `json` is the standard output parsed, or null.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(crate::bin()).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

//! Every case of the Sigstore project's bundle-verification suite (`sigstore-conformance`,
//! `../shared/conformance/sigstore-conformance/bundle-verify`) gives its verdict through the
//! library's bundle verifier: a folder ending in `_fail` must fail, every other must verify.

use std::fs;
use std::path::Path;

use airgap_verify::cosign::bundle::{self, Artifact, Policy};
use airgap_verify::cosign::{CosignKey, IdentityMatcher, TrustRoot};
use airgap_verify::testdata::conformance;

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn read_trimmed(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok().map(|s| s.trim().to_string())
}

/// The verdict of one case: Ok(()) verified, Err(why) not.
fn verify_case(suite: &Path, case: &Path) -> Result<(), String> {
    let root_file = if case.join("trusted_root.json").is_file() {
        case.join("trusted_root.json")
    } else {
        suite.join("trusted_root.public-good.json")
    };
    let root_json = fs::read(&root_file).map_err(|e| e.to_string())?;
    let root = TrustRoot::from_json(&root_file.display().to_string(), &root_json)
        .map_err(|e| e.to_string())?;
    let artifact_path = if case.join("artifact").is_file() {
        case.join("artifact")
    } else {
        case.parent().unwrap().join("a.txt")
    };
    let artifact = fs::read(&artifact_path).map_err(|e| e.to_string())?;
    let key = match fs::read(case.join("key.pub")) {
        Ok(pem) => Some(CosignKey::from_pem("key.pub", &pem)?),
        Err(_) => None,
    };
    let identity = read_trimmed(&case.join("identity")).unwrap_or_else(|| IDENTITY.to_string());
    let issuer = read_trimmed(&case.join("issuer")).unwrap_or_else(|| ISSUER.to_string());
    let identities = [IdentityMatcher::exact(&issuer, &identity)?];
    let json = fs::read(case.join("bundle.sigstore.json")).map_err(|e| e.to_string())?;
    let policy = Policy {
        trust_root: Some(&root),
        key: key.as_ref(),
        identities: &identities,
        require_tlog: true,
        at: time::OffsetDateTime::now_utc(),
    };
    bundle::verify(&json, Artifact::Bytes(&artifact), &policy)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn every_sigstore_conformance_case_gives_its_verdict() {
    let Some(dir) = conformance() else { return };
    let suite = dir.join("sigstore-conformance");
    let cases_dir = suite.join("bundle-verify");
    let mut cases: Vec<_> = fs::read_dir(&cases_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 60, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let must_fail = name.ends_with("_fail");
        let verdict = verify_case(&suite, case);
        eprintln!("{name}: {verdict:?}");
        if verdict.is_ok() == must_fail {
            wrong.push(format!("{name}: {verdict:?}"));
        }
    }
    eprintln!(
        "{} of {} cases give their verdict",
        cases.len() - wrong.len(),
        cases.len()
    );
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
}

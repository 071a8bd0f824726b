//! Offline revocation through the CLI (NOTATION.md §8): notation's CRL test material (a chain
//! whose leaf and intermediate name CRL distribution points, its leaf key and CRLs) signs a layout
//! at test time; each CRL is given with `--crl` or as a `*.crl` key of the trust folder.
#![cfg(test)]

use std::path::PathBuf;

use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{level, policy, Bundle, Run, Sig};
use airgap_verify_testkit::layout::Envelope;
use airgap_verify_testkit::openssl::must as openssl;
use airgap_verify_testkit::pki::{self, CertSpec, Issued};
use airgap_verify_testkit::sign::SignKey;
use serde_json::json;
use time::macros::datetime;

/// notation's CRL material, and a layout signed by its leaf.
struct Crl {
    dir: PathBuf,
    root: Cert,
    bundle: Bundle,
}

impl Crl {
    fn new() -> Option<Crl> {
        let dir = airgap_verify_testkit::conformance()?.join("notation/config/crl");
        let chain = parse_certificates(
            &std::fs::read(dir.join("certchain_with_crl.pem")).unwrap(),
            8,
        )
        .unwrap();
        let root = parse_certificates(&std::fs::read(dir.join("root.crt")).unwrap(), 1)
            .unwrap()
            .remove(0);
        let key = SignKey::from_pkcs8_pem(&std::fs::read_to_string(dir.join("leaf.key")).unwrap())
            .unwrap();
        let leaf = Issued {
            cert: chain[0].clone(),
            key,
            spec: CertSpec::leaf("LeafCert", KeySpec::Rsa2048),
        };
        let bundle = Bundle::signed(&[Sig::by(Envelope::Jws, chain, &leaf)
            .with(|o| o.signing_time = Some(datetime!(2025-01-01 00:00 UTC)))]);
        Some(Crl { dir, root, bundle })
    }

    fn file(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }

    /// Verify with these CRL files given as `--crl`.
    fn verify(&self, policy: &serde_json::Value, crls: &[&str], extra: &[&str]) -> Run {
        let mut args: Vec<String> = Vec::new();
        for c in crls {
            args.push("--crl".into());
            args.push(self.file(c));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.bundle.verify(policy, &[&self.root], &args)
    }
}

fn statuses(r: &Run) -> Vec<String> {
    r.sig(0)["revocationDetails"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["status"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn valid_crls_verify_and_are_reported_per_certificate() {
    let Some(c) = Crl::new() else { return };
    let r = c.verify(&level("strict"), &["leaf.crl", "intermediate.crl"], &[]);
    r.expect(0, "verified");
    assert_eq!(r.check(0, "revocation"), "passed");
    assert_eq!(statuses(&r), ["ok", "ok", "non-revocable"]);
    let detail = r.sig(0)["revocationDetails"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("leaf.crl") && detail.contains("CN=IntermediateCA"),
        "{detail}"
    );
}

#[test]
fn crl_keys_of_the_trust_folder_are_used() {
    let Some(c) = Crl::new() else { return };
    let read = |n: &str| std::fs::read(c.dir.join(n)).unwrap();
    let dir = c.bundle.trust(
        &level("strict"),
        &[
            ("root.crt", std::fs::read(c.dir.join("root.crt")).unwrap()),
            ("leaf.crl", read("leaf.crl")),
            ("intermediate.crl", read("intermediate.crl")),
        ],
    );
    let r = c.bundle.verify_dir(&dir, &[]);
    r.expect(0, "verified");
    assert_eq!(statuses(&r), ["ok", "ok", "non-revocable"]);
    // The revoked leaf's CRL in the folder fails it.
    let dir = c.bundle.trust(
        &level("strict"),
        &[
            ("root.crt", std::fs::read(c.dir.join("root.crt")).unwrap()),
            ("leaf.crl", read("leaf_revoked.crl")),
            ("intermediate.crl", read("intermediate.crl")),
        ],
    );
    c.bundle.verify_dir(&dir, &[]).expect(1, "failed");
}

#[test]
fn a_revoked_leaf_fails_strict_and_is_logged_by_permissive() {
    let Some(c) = Crl::new() else { return };
    let crls = ["leaf_revoked.crl", "intermediate.crl"];
    let r = c.verify(&level("strict"), &crls, &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "revocation"), "failed");
    assert!(
        r.error(0)
            .contains("signing certificate with subject \"CN=LeafCert")
            && r.error(0).ends_with("is revoked"),
        "{r:#?}"
    );
    assert_eq!(statuses(&r)[0], "revoked");
    for name in ["permissive", "audit"] {
        let r = c.verify(&level(name), &crls, &[]);
        r.expect(0, "verified");
        assert_eq!(r.check(0, "revocation"), "logged", "{name}");
        assert!(
            r.warnings()
                .contains("revocation was set to \"log\" and failed with error:"),
            "{r:#?}"
        );
    }
    // A revoked intermediate too.
    c.verify(
        &level("strict"),
        &["leaf.crl", "intermediate_revoked.crl"],
        &[],
    )
    .expect(1, "failed");
}

#[test]
fn without_a_crl_the_status_is_unknown_unless_revocation_is_skipped() {
    let Some(c) = Crl::new() else { return };
    let r = c.verify(&level("strict"), &[], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "revocation"), "failed");
    assert!(
        r.error(0).contains("revocation status is unknown"),
        "{r:#?}"
    );
    assert_eq!(statuses(&r), ["unknown", "unknown", "non-revocable"]);
    let skip = policy(json!({"level": "strict", "override": {"revocation": "skip"}}));
    let r = c.verify(&skip, &[], &[]);
    r.expect(0, "verified");
    assert_eq!(r.check(0, "revocation"), "skipped");
    // Only the leaf's CRL: the intermediate is still unknown.
    c.verify(&level("strict"), &["leaf.crl"], &[])
        .expect(1, "failed");
}

#[test]
fn a_stale_crl_is_unknown() {
    let Some(c) = Crl::new() else { return };
    let r = c.verify(
        &level("strict"),
        &["leaf_expired.crl", "intermediate.crl"],
        &[],
    );
    r.expect(1, "failed");
    assert!(
        r.error(0).contains("revocation status is unknown"),
        "{r:#?}"
    );
    assert_eq!(statuses(&r)[0], "unknown");
}

#[test]
fn a_crl_signed_by_another_key_is_unknown() {
    let Some(c) = Crl::new() else { return };
    if !airgap_verify_testkit::openssl::available() {
        return;
    }
    // A CA with the intermediate's very name but another key issues a CRL for the leaf.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("ca.cnf"),
        "[ca]\ndefault_ca = x\n[x]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
         certificate = ca.pem\nprivate_key = ca.key\ndefault_md = sha256\ndefault_crl_days = 30\n",
    )
    .unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("crlnumber"), "01\n").unwrap();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/C=US/ST=State/L=City/O=Organization/OU=OrgUnit/CN=IntermediateCA",
        ],
    );
    openssl(
        d,
        &["ca", "-gencrl", "-config", "ca.cnf", "-out", "forged.crl"],
    );
    let forged = d.join("forged.crl");
    let r = c.bundle.verify(
        &level("strict"),
        &[&c.root],
        &[
            "--crl",
            forged.to_str().unwrap(),
            "--crl",
            &c.file("intermediate.crl"),
        ],
    );
    r.expect(1, "failed").no_panic();
    assert!(
        r.error(0).contains("revocation status is unknown"),
        "{r:#?}"
    );
    assert_eq!(statuses(&r)[0], "unknown");
}

#[test]
fn a_100_mb_crl_file_is_refused_with_exit_2() {
    let Some(c) = Crl::new() else { return };
    let big = c.bundle.path("huge.crl");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    c.bundle
        .verify(
            &level("strict"),
            &[&c.root],
            &["--crl", big.to_str().unwrap()],
        )
        .expect_config_error("over the limit");
}

#[test]
fn self_signed_chains_are_non_revocable_and_verify_under_strict() {
    let leaf = pki::self_signed_leaf("Revocation Self Signed", KeySpec::EcP256);
    let b = Bundle::signed(&[Sig::by(Envelope::Cose, vec![leaf.cert.clone()], &leaf)]);
    let r = b.verify(&level("strict"), &[&leaf.cert], &[]);
    r.expect(0, "verified");
    assert_eq!(r.check(0, "revocation"), "passed");
    assert_eq!(statuses(&r), ["non-revocable"]);
}

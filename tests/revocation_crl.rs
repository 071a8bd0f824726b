//! Offline revocation from CRL files: notation's e2e CRLs, notation-core-go's delta-CRL files,
//! and CRLs generated here with `openssl ca -gencrl` (wrong issuer, bad signature, stale, hold,
//! removeFromCRL).
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

use airgap_verify::limits::Limits;
use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::revocation::{
    check_chain_revocation, check_tsa_chain_revocation, CertStatus, ChainRevocation, CrlSet,
    RevocationError, RevocationReason, RevocationVerdict,
};
use time::macros::datetime;
use time::OffsetDateTime;

fn crl_dir(dir: &Path) -> PathBuf {
    dir.join("notation/config/crl")
}

fn chain(dir: &Path) -> Vec<Cert> {
    let pem = std::fs::read(crl_dir(dir).join("certchain_with_crl.pem")).unwrap();
    parse_certificates(&pem, 32).unwrap()
}

fn set(files: &[PathBuf]) -> CrlSet {
    let mut s = CrlSet::new();
    for f in files {
        s.add_file(f, &Limits::default()).unwrap();
    }
    s
}

const AT: OffsetDateTime = datetime!(2025-06-01 00:00 UTC);

#[test]
fn notation_crls_ok() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let c = crl_dir(&dir);
    let crls = set(&[c.join("leaf.crl"), c.join("intermediate.crl")]);
    let r = check_chain_revocation(&chain(&dir), &crls, AT, None);
    assert_eq!(r.verdict(), RevocationVerdict::Ok, "{r:?}");
    assert_eq!(r.failure_message(), None);
    assert_eq!(r.certs.len(), 3);
    match &r.certs[0].status {
        CertStatus::Ok { crl, delta: None } => {
            assert!(crl.issuer.contains("CN=IntermediateCA"), "{}", crl.issuer);
            assert!(crl.source.ends_with("leaf.crl"));
            assert_eq!(crl.sha256.len(), 64);
            assert!(crl.next_update.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(r.certs[1].status, CertStatus::Ok { .. }));
    assert_eq!(r.certs[2].status, CertStatus::NonRevocable);
    assert!(r.certs[0].subject.contains("CN=LeafCert"));
}

#[test]
fn notation_revoked_crls_revoke() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let c = crl_dir(&dir);
    let r = check_chain_revocation(
        &chain(&dir),
        &set(&[c.join("leaf_revoked.crl"), c.join("intermediate.crl")]),
        AT,
        None,
    );
    assert!(matches!(
        &r.verdict(),
        RevocationVerdict::Revoked { subject } if subject.contains("CN=LeafCert")
    ));
    match &r.certs[0].status {
        CertStatus::Revoked { date, .. } => {
            assert_eq!(*date, datetime!(2024-11-11 05:30:52 UTC))
        }
        other => panic!("{other:?}"),
    }
    let msg = r.failure_message().unwrap();
    assert!(msg.starts_with("signing certificate with subject"), "{msg}");
    assert!(msg.ends_with("is revoked"), "{msg}");

    let r = check_chain_revocation(
        &chain(&dir),
        &set(&[c.join("leaf.crl"), c.join("intermediate_revoked.crl")]),
        AT,
        None,
    );
    assert!(matches!(
        &r.verdict(),
        RevocationVerdict::Revoked { subject } if subject.contains("CN=IntermediateCA")
    ));
    // Revoked beats unknown: a revoked intermediate with no leaf CRL is still revoked.
    let r = check_chain_revocation(
        &chain(&dir),
        &set(&[c.join("intermediate_revoked.crl")]),
        AT,
        None,
    );
    assert!(matches!(r.verdict(), RevocationVerdict::Revoked { .. }));
    assert!(matches!(r.certs[0].status, CertStatus::Unknown { .. }));
}

#[test]
fn stale_and_missing_crls_are_unknown() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let c = crl_dir(&dir);
    let r = check_chain_revocation(
        &chain(&dir),
        &set(&[c.join("leaf_expired.crl"), c.join("intermediate.crl")]),
        AT,
        None,
    );
    // leaf_expired.crl is past its nextUpdate, and (as openssl confirms) it was signed by
    // another IntermediateCA key than the one in certchain_with_crl.pem: Unknown either way.
    match r.verdict() {
        RevocationVerdict::Unknown { subject, why } => {
            assert!(subject.contains("CN=LeafCert"));
            assert!(
                matches!(
                    why,
                    RevocationError::StaleCrl { .. } | RevocationError::CrlSignatureInvalid { .. }
                ),
                "{why}"
            );
        }
        other => panic!("{other:?}"),
    }
    let r = check_chain_revocation(&chain(&dir), &CrlSet::new(), AT, None);
    match &r.certs[0].status {
        CertStatus::Unknown {
            why: RevocationError::NoCrlForIssuer { issuer, urls },
        } => {
            assert!(issuer.contains("IntermediateCA"));
            assert!(urls.contains("leaf.crl"));
        }
        other => panic!("{other:?}"),
    }
    let msg = r.failure_message().unwrap();
    assert!(msg.contains("revocation status is unknown"), "{msg}");
    // The TSA wording.
    let r = check_tsa_chain_revocation(&chain(&dir), &CrlSet::new(), AT);
    assert!(r
        .failure_message()
        .unwrap()
        .starts_with("timestamping certificate with subject"));
}

#[test]
fn a_crl_of_another_issuer_is_not_used() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let c = crl_dir(&dir);
    // intermediate.crl is issued by the root: useless for the leaf.
    let r = check_chain_revocation(&chain(&dir), &set(&[c.join("intermediate.crl")]), AT, None);
    assert!(matches!(
        r.certs[0].status,
        CertStatus::Unknown {
            why: RevocationError::NoCrlForIssuer { .. }
        }
    ));
}

#[test]
fn pem_and_many_crls_per_file_load() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let c = crl_dir(&dir);
    let mut der = std::fs::read(c.join("leaf.crl")).unwrap();
    der.extend(std::fs::read(c.join("intermediate.crl")).unwrap());
    let mut s = CrlSet::new();
    assert_eq!(
        s.add_bytes("both.crl", &der, &Limits::default()).unwrap(),
        2
    );
    let pem = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-outform", "PEM", "-in"])
        .arg(c.join("leaf.crl"))
        .output();
    if let Ok(out) = pem {
        if out.status.success() {
            assert_eq!(
                s.add_bytes("leaf.pem", &out.stdout, &Limits::default())
                    .unwrap(),
                1
            );
        }
    }
    assert!(s.len() >= 2);
}

#[test]
fn a_100_mb_crl_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("huge.crl");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let err = CrlSet::new()
        .add_file(&path, &Limits::default())
        .unwrap_err();
    assert!(matches!(err, RevocationError::TooLarge { size, .. } if size == 100 * 1024 * 1024));
    assert!(err.to_string().contains("larger than the limit"), "{err}");
}

#[test]
fn notation_core_go_delta_crl_files() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let t = dir.join("notation-core-go/revocation/crl/testdata");
    let mut s = CrlSet::new();
    s.add_file(&t.join("delta.crl"), &Limits::default())
        .unwrap();
    assert!(s.iter().all(|c| c.is_delta()));
    let mut b = CrlSet::new();
    b.add_file(
        &t.join("crlWithMultipleFreshestCRLs.crl"),
        &Limits::default(),
    )
    .unwrap();
    assert!(b.iter().all(|c| !c.is_delta()));
    // The .cer files are certificates naming freshest CRLs; they must parse as certificates
    // or fail cleanly as CRLs, never panic.
    for entry in std::fs::read_dir(&t).unwrap() {
        let p = entry.unwrap().path();
        let _ = CrlSet::new().add_file(&p, &Limits::default());
    }
}

// ---- CRLs generated with openssl ----------------------------------------------------------

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn run(&self, args: &[&str]) {
        airgap_verify_testkit::openssl::must(self.dir.path(), args);
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A root CA `name` (EC P-256), with its own `openssl ca` database.
    fn ca(&self, name: &str, cn: &str) {
        std::fs::create_dir_all(self.path(name)).unwrap();
        std::fs::write(self.path(&format!("{name}/index.txt")), "").unwrap();
        std::fs::write(self.path(&format!("{name}/crlnumber")), "1000\n").unwrap();
        let cfg = format!(
            "[ca]\ndefault_ca = d\n[d]\ndatabase = {name}/index.txt\ncrlnumber = {name}/crlnumber\n\
             default_md = sha256\nnew_certs_dir = {name}\nserial = {name}/serial\n\
             [v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
             [leaf]\nkeyUsage = critical,digitalSignature\n\
             crlDistributionPoints = URI:http://example.test/{name}.crl\n"
        );
        std::fs::write(self.path(&format!("{name}.cnf")), cfg).unwrap();
        self.run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
            "-days",
            "3650",
            "-subj",
            &format!("/CN={cn}"),
            "-config",
            &format!("{name}.cnf"),
            "-extensions",
            "v3_ca",
        ]);
    }

    /// A leaf issued by `ca`, with a CRL distribution point.
    fn leaf(&self, ca: &str, name: &str, serial: &str) {
        self.run(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        self.run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.crt"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            serial,
            "-days",
            "365",
            "-out",
            &format!("{name}.crt"),
            "-extfile",
            &format!("{ca}.cnf"),
            "-extensions",
            "leaf",
        ]);
    }

    fn revoke(&self, ca: &str, name: &str, extra: &[&str]) {
        let mut args = vec![
            "ca".to_string(),
            "-config".into(),
            format!("{ca}.cnf"),
            "-keyfile".into(),
            format!("{ca}.key"),
            "-cert".into(),
            format!("{ca}.crt"),
            "-revoke".into(),
            format!("{name}.crt"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&refs);
    }

    /// `openssl ca -gencrl` by `ca` (signed with `key`), valid for `days`.
    fn gencrl(&self, ca: &str, key: &str, out: &str, days: &str) {
        self.run(&[
            "ca",
            "-gencrl",
            "-config",
            &format!("{ca}.cnf"),
            "-keyfile",
            &format!("{key}.key"),
            "-cert",
            &format!("{ca}.crt"),
            "-crldays",
            days,
            "-out",
            out,
        ]);
    }

    fn chain(&self, leaf: &str, ca: &str) -> Vec<Cert> {
        let mut c = parse_certificates(
            &std::fs::read(self.path(&format!("{leaf}.crt"))).unwrap(),
            8,
        )
        .unwrap();
        c.extend(
            parse_certificates(&std::fs::read(self.path(&format!("{ca}.crt"))).unwrap(), 8)
                .unwrap(),
        );
        c
    }

    fn check(&self, chain: &[Cert], crls: &[&str], at: OffsetDateTime) -> ChainRevocation {
        let files: Vec<PathBuf> = crls.iter().map(|c| self.path(c)).collect();
        check_chain_revocation(chain, &set(&files), at, None)
    }
}

fn openssl_pki() -> Option<Pki> {
    if !airgap_verify_testkit::openssl::available_or_skip() {
        return None;
    }
    Some(Pki {
        dir: tempfile::tempdir().unwrap(),
    })
}

#[test]
fn generated_crls_cover_issuer_signature_staleness_and_reasons() {
    let Some(pki) = openssl_pki() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    pki.ca("ca", "Test CA");
    pki.ca("other", "Other CA");
    // Same name as "ca", different key.
    pki.ca("impostor", "Test CA");
    pki.leaf("ca", "good", "0x1001");
    pki.leaf("ca", "bad", "0x1002");
    pki.leaf("ca", "held", "0x1003");
    let good = pki.chain("good", "ca");
    let bad = pki.chain("bad", "ca");
    let held = pki.chain("held", "ca");

    pki.gencrl("ca", "ca", "empty.crl", "30");
    let r = pki.check(&good, &["empty.crl"], now);
    assert_eq!(r.verdict(), RevocationVerdict::Ok, "{r:?}");

    // Stale: verified after nextUpdate.
    let r = pki.check(&good, &["empty.crl"], now + time::Duration::days(60));
    assert!(matches!(
        &r.certs[0].status,
        CertStatus::Unknown {
            why: RevocationError::StaleCrl { .. }
        }
    ));

    // Wrong issuer: a CRL from another CA does not apply.
    pki.gencrl("other", "other", "other.crl", "30");
    let r = pki.check(&good, &["other.crl"], now);
    assert!(matches!(
        &r.certs[0].status,
        CertStatus::Unknown {
            why: RevocationError::NoCrlForIssuer { .. }
        }
    ));

    // Bad signature: same issuer name, another key.
    pki.gencrl("impostor", "impostor", "impostor.crl", "30");
    let r = pki.check(&good, &["impostor.crl"], now);
    assert!(
        matches!(
            &r.certs[0].status,
            CertStatus::Unknown {
                why: RevocationError::CrlSignatureInvalid { .. }
            }
        ),
        "{r:?}"
    );
    // ...but a good CRL next to it is still used.
    let r = pki.check(&good, &["impostor.crl", "empty.crl"], now);
    assert_eq!(r.verdict(), RevocationVerdict::Ok);

    // Revoked with a reason, and certificateHold.
    pki.revoke("ca", "bad", &["-crl_reason", "keyCompromise"]);
    pki.revoke("ca", "held", &["-crl_hold", "holdInstructionReject"]);
    pki.gencrl("ca", "ca", "revoked.crl", "30");
    let r = pki.check(&bad, &["revoked.crl"], now);
    match &r.certs[0].status {
        CertStatus::Revoked { reason, crl, .. } => {
            assert_eq!(*reason, Some(RevocationReason::KeyCompromise));
            assert!(crl.number.is_some());
        }
        other => panic!("{other:?}"),
    }
    let r = pki.check(&held, &["revoked.crl"], now);
    assert!(matches!(
        &r.certs[0].status,
        CertStatus::Revoked {
            reason: Some(RevocationReason::CertificateHold),
            ..
        }
    ));
    // The good certificate is not on it; the newest CRL of the issuer is the one used.
    let r = pki.check(&good, &["empty.crl", "revoked.crl"], now);
    assert_eq!(r.verdict(), RevocationVerdict::Ok);
    let r = pki.check(&bad, &["empty.crl", "revoked.crl"], now);
    assert!(matches!(r.verdict(), RevocationVerdict::Revoked { .. }));
}

#[test]
fn remove_from_crl_and_invalidity_date_after_authentic_signing_time_are_ok() {
    let Some(pki) = openssl_pki() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    pki.ca("ca", "Test CA");
    pki.leaf("ca", "removed", "0x2001");
    pki.leaf("ca", "compromised", "0x2002");
    pki.revoke("ca", "removed", &["-crl_reason", "removeFromCRL"]);
    pki.revoke("ca", "compromised", &["-crl_compromise", "20300101000000Z"]);
    pki.gencrl("ca", "ca", "list.crl", "30");
    let r = pki.check(&pki.chain("removed", "ca"), &["list.crl"], now);
    assert_eq!(r.verdict(), RevocationVerdict::Ok, "{r:?}");
    let compromised = pki.chain("compromised", "ca");
    let r = pki.check(&compromised, &["list.crl"], now);
    assert!(matches!(
        &r.certs[0].status,
        CertStatus::Revoked {
            reason: Some(RevocationReason::KeyCompromise),
            ..
        }
    ));
    // Under signingAuthority: signed before the invalidity date, so not revoked.
    let crls = set(&[pki.path("list.crl")]);
    let r = check_chain_revocation(&compromised, &crls, now, Some(now));
    assert_eq!(r.verdict(), RevocationVerdict::Ok, "{r:?}");
    let later = datetime!(2031-01-01 00:00 UTC);
    let r = check_chain_revocation(&compromised, &crls, now, Some(later));
    assert!(matches!(r.verdict(), RevocationVerdict::Revoked { .. }));
}

#[test]
fn certificates_without_revocation_information_are_non_revocable() {
    let Some(dir) = airgap_verify_testkit::conformance() else {
        return;
    };
    let pem = std::fs::read(dir.join("notation/config/localkeys/e2e.crt")).unwrap();
    let c = parse_certificates(&pem, 8).unwrap();
    // A self-signed single certificate is the root: non-revocable.
    let r = check_chain_revocation(&c, &CrlSet::new(), AT, None);
    assert_eq!(r.certs[0].status, CertStatus::NonRevocable);
    assert_eq!(r.verdict(), RevocationVerdict::Ok);
}

#[test]
fn serial_numbers_longer_than_20_octets_are_read_in_certificates_and_crl_entries() {
    // Go's crypto/x509 reads serials of any length, in certificates and in CRL entries.
    let Some(pki) = openssl_pki() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    pki.ca("ca", "Long Serial CA");
    let long = |last: &str| format!("0x{}{last}", "5a".repeat(31));
    pki.leaf("ca", "revoked", &long("01"));
    pki.leaf("ca", "kept", &long("02"));
    let revoked = pki.chain("revoked", "ca");
    let kept = pki.chain("kept", "ca");
    assert_eq!(revoked[0].serial_hex(), format!("{}01", "5a".repeat(31)));
    pki.revoke("ca", "revoked", &["-crl_reason", "keyCompromise"]);
    pki.gencrl("ca", "ca", "long.crl", "30");
    let r = pki.check(&revoked, &["long.crl"], now);
    assert!(
        matches!(
            &r.certs[0].status,
            CertStatus::Revoked {
                reason: Some(RevocationReason::KeyCompromise),
                ..
            }
        ),
        "{r:?}"
    );
    let r = pki.check(&kept, &["long.crl"], now);
    assert_eq!(r.verdict(), RevocationVerdict::Ok, "{r:?}");
}

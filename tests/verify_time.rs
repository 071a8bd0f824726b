//! Time through the CLI (NOTATION.md §5, §6.1): `--at` for forensic re-verification, the time
//! each signature was judged at and its source, and RFC 3161 timestamps made at test time with
//! `openssl ts` (valid, untrusted, over other bytes, without the critical timeStamping EKU, a TSA
//! chain needing a CRL, `verifyTimestamp: afterCertExpiry`).
#![cfg(test)]

use std::ffi::OsString;
use std::path::Path;

use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::crypto::{HashAlg, KeySpec};
use airgap_verify_testkit::harness::{level, policy_of, run_verify, statement, Bundle, Sig};
use airgap_verify_testkit::openssl::must as openssl;
use airgap_verify_testkit::pki::{self, CertSpec, Issued, Pki, LONG_AGO};
use airgap_verify_testkit::sign::{SignKey, SignTimestamp};
use airgap_verify_testkit::tsa;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// notation's e2e layout signed on 2023-06-27T06:07:26Z by `expired_e2e.crt` (valid from
/// 2023-06-26T06:10:00Z to 2023-06-27T06:10:00Z), verified with `--at`.
fn expired_e2e(conf: &Path, at: Option<&str>) -> airgap_verify_testkit::harness::Run {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("trust");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        conf.join("notation/config/trustpolicies/trustpolicy.json"),
        dir.join("trustpolicy.json"),
    )
    .unwrap();
    std::fs::copy(
        conf.join("notation/config/localkeys/expired_e2e.crt"),
        dir.join("expired_e2e.crt"),
    )
    .unwrap();
    let mut args: Vec<OsString> = vec![
        "--trust-dir".into(),
        dir.into(),
        "--ref".into(),
        "v1".into(),
        "--scope".into(),
        "localhost:5000/e2e".into(),
    ];
    if let Some(at) = at {
        args.extend(["--at".into(), at.into()]);
    }
    run_verify(
        &conf.join("notation/oci_layout/e2e-with-expired-cert"),
        &args,
    )
}

#[test]
fn an_expired_certificate_verifies_with_at_inside_its_validity() {
    let Some(conf) = airgap_verify_testkit::conformance() else {
        return;
    };
    let r = expired_e2e(&conf, None);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert_eq!(r.result()["timeSource"], "now");
    let r = expired_e2e(&conf, Some("2023-06-27T06:09:00Z"));
    r.expect(0, "verified");
    assert_eq!(r.result()["time"], "2023-06-27T06:09:00Z");
    assert_eq!(r.result()["timeSource"], "at");
    assert_eq!(r.sig(0)["timeUsed"], "2023-06-27T06:09:00Z");
    assert_eq!(r.sig(0)["timeSource"], "at");
    // After the certificate's end, --at does not help.
    expired_e2e(&conf, Some("2023-06-28T00:00:00Z")).expect(1, "failed");
}

#[test]
fn at_before_the_signature_was_made_is_rejected() {
    if let Some(conf) = airgap_verify_testkit::conformance() {
        // The certificate is valid then, but the signature was made seven minutes later.
        let r = expired_e2e(&conf, Some("2023-06-27T06:00:00Z"));
        r.expect(1, "failed");
        assert_eq!(r.check(0, "authenticTimestamp"), "failed");
        // notation's words stay as they are; the flag is a hint beside them.
        assert!(!r.error(0).contains("--at"), "{r:#?}");
        assert!(
            r.sig(0)["hint"]
                .as_str()
                .unwrap_or_default()
                .contains("--at"),
            "{r:#?}"
        );
    }
    let pki = Pki::new("Time Before");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let before = rfc3339(airgap_verify_testkit::harness::signed_at() - Duration::days(1));
    let r = b.verify(&level("strict"), &[&pki.root.cert], &["--at", &before]);
    r.expect(1, "failed");
    assert_eq!(
        r.sig(0)["reason"],
        "signed-after-verification-time",
        "{r:#?}"
    );
    assert_eq!(
        r.sig(0)["hint"],
        "the verification time was given with --at",
        "{r:#?}"
    );
    let after = rfc3339(airgap_verify_testkit::harness::signed_at() + Duration::days(1));
    b.verify(&level("strict"), &[&pki.root.cert], &["--at", &after])
        .expect(0, "verified");
}

#[test]
fn at_in_a_bad_format_is_exit_2() {
    let pki = Pki::new("Time Format");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    for bad in [
        "yesterday",
        "2024-05-01",
        "2024-05-01 12:00:00",
        "2024-13-01T00:00:00Z",
    ] {
        b.verify(&level("strict"), &[&pki.root.cert], &["--at", bad])
            .expect_config_error("is not an RFC 3339 time");
    }
    b.verify(
        &level("strict"),
        &[&pki.root.cert],
        &["--at", "2030-05-01T12:00:00+02:00"],
    )
    .expect(0, "verified");
}

/// A policy trusting the Secret's certificates as CAs and as TSAs.
fn tsa_policy(verification: Value) -> Value {
    policy_of(vec![statement(
        "timestamped",
        &["*"],
        verification,
        &["ca:signers", "tsa:timestamps"],
    )])
}

/// A leaf valid until a day from now, so that `--at` a month ahead finds it expired.
fn short_leaf(pki: &Pki) -> Issued {
    let now = OffsetDateTime::now_utc();
    pki.issue_leaf(
        CertSpec::leaf("Time Short Leaf", KeySpec::EcP256).valid(LONG_AGO, now + Duration::days(1)),
    )
}

fn month_ahead() -> String {
    rfc3339(OffsetDateTime::now_utc() + Duration::days(30))
}

#[test]
fn a_trusted_timestamp_makes_an_expired_certificate_verify() {
    if !airgap_verify_testkit::openssl::available() {
        airgap_verify_testkit::skip("openssl not found");
        return;
    }
    let pki = Pki::new("Time Stamped");
    let leaf = short_leaf(&pki);
    let (tsa_root, tsa_leaf) = pki::tsa_chain("Time Stamped");
    let b = Bundle::signed(&[Sig::by(
        airgap_verify_testkit::layout::Envelope::Jws,
        pki.chain_for(&leaf),
        &leaf,
    )
    .with(|o| {
        o.timestamp =
            SignTimestamp::Countersign(tsa::countersigner(HashAlg::Sha256, &tsa_leaf, &[&tsa_root]))
    })]);
    let p = tsa_policy(json!({"level": "strict"}));
    let r = b.verify(
        &p,
        &[&pki.root.cert, &tsa_root.cert],
        &["--at", &month_ahead()],
    );
    r.expect(0, "verified");
    assert_eq!(r.check(0, "authenticTimestamp"), "passed");
    assert_eq!(r.sig(0)["timeSource"], "timestamp");
    assert_eq!(r.sig(0)["timeUsed"], r.sig(0)["timestamp"]["genTime"]);
    assert!(r.sig(0)["timestamp"]["tsaSubject"]
        .as_str()
        .unwrap()
        .contains("CN=Time Stamped TSA"));
    // The TSA is not trusted: authenticTimestamp fails.
    let r = b.verify(&p, &[&pki.root.cert], &["--at", &month_ahead()]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert!(
        r.error(0)
            .contains("failed to verify the timestamp countersignature"),
        "{r:#?}"
    );
    // Without the tsa: store the token is not looked at, and the expired leaf fails.
    let r = b.verify(
        &level("strict"),
        &[&pki.root.cert, &tsa_root.cert],
        &["--at", &month_ahead()],
    );
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
}

#[test]
fn a_token_over_other_bytes_fails_authentic_timestamp() {
    if !airgap_verify_testkit::openssl::available() {
        return;
    }
    let pki = Pki::new("Time Other Bytes");
    let (tsa_root, tsa_leaf) = pki::tsa_chain("Time Other Bytes");
    let token = tsa::timestamp_token(
        b"not the signature",
        HashAlg::Sha256,
        &tsa_leaf,
        &[&tsa_root],
    )
    .unwrap();
    let b = Bundle::signed(&[Sig::jws(&pki).with(|o| o.timestamp = SignTimestamp::Token(token))]);
    let r = b.verify(
        &tsa_policy(json!({"level": "strict"})),
        &[&pki.root.cert, &tsa_root.cert],
        &[],
    );
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert!(
        r.error(0)
            .contains("failed to get timestamp from timestamp countersignature with error: mismatched message"),
        "{r:#?}"
    );
    // afterCertExpiry: the chain is valid now, the token is not even read.
    let r = b.verify(
        &tsa_policy(json!({"level": "strict", "verifyTimestamp": "afterCertExpiry"})),
        &[&pki.root.cert, &tsa_root.cert],
        &[],
    );
    r.expect(0, "verified");
    assert!(r.sig(0).get("timestamp").is_none(), "{r:#?}");
    assert_eq!(r.sig(0)["timeSource"], "now");
}

#[test]
fn after_cert_expiry_reads_the_token_once_the_certificate_expired() {
    if !airgap_verify_testkit::openssl::available() {
        return;
    }
    let pki = Pki::new("Time After Expiry");
    let leaf = short_leaf(&pki);
    let (tsa_root, tsa_leaf) = pki::tsa_chain("Time After Expiry");
    let good = Bundle::signed(&[Sig::by(
        airgap_verify_testkit::layout::Envelope::Cose,
        pki.chain_for(&leaf),
        &leaf,
    )
    .with(|o| {
        o.timestamp =
            SignTimestamp::Countersign(tsa::countersigner(HashAlg::Sha256, &tsa_leaf, &[&tsa_root]))
    })]);
    let p = tsa_policy(json!({"level": "strict", "verifyTimestamp": "afterCertExpiry"}));
    let trust = [&pki.root.cert, &tsa_root.cert];
    let r = good.verify(&p, &trust, &["--at", &month_ahead()]);
    r.expect(0, "verified");
    assert_eq!(r.sig(0)["timeSource"], "timestamp");
    let token = tsa::timestamp_token(b"other", HashAlg::Sha256, &tsa_leaf, &[&tsa_root]).unwrap();
    let bad = Bundle::signed(&[Sig::by(
        airgap_verify_testkit::layout::Envelope::Cose,
        pki.chain_for(&leaf),
        &leaf,
    )
    .with(|o| o.timestamp = SignTimestamp::Token(token))]);
    bad.verify(&p, &trust, &["--at", &month_ahead()])
        .expect(1, "failed");
}

#[test]
fn a_tsa_policy_and_a_signature_without_a_token_fails() {
    let pki = Pki::new("Time No Token");
    let b = Bundle::signed(&[Sig::jws(&pki)]);
    let r = b.verify(
        &tsa_policy(json!({"level": "strict"})),
        &[&pki.root.cert],
        &[],
    );
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert_eq!(
        r.error(0),
        "no timestamp countersignature was found in the signature envelope"
    );
    // Logged under permissive.
    let r = b.verify(
        &tsa_policy(json!({"level": "permissive"})),
        &[&pki.root.cert],
        &[],
    );
    r.expect(0, "verified");
    assert!(r
        .warnings()
        .contains("no timestamp countersignature was found"));
}

/// A TSA certificate whose EKU is timeStamping but not critical, which `openssl ts` refuses to
/// sign with: the token is re-signed with `openssl cms -sign -cades` over a real TSTInfo.
#[test]
fn a_tsa_certificate_without_the_critical_time_stamping_eku_fails() {
    if !airgap_verify_testkit::openssl::available() {
        return;
    }
    let pki = Pki::new("Time EKU");
    let (tsa_root, tsa_leaf) = pki::tsa_chain("Time EKU");
    let mut spec = CertSpec::tsa("Time EKU Not Critical", KeySpec::EcP256);
    spec.eku = Some((
        false,
        vec![airgap_verify::pki::cert::ext_oid::EKU_TIME_STAMPING],
    ));
    let weak = pki::make(spec, Some(&tsa_root));
    let trusted_tsa_root = tsa_root.cert.clone();
    let resign = move |signature: &[u8]| -> Result<Vec<u8>, String> {
        let token = tsa::timestamp_token(signature, HashAlg::Sha256, &tsa_leaf, &[&tsa_root])?;
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("token.der"), token).unwrap();
        std::fs::write(d.join("weak.pem"), weak.pem()).unwrap();
        std::fs::write(d.join("weak.key"), weak.key.to_pkcs8_pem().unwrap()).unwrap();
        std::fs::write(d.join("root.pem"), tsa_root.pem()).unwrap();
        openssl(
            d,
            &[
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "token.der",
                "-out",
                "tstinfo.der",
            ],
        );
        openssl(
            d,
            &[
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-cades",
                "-nosmimecap",
                "-md",
                "sha256",
                "-econtent_type",
                "1.2.840.113549.1.9.16.1.4",
                "-in",
                "tstinfo.der",
                "-signer",
                "weak.pem",
                "-inkey",
                "weak.key",
                "-certfile",
                "root.pem",
                "-outform",
                "DER",
                "-out",
                "weak.der",
            ],
        );
        Ok(std::fs::read(d.join("weak.der")).unwrap())
    };
    let b = Bundle::signed(&[Sig::jws(&pki)
        .with(|o| o.timestamp = SignTimestamp::Countersign(std::sync::Arc::new(resign)))]);
    let r = b.verify(
        &tsa_policy(json!({"level": "strict"})),
        &[&pki.root.cert, &trusted_tsa_root],
        &[],
    );
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert!(
        r.error(0)
            .contains("extended key usage extension must be set as critical"),
        "{r:#?}"
    );
}

/// An openssl CA: a root, a TSA leaf whose certificate names a CRL distribution point, and the
/// root's CRL.
struct OpensslTsa {
    tmp: tempfile::TempDir,
    root: Cert,
    leaf: Issued,
}

impl OpensslTsa {
    fn new() -> OpensslTsa {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(
            d.join("ca.cnf"),
            "[ca]\ndefault_ca = root\n[root]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
             certificate = root.pem\nprivate_key = root.key\ndefault_md = sha256\n\
             default_crl_days = 30\n\
             [tsa]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n\
             extendedKeyUsage = critical,timeStamping\n\
             crlDistributionPoints = URI:http://crl.example/tsa-root.crl\n",
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
                "root.key",
                "-out",
                "root.pem",
                "-days",
                "3650",
                "-subj",
                "/C=US/ST=WA/O=Airgap Verify Test/CN=Time CRL TSA Root",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "tsa.key",
                "-out",
                "tsa.csr",
                "-subj",
                "/C=US/ST=WA/O=Airgap Verify Test/CN=Time CRL TSA",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "tsa.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key",
                "-set_serial",
                "4660",
                "-days",
                "3650",
                "-extfile",
                "ca.cnf",
                "-extensions",
                "tsa",
                "-out",
                "tsa.pem",
            ],
        );
        openssl(
            d,
            &["ca", "-gencrl", "-config", "ca.cnf", "-out", "root.crl"],
        );
        let read = |n: &str| std::fs::read(d.join(n)).unwrap();
        let root = parse_certificates(&read("root.pem"), 4).unwrap().remove(0);
        let cert = parse_certificates(&read("tsa.pem"), 4).unwrap().remove(0);
        let key = SignKey::from_pkcs8_pem(&String::from_utf8(read("tsa.key")).unwrap()).unwrap();
        let leaf = Issued {
            cert,
            key,
            spec: CertSpec::tsa("Time CRL TSA", KeySpec::EcP256),
        };
        OpensslTsa { tmp, root, leaf }
    }

    fn crl(&self) -> std::path::PathBuf {
        self.tmp.path().join("root.crl")
    }
}

#[test]
fn a_tsa_chain_with_a_crl_distribution_point_needs_its_crl() {
    if !airgap_verify_testkit::openssl::available() {
        return;
    }
    let ca = OpensslTsa::new();
    let pki = Pki::new("Time TSA CRL");
    let root_issued = Issued {
        cert: ca.root.clone(),
        key: ca.leaf.key.clone(),
        spec: CertSpec::root("unused", KeySpec::EcP256),
    };
    let b = Bundle::signed(&[Sig::jws(&pki).with(|o| {
        o.timestamp = SignTimestamp::Countersign(tsa::countersigner(
            HashAlg::Sha256,
            &ca.leaf,
            &[&root_issued],
        ))
    })]);
    let p = tsa_policy(json!({"level": "strict"}));
    let trust = [&pki.root.cert, &ca.root];
    let r = b.verify(&p, &trust, &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticTimestamp"), "failed");
    assert!(
        r.error(0).contains("CN=Time CRL TSA") && r.error(0).contains("unknown"),
        "names the TSA certificate and its unknown status: {r:#?}"
    );
    let crl = ca.crl();
    let r = b.verify(&p, &trust, &["--crl", crl.to_str().unwrap()]);
    r.expect(0, "verified");
    assert_eq!(r.check(0, "authenticTimestamp"), "passed");
}

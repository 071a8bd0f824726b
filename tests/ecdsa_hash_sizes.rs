//! ECDSA signatures whose hash is shorter or longer than the curve (a P-521 CA signing with
//! SHA-256, a P-256 CA with SHA-512, ...) verify as Go's `crypto/x509` verifies them: every curve
//! with every hash, for certificates, CRLs and RFC 3161 timestamp tokens. The signatures are
//! made by the `openssl` CLI at test time (skipped, with a note, where openssl is missing).
#![cfg(test)]

use std::path::Path;
use std::process::Command;

use airgap_verify::limits::Limits;
use airgap_verify::pki::cert::{parse_certificates, Cert};
use airgap_verify::pki::revocation::Crl;
use airgap_verify::pki::timestamp::verify_timestamp;

const CURVES: [&str; 3] = ["P-256", "P-384", "P-521"];
const HASHES: [&str; 3] = ["sha256", "sha384", "sha512"];

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .map(|o| {
            if !o.status.success() {
                eprintln!("openssl {args:?}: {}", String::from_utf8_lossy(&o.stderr));
            }
            o.status.success()
        })
        .unwrap_or(false)
}

fn have_openssl() -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok();
    if !ok {
        airgap_verify_testkit::skip("the openssl CLI is not installed");
    }
    ok
}

fn read_cert(dir: &Path, file: &str) -> Cert {
    let bytes = std::fs::read(dir.join(file)).unwrap();
    parse_certificates(&bytes, 4).unwrap().remove(0)
}

/// A self-signed CA on `curve` signing with `hash`, as `ca.pem` / `ca.key` in `dir`.
fn make_ca(dir: &Path, curve: &str, hash: &str) -> Cert {
    let curve_opt = format!("ec_paramgen_curve:{curve}");
    assert!(openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            &curve_opt,
            &format!("-{hash}"),
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/C=US/ST=WA/O=Test/CN=ca",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]
    ));
    read_cert(dir, "ca.pem")
}

/// The signature algorithm OID openssl wrote: the hash really is the one asked for.
fn assert_signed_with(cert: &Cert, hash: &str) {
    let want = match hash {
        "sha256" => "1.2.840.10045.4.3.2",
        "sha384" => "1.2.840.10045.4.3.3",
        _ => "1.2.840.10045.4.3.4",
    };
    assert_eq!(cert.inner().signature_algorithm.oid.to_string(), want);
}

#[test]
fn certificates_with_any_curve_and_hash_verify() {
    if !have_openssl() {
        return;
    }
    for curve in CURVES {
        for hash in HASHES {
            let t = tempfile::tempdir().unwrap();
            let ca = make_ca(t.path(), curve, hash);
            assert_signed_with(&ca, hash);
            assert!(
                ca.verify_signed_by(&ca).is_ok(),
                "{curve} with {hash}: self-signature does not verify"
            );
            assert!(ca.is_self_signed());
            // The failing side: another key of the same curve does not verify it.
            let other = tempfile::tempdir().unwrap();
            let stranger = make_ca(other.path(), curve, hash);
            assert!(ca.verify_signed_by(&stranger).is_err(), "{curve} {hash}");
        }
    }
}

#[test]
fn crls_with_any_curve_and_hash_verify() {
    if !have_openssl() {
        return;
    }
    for curve in CURVES {
        for hash in HASHES {
            let t = tempfile::tempdir().unwrap();
            let d = t.path();
            let ca = make_ca(d, curve, hash);
            std::fs::write(d.join("index.txt"), "").unwrap();
            std::fs::write(d.join("crlnumber"), "01\n").unwrap();
            std::fs::write(
                d.join("ca.cnf"),
                "[ca]\ndefault_ca = c\n[c]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_crl_days = 1\ndefault_md = sha256\n",
            )
            .unwrap();
            assert!(openssl(
                d,
                &[
                    "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem",
                    "-md", hash, "-out", "crl.pem",
                ]
            ));
            assert!(openssl(
                d,
                &["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"]
            ));
            let crl = Crl::from_der("crl.der", &std::fs::read(d.join("crl.der")).unwrap()).unwrap();
            assert!(
                crl.signed_by(&ca).is_ok(),
                "{curve} with {hash}: CRL signature does not verify: {:?}",
                crl.signed_by(&ca)
            );
            let other = tempfile::tempdir().unwrap();
            let stranger = make_ca(other.path(), curve, hash);
            assert!(crl.signed_by(&stranger).is_err(), "{curve} {hash}");
        }
    }
}

#[test]
fn timestamp_tokens_with_any_curve_and_hash_verify() {
    if !have_openssl() {
        return;
    }
    let limits = Limits::default();
    for curve in CURVES {
        for hash in HASHES {
            let t = tempfile::tempdir().unwrap();
            let d = t.path();
            let root = make_ca(d, curve, hash);
            let curve_opt = format!("ec_paramgen_curve:{curve}");
            // The TSA leaf: same curve, signed by the root with the same hash.
            assert!(openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    &curve_opt,
                    "-nodes",
                    "-subj",
                    "/C=US/ST=WA/O=Test/CN=tsa",
                    "-keyout",
                    "tsa.key",
                    "-out",
                    "tsa.csr",
                ]
            ));
            std::fs::write(
                d.join("tsa.ext"),
                "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n",
            )
            .unwrap();
            assert!(openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    "tsa.csr",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "2",
                    &format!("-{hash}"),
                    "-extfile",
                    "tsa.ext",
                    "-out",
                    "tsa.pem",
                ]
            ));
            let tsa = read_cert(d, "tsa.pem");
            assert_signed_with(&tsa, hash);
            std::fs::write(d.join("signature.bin"), b"the signature being timestamped").unwrap();
            std::fs::write(
                d.join("tsa.cnf"),
                format!(
                    "[tsa]\ndefault_tsa = t\n[t]\nserial = tsaserial\nsigner_digest = {hash}\ndefault_policy = 1.2.3.4\ndigests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = sha256\n"
                ),
            )
            .unwrap();
            std::fs::write(d.join("tsaserial"), "01\n").unwrap();
            assert!(openssl(
                d,
                &[
                    "ts",
                    "-query",
                    "-data",
                    "signature.bin",
                    "-sha256",
                    "-cert",
                    "-out",
                    "q.tsq",
                ]
            ));
            assert!(openssl(
                d,
                &[
                    "ts",
                    "-reply",
                    "-config",
                    "tsa.cnf",
                    "-section",
                    "t",
                    "-queryfile",
                    "q.tsq",
                    "-signer",
                    "tsa.pem",
                    "-inkey",
                    "tsa.key",
                    "-token_out",
                    "-out",
                    "token.der",
                ]
            ));
            let token = std::fs::read(d.join("token.der")).unwrap();
            let result = verify_timestamp(
                &token,
                b"the signature being timestamped",
                std::slice::from_ref(&root),
                &limits,
            );
            assert!(
                result.is_ok(),
                "{curve} with {hash}: timestamp does not verify: {:?}",
                result.err()
            );
            // The failing side: another root does not anchor it.
            let other = tempfile::tempdir().unwrap();
            let stranger = make_ca(other.path(), curve, hash);
            assert!(verify_timestamp(
                &token,
                b"the signature being timestamped",
                &[stranger],
                &limits
            )
            .is_err());
        }
    }
}

//! Trust material from a Secret file and from a mounted Secret folder (Flux semantics).
#![cfg(test)]

use std::path::Path;

use airgap_verify::limits::Limits;
use airgap_verify::trust::{from_dir, from_secret_file, TrustError};
use base64::Engine as _;

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
"signatureVerification":{"level":"strict"},"trustStores":["ca:not-existing"],"trustedIdentities":["*"]}]}"#;

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A fresh self-signed certificate as (PEM, DER).
fn cert(dir: &Path, cn: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    airgap_verify_testkit::openssl::self_signed_cert(dir, &format!("/C=US/ST=WA/O=Test/CN={cn}"))
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn secret_yaml(entries: &[(&str, String)]) -> String {
    let mut s = String::from("apiVersion: v1\nkind: Secret\nmetadata:\n  name: notation\n  namespace: flux-system\ntype: Opaque\ndata:\n");
    for (k, v) in entries {
        s.push_str(&format!("  {k}: {v}\n"));
    }
    s
}

#[test]
fn yaml_secret_with_der_and_pem() {
    let t = tempfile::tempdir().unwrap();
    let Some((pem, der)) = cert(t.path(), "a") else {
        return;
    };
    let (pem_b, _) = cert(t.path(), "b").unwrap();
    let f = write(
        t.path(),
        "s.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(POLICY.as_bytes())),
            ("notation.crt", b64(&der)),
            ("ca.pem", b64(&pem_b)),
            ("README", b64(b"hello")),
            ("ca.cer", b64(&pem)),
        ]),
    );
    let m = from_secret_file(&f, &Limits::default()).unwrap();
    assert_eq!(m.certificates.len(), 2);
    assert_eq!(m.certificates[0].key, "ca.pem");
    assert_eq!(m.certificates[1].key, "notation.crt");
    assert_eq!(m.policy.statements[0].name, "p");
    assert_eq!(m.policy_bytes, POLICY.as_bytes());
    assert!(
        m.notes.iter().any(|n| n.contains("'README'")),
        "{:?}",
        m.notes
    );
    assert!(
        m.warnings.iter().any(|w| w.contains("'ca.cer'")),
        "{:?}",
        m.warnings
    );
    let d = m.policy_digest();
    assert!(d.starts_with("sha256:") && d.len() == 71);
}

#[test]
fn kubectl_json_list_and_string_data() {
    let t = tempfile::tempdir().unwrap();
    let Some((pem, _)) = cert(t.path(), "a") else {
        return;
    };
    let obj = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [{
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "n", "namespace": "ns", "resourceVersion": "1"},
            "data": {"trustpolicy.json": b64(b"not used")},
            "stringData": {"trustpolicy.json": POLICY, "x.pem": String::from_utf8(pem).unwrap()}
        }]
    });
    let f = write(
        t.path(),
        "s.json",
        &serde_json::to_string_pretty(&obj).unwrap(),
    );
    let m = from_secret_file(&f, &Limits::default()).unwrap();
    assert_eq!(m.certificates.len(), 1);
    assert_eq!(m.policy_bytes, POLICY.as_bytes());
    assert!(m.notes.iter().any(|n| n.contains("stringData wins")));
}

#[test]
fn pem_bundle_is_read_as_flux_reads_it_first_block_only_with_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let Some((a, _)) = cert(t.path(), "a") else {
        return;
    };
    let (b, _) = cert(t.path(), "b").unwrap();
    let bundle = [a, b].concat();
    let f = write(
        t.path(),
        "s.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(POLICY.as_bytes())),
            ("bundle.pem", b64(&bundle)),
        ]),
    );
    let m = from_secret_file(&f, &Limits::default()).unwrap();
    assert_eq!(m.certificates.len(), 1);
    assert!(m.certificates[0].cert.subject().contains("CN=a"));
    assert!(
        m.warnings.iter().any(|w| w.contains("bundle.pem")
            && w.contains("which Flux ignores")
            && w.contains("CN=b")),
        "{:?}",
        m.warnings
    );
    // One block alone: no warning.
    let (a, _) = cert(t.path(), "a").unwrap();
    let f = write(
        t.path(),
        "one.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(POLICY.as_bytes())),
            ("one.pem", b64(&a)),
        ]),
    );
    let m = from_secret_file(&f, &Limits::default()).unwrap();
    assert_eq!(m.certificates.len(), 1);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn secret_errors_in_flux_words() {
    let t = tempfile::tempdir().unwrap();
    let Some((pem, _)) = cert(t.path(), "a") else {
        return;
    };
    let l = Limits::default();
    let no_cert = write(
        t.path(),
        "1.yaml",
        &secret_yaml(&[("trustpolicy.json", b64(POLICY.as_bytes()))]),
    );
    assert_eq!(
        from_secret_file(&no_cert, &l).unwrap_err().to_string(),
        "no certificates found in secret 'flux-system/notation'"
    );
    let no_policy = write(t.path(), "2.yaml", &secret_yaml(&[("a.crt", b64(&pem))]));
    assert_eq!(
        from_secret_file(&no_policy, &l).unwrap_err().to_string(),
        "'trustpolicy.json' not found in secret 'flux-system/notation'"
    );
    let empty_policy = write(
        t.path(),
        "3.yaml",
        &secret_yaml(&[("trustpolicy.json", "\"\"".into()), ("a.crt", b64(&pem))]),
    );
    assert_eq!(
        from_secret_file(&empty_policy, &l).unwrap_err().to_string(),
        "error occurred while parsing trustpolicy.json: unexpected end of JSON input"
    );
    let bad_b64 = write(
        t.path(),
        "4.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(POLICY.as_bytes())),
            ("a.crt", "'@@notbase64@@'".into()),
        ]),
    );
    let e = from_secret_file(&bad_b64, &l).unwrap_err();
    assert!(
        matches!(&e, TrustError::BadBase64 { key, .. } if key == "a.crt"),
        "{e}"
    );
    let bad_cert = write(
        t.path(),
        "5.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(POLICY.as_bytes())),
            ("a.crt", b64(b"garbage")),
        ]),
    );
    // A value that does not parse loads, as in Flux, with a warning naming the key; every
    // trust store lookup then fails with Flux's message.
    let m = from_secret_file(&bad_cert, &l).unwrap();
    assert!(m.certificates.is_empty());
    assert_eq!(m.unparsable.len(), 1);
    assert_eq!(m.unparsable[0].key, "a.crt");
    assert!(
        m.warnings
            .iter()
            .any(|w| w.contains("'a.crt'") && w.contains("x509: malformed certificate")),
        "{:?}",
        m.warnings
    );
    let store = airgap_verify::policy::document::TrustStoreRef {
        kind: airgap_verify::policy::document::StoreKind::Ca,
        name: "acme".into(),
    };
    assert_eq!(
        m.store_certificates(&[store]).unwrap_err(),
        "failed to parse certificate 'acme': x509: malformed certificate"
    );
    assert_eq!(m.store_certificates(&[]).unwrap().len(), 0);
    let bad_policy = write(
        t.path(),
        "6.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(br#"{"version":"2.0"}"#)),
            ("a.crt", b64(&pem)),
        ]),
    );
    assert_eq!(
        from_secret_file(&bad_policy, &l).unwrap_err().to_string(),
        "trust policy document uses unsupported version \"2.0\""
    );
    let not_secret = write(
        t.path(),
        "7.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    assert!(matches!(
        from_secret_file(&not_secret, &l),
        Err(TrustError::NotASecret { .. })
    ));
}

#[test]
fn skip_statement_is_cleaned_with_flux_warning() {
    let t = tempfile::tempdir().unwrap();
    let Some((pem, _)) = cert(t.path(), "a") else {
        return;
    };
    let policy = r#"{"version":"1.0","trustPolicies":[{"name":"s","registryScopes":["*"],
        "signatureVerification":{"level":"skip"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}"#;
    let f = write(
        t.path(),
        "s.yaml",
        &secret_yaml(&[
            ("trustpolicy.json", b64(policy.as_bytes())),
            ("a.crt", b64(&pem)),
        ]),
    );
    let m = from_secret_file(&f, &Limits::default()).unwrap();
    assert!(m.policy.statements[0].trust_stores.is_empty());
    assert!(m.warnings[0].starts_with("warning: trust policy statement 's' is set to skip"));
}

#[test]
fn yaml_bad_input() {
    let t = tempfile::tempdir().unwrap();
    let l = Limits::default();
    let dup = write(
        t.path(),
        "dup.yaml",
        "apiVersion: v1\nkind: Secret\nkind: Secret\n",
    );
    assert!(matches!(
        from_secret_file(&dup, &l),
        Err(TrustError::Syntax { .. })
    ));
    let mut bomb = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for i in 0..9u8 {
        let prev = (b'a' + i) as char;
        let next = (b'b' + i) as char;
        bomb.push_str(&format!("{next}: &{next} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    let bomb = write(t.path(), "bomb.yaml", &bomb);
    let e = from_secret_file(&bomb, &l).unwrap_err();
    assert!(matches!(e, TrustError::Syntax { .. }), "{e}");
    let big = t.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    assert!(matches!(
        from_secret_file(&big, &l),
        Err(TrustError::TooLarge { .. })
    ));
}

#[test]
fn trust_folder_plain_and_kubernetes_layout() {
    let t = tempfile::tempdir().unwrap();
    let Some((pem, der)) = cert(t.path(), "a") else {
        return;
    };
    let plain = t.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("trustpolicy.json"), POLICY).unwrap();
    std::fs::write(plain.join("a.crt"), &der).unwrap();
    std::fs::write(plain.join("b.pem"), &pem).unwrap();
    std::fs::write(plain.join("leaf.crl"), b"crl bytes").unwrap();
    let m = from_dir(&plain, &Limits::default()).unwrap();
    assert_eq!(m.certificates.len(), 2);
    assert_eq!(
        m.crls,
        vec![("leaf.crl".to_string(), b"crl bytes".to_vec())]
    );

    // Kubernetes: key -> ..data/key, ..data -> ..2024_01_01/.
    let k8s = t.path().join("k8s");
    let ts = k8s.join("..2024_01_01_00_00_00.1");
    std::fs::create_dir_all(&ts).unwrap();
    std::fs::write(ts.join("trustpolicy.json"), POLICY).unwrap();
    std::fs::write(ts.join("notation.crt"), &der).unwrap();
    std::os::unix::fs::symlink("..2024_01_01_00_00_00.1", k8s.join("..data")).unwrap();
    for k in ["trustpolicy.json", "notation.crt"] {
        std::os::unix::fs::symlink(format!("..data/{k}"), k8s.join(k)).unwrap();
    }
    let m2 = from_dir(&k8s, &Limits::default()).unwrap();
    assert_eq!(m2.certificates.len(), 1);
    assert_eq!(m2.certificates[0].key, "notation.crt");

    // A symlink out of the folder is refused.
    let evil = t.path().join("evil");
    std::fs::create_dir(&evil).unwrap();
    std::fs::write(evil.join("trustpolicy.json"), POLICY).unwrap();
    std::os::unix::fs::symlink(plain.join("a.crt"), evil.join("x.crt")).unwrap();
    assert!(matches!(
        from_dir(&evil, &Limits::default()),
        Err(TrustError::OutsideFolder { .. })
    ));

    let empty = t.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = from_dir(&empty, &Limits::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("'trustpolicy.json' not found in folder"),
        "{e}"
    );
}

//! The notation CLI's configuration folder read with the notation CLI's semantics: the policy
//! file it prefers, per-store certificates, every certificate of a file, store errors at
//! lookup in notation-go's words, and no Flux clean-up of `skip` statements.
#![cfg(test)]

use std::path::Path;

use airgap_verify::limits::Limits;
use airgap_verify::policy::document::{StoreKind, TrustStoreRef};
use airgap_verify::trust::notation::NOTATION_MAX_SIGNATURES;
use airgap_verify::trust::{from_notation_config, Semantics};

fn policy(stores: &[&str], level: &str) -> String {
    let stores: Vec<String> = stores.iter().map(|s| format!("\"{s}\"")).collect();
    let identities = if level == "skip" && stores.is_empty() {
        ""
    } else {
        r#","trustedIdentities":["*"]"#
    };
    let stores = if stores.is_empty() {
        String::new()
    } else {
        format!(",\"trustStores\":[{}]", stores.join(","))
    };
    format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["*"],"signatureVerification":{{"level":"{level}"}}{stores}{identities}}}]}}"#
    )
}

fn store(kind: StoreKind, name: &str) -> TrustStoreRef {
    TrustStoreRef {
        kind,
        name: name.into(),
    }
}

fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn stores_hold_their_own_folders_certificates() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let Some((a, _)) = airgap_verify_testkit::openssl::self_signed_cert(d, "/C=US/ST=WA/O=A/CN=a")
    else {
        return;
    };
    let (b, b_der) =
        airgap_verify_testkit::openssl::self_signed_cert(d, "/C=US/ST=WA/O=B/CN=b").unwrap();
    let (c, _) =
        airgap_verify_testkit::openssl::self_signed_cert(d, "/C=US/ST=WA/O=C/CN=c").unwrap();
    let cfg = d.join("notation");
    put(
        &cfg,
        "trustpolicy.json",
        policy(&["ca:one", "ca:two", "tsa:ts"], "strict").as_bytes(),
    );
    // Two PEM certificates in one file: both are read (Flux would read only the first).
    put(&cfg, "truststore/x509/ca/one/bundle.pem", &[a, b].concat());
    put(&cfg, "truststore/x509/ca/two/c.der", &b_der);
    put(&cfg, "truststore/x509/tsa/ts/c.crt", &c);
    let m = from_notation_config(&cfg, &Limits::default()).unwrap();
    assert_eq!(m.semantics, Semantics::NotationCli);
    let subjects = |stores: &[TrustStoreRef]| -> Vec<String> {
        m.store_certificates(stores)
            .unwrap()
            .iter()
            .map(|c| c.subject())
            .collect()
    };
    assert_eq!(
        subjects(&[store(StoreKind::Ca, "one")]),
        ["CN=a,O=A,ST=WA,C=US", "CN=b,O=B,ST=WA,C=US"]
    );
    assert_eq!(
        subjects(&[store(StoreKind::Ca, "two")]),
        ["CN=b,O=B,ST=WA,C=US"]
    );
    assert_eq!(
        subjects(&[store(StoreKind::Tsa, "ts")]),
        ["CN=c,O=C,ST=WA,C=US"]
    );
    // Store names matter: the tsa certificate is not in a ca store of the same name.
    assert!(m.certificates.iter().all(|c| c.stores.len() == 1));
    assert_eq!(NOTATION_MAX_SIGNATURES, 100);
}

#[test]
fn store_errors_surface_at_lookup_in_notation_words() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let Some((a, _)) = airgap_verify_testkit::openssl::self_signed_cert(d, "/C=US/ST=WA/O=A/CN=a")
    else {
        return;
    };
    let cfg = d.join("notation");
    put(
        &cfg,
        "trustpolicy.json",
        policy(&["ca:missing", "ca:empty", "ca:junk", "ca:good"], "strict").as_bytes(),
    );
    std::fs::create_dir_all(cfg.join("truststore/x509/ca/empty")).unwrap();
    put(&cfg, "truststore/x509/ca/junk/x.crt", b"junk");
    put(&cfg, "truststore/x509/ca/good/a.crt", &a);
    let m = from_notation_config(&cfg, &Limits::default()).unwrap();
    let err = |name: &str| {
        m.store_certificates(&[store(StoreKind::Ca, name)])
            .unwrap_err()
    };
    assert_eq!(
        err("missing"),
        "the trust store \"missing\" of type \"ca\" does not exist"
    );
    assert_eq!(
        err("empty"),
        "no x509 certificates were found in trust store \"empty\" of type \"ca\""
    );
    assert_eq!(
        err("junk"),
        "failed to read the trusted certificate x.crt in trust store junk of type ca"
    );
    assert_eq!(
        m.store_certificates(&[store(StoreKind::Ca, "good")])
            .unwrap()
            .len(),
        1
    );
    // In policy order, the first failing store decides.
    assert!(m
        .store_certificates(&[
            store(StoreKind::Ca, "good"),
            store(StoreKind::Ca, "missing")
        ])
        .is_err());
}

#[test]
fn policy_file_and_validation_are_notations() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let Some((a, _)) = airgap_verify_testkit::openssl::self_signed_cert(d, "/C=US/ST=WA/O=A/CN=a")
    else {
        return;
    };
    let cfg = d.join("notation");
    put(&cfg, "truststore/x509/ca/s/a.crt", &a);
    // trustpolicy.oci.json wins over trustpolicy.json.
    put(&cfg, "trustpolicy.json", b"not json");
    put(
        &cfg,
        "trustpolicy.oci.json",
        policy(&["ca:s"], "strict").as_bytes(),
    );
    assert!(from_notation_config(&cfg, &Limits::default()).is_ok());
    // A skip statement with stores is rejected (Flux would empty it and go on).
    put(
        &cfg,
        "trustpolicy.oci.json",
        policy(&["ca:s"], "skip").as_bytes(),
    );
    let e = from_notation_config(&cfg, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("skip"), "{e}");
    put(&cfg, "trustpolicy.oci.json", policy(&[], "skip").as_bytes());
    assert!(from_notation_config(&cfg, &Limits::default()).is_ok());
    // No policy file at all.
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let e = from_notation_config(&empty, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("trustpolicy.oci.json"), "{e}");
}

#[test]
fn a_store_certificate_must_be_a_ca_or_self_signed() {
    use std::process::Command;
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let Some((ca, _)) =
        airgap_verify_testkit::openssl::self_signed_cert(d, "/C=US/ST=WA/O=A/CN=ca")
    else {
        return;
    };
    // A leaf issued by that CA: neither a CA nor self-signed.
    let sh = |cmd: &str| {
        Command::new("sh")
            .current_dir(d)
            .args(["-c", cmd])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    assert!(sh(
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
         -subj /C=US/ST=WA/O=A/CN=leaf -keyout leaf.key -out leaf.csr 2>/dev/null \
         && openssl x509 -req -in leaf.csr -CA CUSSTWAOACNca.pem -CAkey CUSSTWAOACNca.key \
         -CAcreateserial -days 2 -out leaf.pem 2>/dev/null"
    ));
    let leaf = std::fs::read(d.join("leaf.pem")).unwrap();
    let cfg = d.join("notation");
    put(
        &cfg,
        "trustpolicy.json",
        policy(&["ca:s"], "strict").as_bytes(),
    );
    put(&cfg, "truststore/x509/ca/s/leaf.crt", &leaf);
    let m = from_notation_config(&cfg, &Limits::default()).unwrap();
    assert_eq!(
        m.store_certificates(&[store(StoreKind::Ca, "s")])
            .unwrap_err(),
        "failed to validate the trusted certificate leaf.crt in trust store s of type ca"
    );
    // The CA itself in the store is fine.
    put(&cfg, "truststore/x509/ca/s/leaf.crt", &ca);
    let m = from_notation_config(&cfg, &Limits::default()).unwrap();
    assert!(m.store_certificates(&[store(StoreKind::Ca, "s")]).is_ok());
}

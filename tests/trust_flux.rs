//! Flux manifests: OCIRepository + Secret parsing, namespaces, folders, bad input.
#![cfg(test)]

use std::path::PathBuf;

use airgap_verify::flux::{load_flux, FluxRef};
use airgap_verify::limits::Limits;
use airgap_verify::trust::TrustError;
use base64::Engine as _;

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:not-existing"],"trustedIdentities":["*"]}]}"#;

fn pem(dir: &std::path::Path) -> Option<String> {
    let (pem, _) = airgap_verify_testkit::openssl::self_signed_cert(dir, "/C=US/ST=WA/O=T/CN=t")?;
    Some(String::from_utf8(pem).unwrap())
}

fn seed(cert_pem: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\napiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 5m\n  url: oci://ghcr.io/stefanprodan/podinfo-deploy\n  ref:\n    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n    tag: ignored\n  verify:\n    provider: notation\n    secretRef:\n      name: notation-config\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: notation-config\n  namespace: apps\ndata:\n  trustpolicy.json: {}\n  notation.crt: {}\n",
        b64(POLICY),
        b64(cert_pem)
    )
}

#[test]
fn seed_example() {
    let t = tempfile::tempdir().unwrap();
    let Some(cert) = pem(t.path()) else { return };
    let f = t.path().join("flux.yaml");
    std::fs::write(&f, seed(&cert)).unwrap();
    let l = Limits::default();
    let objs = load_flux(&[f], &l).unwrap();
    assert_eq!(objs.repositories.len(), 1);
    let r = &objs.repositories[0];
    assert_eq!(r.namespaced_name(), "apps/podinfo");
    assert_eq!(r.scope, "ghcr.io/stefanprodan/podinfo-deploy");
    assert!(matches!(&r.reference, FluxRef::Digest(d) if d.starts_with("sha256:")));
    let v = r.verify.as_ref().unwrap();
    assert_eq!(v.provider, "notation");
    assert_eq!(v.secret_ref.as_deref(), Some("notation-config"));
    let m = objs.secret_material("apps", "notation-config", &l).unwrap();
    assert_eq!(m.certificates.len(), 1);
    // A Secret of another namespace is not found.
    let e = objs
        .secret_material("default", "notation-config", &l)
        .unwrap_err();
    assert!(matches!(e, TrustError::SecretNotFound { .. }));
    assert!(e
        .to_string()
        .starts_with("secret 'default/notation-config' not found"));
}

#[test]
fn folder_walk_defaults_and_skips() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("repo");
    std::fs::create_dir_all(root.join("apps/sub")).unwrap();
    std::fs::write(
        root.join("apps/repos.yml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: a}\nspec:\n  url: oci://docker.io/nginx\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: b, namespace: x}\nspec:\n  url: oci://localhost:5000/e2e\n  ref: {semver: '6.6.x'}\n  verify: {}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("apps/sub/template.yaml"),
        "key: {{ .Values.x }\n  : : bad",
    )
    .unwrap();
    std::fs::write(root.join("apps/sub/compose.json"), "{\"services\": {}}").unwrap();
    std::fs::write(root.join("apps/notes.txt"), "not read").unwrap();
    // A walked YAML file that does not parse is an error naming it, line and column: skipped, it
    // would hide the objects it holds behind a later "not found".
    let e = load_flux(std::slice::from_ref(&root), &Limits::default()).unwrap_err();
    let shown = e.to_string();
    assert!(shown.contains("template.yaml"), "{shown}");
    assert!(shown.contains("line 1, column 7"), "{shown}");
    std::fs::remove_file(root.join("apps/sub/template.yaml")).unwrap();
    let objs = load_flux(&[root], &Limits::default()).unwrap();
    assert_eq!(objs.repositories.len(), 2);
    let a = &objs.repositories[0];
    assert_eq!(a.namespaced_name(), "default/a");
    assert_eq!(a.scope, "index.docker.io/library/nginx");
    assert_eq!(a.reference, FluxRef::Tag("latest".into()));
    assert!(a.verify.is_none());
    let b = &objs.repositories[1];
    assert_eq!(
        b.reference,
        FluxRef::Semver {
            range: "6.6.x".into(),
            filter: None
        }
    );
    assert_eq!(b.verify.as_ref().unwrap().provider, "cosign");
    assert_eq!(objs.notes.len(), 1, "{:?}", objs.notes);
}

#[test]
fn flux_bad_input() {
    let t = tempfile::tempdir().unwrap();
    let l = Limits::default();
    let no_url = t.path().join("nourl.yaml");
    std::fs::write(&no_url, "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: a, namespace: n}\nspec: {interval: 1m}\n").unwrap();
    let e = load_flux(&[no_url], &l).unwrap_err();
    assert!(matches!(e, TrustError::MissingUrl { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("OCIRepository 'n/a' has no spec.url"),
        "{e}"
    );

    let dup = t.path().join("dup.yaml");
    std::fs::write(
        &dup,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nmetadata: {name: b}\n",
    )
    .unwrap();
    assert!(matches!(
        load_flux(std::slice::from_ref(&dup), &l),
        Err(TrustError::Syntax { .. })
    ));
    // Duplicate keys are an error even in a walked folder.
    let d = t.path().join("dir");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(&dup, d.join("dup.yaml")).unwrap();
    assert!(matches!(
        load_flux(&[d], &l),
        Err(TrustError::Syntax { .. })
    ));

    let big = t.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    assert!(matches!(
        load_flux(&[big], &l),
        Err(TrustError::TooLarge { .. })
    ));

    let bomb = t.path().join("bomb.yaml");
    let mut s = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for i in 0..9u8 {
        let (p, n) = ((b'a' + i) as char, (b'b' + i) as char);
        s.push_str(&format!(
            "{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    std::fs::write(&bomb, s).unwrap();
    assert!(matches!(
        load_flux(&[bomb], &l),
        Err(TrustError::Syntax { .. })
    ));

    let bad_url = t.path().join("url.yaml");
    std::fs::write(&bad_url, "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata: {name: a}\nspec: {url: 'oci://ghcr.io/x/y:1.0'}\n").unwrap();
    assert!(matches!(
        load_flux(&[bad_url], &l),
        Err(TrustError::BadUrl { .. })
    ));

    assert!(matches!(
        load_flux(&[PathBuf::from("/nonexistent/x.yaml")], &l),
        Err(TrustError::Io { .. })
    ));
}

//! The notation CLI's configuration folder (`--notation-config DIR`), read with the notation
//! CLI's semantics rather than Flux's:
//!
//! - the trust policy is `trustpolicy.oci.json`, or `trustpolicy.json` when that is absent, and
//!   is validated as notation does, without Flux's clean-up of `skip` statements (so a `skip`
//!   statement with trust stores or identities is rejected);
//! - a trust store `TYPE:NAME` holds the certificates of the files in
//!   `truststore/x509/TYPE/NAME/`: store names matter, every certificate of a file is read (all
//!   PEM blocks, or concatenated DER), and a store that cannot be read fails the lookup at
//!   verification with notation-go's message, as its `x509TrustStore.GetCertificates` does;
//! - notation tries up to [`NOTATION_MAX_SIGNATURES`] signatures per artifact.

use std::path::Path;

use super::pem::{go_parse_certificates, go_pem_decode};
use super::yaml::read_limited;
use super::{Semantics, TrustError, TrustMaterial, TrustedCert};
use crate::limits::Limits;
use crate::pki::cert::Cert;
use crate::policy::document::{StoreKind, TrustStoreRef};
use crate::policy::Document;

/// The notation CLI's default `--max-signatures`.
pub const NOTATION_MAX_SIGNATURES: u64 = 100;

/// The trust policy file names, in the order the notation CLI looks for them.
pub const POLICY_FILES: [&str; 2] = ["trustpolicy.oci.json", "trustpolicy.json"];

/// At most this many files in one trust store folder.
const MAX_STORE_FILES: usize = 1000;

/// Load a notation configuration folder.
pub fn from_notation_config(dir: &Path, limits: &Limits) -> Result<TrustMaterial, TrustError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(TrustError::Io {
            path: shown,
            reason: "not a folder (give the notation configuration folder, the one holding trustpolicy.oci.json or trustpolicy.json and truststore/)".into(),
        });
    }
    let policy_path = POLICY_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
        .ok_or_else(|| TrustError::PolicyNotFound {
            origin: format!("{shown} (looked for {})", POLICY_FILES.join(" and ")),
            keys: Vec::new(),
            misspelled: Vec::new(),
        })?;
    let policy_bytes = read_limited(&policy_path, limits.max_config_file)?;
    let policy = Document::parse(&policy_bytes)?;
    policy.validate()?;

    let mut stores: Vec<TrustStoreRef> = Vec::new();
    for st in &policy.statements {
        for r in st.trust_store_refs()? {
            if !stores.contains(&r) {
                stores.push(r);
            }
        }
    }
    let mut certificates = Vec::new();
    let mut store_errors = Vec::new();
    for store in stores {
        match read_store(dir, &store, limits) {
            Ok(certs) => certificates.extend(certs.into_iter().map(|(key, cert)| TrustedCert {
                key,
                cert,
                stores: vec![store.clone()],
            })),
            Err(e) => store_errors.push((store, e)),
        }
    }
    Ok(TrustMaterial {
        source: shown,
        policy_bytes,
        policy,
        certificates,
        crls: Vec::new(),
        semantics: Semantics::NotationCli,
        unparsable: Vec::new(),
        store_errors,
        warnings: Vec::new(),
        notes: Vec::new(),
    })
}

/// One store's certificates, or notation-go's error for it (`x509TrustStore.GetCertificates`).
fn read_store(
    dir: &Path,
    store: &TrustStoreRef,
    limits: &Limits,
) -> Result<Vec<(String, Cert)>, String> {
    let kind = store.kind.name();
    let name = &store.name;
    let rel = store_folder(store.kind, name);
    let path = dir.join(&rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "the trust store {name:?} of type {kind:?} does not exist"
            ))
        }
        Err(_) => {
            return Err(format!(
                "failed to access the trust store {name:?} of type {kind:?}"
            ))
        }
    };
    if !meta.is_dir() {
        return Err(format!(
            "the trust store {name} of type {kind} with path {} is not a regular directory (symlinks are not supported)",
            path.display()
        ));
    }
    let access = || format!("failed to access the trust store {name:?} of type {kind:?}");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&path).map_err(|_| access())? {
        let entry = entry.map_err(|_| access())?;
        if files.len() >= MAX_STORE_FILES {
            return Err(format!(
                "the trust store {name} of type {kind} holds more than {MAX_STORE_FILES} files"
            ));
        }
        files.push(entry);
    }
    // os.ReadDir returns the entries sorted by file name.
    files.sort_by_key(|e| e.file_name());
    let mut out = Vec::new();
    for entry in files {
        let file = entry.file_name().to_string_lossy().into_owned();
        let ft = entry.file_type().map_err(|_| access())?;
        if !ft.is_file() {
            return Err(format!(
                "trusted certificate {file} in trust store {name} of type {kind} is not a regular file (directories or symlinks are not supported)"
            ));
        }
        let read_err = || {
            format!("failed to read the trusted certificate {file} in trust store {name} of type {kind}")
        };
        let bytes = read_limited(&entry.path(), limits.max_config_file).map_err(|_| read_err())?;
        let certs = read_certificate_file(&bytes, limits.max_certificates_per_chain)
            .map_err(|_| read_err())?;
        // ValidateCertificates: a certificate that is not a CA must be self-signed.
        if certs.iter().any(|c| !c.is_ca() && !c.is_self_signed()) {
            return Err(format!(
                "failed to validate the trusted certificate {file} in trust store {name} of type {kind}"
            ));
        }
        out.extend(certs.into_iter().map(|c| (format!("{rel}/{file}"), c)));
    }
    if out.is_empty() {
        return Err(format!(
            "no x509 certificates were found in trust store {name:?} of type {kind:?}"
        ));
    }
    Ok(out)
}

/// notation-core-go's `x509.ReadCertificateFile`: every PEM block (each one certificate, of any
/// PEM type), or concatenated DER when there is no PEM block; no certificate is an error.
pub fn read_certificate_file(data: &[u8], max: u64) -> Result<Vec<Cert>, String> {
    let mut certs = Vec::new();
    match go_pem_decode(data) {
        None => certs = go_parse_certificates(data, max)?,
        Some(first) => {
            let mut next = Some(first);
            while let Some((block, rest)) = next {
                if certs.len() as u64 >= max {
                    return Err(format!("more than {max} certificates in one file"));
                }
                let mut one = go_parse_certificates(&block.bytes, 2)?;
                if one.len() != 1 {
                    return Err("x509: trailing data".to_string());
                }
                certs.append(&mut one);
                next = go_pem_decode(rest);
            }
        }
    }
    if certs.is_empty() {
        return Err("no certificates found in the file".to_string());
    }
    Ok(certs)
}

/// The folder of a trust store, relative to the configuration folder.
pub fn store_folder(kind: StoreKind, name: &str) -> String {
    format!("truststore/x509/{}/{name}", kind.name())
}

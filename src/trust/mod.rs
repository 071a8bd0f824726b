//! Trust material with Flux's semantics (FLUX.md §1, §2): a Kubernetes Secret ([`secret`]), a
//! mounted Secret folder ([`dir`]), or the Secrets that Flux manifests name
//! ([`crate::flux`]).
//!
//! All three end in a [`TrustMaterial`]: the trust policy (parsed, cleaned as Flux does, and
//! validated), every certificate of every `.crt`/`.pem` key (all of them serve every trust store
//! the policy names, whatever its type and name: FLUX.md §2.4), and the raw `.crl` values.

pub mod dir;
pub mod notation;
pub mod pem;
pub mod secret;
pub(crate) mod yaml;

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

use crate::limits::Limits;
use crate::pki::cert::Cert;
use crate::policy::document::TrustStoreRef;
use crate::policy::{clean_trust_policy, Document, PolicyError};

pub use dir::from_dir;
pub use notation::from_notation_config;
pub use secret::{from_secret_file, SecretObject};

/// The Secret key Flux reads the trust policy from (case-sensitive).
pub const TRUST_POLICY_KEY: &str = "trustpolicy.json";

/// Why trust material could not be loaded. Configuration errors: the CLI exits with 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file or folder, as given.
        path: String,
        /// The operating system's error.
        reason: String,
    },
    /// A file is larger than the limit for configuration files.
    #[error("{path} is {size} bytes, more than the limit of {limit} bytes for a YAML/JSON configuration file")]
    TooLarge {
        /// The file, as given.
        path: String,
        /// Its size in bytes (or the bytes read before stopping, for a stream).
        size: u64,
        /// [`Limits::max_config_file`], in bytes.
        limit: u64,
    },
    /// A YAML or JSON file does not parse: syntax, duplicate keys, anchor/alias bombs and
    /// other resource limits.
    #[error("{path}: not valid YAML/JSON: {reason}")]
    Syntax {
        /// The file, as given.
        path: String,
        /// The parser's error, with its line and column where known.
        reason: String,
    },
    /// The file holds no Kubernetes Secret, or several where one was expected, or a Secret of a
    /// malformed shape.
    #[error("{path}: {reason}")]
    NotASecret {
        /// The file, as given.
        path: String,
        /// What was found instead (no Secret, several Secrets, a field of the wrong shape).
        reason: String,
    },
    /// The Secret (or folder) has no `trustpolicy.json` key (Flux's message); `keys` are the
    /// keys (or top-level fields of a Secret) that were there, for [`TrustError::hint`].
    #[error("'trustpolicy.json' not found in {origin}")]
    PolicyNotFound {
        /// What was read, as Flux names it: `secret 'namespace/name'` or `folder 'PATH'`.
        origin: String,
        /// The keys or files that were there (for a Secret without `data`, its top-level fields).
        keys: Vec<String>,
        /// Top-level fields of the Secret spelled like `data` / `stringData` in another case.
        misspelled: Vec<String>,
    },
    /// The trust policy does not parse or validate (notation-go's message).
    #[error("{0}")]
    Policy(#[from] PolicyError),
    /// The trust policy of a Secret or folder does not parse (notation-go's message), with where
    /// it was read from for the hint.
    #[error("{error}")]
    PolicyUnreadable {
        /// The Secret or folder, as messages name it (`secret 'ns/name'`).
        origin: String,
        /// Whether the value starts with a UTF-8 byte order mark, which Go's JSON reader refuses.
        bom: bool,
        /// notation-go's message, with serde's line and column.
        error: Box<PolicyError>,
    },
    /// No key ends in `.crt` or `.pem` (Flux's message); `keys` are the keys that were there.
    #[error("no certificates found in {origin}")]
    NoCertificates {
        /// What was read, as Flux names it: `secret 'namespace/name'` or `folder 'PATH'`.
        origin: String,
        /// The keys or files that were there.
        keys: Vec<String>,
    },
    /// A `data` value is not valid base64.
    #[error("{origin}: data key '{key}' is not valid base64: {reason}")]
    BadBase64 {
        /// The Secret, as `secret 'namespace/name'`.
        origin: String,
        /// The `data` key whose value does not decode.
        key: String,
        /// The decoder's error.
        reason: String,
    },
    /// A value is not a string, or a key is both in `data` and in `stringData` with a bad type.
    #[error("{origin}: key '{key}': {reason}")]
    BadValue {
        /// The Secret, as `secret 'namespace/name'`.
        origin: String,
        /// The `data` or `stringData` key.
        key: String,
        /// What the value is instead of a string.
        reason: String,
    },
    /// A `.crt`/`.pem` value does not hold certificates.
    #[error("{origin}: key '{key}' does not hold a valid certificate: {reason}")]
    BadCertificate {
        /// What held it: `secret 'namespace/name'` or `folder 'PATH'`.
        origin: String,
        /// The key or file name.
        key: String,
        /// Why it holds no certificate (the PEM or DER parser's error).
        reason: String,
    },
    /// A trust folder entry is a symlink leading outside the folder.
    #[error("{path} points outside the trust folder; symlinks are followed only inside it")]
    OutsideFolder {
        /// The entry: the folder's resolved path joined with the entry's name.
        path: String,
    },
    /// A value is larger than its limit (a CRL over `Limits::max_crl_file`, say).
    #[error("{origin}: key '{key}' is {size} bytes, more than the limit of {limit} bytes")]
    ValueTooLarge {
        /// What held it: `secret 'namespace/name'` or `folder 'PATH'`.
        origin: String,
        /// The key or file name.
        key: String,
        /// The value's size in bytes (decoded).
        size: u64,
        /// The limit it exceeds, in bytes.
        limit: u64,
    },
    /// An OCIRepository has no `spec.url`.
    #[error("{path}: OCIRepository '{object}' has no spec.url")]
    MissingUrl {
        /// The manifest file, as given.
        path: String,
        /// The OCIRepository, as `namespace/name`.
        object: String,
    },
    /// An OCIRepository's `spec.url` is not a valid `oci://registry/repository`.
    #[error("{path}: OCIRepository '{object}': invalid spec.url '{url}': {reason}")]
    BadUrl {
        /// The manifest file, as given.
        path: String,
        /// The OCIRepository, as `namespace/name`.
        object: String,
        /// The `spec.url` as written.
        url: String,
        /// What is wrong with it (scheme, registry, repository).
        reason: String,
    },
    /// An OCIRepository or Secret object has fields of the wrong type.
    #[error("{path}: {kind} '{object}': {reason}")]
    BadObject {
        /// The manifest file, as given.
        path: String,
        /// The object's kind: `OCIRepository` or `Secret`.
        kind: String,
        /// The object, as `namespace/name`.
        object: String,
        /// Which field has which wrong type.
        reason: String,
    },
    /// The Secret named by `secretRef` is not among the manifests (in that namespace).
    #[error("secret '{namespace}/{name}' not found: secrets \"{name}\" not found in namespace '{namespace}' among the Flux manifests given (a Secret must be in the OCIRepository's namespace)")]
    SecretNotFound {
        /// The OCIRepository's namespace, where Flux looks for the Secret.
        namespace: String,
        /// The name `spec.verify.secretRef.name` gives.
        name: String,
    },
    /// `spec.ref.semver` is not a valid range (Flux's message).
    #[error("semver '{range}' parse error: {reason}")]
    BadSemver {
        /// `spec.ref.semver` as written.
        range: String,
        /// Why it is not a range, in the words of Masterminds/semver (which Flux uses).
        reason: String,
    },
    /// `spec.ref.semverFilter` is not a valid regular expression (Go RE2 syntax).
    #[error("semverFilter '{filter}' is not a valid regular expression: {reason}")]
    BadSemverFilter {
        /// `spec.ref.semverFilter` as written.
        filter: String,
        /// The regular expression parser's error.
        reason: String,
    },
}

impl TrustError {
    /// How to fix it, for a line of its own beside the message (which stays Flux's words):
    /// the keys that were seen, and a near miss of `trustpolicy.json` or of `stringData`.
    pub fn hint(&self) -> Option<String> {
        match self {
            TrustError::PolicyUnreadable { origin, bom, .. } => Some(format!(
                "the policy is the key {TRUST_POLICY_KEY} of {origin}{}",
                if *bom {
                    "; it starts with a UTF-8 byte order mark (EF BB BF), which Go's JSON reader (and so Flux) refuses: save it without one"
                } else {
                    ""
                }
            )),
            TrustError::PolicyNotFound { misspelled, .. } if !misspelled.is_empty() => Some(format!(
                "the Secret has the field {}: Kubernetes and Flux read values only from 'data' and 'stringData', spelled so",
                listed(misspelled)
            )),
            TrustError::PolicyNotFound { keys, .. } if !keys.is_empty() => {
                let near: Vec<&String> = keys.iter().filter(|k| near_policy_key(k)).collect();
                let seen = listed(keys);
                Some(match near.as_slice() {
                    [] => format!("keys seen: {seen}; Flux reads the policy only from the key trustpolicy.json"),
                    near => format!(
                        "keys seen: {seen}; {} is close to trustpolicy.json: Flux reads the policy only from that exact key",
                        listed(&near.iter().map(|k| k.to_string()).collect::<Vec<_>>())
                    ),
                })
            }
            TrustError::NoCertificates { keys, .. } => Some(format!(
                "keys seen: {}; Flux reads certificates only from keys ending in .crt or .pem (case-sensitive): rename the key (root.cer to root.crt, say)",
                listed(keys)
            )),
            _ => None,
        }
    }
}

/// `'a', 'b'`, or `none`.
fn listed(keys: &[String]) -> String {
    if keys.is_empty() {
        return "none".to_string();
    }
    keys.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A key that was probably meant as `trustpolicy.json`.
fn near_policy_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower != TRUST_POLICY_KEY
        && (lower.starts_with("trustpolicy")
            || lower.starts_with("trust-policy")
            || lower.starts_with("trust_policy")
            || edit_distance(&lower, TRUST_POLICY_KEY) <= 2)
        || (key != TRUST_POLICY_KEY && lower == TRUST_POLICY_KEY)
}

/// Levenshtein distance, for near misses of short key names (bounded: keys over 64 bytes are
/// never near).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A trusted certificate and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCert {
    /// The Secret key or file name that held it.
    pub key: String,
    /// The certificate.
    pub cert: Cert,
    /// The trust stores it belongs to; empty under Flux's semantics, where every certificate
    /// serves every store.
    pub stores: Vec<TrustStoreRef>,
}

/// Whose semantics the trust material is read and judged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Semantics {
    /// Flux source-controller's: a Secret's certificates serve every store, at most 3 signatures.
    #[default]
    Flux,
    /// The notation CLI's: a config folder, per-store certificates, at most 100 signatures.
    NotationCli,
}

/// A certificate value that does not parse. Flux loads it without complaint and fails every
/// trust store lookup at verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnparsableValue {
    /// The Secret key or file name.
    pub key: String,
    /// Go's `x509.ParseCertificates` error (`x509: malformed certificate`, ...).
    pub error: String,
}

/// Everything a verification needs from the trust side.
#[derive(Debug, Clone)]
pub struct TrustMaterial {
    /// Where it came from (file, folder, or `namespace/name` of a Secret in a Flux manifest).
    pub source: String,
    /// The raw `trustpolicy.json` bytes.
    pub policy_bytes: Vec<u8>,
    /// The policy, cleaned as Flux does (skip statements emptied) and validated.
    pub policy: Document,
    /// Every certificate of every `.crt`/`.pem` key, in key order.
    pub certificates: Vec<TrustedCert>,
    /// Raw `.crl` values by key, in key order.
    pub crls: Vec<(String, Vec<u8>)>,
    /// Which semantics apply.
    pub semantics: Semantics,
    /// Certificate values that do not parse (Flux's semantics), in key order.
    pub unparsable: Vec<UnparsableValue>,
    /// Trust stores whose lookup fails (notation CLI semantics), with notation's message.
    pub store_errors: Vec<(TrustStoreRef, String)>,
    /// Things the user must know (Flux's skip-cleaning warning, PEM bundles Flux would cut,
    /// keys Flux ignores although they look like certificates).
    pub warnings: Vec<String>,
    /// Verbose-only remarks (ignored keys, stringData overriding data).
    pub notes: Vec<String>,
}

impl TrustMaterial {
    /// A digest identifying this trust material, for the attestation's policy digest:
    /// `sha256` over the UTF-8 text
    /// `"airgap-verify trust material v1\n"`, then `"policy sha256:<hex>\n"` (the policy bytes),
    /// then one `"cert sha256:<hex>\n"` per distinct certificate DER, sorted, then one
    /// `"crl sha256:<hex>\n"` per distinct CRL, sorted. Keys and order do not matter; returns
    /// `sha256:<hex>`.
    pub fn policy_digest(&self) -> String {
        let h = |b: &[u8]| hex::encode(Sha256::digest(b));
        let mut certs: Vec<String> = self.certificates.iter().map(|c| h(c.cert.der())).collect();
        certs.sort();
        certs.dedup();
        let mut crls: Vec<String> = self.crls.iter().map(|(_, b)| h(b)).collect();
        crls.sort();
        crls.dedup();
        let mut text = String::from("airgap-verify trust material v1\n");
        text.push_str(&format!("policy sha256:{}\n", h(&self.policy_bytes)));
        for c in certs {
            text.push_str(&format!("cert sha256:{c}\n"));
        }
        for c in crls {
            text.push_str(&format!("crl sha256:{c}\n"));
        }
        format!("sha256:{}", h(text.as_bytes()))
    }

    /// The certificates alone, of every store.
    pub fn certs(&self) -> Vec<Cert> {
        self.certificates.iter().map(|c| c.cert.clone()).collect()
    }

    /// The trusted certificates of the named stores, as notation-go's `loadX509TrustStores`
    /// asks the trust store for each distinct store in policy order. Under Flux's semantics
    /// every certificate serves every store (FLUX.md §2.4), and a certificate value that does not
    /// parse fails every lookup: `failed to parse certificate '<store name>': x509: ...`.
    /// Under the notation CLI's, a store holds the certificates of its folder, and a store that
    /// cannot be read fails with notation's message. The error is what notation reports.
    pub fn store_certificates(&self, stores: &[TrustStoreRef]) -> Result<Vec<Cert>, String> {
        let mut seen: Vec<&TrustStoreRef> = Vec::new();
        let mut out: Vec<Cert> = Vec::new();
        for store in stores {
            if seen.contains(&store) {
                continue;
            }
            seen.push(store);
            match self.semantics {
                Semantics::Flux => {
                    if let Some(bad) = self.unparsable.first() {
                        return Err(format!(
                            "failed to parse certificate '{}': {}",
                            store.name, bad.error
                        ));
                    }
                    if out.is_empty() {
                        out = self.certs();
                    }
                }
                Semantics::NotationCli => {
                    if let Some((_, e)) = self.store_errors.iter().find(|(s, _)| s == store) {
                        return Err(e.clone());
                    }
                    out.extend(
                        self.certificates
                            .iter()
                            .filter(|c| c.stores.contains(store))
                            .map(|c| c.cert.clone()),
                    );
                }
            }
        }
        Ok(out)
    }
}

/// Whether Flux reads a key as a certificate: it ends in `.crt` or `.pem` (case-sensitive).
pub fn is_certificate_key(key: &str) -> bool {
    key.ends_with(".crt") || key.ends_with(".pem")
}

/// Whether a key holds a CRL for offline revocation checking.
pub fn is_crl_key(key: &str) -> bool {
    key.ends_with(".crl")
}

/// Keys that look like certificates but that Flux ignores.
fn looks_like_ignored_certificate(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    [".crt", ".pem", ".cer", ".der", ".cert"]
        .iter()
        .any(|s| lower.ends_with(s))
}

/// The keys of a Secret (or folder) that trust material needs to read.
pub(crate) fn is_wanted_key(key: &str) -> bool {
    key == TRUST_POLICY_KEY || is_certificate_key(key) || is_crl_key(key)
}

impl TrustMaterial {
    /// Trust material from the decoded entries of a Secret (key to value, as a program that
    /// reads Secrets from the API server has them: `trustpolicy.json`, `*.crt`, `*.pem`,
    /// `*.crl`; other keys are ignored). `name` names the Secret (`namespace/name`) in the
    /// report and in messages. The checks are Flux's, in its order (FLUX.md §1).
    pub fn from_entries(
        name: &str,
        entries: BTreeMap<String, Vec<u8>>,
        limits: &Limits,
    ) -> Result<TrustMaterial, TrustError> {
        let entries = entries
            .into_iter()
            .filter(|(k, _)| is_wanted_key(k))
            .collect();
        build_material(
            name.to_string(),
            &format!("secret '{name}'"),
            entries,
            Vec::new(),
            limits,
        )
    }
}

/// Build trust material from decoded Secret entries, in Flux's order of checks (FLUX.md §1):
/// policy key present, policy parses, some certificate key present, policy cleaned and
/// validated; then each certificate value is read as Flux reads it ([`pem::read_flux_value`]).
/// A value that does not parse is kept as [`UnparsableValue`] with a warning: like Flux, the
/// load goes on and every trust store lookup fails at verification.
pub(crate) fn build_material(
    source: String,
    origin: &str,
    entries: BTreeMap<String, Vec<u8>>,
    mut notes: Vec<String>,
    limits: &Limits,
) -> Result<TrustMaterial, TrustError> {
    let policy_bytes =
        entries
            .get(TRUST_POLICY_KEY)
            .cloned()
            .ok_or_else(|| TrustError::PolicyNotFound {
                origin: origin.to_string(),
                keys: entries.keys().cloned().collect(),
                misspelled: Vec::new(),
            })?;
    let mut policy = Document::parse(&policy_bytes).map_err(|error| match error {
        PolicyError::Parse(_) => TrustError::PolicyUnreadable {
            origin: origin.to_string(),
            bom: policy_bytes.starts_with(b"\xef\xbb\xbf"),
            error: Box::new(error),
        },
        error => TrustError::Policy(error),
    })?;
    if !entries.keys().any(|k| is_certificate_key(k)) {
        return Err(TrustError::NoCertificates {
            origin: origin.to_string(),
            keys: entries.keys().cloned().collect(),
        });
    }
    let mut warnings = clean_trust_policy(&mut policy);
    policy.validate()?;

    let mut certificates = Vec::new();
    let mut unparsable = Vec::new();
    let mut crls = Vec::new();
    for (key, value) in entries {
        if key == TRUST_POLICY_KEY {
            continue;
        }
        if is_certificate_key(&key) {
            let read = pem::read_flux_value(&value, limits.max_certificates_per_chain);
            warnings.extend(value_warnings(origin, &key, &read));
            match read.error {
                Some(error) => unparsable.push(UnparsableValue {
                    key: key.clone(),
                    error,
                }),
                None => {
                    certificates.extend(read.certificates.into_iter().map(|cert| TrustedCert {
                        key: key.clone(),
                        cert,
                        stores: Vec::new(),
                    }))
                }
            }
        } else if is_crl_key(&key) {
            if value.len() as u64 > limits.max_crl_file {
                return Err(TrustError::ValueTooLarge {
                    origin: origin.to_string(),
                    key,
                    size: value.len() as u64,
                    limit: limits.max_crl_file,
                });
            }
            crls.push((key, value));
        } else if looks_like_ignored_certificate(&key) {
            warnings.push(format!(
                "key '{key}' in {origin} is ignored: Flux reads certificates only from keys ending in .crt or .pem (case-sensitive); rename it if it holds a trusted certificate"
            ));
        } else {
            notes.push(format!(
                "key '{key}' in {origin} is ignored: Flux reads only trustpolicy.json and keys ending in .crt or .pem"
            ));
        }
    }
    Ok(TrustMaterial {
        source,
        policy_bytes,
        policy,
        certificates,
        crls,
        semantics: Semantics::Flux,
        unparsable,
        store_errors: Vec::new(),
        warnings,
        notes,
    })
}

/// The warnings for one certificate value read as Flux reads it.
fn value_warnings(origin: &str, key: &str, read: &pem::FluxValue) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(error) = &read.error {
        let what = match &read.label {
            Some(label) => format!("its first PEM block ({label}) does not parse as certificates"),
            None => "it holds no PEM block and does not parse as DER certificates".to_string(),
        };
        out.push(format!(
            "key '{key}' in {origin}: {what} ({error}); Flux loads the Secret anyway and then fails the authenticity of every signature with \"failed to parse certificate '<store name>': {error}\". Fix or remove the key."
        ));
    } else if read.certificates.is_empty() {
        out.push(format!(
            "key '{key}' in {origin} is empty: it adds no certificate (Flux accepts it the same way)"
        ));
    }
    if !read.ignored_blocks.is_empty() {
        out.push(format!(
            "key '{key}' in {origin} holds further PEM blocks after the first, which Flux ignores: {}. Only the first block is trusted, here as in Flux; store each certificate under its own key (or as concatenated DER) to trust it.",
            read.ignored_blocks.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn material(policy: &[u8], certs: Vec<Cert>, crls: Vec<Vec<u8>>) -> TrustMaterial {
        TrustMaterial {
            source: "test".into(),
            policy_bytes: policy.to_vec(),
            policy: Document::default(),
            certificates: certs
                .into_iter()
                .enumerate()
                .map(|(i, cert)| TrustedCert {
                    key: format!("{i}.crt"),
                    cert,
                    stores: Vec::new(),
                })
                .collect(),
            crls: crls.into_iter().map(|c| ("x.crl".to_string(), c)).collect(),
            semantics: Semantics::Flux,
            unparsable: Vec::new(),
            store_errors: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn policy_digest_follows_its_documented_recipe() {
        let Some(dir) = airgap_verify_testkit::conformance() else {
            return;
        };
        let read = |p: &str| std::fs::read(dir.join(p)).unwrap();
        let certs = |p: &str| crate::pki::cert::parse_certificates(&read(p), 8).unwrap();
        let a = certs("notation/config/localkeys/e2e.crt").remove(0);
        let b = certs("notation/config/localkeys/new_e2e.crt").remove(0);
        let h = |b: &[u8]| hex::encode(Sha256::digest(b));
        let one = material(b"{}", vec![a.clone(), b.clone()], vec![b"crl".to_vec()]);
        // Key names, order and duplicates of certificates do not matter.
        let two = material(
            b"{}",
            vec![b.clone(), a.clone(), b.clone()],
            vec![b"crl".to_vec()],
        );
        assert_eq!(one.policy_digest(), two.policy_digest());
        // The policy bytes and the CRLs do.
        assert_ne!(
            one.policy_digest(),
            material(b"{ }", vec![a.clone(), b.clone()], vec![b"crl".to_vec()]).policy_digest()
        );
        assert_ne!(
            one.policy_digest(),
            material(b"{}", vec![a.clone(), b.clone()], vec![]).policy_digest()
        );
        let mut cert_lines = [h(a.der()), h(b.der())];
        cert_lines.sort();
        let text = format!(
            "airgap-verify trust material v1\npolicy sha256:{}\ncert sha256:{}\ncert sha256:{}\ncrl sha256:{}\n",
            h(b"{}"),
            cert_lines[0],
            cert_lines[1],
            h(b"crl")
        );
        assert_eq!(
            one.policy_digest(),
            format!("sha256:{}", h(text.as_bytes()))
        );
    }
}

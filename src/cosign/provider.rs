//! cosign as a provider beside Notation: the trust material ([`CosignMaterial`]: public keys, or
//! a trust root and identities) and the verification of one image into the same
//! [`crate::verify::Outcome`] that Notation's verification gives, so that the report, Flux's
//! condition and the attestation treat both providers alike.

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::bundle::{Signer as BundleSigner, TimeSource as BundleTime};
use super::{
    verify_image_keyed, verify_image_keyless, CosignKey, Format, IdentityMatcher, KeylessOutcome,
    Policy, TrustRoot,
};
use crate::limits::Limits;
use crate::oci::{Graph, Image};
use crate::trust::secret::SecretObject;
use crate::trust::TrustError;
use crate::verify::{
    CheckResult, Checks, Outcome, PolicyDigest, Provider, ScopeSource, SignatureOutcome, Signer,
    TimeSource, Verdict,
};

/// The key of a trust root in a Flux Secret (`spec.verify.trustedRootSecretRef`).
pub const TRUSTED_ROOT_KEY: &str = "trusted_root.json";

/// An identity a Fulcio certificate must match, as written (`matchOIDCIdentity`, or the
/// `--certificate-oidc-issuer-regexp` / `--certificate-identity-regexp` flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityPattern {
    /// The OIDC issuer regular expression.
    pub issuer: String,
    /// The subject (SAN) regular expression.
    pub subject: String,
}

/// How cosign signatures are judged.
#[derive(Debug, Clone)]
pub enum CosignTrust {
    /// Public keys (a Secret's `*.pub` entries, or key files): no transparency log.
    Keyed(Vec<CosignKey>),
    /// A Sigstore trust root and the identities one of which the certificate must match.
    Keyless {
        /// The trust root.
        root: Box<TrustRoot>,
        /// The trust root's bytes (for the trust-material digest).
        root_bytes: Vec<u8>,
        /// The identities as written.
        patterns: Vec<IdentityPattern>,
        /// The identities, compiled.
        matchers: Vec<IdentityMatcher>,
    },
}

/// cosign trust material, with where it came from.
#[derive(Debug, Clone)]
pub struct CosignMaterial {
    /// Where it came from (files, Secrets).
    pub source: String,
    /// Keys, or a trust root and identities.
    pub trust: CosignTrust,
}

/// Why cosign trust material cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignConfigError {
    /// A public key does not load.
    #[error("{0}")]
    Key(String),
    /// An identity is missing or does not compile.
    #[error("{0}")]
    Identity(String),
    /// The trust root does not parse.
    #[error(transparent)]
    TrustRoot(#[from] super::SigstoreError),
    /// A Secret's value cannot be decoded.
    #[error(transparent)]
    Secret(#[from] TrustError),
    /// Anything else (sizes).
    #[error("{0}")]
    Other(String),
}

impl CosignMaterial {
    /// Keyed: the PEM public keys `(name, bytes)`, loaded as Flux loads them.
    pub fn keyed(
        source: String,
        keys: &[(String, Vec<u8>)],
    ) -> Result<CosignMaterial, CosignConfigError> {
        let keys = keys
            .iter()
            .map(|(name, pem)| CosignKey::from_pem_flux(name, pem))
            .collect::<Result<Vec<_>, _>>()
            .map_err(CosignConfigError::Key)?;
        Ok(CosignMaterial {
            source,
            trust: CosignTrust::Keyed(keys),
        })
    }

    /// Keyed from a Secret: every entry whose key ends in `.pub` (Flux's rule).
    pub fn from_secret(secret: &SecretObject) -> Result<CosignMaterial, CosignConfigError> {
        let keys: Vec<(String, Vec<u8>)> = secret
            .values_where(|k| k.ends_with(".pub"))?
            .into_iter()
            .collect();
        CosignMaterial::keyed(
            format!("{} ({})", secret.source, secret.namespaced_name()),
            &keys,
        )
    }

    /// Keyless: a trust root (`root_name` for messages) and identity patterns (Go RE2, matched
    /// anywhere in the value).
    pub fn keyless(
        source: String,
        root_name: &str,
        root_bytes: Vec<u8>,
        patterns: Vec<IdentityPattern>,
    ) -> Result<CosignMaterial, CosignConfigError> {
        if root_bytes.len() as u64 > super::MAX_TRUST_ROOT {
            return Err(CosignConfigError::Other(format!(
                "trust root {root_name} is {} bytes, more than the limit of {}",
                root_bytes.len(),
                super::MAX_TRUST_ROOT
            )));
        }
        if patterns.is_empty() {
            return Err(CosignConfigError::Identity(
                "keyless verification needs at least one identity (an OIDC issuer and a subject regular expression)".into(),
            ));
        }
        let root = TrustRoot::from_json(root_name, &root_bytes)?;
        let matchers = patterns
            .iter()
            .map(|p| IdentityMatcher::from_regexps(&p.issuer, &p.subject))
            .collect::<Result<Vec<_>, _>>()
            .map_err(CosignConfigError::Identity)?;
        Ok(CosignMaterial {
            source,
            trust: CosignTrust::Keyless {
                root: Box::new(root),
                root_bytes,
                patterns,
                matchers,
            },
        })
    }

    /// `keyed` or `keyless`.
    pub fn mode(&self) -> &'static str {
        match self.trust {
            CosignTrust::Keyed(_) => "keyed",
            CosignTrust::Keyless { .. } => "keyless",
        }
    }

    /// The digest of this trust material: `sha256:` of [`CosignMaterial::digest_input`].
    pub fn digest(&self) -> String {
        format!(
            "sha256:{}",
            hex::encode(Sha256::digest(self.digest_input()))
        )
    }

    /// What [`CosignMaterial::digest`] hashes: lines `cosign/v1`, the mode, then `key <id>`
    /// per key (sorted, deduplicated), or `trusted-root sha256:<hex>` and
    /// `identity <issuer> <subject>` per identity in order (values JSON-quoted, so that no
    /// value can forge a line).
    pub fn digest_input(&self) -> Vec<u8> {
        let q = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        let mut lines = vec!["cosign/v1".to_string(), self.mode().to_string()];
        match &self.trust {
            CosignTrust::Keyed(keys) => {
                let ids: std::collections::BTreeSet<String> =
                    keys.iter().map(CosignKey::key_id).collect();
                lines.extend(ids.into_iter().map(|id| format!("key {id}")));
            }
            CosignTrust::Keyless {
                root_bytes,
                patterns,
                ..
            } => {
                lines.push(format!(
                    "trusted-root sha256:{}",
                    hex::encode(Sha256::digest(root_bytes))
                ));
                lines.extend(
                    patterns
                        .iter()
                        .map(|p| format!("identity {} {}", q(&p.issuer), q(&p.subject))),
                );
            }
        }
        let mut out = lines.join("\n").into_bytes();
        out.push(b'\n');
        out
    }
}

/// What the report says of a cosign verification: the mode, the identity that verified, and
/// cosign's own errors.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CosignDetails {
    /// `keyed` or `keyless`.
    pub mode: String,
    /// `simple-signing` (v2) or `bundle` (v3), for the signature that verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// The name of the key that verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// `sha256:` of the DER SubjectPublicKeyInfo of the key that verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The certificate's OIDC issuer (keyless).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The certificate's subject (keyless).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The verified signing times (log integrated time, RFC 3161 timestamps).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signing_times: Vec<SigningTime>,
    /// cosign's error for each key tried, when none verified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// A verified signing time.
#[derive(Debug, Clone, Serialize)]
pub struct SigningTime {
    /// `tlog` or `timestamp`.
    pub source: BundleTime,
    /// The time.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
}

impl CosignDetails {
    /// The identity that verified, in one line: `key <id> (<name>)`, or
    /// `issuer <issuer>, subject <subject>`.
    pub fn identity(&self) -> Option<String> {
        match (&self.key_id, &self.key_name, &self.issuer, &self.subject) {
            (Some(id), Some(name), _, _) => Some(format!("key {id} ({name})")),
            (_, _, Some(issuer), Some(subject)) => {
                Some(format!("issuer {issuer}, subject {subject}"))
            }
            _ => None,
        }
    }
}

/// The verified signature of an outcome, as the report lists signatures.
fn signature_outcome(
    digest: crate::digest::Digest,
    format: Format,
    signer: Option<Signer>,
    time: (OffsetDateTime, TimeSource),
    keyless: bool,
) -> SignatureOutcome {
    let checked = |b: bool| match b {
        true => CheckResult::Passed,
        false => CheckResult::Skipped,
    };
    SignatureOutcome {
        digest,
        envelope_digest: None,
        envelope: Some(match format {
            Format::SimpleSigning => "cosign-simple-signing",
            Format::Bundle => "sigstore-bundle",
        }),
        signer,
        signing_time: None,
        signing_scheme: None,
        timestamp: None,
        time_used: time.0,
        time_source: time.1,
        checks: Checks {
            integrity: CheckResult::Passed,
            authenticity: CheckResult::Passed,
            authentic_timestamp: checked(keyless),
            expiry: checked(keyless),
            revocation: CheckResult::Skipped,
        },
        revocation_details: Vec::new(),
        warnings: Vec::new(),
        error: None,
        reason: None,
        hint: None,
        failure: None,
        verified: true,
    }
}

/// Verify `image` (named `reference`, of `registry/repository` `scope`) with cosign's provider
/// and Flux's semantics. Keyed signatures carry no trusted time: `at` is reported and changes
/// nothing. Keyless: the trust root's validity windows and the bundle's own times are judged
/// at `at`, the certificate at the log's integrated time or the timestamp.
pub fn verify_image(
    graph: &Graph,
    image: &Image,
    reference: &str,
    scope: &str,
    material: &CosignMaterial,
    at: (OffsetDateTime, TimeSource),
    limits: &Limits,
) -> Outcome {
    let mut details = CosignDetails {
        mode: material.mode().to_string(),
        ..Default::default()
    };
    let mut outcome = Outcome {
        reference: reference.to_string(),
        digest: image.descriptor.digest.clone(),
        descriptor: image.descriptor.clone(),
        scope: scope.to_string(),
        scope_source: ScopeSource::User,
        verdict: Verdict::Failed,
        ignored: None,
        semantics: crate::trust::Semantics::Flux,
        trust_source: material.source.clone(),
        policy_digest: PolicyDigest::of_cosign(material.digest()),
        policy: None,
        // Notation's levels do not apply; the attestation names the cosign mode.
        level: None,
        time: at.0,
        time_source: at.1,
        signatures: Vec::new(),
        warnings: Vec::new(),
        message: None,
        aborted_by: None,
        would_verify: None,
        flux_risk: Vec::new(),
        reason: None,
        hint: None,
        concern: None,
        provider: Provider::Cosign,
        cosign: None,
    };
    // The image as cosign names it: `registry/repository@digest`, or the digest alone when no
    // scope names the repository.
    let artifact_ref = match scope {
        "*" => image.descriptor.digest.to_string(),
        _ => format!("{scope}@{}", image.descriptor.digest),
    };
    match &material.trust {
        CosignTrust::Keyed(keys) => {
            match verify_image_keyed(graph, &image.descriptor, &artifact_ref, keys, limits) {
                super::Outcome::Verified {
                    key_name,
                    key_id,
                    format,
                    signature,
                } => {
                    details.format = Some(format);
                    details.key_name = Some(key_name);
                    details.key_id = Some(key_id);
                    outcome
                        .signatures
                        .push(signature_outcome(signature, format, None, at, false));
                    outcome.verdict = Verdict::Verified;
                }
                super::Outcome::Failed {
                    message,
                    details: tried,
                } => {
                    outcome.message = Some(message);
                    details.details = tried;
                }
            }
        }
        CosignTrust::Keyless { root, matchers, .. } => {
            let policy = Policy {
                trust_root: Some(root.as_ref()),
                key: None,
                identities: matchers,
                require_tlog: true,
                at: at.0,
            };
            match verify_image_keyless(graph, &image.descriptor, &policy, limits) {
                KeylessOutcome::Verified {
                    signature,
                    verified,
                } => {
                    let format = if verified.version >= 3 {
                        Format::Bundle
                    } else {
                        Format::SimpleSigning
                    };
                    details.format = Some(format);
                    let signer = match &verified.signer {
                        BundleSigner::Certificate(id) => {
                            details.issuer = Some(id.issuer.clone());
                            details.subject = Some(id.subject.clone());
                            Some(Signer {
                                subject: id.subject.clone(),
                                issuer: id.issuer.clone(),
                                thumbprints: Vec::new(),
                            })
                        }
                        BundleSigner::Key { name, key_id } => {
                            details.key_name = Some(name.clone());
                            details.key_id = Some(key_id.clone());
                            None
                        }
                    };
                    details.signing_times = verified
                        .times
                        .iter()
                        .map(|(source, time)| SigningTime {
                            source: *source,
                            time: *time,
                        })
                        .collect();
                    let used = match verified.times.first() {
                        Some((BundleTime::Timestamp, t)) => (*t, TimeSource::Timestamp),
                        Some((BundleTime::Tlog, t)) => (*t, TimeSource::Tlog),
                        None => at,
                    };
                    outcome
                        .signatures
                        .push(signature_outcome(signature, format, signer, used, true));
                    outcome.verdict = Verdict::Verified;
                }
                KeylessOutcome::Failed { message } => outcome.message = Some(message),
            }
        }
    }
    outcome.cosign = Some(details);
    outcome
}

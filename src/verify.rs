//! The verification of one image, as notation-go's `notation.Verify` and `verifier.Verify` do it
//! (NOTATION.md §7.2 "Order of checks", §9.1), with Flux's trust material.
//!
//! For each image: choose the trust policy statement for the scope; `skip` ends there. Otherwise
//! take the image's Notation signatures in the bundle's deterministic order (see
//! [`crate::oci::Graph::notation_signatures`]) and verify them one by one, at most
//! `Limits::max_signatures_per_image` (Flux: 3), stopping at the first that verifies. Each
//! signature goes through, in order: integrity, verification plugin, authenticity, trusted
//! identity, expiry, authentic timestamp, revocation, and the target-artifact match. Every attempt
//! is reported.
//!
//! Time is an explicit input ([`VerifyContext::at`]), never read from the clock here.

use serde::Serialize;
use time::OffsetDateTime;

use crate::digest::{Descriptor, Digest};
use crate::envelope::{self, payload::Payload, SignerInfo, SigningScheme};
use crate::limits::Limits;
use crate::oci::{Graph, Image, SignatureCandidate};
use crate::pki::cert::Cert;
use crate::pki::revocation::{self, CrlSet};
use crate::pki::{chain, timestamp};
use crate::policy::document::VerifyTimestamp;
use crate::policy::{
    self, Action, LevelName, Statement, StoreKind, ValidationType, VerificationLevel,
};
use crate::trust::TrustMaterial;

pub mod failure;
mod policy_digest;
use failure::{Concern, LaterTime};
pub use failure::{Reason, SignatureFailure};
pub use policy_digest::PolicyDigest;

/// Where the verification time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeSource {
    /// The clock when the verification ran.
    Now,
    /// `--at`, a forensic re-verification.
    At,
    /// A trusted RFC 3161 timestamp of the signature.
    Timestamp,
    /// The authentic signing time of a `notary.x509.signingAuthority` signature.
    AuthenticSigningTime,
    /// A transparency log's integrated time (cosign keyless).
    Tlog,
}

/// Where the scope an image was judged by came from. Only [`ScopeSource::Bundle`] lets the
/// bundle name its own policy statement, and the report and attestation say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeSource {
    /// `--scope` (for every image, or for this one).
    User,
    /// The OCIRepository's `spec.url`.
    Flux,
    /// None was given, and the policy's only statement is `*`.
    Policy,
    /// The image's own full-name annotation (`--scope-from-bundle`).
    Bundle,
}

/// Where the Notation signatures of an image come from (notation-go's `Repository`). The OCI
/// graph of a bundle is one; a test or another provider can be another.
pub trait SignatureSource {
    /// The signature candidates of `target`, in a deterministic order.
    fn notation_signatures(
        &self,
        target: &Descriptor,
        limits: &Limits,
    ) -> Result<Vec<SignatureCandidate>, String>;
}

impl SignatureSource for Graph {
    fn notation_signatures(
        &self,
        target: &Descriptor,
        limits: &Limits,
    ) -> Result<Vec<SignatureCandidate>, String> {
        Graph::notation_signatures(self, target, limits).map_err(|e| e.to_string())
    }
}

/// The inputs of a verification that are not the bundle: trust, time, revocation data, limits.
#[derive(Debug, Clone)]
pub struct VerifyContext<'a> {
    /// The trust policy and certificates the image is judged by.
    pub trust: &'a TrustMaterial,
    /// The verification time.
    pub at: OffsetDateTime,
    /// `Now` or `At`.
    pub at_source: TimeSource,
    /// The CRLs the certificates' revocation is checked against (none: revocation status unknown
    /// where a certificate names a distribution point).
    pub crls: &'a CrlSet,
    /// The limits on the bundle's and the envelopes' contents.
    pub limits: &'a Limits,
}

/// The verdict for one image, Flux's three results (`checkOutcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A signature verified (possibly with logged expiry, timestamp or revocation failures).
    Verified,
    /// Nothing is enforced: Flux pulls the artifact without a `SourceVerified` condition (a
    /// `skip` level, or an authenticity failure that is only logged). Why is in
    /// [`Outcome::ignored`].
    Ignored,
    /// No signature verified, or the policy failed the image.
    Failed,
}

/// The result of one validation of one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CheckResult {
    /// Checked and good.
    Passed,
    /// Checked, bad, and enforced: the signature fails.
    Failed,
    /// Not checked (the level skips it, or an earlier enforced failure stopped the signature).
    #[default]
    Skipped,
    /// Checked, bad, and only logged (level `log`): a warning.
    Logged,
}

/// The five validations of Notation's trust policy, per signature.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checks {
    /// Integrity (always enforced): the envelope parses, its signature verifies with the leaf
    /// key, and the certificate chain is well formed.
    pub integrity: CheckResult,
    /// Authenticity: the chain ends in a trusted certificate and the signer is a trusted identity.
    pub authenticity: CheckResult,
    /// Authentic timestamp: the signing time is backed (an RFC 3161 timestamp, or the authentic
    /// signing time of `notary.x509.signingAuthority`) and within the chain's validity.
    pub authentic_timestamp: CheckResult,
    /// Expiry: the signature's own expiry time, if it has one, is not passed.
    pub expiry: CheckResult,
    /// Revocation: no certificate of the chain is revoked according to the CRLs supplied.
    pub revocation: CheckResult,
}

impl Checks {
    fn set(&mut self, t: ValidationType, r: CheckResult) {
        match t {
            ValidationType::Integrity => self.integrity = r,
            ValidationType::Authenticity => self.authenticity = r,
            ValidationType::AuthenticTimestamp => self.authentic_timestamp = r,
            ValidationType::Expiry => self.expiry = r,
            ValidationType::Revocation => self.revocation = r,
        }
    }
}

/// The signer as the envelope's certificate chain names it.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// The leaf certificate's subject ([`Cert::subject`]).
    pub subject: String,
    /// The leaf certificate's issuer, rendered as its subject is.
    pub issuer: String,
    /// SHA-256 thumbprints of the chain, leaf first (lowercase hex).
    pub thumbprints: Vec<String>,
}

/// A verified RFC 3161 timestamp.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimestampReport {
    /// The TSA certificate's subject ([`Cert::subject`]).
    pub tsa_subject: String,
    /// `genTime`: when the TSA says it saw the signature.
    #[serde(with = "time::serde::rfc3339")]
    pub gen_time: OffsetDateTime,
    /// The token's accuracy, in seconds (1 when the token states none, as the baseline policy
    /// says).
    pub accuracy_seconds: f64,
}

/// The revocation status of one certificate, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct CertRevocationReport {
    /// The certificate's subject ([`Cert::subject`]).
    pub subject: String,
    /// `ok`, `revoked`, `unknown` or `non-revocable`.
    pub status: String,
    /// The CRL that decided (file, issuer, thisUpdate, digest), when and why it was revoked, or why
    /// the status is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One signature tried, and what came of it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureOutcome {
    /// The signature manifest's digest.
    pub digest: Digest,
    /// The envelope blob's digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope_digest: Option<Digest>,
    /// `jws` or `cose`, when the envelope media type is one of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<&'static str>,
    /// The leaf certificate's subject and issuer and the chain's thumbprints, once the envelope
    /// parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// The signing time the envelope claims (untrusted under `notary.x509`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub signing_time: Option<OffsetDateTime>,
    /// The signing scheme: `notary.x509` or `notary.x509.signingAuthority`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_scheme: Option<&'static str>,
    /// The RFC 3161 timestamp, when one verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampReport>,
    /// The time certificate validity was judged at, and where it came from.
    #[serde(with = "time::serde::rfc3339")]
    pub time_used: OffsetDateTime,
    /// Where `time_used` came from: the verification time (`now`, `at`), a `timestamp` or the
    /// `authentic-signing-time`.
    pub time_source: TimeSource,
    /// The result of each of the five validations.
    pub checks: Checks,
    /// Per certificate of the chain, leaf first, its revocation status, when revocation was
    /// checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revocation_details: Vec<CertRevocationReport>,
    /// Logged (non-enforced) failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the signature failed, in notation's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The short name of the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// How to change what the failure concerns (a limit, the verification time), in the
    /// caller's words: the library leaves it empty, the command line names its flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Why the signature failed, typed.
    #[serde(skip)]
    pub failure: Option<SignatureFailure>,
    /// Whether this signature verified: no enforced check failed.
    pub verified: bool,
}

/// The outcome for one image.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The reference asked for (tag or digest).
    pub reference: String,
    /// The image manifest's digest.
    pub digest: Digest,
    /// The image manifest's descriptor (media type, size, annotations); not reported.
    #[serde(skip)]
    pub descriptor: Descriptor,
    /// The `registry/repository` the trust policy was matched against (`*` when none was known
    /// and the policy's global statement applied).
    pub scope: String,
    /// Where `scope` came from.
    pub scope_source: ScopeSource,
    /// The verdict: `verified`, `ignored` or `failed`.
    pub verdict: Verdict,
    /// Why the verdict is `ignored`.
    #[serde(rename = "ignoredReason", skip_serializing_if = "Option::is_none")]
    pub ignored: Option<Ignored>,
    /// Whose semantics judged the image: `flux` (a Secret or a trust folder) or `notation-cli`.
    pub semantics: crate::trust::Semantics,
    /// Where the trust material came from (Secret file, folder, or Flux Secret).
    pub trust_source: String,
    /// The digest of the trust material ([`TrustMaterial::policy_digest`]).
    pub policy_digest: PolicyDigest,
    /// The name of the trust policy statement that applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The verification level (strict, permissive, audit, skip, custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<LevelName>,
    /// The verification time and its source.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Where `time` came from: `now` or `at`.
    pub time_source: TimeSource,
    /// Every signature tried, in order.
    pub signatures: Vec<SignatureOutcome>,
    /// Warnings of the whole image (policy cleaning, logged failures of the verified signature).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the image is not verified, in notation's words (or the skip message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A signature that notation could not fetch and that aborted the verification.
    #[serde(rename = "abortedBy", skip_serializing_if = "Option::is_none")]
    pub aborted_by: Option<Digest>,
    /// With `abortedBy`: a later signature that verifies, reached had the broken one not been
    /// listed before it (remove the broken one, or list it after).
    #[serde(rename = "wouldVerify", skip_serializing_if = "Option::is_none")]
    pub would_verify: Option<Digest>,
    /// Ways the verdict depends on the order a registry lists the signatures in.
    #[serde(rename = "fluxRisk", skip_serializing_if = "Vec::is_empty")]
    pub flux_risk: Vec<OrderRisk>,
    /// The short name of the most specific failure of the signatures tried
    /// ([`SignatureFailure::most_specific`]), or `no-signature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// How to change what ended the verification (a limit), in the caller's words: the
    /// library leaves it empty, the command line names its flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// What ended the verification beyond its words (the limit an unavailable envelope
    /// exceeds), for the caller's hint.
    #[serde(skip)]
    pub concern: Option<Concern>,
    /// The provider that judged the image (Flux's `spec.verify.provider`).
    pub provider: Provider,
    /// With cosign: the mode, the identity that verified (key id, or issuer and subject) and
    /// cosign's errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosign: Option<crate::cosign::provider::CosignDetails>,
}

/// A way the verdict depends on the order in which a registry lists the image's signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRisk {
    /// `broken-signature` (a signature notation cannot fetch aborts the verification when it
    /// comes first) or `attempt-limit` (more signatures than are tried).
    pub kind: &'static str,
    /// What may happen, for people.
    pub message: String,
}

/// The order risks of an image's candidates, decided from their structure: which cannot be
/// fetched, how many there are against the attempt limit, and whether one verifies.
fn order_risks(candidates: &[SignatureCandidate], max: u64, some_verifies: bool) -> Vec<OrderRisk> {
    let mut risks = Vec::new();
    let broken: Vec<&SignatureCandidate> =
        candidates.iter().filter(|c| c.envelope.is_err()).collect();
    if some_verifies && !broken.is_empty() {
        let names: Vec<String> = broken
            .iter()
            .map(|c| c.manifest.digest.to_string())
            .collect();
        risks.push(OrderRisk {
            kind: "broken-signature",
            message: format!(
                "signature {} cannot be fetched by notation: a registry that lists it before the signature that verifies makes Flux fail the image; remove it from the bundle",
                names.join(", ")
            ),
        });
    }
    if candidates.len() as u64 > max {
        risks.push(OrderRisk {
            kind: "attempt-limit",
            message: format!(
                "the image has {} signatures and at most {max} are tried: which verdict Flux gives depends on the order a registry lists them in",
                candidates.len()
            ),
        });
    }
    risks
}

/// The signature provider that judges an image (Flux's `spec.verify.provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Notation signatures under a trust policy.
    #[default]
    Notation,
    /// cosign signatures (keyed or keyless).
    Cosign,
}

impl Provider {
    /// The provider as Flux names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Notation => "notation",
            Provider::Cosign => "cosign",
        }
    }
}

impl Outcome {
    /// The first signature that verified.
    pub fn verified_signature(&self) -> Option<&SignatureOutcome> {
        self.signatures.iter().find(|s| s.verified)
    }

    /// Flux's revision string: `<tag>@sha256:...`, or `sha256:...` when verified by digest.
    pub fn revision(&self) -> String {
        if self.reference.contains(':') && Digest::parse(&self.reference).is_ok() {
            self.digest.to_string()
        } else if self
            .reference
            .strip_suffix(&self.digest.to_string())
            .is_some_and(|name| name.ends_with('@'))
        {
            // `registry/app@sha256:…` already names its digest.
            self.reference.clone()
        } else {
            format!("{}@{}", self.reference, self.digest)
        }
    }

    /// Whether any verified signature logged an authenticity failure: Flux reports such an
    /// outcome as "ignored" (the artifact is accepted but not marked verified).
    pub fn authenticity_logged(&self) -> bool {
        self.verified_signature()
            .is_some_and(|s| s.checks.authenticity == CheckResult::Logged)
    }
}

impl Outcome {
    /// The image's result in Flux's three values: verified (with the signature that verified),
    /// ignored (the artifact is pulled, no condition is written), or failed.
    pub fn result(&self) -> ImageResult<'_> {
        match self.verdict {
            Verdict::Ignored => ImageResult::Ignored(self.ignored.unwrap_or(Ignored::SkipLevel)),
            Verdict::Failed => ImageResult::Failed,
            Verdict::Verified => match self.verified_signature() {
                Some(signature) => ImageResult::Verified(VerifiedSignature { signature }),
                None => ImageResult::Failed,
            },
        }
    }
}

/// An image's result with Flux's semantics.
#[derive(Debug, Clone, Copy)]
pub enum ImageResult<'a> {
    /// A signature verified.
    Verified(VerifiedSignature<'a>),
    /// Nothing is enforced: the artifact is pulled without a `SourceVerified` condition.
    Ignored(Ignored),
    /// No signature verified, or the policy failed the image.
    Failed,
}

/// Why an image's verification is ignored (Flux's third result). In JSON: `skip`,
/// `authenticity-logged`, `not-configured`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ignored {
    /// The trust policy statement's level is `skip`.
    #[serde(rename = "skip")]
    SkipLevel,
    /// A signature verified only because its authenticity failure is logged, not enforced.
    #[serde(rename = "authenticity-logged")]
    AuthenticityLogged,
    /// An OCIRepository without `spec.verify`: Flux verifies nothing.
    #[serde(rename = "not-configured")]
    NotConfigured,
}

/// A signature that verified: made only by [`Outcome::result`], from a verified signature.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedSignature<'a> {
    signature: &'a SignatureOutcome,
}

impl<'a> VerifiedSignature<'a> {
    /// The signature's outcome (every check, the signer, the times).
    pub fn outcome(&self) -> &'a SignatureOutcome {
        self.signature
    }
}

/// A problem found while verifying (not a verdict): exit 2, or 3 when
/// [`VerifyError::is_bundle_fault`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No scope was given and the policy is not a single `*` statement: the bundle must not
    /// choose the statement it is judged by.
    #[error("no scope for image {image}: the trust policy's registryScopes are {}; the bundle names the image {}", list_or_none(.policy_scopes), list_or_none(.names))]
    NoScope {
        /// The image, as asked for.
        image: String,
        /// Every `registryScopes` value of the policy.
        policy_scopes: Vec<String>,
        /// The tags and full names the bundle gives the image (unverified).
        names: Vec<String>,
    },
    /// The policy has no statement for the scope (notation-go's message), or its statement's
    /// level is invalid.
    #[error("{message}")]
    NoApplicablePolicy {
        /// notation-go's message.
        message: String,
        /// The scope the image was judged by.
        scope: String,
        /// Every `registryScopes` value of the policy.
        policy_scopes: Vec<String>,
    },
    /// The bundle's referrers could not be listed (over a limit): the bundle's fault, exit 3.
    #[error("{0}")]
    Referrers(String),
}

impl VerifyError {
    /// True when the bundle, not the configuration, is at fault (exit 3, not 2).
    pub fn is_bundle_fault(&self) -> bool {
        matches!(self, VerifyError::Referrers(_))
    }
}

/// Every `registryScopes` value of the policy, in its order.
fn policy_scopes(policy: &crate::policy::Document) -> Vec<String> {
    policy
        .statements
        .iter()
        .flat_map(|s| s.registry_scopes.iter().cloned())
        .collect()
}

/// Verify one image of the bundle.
pub fn verify_image(
    graph: &dyn SignatureSource,
    image: &Image,
    reference: &str,
    scope: Option<&str>,
    ctx: &VerifyContext<'_>,
) -> Result<Outcome, VerifyError> {
    let policy = &ctx.trust.policy;
    let only_global = match policy.statements.as_slice() {
        [one] if one.is_global() => Some(one),
        _ => None,
    };
    let (scope, artifact_ref, statement) = match scope.map(str::to_string) {
        Some(scope) => {
            let artifact_ref = format!("{scope}@{}", image.descriptor.digest);
            let statement = policy.applicable_statement(&artifact_ref).map_err(|e| {
                VerifyError::NoApplicablePolicy {
                    message: e.to_string(),
                    scope: scope.clone(),
                    policy_scopes: policy_scopes(policy),
                }
            })?;
            (scope, artifact_ref, statement)
        }
        None => match only_global {
            Some(statement) => (
                "*".to_string(),
                image.descriptor.digest.to_string(),
                statement,
            ),
            None => {
                return Err(VerifyError::NoScope {
                    image: reference.to_string(),
                    policy_scopes: policy_scopes(policy),
                    names: image
                        .full_names
                        .iter()
                        .chain(&image.tags)
                        .cloned()
                        .collect(),
                })
            }
        },
    };
    let level = statement
        .verification_level()
        .map_err(|e| VerifyError::NoApplicablePolicy {
            message: e.to_string(),
            scope: scope.clone(),
            policy_scopes: policy_scopes(policy),
        })?;
    let mut outcome = Outcome {
        reference: reference.to_string(),
        digest: image.descriptor.digest.clone(),
        descriptor: image.descriptor.clone(),
        scope_source: if only_global.is_some() && scope == "*" {
            ScopeSource::Policy
        } else {
            ScopeSource::User
        },
        scope: scope.clone(),
        verdict: Verdict::Failed,
        ignored: None,
        semantics: ctx.trust.semantics,
        trust_source: ctx.trust.source.clone(),
        policy_digest: PolicyDigest::of(ctx.trust),
        policy: Some(statement.name.clone()),
        level: Some(level.name),
        time: ctx.at,
        time_source: ctx.at_source,
        signatures: Vec::new(),
        warnings: ctx.trust.warnings.clone(),
        message: None,
        aborted_by: None,
        would_verify: None,
        flux_risk: Vec::new(),
        reason: None,
        hint: None,
        concern: None,
        provider: Provider::Notation,
        cosign: None,
    };

    // notation.Verify: a skip statement returns before signatures are even listed.
    if level.name == LevelName::Skip {
        outcome.verdict = Verdict::Ignored;
        outcome.ignored = Some(Ignored::SkipLevel);
        outcome.message =
            Some("Trust policy is configured to skip signature verification".to_string());
        return Ok(outcome);
    }

    let candidates = graph
        .notation_signatures(&image.descriptor, ctx.limits)
        .map_err(VerifyError::Referrers)?;
    if candidates.is_empty() {
        outcome.message = Some(format!(
            "no signature is associated with \"{artifact_ref}\", make sure the artifact was signed successfully"
        ));
        outcome.reason = Some(Reason::NoSignature);
        return Ok(outcome);
    }

    let max = ctx.limits.max_signatures_per_image;
    for (i, candidate) in candidates.iter().enumerate() {
        if outcome.signatures.len() as u64 >= max {
            break;
        }
        // notation.Verify: a signature whose envelope cannot be fetched (a manifest without
        // exactly one layer, over a size limit) aborts the whole verification.
        if let Err(reason) = &candidate.envelope {
            outcome.message = Some(format!(
                "unable to retrieve digital signature with digest \"{}\" associated with \"{artifact_ref}\" from the Repository, error : {reason}",
                candidate.manifest.digest
            ));
            outcome.aborted_by = Some(candidate.manifest.digest.clone());
            outcome.concern = reason.limit.map(Concern::Limit);
            outcome.would_verify = candidates[i + 1..]
                .iter()
                .filter(|c| c.envelope.is_ok())
                .find(|c| verify_signature(c, image, statement, &level, ctx).verified)
                .map(|c| c.manifest.digest.clone());
            outcome.flux_risk = order_risks(&candidates, max, outcome.would_verify.is_some());
            return Ok(outcome);
        }
        let sig = verify_signature(candidate, image, statement, &level, ctx);
        let verified = sig.verified;
        outcome.signatures.push(sig);
        if verified {
            break;
        }
    }

    outcome.flux_risk = order_risks(&candidates, max, outcome.verified_signature().is_some());
    if let Some(sig) = outcome.verified_signature() {
        let warnings = sig.warnings.clone();
        outcome.warnings.extend(warnings);
        outcome.verdict = Verdict::Verified;
        // Flux's checkOutcome: a logged authenticity failure is "ignored". The notation CLI
        // reports the same outcome as a success with warnings.
        if outcome.authenticity_logged() && ctx.trust.semantics == crate::trust::Semantics::Flux {
            outcome.verdict = Verdict::Ignored;
            outcome.ignored = Some(Ignored::AuthenticityLogged);
        }
        return Ok(outcome);
    }
    let mut lines = Vec::new();
    if outcome.signatures.len() as u64 >= max {
        lines.push(format!(
            "signature evaluation stopped. The configured limit of {max} signatures to verify per artifact exceeded"
        ));
    } else {
        lines.push("signature verification failed".to_string());
    }
    for s in &outcome.signatures {
        lines.push(format!(
            "failed to verify signature with digest {}, {}",
            s.digest,
            s.error.as_deref().unwrap_or("unknown error")
        ));
    }
    outcome.message = Some(lines.join("\n"));
    outcome.reason = SignatureFailure::most_specific(
        outcome.signatures.iter().filter_map(|s| s.failure.as_ref()),
    )
    .map(SignatureFailure::reason);
    Ok(outcome)
}

/// `a, b` in quotes, or `none`.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items
            .iter()
            .map(|i| format!("{i:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The `registry/repository` of a full image name such as `registry.example/app:v1` or
/// `registry.example:5000/team/app@sha256:...`; `None` when the name has no registry part.
pub fn scope_of_full_name(name: &str) -> Option<String> {
    let without_digest = name.split('@').next().unwrap_or(name);
    // A tag is a ':' after the last '/'.
    let repo = match without_digest.rfind('/') {
        Some(slash) => match without_digest[slash..].find(':') {
            Some(colon) => &without_digest[..slash + colon],
            None => without_digest,
        },
        None => return None,
    };
    let (host, _) = repo.split_once('/')?;
    let looks_like_host = host.contains('.') || host.contains(':') || host == "localhost";
    looks_like_host.then(|| repo.to_string())
}

/// A failure of one check, with the validation type it belongs to.
struct CheckFailure {
    kind: ValidationType,
    /// Boxed: failures are rare and `Result`s of checks stay small.
    failure: Box<SignatureFailure>,
}

impl CheckFailure {
    fn new(kind: ValidationType, failure: impl Into<SignatureFailure>) -> CheckFailure {
        CheckFailure {
            kind,
            failure: Box::new(failure.into()),
        }
    }
}

/// The state of one signature's verification as checks run.
/// An enforced failure ended a signature's checks; what failed is recorded in the attempt.
struct Stopped;

struct Attempt<'a> {
    level: &'a VerificationLevel,
    out: SignatureOutcome,
}

impl Attempt<'_> {
    /// Apply the level's action to a check result. `Err` means the signature fails here.
    fn record(
        &mut self,
        result: Result<(), CheckFailure>,
        kind: ValidationType,
    ) -> Result<(), Stopped> {
        match result {
            Ok(()) => {
                self.out.checks.set(kind, CheckResult::Passed);
                Ok(())
            }
            Err(f) => match self.level.action(f.kind) {
                Action::Enforce => Err(self.fail(f.kind, *f.failure)),
                Action::Log => {
                    self.out.checks.set(f.kind, CheckResult::Logged);
                    self.out.warnings.push(format!(
                        "{} was set to \"log\" and failed with error: {}",
                        validation_name(f.kind),
                        f.failure
                    ));
                    Ok(())
                }
                Action::Skip => {
                    self.out.checks.set(f.kind, CheckResult::Skipped);
                    Ok(())
                }
            },
        }
    }

    /// A failure that no level can log away (integrity, target mismatch, unsupported plugin).
    /// An enforced failure of `kind`: recorded, and the signature's checks stop.
    fn fail(&mut self, kind: ValidationType, failure: impl Into<SignatureFailure>) -> Stopped {
        let failure = failure.into();
        self.out.checks.set(kind, CheckResult::Failed);
        self.out.error = Some(failure.to_string());
        self.out.reason = Some(failure.reason());
        self.out.failure = Some(failure);
        Stopped
    }
}

/// Notation's name of a validation type, as in trust policy overrides.
pub fn validation_name(t: ValidationType) -> &'static str {
    match t {
        ValidationType::Integrity => "integrity",
        ValidationType::Authenticity => "authenticity",
        ValidationType::AuthenticTimestamp => "authenticTimestamp",
        ValidationType::Expiry => "expiry",
        ValidationType::Revocation => "revocation",
    }
}

/// Verify one signature candidate (ng `verifier.Verify` → `processSignature`).
fn verify_signature(
    candidate: &SignatureCandidate,
    image: &Image,
    statement: &Statement,
    level: &VerificationLevel,
    ctx: &VerifyContext<'_>,
) -> SignatureOutcome {
    let mut attempt = Attempt {
        level,
        out: SignatureOutcome {
            digest: candidate.manifest.digest.clone(),
            envelope_digest: None,
            envelope: None,
            signer: None,
            signing_time: None,
            signing_scheme: None,
            timestamp: None,
            time_used: ctx.at,
            time_source: ctx.at_source,
            checks: Checks::default(),
            revocation_details: Vec::new(),
            warnings: Vec::new(),
            error: None,
            reason: None,
            hint: None,
            failure: None,
            verified: false,
        },
    };
    // A stop is already recorded in the outcome (its check and its error).
    let _stopped: Result<(), Stopped> = run_checks(&mut attempt, candidate, image, statement, ctx);
    attempt.out.verified = attempt.out.error.is_none();
    attempt.out
}

fn run_checks(
    a: &mut Attempt<'_>,
    candidate: &SignatureCandidate,
    image: &Image,
    statement: &Statement,
    ctx: &VerifyContext<'_>,
) -> Result<(), Stopped> {
    use ValidationType::*;

    // 1. Integrity (always enforced): the envelope, its signature, the chain's structure.
    let (envelope_desc, bytes) = match &candidate.envelope {
        Ok(e) => e,
        Err(reason) => {
            return Err(a.fail(Integrity, SignatureFailure::Unreadable(reason.clone())));
        }
    };
    a.out.envelope_digest = Some(envelope_desc.digest.clone());
    a.out.envelope =
        envelope::EnvelopeFormat::from_media_type(&envelope_desc.media_type).map(|f| match f {
            envelope::EnvelopeFormat::Jws => "jws",
            envelope::EnvelopeFormat::Cose => "cose",
        });
    let info = match envelope::open(&envelope_desc.media_type, bytes, ctx.limits) {
        Ok(info) => info,
        Err(e) => {
            return Err(a.fail(Integrity, e));
        }
    };
    a.out.signer = signer_of(&info.certificate_chain);
    a.out.signing_time = info.signing_time.or(info.authentic_signing_time);
    a.out.signing_scheme = Some(match info.signing_scheme {
        SigningScheme::X509 => "notary.x509",
        SigningScheme::X509SigningAuthority => "notary.x509.signingAuthority",
    });
    if let Err(e) = chain::validate_chain(
        &info.certificate_chain,
        chain::ChainProfile::CodeSigning,
        ctx.limits,
    ) {
        return Err(a.fail(Integrity, e));
    }
    a.out.checks.integrity = CheckResult::Passed;

    // 2. Verification plugins cannot run offline (and Flux has none): fail, as the spec asks of
    //    implementations without plugin support.
    if let Some(plugin) = &info.verification_plugin {
        return Err(a.fail(
            Authenticity,
            SignatureFailure::PluginRequired(plugin.clone()),
        ));
    }

    // 3-4. Authenticity and trusted identity.
    let store_kind = match info.signing_scheme {
        SigningScheme::X509 => StoreKind::Ca,
        SigningScheme::X509SigningAuthority => StoreKind::SigningAuthority,
    };
    let authenticity = ctx
        .trust
        .store_certificates(&statement.stores_of_kind(store_kind))
        .map_err(|e| CheckFailure::new(Authenticity, SignatureFailure::TrustStore(e)))
        .and_then(|trusted| {
            chain::authenticity_any_cert_in_chain(&info.certificate_chain, &trusted)
                .map_err(|e| CheckFailure::new(Authenticity, e))
        })
        .and_then(|()| {
            let leaf = info
                .certificate_chain
                .first()
                .ok_or_else(|| CheckFailure::new(Authenticity, SignatureFailure::EmptyChain))?;
            policy::leaf_matches_trusted_identities(leaf, statement).map_err(|e| {
                CheckFailure::new(Authenticity, SignatureFailure::Identity(e.to_string()))
            })
        });
    a.record(authenticity, Authenticity)?;

    // 5. Expiry, judged at the verification time (ng compares with the clock, not a timestamp).
    if a.level.action(Expiry) != Action::Skip {
        let expiry = match info.expiry {
            Some(exp) if ctx.at >= exp => {
                Err(CheckFailure::new(Expiry, SignatureFailure::Expired(exp)))
            }
            _ => Ok(()),
        };
        a.record(expiry, Expiry)?;
    }

    // 6. Authentic timestamp (§5.2).
    let ts = authentic_timestamp(a, &info, statement, ctx);
    a.record(ts, AuthenticTimestamp)?;

    // 7. Revocation (§8), from CRL files only.
    if a.level.action(Revocation) != Action::Skip {
        let ast = match info.signing_scheme {
            SigningScheme::X509SigningAuthority => info.authentic_signing_time,
            SigningScheme::X509 => None,
        };
        let result =
            revocation::check_chain_revocation(&info.certificate_chain, ctx.crls, ctx.at, ast);
        a.out.revocation_details = revocation_report(&result);
        let checked = match SignatureFailure::of_revocation(&result) {
            Some(f) => Err(CheckFailure::new(Revocation, f)),
            None => Ok(()),
        };
        a.record(checked, Revocation)?;
    }

    // 8. The signed payload must name this very image (fails at every level but skip).
    let matches = Payload::parse(&info.payload)
        .map_err(|e| e.to_string())
        .and_then(|p| p.target_artifact.descriptor().map_err(|e| e.to_string()))
        .map(|d| d == image.descriptor);
    match matches {
        Ok(true) => Ok(()),
        Ok(false) => Err(a.fail(Integrity, SignatureFailure::TargetMismatch)),
        Err(e) => Err(a.fail(Integrity, SignatureFailure::Payload(e))),
    }
}

/// §5.2: which time the certificates are judged at, and whether the timestamp is authentic.
fn authentic_timestamp(
    a: &mut Attempt<'_>,
    info: &SignerInfo,
    statement: &Statement,
    ctx: &VerifyContext<'_>,
) -> Result<(), CheckFailure> {
    use ValidationType::AuthenticTimestamp as AT;
    let chain = &info.certificate_chain;
    if info.signing_scheme == SigningScheme::X509SigningAuthority {
        let t = info
            .authentic_signing_time
            .ok_or_else(|| CheckFailure::new(AT, SignatureFailure::AuthenticSigningTimeMissing))?;
        a.out.time_used = t;
        a.out.time_source = TimeSource::AuthenticSigningTime;
        if ctx.at_source == TimeSource::At && t > ctx.at {
            return Err(CheckFailure::new(
                AT,
                SignatureFailure::AfterVerificationTime {
                    which: LaterTime::AuthenticSigningTime,
                    time: t,
                    at: ctx.at,
                },
            ));
        }
        return chain::chain_valid_at_authentic_signing_time(chain, t)
            .map_err(|e| CheckFailure::new(AT, e));
    }

    let has_tsa_store = !statement.stores_of_kind(StoreKind::Tsa).is_empty();
    let any_expired = chain.iter().any(|c| ctx.at > c.not_after());
    let triggered = has_tsa_store
        && match statement.signature_verification.verify_timestamp() {
            Some(VerifyTimestamp::AfterCertExpiry) => any_expired,
            _ => true,
        };
    if !triggered {
        signed_before_at(info.signing_time, ctx)?;
        return chain::chain_valid_at(chain, ctx.at).map_err(|e| CheckFailure::new(AT, e));
    }
    let token = info
        .timestamp_token
        .as_deref()
        .ok_or_else(|| CheckFailure::new(AT, SignatureFailure::TimestampMissing))?;
    let roots = ctx
        .trust
        .store_certificates(&statement.stores_of_kind(StoreKind::Tsa))
        .map_err(|e| CheckFailure::new(AT, SignatureFailure::TsaStore(e)))?;
    if roots.is_empty() {
        return Err(CheckFailure::new(AT, SignatureFailure::NoTsaCertificate));
    }
    let ts = timestamp::verify_timestamp(token, &info.signature, &roots, ctx.limits)
        .map_err(|e| CheckFailure::new(AT, e))?;
    a.out.timestamp = Some(TimestampReport {
        tsa_subject: ts.tsa_subject.clone(),
        gen_time: ts.gen_time,
        accuracy_seconds: ts.accuracy.as_seconds_f64(),
    });
    a.out.time_used = ts.gen_time;
    a.out.time_source = TimeSource::Timestamp;
    if ctx.at_source == TimeSource::At && ts.earliest() > ctx.at {
        return Err(CheckFailure::new(
            AT,
            SignatureFailure::AfterVerificationTime {
                which: LaterTime::Timestamp,
                time: ts.gen_time,
                at: ctx.at,
            },
        ));
    }
    chain::chain_valid_within(chain, ts.earliest(), ts.latest())
        .map_err(|e| CheckFailure::new(AT, e))?;
    // The TSA chain's revocation is part of authenticTimestamp, whatever the revocation setting.
    let tsa_rev = revocation::check_tsa_chain_revocation(&ts.tsa_chain, ctx.crls, ctx.at);
    if let Some(f) = SignatureFailure::of_revocation(&tsa_rev) {
        return Err(CheckFailure::new(AT, f));
    }
    Ok(())
}

/// With `--at`, a signature whose (untrusted) signing time is after that time did not exist
/// then: judging it "as of" `--at` would be meaningless, so it fails authenticTimestamp (issue
/// contract of `--at`; notation has no such option). Without `--at` the clock is the time and
/// the signing time is not compared, as notation does.
fn signed_before_at(
    signing_time: Option<OffsetDateTime>,
    ctx: &VerifyContext<'_>,
) -> Result<(), CheckFailure> {
    match signing_time {
        Some(t) if ctx.at_source == TimeSource::At && t > ctx.at => Err(CheckFailure::new(
            ValidationType::AuthenticTimestamp,
            SignatureFailure::AfterVerificationTime {
                which: LaterTime::SigningTime,
                time: t,
                at: ctx.at,
            },
        )),
        _ => Ok(()),
    }
}

/// Each certificate's revocation status, for the report.
fn revocation_report(r: &revocation::ChainRevocation) -> Vec<CertRevocationReport> {
    use revocation::CertStatus;
    let crl = |c: &revocation::CrlRef| {
        format!(
            "{} (issuer {}, thisUpdate {}, sha256:{})",
            c.source,
            c.issuer,
            rfc3339(c.this_update),
            c.sha256
        )
    };
    r.certs
        .iter()
        .map(|c| {
            let (status, detail) = match &c.status {
                CertStatus::Ok { crl: used, .. } => ("ok", Some(format!("CRL {}", crl(used)))),
                CertStatus::Revoked {
                    crl: used,
                    date,
                    reason,
                    ..
                } => (
                    "revoked",
                    Some(format!(
                        "revoked at {}{} according to CRL {}",
                        rfc3339(*date),
                        reason
                            .map(|r| format!(" ({})", r.name()))
                            .unwrap_or_default(),
                        crl(used)
                    )),
                ),
                CertStatus::Unknown { why } => ("unknown", Some(why.to_string())),
                CertStatus::NonRevocable => ("non-revocable", None),
            };
            CertRevocationReport {
                subject: c.subject.clone(),
                status: status.to_string(),
                detail,
            }
        })
        .collect()
}

fn signer_of(chain: &[Cert]) -> Option<Signer> {
    let leaf = chain.first()?;
    Some(Signer {
        subject: leaf.subject(),
        issuer: leaf.issuer(),
        thumbprints: chain.iter().map(Cert::sha256_thumbprint).collect(),
    })
}

/// RFC 3339 in UTC, for messages.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_from_full_names() {
        assert_eq!(
            scope_of_full_name("registry.example/app:v1").as_deref(),
            Some("registry.example/app")
        );
        assert_eq!(
            scope_of_full_name("localhost:5000/team/app@sha256:abc").as_deref(),
            Some("localhost:5000/team/app")
        );
        assert_eq!(scope_of_full_name("app:v1"), None);
        assert_eq!(scope_of_full_name("library/app:v1"), None);
    }
}

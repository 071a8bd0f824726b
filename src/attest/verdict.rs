//! What an attestation says of one verified image: a [`Verdict`] made from the image's
//! [`Outcome`], with the verification time and its source taken from the outcome (the
//! report's), never read here.

use time::OffsetDateTime;

use super::{Verdict, VerifiedSignature};
use crate::digest::{Digest, DigestError};
use crate::verify::{Ignored, ImageResult, Outcome, ScopeSource, TimeSource};

/// The exact result of an outcome as the attestation's extension names it, and why an ignored
/// image was ignored: `verified`, `ignored` (`skip`, `authenticity-logged` or `not-configured`) or
/// `failed`. Only `verified` is ever attested as `PASSED`.
pub fn result_of(outcome: &Outcome) -> (&'static str, Option<&'static str>) {
    match outcome.result() {
        ImageResult::Verified(_) => ("verified", None),
        ImageResult::Ignored(Ignored::SkipLevel) => ("ignored", Some("skip")),
        ImageResult::Ignored(Ignored::AuthenticityLogged) => {
            ("ignored", Some("authenticity-logged"))
        }
        ImageResult::Ignored(Ignored::NotConfigured) => ("ignored", Some("not-configured")),
        ImageResult::Failed => ("failed", None),
    }
}

/// Why an outcome cannot be attested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerdictError {
    /// The image's `registry/repository` is not known (the policy's `*` statement applied), and
    /// the attestation's `resourceUri` needs it.
    #[error(
        "the attestation of {reference} needs the image's registry/repository for its resourceUri"
    )]
    NoScope {
        /// The reference of the image, as asked for.
        reference: String,
    },
    /// The outcome's policy digest is not a digest.
    #[error(transparent)]
    PolicyDigest(#[from] DigestError),
}

impl Verdict {
    /// The verdict of `outcome`: `passed` (a verified image) or failed (then every signature
    /// tried is listed, not only those that verified). `time_verified` is when the verification
    /// ran. An image whose exact result ([`result_of`]) is not `verified` is never passed,
    /// whatever `passed` says. The trust-material digest is the outcome's (recipe version 1);
    /// the caller may replace it with a later recipe's.
    pub fn from_outcome(
        outcome: &Outcome,
        passed: bool,
        time_verified: OffsetDateTime,
    ) -> Result<Verdict, VerdictError> {
        if outcome.scope == "*" {
            return Err(VerdictError::NoScope {
                reference: outcome.reference.clone(),
            });
        }
        let policy_digest = Digest::parse(outcome.policy_digest.as_str())?;
        let (result, ignored_because) = result_of(outcome);
        let passed = passed && result == "verified";
        let signatures = outcome
            .signatures
            .iter()
            .filter(|s| s.verified || !passed)
            .filter_map(|s| {
                Some(VerifiedSignature {
                    envelope_digest: s
                        .envelope_digest
                        .clone()
                        .or_else(|| cosign_signature(outcome, s))?,
                    manifest_digest: Some(s.digest.clone()),
                    signer_subject: cosign_identity(outcome).unwrap_or_else(|| {
                        s.signer
                            .as_ref()
                            .map(|x| x.subject.clone())
                            .unwrap_or_default()
                    }),
                    thumbprints: s
                        .signer
                        .as_ref()
                        .map(|x| x.thumbprints.clone())
                        .unwrap_or_default(),
                    signing_time: s.signing_time,
                    timestamp: s.timestamp.as_ref().map(|t| t.gen_time),
                })
            })
            .collect();
        Ok(Verdict {
            subject_name: outcome.scope.clone(),
            digest: outcome.digest.clone(),
            scope: outcome.scope.clone(),
            scope_from_bundle: outcome.scope_source == ScopeSource::Bundle,
            passed,
            result: result.to_string(),
            ignored_because: ignored_because.map(str::to_string),
            trust_recipe: super::trust_digest::RECIPE_V1.to_string(),
            level: match &outcome.cosign {
                Some(c) => format!("cosign-{}", c.mode),
                None => outcome
                    .level
                    .map(|l| l.name().to_string())
                    .unwrap_or_default(),
            },
            policy_uri: None,
            policy_digest,
            signatures,
            time_verified,
            time_used: outcome.time,
            // The report's words: `now` (the clock when the verification ran) or `at` (a
            // re-verification as of a given time).
            time_source: match outcome.time_source {
                TimeSource::At => "at".to_string(),
                _ => "now".to_string(),
            },
        })
    }
}

/// A cosign signature is named by its signature manifest (the simple-signing payloads or the
/// bundle are its layers).
fn cosign_signature(outcome: &Outcome, s: &crate::verify::SignatureOutcome) -> Option<Digest> {
    outcome.cosign.as_ref().map(|_| s.digest.clone())
}

/// The identity that verified a cosign signature: `key <id> (<name>)` or
/// `issuer <issuer>, subject <subject>`.
fn cosign_identity(outcome: &Outcome) -> Option<String> {
    outcome.cosign.as_ref().and_then(|c| c.identity())
}

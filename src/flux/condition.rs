//! The `SourceVerified` condition that Flux's source-controller writes on an OCIRepository after
//! verifying its artifact (FLUX.md §3), as a value: its status, reason and message.

use crate::verify::{Ignored, ImageResult, Outcome};

/// The condition's type.
pub const SOURCE_VERIFIED: &str = "SourceVerified";

/// The status of the `SourceVerified` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionStatus {
    /// The artifact verified.
    True,
    /// The artifact did not verify.
    False,
    /// Flux writes no condition (no verification configured, or the result is ignored) and
    /// pulls the artifact.
    None,
    /// What Flux would do is outside this tool (a provider other than notation).
    Unknown,
}

impl ConditionStatus {
    /// The status as Flux (and the report) spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::None => "None",
            ConditionStatus::Unknown => "Unknown",
        }
    }
}

/// Flux's `SourceVerified` condition for one OCIRepository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceVerified {
    /// `True`, `False`, `None` or `Unknown`.
    pub status: ConditionStatus,
    /// `Succeeded`, `VerificationError`, `UnsupportedProvider`, or empty without a condition.
    pub reason: &'static str,
    /// The condition's message, in Flux's words.
    pub message: String,
}

impl SourceVerified {
    /// No `spec.verify`: nothing is verified and no condition is written.
    pub fn not_configured() -> SourceVerified {
        SourceVerified {
            status: ConditionStatus::None,
            reason: "",
            message: "no verification configured".into(),
        }
    }

    /// `spec.verify.provider` is not notation.
    pub fn unsupported_provider(provider: &str) -> SourceVerified {
        SourceVerified {
            status: ConditionStatus::Unknown,
            reason: "UnsupportedProvider",
            message: format!("not verified: {provider} provider is not supported"),
        }
    }

    /// Verification failed with notation's `message`.
    pub fn failed(message: &str) -> SourceVerified {
        SourceVerified::failed_with("notation", message)
    }

    /// Verification failed with `provider`'s `message` (`notation`, `cosign`, or
    /// `cosign keyless` as Flux names a cosign verification without `secretRef`).
    pub fn failed_with(provider: &str, message: &str) -> SourceVerified {
        SourceVerified {
            status: ConditionStatus::False,
            reason: "VerificationError",
            message: format!(
                "failed to verify the signature using provider '{provider}': {message}"
            ),
        }
    }

    /// How Flux names the provider of an outcome in its messages.
    pub fn provider_name(outcome: &Outcome) -> &'static str {
        match (outcome.provider, &outcome.cosign) {
            (crate::verify::Provider::Notation, _) => "notation",
            (crate::verify::Provider::Cosign, Some(c)) if c.mode == "keyless" => "cosign keyless",
            (crate::verify::Provider::Cosign, _) => "cosign",
        }
    }

    /// The condition for an image's outcome: `True` when a signature verified, `False` when
    /// none did; no condition (Flux's "ignored") when the level is `skip` or when authenticity
    /// failed but is only logged.
    pub fn of_outcome(outcome: &Outcome) -> SourceVerified {
        match outcome.result() {
            ImageResult::Verified(_) => SourceVerified {
                status: ConditionStatus::True,
                reason: "Succeeded",
                message: format!("verified signature of revision {}", outcome.revision()),
            },
            ImageResult::Ignored(Ignored::AuthenticityLogged) => SourceVerified {
                status: ConditionStatus::None,
                reason: "",
                message: "verification ignored: an authenticity check failed but is only logged at this level; Flux writes no SourceVerified condition and pulls the artifact".into(),
            },
            ImageResult::Ignored(Ignored::NotConfigured) => SourceVerified::not_configured(),
            ImageResult::Ignored(Ignored::SkipLevel) => SourceVerified {
                status: ConditionStatus::None,
                reason: "",
                message: "verification ignored: the trust policy level is skip; Flux writes no SourceVerified condition and pulls the artifact".into(),
            },
            ImageResult::Failed => SourceVerified::failed_with(
                SourceVerified::provider_name(outcome),
                outcome.message.as_deref().unwrap_or_default(),
            ),
        }
    }
}

//! Why a signature failed, as a typed value: the envelope, chain, timestamp and revocation errors
//! of the layers below, and the failures of the checks of [`crate::verify`] itself. Each one's
//! text is the report's `error` (notation's words where notation has them);
//! [`SignatureFailure::reason`] names it in a short kebab-case word for machines, and
//! [`SignatureFailure::rank`] says how specific it is, so that an image whose signatures all
//! failed names its most specific failure ([`SignatureFailure::most_specific`]).

use serde::Serialize;
use time::OffsetDateTime;

use crate::envelope::EnvelopeError;
use crate::limits::Limit;
use crate::pki::chain::{rfc1123z, ChainError};
use crate::pki::revocation::{ChainRevocation, RevocationError, RevocationVerdict};
use crate::pki::timestamp::TimestampError;

use super::rfc3339;

/// A short, stable name of a failure, for machines (`reason` in the JSON report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Reason {
    /// The envelope blob is missing, damaged or over a limit in the bundle.
    EnvelopeUnreadable,
    /// The envelope, its signature or its signed payload is invalid.
    InvalidEnvelope,
    /// The certificate chain's structure is invalid (order, issuance, self-signed roots).
    InvalidChain,
    /// A certificate breaks the Notary Project's certificate requirements.
    CertificateProfile,
    /// The trust stores that apply hold no certificate.
    NoTrustedCertificates,
    /// The chain contains no trusted certificate.
    Untrusted,
    /// The leaf's identity is not among the policy's trusted identities.
    UntrustedIdentity,
    /// A trust store could not be read.
    TrustStore,
    /// The signature needs a verification plugin.
    PluginRequired,
    /// A certificate was not valid at the time that matters.
    CertificateValidity,
    /// The signature's own expiry has passed.
    SignatureExpired,
    /// The signature was made or timestamped after the verification time.
    SignedAfterVerificationTime,
    /// The signature has no timestamp countersignature, or no authentic signing time.
    TimestampMissing,
    /// The timestamp countersignature is invalid or not trusted.
    TimestampInvalid,
    /// A certificate of the chain is revoked.
    Revoked,
    /// A certificate's revocation status cannot be known.
    RevocationUnknown,
    /// The signed payload names another artifact.
    TargetMismatch,
    /// No signature is associated with the image.
    NoSignature,
}

/// Which time came after the verification time of a re-verification as of a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaterTime {
    /// The authentic signing time of a `notary.x509.signingAuthority` signature.
    AuthenticSigningTime,
    /// The (untrusted) signing time of a `notary.x509` envelope.
    SigningTime,
    /// The genTime of the signature's RFC 3161 timestamp.
    Timestamp,
}

/// What a failure concerns beyond its own words: a limit, or the verification time given by the
/// caller, so that the caller can say how to change it (the command line names its flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// A limit was exceeded.
    Limit(Limit),
    /// The verification time given for a re-verification (a CRL stale at that time, a signature
    /// made after it).
    VerificationTime,
}

/// Why one signature failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureFailure {
    /// The envelope could not be taken from the bundle (missing, damaged, over a limit).
    #[error("{0}")]
    Unreadable(crate::oci::EnvelopeUnavailable),
    /// The envelope or its signature is invalid.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The certificate chain is invalid, not trusted, or not valid at the time that matters.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The signature names a verification plugin, and plugins are not supported.
    #[error("the signature requires verification plugin {0:?}, and plugins are not supported (Flux has no plugin manager either)")]
    PluginRequired(String),
    /// A trust store of the policy could not be read (notation's message).
    #[error("{0}")]
    TrustStore(String),
    /// The envelope carries no certificate.
    #[error("the certificate chain is empty")]
    EmptyChain,
    /// The leaf's identity is not trusted by the policy (notation's message).
    #[error("{0}")]
    Identity(String),
    /// The signature's expiry (`io.cncf.notary.expiry`) has passed.
    #[error("digital signature has expired on {:?}", rfc1123z(*.0))]
    Expired(OffsetDateTime),
    /// A `notary.x509.signingAuthority` signature has no authentic signing time.
    #[error("authentic signing time is missing")]
    AuthenticSigningTimeMissing,
    /// The signature was made or timestamped after the verification time given.
    #[error("{}", after_message(*.which, *.time, *.at))]
    AfterVerificationTime {
        /// Which time of the signature is later.
        which: LaterTime,
        /// That time.
        time: OffsetDateTime,
        /// The verification time.
        at: OffsetDateTime,
    },
    /// The policy asks for a timestamp and the envelope has none.
    #[error("no timestamp countersignature was found in the signature envelope")]
    TimestampMissing,
    /// The TSA trust store could not be read.
    #[error("failed to load tsa trust store with error: {0}")]
    TsaStore(String),
    /// The TSA trust store holds no certificate.
    #[error("no trusted TSA certificate found in trust store")]
    NoTsaCertificate,
    /// The timestamp countersignature does not verify.
    #[error("{}", timestamp_failure(.0))]
    Timestamp(#[from] TimestampError),
    /// A certificate of the signing or TSA chain is revoked, or its status unknown.
    #[error("{message}")]
    Revocation {
        /// The chain's revocation verdict (never OK).
        verdict: RevocationVerdict,
        /// Notation's message.
        message: String,
    },
    /// The signed payload names another artifact than the image.
    #[error("content descriptor mismatch")]
    TargetMismatch,
    /// The signed payload does not parse.
    #[error("{0}")]
    Payload(String),
}

fn after_message(which: LaterTime, time: OffsetDateTime, at: OffsetDateTime) -> String {
    let (time, at) = (rfc3339(time), rfc3339(at));
    match which {
        LaterTime::AuthenticSigningTime => {
            format!("the signature was made at {time} after the verification time {at}")
        }
        LaterTime::SigningTime => format!(
            "the signature was made at {time} (its signing time) after the verification time {at}"
        ),
        LaterTime::Timestamp => {
            format!("the signature was timestamped at {time}, after the verification time {at}")
        }
    }
}

/// A timestamp token's failure in notation-go's words: its step (parse, TSTInfo, verify) and
/// tspclient-go's message for it.
fn timestamp_failure(e: &TimestampError) -> String {
    use crate::pki::cms::CmsError;
    use crate::pki::timestamp::{self, TimestampError as T};
    match e {
        T::Malformed(CmsError::Ber(detail)) => format!(
            "failed to parse timestamp countersignature with error: cms: syntax error: invalid signed data: failed to convert from BER to DER: {detail}"
        ),
        T::Malformed(c) => format!(
            "failed to parse timestamp countersignature with error: cms: syntax error: {c}"
        ),
        T::NotTstInfo(_) | T::MalformedTstInfo(_) => {
            format!("failed to get the timestamp TSTInfo with error: {e}")
        }
        T::UnsupportedTstInfoVersion(_)
        | T::UnsupportedImprintHash(_)
        | T::MismatchedMessage(_) => {
            format!("failed to get timestamp from timestamp countersignature with error: {e}")
        }
        T::UntrustedTsa { reason, .. } if reason.starts_with(timestamp::UNKNOWN_AUTHORITY) => {
            format!(
                "failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: {}",
                timestamp::UNKNOWN_AUTHORITY
            )
        }
        _ => format!(
            "failed to verify the timestamp countersignature with error: failed to verify signed token: {e}"
        ),
    }
}

impl SignatureFailure {
    /// The revocation failure of a chain, or `None` when its verdict is OK.
    pub fn of_revocation(r: &ChainRevocation) -> Option<SignatureFailure> {
        let message = r.failure_message()?;
        Some(SignatureFailure::Revocation {
            verdict: r.verdict(),
            message,
        })
    }

    /// The short name of this failure.
    pub fn reason(&self) -> Reason {
        use SignatureFailure::*;
        match self {
            Unreadable(_) => Reason::EnvelopeUnreadable,
            Envelope(_) | Payload(_) => Reason::InvalidEnvelope,
            Chain(e) => chain_reason(e),
            PluginRequired(_) => Reason::PluginRequired,
            TrustStore(_) | TsaStore(_) => Reason::TrustStore,
            EmptyChain => Reason::InvalidChain,
            Identity(_) => Reason::UntrustedIdentity,
            Expired(_) => Reason::SignatureExpired,
            AuthenticSigningTimeMissing | TimestampMissing => Reason::TimestampMissing,
            AfterVerificationTime { .. } => Reason::SignedAfterVerificationTime,
            NoTsaCertificate | Timestamp(_) => Reason::TimestampInvalid,
            Revocation { verdict, .. } => match verdict {
                RevocationVerdict::Revoked { .. } => Reason::Revoked,
                _ => Reason::RevocationUnknown,
            },
            TargetMismatch => Reason::TargetMismatch,
        }
    }

    /// How specific (useful to a person) this failure is: higher is more specific. Chain
    /// failures keep [`ChainError::rank`]; a revoked certificate and a wrong target rank above
    /// every chain failure, a missing trust store below all.
    pub fn rank(&self) -> u32 {
        use SignatureFailure::*;
        match self {
            Chain(e) => e.rank(),
            TrustStore(_) | TsaStore(_) | NoTsaCertificate => 0,
            Identity(_) => 15,
            Unreadable(_) | Envelope(_) | Payload(_) | EmptyChain => 20,
            PluginRequired(_) | AuthenticSigningTimeMissing | TimestampMissing => 25,
            Timestamp(_) => 45,
            Expired(_) | AfterVerificationTime { .. } => 60,
            Revocation { .. } | TargetMismatch => 70,
        }
    }

    /// The most specific of several failures (highest [`SignatureFailure::rank`]; the first on a
    /// tie), or `None` for none.
    pub fn most_specific<'a>(
        failures: impl IntoIterator<Item = &'a SignatureFailure>,
    ) -> Option<&'a SignatureFailure> {
        failures.into_iter().fold(None, |best, f| match best {
            Some(b) if b.rank() >= f.rank() => Some(b),
            _ => Some(f),
        })
    }

    /// What this failure concerns beyond its words: a limit, or the verification time.
    pub fn concern(&self) -> Option<Concern> {
        use SignatureFailure::*;
        match self {
            Unreadable(u) => u.limit.map(Concern::Limit),
            Chain(e) => e.limit().map(Concern::Limit),
            Envelope(e) => e.limit().map(Concern::Limit),
            AfterVerificationTime { .. } => Some(Concern::VerificationTime),
            Revocation {
                verdict:
                    RevocationVerdict::Unknown {
                        why: RevocationError::StaleCrl { .. },
                        ..
                    },
                ..
            } => Some(Concern::VerificationTime),
            _ => None,
        }
    }
}

/// The short name of a chain failure, by its rank's family.
fn chain_reason(e: &ChainError) -> Reason {
    match e {
        ChainError::NoTrustedCertificates => Reason::NoTrustedCertificates,
        ChainError::NotTrusted => Reason::Untrusted,
        e => match e.rank() {
            r if r >= 60 => Reason::CertificateValidity,
            r if r >= 50 => Reason::CertificateProfile,
            _ => Reason::InvalidChain,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_failure_wins_and_names_the_reason() {
        let failures = [
            SignatureFailure::Chain(ChainError::NotTrusted),
            SignatureFailure::Expired(OffsetDateTime::UNIX_EPOCH),
            SignatureFailure::Chain(ChainError::NoTrustedCertificates),
        ];
        let best = SignatureFailure::most_specific(&failures);
        assert_eq!(
            best.map(SignatureFailure::reason),
            Some(Reason::SignatureExpired)
        );
        assert_eq!(SignatureFailure::most_specific(&[]), None);
        assert_eq!(failures[0].reason(), Reason::Untrusted);
        assert_eq!(
            serde_json::to_value(Reason::NoTrustedCertificates).unwrap(),
            "no-trusted-certificates"
        );
    }

    #[test]
    fn limits_and_the_verification_time_are_concerns_not_words() {
        let long = SignatureFailure::Chain(ChainError::TooLong { len: 40, max: 32 });
        assert_eq!(
            long.concern(),
            Some(Concern::Limit(Limit::CertificatesPerChain))
        );
        assert!(!long.to_string().contains("--"));
        let after = SignatureFailure::AfterVerificationTime {
            which: LaterTime::Timestamp,
            time: OffsetDateTime::UNIX_EPOCH,
            at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(after.concern(), Some(Concern::VerificationTime));
        assert!(!after.to_string().contains("--at"));
        assert_eq!(SignatureFailure::TargetMismatch.concern(), None);
    }
}

//! Verifying an attestation on the import side: everything `verify-attestation` checks, in
//! order: the DSSE signature by the given key, the payload type, the statement and predicate
//! types, the subject digest, the verification result, and (optionally) freshness.

use time::{Duration, OffsetDateTime};

use crate::attest::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::attest::keys::VerificationKey;
use crate::attest::statement::{Statement, STATEMENT_TYPE};
use crate::attest::vsa::{rfc3339, VerificationSummary, VSA_PREDICATE_TYPE};
use crate::attest::AttestError;
use crate::digest::{Algorithm, Digest};

/// How far in the future `timeVerified` may be (clock skew between the two sides of the gap)
/// before freshness cannot be judged.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// What the attestation must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The image manifest digest the attestation must be about.
    pub digest: Digest,
    /// The current time, for freshness.
    pub now: OffsetDateTime,
    /// The largest accepted age of `timeVerified`; `None` accepts any age.
    pub max_age: Option<Duration>,
}

/// A verified attestation.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedAttestation {
    /// Digest of the envelope bytes as given.
    pub envelope_digest: Digest,
    /// The keyid of the verification key.
    pub keyid: String,
    /// The keyid the envelope's verifying signature carries ("" when none).
    pub envelope_keyid: String,
    /// Whether they are equal. A mismatch is not fatal: the keyid is an unauthenticated hint
    /// (DSSE protocol), and the signature verified with the key the operator gave.
    pub keyid_matched: bool,
    pub statement: Statement<VerificationSummary>,
    pub time_verified: OffsetDateTime,
}

/// Verify an attestation (DSSE envelope JSON) against a key and an expectation.
pub fn verify_attestation(
    envelope_json: &[u8],
    key: &VerificationKey,
    expect: &Expectation,
) -> Result<CheckedAttestation, AttestError> {
    let envelope = Envelope::parse(envelope_json)?;
    let verified = envelope.verify(key)?;
    payload_type_is_in_toto(&envelope.payload_type)?;
    let statement = parse_statement(&verified.payload)?;
    subject_is_the_image(&statement, &expect.digest)?;
    result_is_passed(&statement.predicate)?;
    let time_verified = parse_time(&statement.predicate.time_verified)?;
    fresh_enough(time_verified, expect.now, expect.max_age)?;
    Ok(CheckedAttestation {
        envelope_digest: Algorithm::Sha256.digest(envelope_json),
        keyid: key.keyid.clone(),
        envelope_keyid: verified.envelope_keyid,
        keyid_matched: verified.keyid_matched,
        statement,
        time_verified,
    })
}

/// The envelope must carry an in-toto statement (checked after the signature, as the DSSE
/// protocol orders it).
pub fn payload_type_is_in_toto(payload_type: &str) -> Result<(), AttestError> {
    if payload_type == IN_TOTO_PAYLOAD_TYPE {
        Ok(())
    } else {
        Err(AttestError::PayloadType {
            found: payload_type.to_string(),
        })
    }
}

/// Parse the payload as an in-toto Statement v1 with a Verification Summary v1 predicate.
pub fn parse_statement(payload: &[u8]) -> Result<Statement<VerificationSummary>, AttestError> {
    let raw: Statement<serde_json::Value> = serde_json::from_slice(payload)
        .map_err(|e| AttestError::Statement(format!("payload: {e}")))?;
    if raw.type_ != STATEMENT_TYPE {
        return Err(AttestError::Statement(format!(
            "_type is {:?}, expected {STATEMENT_TYPE:?}",
            raw.type_
        )));
    }
    if raw.predicate_type != VSA_PREDICATE_TYPE {
        return Err(AttestError::Statement(format!(
            "predicateType is {:?}, expected {VSA_PREDICATE_TYPE:?}",
            raw.predicate_type
        )));
    }
    let predicate: VerificationSummary = serde_json::from_value(raw.predicate)
        .map_err(|e| AttestError::Statement(format!("predicate: {e}")))?;
    Ok(Statement {
        type_: raw.type_,
        subject: raw.subject,
        predicate_type: raw.predicate_type,
        predicate,
    })
}

/// Some subject of the statement must have the expected digest.
pub fn subject_is_the_image(
    statement: &Statement<VerificationSummary>,
    digest: &Digest,
) -> Result<(), AttestError> {
    if statement.subject.iter().any(|s| s.has_digest(digest)) {
        return Ok(());
    }
    let found: Vec<String> = statement
        .subject
        .iter()
        .take(8)
        .flat_map(|s| s.digest.iter().map(|(a, h)| format!("{a}:{h}")))
        .collect();
    Err(AttestError::SubjectMismatch {
        expected: digest.to_string(),
        found: if found.is_empty() {
            "no subject".into()
        } else {
            found.join(", ")
        },
    })
}

/// `verificationResult` must be `PASSED`.
pub fn result_is_passed(p: &VerificationSummary) -> Result<(), AttestError> {
    if p.verification_result == "PASSED" {
        Ok(())
    } else {
        Err(AttestError::NotPassed(p.verification_result.clone()))
    }
}

fn parse_time(s: &str) -> Result<OffsetDateTime, AttestError> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| AttestError::Statement(format!("timeVerified {s:?} is not RFC 3339: {e}")))
}

/// With a maximum age, `timeVerified` must be at most that old and not in the future (beyond
/// [`MAX_CLOCK_SKEW`]).
pub fn fresh_enough(
    time_verified: OffsetDateTime,
    now: OffsetDateTime,
    max_age: Option<Duration>,
) -> Result<(), AttestError> {
    let Some(max_age) = max_age else {
        return Ok(());
    };
    let age = now - time_verified;
    if age < -MAX_CLOCK_SKEW {
        return Err(AttestError::FromTheFuture(rfc3339(time_verified)));
    }
    if age > max_age {
        return Err(AttestError::TooOld {
            time_verified: rfc3339(time_verified),
            age: format_duration(age),
            max_age: format_duration(max_age),
        });
    }
    Ok(())
}

/// Parse a duration such as `90s`, `30m`, `12h` or `7d`.
pub fn parse_duration(s: &str) -> Result<Duration, AttestError> {
    let bad = || AttestError::Duration(s.to_string());
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (num, unit) = t.split_at(split);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let secs_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    n.checked_mul(secs_per)
        .filter(|s| *s > 0)
        .map(Duration::seconds)
        .ok_or_else(bad)
}

/// A duration for messages: `3d 4h 5m 6s`, largest units only.
pub fn format_duration(d: Duration) -> String {
    let mut s = d.whole_seconds().unsigned_abs();
    let mut parts = Vec::new();
    for (unit, secs) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= secs {
            parts.push(format!("{}{unit}", s / secs));
            s %= secs;
        }
    }
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::keys::tests::pem_p256;
    use crate::attest::keys::SigningKey;
    use crate::attest::vsa::{sign_verdict, tests::verdict};
    use time::macros::datetime;

    fn setup(passed: bool) -> (Vec<u8>, VerificationKey, Digest) {
        let key = SigningKey::from_pkcs8_pem(pem_p256().as_bytes(), None, "k").unwrap();
        let d = Algorithm::Sha256.digest(b"image");
        let env = sign_verdict(&verdict(d.clone(), passed), &key).unwrap();
        (env, key.verification_key().unwrap(), d)
    }

    fn expect(d: Digest, max_age: Option<Duration>) -> Expectation {
        Expectation {
            digest: d,
            now: datetime!(2026-01-03 04:00:00 UTC),
            max_age,
        }
    }

    #[test]
    fn attestation_verifies() {
        let (env, vk, d) = setup(true);
        let c = verify_attestation(&env, &vk, &expect(d, Some(Duration::days(2)))).unwrap();
        assert!(c.keyid_matched);
        assert_eq!(c.time_verified, datetime!(2026-01-02 04:00:00 UTC));
    }

    #[test]
    fn other_digest_failed_result_and_age_are_rejected() {
        let (env, vk, _) = setup(true);
        let other = Algorithm::Sha256.digest(b"other");
        assert!(matches!(
            verify_attestation(&env, &vk, &expect(other, None)),
            Err(AttestError::SubjectMismatch { .. })
        ));
        let (env, vk, d) = setup(false);
        assert!(matches!(
            verify_attestation(&env, &vk, &expect(d, None)),
            Err(AttestError::NotPassed(_))
        ));
        let (env, vk, d) = setup(true);
        assert!(matches!(
            verify_attestation(&env, &vk, &expect(d, Some(Duration::hours(12)))),
            Err(AttestError::TooOld { .. })
        ));
    }

    #[test]
    fn freshness_rules() {
        let t = datetime!(2026-01-02 04:00:00 UTC);
        assert!(fresh_enough(t, t + Duration::hours(1), Some(Duration::hours(2))).is_ok());
        assert!(fresh_enough(t, t + Duration::hours(3), None).is_ok());
        assert!(fresh_enough(t, t + Duration::hours(3), Some(Duration::hours(2))).is_err());
        assert!(fresh_enough(t, t - Duration::minutes(1), Some(Duration::hours(2))).is_ok());
        assert!(matches!(
            fresh_enough(t, t - Duration::hours(1), Some(Duration::hours(2))),
            Err(AttestError::FromTheFuture(_))
        ));
    }

    #[test]
    fn wrong_statement_types_are_rejected() {
        let ok = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://slsa.dev/verification_summary/v1","predicate":{"verifier":{"id":"x"},"timeVerified":"2026-01-01T00:00:00Z","verificationResult":"PASSED"}}"#;
        assert!(parse_statement(ok).is_ok());
        let s = String::from_utf8(ok.to_vec()).unwrap();
        for bad in [
            s.replace("Statement/v1", "Statement/v0.1"),
            s.replace("verification_summary/v1", "provenance/v1"),
            s.replace(
                r#""verificationResult":"PASSED""#,
                r#""verificationResult":1"#,
            ),
            "null".into(),
        ] {
            assert!(
                matches!(
                    parse_statement(bad.as_bytes()),
                    Err(AttestError::Statement(_))
                ),
                "{bad}"
            );
        }
        assert!(payload_type_is_in_toto("application/json").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::minutes(30));
        assert_eq!(parse_duration("7d").unwrap(), Duration::days(7));
        assert_eq!(parse_duration("90s").unwrap(), Duration::seconds(90));
        assert_eq!(parse_duration("2w").unwrap(), Duration::weeks(2));
        for bad in [
            "",
            "h",
            "12",
            "1y",
            "-1h",
            "0h",
            "99999999999999999999d",
            "1.5h",
        ] {
            assert!(
                matches!(parse_duration(bad), Err(AttestError::Duration(_))),
                "{bad}"
            );
        }
        assert_eq!(format_duration(Duration::seconds(90_061)), "1d 1h 1m 1s");
    }
}

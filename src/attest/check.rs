//! Verifying an attestation on the import side: everything `verify-attestation` checks, in
//! order: the DSSE signature by the given key, the payload type, the statement and predicate
//! types, the subject digest, the verification result, and (optionally) freshness.

use time::{Duration, OffsetDateTime};

use crate::attest::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::attest::keys::VerificationKey;
use crate::attest::statement::{Statement, STATEMENT_TYPE};
use crate::attest::vsa::{rfc3339, VerificationSummary, SCOPE_FROM_BUNDLE, VSA_PREDICATE_TYPE};
use crate::attest::AttestError;
use crate::digest::{Algorithm, Digest};

/// How far in the future `timeVerified` may be (clock skew between the two sides of the gap)
/// before freshness cannot be judged.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// The lowest verification level an attestation may record (`--min-level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum MinLevel {
    /// `audit`: authenticity passed, everything else only logged.
    Audit,
    /// `permissive` (the default).
    #[default]
    Permissive,
    /// `strict`.
    Strict,
}

impl MinLevel {
    /// The level's name.
    pub fn name(self) -> &'static str {
        match self {
            MinLevel::Audit => "audit",
            MinLevel::Permissive => "permissive",
            MinLevel::Strict => "strict",
        }
    }

    /// The rank of a recorded level name: a Notation level (`strict`, `NOTATION_STRICT`...), or
    /// a cosign mode (`cosign-keyless`, `COSIGN_KEYED`...), ranked `permissive`: cosign enforces
    /// every check it makes, as Flux has no levels for it, and checks no revocation, which
    /// `strict` enforces. `None` for anything else (`skip`).
    pub fn of_recorded(level: &str) -> Option<MinLevel> {
        let l = level.to_ascii_lowercase().replace('_', "-");
        match l.strip_prefix("notation-").unwrap_or(l.as_str()) {
            "strict" => Some(MinLevel::Strict),
            "permissive" | "cosign-keyed" | "cosign-keyless" => Some(MinLevel::Permissive),
            "audit" => Some(MinLevel::Audit),
            _ => None,
        }
    }
}

/// The trust material the attestation must have been made under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyExpectation {
    /// `--policy-digest`: this digest, whatever the recipe.
    Digest(Digest),
    /// The trust material given: its digest by each recipe name
    /// ([`crate::attest::trust_digest`]), the attestation's own recipe deciding which applies.
    Recipes(Vec<(String, String)>),
}

/// What the attestation must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The image manifest digest the attestation must be about.
    pub digest: Digest,
    /// The current time, for freshness.
    pub now: OffsetDateTime,
    /// The largest accepted age of `timeVerified`; `None` accepts any age.
    pub max_age: Option<Duration>,
    /// The scope (`registry/repository`) it must be for; `None` accepts any.
    pub scope: Option<String>,
    /// The trust material it must have been made under; `None` accepts any.
    pub policy: Option<PolicyExpectation>,
    /// The lowest level accepted.
    pub min_level: MinLevel,
}

impl Expectation {
    /// An expectation of the digest, time and age only (any scope, any trust material, the
    /// default minimum level).
    pub fn new(digest: Digest, now: OffsetDateTime, max_age: Option<Duration>) -> Expectation {
        Expectation {
            digest,
            now,
            max_age,
            scope: None,
            policy: None,
            min_level: MinLevel::default(),
        }
    }
}

/// An authentic attestation about the image (signature, types and subject checked), not yet
/// judged ([`judge`]).
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
    /// The statement, parsed after the signature verified.
    pub statement: Statement<VerificationSummary>,
    /// Its `timeVerified`, parsed as RFC 3339.
    pub time_verified: OffsetDateTime,
}

impl CheckedAttestation {
    /// The scope the attestation is for: that of its `resourceUri` (`oci://SCOPE@digest`).
    pub fn scope(&self) -> Option<&str> {
        scope_of_resource_uri(&self.statement.predicate.resource_uri)
    }

    /// The recorded level (`strict`, ...): the extension's, else that of `verifiedLevels`.
    pub fn level(&self) -> Option<String> {
        let p = &self.statement.predicate;
        p.notation
            .as_ref()
            .map(|n| n.level.clone())
            .filter(|l| !l.is_empty())
            .or_else(|| p.verified_levels.first().cloned())
    }

    /// The exact result as the extension records it (`verified`, `ignored (skip)`...),
    /// else `verificationResult`.
    pub fn result(&self) -> String {
        let p = &self.statement.predicate;
        match p.notation.as_ref().filter(|n| !n.result.is_empty()) {
            Some(n) => match &n.ignored_because {
                Some(why) => format!("{} ({why})", n.result),
                None => n.result.clone(),
            },
            None => p.verification_result.clone(),
        }
    }
}

/// The scope of a `resourceUri` `oci://SCOPE@<digest>`.
pub fn scope_of_resource_uri(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("oci://")?;
    let (scope, _) = rest.rsplit_once('@')?;
    Some(scope).filter(|s| !s.is_empty())
}

/// Verify an attestation (DSSE envelope JSON) against a key and an expectation: [`authenticate`]
/// then [`judge`].
pub fn verify_attestation(
    envelope_json: &[u8],
    key: &VerificationKey,
    expect: &Expectation,
) -> Result<CheckedAttestation, AttestError> {
    let checked = authenticate(envelope_json, key, &expect.digest)?;
    judge(&checked, expect)?;
    Ok(checked)
}

/// The checks that make an attestation one of the key's about the image: the DSSE signature,
/// the payload type, the statement and predicate types, the subject digest, `timeVerified`.
pub fn authenticate(
    envelope_json: &[u8],
    key: &VerificationKey,
    digest: &Digest,
) -> Result<CheckedAttestation, AttestError> {
    let envelope = Envelope::parse(envelope_json)?;
    let verified = envelope.verify(key)?;
    payload_type_is_in_toto(&envelope.payload_type)?;
    let statement = parse_statement(&verified.payload)?;
    subject_is_the_image(&statement, digest)?;
    let time_verified = parse_time(&statement.predicate.time_verified)?;
    Ok(CheckedAttestation {
        envelope_digest: Algorithm::Sha256.digest(envelope_json),
        keyid: key.keyid.clone(),
        envelope_keyid: verified.envelope_keyid,
        keyid_matched: verified.keyid_matched,
        statement,
        time_verified,
    })
}

/// The index of the attestation that decides among authentic ones: the newest by
/// `timeVerified`; at the same time, one that is not `PASSED` wins.
pub fn deciding(candidates: &[CheckedAttestation]) -> Option<usize> {
    let rank = |c: &CheckedAttestation| {
        (
            c.time_verified,
            c.statement.predicate.verification_result != "PASSED",
        )
    };
    (0..candidates.len()).max_by_key(|&i| rank(&candidates[i]))
}

/// What an authentic attestation must say: `PASSED`, a level of at least the minimum, the
/// scope, the trust material, and freshness.
pub fn judge(checked: &CheckedAttestation, expect: &Expectation) -> Result<(), AttestError> {
    let p = &checked.statement.predicate;
    // First: an attestation of a scope the bundle chose is refused for that reason, whatever it
    // says.
    scope_from_bundle_is_named(p, expect.scope.as_deref())?;
    if p.verification_result != "PASSED" {
        return Err(AttestError::NotPassed {
            result: p.verification_result.clone(),
            exact: checked.result(),
        });
    }
    level_is_enough(checked, expect.min_level)?;
    if let Some(scope) = &expect.scope {
        scope_is(checked, scope)?;
    }
    if let Some(policy) = &expect.policy {
        policy_is(checked, policy)?;
    }
    fresh_enough(checked.time_verified, expect.now, expect.max_age)
}

fn level_is_enough(checked: &CheckedAttestation, min: MinLevel) -> Result<(), AttestError> {
    let level = checked.level().unwrap_or_default();
    match MinLevel::of_recorded(&level) {
        Some(l) if l >= min => Ok(()),
        _ => Err(AttestError::LevelTooLow {
            level: if level.is_empty() {
                "none".into()
            } else {
                level
            },
            min: min.name().to_string(),
        }),
    }
}

fn scope_is(checked: &CheckedAttestation, scope: &str) -> Result<(), AttestError> {
    let found = checked.scope().unwrap_or_default();
    let names_ok = checked
        .statement
        .subject
        .iter()
        .all(|s| s.name.is_empty() || s.name == scope);
    if found == scope && names_ok {
        return Ok(());
    }
    let names: Vec<&str> = checked
        .statement
        .subject
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    Err(AttestError::ScopeMismatch {
        expected: scope.to_string(),
        found: format!(
            "{} (subject {})",
            if found.is_empty() { "no scope" } else { found },
            names.join(", ")
        ),
    })
}

fn policy_is(
    checked: &CheckedAttestation,
    expected: &PolicyExpectation,
) -> Result<(), AttestError> {
    let p = &checked.statement.predicate;
    let recipe = p
        .notation
        .as_ref()
        .map(|n| n.trust_material_digest_recipe.clone())
        .unwrap_or_default();
    let recipe = if recipe.is_empty() {
        crate::attest::trust_digest::RECIPE_V1.to_string()
    } else {
        recipe
    };
    let found = p
        .policy
        .as_ref()
        .and_then(|d| d.digest.get("sha256"))
        .map(|h| format!("sha256:{h}"))
        .unwrap_or_default();
    let wanted: Vec<String> = match expected {
        PolicyExpectation::Digest(d) => vec![d.to_string()],
        PolicyExpectation::Recipes(list) => list
            .iter()
            .filter(|(r, _)| *r == recipe)
            .map(|(_, d)| d.clone())
            .collect(),
    };
    if wanted.is_empty() {
        return Err(AttestError::UnknownRecipe(recipe));
    }
    if !found.is_empty() && wanted.contains(&found) {
        Ok(())
    } else {
        Err(AttestError::PolicyMismatch {
            expected: wanted.join(" or "),
            found: if found.is_empty() {
                "no trust-material digest".into()
            } else {
                found
            },
            recipe,
        })
    }
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

/// An attestation whose scope was taken from the bundle (`scopeSource: "bundle"`) holds only if
/// the importer names that same scope (`scope`): otherwise the bundle chose the statement it was
/// judged by. Attestations of a scope the user gave are not affected.
pub fn scope_from_bundle_is_named(
    p: &VerificationSummary,
    scope: Option<&str>,
) -> Result<(), AttestError> {
    let Some(details) = &p.notation else {
        return Ok(());
    };
    if details.scope_source.as_deref() != Some(SCOPE_FROM_BUNDLE)
        || scope == Some(details.scope.as_str())
    {
        return Ok(());
    }
    Err(AttestError::ScopeFromBundle {
        scope: details.scope.clone(),
        given: scope.map(str::to_string),
    })
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
        Expectation::new(d, datetime!(2026-01-03 04:00:00 UTC), max_age)
    }

    #[test]
    fn cosign_modes_rank_permissive() {
        for l in [
            "cosign-keyed",
            "cosign-keyless",
            "COSIGN_KEYED",
            "COSIGN_KEYLESS",
        ] {
            assert_eq!(MinLevel::of_recorded(l), Some(MinLevel::Permissive), "{l}");
        }
        assert_eq!(
            MinLevel::of_recorded("NOTATION_STRICT"),
            Some(MinLevel::Strict)
        );
        assert_eq!(MinLevel::of_recorded("cosign"), None);
        assert_eq!(MinLevel::of_recorded("skip"), None);
    }

    #[test]
    fn a_scope_from_the_bundle_holds_only_when_the_importer_names_it() {
        let mut v = verdict(Algorithm::Sha256.digest(b"image"), true);
        let user = crate::attest::vsa::statement(&v).unwrap().predicate;
        assert!(scope_from_bundle_is_named(&user, None).is_ok());
        v.scope_from_bundle = true;
        let bundle = crate::attest::vsa::statement(&v).unwrap().predicate;
        let scope = "registry.example/app";
        assert!(scope_from_bundle_is_named(&bundle, Some(scope)).is_ok());
        for given in [None, Some("registry.example/other")] {
            let e = scope_from_bundle_is_named(&bundle, given).unwrap_err();
            assert!(matches!(e, AttestError::ScopeFromBundle { .. }), "{e}");
            assert!(!e.is_usage());
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
            Err(AttestError::NotPassed { .. })
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

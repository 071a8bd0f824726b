//! The SLSA Verification Summary predicate v1 (`https://slsa.dev/verification_summary/v1`) as
//! airgap-verify fills it, and the [`Verdict`] it is made from.
//!
//! Field by field:
//! - `verifier.id`: [`VERIFIER_ID`], the same for every version; `verifier.version`:
//!   `{"airgap-verify": "<crate version>"}`;
//! - `timeVerified`: when the verification ran (RFC 3339, UTC, whole seconds);
//! - `resourceUri`: `oci://SCOPE@<image manifest digest>`;
//! - `policy`: the digest of the trust material used, see [`crate::trust::TrustMaterial::policy_digest`];
//! - `inputAttestations`: one entry per Notation signature envelope that verified, its digest
//!   being that of the envelope blob (and its `uri` `oci://SCOPE@<signature manifest digest>`
//!   when known);
//! - `verificationResult`: `PASSED` or `FAILED`;
//! - `verifiedLevels`: `NOTATION_<LEVEL>` (e.g. `NOTATION_STRICT`) when passed, empty when
//!   failed. Never a `SLSA_` value: Notation levels are not SLSA track levels;
//! - [`NOTATION_EXTENSION`]: the Notation details (signers, thumbprints, signing times, the
//!   verification time used and where it came from, the trust material recipe version).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::attest::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::attest::keys::SigningKey;
use crate::attest::statement::{digest_set, Statement, Subject, STATEMENT_TYPE};
use crate::attest::AttestError;
use crate::digest::Digest;

/// The predicate type of a Verification Summary Attestation v1.
pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// The stable identity of this tool as a verifier (`verifier.id`).
pub const VERIFIER_ID: &str = "https://github.com/airgap-verify/airgap-verify";
/// The key of the namespaced extension field holding the Notation details.
pub const NOTATION_EXTENSION: &str = "https://github.com/airgap-verify/airgap-verify/notation/v1";
/// The `scopeSource` of an attestation whose scope the bundle named (`--scope-from-bundle`).
pub const SCOPE_FROM_BUNDLE: &str = "bundle";
/// The trust-material digest recipe of version 1
/// ([`crate::trust::TrustMaterial::policy_digest`]); see [`crate::attest::trust_digest`].
pub const TRUST_MATERIAL_RECIPE: &str = crate::attest::trust_digest::RECIPE_V1;

/// What was verified, as the attestation needs it. The verifier's outcome is mapped into this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The statement subject's name: the scope, or the tag.
    pub subject_name: String,
    /// The image manifest digest that was verified.
    pub digest: Digest,
    /// The `registry/repository` the trust policy was matched against.
    pub scope: String,
    /// Whether `scope` was taken from the bundle's own name annotation (`--scope-from-bundle`):
    /// recorded as `scopeSource: "bundle"` in the Notation extension.
    pub scope_from_bundle: bool,
    /// Whether the image verified (`verificationResult: PASSED`). An ignored image is never
    /// passed.
    pub passed: bool,
    /// The exact result: `verified`, `ignored` or `failed`.
    pub result: String,
    /// Why the result is `ignored` (`skip`, `authenticity-logged`, `not-configured`), else `None`.
    pub ignored_because: Option<String>,
    /// The recipe of `policy_digest` ([`crate::attest::trust_digest`]).
    pub trust_recipe: String,
    /// The Notation verification level: `strict`, `permissive`, `audit` or `skip`.
    pub level: String,
    /// Where the policy came from (a Secret, a folder), when it has a URI.
    pub policy_uri: Option<String>,
    /// The digest of the trust material used
    /// ([`crate::trust::TrustMaterial::policy_digest`]).
    pub policy_digest: Digest,
    /// The signatures that verified (for a failed verdict, may be empty).
    pub signatures: Vec<VerifiedSignature>,
    /// When the verification ran.
    pub time_verified: OffsetDateTime,
    /// The time the verification was done as of (now, or a given time).
    pub time_used: OffsetDateTime,
    /// Where `time_used` came from, in the report's words: `now` or `at` (attestations of
    /// earlier versions say `clock` or `--at`).
    pub time_source: String,
}

/// One Notation signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// Digest of the signature envelope blob (JWS or COSE).
    pub envelope_digest: Digest,
    /// Digest of the signature manifest, when known.
    pub manifest_digest: Option<Digest>,
    /// The signing certificate's subject.
    pub signer_subject: String,
    /// SHA-256 thumbprints of the chain, leaf first.
    pub thumbprints: Vec<String>,
    /// The signing time the signature claims.
    pub signing_time: Option<OffsetDateTime>,
    /// The RFC 3161 timestamp's time, when one was verified.
    pub timestamp: Option<OffsetDateTime>,
}

/// The Verification Summary predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationSummary {
    /// `verifier`: who verified ([`VERIFIER_ID`] and this build's version).
    pub verifier: Verifier,
    /// `timeVerified`: when the verification ran, RFC 3339 in UTC, whole seconds ([`rfc3339`]).
    #[serde(rename = "timeVerified")]
    pub time_verified: String,
    /// `resourceUri`: `oci://SCOPE@<image manifest digest>` ([`resource_uri`]).
    #[serde(rename = "resourceUri", default)]
    pub resource_uri: String,
    /// `policy`: the digest of the trust material used, with its URI when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<ResourceDescriptor>,
    /// `inputAttestations`: one entry per signature envelope that verified, its digest the envelope
    /// blob's, its `uri` `oci://SCOPE@<signature manifest digest>` when known.
    #[serde(rename = "inputAttestations", default)]
    pub input_attestations: Vec<ResourceDescriptor>,
    /// `verificationResult`: `PASSED` or `FAILED`.
    #[serde(rename = "verificationResult")]
    pub verification_result: String,
    /// `verifiedLevels`: the level that passed (`NOTATION_STRICT`, `COSIGN_KEYED`...), empty when
    /// failed. Never a `SLSA_` value.
    #[serde(rename = "verifiedLevels", default)]
    pub verified_levels: Vec<String>,
    /// The Notation details under [`NOTATION_EXTENSION`].
    #[serde(
        rename = "https://github.com/airgap-verify/airgap-verify/notation/v1",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notation: Option<NotationDetails>,
}

/// `verifier`: who verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier {
    /// `verifier.id`: [`VERIFIER_ID`], the same for every version.
    pub id: String,
    /// `verifier.version`: `{"airgap-verify": <crate::version()>}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
}

/// An in-toto ResourceDescriptor reduced to what we use: a URI and a digest set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    /// The resource's URI, when it has one (`oci://SCOPE@<signature manifest digest>` for an
    /// input attestation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The digest set: algorithm name (`sha256`) to lowercase hex.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

/// The Notation details of the extension field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotationDetails {
    /// `level`: the Notation level of the statement applied (`strict`, `permissive`, `audit`,
    /// `skip`), or `cosign-keyed` / `cosign-keyless`.
    #[serde(default)]
    pub level: String,
    /// `scope`: the `registry/repository` the trust policy was matched against.
    #[serde(default)]
    pub scope: String,
    /// `bundle` when the scope was the bundle's own claim (`--scope-from-bundle`); absent when
    /// the user gave it.
    #[serde(
        rename = "scopeSource",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub scope_source: Option<String>,
    /// `signatures`: the signatures that verified.
    #[serde(default)]
    pub signatures: Vec<NotationSignature>,
    /// `timeUsed`: the time verified as of, RFC 3339 in UTC.
    #[serde(rename = "timeUsed", default)]
    pub time_used: String,
    /// `timeSource`: where `timeUsed` came from: `now` or `at` (`clock` or `--at` in attestations
    /// of earlier versions).
    #[serde(rename = "timeSource", default)]
    pub time_source: String,
    /// `trustMaterialDigestRecipe`: how `policy`'s digest was computed
    /// ([`crate::attest::trust_digest`]).
    #[serde(rename = "trustMaterialDigestRecipe", default)]
    pub trust_material_digest_recipe: String,
    /// The exact result (`verified`, `ignored`, `failed`); absent in attestations of earlier
    /// versions.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub result: String,
    /// Why an ignored image was ignored (`skip`, `authenticity-logged`, `not-configured`).
    #[serde(
        rename = "ignoredBecause",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ignored_because: Option<String>,
}

/// One verified Notation signature in the extension field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotationSignature {
    /// `envelopeDigest`: the digest of the envelope blob, `algorithm:hex`.
    #[serde(rename = "envelopeDigest")]
    pub envelope_digest: String,
    #[serde(
        rename = "manifestDigest",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// `manifestDigest`: the digest of the signature manifest, when known.
    pub manifest_digest: Option<String>,
    /// `signerSubject`: the signing certificate's subject.
    #[serde(rename = "signerSubject", default)]
    pub signer_subject: String,
    /// `thumbprints`: SHA-256 thumbprints of the chain, leaf first.
    #[serde(default)]
    pub thumbprints: Vec<String>,
    #[serde(
        rename = "signingTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// `signingTime`: the signing time the signature claims, RFC 3339 in UTC.
    pub signing_time: Option<String>,
    /// `timestamp`: the time of the RFC 3161 timestamp that verified, RFC 3339 in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// RFC 3339 in UTC, whole seconds: `2026-01-02T03:04:05Z`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// The `verifiedLevels` value naming a Notation level: `NOTATION_` and the level in upper case
/// (`strict` -> `NOTATION_STRICT`). Refuses empty or odd levels.
pub fn notation_level_value(level: &str) -> Result<String, AttestError> {
    let ok = !level.is_empty()
        && level
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(AttestError::Verdict(format!(
            "verification level {level:?} is not a Notation level name"
        )));
    }
    let upper = level.to_ascii_uppercase().replace('-', "_");
    Ok(if upper.starts_with("NOTATION_") {
        upper
    } else {
        format!("NOTATION_{upper}")
    })
}

/// The `verifiedLevels` value of a cosign verification (`cosign-keyed` -> `COSIGN_KEYED`,
/// `cosign-keyless` -> `COSIGN_KEYLESS`); `None` for a Notation level.
pub fn cosign_level_value(level: &str) -> Option<&'static str> {
    match level {
        "cosign-keyed" => Some("COSIGN_KEYED"),
        "cosign-keyless" => Some("COSIGN_KEYLESS"),
        _ => None,
    }
}

/// The `resourceUri` of an image: `oci://SCOPE@DIGEST`.
pub fn resource_uri(scope: &str, digest: &Digest) -> Result<String, AttestError> {
    if scope.is_empty() || scope.contains(['@', ' ', '\t', '\n', '\r']) || scope.contains("://") {
        return Err(AttestError::Verdict(format!(
            "scope {scope:?} cannot form an oci:// URI; expected registry/repository"
        )));
    }
    Ok(format!("oci://{scope}@{digest}"))
}

/// The in-toto statement for a verdict.
pub fn statement(verdict: &Verdict) -> Result<Statement<VerificationSummary>, AttestError> {
    let resource = resource_uri(&verdict.scope, &verdict.digest)?;
    let level = cosign_level_value(&verdict.level).map_or_else(
        || notation_level_value(&verdict.level),
        |v| Ok(v.to_string()),
    )?;
    let input_attestations = verdict
        .signatures
        .iter()
        .map(|s| ResourceDescriptor {
            uri: s
                .manifest_digest
                .as_ref()
                .map(|m| format!("oci://{}@{m}", verdict.scope)),
            digest: digest_set(&s.envelope_digest),
        })
        .collect();
    let notation = NotationDetails {
        level: verdict.level.clone(),
        scope: verdict.scope.clone(),
        scope_source: verdict
            .scope_from_bundle
            .then(|| SCOPE_FROM_BUNDLE.to_string()),
        signatures: verdict
            .signatures
            .iter()
            .map(|s| NotationSignature {
                envelope_digest: s.envelope_digest.to_string(),
                manifest_digest: s.manifest_digest.as_ref().map(Digest::to_string),
                signer_subject: s.signer_subject.clone(),
                thumbprints: s.thumbprints.clone(),
                signing_time: s.signing_time.map(rfc3339),
                timestamp: s.timestamp.map(rfc3339),
            })
            .collect(),
        time_used: rfc3339(verdict.time_used),
        time_source: verdict.time_source.clone(),
        trust_material_digest_recipe: verdict.trust_recipe.clone(),
        result: verdict.result.clone(),
        ignored_because: verdict.ignored_because.clone(),
    };
    let name = if verdict.subject_name.is_empty() {
        verdict.scope.clone()
    } else {
        verdict.subject_name.clone()
    };
    Ok(Statement {
        type_: STATEMENT_TYPE.to_string(),
        subject: vec![Subject {
            name,
            digest: digest_set(&verdict.digest),
        }],
        predicate_type: VSA_PREDICATE_TYPE.to_string(),
        predicate: VerificationSummary {
            verifier: Verifier {
                id: VERIFIER_ID.to_string(),
                version: BTreeMap::from([(
                    "airgap-verify".to_string(),
                    crate::version().to_string(),
                )]),
            },
            time_verified: rfc3339(verdict.time_verified),
            resource_uri: resource,
            policy: Some(ResourceDescriptor {
                uri: verdict.policy_uri.clone(),
                digest: digest_set(&verdict.policy_digest),
            }),
            input_attestations,
            verification_result: if verdict.passed { "PASSED" } else { "FAILED" }.to_string(),
            verified_levels: if verdict.passed {
                vec![level]
            } else {
                Vec::new()
            },
            notation: Some(notation),
        },
    })
}

/// Sign the statement for `verdict` with `key`: the DSSE envelope JSON bytes, ready to write or
/// attach.
pub fn sign_verdict(verdict: &Verdict, key: &SigningKey) -> Result<Vec<u8>, AttestError> {
    let body = serde_json::to_vec(&statement(verdict)?)
        .map_err(|e| AttestError::Sign(format!("statement JSON: {e}")))?;
    Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &body, key)?.to_json()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::digest::Algorithm;
    use time::macros::datetime;

    pub(crate) fn verdict(digest: Digest, passed: bool) -> Verdict {
        Verdict {
            subject_name: "registry.example/app".into(),
            digest,
            scope: "registry.example/app".into(),
            scope_from_bundle: false,
            passed,
            result: if passed { "verified" } else { "failed" }.into(),
            ignored_because: None,
            trust_recipe: TRUST_MATERIAL_RECIPE.into(),
            level: "strict".into(),
            policy_uri: None,
            policy_digest: Algorithm::Sha256.digest(b"trust material"),
            signatures: vec![VerifiedSignature {
                envelope_digest: Algorithm::Sha256.digest(b"envelope"),
                manifest_digest: Some(Algorithm::Sha256.digest(b"manifest")),
                signer_subject: "CN=signer".into(),
                thumbprints: vec!["ab".repeat(32)],
                signing_time: Some(datetime!(2026-01-02 03:04:05 UTC)),
                timestamp: None,
            }],
            time_verified: datetime!(2026-01-02 04:00:00.5 UTC),
            time_used: datetime!(2026-01-02 04:00:00 UTC),
            time_source: "now".into(),
        }
    }

    #[test]
    fn extension_key_constant_matches_the_serde_name() {
        let s = statement(&verdict(Algorithm::Sha256.digest(b"i"), true)).unwrap();
        let v = serde_json::to_value(&s.predicate).unwrap();
        assert!(v.get(NOTATION_EXTENSION).is_some());
    }

    #[test]
    fn statement_fields() {
        let d = Algorithm::Sha256.digest(b"image");
        let s = statement(&verdict(d.clone(), true)).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["_type"], STATEMENT_TYPE);
        assert_eq!(v["predicateType"], VSA_PREDICATE_TYPE);
        assert_eq!(v["subject"][0]["digest"]["sha256"], d.hex());
        let p = &v["predicate"];
        assert_eq!(p["verifier"]["id"], VERIFIER_ID);
        assert_eq!(p["timeVerified"], "2026-01-02T04:00:00Z");
        assert_eq!(p["resourceUri"], format!("oci://registry.example/app@{d}"));
        assert_eq!(p["verificationResult"], "PASSED");
        assert_eq!(p["verifiedLevels"][0], "NOTATION_STRICT");
        assert_eq!(
            p["inputAttestations"][0]["digest"]["sha256"],
            Algorithm::Sha256.digest(b"envelope").hex()
        );
        assert_eq!(
            p[NOTATION_EXTENSION]["signatures"][0]["signingTime"],
            "2026-01-02T03:04:05Z"
        );
        // Round trip through the typed form.
        let back: Statement<VerificationSummary> = serde_json::from_value(v).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn failed_verdict_has_no_levels() {
        let s = statement(&verdict(Algorithm::Sha256.digest(b"i"), false)).unwrap();
        assert_eq!(s.predicate.verification_result, "FAILED");
        assert!(s.predicate.verified_levels.is_empty());
    }

    #[test]
    fn levels_are_never_slsa_levels() {
        assert_eq!(
            notation_level_value("permissive").unwrap(),
            "NOTATION_PERMISSIVE"
        );
        assert_eq!(
            notation_level_value("SLSA_BUILD_LEVEL_3").unwrap(),
            "NOTATION_SLSA_BUILD_LEVEL_3"
        );
        assert!(notation_level_value("").is_err());
        assert!(notation_level_value("a b").is_err());
    }

    #[test]
    fn cosign_levels_name_the_provider_and_mode() {
        let mut v = verdict(Algorithm::Sha256.digest(b"i"), true);
        v.level = "cosign-keyless".into();
        let s = statement(&v).unwrap();
        assert_eq!(s.predicate.verified_levels, ["COSIGN_KEYLESS"]);
        v.level = "cosign-keyed".into();
        assert_eq!(
            statement(&v).unwrap().predicate.verified_levels,
            ["COSIGN_KEYED"]
        );
        assert_eq!(cosign_level_value("strict"), None);
    }

    #[test]
    fn resource_uri_refuses_odd_scopes() {
        let d = Algorithm::Sha256.digest(b"i");
        assert!(resource_uri("r.example/app", &d).is_ok());
        for bad in ["", "a@b", "oci://x", "a b"] {
            assert!(resource_uri(bad, &d).is_err(), "{bad}");
        }
    }
}

//! Verification levels and overrides (NOTATION.md §7.2; notation-go `GetVerificationLevel`).

use serde::Serialize;

use super::document::{SignatureVerification, Statement};
use super::PolicyError;

/// The five validations of a Notation signature, in notation-go's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ValidationType {
    /// The envelope's signature over the payload (NOTATION.md §3.5).
    Integrity,
    /// The chain leads to a trusted certificate and the identity matches (§6.3, §6.4).
    Authenticity,
    /// The signing time is trusted (§5.2).
    AuthenticTimestamp,
    /// The signature's own expiry (`io.cncf.notary.expiry`).
    Expiry,
    /// The revocation status of the chain (§8).
    Revocation,
}

impl ValidationType {
    /// All five, in notation-go's order.
    pub const ALL: [ValidationType; 5] = [
        ValidationType::Integrity,
        ValidationType::Authenticity,
        ValidationType::AuthenticTimestamp,
        ValidationType::Expiry,
        ValidationType::Revocation,
    ];

    /// The policy spelling (`authenticTimestamp`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ValidationType::Integrity => "integrity",
            ValidationType::Authenticity => "authenticity",
            ValidationType::AuthenticTimestamp => "authenticTimestamp",
            ValidationType::Expiry => "expiry",
            ValidationType::Revocation => "revocation",
        }
    }

    /// Parse the policy spelling, case-sensitively as notation-go does.
    pub fn from_name(s: &str) -> Option<ValidationType> {
        ValidationType::ALL.into_iter().find(|t| t.name() == s)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a failed validation does to the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// A failure fails the signature and stops the checks.
    Enforce,
    /// A failure is logged as a warning and verification continues.
    Log,
    /// The validation is not run.
    Skip,
}

impl Action {
    /// The policy spelling.
    pub fn name(self) -> &'static str {
        match self {
            Action::Enforce => "enforce",
            Action::Log => "log",
            Action::Skip => "skip",
        }
    }

    /// Parse the policy spelling, case-sensitively.
    pub fn from_name(s: &str) -> Option<Action> {
        [Action::Enforce, Action::Log, Action::Skip]
            .into_iter()
            .find(|a| a.name() == s)
    }
}

/// The name of a verification level; `Custom` when `override` changed a base level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LevelName {
    /// Every validation enforced.
    Strict,
    /// Integrity and authenticity enforced, the rest logged.
    Permissive,
    /// Integrity enforced, the rest logged.
    Audit,
    /// Nothing verified.
    Skip,
    /// A base level changed by `override`.
    Custom,
}

impl LevelName {
    /// The policy spelling.
    pub fn name(self) -> &'static str {
        match self {
            LevelName::Strict => "strict",
            LevelName::Permissive => "permissive",
            LevelName::Audit => "audit",
            LevelName::Skip => "skip",
            LevelName::Custom => "custom",
        }
    }
}

/// A level with its action for each validation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerificationLevel {
    /// The level's name.
    pub name: LevelName,
    /// The action per validation, indexed in [`ValidationType::ALL`] order.
    pub actions: [Action; 5],
}

impl VerificationLevel {
    /// The level named `name` in a policy (case-sensitive), without overrides.
    /// The table of NOTATION.md §7.2.
    pub fn base(name: &str) -> Option<VerificationLevel> {
        use Action::{Enforce as E, Log as L, Skip as S};
        let (name, actions) = match name {
            "strict" => (LevelName::Strict, [E, E, E, E, E]),
            "permissive" => (LevelName::Permissive, [E, E, L, L, L]),
            "audit" => (LevelName::Audit, [E, L, L, L, L]),
            "skip" => (LevelName::Skip, [S, S, S, S, S]),
            _ => return None,
        };
        Some(VerificationLevel { name, actions })
    }

    /// The action for one validation type.
    pub fn action(&self, t: ValidationType) -> Action {
        self.actions
            .get(t.index())
            .copied()
            .unwrap_or(Action::Enforce)
    }
}

/// The level of a statement's `signatureVerification`, with `override` applied
/// (NOTATION.md §7.2, "override"; notation-go `GetVerificationLevel`). Overrides are applied in
/// key order (notation-go iterates a Go map, so with several bad keys its message may vary).
pub fn verification_level_with_overrides(
    statement: &str,
    sv: &SignatureVerification,
) -> Result<VerificationLevel, PolicyError> {
    if sv.level.is_empty() {
        return Err(PolicyError::EmptyLevel(statement.to_string()));
    }
    let mut level =
        VerificationLevel::base(&sv.level).ok_or_else(|| PolicyError::InvalidLevel {
            statement: statement.to_string(),
            level: sv.level.clone(),
        })?;
    if sv.overrides.is_empty() {
        return Ok(level);
    }
    if level.name == LevelName::Skip {
        return Err(PolicyError::OverrideWithSkip(statement.to_string()));
    }
    level.name = LevelName::Custom;
    for (key, value) in &sv.overrides {
        let t =
            ValidationType::from_name(key).ok_or_else(|| PolicyError::UnsupportedOverrideType {
                statement: statement.to_string(),
                key: key.clone(),
            })?;
        let action =
            Action::from_name(value).ok_or_else(|| PolicyError::UnsupportedOverrideAction {
                statement: statement.to_string(),
                value: value.clone(),
            })?;
        integrity_cannot_be_overridden(statement, t)?;
        only_revocation_may_be_skipped(statement, key, t, action)?;
        if let Some(slot) = level.actions.get_mut(t.index()) {
            *slot = action;
        }
    }
    Ok(level)
}

/// `integrity` can never be overridden (NOTATION.md §7.2).
pub fn integrity_cannot_be_overridden(
    statement: &str,
    t: ValidationType,
) -> Result<(), PolicyError> {
    if t == ValidationType::Integrity {
        return Err(PolicyError::IntegrityOverride(statement.to_string()));
    }
    Ok(())
}

/// Only `revocation` may be overridden to `skip` (NOTATION.md §7.2).
pub fn only_revocation_may_be_skipped(
    statement: &str,
    key: &str,
    t: ValidationType,
    action: Action,
) -> Result<(), PolicyError> {
    if t != ValidationType::Revocation && action == Action::Skip {
        return Err(PolicyError::OverrideSkip {
            statement: statement.to_string(),
            key: key.to_string(),
        });
    }
    Ok(())
}

impl Statement {
    /// This statement's verification level with its overrides applied (NOTATION.md §7.2).
    pub fn verification_level(&self) -> Result<VerificationLevel, PolicyError> {
        verification_level_with_overrides(&self.name, &self.signature_verification)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::{Enforce as E, Log as L, Skip as S};

    fn sv(level: &str, overrides: &[(&str, &str)]) -> SignatureVerification {
        SignatureVerification {
            level: level.into(),
            overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            verify_timestamp: String::new(),
        }
    }

    #[test]
    fn base_level_table() {
        let table = [
            ("strict", [E, E, E, E, E]),
            ("permissive", [E, E, L, L, L]),
            ("audit", [E, L, L, L, L]),
            ("skip", [S, S, S, S, S]),
        ];
        for (name, actions) in table {
            let l = verification_level_with_overrides("s", &sv(name, &[])).unwrap();
            assert_eq!(l.actions, actions, "{name}");
            assert_eq!(l.name.name(), name);
            for (i, t) in ValidationType::ALL.into_iter().enumerate() {
                assert_eq!(l.action(t), actions[i]);
            }
        }
    }

    #[test]
    fn levels_are_case_sensitive() {
        let e = verification_level_with_overrides("s", &sv("Strict", &[])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "trust policy: trust policy statement \"s\" has invalid signatureVerification: invalid signature verification level \"Strict\""
        );
        assert!(matches!(
            verification_level_with_overrides("s", &sv("", &[])),
            Err(PolicyError::EmptyLevel(_))
        ));
    }

    #[test]
    fn override_makes_custom_level() {
        let l = verification_level_with_overrides(
            "s",
            &sv("strict", &[("revocation", "skip"), ("expiry", "log")]),
        )
        .unwrap();
        assert_eq!(l.name, LevelName::Custom);
        assert_eq!(l.actions, [E, E, E, L, S]);
        let l =
            verification_level_with_overrides("s", &sv("audit", &[("authenticity", "enforce")]))
                .unwrap();
        assert_eq!(l.actions, [E, E, L, L, L]);
    }

    #[test]
    fn integrity_override_rejected() {
        assert!(integrity_cannot_be_overridden("s", ValidationType::Expiry).is_ok());
        let e = verification_level_with_overrides("s", &sv("permissive", &[("integrity", "log")]))
            .unwrap_err();
        assert_eq!(e, PolicyError::IntegrityOverride("s".into()));
        assert!(e.to_string().contains(
            "\"integrity\" verification can not be overridden in custom signature verification"
        ));
    }

    #[test]
    fn only_revocation_skips() {
        assert!(
            only_revocation_may_be_skipped("s", "revocation", ValidationType::Revocation, S)
                .is_ok()
        );
        let e = verification_level_with_overrides("s", &sv("strict", &[("expiry", "skip")]))
            .unwrap_err();
        assert!(e.to_string().ends_with(
            "\"expiry\" verification can not be skipped in custom signature verification"
        ));
    }

    #[test]
    fn override_errors() {
        assert_eq!(
            verification_level_with_overrides("s", &sv("skip", &[("expiry", "log")])).unwrap_err(),
            PolicyError::OverrideWithSkip("s".into())
        );
        assert!(matches!(
            verification_level_with_overrides("s", &sv("strict", &[("Expiry", "log")])),
            Err(PolicyError::UnsupportedOverrideType { .. })
        ));
        let e = verification_level_with_overrides("s", &sv("strict", &[("expiry", "warn")]))
            .unwrap_err();
        assert!(e.to_string().ends_with(
            "verification action \"warn\" in custom signature verification is not supported, supported values are [\"enforce\" \"log\" \"skip\"]"
        ));
    }
}

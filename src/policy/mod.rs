//! The trust policy document (Notary Project trust policy v1.0 for OCI artifacts).
//!
//! - [`document`]: the document types, Go-like parsing, Flux's `CleanTrustPolicy`, validation
//!   (NOTATION.md §7.1) and the choice of the statement for a scope;
//! - [`level`]: verification levels and overrides (NOTATION.md §7.2);
//! - [`identity`]: distinguished names and trusted identities (NOTATION.md §6.4);
//! - [`scope`]: registry scopes (NOTATION.md §7.1, "registryScopes").
//!
//! Every error message is notation-go v1.3.2's own wording (the messages Flux shows), so a user
//! can search for it.

pub mod document;
pub mod identity;
pub mod level;
pub mod scope;

pub use document::{
    clean_trust_policy, Document, SignatureVerification, Statement, StoreKind, TrustStoreRef,
    VerifyTimestamp,
};
pub use identity::{leaf_matches_trusted_identities, DnError};
pub use level::{Action, LevelName, ValidationType, VerificationLevel};

/// Link notation-go puts in its policy messages.
pub const TRUST_POLICY_LINK: &str =
    "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

/// Why a trust policy could not be parsed, validated or applied. Messages are notation-go's
/// (v1.3.2) and Flux's, verbatim, so that users recognise them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// `trustpolicy.json` is not JSON, or a field has the wrong JSON type (Flux's wording).
    #[error("error occurred while parsing trustpolicy.json: {0}")]
    Parse(String),
    /// `version` is missing or empty.
    #[error("trust policy document has empty version, version must be specified")]
    EmptyVersion,
    /// `version` is not `1.0`.
    #[error("trust policy document uses unsupported version {}", go_quote(.0))]
    UnsupportedVersion(String),
    /// `trustPolicies` is missing or empty.
    #[error("trust policy document can not have zero trust policy statements")]
    ZeroStatements,
    /// Two statements have the same `name`.
    #[error("multiple trust policy statements use the same name {}, statement names must be unique", go_quote(.0))]
    DuplicateStatementName(String),
    /// A statement has no `name`.
    #[error(
        "trust policy: a trust policy statement is missing a name, every statement requires a name"
    )]
    MissingStatementName,
    /// `signatureVerification.level` is missing or empty.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: signature verification level is empty or missing in the trust policy statement", go_quote(.0))]
    EmptyLevel(String),
    /// `signatureVerification.level` is not strict, permissive, audit or skip (case-sensitive).
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: invalid signature verification level {}", go_quote(statement), go_quote(level))]
    InvalidLevel {
        /// The statement's `name`.
        statement: String,
        /// The level as written.
        level: String,
    },
    /// `override` is used together with the `skip` level.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: signature verification level \"skip\" can't be used to customize signature verification", go_quote(.0))]
    OverrideWithSkip(String),
    /// An `override` key is not one of the five validation types.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: verification type {} in custom signature verification is not supported, supported values are [\"integrity\" \"authenticity\" \"authenticTimestamp\" \"expiry\" \"revocation\"]", go_quote(statement), go_quote(key))]
    UnsupportedOverrideType {
        /// The statement's `name`.
        statement: String,
        /// The `override` key as written.
        key: String,
    },
    /// An `override` value is not enforce, log or skip.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: verification action {} in custom signature verification is not supported, supported values are [\"enforce\" \"log\" \"skip\"]", go_quote(statement), go_quote(value))]
    UnsupportedOverrideAction {
        /// The statement's `name`.
        statement: String,
        /// The `override` value as written.
        value: String,
    },
    /// `override` names `integrity`, which can never be overridden.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: \"integrity\" verification can not be overridden in custom signature verification", go_quote(.0))]
    IntegrityOverride(String),
    /// `override` sets a type other than `revocation` to `skip`.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: {} verification can not be skipped in custom signature verification", go_quote(statement), go_quote(key))]
    OverrideSkip {
        /// The statement's `name`.
        statement: String,
        /// The validation type set to `skip`.
        key: String,
    },
    /// `verifyTimestamp` is not empty, `always` or `afterCertExpiry`.
    #[error("trust policy: trust policy statement {} has invalid signatureVerification: verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got {}", go_quote(statement), go_quote(value))]
    InvalidVerifyTimestamp {
        /// The statement's `name`.
        statement: String,
        /// The `verifyTimestamp` value as written.
        value: String,
    },
    /// A `skip` statement lists trust stores or identities (the notation CLI's rule; Flux empties
    /// them first with [`clean_trust_policy`], so Flux users never see this).
    #[error("trust policy: trust policy statement {} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped", go_quote(.0))]
    SkipWithStoresOrIdentities(String),
    /// A non-skip statement has no trust stores or no trusted identities.
    #[error("trust policy: trust policy statement {} is either missing trust stores or trusted identities, both must be specified (Flux has no trust store on disk: name a placeholder such as \"ca:not-existing\" in trustStores, every certificate of the Secret is trusted; and \"*\" or an x509.subject in trustedIdentities)", go_quote(.0))]
    MissingStoresOrIdentities(String),
    /// A trust store entry has no `:` separator.
    #[error("trust policy: trust policy statement {} has malformed trust store value {}. The required format is <TrustStoreType>:<TrustStoreName>", go_quote(statement), go_quote(value))]
    MalformedTrustStore {
        /// The statement's `name`.
        statement: String,
        /// The `trustStores` entry as written.
        value: String,
    },
    /// A trust store type is not `ca`, `signingAuthority` or `tsa` (case-sensitive).
    #[error("trust policy: trust policy statement {} uses an unsupported trust store type {} in trust store value {}", go_quote(statement), go_quote(kind), go_quote(value))]
    UnsupportedTrustStoreType {
        /// The statement's `name`.
        statement: String,
        /// The type, before the `:`.
        kind: String,
        /// The `trustStores` entry as written.
        value: String,
    },
    /// A trust store name does not match `[a-zA-Z0-9_.-]+`.
    #[error("trust policy: trust policy statement {} uses an unsupported trust store name {} in trust store value {}. Named store name needs to follow [a-zA-Z0-9_.-]+ format", go_quote(statement), go_quote(name), go_quote(value))]
    UnsupportedTrustStoreName {
        /// The statement's `name`.
        statement: String,
        /// The store name, after the `:`.
        name: String,
        /// The `trustStores` entry as written.
        value: String,
    },
    /// `*` is combined with other trusted identities.
    #[error("trust policy: trust policy statement {} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values", go_quote(.0))]
    WildcardIdentityWithOthers(String),
    /// A trusted identity is the empty string.
    #[error("trust policy: trust policy statement {} has an empty trusted identity", go_quote(.0))]
    EmptyIdentity(String),
    /// A trusted identity has no `:` (e.g. `x509.subject C=US` instead of `x509.subject: C=US`).
    #[error(
        "trust policy: trust policy statement {} has trusted identity {} missing separator",
        go_quote(statement),
        go_quote(identity)
    )]
    IdentityMissingSeparator {
        /// The statement's `name`.
        statement: String,
        /// The `trustedIdentities` entry as written.
        identity: String,
    },
    /// `x509.subject:` with nothing after it.
    #[error(
        "trust policy: trust policy statement {} has trusted identity {} without an identity value",
        go_quote(statement),
        go_quote(identity)
    )]
    IdentityWithoutValue {
        /// The statement's `name`.
        statement: String,
        /// The `trustedIdentities` entry as written.
        identity: String,
    },
    /// The DN of an `x509.subject:` identity is invalid (see [`DnError`]).
    #[error("trust policy: trust policy statement {} has trusted identity {} with invalid identity value: {reason}", go_quote(statement), go_quote(identity))]
    InvalidIdentity {
        /// The statement's `name`.
        statement: String,
        /// The `trustedIdentities` entry as written.
        identity: String,
        /// Why its DN is refused.
        reason: DnError,
    },
    /// One trusted DN is a subset of another one of the same statement.
    #[error("trust policy: trust policy statement {} has overlapping x509 trustedIdentities, {} overlaps with {}", go_quote(statement), go_quote(first), go_quote(second))]
    OverlappingIdentities {
        /// The statement's `name`.
        statement: String,
        /// The identity, as written, whose DN is a subset of `second`'s.
        first: String,
        /// The identity, as written, that it overlaps with.
        second: String,
    },
    /// A statement has no `registryScopes`.
    #[error("trust policy statement {} has zero registry scopes, it must specify registry scopes with at least one value", go_quote(.0))]
    ZeroScopes(String),
    /// `*` is combined with other scopes in one statement.
    #[error("trust policy statement {} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values", go_quote(.0))]
    WildcardScopeWithOthers(String),
    /// A scope is not `domain[:port]/repository` (lowercase repository path, no tag, no scheme).
    #[error("registry scope {} is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout", go_quote(.0))]
    InvalidScope(String),
    /// A scope other than `*` contains `*`.
    #[error("registry scope {} with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout", go_quote(.0))]
    WildcardInScope(String),
    /// The same scope (`*` included) appears in two statements.
    #[error("registry scope {} is present in multiple trust policy statements, one registry scope value can only be associated with one statement", go_quote(.0))]
    DuplicateScope(String),
    /// No statement's scopes contain the artifact's scope and there is no `*` statement.
    #[error("artifact {} has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: {TRUST_POLICY_LINK}", go_quote(.0))]
    NoApplicableStatement(String),
    /// The statement's identities hold no `x509.subject:` entry (only other prefixes).
    #[error("no x509 trusted identities are configured in the trust policy {}", go_quote(.0))]
    NoX509Identities(String),
    /// The signing (leaf) certificate's subject cannot be read as a DN with C, ST and O.
    #[error("error while parsing the certificate subject from the digital signature. error : {}", go_quote(&.0.to_string()))]
    LeafSubject(DnError),
    /// The leaf subject matches none of the statement's trusted identities. `identities` is
    /// rendered as Go's `%q` of `[]map[string]string`.
    #[error("signing certificate from the digital signature does not match the X.509 trusted identities {identities} defined in the trust policy {}", go_quote(statement))]
    IdentityMismatch {
        /// The statement's `name`.
        statement: String,
        /// The statement's `x509.subject` identities as Go's `%q` of `[]map[string]string` (keys
        /// sorted), e.g. `[map["C":"US" "O":"Notary" "ST":"WA"]]`.
        identities: String,
    },
}

/// Go's `%q` for a string: double-quoted with Go escapes (`strconv.Quote`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_strconv_quote() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
        assert_eq!(go_quote("é"), "\"é\"");
    }
}

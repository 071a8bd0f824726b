//! The trust policy document v1.0 for OCI artifacts (NOTATION.md §7.1).
//!
//! Parsing follows Go's `encoding/json` as Flux uses it (FLUX.md §1): unknown fields are
//! ignored, object keys match field names case-insensitively (Go's folding, `ſ` and the Kelvin sign included), a repeated key
//! keeps its last value, and `null` leaves a field at its zero value. The raw strings are kept
//! so that validation can quote them in notation-go's messages; typed views
//! ([`Statement::trust_store_refs`], [`SignatureVerification::verify_timestamp`],
//! [`Statement::verification_level`]) are available after [`Document::validate`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::identity::trusted_identities_are_valid;
use super::level::verification_level_with_overrides;
use super::scope::{registry_scope_is_repository_name, scopes_are_valid_and_unique, WILDCARD};
use super::{LevelName, PolicyError};

/// The only supported document version.
pub const SUPPORTED_VERSION: &str = "1.0";

/// A trust policy document (`trustpolicy.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Document {
    /// `version`: must be `1.0`.
    pub version: String,
    /// `trustPolicies`: the statements, in document order.
    #[serde(rename = "trustPolicies")]
    pub statements: Vec<Statement>,
}

/// One trust policy statement (`trustPolicies[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// `name`: unique, non-empty.
    pub name: String,
    /// `registryScopes`: `["*"]` or `domain/repository` values.
    pub registry_scopes: Vec<String>,
    /// `signatureVerification`.
    pub signature_verification: SignatureVerification,
    /// `trustStores`: raw `type:name` entries.
    pub trust_stores: Vec<String>,
    /// `trustedIdentities`: `["*"]` or `x509.subject:<DN>` entries.
    pub trusted_identities: Vec<String>,
}

/// `signatureVerification` of a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureVerification {
    /// `level`: strict, permissive, audit or skip (case-sensitive).
    pub level: String,
    /// `override`: validation type to action, raw (validated by [`Document::validate`]).
    #[serde(rename = "override", skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, String>,
    /// `verifyTimestamp`: empty, `always` or `afterCertExpiry`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub verify_timestamp: String,
}

/// When the timestamp countersignature is verified (NOTATION.md §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum VerifyTimestamp {
    /// Always (the default when the field is empty).
    Always,
    /// Only when a certificate of the signing chain has expired.
    AfterCertExpiry,
}

/// The type of a trust store named in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StoreKind {
    /// `ca:` roots for the `notary.x509` signing scheme.
    Ca,
    /// `signingAuthority:` roots for the `notary.x509.signingAuthority` scheme.
    SigningAuthority,
    /// `tsa:` roots for RFC 3161 timestamps.
    Tsa,
}

impl StoreKind {
    /// The policy spelling (case-sensitive).
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Ca => "ca",
            StoreKind::SigningAuthority => "signingAuthority",
            StoreKind::Tsa => "tsa",
        }
    }

    fn from_name(s: &str) -> Option<StoreKind> {
        [StoreKind::Ca, StoreKind::SigningAuthority, StoreKind::Tsa]
            .into_iter()
            .find(|k| k.name() == s)
    }
}

/// A parsed `type:name` trust store entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TrustStoreRef {
    /// The store type.
    pub kind: StoreKind,
    /// The store name (`[a-zA-Z0-9_.-]+`); with Flux only a placeholder (FLUX.md §2.4).
    pub name: String,
}

/// A trust store entry is `<type>:<name>` with a known type and a name matching
/// `[a-zA-Z0-9_.-]+` (NOTATION.md §7.1).
pub fn trust_store_entry_is_type_and_name(
    statement: &str,
    value: &str,
) -> Result<TrustStoreRef, PolicyError> {
    let Some((kind, name)) = value.split_once(':') else {
        return Err(PolicyError::MalformedTrustStore {
            statement: statement.to_string(),
            value: value.to_string(),
        });
    };
    let Some(k) = StoreKind::from_name(kind) else {
        return Err(PolicyError::UnsupportedTrustStoreType {
            statement: statement.to_string(),
            kind: kind.to_string(),
            value: value.to_string(),
        });
    };
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !valid_name {
        return Err(PolicyError::UnsupportedTrustStoreName {
            statement: statement.to_string(),
            name: name.to_string(),
            value: value.to_string(),
        });
    }
    Ok(TrustStoreRef {
        kind: k,
        name: name.to_string(),
    })
}

impl SignatureVerification {
    /// The `verifyTimestamp` option; `None` when the value is not one of the two allowed.
    pub fn verify_timestamp(&self) -> Option<VerifyTimestamp> {
        match self.verify_timestamp.as_str() {
            "" | "always" => Some(VerifyTimestamp::Always),
            "afterCertExpiry" => Some(VerifyTimestamp::AfterCertExpiry),
            _ => None,
        }
    }
}

impl Statement {
    /// The trust store entries, parsed (errors as in validation).
    pub fn trust_store_refs(&self) -> Result<Vec<TrustStoreRef>, PolicyError> {
        self.trust_stores
            .iter()
            .map(|s| trust_store_entry_is_type_and_name(&self.name, s))
            .collect()
    }

    /// The store entries of one type (notation-go asks for `ca:` or `signingAuthority:` by
    /// signing scheme and `tsa:` for timestamps; FLUX.md §2.4).
    pub fn stores_of_kind(&self, kind: StoreKind) -> Vec<TrustStoreRef> {
        self.trust_store_refs()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.kind == kind)
            .collect()
    }

    /// Whether the statement is the global `*` statement.
    pub fn is_global(&self) -> bool {
        self.registry_scopes.iter().any(|s| s == WILDCARD)
    }
}

/// notation-go `validatePolicyCore` for one statement (NOTATION.md §7.1): name, level and
/// overrides, verifyTimestamp, skip vs stores/identities, store format, identities.
pub fn statement_is_valid(st: &Statement) -> Result<(), PolicyError> {
    if st.name.is_empty() {
        return Err(PolicyError::MissingStatementName);
    }
    let level = verification_level_with_overrides(&st.name, &st.signature_verification)?;
    if st.signature_verification.verify_timestamp().is_none() {
        return Err(PolicyError::InvalidVerifyTimestamp {
            statement: st.name.clone(),
            value: st.signature_verification.verify_timestamp.clone(),
        });
    }
    if level.name == LevelName::Skip {
        skip_statement_has_no_stores_or_identities(st)
    } else {
        if st.trust_stores.is_empty() || st.trusted_identities.is_empty() {
            return Err(PolicyError::MissingStoresOrIdentities(st.name.clone()));
        }
        st.trust_store_refs()?;
        trusted_identities_are_valid(&st.name, &st.trusted_identities)
    }
}

/// A `skip` statement must have no trust stores and no trusted identities (NOTATION.md §7.1;
/// Flux empties them first, see [`clean_trust_policy`]).
pub fn skip_statement_has_no_stores_or_identities(st: &Statement) -> Result<(), PolicyError> {
    if !st.trust_stores.is_empty() || !st.trusted_identities.is_empty() {
        return Err(PolicyError::SkipWithStoresOrIdentities(st.name.clone()));
    }
    Ok(())
}

/// Flux's `CleanTrustPolicy` (FLUX.md §2.1): every statement whose level is exactly `skip` has
/// its trust stores and identities emptied. Returns Flux's warning for each statement that had
/// some. Run before [`Document::validate`], as Flux does.
pub fn clean_trust_policy(doc: &mut Document) -> Vec<String> {
    let mut warnings = Vec::new();
    for st in &mut doc.statements {
        if st.signature_verification.level == "skip" {
            if !st.trust_stores.is_empty() || !st.trusted_identities.is_empty() {
                warnings.push(format!(
                    "warning: trust policy statement '{}' is set to skip signature verification but configured with trust stores and/or trusted identities. Ignoring trust stores and trusted identities",
                    st.name
                ));
            }
            st.trust_stores.clear();
            st.trusted_identities.clear();
        }
    }
    warnings
}

impl Document {
    /// Parse `trustpolicy.json` bytes as Flux does (Go `json.Unmarshal` into notation-go's
    /// `Document`). Errors carry Flux's prefix "error occurred while parsing
    /// trustpolicy.json: "; the two messages Flux tests (`unexpected end of JSON input`,
    /// `invalid character '\n' in string literal`) are reproduced; other syntax and type errors
    /// use serde_json's wording.
    pub fn parse(bytes: &[u8]) -> Result<Document, PolicyError> {
        match serde_json::from_slice::<Option<Document>>(bytes) {
            Ok(doc) => Ok(doc.unwrap_or_default()),
            Err(e) => Err(PolicyError::Parse(go_json_error(bytes, &e))),
        }
    }

    /// notation-go v1.3.2 `Document.Validate` (NOTATION.md §7.1): version, at least one
    /// statement, unique names, each statement's core rules, then registry scopes.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.version.is_empty() {
            return Err(PolicyError::EmptyVersion);
        }
        if self.version != SUPPORTED_VERSION {
            return Err(PolicyError::UnsupportedVersion(self.version.clone()));
        }
        if self.statements.is_empty() {
            return Err(PolicyError::ZeroStatements);
        }
        let mut names = std::collections::HashSet::new();
        for st in &self.statements {
            if names.contains(st.name.as_str()) {
                return Err(PolicyError::DuplicateStatementName(st.name.clone()));
            }
            statement_is_valid(st)?;
            names.insert(st.name.as_str());
        }
        scopes_are_valid_and_unique(self)
    }

    /// The statement that applies to `scope` (NOTATION.md §7.1, "Selection"): an exact match of
    /// a registry scope wins, else the `*` statement, else notation's "no applicable trust
    /// policy statement" error. `scope` is `registry/repository`, optionally followed by
    /// `@digest` (everything from the last `@` is ignored for matching and the whole input is
    /// quoted in the error). No prefix matching and no normalisation.
    pub fn applicable_statement(&self, scope: &str) -> Result<&Statement, PolicyError> {
        let path = scope.rsplit_once('@').map(|(p, _)| p).unwrap_or(scope);
        registry_scope_is_repository_name(path)?;
        let mut global = None;
        let mut exact = None;
        for st in &self.statements {
            if st.is_global() {
                global = Some(st);
            } else if st.registry_scopes.iter().any(|s| s == path) {
                exact = Some(st);
            }
        }
        exact
            .or(global)
            .ok_or_else(|| PolicyError::NoApplicableStatement(scope.to_string()))
    }

    /// The `*` statement, if any (used when no scope is known).
    pub fn global_statement(&self) -> Option<&Statement> {
        self.statements.iter().find(|s| s.is_global())
    }
}

/// Go-like text for the JSON errors Flux users see most.
fn go_json_error(bytes: &[u8], e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".to_string();
    }
    let msg = e.to_string();
    if msg.starts_with("control character") {
        if let Some(c) = char_at(bytes, e.line(), e.column()) {
            return format!("invalid character {} in string literal", go_quote_char(c));
        }
    }
    msg
}

/// The byte at a 1-based line and column, as serde_json reports them (column 0: the newline
/// that ended the previous line).
fn char_at(bytes: &[u8], line: usize, column: usize) -> Option<u8> {
    if column == 0 {
        return Some(b'\n');
    }
    let start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    bytes.get(start + column - 1).copied()
}

/// Go's `quoteChar` used by `encoding/json` syntax errors.
fn go_quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        b'\n' => "'\\n'".to_string(),
        b'\r' => "'\\r'".to_string(),
        b'\t' => "'\\t'".to_string(),
        c if c < 0x20 => format!("'\\x{c:02x}'"),
        c => format!("'{}'", char::from(c)),
    }
}

// ---- Go-like deserialisation -------------------------------------------------------------

/// Deserialize a field value where JSON `null` means "leave the zero value".
fn nullable<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(
    map: &mut A,
) -> Result<T, A::Error> {
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

/// Key match as Go's `encoding/json` does for struct fields: without regard to case, with
/// Unicode simple folding (`ſ` matches `s`, the Kelvin sign `k`).
fn key_is(key: &str, field: &str) -> bool {
    crate::json_fold::go_fold_eq(key, field)
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a trust policy document (JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
                let mut doc = Document::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key_is(&key, "version") {
                        doc.version = nullable(&mut map)?;
                    } else if key_is(&key, "trustPolicies") {
                        let v: Vec<Option<Statement>> = nullable(&mut map)?;
                        doc.statements = v.into_iter().map(Option::unwrap_or_default).collect();
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(doc)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Statement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Statement;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a trust policy statement (JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Statement, A::Error> {
                let mut st = Statement::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key_is(&key, "name") {
                        st.name = nullable(&mut map)?;
                    } else if key_is(&key, "registryScopes") {
                        st.registry_scopes = strings(&mut map)?;
                    } else if key_is(&key, "signatureVerification") {
                        st.signature_verification = nullable(&mut map)?;
                    } else if key_is(&key, "trustStores") {
                        st.trust_stores = strings(&mut map)?;
                    } else if key_is(&key, "trustedIdentities") {
                        st.trusted_identities = strings(&mut map)?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(st)
            }
        }
        d.deserialize_map(V)
    }
}

/// A string array whose `null` elements become empty strings (Go semantics).
fn strings<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Vec<String>, A::Error> {
    let v: Vec<Option<String>> = nullable(map)?;
    Ok(v.into_iter().map(Option::unwrap_or_default).collect())
}

impl<'de> Deserialize<'de> for SignatureVerification {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SignatureVerification;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("signatureVerification (JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SignatureVerification, A::Error> {
                let mut sv = SignatureVerification::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key_is(&key, "level") {
                        sv.level = nullable(&mut map)?;
                    } else if key_is(&key, "override") {
                        let m: Option<BTreeMap<String, Option<String>>> = map.next_value()?;
                        match m {
                            // Go decodes into the existing map: entries accumulate.
                            Some(m) => sv
                                .overrides
                                .extend(m.into_iter().map(|(k, v)| (k, v.unwrap_or_default()))),
                            None => sv.overrides.clear(),
                        }
                    } else if key_is(&key, "verifyTimestamp") {
                        sv.verify_timestamp = nullable(&mut map)?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(sv)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "version": "1.0",
        "trustPolicies": [{
            "name": "e2e",
            "registryScopes": ["localhost:5000/e2e"],
            "signatureVerification": {"level": "strict", "override": {"revocation": "skip"}},
            "trustStores": ["ca:e2e", "tsa:ts"],
            "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Notary"]
        }, {
            "name": "global",
            "registryScopes": ["*"],
            "signatureVerification": {"level": "audit"},
            "trustStores": ["signingAuthority:x"],
            "trustedIdentities": ["*"]
        }]
    }"#;

    #[test]
    fn parses_and_validates() {
        let doc = Document::parse(GOOD.as_bytes()).unwrap();
        doc.validate().unwrap();
        let st = &doc.statements[0];
        assert_eq!(
            st.trust_store_refs().unwrap(),
            vec![
                TrustStoreRef {
                    kind: StoreKind::Ca,
                    name: "e2e".into()
                },
                TrustStoreRef {
                    kind: StoreKind::Tsa,
                    name: "ts".into()
                }
            ]
        );
        assert_eq!(st.stores_of_kind(StoreKind::Tsa).len(), 1);
        assert_eq!(
            st.signature_verification.verify_timestamp(),
            Some(VerifyTimestamp::Always)
        );
        assert_eq!(st.verification_level().unwrap().name, LevelName::Custom);
    }

    #[test]
    fn go_like_leniency() {
        let doc = Document::parse(
            br#"{"VERSION":"1.0","unknown":[1,2],"trustpolicies":[{"Name":"a","registryScopes":null,
                "signatureverification":{"LEVEL":"skip"}}]}"#,
        )
        .unwrap();
        assert_eq!(doc.version, "1.0");
        assert_eq!(doc.statements[0].name, "a");
        assert_eq!(doc.statements[0].signature_verification.level, "skip");
        // Repeated keys: the last wins.
        let doc = Document::parse(br#"{"version":"2","version":"1.0"}"#).unwrap();
        assert_eq!(doc.version, "1.0");
        assert_eq!(Document::parse(b"null").unwrap(), Document::default());
    }

    #[test]
    fn flux_parse_messages() {
        assert_eq!(
            Document::parse(b"").unwrap_err().to_string(),
            "error occurred while parsing trustpolicy.json: unexpected end of JSON input"
        );
        assert_eq!(
            Document::parse(b"{\"version\": \"1.\n0\"}").unwrap_err().to_string(),
            "error occurred while parsing trustpolicy.json: invalid character '\\n' in string literal"
        );
        assert_eq!(
            Document::parse(b"{\"version\": \"1.\t0\"}").unwrap_err().to_string(),
            "error occurred while parsing trustpolicy.json: invalid character '\\t' in string literal"
        );
        assert!(matches!(
            Document::parse(br#"{"version": 1}"#),
            Err(PolicyError::Parse(_))
        ));
        assert_eq!(
            Document::parse(b"{}")
                .unwrap()
                .validate()
                .unwrap_err()
                .to_string(),
            "trust policy document has empty version, version must be specified"
        );
    }

    #[test]
    fn document_level_rules() {
        let mut doc = Document::parse(GOOD.as_bytes()).unwrap();
        doc.version = "1.1".into();
        assert_eq!(
            doc.validate(),
            Err(PolicyError::UnsupportedVersion("1.1".into()))
        );
        doc.version = "1.0".into();
        let mut dup = doc.clone();
        dup.statements[1].name = "e2e".into();
        assert_eq!(
            dup.validate(),
            Err(PolicyError::DuplicateStatementName("e2e".into()))
        );
        let mut empty = doc.clone();
        empty.statements.clear();
        assert_eq!(empty.validate(), Err(PolicyError::ZeroStatements));
        let mut noname = doc.clone();
        noname.statements[0].name.clear();
        assert_eq!(noname.validate(), Err(PolicyError::MissingStatementName));
        let mut ts = doc.clone();
        ts.statements[0].signature_verification.verify_timestamp = "never".into();
        assert!(matches!(
            ts.validate(),
            Err(PolicyError::InvalidVerifyTimestamp { .. })
        ));
        let mut nostore = doc.clone();
        nostore.statements[0].trust_stores.clear();
        assert!(matches!(
            nostore.validate(),
            Err(PolicyError::MissingStoresOrIdentities(_))
        ));
        let mut twoglobal = doc.clone();
        twoglobal.statements[0].registry_scopes = vec!["*".into()];
        assert_eq!(
            twoglobal.validate(),
            Err(PolicyError::DuplicateScope("*".into()))
        );
    }

    #[test]
    fn trust_store_format() {
        assert!(trust_store_entry_is_type_and_name("s", "ca:a-b_c.d").is_ok());
        assert!(matches!(
            trust_store_entry_is_type_and_name("s", "ca"),
            Err(PolicyError::MalformedTrustStore { .. })
        ));
        assert!(matches!(
            trust_store_entry_is_type_and_name("s", "CA:x"),
            Err(PolicyError::UnsupportedTrustStoreType { .. })
        ));
        assert!(matches!(
            trust_store_entry_is_type_and_name("s", "ca:a/b"),
            Err(PolicyError::UnsupportedTrustStoreName { .. })
        ));
        assert!(matches!(
            trust_store_entry_is_type_and_name("s", "ca:"),
            Err(PolicyError::UnsupportedTrustStoreName { .. })
        ));
    }

    #[test]
    fn clean_then_validate_skip() {
        let mut doc = Document::parse(
            br#"{"version":"1.0","trustPolicies":[{"name":"s","registryScopes":["*"],
               "signatureVerification":{"level":"skip"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}"#,
        )
        .unwrap();
        assert_eq!(
            doc.validate(),
            Err(PolicyError::SkipWithStoresOrIdentities("s".into()))
        );
        let warnings = clean_trust_policy(&mut doc);
        assert_eq!(warnings, vec!["warning: trust policy statement 's' is set to skip signature verification but configured with trust stores and/or trusted identities. Ignoring trust stores and trusted identities".to_string()]);
        doc.validate().unwrap();
        assert!(clean_trust_policy(&mut doc).is_empty());
    }

    #[test]
    fn applicable_statement_selection() {
        let doc = Document::parse(GOOD.as_bytes()).unwrap();
        assert_eq!(
            doc.applicable_statement("localhost:5000/e2e").unwrap().name,
            "e2e"
        );
        assert_eq!(
            doc.applicable_statement("localhost:5000/e2e@sha256:abcd")
                .unwrap()
                .name,
            "e2e"
        );
        assert_eq!(
            doc.applicable_statement("localhost:5000/other")
                .unwrap()
                .name,
            "global"
        );
        let mut only = doc.clone();
        only.statements.pop();
        let e = only
            .applicable_statement("localhost:5000/other@sha256:ab")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "artifact \"localhost:5000/other@sha256:ab\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy"
        );
        assert!(matches!(
            only.applicable_statement("e2e"),
            Err(PolicyError::InvalidScope(_))
        ));
    }
}

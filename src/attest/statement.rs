//! The in-toto Statement v1: what an attestation is about (`subject`) and what it says
//! (`predicateType` + `predicate`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;

/// The `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// An in-toto Statement v1 with a predicate of type `P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement<P> {
    /// `_type`: [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub type_: String,
    /// `subject`: what the statement is about (here one image, by its manifest digest).
    pub subject: Vec<Subject>,
    /// `predicateType`: the predicate's type URI (the VSA's for this tool).
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// `predicate`: what is said about the subjects.
    pub predicate: P,
}

/// One subject: a name and its digests by algorithm (`{"sha256": "<hex>"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// `name`: the scope or the tag; omitted when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `digest`: the digest set, algorithm name (`sha256`) to hex.
    pub digest: BTreeMap<String, String>,
}

/// A digest set as in-toto and SLSA write it: `{"<algorithm>": "<lowercase hex>"}`.
pub fn digest_set(d: &Digest) -> BTreeMap<String, String> {
    BTreeMap::from([(d.algorithm().name().to_string(), d.hex().to_string())])
}

impl Subject {
    /// Whether this subject's digest set holds `d` (same algorithm, same hex; hex compared
    /// case-insensitively as in-toto allows either case).
    pub fn has_digest(&self, d: &Digest) -> bool {
        self.digest
            .get(d.algorithm().name())
            .is_some_and(|h| h.eq_ignore_ascii_case(&d.hex()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Algorithm;

    #[test]
    fn subject_digest_matching() {
        let d = Algorithm::Sha256.digest(b"x");
        let s = Subject {
            name: "n".into(),
            digest: digest_set(&d),
        };
        assert!(s.has_digest(&d));
        assert!(!s.has_digest(&Algorithm::Sha256.digest(b"y")));
        assert!(!s.has_digest(&Algorithm::Sha512.digest(b"x")));
        let upper = Subject {
            name: String::new(),
            digest: BTreeMap::from([("sha256".into(), d.hex().to_ascii_uppercase())]),
        };
        assert!(upper.has_digest(&d));
        assert_eq!(
            serde_json::to_string(&upper).unwrap(),
            format!(
                "{{\"digest\":{{\"sha256\":\"{}\"}}}}",
                d.hex().to_ascii_uppercase()
            )
        );
    }
}

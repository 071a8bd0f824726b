//! The digest of the trust material an image was verified against, as a type of its own.

use std::fmt;

use serde::Serialize;

use crate::trust::TrustMaterial;

/// The digest of the trust material ([`TrustMaterial::policy_digest`]): `sha256:<hex>`. It
/// serialises as that string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PolicyDigest(String);

impl PolicyDigest {
    /// The digest of `material`.
    pub fn of(material: &TrustMaterial) -> PolicyDigest {
        PolicyDigest(material.policy_digest())
    }

    /// The digest of cosign trust material (its keys, or its identities and trust root), as
    /// [`crate::cosign::provider::CosignMaterial::digest`] computes it.
    pub fn of_cosign(digest: String) -> PolicyDigest {
        PolicyDigest(digest)
    }

    /// The digest as text, `sha256:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

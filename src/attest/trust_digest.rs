//! The digest of the trust material an attestation was made under (the VSA's `policy.digest`),
//! by versioned recipe. The recipe's name is recorded in the attestation's extension
//! (`trustMaterialDigestRecipe`); an attestation without it was made with version 1.
//!
//! Version 1 ([`RECIPE_V1`], [`crate::trust::TrustMaterial::policy_digest`]) covers the policy
//! bytes, the certificates and the CRLs. It cannot tell apart two runs that judged differently
//! with the same files: Flux's or the notation CLI's semantics, which store a certificate
//! serves, a value that does not parse (every lookup fails under Flux), cosign keys.
//!
//! Version 2 ([`RECIPE_V2`], [`trust_digest_v2`]) is `sha256` over the UTF-8 text made of these
//! lines, each ending in `\n`, every group sorted and without duplicates:
//!
//! ```text
//! airgap-verify trust material v2
//! semantics flux                          (or: semantics notation-cli)
//! certificate-values first-pem-block      (Flux; the notation CLI: every-pem-block)
//! policy sha256:<hex of trustpolicy.json as read>
//! cert sha256:<hex of the DER> store *    (Flux: every certificate serves every store)
//! cert sha256:<hex of the DER> store ca:<name>   (notation CLI: one line per store)
//! unparsable "<key>" "<error>"           (JSON strings)
//! store-error ca:<name>                   (notation CLI: a store that cannot be read)
//! crl sha256:<hex>
//! cosign-key sha256:<hex of the DER SubjectPublicKeyInfo>
//! cosign-root sha256:<hex of the trusted root file>
//! ```
//!
//! The digest is `sha256:<hex>` of that text. Key names do not count (but those of unparsable
//! values, which name the failure), nor the order of entries.

use sha2::{Digest as _, Sha256};

use crate::trust::{Semantics, TrustMaterial};

/// The name of trust-material digest recipe version 1.
pub const RECIPE_V1: &str = "airgap-verify/trust-material/v1";
/// The name of trust-material digest recipe version 2.
pub const RECIPE_V2: &str = "airgap-verify/trust-material/v2";

/// The cosign side of the trust material: public keys and Sigstore trust roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CosignTrust {
    /// The DER SubjectPublicKeyInfo of each cosign public key (`*.pub`).
    pub keys: Vec<Vec<u8>>,
    /// The bytes of each Sigstore trusted root file.
    pub roots: Vec<Vec<u8>>,
}

impl CosignTrust {
    /// The cosign trust of some keys.
    pub fn of_keys(keys: &[crate::cosign::CosignKey]) -> CosignTrust {
        CosignTrust {
            keys: keys.iter().map(|k| k.spki_der.clone()).collect(),
            roots: Vec::new(),
        }
    }
}

fn hex_sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The text that [`trust_digest_v2`] hashes (module documentation).
pub fn trust_text_v2(material: &TrustMaterial, cosign: &CosignTrust) -> String {
    let mut out = String::from("airgap-verify trust material v2\n");
    let (semantics, reading) = match material.semantics {
        Semantics::Flux => ("flux", "first-pem-block"),
        Semantics::NotationCli => ("notation-cli", "every-pem-block"),
    };
    out.push_str(&format!("semantics {semantics}\n"));
    out.push_str(&format!("certificate-values {reading}\n"));
    out.push_str(&format!(
        "policy sha256:{}\n",
        hex_sha256(&material.policy_bytes)
    ));
    let mut certs: Vec<String> = Vec::new();
    for c in &material.certificates {
        let h = hex_sha256(c.cert.der());
        match material.semantics {
            Semantics::Flux => certs.push(format!("cert sha256:{h} store *")),
            Semantics::NotationCli => {
                for s in &c.stores {
                    certs.push(format!(
                        "cert sha256:{h} store {}:{}",
                        s.kind.name(),
                        s.name
                    ));
                }
            }
        }
    }
    let json = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"));
    let unparsable = material
        .unparsable
        .iter()
        .map(|u| format!("unparsable {} {}", json(&u.key), json(&u.error)))
        .collect();
    let store_errors = material
        .store_errors
        .iter()
        .map(|(s, _)| format!("store-error {}:{}", s.kind.name(), s.name))
        .collect();
    let crls = material
        .crls
        .iter()
        .map(|(_, b)| format!("crl sha256:{}", hex_sha256(b)))
        .collect();
    let keys = cosign
        .keys
        .iter()
        .map(|k| format!("cosign-key sha256:{}", hex_sha256(k)))
        .collect();
    let roots = cosign
        .roots
        .iter()
        .map(|r| format!("cosign-root sha256:{}", hex_sha256(r)))
        .collect();
    for mut group in [certs, unparsable, store_errors, crls, keys, roots] {
        group.sort();
        group.dedup();
        for line in group {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The version 2 digest of the trust material (module documentation): `sha256:<hex>`.
pub fn trust_digest_v2(material: &TrustMaterial, cosign: &CosignTrust) -> String {
    format!(
        "sha256:{}",
        hex_sha256(trust_text_v2(material, cosign).as_bytes())
    )
}

/// The digest of `material` by the recipe named `recipe` (an empty name is version 1), or
/// `None` for a recipe this version does not know.
pub fn trust_digest(
    recipe: &str,
    material: &TrustMaterial,
    cosign: &CosignTrust,
) -> Option<String> {
    match recipe {
        "" | RECIPE_V1 => Some(material.policy_digest()),
        RECIPE_V2 => Some(trust_digest_v2(material, cosign)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::document::{StoreKind, TrustStoreRef};
    use crate::trust::{TrustedCert, UnparsableValue};

    fn material() -> Option<TrustMaterial> {
        let dir = airgap_verify_testkit::conformance()?;
        let der = std::fs::read(dir.join("notation/config/localkeys/e2e.crt")).ok()?;
        let cert = crate::pki::cert::parse_certificates(&der, 8)
            .ok()?
            .remove(0);
        Some(TrustMaterial {
            source: "test".into(),
            policy_bytes: b"{}".to_vec(),
            policy: Default::default(),
            certificates: vec![TrustedCert {
                key: "a.crt".into(),
                cert,
                stores: Vec::new(),
            }],
            crls: Vec::new(),
            semantics: Semantics::Flux,
            unparsable: Vec::new(),
            store_errors: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
        })
    }

    #[test]
    fn v2_says_what_v1_cannot() {
        let Some(m) = material() else {
            return;
        };
        let none = CosignTrust::default();
        let base = trust_digest_v2(&m, &none);
        let text = trust_text_v2(&m, &none);
        assert!(
            text.starts_with("airgap-verify trust material v2\nsemantics flux\ncertificate-values first-pem-block\npolicy sha256:"),
            "{text}"
        );
        assert!(text.contains(" store *\n"), "{text}");
        assert_eq!(base, format!("sha256:{}", hex_sha256(text.as_bytes())));
        // Key names and duplicates do not count.
        let mut renamed = m.clone();
        renamed.certificates[0].key = "b.pem".into();
        renamed.certificates.push(renamed.certificates[0].clone());
        assert_eq!(trust_digest_v2(&renamed, &none), base);
        // Each of these changes the v2 digest while v1 stays the same.
        let mut notation = m.clone();
        notation.semantics = Semantics::NotationCli;
        notation.certificates[0].stores = vec![TrustStoreRef {
            kind: StoreKind::Ca,
            name: "one".into(),
        }];
        let mut other_store = notation.clone();
        other_store.certificates[0].stores[0].name = "two".into();
        let mut unparsable = m.clone();
        unparsable.unparsable.push(UnparsableValue {
            key: "bad.crt".into(),
            error: "x509: malformed certificate".into(),
        });
        let keyed = CosignTrust {
            keys: vec![b"spki".to_vec()],
            roots: Vec::new(),
        };
        let rooted = CosignTrust {
            keys: Vec::new(),
            roots: vec![b"{}".to_vec()],
        };
        let digests = [
            trust_digest_v2(&notation, &none),
            trust_digest_v2(&other_store, &none),
            trust_digest_v2(&unparsable, &none),
            trust_digest_v2(&m, &keyed),
            trust_digest_v2(&m, &rooted),
        ];
        for (i, d) in digests.iter().enumerate() {
            assert_ne!(d, &base, "{i}");
            for e in &digests[i + 1..] {
                assert_ne!(d, e);
            }
        }
        for changed in [&notation, &other_store, &unparsable] {
            assert_eq!(changed.policy_digest(), m.policy_digest());
        }
        assert_eq!(trust_digest(RECIPE_V1, &m, &none), Some(m.policy_digest()));
        assert_eq!(trust_digest("", &m, &none), Some(m.policy_digest()));
        assert_eq!(trust_digest(RECIPE_V2, &m, &none), Some(base));
        assert_eq!(
            trust_digest("airgap-verify/trust-material/v9", &m, &none),
            None
        );
    }
}

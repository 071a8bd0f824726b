//! Cosign public keys (PEM PKIX) and how signatures are checked with them.

use sha2::{Digest as _, Sha256};

use crate::pki::crypto::{CryptoError, EcdsaEncoding, HashAlg, PublicKey, Verification};

/// Largest PEM public key read.
pub const MAX_KEY_PEM: usize = 64 * 1024;

/// A public key a signature may be verified with: a Secret's `*.pub` entry or a key file.
#[derive(Debug, Clone)]
pub struct CosignKey {
    /// Where the key came from (`cosign.pub`, a file name).
    pub name: String,
    /// The key.
    pub key: PublicKey,
    /// Its DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// The hash its signatures are made over; `None` takes the key type's own (SHA-256 for
    /// P-256 and RSA, SHA-384 for P-384, SHA-512 for P-521).
    pub hash: Option<HashAlg>,
}

impl CosignKey {
    /// A key as Flux loads it (`cryptoutils.UnmarshalPEMToPublicKey`, then
    /// `signature.LoadVerifier(key, crypto.SHA256)`): one PEM `PUBLIC KEY` block; ECDSA on every
    /// curve and RSA (PKCS #1 v1.5) over SHA-256; Ed25519 as is.
    pub fn from_pem_flux(name: &str, pem: &[u8]) -> Result<CosignKey, String> {
        let mut k = CosignKey::from_pem(name, pem)?;
        k.hash = Some(HashAlg::Sha256);
        Ok(k)
    }

    /// A key with its type's own hash (Sigstore bundles verified with a managed key).
    pub fn from_pem(name: &str, pem: &[u8]) -> Result<CosignKey, String> {
        if pem.len() > MAX_KEY_PEM {
            return Err(format!(
                "{name}: {} bytes, more than the limit of {MAX_KEY_PEM} for a public key",
                pem.len()
            ));
        }
        let text = std::str::from_utf8(pem)
            .map_err(|_| format!("{name}: PEM decoding failed (not UTF-8 text)"))?;
        let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes())
            .map_err(|e| format!("{name}: PEM decoding failed: {e}"))?;
        if label != "PUBLIC KEY" {
            return Err(format!(
                "{name}: unsupported PEM block {label:?} (a PUBLIC KEY is needed)"
            ));
        }
        CosignKey::from_spki_der(name, &der)
    }

    /// A key from its DER SubjectPublicKeyInfo, with its type's own hash.
    pub fn from_spki_der(name: &str, der: &[u8]) -> Result<CosignKey, String> {
        let key = PublicKey::from_spki_der(der).map_err(|e| format!("{name}: {e}"))?;
        Ok(CosignKey {
            name: name.to_string(),
            key,
            spki_der: der.to_vec(),
            hash: None,
        })
    }

    /// `sha256:<hex>` of the DER SubjectPublicKeyInfo: the key's id in reports.
    pub fn key_id(&self) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(&self.spki_der)))
    }

    /// Verify a signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        verify_signature(&self.key, self.hash, message, signature)
    }
}

/// Verify `signature` over `message` the way Sigstore signs with this key: ECDSA (ASN.1 DER
/// signature), RSA PKCS #1 v1.5, or Ed25519; `hash` overrides the key type's own hash.
pub fn verify_signature(
    key: &PublicKey,
    hash: Option<HashAlg>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let how = match key {
        PublicKey::Rsa(_) => Verification::RsaPkcs1v15(hash.unwrap_or(HashAlg::Sha256)),
        PublicKey::P256(_) => {
            Verification::Ecdsa(hash.unwrap_or(HashAlg::Sha256), EcdsaEncoding::Der)
        }
        PublicKey::P384(_) => {
            Verification::Ecdsa(hash.unwrap_or(HashAlg::Sha384), EcdsaEncoding::Der)
        }
        PublicKey::P521(_) => {
            Verification::Ecdsa(hash.unwrap_or(HashAlg::Sha512), EcdsaEncoding::Der)
        }
        PublicKey::Ed25519(_) => Verification::Ed25519,
    };
    key.verify(how, message, signature)
}

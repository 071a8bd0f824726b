//! Cosign public keys (PEM PKIX) and how signatures are checked with them.

use sha2::{Digest as _, Sha256};

use crate::pki::crypto::{CryptoError, EcdsaEncoding, HashAlg, KeyType, PublicKey, Verification};

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
        // cryptoutils.UnmarshalPEMToPublicKey's words.
        let (label, der) = std::str::from_utf8(pem)
            .ok()
            .and_then(first_pem_block)
            .ok_or_else(|| format!("{name}: PEM decoding failed"))?;
        if label != "PUBLIC KEY" {
            return Err(format!(
                "{name}: unknown Public key PEM file type: {label}. Are you passing the correct public key?"
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
    let how = match key.kind() {
        KeyType::Rsa { .. } => Verification::RsaPkcs1v15(hash.unwrap_or(HashAlg::Sha256)),
        KeyType::P256 => Verification::Ecdsa(hash.unwrap_or(HashAlg::Sha256), EcdsaEncoding::Der),
        KeyType::P384 => Verification::Ecdsa(hash.unwrap_or(HashAlg::Sha384), EcdsaEncoding::Der),
        KeyType::P521 => Verification::Ecdsa(hash.unwrap_or(HashAlg::Sha512), EcdsaEncoding::Der),
        KeyType::Ed25519 => Verification::Ed25519,
    };
    key.verify(how, message, signature)
}

/// The label and DER of the first PEM block of a text, read as leniently as Go's `pem.Decode`
/// (any line length, whitespace ignored inside the base64).
pub fn first_pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine as _;
    let start = text.find("-----BEGIN ")?;
    let after = &text[start + 11..];
    let label_end = after.find("-----")?;
    let label = after[..label_end].to_string();
    let body = &after[label_end + 5..];
    let end = body.find("-----END ")?;
    let b64: String = body[..end].split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signature::hazmat::PrehashSigner;
    use spki::EncodePublicKey;

    fn pem_of(k: &impl EncodePublicKey) -> String {
        k.to_public_key_pem(Default::default()).unwrap()
    }

    #[test]
    fn flux_keys_check_every_ecdsa_curve_over_sha256() {
        let msg = b"payload";
        let h256 = Sha256::digest(msg);
        let p384 = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let sig: p384::ecdsa::Signature = p384.sign_prehash(&h256).unwrap();
        let key =
            CosignKey::from_pem_flux("p384.pub", pem_of(p384.verifying_key()).as_bytes()).unwrap();
        assert!(key.verify(msg, sig.to_der().as_bytes()).is_ok());
        // Over SHA-384 (the curve's own hash) it is not what Flux checks.
        let h384 = sha2::Sha384::digest(msg);
        let own: p384::ecdsa::Signature = p384.sign_prehash(&h384).unwrap();
        assert!(key.verify(msg, own.to_der().as_bytes()).is_err());
        let mut native = key.clone();
        native.hash = None;
        assert!(native.verify(msg, own.to_der().as_bytes()).is_ok());

        let p256 = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let sig: p256::ecdsa::Signature = p256.sign_prehash(&h256).unwrap();
        let key =
            CosignKey::from_pem_flux("p256.pub", pem_of(p256.verifying_key()).as_bytes()).unwrap();
        assert!(key.verify(msg, sig.to_der().as_bytes()).is_ok());
        assert!(key.verify(b"other", sig.to_der().as_bytes()).is_err());
    }

    #[test]
    fn flux_keys_check_ed25519_and_rsa_pkcs1v15() {
        use ed25519_dalek::Signer as _;
        let msg = b"payload";
        let ed = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let key =
            CosignKey::from_pem_flux("ed.pub", pem_of(&ed.verifying_key()).as_bytes()).unwrap();
        assert!(key.verify(msg, &ed.sign(msg).to_bytes()).is_ok());
        assert!(key.verify(b"other", &ed.sign(msg).to_bytes()).is_err());

        let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let public = rsa::RsaPublicKey::from(&rsa);
        let key = CosignKey::from_pem_flux("rsa.pub", pem_of(&public).as_bytes()).unwrap();
        let sig = rsa
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg))
            .unwrap();
        assert!(key.verify(msg, &sig).is_ok());
        let pss = rsa
            .sign_with_rng(
                &mut rand_core::OsRng,
                rsa::Pss::new::<Sha256>(),
                &Sha256::digest(msg),
            )
            .unwrap();
        assert!(key.verify(msg, &pss).is_err());
    }

    #[test]
    fn keys_that_are_not_pem_public_keys_are_refused_in_cryptoutils_words() {
        let e = CosignKey::from_pem_flux("a.pub", b"not pem").unwrap_err();
        assert_eq!(e, "a.pub: PEM decoding failed");
        let e = CosignKey::from_pem_flux(
            "b.pub",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "b.pub: unknown Public key PEM file type: CERTIFICATE. Are you passing the correct public key?"
        );
        assert!(CosignKey::from_pem_flux("c.pub", &vec![b'a'; MAX_KEY_PEM + 1]).is_err());
    }
}

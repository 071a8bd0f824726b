//! Keys for attestations: the operator's private key that signs (PKCS#8 PEM, optionally encrypted
//! with a passphrase from [`PASSPHRASE_ENV`]) and the public key that verifies (SPKI PEM, or the
//! first certificate of a PEM file).
//!
//! Algorithms, fixed by the key type (DSSE leaves them to the parties):
//! - ECDSA P-256 with SHA-256 and P-384 with SHA-384, ASN.1 DER signatures (as cosign and
//!   securesystemslib produce); deterministic (RFC 6979);
//! - RSA of 3072 bits or more: RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt;
//! - Ed25519 (pure).
//!
//! The DSSE `keyid` is the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.

use std::path::Path;

use const_oid::ObjectIdentifier;
use pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use spki::EncodePublicKey;

use crate::attest::{read_limited, AttestError};
use crate::pki::crypto::{oid, EcdsaEncoding, HashAlg, PssSalt, PublicKey, Verification};

/// The environment variable holding the passphrase of an encrypted PKCS#8 key. Never a flag:
/// command lines are visible to every user of the machine.
pub const PASSPHRASE_ENV: &str = "AIRGAP_VERIFY_KEY_PASSPHRASE";

/// The smallest RSA key we sign with.
pub const MIN_RSA_SIGNING_BITS: usize = 3072;
/// The smallest RSA key we accept for verification (attestations signed by other tools).
pub const MIN_RSA_VERIFYING_BITS: usize = 2048;

/// Largest key file read.
const MAX_KEY_FILE: u64 = 1024 * 1024;

/// The DSSE keyid of a public key: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo.
pub fn keyid(spki_der: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(spki_der))
}

/// A private key that signs attestations.
#[derive(Clone)]
pub enum SigningKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
    Ed25519(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.describe())
    }
}

impl SigningKey {
    /// Load a PKCS#8 PEM private key from a file. An `ENCRYPTED PRIVATE KEY` is decrypted with
    /// `passphrase` (the command line reads it from [`PASSPHRASE_ENV`]); without one the error
    /// says so.
    pub fn load(path: &Path, passphrase: Option<&[u8]>) -> Result<SigningKey, AttestError> {
        let pem = read_limited(path, MAX_KEY_FILE)?;
        SigningKey::from_pkcs8_pem(&pem, passphrase, &path.display().to_string())
    }

    /// Parse a PKCS#8 PEM private key (`PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` with
    /// `passphrase`). `name` names the key in messages.
    pub fn from_pkcs8_pem(
        pem: &[u8],
        passphrase: Option<&[u8]>,
        name: &str,
    ) -> Result<SigningKey, AttestError> {
        let key_err = |reason: String| AttestError::Key {
            path: name.to_string(),
            reason,
        };
        let text = std::str::from_utf8(pem).map_err(|_| {
            key_err("not a PEM file (not text); expected a PKCS#8 \"PRIVATE KEY\"".into())
        })?;
        let mut labels = Vec::new();
        for block in crate::pki::cert::pem_blocks(text) {
            let (label, der) = block.map_err(|e| key_err(e.to_string()))?;
            match label.as_str() {
                "PRIVATE KEY" => return SigningKey::from_pkcs8_der(&der, name),
                "ENCRYPTED PRIVATE KEY" => {
                    let passphrase = passphrase.ok_or_else(|| AttestError::PassphraseRequired {
                        path: name.to_string(),
                    })?;
                    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice())
                        .map_err(|e| key_err(format!("encrypted PKCS#8 does not parse: {e}")))?;
                    let doc = info.decrypt(passphrase).map_err(|e| AttestError::Decrypt {
                        path: name.to_string(),
                        reason: e.to_string(),
                    })?;
                    return SigningKey::from_pkcs8_der(doc.as_bytes(), name);
                }
                "EC PRIVATE KEY" | "RSA PRIVATE KEY" => {
                    return Err(key_err(format!(
                        "a {label:?} PEM block is not PKCS#8; convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem` (or -v2 aes-256-cbc to encrypt it)"
                    )))
                }
                _ => labels.push(label),
            }
        }
        Err(key_err(if labels.is_empty() {
            "no PEM block found; expected a PKCS#8 \"PRIVATE KEY\"".into()
        } else {
            format!(
                "no private key among the PEM blocks {labels:?}; expected a PKCS#8 \"PRIVATE KEY\""
            )
        }))
    }

    /// Parse a DER PKCS#8 PrivateKeyInfo.
    pub fn from_pkcs8_der(der: &[u8], name: &str) -> Result<SigningKey, AttestError> {
        let key_err = |reason: String| AttestError::Key {
            path: name.to_string(),
            reason,
        };
        let info = pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| key_err(format!("PKCS#8 does not parse: {e}")))?;
        match info.algorithm.oid {
            oid::EC_PUBLIC_KEY => {
                let curve: Option<ObjectIdentifier> = info.algorithm.parameters_oid().ok();
                match curve {
                    Some(oid::SECP256R1) => p256::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map(SigningKey::P256)
                        .map_err(|e| key_err(format!("EC P-256 key: {e}"))),
                    Some(oid::SECP384R1) => p384::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map(SigningKey::P384)
                        .map_err(|e| key_err(format!("EC P-384 key: {e}"))),
                    other => Err(key_err(format!(
                        "EC keys on curve {} are not supported for attestations; use P-256 or P-384",
                        other.map(|o| o.to_string()).unwrap_or_else(|| "(unnamed)".into())
                    ))),
                }
            }
            oid::RSA_ENCRYPTION => {
                let key = rsa::RsaPrivateKey::from_pkcs8_der(der)
                    .map_err(|e| key_err(format!("RSA key: {e}")))?;
                let bits = key.n().bits();
                if bits < MIN_RSA_SIGNING_BITS {
                    return Err(key_err(format!(
                        "RSA key of {bits} bits is too small to sign attestations; use {MIN_RSA_SIGNING_BITS} bits or more, or an ECDSA P-256/P-384 or Ed25519 key"
                    )));
                }
                Ok(SigningKey::Rsa(Box::new(key)))
            }
            oid::ED25519 => ed25519_dalek::SigningKey::from_pkcs8_der(der)
                .map(SigningKey::Ed25519)
                .map_err(|e| key_err(format!("Ed25519 key: {e}"))),
            other => Err(key_err(format!(
                "private key algorithm {other} is not supported; use ECDSA P-256/P-384, RSA 3072+ or Ed25519"
            ))),
        }
    }

    /// The DER SubjectPublicKeyInfo of the public half.
    pub fn spki_der(&self) -> Result<Vec<u8>, AttestError> {
        let doc = match self {
            SigningKey::P256(k) => k.verifying_key().to_public_key_der(),
            SigningKey::P384(k) => k.verifying_key().to_public_key_der(),
            SigningKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            SigningKey::Ed25519(k) => k.verifying_key().to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| AttestError::Sign(format!("cannot encode the public key: {e}")))
    }

    /// The DSSE keyid of this key (see [`keyid`]).
    pub fn keyid(&self) -> Result<String, AttestError> {
        self.spki_der().map(|d| keyid(&d))
    }

    /// The public half, for verification.
    pub fn verification_key(&self) -> Result<VerificationKey, AttestError> {
        VerificationKey::from_spki_der(&self.spki_der()?, "the signing key")
    }

    /// "EC P-256", "RSA 3072", "Ed25519".
    pub fn describe(&self) -> String {
        match self {
            SigningKey::P256(_) => "EC P-256".into(),
            SigningKey::P384(_) => "EC P-384".into(),
            SigningKey::Rsa(k) => format!("RSA {}", k.n().bits()),
            SigningKey::Ed25519(_) => "Ed25519".into(),
        }
    }

    /// Sign `message` (the DSSE PAE) with the algorithm fixed by the key type (module docs).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, AttestError> {
        use signature::{RandomizedSigner, SignatureEncoding, Signer};
        let fail = |e: signature::Error| AttestError::Sign(e.to_string());
        match self {
            SigningKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(message).map_err(fail)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            SigningKey::P384(k) => {
                let sig: p384::ecdsa::Signature = k.try_sign(message).map_err(fail)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            SigningKey::Rsa(k) => {
                let signer = rsa::pss::BlindedSigningKey::<sha2::Sha256>::new(k.as_ref().clone());
                let sig = signer
                    .try_sign_with_rng(&mut rsa::rand_core::OsRng, message)
                    .map_err(fail)?;
                Ok(sig.to_vec())
            }
            SigningKey::Ed25519(k) => Ok(k.try_sign(message).map_err(fail)?.to_bytes().to_vec()),
        }
    }
}

/// A public key that attestations are verified with, with its SPKI DER and keyid.
#[derive(Debug, Clone)]
pub struct VerificationKey {
    pub key: PublicKey,
    pub spki_der: Vec<u8>,
    pub keyid: String,
}

impl VerificationKey {
    /// Load a public key from a PEM file: a `PUBLIC KEY` (SubjectPublicKeyInfo) block, or else
    /// the first `CERTIFICATE` block (its subject public key).
    pub fn load(path: &Path) -> Result<VerificationKey, AttestError> {
        let pem = read_limited(path, MAX_KEY_FILE)?;
        VerificationKey::from_pem(&pem, &path.display().to_string())
    }

    /// Parse a PEM public key or certificate (see [`VerificationKey::load`]).
    pub fn from_pem(pem: &[u8], name: &str) -> Result<VerificationKey, AttestError> {
        let key_err = |reason: String| AttestError::Key {
            path: name.to_string(),
            reason,
        };
        let text = std::str::from_utf8(pem)
            .map_err(|_| key_err("not a PEM file (not text); expected a \"PUBLIC KEY\"".into()))?;
        let mut certificate = None;
        let mut labels = Vec::new();
        for block in crate::pki::cert::pem_blocks(text) {
            let (label, der) = block.map_err(|e| key_err(e.to_string()))?;
            match label.as_str() {
                "PUBLIC KEY" => return VerificationKey::from_spki_der(&der, name),
                "CERTIFICATE" if certificate.is_none() => certificate = Some(der),
                "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PRIVATE KEY" => {
                    return Err(key_err(
                        "this is a private key; give the public key (`openssl pkey -in KEY -pubout`)".into(),
                    ))
                }
                _ => labels.push(label),
            }
        }
        if let Some(der) = certificate {
            let cert =
                crate::pki::cert::Cert::from_der(&der).map_err(|e| key_err(e.to_string()))?;
            let spki = der::Encode::to_der(&cert.inner().tbs_certificate.subject_public_key_info)
                .map_err(|e| key_err(format!("certificate public key: {e}")))?;
            return VerificationKey::from_spki_der(&spki, name);
        }
        Err(key_err(format!(
            "no \"PUBLIC KEY\" or \"CERTIFICATE\" PEM block found{}",
            if labels.is_empty() {
                String::new()
            } else {
                format!(" (found {labels:?})")
            }
        )))
    }

    /// Parse a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8], name: &str) -> Result<VerificationKey, AttestError> {
        let key = PublicKey::from_spki_der(der).map_err(|e| AttestError::Key {
            path: name.to_string(),
            reason: e.to_string(),
        })?;
        if let PublicKey::Rsa(k) = &key {
            let bits = k.n().bits();
            if bits < MIN_RSA_VERIFYING_BITS {
                return Err(AttestError::Key {
                    path: name.to_string(),
                    reason: format!("RSA key of {bits} bits is too small"),
                });
            }
        }
        Ok(VerificationKey {
            key,
            spki_der: der.to_vec(),
            keyid: keyid(der),
        })
    }

    /// The signature recipes a DSSE signature by this key may use. ECDSA signatures are accepted
    /// DER-encoded (what we, cosign and securesystemslib write) or raw `r||s` (what the DSSE
    /// specification's own example uses); RSA-PSS signatures with any salt length.
    pub fn dsse_verifications(&self) -> Vec<Verification> {
        let ecdsa = |h| {
            vec![
                Verification::Ecdsa(h, EcdsaEncoding::Der),
                Verification::Ecdsa(h, EcdsaEncoding::Fixed),
            ]
        };
        match self.key {
            PublicKey::Rsa(_) => vec![Verification::RsaPss(HashAlg::Sha256, PssSalt::Any)],
            PublicKey::P256(_) => ecdsa(HashAlg::Sha256),
            PublicKey::P384(_) => ecdsa(HashAlg::Sha384),
            PublicKey::P521(_) => ecdsa(HashAlg::Sha512),
            PublicKey::Ed25519(_) => vec![Verification::Ed25519],
        }
    }

    /// Whether `signature` over `message` verifies with this key under any accepted recipe.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.dsse_verifications()
            .into_iter()
            .any(|how| self.key.verify(how, message, signature).is_ok())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use pkcs8::EncodePrivateKey;

    /// A fresh PKCS#8 PEM key of each supported type, generated in-process.
    pub(crate) fn pem_p256() -> String {
        let k = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        k.to_pkcs8_pem(Default::default()).unwrap().to_string()
    }
    pub(crate) fn pem_p384() -> String {
        let k = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        k.to_pkcs8_pem(Default::default()).unwrap().to_string()
    }
    pub(crate) fn pem_ed25519() -> String {
        let k = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        k.to_pkcs8_pem(Default::default()).unwrap().to_string()
    }
    pub(crate) fn pem_rsa(bits: usize) -> String {
        let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits).unwrap();
        k.to_pkcs8_pem(Default::default()).unwrap().to_string()
    }

    fn roundtrip(pem: &str) {
        let key = SigningKey::from_pkcs8_pem(pem.as_bytes(), None, "k").unwrap();
        let vk = key.verification_key().unwrap();
        assert_eq!(vk.keyid, key.keyid().unwrap());
        assert_eq!(vk.keyid.len(), 64);
        let sig = key.sign(b"message").unwrap();
        assert!(vk.verifies(b"message", &sig), "{}", key.describe());
        assert!(!vk.verifies(b"messagf", &sig), "{}", key.describe());
    }

    #[test]
    fn sign_and_verify_each_key_type() {
        roundtrip(&pem_p256());
        roundtrip(&pem_p384());
        roundtrip(&pem_ed25519());
        roundtrip(&pem_rsa(3072));
    }

    #[test]
    fn ecdsa_signatures_are_der() {
        let key = SigningKey::from_pkcs8_pem(pem_p256().as_bytes(), None, "k").unwrap();
        let sig = key.sign(b"m").unwrap();
        assert_eq!(sig.first(), Some(&0x30), "DER SEQUENCE");
        assert!(p256::ecdsa::Signature::from_der(&sig).is_ok());
    }

    #[test]
    fn small_rsa_key_is_refused_for_signing() {
        let err = SigningKey::from_pkcs8_pem(pem_rsa(2048).as_bytes(), None, "k").unwrap_err();
        assert!(err.to_string().contains("3072"), "{err}");
        assert!(err.is_usage());
    }

    #[test]
    fn sec1_key_gets_conversion_hint() {
        let k = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let sec1 = p256::SecretKey::from(&k)
            .to_sec1_pem(Default::default())
            .unwrap();
        let err = SigningKey::from_pkcs8_pem(sec1.as_bytes(), None, "k").unwrap_err();
        assert!(err.to_string().contains("openssl pkcs8 -topk8"), "{err}");
    }

    #[test]
    fn garbage_is_a_clear_key_error() {
        for input in [&b"hello"[..], b"\xff\xfe", b""] {
            let err = SigningKey::from_pkcs8_pem(input, None, "k").unwrap_err();
            assert!(matches!(err, AttestError::Key { .. }), "{err}");
            let err = VerificationKey::from_pem(input, "k").unwrap_err();
            assert!(matches!(err, AttestError::Key { .. }), "{err}");
        }
    }

    #[test]
    fn encrypted_key_needs_the_passphrase() {
        let k = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let enc = k
            .to_pkcs8_encrypted_pem(&mut rand_core::OsRng, b"s3cret", Default::default())
            .unwrap();
        let err = SigningKey::from_pkcs8_pem(enc.as_bytes(), None, "k").unwrap_err();
        assert!(matches!(err, AttestError::PassphraseRequired { .. }));
        assert!(err.to_string().contains(PASSPHRASE_ENV));
        let err = SigningKey::from_pkcs8_pem(enc.as_bytes(), Some(b"wrong"), "k").unwrap_err();
        assert!(matches!(err, AttestError::Decrypt { .. }), "{err}");
        let ok = SigningKey::from_pkcs8_pem(enc.as_bytes(), Some(b"s3cret"), "k").unwrap();
        assert_eq!(ok.keyid().unwrap(), {
            let der = k.verifying_key().to_public_key_der().unwrap();
            keyid(der.as_bytes())
        });
    }

    #[test]
    fn public_key_from_spki_pem_and_private_key_refused() {
        let pem = pem_ed25519();
        let key = SigningKey::from_pkcs8_pem(pem.as_bytes(), None, "k").unwrap();
        let spki = match &key {
            SigningKey::Ed25519(k) => k
                .verifying_key()
                .to_public_key_pem(Default::default())
                .unwrap(),
            _ => unreachable!(),
        };
        let vk = VerificationKey::from_pem(spki.as_bytes(), "k").unwrap();
        assert_eq!(vk.keyid, key.keyid().unwrap());
        let err = VerificationKey::from_pem(pem.as_bytes(), "k").unwrap_err();
        assert!(err.to_string().contains("private key"), "{err}");
    }
}

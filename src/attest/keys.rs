//! Keys for attestations: the operator's private key that signs (PKCS#8 PEM, optionally encrypted
//! with a passphrase from [`PASSPHRASE_ENV`]) and the public key that verifies (SPKI PEM, or the
//! first certificate of a PEM file).
//!
//! Algorithms, fixed by the key type (DSSE leaves them to the parties):
//! - ECDSA P-256 with SHA-256 and P-384 with SHA-384, ASN.1 DER signatures (as cosign and
//!   securesystemslib produce), with a fresh random nonce each time;
//! - RSA of 3072 bits or more: RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt;
//! - Ed25519 (pure).
//!
//! The DSSE `keyid` is the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.
//!
//! Keys are read (and decrypted) as PKCS#8 by the `pkcs8` crate; aws-lc-rs signs and verifies.

use std::path::Path;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as lc, KeyPair as _};
use const_oid::ObjectIdentifier;
use sha2::Digest as _;

use crate::attest::{read_limited, AttestError};
use crate::pki::crypto::{oid, EcdsaEncoding, HashAlg, KeyType, PssSalt, PublicKey, Verification};

/// The environment variable holding the passphrase of an encrypted PKCS#8 key. Never a flag:
/// command lines are visible to every user of the machine.
pub const PASSPHRASE_ENV: &str = "AIRGAP_VERIFY_KEY_PASSPHRASE";

/// The smallest RSA key we sign with.
pub const MIN_RSA_SIGNING_BITS: usize = 3072;
/// The smallest RSA key we accept for verification (attestations signed by other tools).
pub const MIN_RSA_VERIFYING_BITS: usize = crate::pki::crypto::MIN_RSA_VERIFYING_BITS;

/// Largest key file read.
const MAX_KEY_FILE: u64 = 1024 * 1024;

/// The DSSE keyid of a public key: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo.
pub fn keyid(spki_der: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(spki_der))
}

/// A private key that signs attestations, with its public half.
#[derive(Clone)]
pub struct SigningKey {
    pair: KeyPair,
    spki_der: Vec<u8>,
    public: PublicKey,
}

/// The aws-lc-rs key pairs, one per algorithm the module docs name.
#[derive(Clone)]
enum KeyPair {
    Ecdsa(Arc<lc::EcdsaKeyPair>),
    Rsa(Arc<lc::RsaKeyPair>),
    Ed25519(Arc<lc::Ed25519KeyPair>),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.describe())
    }
}

/// The modulus size of a PKCS #1 RSAPrivateKey (its second field), to name it in messages
/// before aws-lc-rs, which refuses keys below 2048 bits without saying their size, reads it.
fn rsa_private_modulus_bits(private_key: &[u8]) -> Option<usize> {
    use der::{Decode as _, Reader as _};
    let mut reader = der::SliceReader::new(private_key).ok()?;
    let header = der::Header::decode(&mut reader).ok()?;
    if header.tag != der::Tag::Sequence {
        return None;
    }
    let _version = reader.decode::<der::asn1::UintRef<'_>>().ok()?;
    let modulus = reader.decode::<der::asn1::UintRef<'_>>().ok()?.as_bytes();
    let first = modulus.first()?;
    Some(modulus.len() * 8 - first.leading_zeros() as usize)
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
        let too_small = |bits: usize| {
            key_err(format!(
                "RSA key of {bits} bits is too small to sign attestations; use {MIN_RSA_SIGNING_BITS} bits or more, or an ECDSA P-256/P-384 or Ed25519 key"
            ))
        };
        let info = pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| key_err(format!("PKCS#8 does not parse: {e}")))?;
        let pair = match info.algorithm.oid {
            oid::EC_PUBLIC_KEY => {
                let curve: Option<ObjectIdentifier> = info.algorithm.parameters_oid().ok();
                let (alg, what) = match curve {
                    Some(oid::SECP256R1) => (&lc::ECDSA_P256_SHA256_ASN1_SIGNING, "EC P-256"),
                    Some(oid::SECP384R1) => (&lc::ECDSA_P384_SHA384_ASN1_SIGNING, "EC P-384"),
                    other => {
                        return Err(key_err(format!(
                            "EC keys on curve {} are not supported for attestations; use P-256 or P-384",
                            other.map(|o| o.to_string()).unwrap_or_else(|| "(unnamed)".into())
                        )))
                    }
                };
                lc::EcdsaKeyPair::from_pkcs8(alg, der)
                    .map(|k| KeyPair::Ecdsa(Arc::new(k)))
                    .map_err(|e| key_err(format!("{what} key: {e}")))?
            }
            oid::RSA_ENCRYPTION => {
                match rsa_private_modulus_bits(info.private_key) {
                    Some(bits) if bits < MIN_RSA_SIGNING_BITS => return Err(too_small(bits)),
                    _ => {}
                }
                lc::RsaKeyPair::from_pkcs8(der)
                    .map(|k| KeyPair::Rsa(Arc::new(k)))
                    .map_err(|e| key_err(format!("RSA key: {e}")))?
            }
            oid::ED25519 => lc::Ed25519KeyPair::from_pkcs8(der)
                .map(|k| KeyPair::Ed25519(Arc::new(k)))
                .map_err(|e| key_err(format!("Ed25519 key: {e}")))?,
            other => {
                return Err(key_err(format!(
                    "private key algorithm {other} is not supported; use ECDSA P-256/P-384, RSA 3072+ or Ed25519"
                )))
            }
        };
        let spki = match &pair {
            KeyPair::Ecdsa(k) => k.public_key().as_der().map(|d| d.as_ref().to_vec()),
            KeyPair::Rsa(k) => k.public_key().as_der().map(|d| d.as_ref().to_vec()),
            KeyPair::Ed25519(k) => k.public_key().as_der().map(|d| d.as_ref().to_vec()),
        }
        .map_err(|_| key_err("cannot encode the public key".into()))?;
        let public = PublicKey::from_spki_der(&spki).map_err(|e| key_err(e.to_string()))?;
        if let KeyType::Rsa { bits } = public.kind() {
            if bits < MIN_RSA_SIGNING_BITS {
                return Err(too_small(bits));
            }
        }
        Ok(SigningKey {
            pair,
            spki_der: spki,
            public,
        })
    }

    /// The DER SubjectPublicKeyInfo of the public half.
    pub fn spki_der(&self) -> Result<Vec<u8>, AttestError> {
        Ok(self.spki_der.clone())
    }

    /// The DSSE keyid of this key (see [`keyid`]).
    pub fn keyid(&self) -> Result<String, AttestError> {
        Ok(keyid(&self.spki_der))
    }

    /// The public half, for verification.
    pub fn verification_key(&self) -> Result<VerificationKey, AttestError> {
        VerificationKey::from_spki_der(&self.spki_der, "the signing key")
    }

    /// The key's type: EC P-256 or P-384, RSA of 3072 bits or more, or Ed25519.
    pub fn key_type(&self) -> KeyType {
        self.public.kind()
    }

    /// "EC P-256", "RSA 3072", "Ed25519".
    pub fn describe(&self) -> String {
        match self.public.kind() {
            KeyType::Rsa { bits } => format!("RSA {bits}"),
            _ => self.public.describe(),
        }
    }

    /// Sign `message` (the DSSE PAE) with the algorithm fixed by the key type (module docs).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, AttestError> {
        let fail = |_| AttestError::Sign(format!("{} signing failed", self.describe()));
        let rng = SystemRandom::new();
        match &self.pair {
            KeyPair::Ecdsa(k) => Ok(k.sign(&rng, message).map_err(fail)?.as_ref().to_vec()),
            KeyPair::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&lc::RSA_PSS_SHA256, &rng, message, &mut sig)
                    .map_err(fail)?;
                Ok(sig)
            }
            KeyPair::Ed25519(k) => Ok(k.try_sign(message).map_err(fail)?.as_ref().to_vec()),
        }
    }
}

/// A public key that attestations are verified with, with its SPKI DER and keyid.
#[derive(Debug, Clone)]
pub struct VerificationKey {
    /// The public key.
    pub key: PublicKey,
    /// Its DER SubjectPublicKeyInfo, as read (or taken from the certificate).
    pub spki_der: Vec<u8>,
    /// Its DSSE keyid ([`keyid`]): lowercase hex SHA-256 of `spki_der`.
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
        if let KeyType::Rsa { bits } = key.kind() {
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
        match self.key.kind() {
            KeyType::Rsa { .. } => vec![Verification::RsaPss(HashAlg::Sha256, PssSalt::Any)],
            KeyType::P256 => ecdsa(HashAlg::Sha256),
            KeyType::P384 => ecdsa(HashAlg::Sha384),
            KeyType::P521 => ecdsa(HashAlg::Sha512),
            KeyType::Ed25519 => vec![Verification::Ed25519],
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
    use spki::EncodePublicKey;

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
        let spki = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32])
            .verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap();
        let vk = VerificationKey::from_pem(spki.as_bytes(), "k").unwrap();
        assert_eq!(vk.keyid, key.keyid().unwrap());
        let err = VerificationKey::from_pem(pem.as_bytes(), "k").unwrap_err();
        assert!(err.to_string().contains("private key"), "{err}");
    }

    /// The public key and keyid are what an independent implementation (RustCrypto) derives
    /// from the same private key, and its verifiers accept our signatures: ECDSA in DER, RSA-PSS
    /// with SHA-256 and a 32-byte salt, Ed25519.
    #[test]
    fn signatures_verify_with_an_independent_implementation() {
        use signature::Verifier;
        let msg = b"DSSEv1 4 type 4 body";
        macro_rules! ecdsa {
            ($curve:ident) => {{
                let sk = $curve::ecdsa::SigningKey::random(&mut rand_core::OsRng);
                let der = sk.to_pkcs8_der().unwrap();
                let key = SigningKey::from_pkcs8_der(der.as_bytes(), "k").unwrap();
                let spki = sk.verifying_key().to_public_key_der().unwrap();
                assert_eq!(key.spki_der().unwrap(), spki.as_bytes());
                let sig = $curve::ecdsa::Signature::from_der(&key.sign(msg).unwrap()).unwrap();
                assert!(sk.verifying_key().verify(msg, &sig).is_ok());
                assert!(sk.verifying_key().verify(b"other", &sig).is_err());
            }};
        }
        ecdsa!(p256);
        ecdsa!(p384);

        let ed = ed25519_dalek::SigningKey::from_bytes(&[4u8; 32]);
        let key = SigningKey::from_pkcs8_der(ed.to_pkcs8_der().unwrap().as_bytes(), "k").unwrap();
        let spki = ed.verifying_key().to_public_key_der().unwrap();
        assert_eq!(key.spki_der().unwrap(), spki.as_bytes());
        let sig = ed25519_dalek::Signature::from_slice(&key.sign(msg).unwrap()).unwrap();
        assert!(ed.verifying_key().verify_strict(msg, &sig).is_ok());

        let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 3072).unwrap();
        let key = SigningKey::from_pkcs8_der(rsa.to_pkcs8_der().unwrap().as_bytes(), "k").unwrap();
        let public = rsa.to_public_key();
        assert_eq!(
            key.spki_der().unwrap(),
            public.to_public_key_der().unwrap().as_bytes()
        );
        assert_eq!(key.describe(), "RSA 3072");
        let sig = key.sign(msg).unwrap();
        let hashed = sha2::Sha256::digest(msg);
        let pss = |salt| rsa::Pss::new_with_salt::<sha2::Sha256>(salt);
        assert!(public.verify(pss(32), &hashed, &sig).is_ok());
        assert!(public.verify(pss(20), &hashed, &sig).is_err());
    }
}

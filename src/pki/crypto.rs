//! Public keys and signature verification: the one place that turns (key, algorithm, message,
//! signature) into "valid" or "invalid". Envelopes, certificate chains, CRLs, RFC 3161 tokens and
//! DSSE attestations all verify through here.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Object identifiers used for keys and signatures.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
}

/// Why a key or a signature was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The SubjectPublicKeyInfo does not parse, or names a key type we do not support.
    #[error("unsupported or malformed public key: {0}")]
    BadKey(String),
    /// The signature algorithm (by OID or name) is not supported, e.g. SHA-1 or HMAC.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The algorithm does not fit the key (an RSA algorithm with an EC key, ES256 with P-384...).
    #[error("signature algorithm {algorithm} does not match the {key} key")]
    AlgorithmKeyMismatch { algorithm: String, key: String },
    /// The signature bytes are malformed or do not verify.
    #[error("signature does not verify")]
    BadSignature,
}

/// A hash function allowed in signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// The hash named by a digest-algorithm OID; SHA-1 and anything else is `None`.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<HashAlg> {
        match *oid {
            oid::SHA256 => Some(HashAlg::Sha256),
            oid::SHA384 => Some(HashAlg::Sha384),
            oid::SHA512 => Some(HashAlg::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }
}

/// How an ECDSA signature is encoded: raw `r||s` (JWS, COSE) or ASN.1 DER (X.509, CMS, DSSE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcdsaEncoding {
    Fixed,
    Der,
}

/// Which RSASSA-PSS salt lengths a verifier accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PssSalt {
    /// Salt length equal to the hash output (go-cose, the COSE path).
    HashLength,
    /// Any salt length (golang-jwt's `PSSSaltLengthAuto`, the JWS path).
    Any,
    /// A specific salt length (from X.509 RSASSA-PSS parameters).
    Exactly(usize),
}

/// A complete verification recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    RsaPkcs1v15(HashAlg),
    RsaPss(HashAlg, PssSalt),
    Ecdsa(HashAlg, EcdsaEncoding),
    Ed25519,
}

/// Notation's key specs (signature specification, "Algorithm selection"): the only keys a
/// Notation signing or timestamping certificate may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeySpec {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcP256,
    EcP384,
    EcP521,
}

/// Notation's signature algorithms, one per key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SignatureAlgorithm {
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
}

impl KeySpec {
    /// The signature algorithm that goes with this key (ncg `internal/algorithm`).
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            KeySpec::Rsa2048 => SignatureAlgorithm::PS256,
            KeySpec::Rsa3072 => SignatureAlgorithm::PS384,
            KeySpec::Rsa4096 => SignatureAlgorithm::PS512,
            KeySpec::EcP256 => SignatureAlgorithm::ES256,
            KeySpec::EcP384 => SignatureAlgorithm::ES384,
            KeySpec::EcP521 => SignatureAlgorithm::ES512,
        }
    }
}

impl SignatureAlgorithm {
    /// The JWS `alg` name.
    pub fn jws_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::PS256 => "PS256",
            SignatureAlgorithm::PS384 => "PS384",
            SignatureAlgorithm::PS512 => "PS512",
            SignatureAlgorithm::ES256 => "ES256",
            SignatureAlgorithm::ES384 => "ES384",
            SignatureAlgorithm::ES512 => "ES512",
        }
    }

    /// Parse a JWS `alg`; `none`, HMAC and everything else is `None`.
    pub fn from_jws_name(name: &str) -> Option<SignatureAlgorithm> {
        [
            SignatureAlgorithm::PS256,
            SignatureAlgorithm::PS384,
            SignatureAlgorithm::PS512,
            SignatureAlgorithm::ES256,
            SignatureAlgorithm::ES384,
            SignatureAlgorithm::ES512,
        ]
        .into_iter()
        .find(|a| a.jws_name() == name)
    }

    /// The COSE algorithm identifier (RFC 9053).
    pub fn cose_id(self) -> i64 {
        match self {
            SignatureAlgorithm::PS256 => -37,
            SignatureAlgorithm::PS384 => -38,
            SignatureAlgorithm::PS512 => -39,
            SignatureAlgorithm::ES256 => -7,
            SignatureAlgorithm::ES384 => -35,
            SignatureAlgorithm::ES512 => -36,
        }
    }

    pub fn from_cose_id(id: i64) -> Option<SignatureAlgorithm> {
        [
            SignatureAlgorithm::PS256,
            SignatureAlgorithm::PS384,
            SignatureAlgorithm::PS512,
            SignatureAlgorithm::ES256,
            SignatureAlgorithm::ES384,
            SignatureAlgorithm::ES512,
        ]
        .into_iter()
        .find(|a| a.cose_id() == id)
    }

    pub fn hash(self) -> HashAlg {
        match self {
            SignatureAlgorithm::PS256 | SignatureAlgorithm::ES256 => HashAlg::Sha256,
            SignatureAlgorithm::PS384 | SignatureAlgorithm::ES384 => HashAlg::Sha384,
            SignatureAlgorithm::PS512 | SignatureAlgorithm::ES512 => HashAlg::Sha512,
        }
    }

    /// The verification recipe for an envelope signature with this algorithm. ECDSA is raw
    /// `r||s` in both JWS and COSE; the PSS salt rule differs between the two (see [`PssSalt`]).
    pub fn envelope_verification(self, salt: PssSalt) -> Verification {
        match self {
            SignatureAlgorithm::PS256 | SignatureAlgorithm::PS384 | SignatureAlgorithm::PS512 => {
                Verification::RsaPss(self.hash(), salt)
            }
            _ => Verification::Ecdsa(self.hash(), EcdsaEncoding::Fixed),
        }
    }
}

/// ECDSA verification of a prehashed message for one curve crate (`p256`, `p384`, `p521`): the
/// curves share the algorithm but not the types. Any hash goes with any curve, as in Go's
/// `crypto/ecdsa` (FIPS 186-5 §6.4.2): a digest longer than the group order is cut to its
/// leftmost bytes (the curve crates do that), a shorter one is taken as the integer it is, which
/// is the digest left-padded with zeros to the field size ([`ecdsa_digest`]).
macro_rules! verify_ecdsa {
    ($curve:ident, $field_len:expr, $key:expr, $hash:expr, $encoding:expr, $message:expr, $signature:expr) => {{
        let sig = match $encoding {
            EcdsaEncoding::Fixed => $curve::ecdsa::Signature::from_slice($signature),
            EcdsaEncoding::Der => $curve::ecdsa::Signature::from_der($signature),
        }
        .map_err(|_| CryptoError::BadSignature)?;
        $key.verify_prehash(&ecdsa_digest($hash.digest($message), $field_len), &sig)
            .map_err(|_| CryptoError::BadSignature)
    }};
}

/// A message digest as an ECDSA verifier for a field of `field_len` bytes takes it: left-padded
/// with zeros when shorter (the integer value Go's `hashToInt` computes), as is otherwise.
fn ecdsa_digest(digest: Vec<u8>, field_len: usize) -> Vec<u8> {
    if digest.len() >= field_len {
        return digest;
    }
    let mut padded = vec![0u8; field_len - digest.len()];
    padded.extend_from_slice(&digest);
    padded
}

/// A parsed public key of a supported type.
#[derive(Clone)]
pub enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.describe())
    }
}

impl PublicKey {
    /// Parse a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, CryptoError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der)
            .map_err(|e| CryptoError::BadKey(format!("SubjectPublicKeyInfo: {e}")))?;
        PublicKey::from_spki(&spki)
    }

    /// Parse a SubjectPublicKeyInfo.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, CryptoError> {
        let bits = spki.subject_public_key.as_bytes().ok_or_else(|| {
            CryptoError::BadKey("public key bit string is not octet aligned".into())
        })?;
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                rsa::RsaPublicKey::from_pkcs1_der(bits)
                    .map(PublicKey::Rsa)
                    .map_err(|e| CryptoError::BadKey(format!("RSA public key: {e}")))
            }
            oid::EC_PUBLIC_KEY => {
                let curve: ObjectIdentifier = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as().ok())
                    .ok_or_else(|| CryptoError::BadKey("EC key without a named curve".into()))?;
                let bad = |e: p256::ecdsa::Error| CryptoError::BadKey(format!("EC point: {e}"));
                match curve {
                    oid::SECP256R1 => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P256)
                        .map_err(bad),
                    oid::SECP384R1 => p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P384)
                        .map_err(bad),
                    oid::SECP521R1 => p521::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(PublicKey::P521)
                        .map_err(bad),
                    other => Err(CryptoError::BadKey(format!("unsupported EC curve {other}"))),
                }
            }
            oid::ED25519 => {
                let bytes: [u8; 32] = bits
                    .try_into()
                    .map_err(|_| CryptoError::BadKey("Ed25519 key is not 32 bytes".into()))?;
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map(PublicKey::Ed25519)
                    .map_err(|e| CryptoError::BadKey(format!("Ed25519 key: {e}")))
            }
            other => Err(CryptoError::BadKey(format!(
                "unsupported public key algorithm {other}"
            ))),
        }
    }

    /// A short description for messages: "RSA 2048", "EC P-256", "Ed25519".
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa(k) => format!("RSA {}", k.size() * 8),
            PublicKey::P256(_) => "EC P-256".into(),
            PublicKey::P384(_) => "EC P-384".into(),
            PublicKey::P521(_) => "EC P-521".into(),
            PublicKey::Ed25519(_) => "Ed25519".into(),
        }
    }

    /// The Notation key spec of this key, or an error naming why it is not allowed
    /// ("rsa key size 1024 bits is not supported").
    pub fn key_spec(&self) -> Result<KeySpec, CryptoError> {
        match self {
            PublicKey::Rsa(k) => match k.n().bits() {
                2048 => Ok(KeySpec::Rsa2048),
                3072 => Ok(KeySpec::Rsa3072),
                4096 => Ok(KeySpec::Rsa4096),
                n => Err(CryptoError::BadKey(format!(
                    "rsa key size {n} bits is not supported"
                ))),
            },
            PublicKey::P256(_) => Ok(KeySpec::EcP256),
            PublicKey::P384(_) => Ok(KeySpec::EcP384),
            PublicKey::P521(_) => Ok(KeySpec::EcP521),
            PublicKey::Ed25519(_) => Err(CryptoError::BadKey(
                "Ed25519 keys are not supported by Notation".into(),
            )),
        }
    }

    /// Verify `signature` over `message` with the given recipe.
    pub fn verify(
        &self,
        how: Verification,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        match (self, how) {
            (PublicKey::Rsa(k), Verification::RsaPkcs1v15(h)) => {
                let scheme = match h {
                    HashAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.verify(scheme, &h.digest(message), signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (PublicKey::Rsa(k), Verification::RsaPss(h, salt)) => {
                verify_pss(k, h, salt, &h.digest(message), signature)
            }
            (PublicKey::P256(k), Verification::Ecdsa(h, enc)) => {
                verify_ecdsa!(p256, 32, k, h, enc, message, signature)
            }
            (PublicKey::P384(k), Verification::Ecdsa(h, enc)) => {
                verify_ecdsa!(p384, 48, k, h, enc, message, signature)
            }
            (PublicKey::P521(k), Verification::Ecdsa(h, enc)) => {
                verify_ecdsa!(p521, 66, k, h, enc, message, signature)
            }
            (PublicKey::Ed25519(k), Verification::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| CryptoError::BadSignature)?;
                k.verify_strict(message, &sig)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (key, how) => Err(CryptoError::AlgorithmKeyMismatch {
                algorithm: format!("{how:?}"),
                key: key.describe(),
            }),
        }
    }
}

/// RSASSA-PSS verification with MGF1 over the same hash (RFC 8017 §8.1.2), with one public-key
/// operation whatever the salt rule: for [`PssSalt::Any`] the salt length is recovered from the
/// encoded message, as Go's `rsa.VerifyPSS` does with `PSSSaltLengthAuto`; a fixed length is
/// checked as given.
fn verify_pss(
    key: &rsa::RsaPublicKey,
    h: HashAlg,
    salt: PssSalt,
    hashed: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let want = match salt {
        PssSalt::HashLength => Some(h.output_len()),
        PssSalt::Exactly(n) => Some(n),
        PssSalt::Any => None,
    };
    let k = key.size();
    if signature.len() != k {
        return Err(CryptoError::BadSignature);
    }
    let s = rsa::BigUint::from_bytes_be(signature);
    if &s >= key.n() {
        return Err(CryptoError::BadSignature);
    }
    let m = s.modpow(key.e(), key.n()).to_bytes_be();
    let em_bits = key.n().bits().saturating_sub(1);
    let em_len = em_bits.div_ceil(8);
    if m.len() > em_len {
        return Err(CryptoError::BadSignature);
    }
    let mut em = vec![0u8; em_len - m.len()];
    em.extend_from_slice(&m);
    if emsa_pss_verify(&em, em_bits, hashed, h, want) {
        Ok(())
    } else {
        Err(CryptoError::BadSignature)
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of `em` against the message hash `m_hash`; `salt_len` None
/// recovers the salt length from the position of the `0x01` separator (Go's
/// `PSSSaltLengthAuto`).
fn emsa_pss_verify(
    em: &[u8],
    em_bits: usize,
    m_hash: &[u8],
    h: HashAlg,
    salt_len: Option<usize>,
) -> bool {
    let h_len = h.output_len();
    let em_len = em.len();
    if m_hash.len() != h_len || em_len < h_len + salt_len.unwrap_or(0) + 2 {
        return false;
    }
    if em.last() != Some(&0xbc) {
        return false;
    }
    let (Some(masked_db), Some(hash)) = (
        em.get(..em_len - h_len - 1),
        em.get(em_len - h_len - 1..em_len - 1),
    ) else {
        return false;
    };
    let top_bits = 8 * em_len - em_bits;
    let top_mask = if top_bits >= 8 { 0 } else { 0xffu8 >> top_bits };
    if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
        return false;
    }
    let mut db = mgf1(h, hash, masked_db.len());
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    let s_len = match salt_len {
        Some(n) => n,
        None => match db.iter().position(|b| *b == 0x01) {
            Some(ps_len) => db.len() - ps_len - 1,
            None => return false,
        },
    };
    let Some(ps_len) = (em_len - h_len).checked_sub(s_len + 2) else {
        return false;
    };
    if db.iter().take(ps_len).any(|b| *b != 0) || db.get(ps_len) != Some(&0x01) {
        return false;
    }
    let Some(salt) = db.get(db.len() - s_len..) else {
        return false;
    };
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(m_hash);
    m_prime.extend_from_slice(salt);
    h.digest(&m_prime) == hash
}

/// MGF1 (RFC 8017 §B.2.1) with hash `h`: `len` bytes from `seed`.
fn mgf1(h: HashAlg, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + h.output_len());
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut block = seed.to_vec();
        block.extend_from_slice(&counter.to_be_bytes());
        out.extend(h.digest(&block));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// The verification recipe named by an X.509 / CMS signature AlgorithmIdentifier
/// (certificates, CRLs, RFC 3161 SignerInfos). SHA-1 based algorithms are rejected, as the
/// Notary Project specification forbids them.
pub fn x509_verification(alg: &AlgorithmIdentifierOwned) -> Result<Verification, CryptoError> {
    match alg.oid {
        oid::SHA256_WITH_RSA => Ok(Verification::RsaPkcs1v15(HashAlg::Sha256)),
        oid::SHA384_WITH_RSA => Ok(Verification::RsaPkcs1v15(HashAlg::Sha384)),
        oid::SHA512_WITH_RSA => Ok(Verification::RsaPkcs1v15(HashAlg::Sha512)),
        oid::ECDSA_WITH_SHA256 => Ok(Verification::Ecdsa(HashAlg::Sha256, EcdsaEncoding::Der)),
        oid::ECDSA_WITH_SHA384 => Ok(Verification::Ecdsa(HashAlg::Sha384, EcdsaEncoding::Der)),
        oid::ECDSA_WITH_SHA512 => Ok(Verification::Ecdsa(HashAlg::Sha512, EcdsaEncoding::Der)),
        oid::ED25519 => Ok(Verification::Ed25519),
        oid::RSASSA_PSS => pss_parameters(alg),
        oid::SHA1_WITH_RSA | oid::ECDSA_WITH_SHA1 => Err(CryptoError::UnsupportedAlgorithm(
            "SHA-1 signatures are not allowed".into(),
        )),
        other => Err(CryptoError::UnsupportedAlgorithm(format!("OID {other}"))),
    }
}

/// RSASSA-PSS-params (RFC 4055): hash, MGF1 with the same hash, salt length.
fn pss_parameters(alg: &AlgorithmIdentifierOwned) -> Result<Verification, CryptoError> {
    #[derive(der::Sequence)]
    struct PssParams {
        #[asn1(context_specific = "0", optional = "true")]
        hash: Option<AlgorithmIdentifierOwned>,
        #[asn1(context_specific = "1", optional = "true")]
        mask_gen: Option<AlgorithmIdentifierOwned>,
        #[asn1(context_specific = "2", optional = "true")]
        salt_length: Option<u32>,
        #[asn1(context_specific = "3", optional = "true")]
        trailer_field: Option<u32>,
    }
    let unsupported = |m: &str| CryptoError::UnsupportedAlgorithm(format!("RSASSA-PSS {m}"));
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| unsupported("without parameters"))?;
    let params: PssParams = params
        .to_der()
        .ok()
        .and_then(|d| PssParams::from_der(&d).ok())
        .ok_or_else(|| unsupported("parameters do not parse"))?;
    let hash = params
        .hash
        .as_ref()
        .and_then(|h| HashAlg::from_oid(&h.oid))
        .ok_or_else(|| unsupported("with SHA-1 or an unknown hash"))?;
    let mgf_ok = params.mask_gen.as_ref().is_some_and(|m| {
        m.oid == oid::MGF1
            && m.parameters
                .as_ref()
                .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                .is_some_and(|inner| HashAlg::from_oid(&inner.oid) == Some(hash))
    });
    if !mgf_ok {
        return Err(unsupported(
            "with a mask generation function other than MGF1 of the same hash",
        ));
    }
    if params.trailer_field.is_some_and(|t| t != 1) {
        return Err(unsupported("with a trailer field other than 1"));
    }
    let salt = params.salt_length.unwrap_or(20) as usize;
    Ok(Verification::RsaPss(hash, PssSalt::Exactly(salt)))
}

/// Verify an X.509-style signature (`signatureAlgorithm` + `signatureValue` over `tbs`) with the
/// issuer's SubjectPublicKeyInfo.
pub fn verify_x509_signature(
    issuer: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let how = x509_verification(algorithm)?;
    PublicKey::from_spki(issuer)?.verify(how, tbs, signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use signature::Signer;

    fn p256_pair() -> (p256::ecdsa::SigningKey, PublicKey) {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pk = PublicKey::P256(*sk.verifying_key());
        (sk, pk)
    }

    #[test]
    fn ecdsa_fixed_and_der_verify() {
        let (sk, pk) = p256_pair();
        let sig: p256::ecdsa::Signature = sk.sign(b"hello");
        let fixed = sig.to_bytes();
        let der = sig.to_der();
        let v = |e| Verification::Ecdsa(HashAlg::Sha256, e);
        assert!(pk.verify(v(EcdsaEncoding::Fixed), b"hello", &fixed).is_ok());
        assert!(pk
            .verify(v(EcdsaEncoding::Der), b"hello", der.as_bytes())
            .is_ok());
        assert_eq!(
            pk.verify(v(EcdsaEncoding::Fixed), b"hellO", &fixed),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(pk.key_spec(), Ok(KeySpec::EcP256));
    }

    #[test]
    fn mismatched_algorithm_is_rejected() {
        let (sk, pk) = p256_pair();
        let sig: p256::ecdsa::Signature = sk.sign(b"hello");
        assert!(matches!(
            pk.verify(
                Verification::RsaPss(HashAlg::Sha256, PssSalt::Any),
                b"hello",
                &sig.to_bytes()
            ),
            Err(CryptoError::AlgorithmKeyMismatch { .. })
        ));
    }

    #[test]
    fn jws_and_cose_names_round_trip() {
        for a in ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] {
            let alg = SignatureAlgorithm::from_jws_name(a).unwrap();
            assert_eq!(SignatureAlgorithm::from_cose_id(alg.cose_id()), Some(alg));
        }
        for bad in ["none", "HS256", "RS256", "EdDSA", "ps256"] {
            assert_eq!(SignatureAlgorithm::from_jws_name(bad), None);
        }
    }
}

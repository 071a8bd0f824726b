//! Public keys and signature verification: the one place that turns (key, algorithm, message,
//! signature) into "valid" or "invalid". Envelopes, certificate chains, CRLs, RFC 3161 tokens and
//! DSSE attestations all verify through here, and every signature is checked by aws-lc-rs.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::signature::{
    self as lc, ParsedPublicKey, RsaParameters, RsaPssSaltLength, UnparsedPublicKey,
    VerificationAlgorithm,
};
use const_oid::ObjectIdentifier;
use der::asn1::UintRef;
use der::{Decode, Encode};
use num_bigint::BigUint;
use sha2::Digest as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Object identifiers used for keys and signatures.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;
    /// `rsaEncryption` (RFC 8017 §A.1): an RSA public key; in a CMS signer, PKCS #1 v1.5 with the
    /// signer's digest algorithm.
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// `id-RSASSA-PSS` (RFC 8017 §A.2.3): an RSASSA-PSS signature, its hash and salt in the
    /// parameters; also accepted as an RSA key's algorithm.
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// `sha256WithRSAEncryption`: PKCS #1 v1.5 with SHA-256.
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// `sha384WithRSAEncryption`: PKCS #1 v1.5 with SHA-384.
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    /// `sha512WithRSAEncryption`: PKCS #1 v1.5 with SHA-512.
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    /// `sha1WithRSAEncryption`: recognised only to be refused, as Go's crypto/x509 refuses SHA-1.
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    /// `id-ecPublicKey` (RFC 5480): an elliptic-curve public key, its curve in the parameters.
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// `ecdsa-with-SHA256` (RFC 5758).
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// `ecdsa-with-SHA384` (RFC 5758).
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// `ecdsa-with-SHA512` (RFC 5758).
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    /// `ecdsa-with-SHA1`: recognised only to be refused, as Go's crypto/x509 refuses SHA-1.
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    /// `secp256r1` (NIST P-256).
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// `secp384r1` (NIST P-384).
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// `secp521r1` (NIST P-521).
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// `id-Ed25519` (RFC 8410): the key and the signature algorithm.
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    /// `id-sha256` (FIPS 180-4), as a digest algorithm.
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// `id-sha384` (FIPS 180-4), as a digest algorithm.
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// `id-sha512` (FIPS 180-4), as a digest algorithm.
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    /// `id-sha1`, as a digest algorithm: never accepted.
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    /// `id-mgf1` (RFC 8017 §B.2.1): the only mask generation function of RSASSA-PSS parameters.
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
    AlgorithmKeyMismatch {
        /// The verification recipe asked for, as Rust's debug form (`RsaPss(Sha256, Any)`).
        algorithm: String,
        /// The key, as [`PublicKey::describe`] names it (`EC P-384`).
        key: String,
    },
    /// The signature bytes are malformed or do not verify.
    #[error("signature does not verify")]
    BadSignature,
}

/// A hash function allowed in signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HashAlg {
    /// SHA-256 (32-byte output).
    Sha256,
    /// SHA-384 (48-byte output).
    Sha384,
    /// SHA-512 (64-byte output).
    Sha512,
}

impl HashAlg {
    /// The hash of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The length of the hash's output, in bytes.
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

    /// The position of this hash among the three, for tables indexed by hash.
    fn index(self) -> usize {
        match self {
            HashAlg::Sha256 => 0,
            HashAlg::Sha384 => 1,
            HashAlg::Sha512 => 2,
        }
    }

    /// The name people read: `SHA-256`, `SHA-384` or `SHA-512`.
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
    /// Raw `r||s`, each half as long as the curve's field (JWS, COSE).
    Fixed,
    /// An ASN.1 DER `Ecdsa-Sig-Value` (X.509, CMS, DSSE).
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
    /// RSASSA-PKCS1-v1_5 with this hash.
    RsaPkcs1v15(HashAlg),
    /// RSASSA-PSS with MGF1 over this hash, and the salt lengths accepted.
    RsaPss(HashAlg, PssSalt),
    /// ECDSA with this hash, the signature in this encoding. A hash longer or shorter than the
    /// curve is allowed, as in Go's crypto/x509.
    Ecdsa(HashAlg, EcdsaEncoding),
    /// Ed25519 (RFC 8032), the message signed whole.
    Ed25519,
}

/// Notation's key specs (signature specification, "Algorithm selection"): the only keys a
/// Notation signing or timestamping certificate may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeySpec {
    /// RSA with a 2048-bit modulus (PS256).
    Rsa2048,
    /// RSA with a 3072-bit modulus (PS384).
    Rsa3072,
    /// RSA with a 4096-bit modulus (PS512).
    Rsa4096,
    /// ECDSA on P-256 (ES256).
    EcP256,
    /// ECDSA on P-384 (ES384).
    EcP384,
    /// ECDSA on P-521 (ES512).
    EcP521,
}

/// Notation's signature algorithms, one per key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SignatureAlgorithm {
    /// RSASSA-PSS with SHA-256 (RSA 2048).
    PS256,
    /// RSASSA-PSS with SHA-384 (RSA 3072).
    PS384,
    /// RSASSA-PSS with SHA-512 (RSA 4096).
    PS512,
    /// ECDSA with SHA-256 (P-256).
    ES256,
    /// ECDSA with SHA-384 (P-384).
    ES384,
    /// ECDSA with SHA-512 (P-521).
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

    /// The algorithm of a COSE `alg` identifier; any other identifier is `None`.
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

    /// The hash the algorithm signs with.
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

/// The largest RSA modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 4096;
/// The smallest RSA modulus whose signatures are verified, in bits (aws-lc-rs's floor). Smaller
/// keys still parse, so that the rules about key sizes can name them.
pub const MIN_RSA_VERIFYING_BITS: usize = 2048;
/// The largest public exponent accepted, 2^33 - 1 (the bound of the RustCrypto `rsa` crate,
/// which verified RSA before aws-lc-rs).
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// The type of a public key, with the size of an RSA modulus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// An RSA key.
    Rsa {
        /// The modulus size in bits, leading zeros not counted.
        bits: usize,
    },
    /// An elliptic-curve key on NIST P-256.
    P256,
    /// An elliptic-curve key on NIST P-384.
    P384,
    /// An elliptic-curve key on NIST P-521.
    P521,
    /// An Ed25519 key (32 bytes).
    Ed25519,
}

/// How many aws-lc-rs algorithms one key may be parsed for and kept: three hashes with
/// PKCS #1 v1.5 and three with PSS for RSA, three hashes for ECDSA, one for Ed25519.
const SLOTS: usize = 6;

/// A parsed public key of a supported type. Signatures are verified by aws-lc-rs (AWS-LC); the
/// key is parsed by it once per algorithm it is used with, and clones share those parses.
#[derive(Clone)]
pub struct PublicKey(Arc<KeyData>);

struct KeyData {
    kind: KeyType,
    /// What aws-lc-rs reads: the PKCS #1 RSAPublicKey, the SEC 1 point, or the 32 Ed25519 bytes.
    bytes: Vec<u8>,
    /// The key as parsed for each algorithm slot ([`algorithm`]) used so far.
    parsed: [OnceLock<ParsedPublicKey>; SLOTS],
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.describe())
    }
}

/// The aws-lc-rs algorithm and the parse slot of a recipe for a key type. ECDSA signatures are
/// always handed over in ASN.1 DER (raw `r||s` is re-encoded, [`fixed_to_der`]): aws-lc-rs has
/// every curve with every hash only in that form.
fn algorithm(
    kind: KeyType,
    how: Verification,
) -> Option<(usize, &'static dyn VerificationAlgorithm)> {
    use HashAlg::{Sha256, Sha384, Sha512};
    use KeyType::{Ed25519, Rsa, P256, P384, P521};
    use Verification::{Ecdsa, RsaPkcs1v15, RsaPss};
    // For PSS, the salt length as long as the hash; other lengths are `PublicKey::verify_pss`'s.
    let alg: &'static dyn VerificationAlgorithm = match (kind, how) {
        (Rsa { .. }, RsaPkcs1v15(Sha256)) => &lc::RSA_PKCS1_2048_8192_SHA256,
        (Rsa { .. }, RsaPkcs1v15(Sha384)) => &lc::RSA_PKCS1_2048_8192_SHA384,
        (Rsa { .. }, RsaPkcs1v15(Sha512)) => &lc::RSA_PKCS1_2048_8192_SHA512,
        (Rsa { .. }, RsaPss(Sha256, _)) => &lc::RSA_PSS_2048_8192_SHA256,
        (Rsa { .. }, RsaPss(Sha384, _)) => &lc::RSA_PSS_2048_8192_SHA384,
        (Rsa { .. }, RsaPss(Sha512, _)) => &lc::RSA_PSS_2048_8192_SHA512,
        (P256, Ecdsa(Sha256, _)) => &lc::ECDSA_P256_SHA256_ASN1,
        (P256, Ecdsa(Sha384, _)) => &lc::ECDSA_P256_SHA384_ASN1,
        (P256, Ecdsa(Sha512, _)) => &lc::ECDSA_P256_SHA512_ASN1,
        (P384, Ecdsa(Sha256, _)) => &lc::ECDSA_P384_SHA256_ASN1,
        (P384, Ecdsa(Sha384, _)) => &lc::ECDSA_P384_SHA384_ASN1,
        (P384, Ecdsa(Sha512, _)) => &lc::ECDSA_P384_SHA512_ASN1,
        (P521, Ecdsa(Sha256, _)) => &lc::ECDSA_P521_SHA256_ASN1,
        (P521, Ecdsa(Sha384, _)) => &lc::ECDSA_P521_SHA384_ASN1,
        (P521, Ecdsa(Sha512, _)) => &lc::ECDSA_P521_SHA512_ASN1,
        (Ed25519, Verification::Ed25519) => &lc::ED25519,
        _ => return None,
    };
    let slot = match how {
        RsaPkcs1v15(h) | Ecdsa(h, _) => h.index(),
        RsaPss(h, _) => 3 + h.index(),
        Verification::Ed25519 => 0,
    };
    Some((slot, alg))
}

/// The longest RSASSA-PSS salt a signature by an accepted key can carry: a 4096-bit modulus with
/// SHA-256 (RFC 8017 §9.1.1: emLen ≥ hLen + sLen + 2).
const MAX_PSS_SALT: usize = MAX_RSA_BITS / 8 - 32 - 2;

/// aws-lc-rs takes a PSS salt length other than the hash length only in a `'static` parameter
/// set: one for every length up to [`MAX_PSS_SALT`], built at compile time.
macro_rules! pss_salt_table {
    ($base:path) => {{
        let mut table = [$base; MAX_PSS_SALT + 1];
        let mut len = 0;
        while len <= MAX_PSS_SALT {
            table[len] = $base.with_pss_salt_length(RsaPssSaltLength::Custom(len as u16));
            len += 1;
        }
        table
    }};
}

static PSS_SHA256_SALTS: [RsaParameters; MAX_PSS_SALT + 1] =
    pss_salt_table!(lc::RSA_PSS_2048_8192_SHA256);
static PSS_SHA384_SALTS: [RsaParameters; MAX_PSS_SALT + 1] =
    pss_salt_table!(lc::RSA_PSS_2048_8192_SHA384);
static PSS_SHA512_SALTS: [RsaParameters; MAX_PSS_SALT + 1] =
    pss_salt_table!(lc::RSA_PSS_2048_8192_SHA512);

/// RSASSA-PSS with MGF1 over `h` and exactly `salt_len` bytes of salt.
fn pss_with_salt(h: HashAlg, salt_len: usize) -> Option<&'static RsaParameters> {
    match h {
        HashAlg::Sha256 => PSS_SHA256_SALTS.get(salt_len),
        HashAlg::Sha384 => PSS_SHA384_SALTS.get(salt_len),
        HashAlg::Sha512 => PSS_SHA512_SALTS.get(salt_len),
    }
}

/// An ECDSA signature in raw `r||s` form (JWS, COSE) as the ASN.1 DER `Ecdsa-Sig-Value` it
/// stands for. Anything but two halves of the field size is malformed, as in Go.
fn fixed_to_der(signature: &[u8], field_len: usize) -> Result<Vec<u8>, CryptoError> {
    #[derive(der::Sequence)]
    struct EcdsaSigValue<'a> {
        r: UintRef<'a>,
        s: UintRef<'a>,
    }
    if signature.len() != 2 * field_len {
        return Err(CryptoError::BadSignature);
    }
    let (r, s) = signature.split_at(field_len);
    let value = EcdsaSigValue {
        r: UintRef::new(r).map_err(|_| CryptoError::BadSignature)?,
        s: UintRef::new(s).map_err(|_| CryptoError::BadSignature)?,
    };
    value.to_der().map_err(|_| CryptoError::BadSignature)
}

/// The size in bits of a big-endian unsigned integer without leading zeros.
fn bit_len(bytes: &[u8]) -> usize {
    match bytes.iter().position(|b| *b != 0) {
        Some(i) => (bytes.len() - i) * 8 - bytes[i].leading_zeros() as usize,
        None => 0,
    }
}

/// A PKCS #1 RSAPublicKey: modulus and public exponent, big-endian.
#[derive(der::Sequence)]
struct RsaPublicKeyAsn1<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// The modulus size of a PKCS #1 RSAPublicKey, with the bounds every RSA key must meet: a
/// modulus of at most [`MAX_RSA_BITS`], odd; an odd public exponent of at least 3, below the
/// modulus and at most 2^33 - 1.
fn rsa_public_key_bits(der_bytes: &[u8]) -> Result<usize, CryptoError> {
    let bad = |m: &str| CryptoError::BadKey(format!("RSA public key: {m}"));
    let key = RsaPublicKeyAsn1::from_der(der_bytes).map_err(|e| bad(&e.to_string()))?;
    let (n, e) = (key.modulus.as_bytes(), key.public_exponent.as_bytes());
    let bits = bit_len(n);
    if bits > MAX_RSA_BITS {
        return Err(bad(&format!(
            "modulus of {bits} bits, more than {MAX_RSA_BITS}"
        )));
    }
    let exponent = (bit_len(e) <= 64)
        .then(|| e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
        .filter(|e| (3..=MAX_RSA_EXPONENT).contains(e) && e % 2 == 1)
        .ok_or_else(|| bad("public exponent out of range"))?;
    if n.last().is_none_or(|b| b % 2 == 0) || bits <= bit_len(&exponent.to_be_bytes()) {
        return Err(bad("invalid modulus"));
    }
    Ok(bits)
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
        let kind = match spki.algorithm.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => KeyType::Rsa {
                bits: rsa_public_key_bits(bits)?,
            },
            oid::EC_PUBLIC_KEY => {
                let curve: ObjectIdentifier = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as().ok())
                    .ok_or_else(|| CryptoError::BadKey("EC key without a named curve".into()))?;
                match curve {
                    oid::SECP256R1 => KeyType::P256,
                    oid::SECP384R1 => KeyType::P384,
                    oid::SECP521R1 => KeyType::P521,
                    other => {
                        return Err(CryptoError::BadKey(format!("unsupported EC curve {other}")))
                    }
                }
            }
            oid::ED25519 if bits.len() == 32 => KeyType::Ed25519,
            oid::ED25519 => return Err(CryptoError::BadKey("Ed25519 key is not 32 bytes".into())),
            other => {
                return Err(CryptoError::BadKey(format!(
                    "unsupported public key algorithm {other}"
                )))
            }
        };
        let key = PublicKey(Arc::new(KeyData {
            kind,
            bytes: bits.to_vec(),
            parsed: Default::default(),
        }));
        // Parsed once now, with the recipe the key is most used with: a malformed key (an EC
        // point off the curve...) is refused here, not at its first signature.
        let natural = match kind {
            KeyType::Rsa { .. } => Verification::RsaPkcs1v15(HashAlg::Sha256),
            KeyType::P256 => Verification::Ecdsa(HashAlg::Sha256, EcdsaEncoding::Der),
            KeyType::P384 => Verification::Ecdsa(HashAlg::Sha384, EcdsaEncoding::Der),
            KeyType::P521 => Verification::Ecdsa(HashAlg::Sha512, EcdsaEncoding::Der),
            KeyType::Ed25519 => Verification::Ed25519,
        };
        key.parsed(natural)?;
        Ok(key)
    }

    /// The key's type.
    pub fn kind(&self) -> KeyType {
        self.0.kind
    }

    /// The key parsed for `how`'s algorithm (kept for the next signature).
    fn parsed(&self, how: Verification) -> Result<&ParsedPublicKey, CryptoError> {
        let (slot, alg) = algorithm(self.0.kind, how).ok_or_else(|| self.mismatch(how))?;
        let cell = &self.0.parsed[slot];
        if let Some(parsed) = cell.get() {
            return Ok(parsed);
        }
        let parsed = ParsedPublicKey::new(alg, &self.0.bytes)
            .map_err(|e| CryptoError::BadKey(format!("{}: {e}", self.describe())))?;
        Ok(cell.get_or_init(|| parsed))
    }

    fn mismatch(&self, how: Verification) -> CryptoError {
        CryptoError::AlgorithmKeyMismatch {
            algorithm: format!("{how:?}"),
            key: self.describe(),
        }
    }

    /// A short description for messages: "RSA 2048", "EC P-256", "Ed25519".
    pub fn describe(&self) -> String {
        match self.0.kind {
            KeyType::Rsa { bits } => format!("RSA {}", bits.div_ceil(8) * 8),
            KeyType::P256 => "EC P-256".into(),
            KeyType::P384 => "EC P-384".into(),
            KeyType::P521 => "EC P-521".into(),
            KeyType::Ed25519 => "Ed25519".into(),
        }
    }

    /// The Notation key spec of this key, or an error naming why it is not allowed
    /// ("rsa key size 1024 bits is not supported").
    pub fn key_spec(&self) -> Result<KeySpec, CryptoError> {
        match self.0.kind {
            KeyType::Rsa { bits } => match bits {
                2048 => Ok(KeySpec::Rsa2048),
                3072 => Ok(KeySpec::Rsa3072),
                4096 => Ok(KeySpec::Rsa4096),
                n => Err(CryptoError::BadKey(format!(
                    "rsa key size {n} bits is not supported"
                ))),
            },
            KeyType::P256 => Ok(KeySpec::EcP256),
            KeyType::P384 => Ok(KeySpec::EcP384),
            KeyType::P521 => Ok(KeySpec::EcP521),
            KeyType::Ed25519 => Err(CryptoError::BadKey(
                "Ed25519 keys are not supported by Notation".into(),
            )),
        }
    }

    /// Verify `signature` over `message` with the given recipe. ECDSA takes any hash with any
    /// curve, as Go's `crypto/ecdsa` does (FIPS 186-5 §6.4.2): a digest longer than the group
    /// order is cut to its leftmost bits, a shorter one is taken as the integer it is.
    pub fn verify(
        &self,
        how: Verification,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let ecdsa_der;
        let signature = match (self.0.kind, how) {
            (KeyType::Rsa { bits }, _) if bits < MIN_RSA_VERIFYING_BITS => {
                algorithm(self.0.kind, how).ok_or_else(|| self.mismatch(how))?;
                return Err(CryptoError::BadKey(format!(
                    "RSA key of {bits} bits: signatures by RSA keys below {MIN_RSA_VERIFYING_BITS} bits are not verified (stricter than Go, which Flux runs on: it verifies them from 1024 bits)"
                )));
            }
            (KeyType::Rsa { .. }, Verification::RsaPss(h, salt)) => {
                return self.verify_pss(h, salt, message, signature)
            }
            (kind, Verification::Ecdsa(_, EcdsaEncoding::Fixed)) => {
                let field_len = match kind {
                    KeyType::P256 => 32,
                    KeyType::P384 => 48,
                    KeyType::P521 => 66,
                    _ => return Err(self.mismatch(how)),
                };
                ecdsa_der = fixed_to_der(signature, field_len)?;
                ecdsa_der.as_slice()
            }
            _ => signature,
        };
        self.parsed(how)?
            .verify_sig(message, signature)
            .map_err(|_| CryptoError::BadSignature)
    }

    /// RSASSA-PSS with MGF1 over the same hash (RFC 8017 §8.1.2). A salt as long as the hash,
    /// what every Notation signer writes, takes one aws-lc-rs verification. For
    /// [`PssSalt::Any`] (Go's `PSSSaltLengthAuto`) a signature that fails it may carry another
    /// length: that length is read from the encoded message ([`PublicKey::pss_salt_length`])
    /// and aws-lc-rs verifies with it; a fixed length is verified as given. At most three
    /// public-key operations, whatever the signature.
    fn verify_pss(
        &self,
        h: HashAlg,
        salt: PssSalt,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let how = Verification::RsaPss(h, salt);
        let salt_len = match salt {
            PssSalt::Exactly(n) if n != h.output_len() => n,
            PssSalt::HashLength | PssSalt::Exactly(_) => {
                return self
                    .parsed(how)?
                    .verify_sig(message, signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            PssSalt::Any => {
                if self.parsed(how)?.verify_sig(message, signature).is_ok() {
                    return Ok(());
                }
                match self.pss_salt_length(h, signature) {
                    Some(n) if n != h.output_len() => n,
                    _ => return Err(CryptoError::BadSignature),
                }
            }
        };
        let params = pss_with_salt(h, salt_len).ok_or(CryptoError::BadSignature)?;
        UnparsedPublicKey::new(params, &self.0.bytes)
            .verify(message, signature)
            .map_err(|_| CryptoError::BadSignature)
    }

    /// The salt length of an RSASSA-PSS signature by this key with hash `h`, read from the
    /// encoded message (EMSA-PSS-VERIFY, RFC 8017 §9.1.2, steps 4 to 10: the salt follows the
    /// first non-zero byte of the unmasked data block, which must be 0x01), or `None` when the
    /// encoding is malformed. The public-key operation is done with num-bigint: aws-lc-rs has
    /// none that returns the encoded message. Only a length comes out of here; the signature is
    /// verified by aws-lc-rs.
    fn pss_salt_length(&self, h: HashAlg, signature: &[u8]) -> Option<usize> {
        let KeyType::Rsa { bits } = self.0.kind else {
            return None;
        };
        let key = RsaPublicKeyAsn1::from_der(&self.0.bytes).ok()?;
        let n = BigUint::from_bytes_be(key.modulus.as_bytes());
        let e = BigUint::from_bytes_be(key.public_exponent.as_bytes());
        let s = BigUint::from_bytes_be(signature);
        if signature.len() != bits.div_ceil(8) || s >= n {
            return None;
        }
        // s^e mod n, left-to-right square-and-multiply: with a public exponent of at most 34 bits
        // this is several times faster than num-bigint's Montgomery `modpow`, whose set-up
        // dominates so short an exponent. Nothing here is secret.
        let mut m = s.clone();
        for i in (0..e.bits().saturating_sub(1)).rev() {
            m = &m * &m % &n;
            if e.bit(i) {
                m = m * &s % &n;
            }
        }
        let m = m.to_bytes_be();
        let em_bits = bits - 1;
        let em_len = em_bits.div_ceil(8);
        let h_len = h.output_len();
        if m.len() > em_len || em_len < h_len + 2 {
            return None;
        }
        let mut em = vec![0u8; em_len - m.len()];
        em.extend_from_slice(&m);
        if em.last() != Some(&0xbc) {
            return None;
        }
        let (masked_db, hash) = em[..em_len - 1].split_at(em_len - h_len - 1);
        let top_mask = 0xffu8 >> (8 * em_len - em_bits);
        if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
            return None;
        }
        let mut db = mgf1(h, hash, masked_db.len());
        for (d, m) in db.iter_mut().zip(masked_db) {
            *d ^= m;
        }
        if let Some(first) = db.first_mut() {
            *first &= top_mask;
        }
        let separator = db.iter().position(|b| *b != 0)?;
        (db[separator] == 0x01).then(|| db.len() - separator - 1)
    }
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
    use signature::hazmat::PrehashSigner;
    use signature::Signer;
    use spki::EncodePublicKey;

    fn public(key: &impl EncodePublicKey) -> PublicKey {
        PublicKey::from_spki_der(key.to_public_key_der().unwrap().as_bytes()).unwrap()
    }

    fn p256_pair() -> (p256::ecdsa::SigningKey, PublicKey) {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pk = public(sk.verifying_key());
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
        // The raw form is two halves of the field size, nothing else; DER is not raw.
        assert_eq!(
            pk.verify(v(EcdsaEncoding::Fixed), b"hello", &fixed[..63]),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(
            pk.verify(v(EcdsaEncoding::Fixed), b"hello", der.as_bytes()),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(
            pk.verify(v(EcdsaEncoding::Der), b"hello", &fixed),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(pk.key_spec(), Ok(KeySpec::EcP256));
    }

    /// A digest as a curve of `field_len` bytes signs it: left-padded when shorter (the integer
    /// it is), as Go's `hashToInt` reads it.
    fn prehash(h: HashAlg, message: &[u8], field_len: usize) -> Vec<u8> {
        let d = h.digest(message);
        let mut padded = vec![0u8; field_len.saturating_sub(d.len())];
        padded.extend(d);
        padded
    }

    /// Raw `r||s` and DER signatures with every hash on every curve, signed by RustCrypto:
    /// aws-lc-rs has the raw form only for the curve's own hash (and P-521), so the others are
    /// re-encoded. A signature over the same message with another hash does not verify.
    #[test]
    fn ecdsa_any_hash_on_any_curve_in_both_encodings() {
        let hashes = [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512];
        let msg = b"message";
        let check = |pk: &PublicKey, h: HashAlg, fixed: &[u8], der: &[u8]| {
            let v = |e| Verification::Ecdsa(h, e);
            assert_eq!(
                pk.verify(v(EcdsaEncoding::Fixed), msg, fixed),
                Ok(()),
                "{pk:?} {h:?}"
            );
            assert_eq!(
                pk.verify(v(EcdsaEncoding::Der), msg, der),
                Ok(()),
                "{pk:?} {h:?}"
            );
            assert!(pk.verify(v(EcdsaEncoding::Fixed), b"other", fixed).is_err());
            for other in hashes.into_iter().filter(|o| *o != h) {
                let v = |e| Verification::Ecdsa(other, e);
                assert!(pk.verify(v(EcdsaEncoding::Fixed), msg, fixed).is_err());
                assert!(pk.verify(v(EcdsaEncoding::Der), msg, der).is_err());
            }
        };
        for h in hashes {
            macro_rules! sign_and_check {
                ($curve:ident, $field_len:expr) => {{
                    let sk = $curve::ecdsa::SigningKey::random(&mut rand_core::OsRng);
                    let sig: $curve::ecdsa::Signature =
                        sk.sign_prehash(&prehash(h, msg, $field_len)).unwrap();
                    let pk = public(sk.verifying_key());
                    check(&pk, h, &sig.to_bytes(), sig.to_der().as_bytes());
                }};
            }
            sign_and_check!(p256, 32);
            sign_and_check!(p384, 48);
            let sk = p521::ecdsa::SigningKey::random(&mut rand_core::OsRng);
            let vk = p521::ecdsa::VerifyingKey::from(&sk);
            let sig: p521::ecdsa::Signature = sk.sign_prehash(&prehash(h, msg, 66)).unwrap();
            let spki = SubjectPublicKeyInfoOwned {
                algorithm: AlgorithmIdentifierOwned {
                    oid: oid::EC_PUBLIC_KEY,
                    parameters: Some((&oid::SECP521R1).into()),
                },
                subject_public_key: der::asn1::BitString::from_bytes(
                    vk.to_encoded_point(false).as_bytes(),
                )
                .unwrap(),
            };
            let pk = PublicKey::from_spki(&spki).unwrap();
            check(&pk, h, &sig.to_bytes(), sig.to_der().as_bytes());
        }
    }

    #[test]
    fn ed25519_verifies_and_rejects() {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
        let pk = public(&sk.verifying_key());
        let sig = sk.sign(b"note").to_bytes();
        assert_eq!(pk.verify(Verification::Ed25519, b"note", &sig), Ok(()));
        assert!(pk.verify(Verification::Ed25519, b"nots", &sig).is_err());
        assert!(pk
            .verify(Verification::Ed25519, b"note", &sig[..63])
            .is_err());
        assert!(pk.key_spec().is_err());
    }

    fn rsa_key(bits: usize) -> (rsa::RsaPrivateKey, PublicKey) {
        let sk = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits).unwrap();
        let pk = public(&sk.to_public_key());
        (sk, pk)
    }

    /// Salt rules: the hash length only (COSE), a length given by X.509 parameters, any length
    /// (JWS, DSSE), including none and the longest the modulus allows.
    #[test]
    fn rsa_pss_salt_rules() {
        let (sk, pk) = rsa_key(2048);
        pss_salt_rules(&sk, &pk, &[0, 1, 20, 31, 32, 33, 100, 256 - 32 - 2]);
        // Another public exponent (0b11 rather than 0x10001), the salt length read the same way.
        let three = rsa::BigUint::from(3u8);
        let sk = rsa::RsaPrivateKey::new_with_exp(&mut rand_core::OsRng, 2048, &three).unwrap();
        pss_salt_rules(&sk, &public(&sk.to_public_key()), &[0, 32, 64]);
    }

    fn pss_salt_rules(sk: &rsa::RsaPrivateKey, pk: &PublicKey, salts: &[usize]) {
        use sha2::Sha256;
        let msg = b"payload";
        let hashed = HashAlg::Sha256.digest(msg);
        let sign = |salt: usize| {
            sk.sign_with_rng(
                &mut rand_core::OsRng,
                rsa::Pss::new_with_salt::<Sha256>(salt),
                &hashed,
            )
            .unwrap()
        };
        let pss = |salt| Verification::RsaPss(HashAlg::Sha256, salt);
        let max = 256 - 32 - 2;
        for &salt in salts {
            let sig = sign(salt);
            assert_eq!(
                pk.verify(pss(PssSalt::Any), msg, &sig),
                Ok(()),
                "salt {salt}"
            );
            assert_eq!(pk.verify(pss(PssSalt::Exactly(salt)), msg, &sig), Ok(()));
            let equals_hash = pk.verify(pss(PssSalt::HashLength), msg, &sig);
            assert_eq!(equals_hash.is_ok(), salt == 32, "salt {salt}");
            let other = if salt == 20 { 32 } else { 20 };
            assert!(pk.verify(pss(PssSalt::Exactly(other)), msg, &sig).is_err());
            assert!(pk.verify(pss(PssSalt::Any), b"payloaD", &sig).is_err());
            let mut damaged = sig.clone();
            damaged[100] ^= 4;
            assert!(pk.verify(pss(PssSalt::Any), msg, &damaged).is_err());
            assert!(pk
                .verify(
                    Verification::RsaPss(HashAlg::Sha384, PssSalt::Any),
                    msg,
                    &sig
                )
                .is_err());
        }
        assert!(pk
            .verify(pss(PssSalt::Exactly(max + 1)), msg, &sign(0))
            .is_err());
        // A PKCS #1 v1.5 signature is not a PSS signature of any salt length, and back.
        let v15 = sk
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed)
            .unwrap();
        assert!(pk.verify(pss(PssSalt::Any), msg, &v15).is_err());
        let v = Verification::RsaPkcs1v15(HashAlg::Sha256);
        assert_eq!(pk.verify(v, msg, &v15), Ok(()));
        assert!(pk.verify(v, msg, &sign(32)).is_err());
        assert_eq!(pk.key_spec(), Ok(KeySpec::Rsa2048));
    }

    #[test]
    fn rsa_keys_below_2048_bits_parse_but_do_not_verify() {
        use sha2::Sha256;
        let (sk, pk) = rsa_key(1024);
        assert_eq!(
            pk.key_spec().unwrap_err().to_string(),
            "unsupported or malformed public key: rsa key size 1024 bits is not supported"
        );
        let hashed = HashAlg::Sha256.digest(b"m");
        let sig = sk
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed)
            .unwrap();
        let err = pk
            .verify(Verification::RsaPkcs1v15(HashAlg::Sha256), b"m", &sig)
            .unwrap_err();
        assert!(err.to_string().contains("below 2048 bits"), "{err}");
        assert!(err.to_string().contains("stricter than Go"), "{err}");
        assert!(matches!(
            pk.verify(Verification::Ed25519, b"m", &sig),
            Err(CryptoError::AlgorithmKeyMismatch { .. })
        ));
    }

    /// An SPKI of an RSA key with this modulus and exponent (big-endian).
    fn rsa_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
        let key = RsaPublicKeyAsn1 {
            modulus: UintRef::new(n).unwrap(),
            public_exponent: UintRef::new(e).unwrap(),
        };
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: Some(der::asn1::Null.into()),
            },
            subject_public_key: der::asn1::BitString::from_bytes(&key.to_der().unwrap()).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn rsa_key_bounds() {
        let modulus = |bytes: usize| {
            let mut n = vec![0xc5u8; bytes];
            n[bytes - 1] = 0x01;
            n
        };
        let e = [1, 0, 1];
        let ok = PublicKey::from_spki_der(&rsa_spki(&modulus(512), &e)).unwrap();
        assert_eq!(ok.kind(), KeyType::Rsa { bits: 4096 });
        assert_eq!(ok.describe(), "RSA 4096");
        let bad = |n: &[u8], e: &[u8]| PublicKey::from_spki_der(&rsa_spki(n, e)).unwrap_err();
        assert!(bad(&modulus(513), &e)
            .to_string()
            .contains("more than 4096"));
        let mut even = modulus(256);
        even[255] = 0x02;
        assert!(matches!(bad(&even, &e), CryptoError::BadKey(_)));
        for exponent in [&[1u8][..], &[2], &[1, 0, 0], &[2, 0, 0, 0, 1], &[0xff; 9]] {
            assert!(matches!(
                bad(&modulus(256), exponent),
                CryptoError::BadKey(_)
            ));
        }
        // 2^33 - 1 is the largest exponent accepted.
        assert!(
            PublicKey::from_spki_der(&rsa_spki(&modulus(256), &[1, 0xff, 0xff, 0xff, 0xff]))
                .is_ok()
        );
    }

    #[test]
    fn malformed_keys_are_refused_when_parsed() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let der = sk.verifying_key().to_public_key_der().unwrap();
        let mut spki = SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap();
        let mut point = spki.subject_public_key.raw_bytes().to_vec();
        point[40] ^= 1;
        spki.subject_public_key = der::asn1::BitString::from_bytes(&point).unwrap();
        assert!(matches!(
            PublicKey::from_spki(&spki),
            Err(CryptoError::BadKey(_))
        ));
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

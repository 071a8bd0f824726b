//! OCI content digests (`<algorithm>:<encoded>`) and content descriptors.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// A digest algorithm registered by the OCI image spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// SHA-256: 64 hex characters, the OCI default.
    Sha256,
    /// SHA-512: 128 hex characters.
    Sha512,
}

impl Algorithm {
    /// The name used in digests and in `blobs/<name>/` folders.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Length of the lowercase hex encoding.
    pub fn hex_len(self) -> usize {
        2 * self.byte_len()
    }

    /// Length of the digest in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }

    /// The algorithm of a digest's algorithm part (`sha256`, `sha512`; case-sensitive); any other
    /// is `None`.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }

    /// A streaming hasher for this algorithm.
    pub fn hasher(self) -> Hasher {
        match self {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    /// Digest of a whole byte slice.
    pub fn digest(self, data: &[u8]) -> Digest {
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }
}

/// A streaming hasher producing a [`Digest`].
#[derive(Clone)]
pub enum Hasher {
    /// A SHA-256 hash in progress.
    Sha256(sha2::Sha256),
    /// A SHA-512 hash in progress.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// Feed `data` to the hash.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest::from_bytes(Algorithm::Sha256, &h.finalize()),
            Hasher::Sha512(h) => Digest::from_bytes(Algorithm::Sha512, &h.finalize()),
        }
    }
}

/// A validated content digest: a registered algorithm and its value, parsed from (and shown as)
/// lowercase hex of the right length. Anything else (upper case, wrong length, unknown algorithm)
/// does not parse, so a digest can always be used safely as a file name under `blobs/`.
///
/// The value is held as bytes, inline (no allocation per digest; a bundle of a million blobs
/// holds a million of them). Digests order as their `<algorithm>:<hex>` strings do.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    /// The digest's bytes, zero beyond `algorithm.byte_len()`.
    bytes: [u8; MAX_DIGEST_LEN],
}

/// The longest digest of a registered algorithm (SHA-512), in bytes.
const MAX_DIGEST_LEN: usize = 64;

/// Why a string is not a valid digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// No `:` separates the algorithm from the encoded part.
    #[error("digest {0:?} has no ':' between algorithm and encoded value")]
    MissingSeparator(String),
    /// The algorithm is not sha256 or sha512.
    #[error("digest {0:?} uses an unsupported algorithm (expected sha256 or sha512)")]
    UnsupportedAlgorithm(String),
    /// The encoded part is not lowercase hex of the algorithm's length.
    #[error("digest {0:?} is not lowercase hex of the right length for its algorithm")]
    BadEncoding(String),
}

impl Digest {
    /// Parse `<algorithm>:<hex>`.
    pub fn parse(s: &str) -> Result<Digest, DigestError> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::MissingSeparator(s.to_string()))?;
        let algorithm = Algorithm::from_name(alg)
            .ok_or_else(|| DigestError::UnsupportedAlgorithm(s.to_string()))?;
        Digest::from_parts(algorithm, hex).ok_or_else(|| DigestError::BadEncoding(s.to_string()))
    }

    /// Build from an algorithm and an encoded value, if the value is valid for it: lowercase hex
    /// of the algorithm's length.
    pub fn from_parts(algorithm: Algorithm, hex: &str) -> Option<Digest> {
        let hex = hex.as_bytes();
        if hex.len() != algorithm.hex_len() {
            return None;
        }
        let mut bytes = [0u8; MAX_DIGEST_LEN];
        for (out, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let [hi, lo] = pair else { return None };
            *out = (lower_hex_value(*hi)? << 4) | lower_hex_value(*lo)?;
        }
        Some(Digest { algorithm, bytes })
    }

    /// The digest of `algorithm` whose value is `value` (of the algorithm's length).
    fn from_bytes(algorithm: Algorithm, value: &[u8]) -> Digest {
        let mut bytes = [0u8; MAX_DIGEST_LEN];
        for (out, b) in bytes
            .iter_mut()
            .zip(value.iter().take(algorithm.byte_len()))
        {
            *out = *b;
        }
        Digest { algorithm, bytes }
    }

    /// The digest's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The digest's value.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.algorithm.byte_len())
            .unwrap_or(&self.bytes)
    }

    /// The lowercase hex encoding.
    pub fn hex(&self) -> String {
        hex::encode(self.as_bytes())
    }

    /// Write the lowercase hex encoding, without allocating.
    fn write_hex(&self, f: &mut impl fmt::Write) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 2 * MAX_DIGEST_LEN];
        for (pair, b) in buf.chunks_exact_mut(2).zip(self.as_bytes()) {
            pair.copy_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        let text = buf.get(..self.algorithm.hex_len()).unwrap_or_default();
        f.write_str(std::str::from_utf8(text).map_err(|_| fmt::Error)?)
    }

    /// The referrers tag schema tag for this digest: `<alg>-<hex>`.
    pub fn referrers_tag(&self) -> String {
        let mut out = format!("{}-", self.algorithm.name());
        let _ = self.write_hex(&mut out);
        out
    }

    /// The path of this blob inside an OCI layout: `blobs/<alg>/<hex>`.
    pub fn blob_path(&self) -> String {
        let mut out = format!("blobs/{}/", self.algorithm.name());
        let _ = self.write_hex(&mut out);
        out
    }
}

/// The value of a lowercase hex digit.
fn lower_hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.algorithm.name())?;
        f.write_str(":")?;
        self.write_hex(f)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Digest;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a digest string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Digest, E> {
                Digest::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// The three fields of an OCI descriptor that identify content: what notation-go compares
/// (`content.Equal`) between a signature's `targetArtifact` or `subject` and the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Descriptor {
    /// `mediaType`: the content's media type.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// `digest`: the content's digest.
    pub digest: Digest,
    /// `size`: the content's size in bytes.
    pub size: u64,
}

impl fmt::Display for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {} bytes)",
            self.digest, self.media_type, self.size
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_digests() {
        let d = Digest::parse(
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        )
        .unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha256);
        assert_eq!(Algorithm::Sha256.digest(b"{}"), d);
        assert_eq!(
            d.referrers_tag(),
            "sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn rejects_invalid_digests() {
        assert!(matches!(
            Digest::parse("sha256"),
            Err(DigestError::MissingSeparator(_))
        ));
        assert!(matches!(
            Digest::parse("md5:00"),
            Err(DigestError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            Digest::parse("sha256:00"),
            Err(DigestError::BadEncoding(_))
        ));
        let upper = format!("sha256:{}", "A".repeat(64));
        assert!(matches!(
            Digest::parse(&upper),
            Err(DigestError::BadEncoding(_))
        ));
        let traversal = format!("sha256:../{}", "a".repeat(61));
        assert!(Digest::parse(&traversal).is_err());
    }
}

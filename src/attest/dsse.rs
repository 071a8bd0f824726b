//! DSSE (Dead Simple Signing Envelope) v1: the JSON envelope, the pre-authentication encoding
//! and signing/verifying with one key.
//!
//! Signatures are over `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`,
//! lengths as ASCII decimal byte counts without leading zeros. We write standard padded base64;
//! we read standard or URL-safe base64, padded or not, as the protocol requires of verifiers.
//! The `keyid` is a hint only: an envelope verifies when any of its signatures verifies with the
//! given key, whatever keyid it carries (the caller may report a mismatch).

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::attest::keys::{SigningKey, VerificationKey};
use crate::attest::AttestError;

/// The payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The media type of a DSSE envelope (OCI artifactType and layer mediaType).
pub const DSSE_ENVELOPE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

/// Most signatures examined in one envelope.
pub const MAX_SIGNATURES: usize = 64;

const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The pre-authentication encoding of the DSSE protocol: what a signature covers.
pub fn pae(payload_type: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + body.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type);
    out.push(b' ');
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(body);
    out
}

/// Decode base64 in either the standard or the URL-safe alphabet, padded or not.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    STANDARD_ANY_PAD
        .decode(s)
        .or_else(|_| URL_SAFE_ANY_PAD.decode(s))
        .ok()
}

/// A DSSE JSON envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// `payloadType`: the type of the payload ([`IN_TOTO_PAYLOAD_TYPE`] for an attestation),
    /// covered by the signature through the PAE.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The serialized body, base64.
    pub payload: String,
    /// `signatures`: one or more; a key need verify only one.
    pub signatures: Vec<Signature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// An unauthenticated hint naming the key; may be absent or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// The signature over the PAE, base64.
    pub sig: String,
}

/// What a successful [`Envelope::verify`] learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The decoded payload (the serialized body).
    pub payload: Vec<u8>,
    /// The keyid carried by the signature that verified ("" when absent).
    pub envelope_keyid: String,
    /// Whether that keyid equals the verification key's keyid.
    pub keyid_matched: bool,
}

impl Envelope {
    /// Sign `body` as `payload_type` with one key; the keyid is the key's.
    pub fn sign(
        payload_type: &str,
        body: &[u8],
        key: &SigningKey,
    ) -> Result<Envelope, AttestError> {
        let sig = key.sign(&pae(payload_type.as_bytes(), body))?;
        Ok(Envelope {
            payload_type: payload_type.to_string(),
            payload: base64::engine::general_purpose::STANDARD.encode(body),
            signatures: vec![Signature {
                keyid: key.keyid()?,
                sig: base64::engine::general_purpose::STANDARD.encode(sig),
            }],
        })
    }

    /// Parse an envelope from JSON. Unknown fields are ignored.
    pub fn parse(json: &[u8]) -> Result<Envelope, AttestError> {
        let env: Envelope = serde_json::from_slice(json).map_err(|e| {
            AttestError::NotAnEnvelope(format!(
                "{e} (expected a JSON object with payloadType, payload and signatures)"
            ))
        })?;
        if env.signatures.is_empty() {
            return Err(AttestError::NotAnEnvelope("it has no signatures".into()));
        }
        Ok(env)
    }

    /// The envelope as JSON bytes (field order: payloadType, payload, signatures).
    pub fn to_json(&self) -> Result<Vec<u8>, AttestError> {
        serde_json::to_vec(self).map_err(|e| AttestError::Sign(format!("envelope JSON: {e}")))
    }

    /// The decoded payload.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, AttestError> {
        decode_base64(&self.payload)
            .ok_or_else(|| AttestError::NotAnEnvelope("payload is not base64".into()))
    }

    /// Verify that at least one signature (among the first [`MAX_SIGNATURES`]) is by `key`
    /// over the PAE of this envelope's payload type and payload. The payload type is not judged
    /// here.
    pub fn verify(&self, key: &VerificationKey) -> Result<Verified, AttestError> {
        let payload = self.payload_bytes()?;
        let message = pae(self.payload_type.as_bytes(), &payload);
        for s in self.signatures.iter().take(MAX_SIGNATURES) {
            let Some(sig) = decode_base64(&s.sig) else {
                continue;
            };
            if key.verifies(&message, &sig) {
                return Ok(Verified {
                    payload,
                    envelope_keyid: s.keyid.clone(),
                    keyid_matched: s.keyid == key.keyid,
                });
            }
        }
        let keyids: Vec<&str> = self
            .signatures
            .iter()
            .take(8)
            .map(|s| {
                if s.keyid.is_empty() {
                    "(none)"
                } else {
                    s.keyid.as_str()
                }
            })
            .collect();
        Err(AttestError::BadSignature {
            key: key.key.describe(),
            keyid: key.keyid.clone(),
            envelope_keyids: keyids.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::keys::tests::{pem_ed25519, pem_p256, pem_p384, pem_rsa};
    use crate::pki::crypto::{EcdsaEncoding, HashAlg, PublicKey, Verification};

    /// The example of the DSSE protocol specification (protocol.md, "Test Vectors").
    const SPEC_TYPE: &str = "http://example.com/HelloWorld";
    const SPEC_BODY: &[u8] = b"hello world";
    const SPEC_PAE: &[u8] = b"DSSEv1 29 http://example.com/HelloWorld 11 hello world";
    const SPEC_D: &str = "d73ec437fd6346e3619c5ebfdfff0f6916804955ad32ac9ac492b0ede1f6ffb7";
    const SPEC_SIG: &str =
        "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==";
    const SPEC_ENVELOPE: &str = r#"{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;

    fn spec_key() -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&hex::decode(SPEC_D).unwrap()).unwrap()
    }

    #[test]
    fn pae_matches_the_spec_vector() {
        assert_eq!(pae(SPEC_TYPE.as_bytes(), SPEC_BODY), SPEC_PAE);
    }

    #[test]
    fn pae_counts_bytes_and_keeps_the_trailing_space_of_an_empty_body() {
        assert_eq!(pae(b"t", b""), b"DSSEv1 1 t 0 ");
        // "ä" is two bytes in UTF-8.
        assert_eq!(pae("ä".as_bytes(), b"x"), "DSSEv1 2 ä 1 x".as_bytes());
    }

    #[test]
    fn spec_key_matches_the_published_coordinates() {
        // X = 46950820868899156662930047687818585632848591499744589407958293238635476079160
        // Y = 5640078356564379163099075877009565129882514886557779369047442380624545832820
        let point = spec_key().verifying_key().to_encoded_point(false);
        assert_eq!(
            hex::encode(point.x().unwrap()),
            "67cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f70954c0390d238"
        );
        assert_eq!(
            hex::encode(point.y().unwrap()),
            "0c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74"
        );
    }

    #[test]
    fn deterministic_p256_signature_is_byte_for_byte_the_spec_vector() {
        use signature::Signer;
        let sig: p256::ecdsa::Signature = spec_key().sign(SPEC_PAE);
        let b64 = base64::engine::general_purpose::STANDARD.encode(sig.to_bytes());
        assert_eq!(b64, SPEC_SIG);
    }

    #[test]
    fn spec_envelope_verifies_with_the_spec_key() {
        let env = Envelope::parse(SPEC_ENVELOPE.as_bytes()).unwrap();
        let vk = VerificationKey {
            key: {
                use spki::EncodePublicKey as _;
                let der = spec_key().verifying_key().to_public_key_der().unwrap();
                PublicKey::from_spki_der(der.as_bytes()).unwrap()
            },
            spki_der: Vec::new(),
            keyid: String::new(),
        };
        let v = env.verify(&vk).unwrap();
        assert_eq!(v.payload, SPEC_BODY);
        // The raw r||s form, explicitly.
        let sig = decode_base64(SPEC_SIG).unwrap();
        vk.key
            .verify(
                Verification::Ecdsa(HashAlg::Sha256, EcdsaEncoding::Fixed),
                SPEC_PAE,
                &sig,
            )
            .unwrap();
    }

    #[test]
    fn base64_both_alphabets_with_or_without_padding() {
        let bytes = [0xfb, 0xff, 0xbf, 0x3e, 0x3f];
        for s in ["+/+/Pj8=", "+/+/Pj8", "-_-_Pj8=", "-_-_Pj8"] {
            assert_eq!(decode_base64(s).unwrap(), bytes, "{s}");
        }
        assert!(decode_base64("not base64!").is_none());
    }

    fn verification_key(pem: &str) -> (SigningKey, VerificationKey) {
        let k = SigningKey::from_pkcs8_pem(pem.as_bytes(), None, "k").unwrap();
        let vk = k.verification_key().unwrap();
        (k, vk)
    }

    #[test]
    fn sign_verify_each_key_type_and_url_safe_reencoding() {
        for pem in [pem_p256(), pem_p384(), pem_ed25519(), pem_rsa(3072)] {
            let (k, vk) = verification_key(&pem);
            let mut env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{\"a\":1}", &k).unwrap();
            let v = env.verify(&vk).unwrap();
            assert!(v.keyid_matched);
            assert_eq!(v.payload, b"{\"a\":1}");
            // Re-encode payload and signature URL-safe without padding: still verifies.
            let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            env.payload = url.encode(env.payload_bytes().unwrap());
            env.signatures[0].sig = url.encode(decode_base64(&env.signatures[0].sig).unwrap());
            env.signatures[0].keyid = "something else".into();
            let v = env.verify(&vk).unwrap();
            assert!(!v.keyid_matched, "keyid is a hint only");
        }
    }

    #[test]
    fn tampering_or_other_key_fails() {
        let (k, vk) = verification_key(&pem_p256());
        let (_, other) = verification_key(&pem_p256());
        let env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"body", &k).unwrap();
        assert!(matches!(
            env.verify(&other),
            Err(AttestError::BadSignature { .. })
        ));
        let mut t = env.clone();
        t.payload_type = "application/json".into();
        assert!(t.verify(&vk).is_err(), "payload type is authenticated");
        let mut t = env.clone();
        t.payload = base64::engine::general_purpose::STANDARD.encode(b"bodY");
        assert!(t.verify(&vk).is_err());
        let mut t = env;
        let mut sig = decode_base64(&t.signatures[0].sig).unwrap();
        let last = sig.len() - 1;
        sig[last] ^= 1;
        t.signatures[0].sig = base64::engine::general_purpose::STANDARD.encode(sig);
        assert!(t.verify(&vk).is_err());
    }

    #[test]
    fn malformed_envelopes_are_rejected_clearly() {
        for bad in [
            &b"not json"[..],
            b"{}",
            b"[]",
            br#"{"payloadType":"t","payload":"","signatures":[]}"#,
            br#"{"payloadType":1,"payload":"","signatures":[{"sig":""}]}"#,
        ] {
            assert!(matches!(
                Envelope::parse(bad),
                Err(AttestError::NotAnEnvelope(_))
            ));
        }
        let env =
            Envelope::parse(br#"{"payloadType":"t","payload":"!!","signatures":[{"sig":""}]}"#)
                .unwrap();
        let (_, vk) = verification_key(&pem_ed25519());
        assert!(matches!(
            env.verify(&vk),
            Err(AttestError::NotAnEnvelope(_))
        ));
    }
}

//! Transparency-log evidence: RFC 6962 inclusion proofs, signed-note checkpoints (Rekor v1 and
//! v2), signed entry timestamps (Rekor v1), and the entry body matching what was signed
//! (`hashedrekord` 0.0.1/0.0.2, `dsse` 0.0.1/0.0.2, `intoto` 0.0.2).

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::keys::verify_signature;
use super::trust_root::LogKey;

/// Longest inclusion proof accepted: a tree of 2^64 leaves has height 64.
pub const MAX_PROOF_HASHES: usize = 64;
/// Largest checkpoint (signed note) read.
pub const MAX_CHECKPOINT: usize = 16 * 1024;
/// Most signature lines read from a checkpoint.
pub const MAX_CHECKPOINT_SIGNATURES: usize = 16;

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The RFC 6962 leaf hash of an entry body.
pub fn leaf_hash(body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(body);
    h.finalize().into()
}

/// The root hash an inclusion proof leads to (RFC 9162 §2.1.3.2). A proof whose length is not
/// the one the index and tree size imply (longer than the tree's height, or shorter) is
/// malformed.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    proof: &[Vec<u8>],
) -> Result<[u8; 32], String> {
    if index >= size {
        return Err(format!(
            "inclusion proof: log index {index} is not below the tree size {size}"
        ));
    }
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    if proof.len() > MAX_PROOF_HASHES || proof.len() != inner + border {
        return Err(format!(
            "inclusion proof: {} hashes for index {index} in a tree of size {size}, which needs {}",
            proof.len(),
            inner + border
        ));
    }
    if let Some(bad) = proof.iter().position(|h| h.len() != 32) {
        return Err(format!("inclusion proof: hash {bad} is not 32 bytes"));
    }
    let mut seed = leaf;
    for (i, h) in proof[..inner].iter().enumerate() {
        seed = if (index >> i) & 1 == 0 {
            node_hash(&seed, h)
        } else {
            node_hash(h, &seed)
        };
    }
    for h in &proof[inner..] {
        seed = node_hash(h, &seed);
    }
    Ok(seed)
}

/// A checkpoint's signed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line (its name).
    pub origin: String,
    /// The tree size: how many entries the log held.
    pub size: u64,
    /// The Merkle tree's root hash at that size (32 bytes, SHA-256).
    pub root_hash: Vec<u8>,
}

/// Parse a signed note and verify that one of its signatures is the log's (key hint = the
/// first four bytes of the log's checkpoint key id). Lines with other hints are ignored.
pub fn verify_checkpoint(envelope: &str, log: &LogKey) -> Result<Checkpoint, String> {
    if envelope.len() > MAX_CHECKPOINT {
        return Err(format!(
            "checkpoint: {} bytes, more than the limit of {MAX_CHECKPOINT}",
            envelope.len()
        ));
    }
    let split = envelope
        .find("\n\n")
        .ok_or("checkpoint: no blank line between the note and its signatures")?;
    let (text, sigs) = (&envelope[..split + 1], &envelope[split + 2..]);
    let mut lines = text.lines();
    let origin = lines.next().unwrap_or_default();
    if origin.is_empty() {
        return Err("checkpoint: the origin line is empty".into());
    }
    let size = lines
        .next()
        .and_then(|l| l.parse::<u64>().ok())
        .ok_or("checkpoint: the tree size line is missing or not a number")?;
    let root_hash = lines
        .next()
        .and_then(b64)
        .filter(|h| h.len() == 32)
        .ok_or("checkpoint: the root hash line is missing or not a base64 SHA-256 hash")?;
    let hint = log
        .checkpoint_key_id
        .get(..4)
        .ok_or("checkpoint: the log's key id is shorter than a key hint")?;
    let mut candidates = 0;
    for line in sigs.lines().take(MAX_CHECKPOINT_SIGNATURES) {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return Err(format!("checkpoint: malformed signature line {line:?}"));
        };
        let Some((_name, sig)) = rest.rsplit_once(' ') else {
            return Err(format!("checkpoint: malformed signature line {line:?}"));
        };
        let Some(sig) = b64(sig).filter(|s| s.len() > 4) else {
            return Err(format!(
                "checkpoint: signature of line {line:?} is not base64"
            ));
        };
        if &sig[..4] != hint {
            continue;
        }
        candidates += 1;
        if verify_signature(&log.key, None, text.as_bytes(), &sig[4..]).is_ok() {
            return Ok(Checkpoint {
                origin: origin.to_string(),
                size,
                root_hash,
            });
        }
    }
    Err(if candidates == 0 {
        "checkpoint: no signature by the log's key".to_string()
    } else {
        "checkpoint: the log's signature does not verify".to_string()
    })
}

/// Verify a Rekor v1 signed entry timestamp over the canonical JSON of the entry.
pub fn verify_set(
    log: &LogKey,
    body: &[u8],
    integrated_time: i64,
    log_index: i64,
    set: &[u8],
) -> Result<(), String> {
    // Canonical JSON (RFC 8785): keys sorted, no whitespace.
    let payload = format!(
        "{{\"body\":\"{}\",\"integratedTime\":{integrated_time},\"logID\":\"{}\",\"logIndex\":{log_index}}}",
        base64::engine::general_purpose::STANDARD.encode(body),
        hex::encode(&log.log_id)
    );
    verify_signature(&log.key, None, payload.as_bytes(), set)
        .map_err(|_| "the signed entry timestamp does not verify with the log's key".to_string())
}

/// What the log entry must record.
pub struct Expected<'a> {
    /// The signature bytes (message signature, or the DSSE envelope's one signature).
    pub signature: &'a [u8],
    /// The signer: the leaf certificate DER, or the public key's SPKI DER.
    pub signer_der: &'a [u8],
    /// Whether `signer_der` is a certificate.
    pub signer_is_cert: bool,
    /// Message signatures: SHA-256 of the artifact.
    pub artifact_sha256: Option<[u8; 32]>,
    /// DSSE: the payload, its type (to rebuild PAE).
    pub dsse: Option<(&'a str, &'a [u8])>,
}

fn pem_der(pem_b64: &str) -> Option<Vec<u8>> {
    let pem = b64(pem_b64)?;
    // The first block: the signer (a certificate may be followed by its chain).
    super::keys::first_pem_block(std::str::from_utf8(&pem).ok()?).map(|(_, der)| der)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn mismatch(what: &str) -> String {
    format!("the transparency log entry does not match the bundle: {what}")
}

/// Check that the entry body (`canonicalizedBody`) of kind `kind`/`version` records this
/// signature, signer and artifact.
pub fn body_matches(body: &[u8], kind: &str, version: &str, e: &Expected) -> Result<(), String> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|err| format!("the transparency log entry body is not JSON: {err}"))?;
    let body_kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    let body_version = v
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if body_kind != kind || body_version != version {
        return Err(mismatch(&format!(
            "the body is {body_kind} {body_version}, the entry says {kind} {version}"
        )));
    }
    let spec = v.get("spec").ok_or_else(|| mismatch("no spec"))?;
    let sha256_hex = |b: &[u8]| hex::encode(Sha256::digest(b));
    match (kind, version, e.dsse) {
        ("hashedrekord", "0.0.1", None) => {
            let sig = str_at(spec, &["signature", "content"]).and_then(b64);
            if sig.as_deref() != Some(e.signature) {
                return Err(mismatch("signature"));
            }
            let key = str_at(spec, &["signature", "publicKey", "content"]).and_then(pem_der);
            if key.as_deref() != Some(e.signer_der) {
                return Err(mismatch("certificate or public key"));
            }
            let alg = str_at(spec, &["data", "hash", "algorithm"]);
            let value = str_at(spec, &["data", "hash", "value"]);
            let want = e.artifact_sha256.map(hex::encode);
            if alg != Some("sha256") || value.map(str::to_string) != want {
                return Err(mismatch("artifact digest"));
            }
            Ok(())
        }
        ("hashedrekord", "0.0.2", _) => {
            let spec = spec
                .get("hashedRekordV002")
                .ok_or_else(|| mismatch("no hashedRekordV002"))?;
            let sig = str_at(spec, &["signature", "content"]).and_then(b64);
            if sig.as_deref() != Some(e.signature) {
                return Err(mismatch("signature"));
            }
            verifier_matches(spec.pointer("/signature/verifier"), e)?;
            let want: [u8; 32] = match e.dsse {
                Some((t, p)) => Sha256::digest(crate::attest::dsse::pae(t.as_bytes(), p)).into(),
                None => e
                    .artifact_sha256
                    .ok_or_else(|| mismatch("artifact digest"))?,
            };
            let alg = str_at(spec, &["data", "algorithm"]);
            let digest = str_at(spec, &["data", "digest"]).and_then(b64);
            if alg != Some("SHA2_256") || digest.as_deref() != Some(&want[..]) {
                return Err(mismatch("artifact digest"));
            }
            Ok(())
        }
        ("dsse", "0.0.1", Some((_, payload))) => {
            let alg = str_at(spec, &["payloadHash", "algorithm"]);
            let value = str_at(spec, &["payloadHash", "value"]);
            if alg != Some("sha256") || value != Some(sha256_hex(payload).as_str()) {
                return Err(mismatch("payload hash"));
            }
            let s = only_signature(spec.get("signatures"))?;
            if str_at(s, &["signature"]).and_then(b64).as_deref() != Some(e.signature) {
                return Err(mismatch("signature"));
            }
            if str_at(s, &["verifier"]).and_then(pem_der).as_deref() != Some(e.signer_der) {
                return Err(mismatch("certificate or public key"));
            }
            Ok(())
        }
        ("dsse", "0.0.2", Some((_, payload))) => {
            let spec = spec
                .get("dsseV002")
                .ok_or_else(|| mismatch("no dsseV002"))?;
            let digest = str_at(spec, &["payloadHash", "digest"]).and_then(b64);
            if str_at(spec, &["payloadHash", "algorithm"]) != Some("SHA2_256")
                || digest.as_deref() != Some(&Sha256::digest(payload)[..])
            {
                return Err(mismatch("payload hash"));
            }
            let s = only_signature(spec.get("signatures"))?;
            if str_at(s, &["content"]).and_then(b64).as_deref() != Some(e.signature) {
                return Err(mismatch("signature"));
            }
            verifier_matches(s.get("verifier"), e)
        }
        ("intoto", "0.0.2", Some((_, payload))) => {
            let content = spec.get("content").ok_or_else(|| mismatch("no content"))?;
            let alg = str_at(content, &["payloadHash", "algorithm"]);
            let value = str_at(content, &["payloadHash", "value"]);
            if alg != Some("sha256") || value != Some(sha256_hex(payload).as_str()) {
                return Err(mismatch("payload hash"));
            }
            let s = only_signature(content.pointer("/envelope/signatures"))?;
            // The envelope signature is base64 of the base64 signature.
            let sig = str_at(s, &["sig"])
                .and_then(b64)
                .and_then(|once| String::from_utf8(once).ok())
                .and_then(|s| b64(&s));
            if sig.as_deref() != Some(e.signature) {
                return Err(mismatch("signature"));
            }
            if str_at(s, &["publicKey"]).and_then(pem_der).as_deref() != Some(e.signer_der) {
                return Err(mismatch("certificate or public key"));
            }
            Ok(())
        }
        _ => Err(format!(
            "unsupported transparency log entry kind {kind} {version} for this bundle content"
        )),
    }
}

/// A Rekor v2 `verifier`: `{"x509Certificate":{"rawBytes":…}}` or `{"publicKey":{"rawBytes":…}}`.
/// The one signature of an entry's `signatures` array: the bundle carries exactly one.
fn only_signature(signatures: Option<&Value>) -> Result<&Value, String> {
    let sigs = signatures
        .and_then(Value::as_array)
        .ok_or_else(|| mismatch("no signatures"))?;
    let [s] = sigs.as_slice() else {
        return Err(mismatch("not exactly one signature"));
    };
    Ok(s)
}

fn verifier_matches(v: Option<&Value>, e: &Expected) -> Result<(), String> {
    let v = v.ok_or_else(|| mismatch("no verifier"))?;
    let field = if e.signer_is_cert {
        "x509Certificate"
    } else {
        "publicKey"
    };
    let raw = str_at(v, &[field, "rawBytes"]).and_then(b64);
    if raw.as_deref() != Some(e.signer_der) {
        return Err(mismatch("certificate or public key"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_root(leaves: &[[u8; 32]]) -> [u8; 32] {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = leaves.len().next_power_of_two() / 2;
        node_hash(&tree_root(&leaves[..k]), &tree_root(&leaves[k..]))
    }

    fn proof(leaves: &[[u8; 32]], index: usize) -> Vec<Vec<u8>> {
        if leaves.len() == 1 {
            return Vec::new();
        }
        let k = leaves.len().next_power_of_two() / 2;
        if index < k {
            let mut p = proof(&leaves[..k], index);
            p.push(tree_root(&leaves[k..]).to_vec());
            p
        } else {
            let mut p = proof(&leaves[k..], index - k);
            p.push(tree_root(&leaves[..k]).to_vec());
            p
        }
    }

    #[test]
    fn inclusion_proofs_verify_for_every_leaf_of_small_trees() {
        for size in 1..=17usize {
            let leaves: Vec<[u8; 32]> = (0..size).map(|i| leaf_hash(&[i as u8])).collect();
            let root = tree_root(&leaves);
            for i in 0..size {
                let p = proof(&leaves, i);
                let got = root_from_inclusion_proof(i as u64, size as u64, leaves[i], &p).unwrap();
                assert_eq!(got, root, "size {size} index {i}");
                if !p.is_empty() {
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    let got =
                        root_from_inclusion_proof(i as u64, size as u64, leaves[i], &bad).unwrap();
                    assert_ne!(got, root);
                }
            }
        }
    }

    fn ed25519_log() -> (ed25519_dalek::SigningKey, LogKey) {
        let sk = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let log = LogKey {
            log_id: vec![1, 2, 3, 4, 5],
            checkpoint_key_id: vec![1, 2, 3, 4, 5],
            key: {
                use spki::EncodePublicKey as _;
                let der = sk.verifying_key().to_public_key_der().unwrap();
                crate::pki::crypto::PublicKey::from_spki_der(der.as_bytes()).unwrap()
            },
            validity: super::super::trust_root::Validity {
                start: time::OffsetDateTime::UNIX_EPOCH,
                end: None,
            },
            base_url: String::new(),
        };
        (sk, log)
    }

    fn signed_line(sk: &ed25519_dalek::SigningKey, hint: [u8; 4], text: &str) -> String {
        use base64::Engine as _;
        use ed25519_dalek::Signer as _;
        let mut sig = hint.to_vec();
        sig.extend_from_slice(&sk.sign(text.as_bytes()).to_bytes());
        format!(
            "\u{2014} log.example {}\n",
            base64::engine::general_purpose::STANDARD.encode(sig)
        )
    }

    #[test]
    fn checkpoints_need_a_signature_by_the_log_among_others() {
        let (sk, log) = ed25519_log();
        let root = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let text = format!("log.example\n5\n{root}\n");
        let good = signed_line(&sk, [1, 2, 3, 4], &text);
        let other = signed_line(
            &ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]),
            [9, 9, 9, 9],
            &text,
        );
        let cp = verify_checkpoint(&format!("{text}\n{other}{good}"), &log).unwrap();
        assert_eq!((cp.size, cp.root_hash.as_slice()), (5, &[7u8; 32][..]));
        let e = verify_checkpoint(&format!("{text}\n{other}"), &log).unwrap_err();
        assert!(e.contains("no signature by the log's key"), "{e}");
        let forged = signed_line(
            &ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]),
            [1, 2, 3, 4],
            &text,
        );
        let e = verify_checkpoint(&format!("{text}\n{forged}"), &log).unwrap_err();
        assert!(e.contains("does not verify"), "{e}");
        let altered = format!("log.example\n6\n{root}\n");
        assert!(verify_checkpoint(&format!("{altered}\n{good}"), &log).is_err());
        assert!(verify_checkpoint(&text, &log).is_err());
        let huge = "a".repeat(MAX_CHECKPOINT + 1);
        assert!(verify_checkpoint(&huge, &log).is_err());
    }

    #[test]
    fn proofs_longer_than_the_tree_height_are_malformed() {
        let leaves: Vec<[u8; 32]> = (0..4u8).map(|i| leaf_hash(&[i])).collect();
        let mut p = proof(&leaves, 1);
        p.push(vec![0; 32]);
        assert!(root_from_inclusion_proof(1, 4, leaves[1], &p).is_err());
        let long = vec![vec![0u8; 32]; 65];
        assert!(root_from_inclusion_proof(0, u64::MAX, leaves[0], &long).is_err());
        assert!(root_from_inclusion_proof(4, 4, leaves[0], &[]).is_err());
    }
}

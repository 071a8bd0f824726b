//! Verifications per second of each signature algorithm Notation uses, with the RustCrypto
//! crates, aws-lc-rs (which airgap-verify uses) and ring (which has no P-521). Keys and
//! signatures are made once with RustCrypto; each library verifies the same bytes. One core.

use std::time::{Duration, Instant};

use rand_core::OsRng;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier};

const MESSAGE: &[u8] =
    b"{\"targetArtifact\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}}";

/// Microseconds per call of `f`, over about 0.4 s; `f` must return true (the signature verifies).
fn per_call(mut f: impl FnMut() -> bool) -> f64 {
    assert!(f(), "the signature does not verify");
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(400) {
        for _ in 0..8 {
            assert!(f());
        }
        n += 8;
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn row(name: &str, rust: f64, aws: Option<f64>, ring: Option<f64>) {
    let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    println!(
        "{name:<28} {:>10.1} {:>10} {:>10}   {}",
        rust,
        show(aws),
        show(ring),
        aws.map_or(String::new(), |a| format!(
            "RustCrypto/aws-lc-rs {:.1}x",
            rust / a
        ))
    );
}

fn main() {
    use aws_lc_rs::signature as aws;
    use ring::signature as rng;
    println!("µs per verification, one core (lower is better)");
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "algorithm", "RustCrypto", "aws-lc-rs", "ring"
    );

    // ECDSA, fixed r||s as in JWS and COSE.
    {
        let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
        let vk = *sk.verifying_key();
        let sig: p256::ecdsa::Signature = sk.sign(MESSAGE);
        let point = vk.to_encoded_point(false);
        let (pk, sb) = (point.as_bytes().to_vec(), sig.to_bytes().to_vec());
        let a = aws::UnparsedPublicKey::new(&aws::ECDSA_P256_SHA256_FIXED, pk.clone());
        let r = rng::UnparsedPublicKey::new(&rng::ECDSA_P256_SHA256_FIXED, pk.clone());
        row(
            "ECDSA P-256 SHA-256",
            per_call(|| vk.verify(MESSAGE, &sig).is_ok()),
            Some(per_call(|| a.verify(MESSAGE, &sb).is_ok())),
            Some(per_call(|| r.verify(MESSAGE, &sb).is_ok())),
        );
    }
    {
        let sk = p384::ecdsa::SigningKey::random(&mut OsRng);
        let vk = *sk.verifying_key();
        let sig: p384::ecdsa::Signature = sk.sign(MESSAGE);
        let point = vk.to_encoded_point(false);
        let (pk, sb) = (point.as_bytes().to_vec(), sig.to_bytes().to_vec());
        let a = aws::UnparsedPublicKey::new(&aws::ECDSA_P384_SHA384_FIXED, pk.clone());
        let r = rng::UnparsedPublicKey::new(&rng::ECDSA_P384_SHA384_FIXED, pk.clone());
        row(
            "ECDSA P-384 SHA-384",
            per_call(|| vk.verify(MESSAGE, &sig).is_ok()),
            Some(per_call(|| a.verify(MESSAGE, &sb).is_ok())),
            Some(per_call(|| r.verify(MESSAGE, &sb).is_ok())),
        );
    }
    {
        let sk = p521::ecdsa::SigningKey::random(&mut OsRng);
        let vk = p521::ecdsa::VerifyingKey::from(&sk);
        let sig: p521::ecdsa::Signature = sk.sign(MESSAGE);
        let point = vk.to_encoded_point(false);
        let (pk, sb) = (point.as_bytes().to_vec(), sig.to_bytes().to_vec());
        let a = aws::UnparsedPublicKey::new(&aws::ECDSA_P521_SHA512_FIXED, pk.clone());
        row(
            "ECDSA P-521 SHA-512",
            per_call(|| vk.verify(MESSAGE, &sig).is_ok()),
            Some(per_call(|| a.verify(MESSAGE, &sb).is_ok())),
            None,
        );
    }
    // RSA.
    for bits in [2048usize, 3072] {
        let sk = rsa::RsaPrivateKey::new(&mut OsRng, bits).expect("RSA key");
        let pk = rsa::RsaPublicKey::from(&sk);
        let der = pk.to_pkcs1_der().expect("PKCS#1").as_bytes().to_vec();
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(sk.clone());
        let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk.clone());
        let sig = signer.sign(MESSAGE);
        let sb = sig.to_vec();
        let a = aws::UnparsedPublicKey::new(&aws::RSA_PKCS1_2048_8192_SHA256, der.clone());
        let r = rng::UnparsedPublicKey::new(&rng::RSA_PKCS1_2048_8192_SHA256, der.clone());
        row(
            &format!("RSA-{bits} PKCS#1 v1.5 SHA-256"),
            per_call(|| verifier.verify(MESSAGE, &sig).is_ok()),
            Some(per_call(|| a.verify(MESSAGE, &sb).is_ok())),
            Some(per_call(|| r.verify(MESSAGE, &sb).is_ok())),
        );
        let signer = rsa::pss::SigningKey::<sha2::Sha256>::new(sk);
        let verifier = rsa::pss::VerifyingKey::<sha2::Sha256>::new(pk);
        let sig = signer.sign_with_rng(&mut OsRng, MESSAGE);
        let sb = sig.to_vec();
        let a = aws::UnparsedPublicKey::new(&aws::RSA_PSS_2048_8192_SHA256, der.clone());
        let r = rng::UnparsedPublicKey::new(&rng::RSA_PSS_2048_8192_SHA256, der);
        row(
            &format!("RSA-{bits} PSS SHA-256"),
            per_call(|| verifier.verify(MESSAGE, &sig).is_ok()),
            Some(per_call(|| a.verify(MESSAGE, &sb).is_ok())),
            Some(per_call(|| r.verify(MESSAGE, &sb).is_ok())),
        );
    }
    // Ed25519 (DSSE attestations).
    {
        let sk = ed25519_dalek::SigningKey::generate(&mut OsRng);
        let vk = sk.verifying_key();
        let sig = sk.sign(MESSAGE);
        let (pk, sb) = (vk.to_bytes().to_vec(), sig.to_bytes().to_vec());
        let a = aws::UnparsedPublicKey::new(&aws::ED25519, pk.clone());
        let r = rng::UnparsedPublicKey::new(&rng::ED25519, pk);
        row(
            "Ed25519",
            per_call(|| vk.verify(MESSAGE, &sig).is_ok()),
            Some(per_call(|| a.verify(MESSAGE, &sb).is_ok())),
            Some(per_call(|| r.verify(MESSAGE, &sb).is_ok())),
        );
    }
}

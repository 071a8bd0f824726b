//! RSASSA-PSS through the binary, as notation-core-go verifies it: a JWS signature with any salt
//! length verifies (golang-jwt, `PSSSaltLengthAuto`), a COSE signature only with salt length =
//! hash length; a damaged signature fails. Each check is one public-key operation.
#![cfg(test)]

use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{level, Bundle, Sig};
use airgap_verify_testkit::pki::{Pki, PkiSpec};

fn pki(leaf: KeySpec) -> Pki {
    Pki::from_spec(PkiSpec::with_keys("PSS Salt", KeySpec::EcP256, leaf))
}

#[test]
fn jws_accepts_any_salt_length_cose_only_the_hash_length() {
    for (leaf, hash_len) in [(KeySpec::Rsa2048, 32), (KeySpec::Rsa3072, 48)] {
        let pki = pki(leaf);
        for salt in [0, 1, 20, hash_len, hash_len + 7] {
            let b = Bundle::signed(&[Sig::jws(&pki).with(|o| o.pss_salt_len = Some(salt))]);
            b.verify(&level("strict"), &[&pki.root.cert], &[])
                .expect(0, "verified");
            let b = Bundle::signed(&[Sig::cose(&pki).with(|o| o.pss_salt_len = Some(salt))]);
            let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
            if salt == hash_len {
                r.expect(0, "verified");
            } else {
                r.expect(1, "failed");
            }
        }
    }
}

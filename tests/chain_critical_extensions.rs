//! An unknown critical extension in any certificate of the chain (leaf, intermediate, root)
//! fails it, as RFC 5280 §4.2 requires. notation-core-go does not check this, so Flux accepts
//! such chains: a deliberate, fail-closed deviation that the message states.
#![cfg(test)]

use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{level, Bundle, Sig};
use airgap_verify_testkit::pki::{Pki, PkiSpec};

const PRIVATE_OID: &str = "1.3.6.1.4.1.55555.1";

fn with_extension(which: &str, critical: bool) -> Pki {
    let mut spec = PkiSpec::with_keys(
        &format!("Crit {which} {critical}"),
        KeySpec::EcP256,
        KeySpec::EcP256,
    );
    let ext = (PRIVATE_OID.parse().unwrap(), critical, vec![0x05, 0x00]);
    match which {
        "leaf" => spec.leaf.extra.push(ext),
        "intermediate" => spec.intermediate.extra.push(ext),
        _ => spec.root.extra.push(ext),
    }
    Pki::from_spec(spec)
}

#[test]
fn an_unknown_critical_extension_fails_the_chain() {
    for which in ["leaf", "intermediate", "root"] {
        let pki = with_extension(which, true);
        let b = Bundle::signed(&[Sig::jws(&pki)]);
        let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
        r.expect(1, "failed");
        let err = r.error(0);
        assert!(err.contains(PRIVATE_OID), "{which}: {err}");
        assert!(err.contains("Flux would accept"), "{which}: {err}");
    }
}

#[test]
fn the_same_extension_not_critical_is_ignored() {
    for which in ["leaf", "intermediate", "root"] {
        let pki = with_extension(which, false);
        let b = Bundle::signed(&[Sig::jws(&pki)]);
        b.verify(&level("strict"), &[&pki.root.cert], &[])
            .expect(0, "verified");
    }
}

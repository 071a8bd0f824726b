//! Signatures through the CLI: both envelope formats and manifest forms, the order of attempts
//! and Flux's limit, and each way an envelope can lie (target, x5c, alg, chain shape, plugin,
//! critical attributes, signing scheme). NOTATION.md §1, §3, §5, §6, §7.2, §9.3.
#![cfg(test)]

use airgap_verify::pki::crypto::KeySpec;
use airgap_verify_testkit::harness::{level, policy_of, signed_at, statement, Bundle, Sig};
use airgap_verify_testkit::layout::{Envelope, Listing, ManifestForm, SignatureSpec};
use airgap_verify_testkit::pki::{self, CertSpec, Pki};
use airgap_verify_testkit::sign::{self, AttributeValue, SignAttribute, SignOptions, SignScheme};
use serde_json::json;

#[test]
fn jws_and_cose_verify_in_both_manifest_forms() {
    let pki = Pki::new("Sig Forms");
    for kind in [Envelope::Jws, Envelope::Cose] {
        for form in [ManifestForm::ArtifactType, ManifestForm::ConfigMediaType] {
            let b = Bundle::build(|layout, image| {
                let opts = SignOptions::new(signed_at());
                let envelope = match kind {
                    Envelope::Jws => sign::sign_jws(&opts, image, &pki.chain(), &pki.leaf.key),
                    Envelope::Cose => sign::sign_cose(&opts, image, &pki.chain(), &pki.leaf.key),
                }
                .unwrap();
                layout.add_signature(
                    image,
                    &SignatureSpec {
                        envelope: &envelope,
                        kind,
                        chain: &pki.chain(),
                        created: signed_at(),
                        form,
                        listing: Listing::Index,
                    },
                );
            });
            let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
            r.expect(0, "verified");
            let want = if kind == Envelope::Jws { "jws" } else { "cose" };
            assert_eq!(r.sig(0)["envelope"], want, "{kind:?} {form:?}");
            assert!(r.sig(0)["signer"]["subject"]
                .as_str()
                .unwrap()
                .contains("CN=Sig Forms Signer"));
        }
    }
}

#[test]
fn the_first_signature_that_verifies_wins_after_an_invalid_one() {
    let pki = Pki::new("Sig First Wins");
    let stranger = Pki::new("Sig Stranger");
    let b = Bundle::signed(&[Sig::jws(&stranger), Sig::cose(&pki), Sig::jws(&pki)]);
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(0, "verified");
    assert_eq!(r.attempts(), 2, "stops at the first verified: {r:#?}");
    assert_eq!(r.sig(0)["verified"], false);
    assert_eq!(r.check(0, "authenticity"), "failed");
    assert_eq!(r.sig(1)["verified"], true);
    assert_eq!(r.sig(1)["envelope"], "cose");
    // Only the stranger's signature: failed, every attempt reported.
    let only_bad = Bundle::signed(&[Sig::jws(&stranger)]);
    let r = only_bad.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert!(
        r.message().starts_with("signature verification failed"),
        "{r:#?}"
    );
}

#[test]
fn flux_stops_after_three_signatures_and_max_signatures_raises_the_limit() {
    let pki = Pki::new("Sig Limit");
    let stranger = Pki::new("Sig Limit Stranger");
    // Distinct signing times: identical envelopes would be one blob.
    let later =
        |d| move |o: &mut SignOptions| o.signing_time = Some(signed_at() + time::Duration::days(d));
    let b = Bundle::signed(&[
        Sig::jws(&stranger).with(later(1)),
        Sig::jws(&stranger).with(later(2)),
        Sig::jws(&stranger).with(later(3)),
        Sig::jws(&pki),
    ]);
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.attempts(), 3);
    assert!(
        r.message().starts_with(
            "signature evaluation stopped. The configured limit of 3 signatures to verify per artifact exceeded"
        ),
        "{r:#?}"
    );
    let r = b.verify(
        &level("strict"),
        &[&pki.root.cert],
        &["--max-signatures", "4"],
    );
    r.expect(0, "verified");
    assert_eq!(r.attempts(), 4);
}

#[test]
fn a_signature_of_another_artifact_is_a_content_descriptor_mismatch() {
    let pki = Pki::new("Sig Target");
    let other = airgap_verify_testkit::manifest_descriptor(b"{\"another\":\"manifest\"}");
    let b = Bundle::build(|layout, image| {
        let envelope = sign::sign_jws(
            &SignOptions::new(signed_at()),
            &other,
            &pki.chain(),
            &pki.leaf.key,
        )
        .unwrap();
        layout.add_signature(
            image,
            &SignatureSpec {
                envelope: &envelope,
                kind: Envelope::Jws,
                chain: &pki.chain(),
                created: signed_at(),
                form: ManifestForm::ArtifactType,
                listing: Listing::IndexAndTag,
            },
        );
    });
    for name in ["strict", "audit"] {
        let r = b.verify(&level(name), &[&pki.root.cert], &[]);
        r.expect(1, "failed");
        assert_eq!(r.error(0), "content descriptor mismatch", "{r:#?}");
    }
}

#[test]
fn a_forged_x5c_fails_integrity() {
    // Signed with our leaf's key, but the x5c carries another (trusted) PKI's chain.
    let pki = Pki::new("Sig Forger");
    let victim = Pki::new("Sig Victim");
    for kind in [Envelope::Jws, Envelope::Cose] {
        let b = Bundle::signed(&[Sig::by(kind, victim.chain(), &pki.leaf)]);
        let r = b.verify(&level("audit"), &[&victim.root.cert], &[]);
        r.expect(1, "failed");
        assert_eq!(r.check(0, "integrity"), "failed", "{kind:?}: {r:#?}");
        assert!(r.error(0).to_lowercase().contains("signature"), "{r:#?}");
    }
}

#[test]
fn an_alg_that_does_not_match_the_key_fails_integrity() {
    let pki = Pki::new("Sig Alg");
    let jws = Bundle::signed(&[Sig::jws(&pki).with(|o| o.jws_alg = Some("ES384".into()))]);
    let r = jws.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "integrity"), "failed", "{r:#?}");
    // COSE ES384 is -35.
    let cose = Bundle::signed(&[Sig::cose(&pki).with(|o| o.cose_alg = Some(-35))]);
    let r = cose.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "integrity"), "failed", "{r:#?}");
    // The honest alg verifies (the passing case).
    Bundle::signed(&[Sig::jws(&pki).with(|o| o.jws_alg = Some("ES256".into()))])
        .verify(&level("strict"), &[&pki.root.cert], &[])
        .expect(0, "verified");
}

#[test]
fn a_chain_over_the_limit_fails_integrity() {
    let pki = Pki::new("Sig Long");
    let mut chain = pki.chain();
    let filler = pki::make(CertSpec::root("Sig Filler", KeySpec::EcP256), None);
    chain.extend(std::iter::repeat_n(filler.cert.clone(), 40));
    let b = Bundle::signed(&[Sig::by(Envelope::Jws, chain, &pki.leaf)]);
    let r = b.verify(&level("strict"), &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "integrity"), "failed");
    assert!(r.error(0).contains("32"), "names the limit: {r:#?}");
}

#[test]
fn a_chain_with_a_loop_fails_integrity() {
    // Two CAs issued by each other; the chain never reaches a self-signed root.
    let ka = pki::key(KeySpec::EcP256);
    let kb = pki::key(KeySpec::EcP256);
    // issue() takes the issuer name from `issuer_override`; the certificate passed is unused.
    let unused = pki::make(CertSpec::root("Sig Loop Unused", KeySpec::EcP256), None);
    let spec_a = CertSpec::intermediate("Sig Loop A", KeySpec::EcP256);
    let spec_b = CertSpec::intermediate("Sig Loop B", KeySpec::EcP256);
    let b_cert = pki::issue(
        &CertSpec {
            issuer_override: Some(spec_a.subject.clone()),
            ..spec_b.clone()
        },
        &kb,
        Some((&unused.cert, &ka)),
    );
    let a_cert = pki::issue(
        &CertSpec {
            issuer_override: Some(spec_b.subject.clone()),
            ..spec_a.clone()
        },
        &ka,
        Some((&unused.cert, &kb)),
    );
    let a = pki::Issued {
        cert: a_cert.clone(),
        key: ka,
        spec: spec_a,
    };
    let leaf = pki::make(CertSpec::leaf("Sig Loop Leaf", KeySpec::EcP256), Some(&a));
    let chain = vec![
        leaf.cert.clone(),
        a_cert.clone(),
        b_cert.clone(),
        a_cert.clone(),
        b_cert.clone(),
    ];
    let bundle = Bundle::signed(&[Sig::by(Envelope::Cose, chain, &leaf)]);
    let r = bundle.verify(&level("strict"), &[&a_cert, &b_cert], &[]);
    r.expect(1, "failed").no_panic();
    assert_eq!(r.check(0, "integrity"), "failed", "{r:#?}");
}

#[test]
fn a_signature_that_requires_a_verification_plugin_fails_with_the_reason() {
    let pki = Pki::new("Sig Plugin");
    let b =
        Bundle::signed(&[Sig::jws(&pki).with(|o| o.plugin = Some("com.example.verifier".into()))]);
    for name in ["strict", "audit"] {
        let r = b.verify(&level(name), &[&pki.root.cert], &[]);
        r.expect(1, "failed");
        assert!(
            r.error(0)
                .contains("verification plugin \"com.example.verifier\"")
                && r.error(0).contains("not supported"),
            "{r:#?}"
        );
    }
}

/// The specification says an unknown critical attribute MUST fail; notation-go (without a
/// plugin) only checks that it is present and verifies the signature (NOTATION.md §9.3). We
/// follow the specification.
#[test]
fn an_unknown_critical_attribute_fails_and_a_non_critical_one_is_fine() {
    let pki = Pki::new("Sig Critical");
    for kind in [Envelope::Jws, Envelope::Cose] {
        let attr = |critical| SignAttribute {
            key: "com.example.mustUnderstand".into(),
            value: AttributeValue::Text("yes".into()),
            critical,
        };
        let bad = Bundle::signed(&[Sig::by(kind, pki.chain(), &pki.leaf)
            .with(|o| o.extended_attributes = vec![attr(true)])]);
        let r = bad.verify(&level("strict"), &[&pki.root.cert], &[]);
        r.expect(1, "failed");
        assert_eq!(r.check(0, "integrity"), "failed", "{kind:?}: {r:#?}");
        assert!(
            r.error(0).contains("com.example.mustUnderstand"),
            "{kind:?}: {r:#?}"
        );
        let fine = Bundle::signed(&[Sig::by(kind, pki.chain(), &pki.leaf)
            .with(|o| o.extended_attributes = vec![attr(false)])]);
        fine.verify(&level("strict"), &[&pki.root.cert], &[])
            .expect(0, "verified");
    }
}

#[test]
fn signing_authority_needs_a_signing_authority_store() {
    let pki = Pki::new("Sig Authority");
    let b =
        Bundle::signed(&[Sig::cose(&pki).with(|o| o.scheme = SignScheme::X509SigningAuthority)]);
    let with_sa = policy_of(vec![statement(
        "sa",
        &["*"],
        json!({"level": "strict"}),
        &["signingAuthority:acme"],
    )]);
    let r = b.verify(&with_sa, &[&pki.root.cert], &[]);
    r.expect(0, "verified");
    assert_eq!(r.sig(0)["signingScheme"], "notary.x509.signingAuthority");
    assert_eq!(r.sig(0)["timeSource"], "authentic-signing-time");
    let only_ca = level("strict");
    let r = b.verify(&only_ca, &[&pki.root.cert], &[]);
    r.expect(1, "failed");
    assert_eq!(r.check(0, "authenticity"), "failed", "{r:#?}");
}

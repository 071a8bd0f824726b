//! Fuzz target: see [`airgap_verify_testkit::fuzz::sigstore_trust_root`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airgap_verify_testkit::fuzz::sigstore_trust_root(data));

//! Fuzz target: see [`airgap_verify_testkit::fuzz::sigstore_bundle`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airgap_verify_testkit::fuzz::sigstore_bundle(data));

//! Fuzz target: see [`airgap_verify_testkit::fuzz::cose`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airgap_verify_testkit::fuzz::cose(data));

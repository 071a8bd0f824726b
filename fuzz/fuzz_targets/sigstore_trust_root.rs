//! Fuzz target: see [`fuzz_bodies::sigstore_trust_root`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::sigstore_trust_root(data));

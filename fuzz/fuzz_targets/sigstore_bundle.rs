//! Fuzz target: see [`fuzz_bodies::sigstore_bundle`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::sigstore_bundle(data));

//! Fuzz target: see [`fuzz_bodies::cert_chain`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::cert_chain(data));

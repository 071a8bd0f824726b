//! Fuzz target: see [`fuzz_bodies::trust_policy`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::trust_policy(data));

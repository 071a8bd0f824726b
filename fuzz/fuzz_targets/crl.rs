//! Fuzz target: see [`fuzz_bodies::crl`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::crl(data));

//! Fuzz target: see [`fuzz_bodies::dsse`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::dsse(data));

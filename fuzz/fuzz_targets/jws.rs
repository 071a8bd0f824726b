//! Fuzz target: see [`fuzz_bodies::jws`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::jws(data));

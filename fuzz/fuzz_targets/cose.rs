//! Fuzz target: see [`fuzz_bodies::cose`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::cose(data));

//! Fuzz target: see [`fuzz_bodies::timestamp`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::timestamp(data));

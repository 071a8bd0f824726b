//! Fuzz target: see [`fuzz_bodies::bundle_stream`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::bundle_stream(data));

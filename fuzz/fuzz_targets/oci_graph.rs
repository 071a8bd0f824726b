//! Fuzz target: see [`fuzz_bodies::oci_graph`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::oci_graph(data));

//! Fuzz target: see [`fuzz_bodies::secret_flux_yaml`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::secret_flux_yaml(data));

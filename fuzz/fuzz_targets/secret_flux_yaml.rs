//! Fuzz target: see [`airgap_verify_testkit::fuzz::secret_flux_yaml`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airgap_verify_testkit::fuzz::secret_flux_yaml(data));

//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The conformance folder (`../shared/conformance`), or `None` (with a note) when absent. When
/// `AIRGAP_VERIFY_REQUIRE_CONFORMANCE` is set (as in CI), absence is a test failure.
pub fn conformance() -> Option<PathBuf> {
    airgap_verify::testdata::conformance()
}

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_airgap-verify"))
}

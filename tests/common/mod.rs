//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The conformance folder (`../shared/conformance`), or `None` (with a note) when absent. When
/// `AIRGAP_VERIFY_REQUIRE_CONFORMANCE` is set (as in CI), absence is a test failure.
pub fn conformance() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance"
    ));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("AIRGAP_VERIFY_REQUIRE_CONFORMANCE").is_some() {
        panic!("conformance data not found at {}", dir.display());
    }
    eprintln!("skipped: conformance data not found at {}", dir.display());
    None
}

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_airgap-verify"))
}

//! airgap-verify: verify Notation signatures on OCI bundles offline, with Flux's Secret semantics,
//! and attest to what was verified.
//!
//! Data flows one way (see `README.md`, "Architecture"):
//! bundle -> oci graph -> trust material -> policy -> envelope -> pki -> verify -> report / attest.
pub mod attest;
pub mod bundle;
pub mod cmd;
pub mod envelope;
pub mod json_fold;
pub mod limits;
pub mod oci;
pub mod pki;
pub mod policy;
pub mod report;
pub mod trust;
pub mod verify;

/// Where the Notary Project conformance data lives for tests (`../shared/conformance`). Not part
/// of the product's API: shared by the unit and integration tests.
#[doc(hidden)]
pub mod testdata {
    use std::path::PathBuf;

    /// The conformance folder, or `None` (with a note on stderr) when it is absent. When
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
}

//! airgap-verify: verify Notation signatures on OCI bundles offline, with Flux's Secret semantics,
//! and attest to what was verified.
//!
//! Data flows one way (see `README.md`, "Architecture"):
//! bundle -> oci graph -> trust material -> policy -> envelope -> pki -> verify -> report / attest.
pub mod attest;
pub mod bundle;
pub mod cmd;
pub mod envelope;
pub mod limits;
pub mod oci;
pub mod pki;
pub mod policy;
pub mod report;
pub mod trust;
pub mod verify;

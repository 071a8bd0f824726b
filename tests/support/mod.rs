//! Builders shared by integration tests and `examples/make_fixtures.rs`: certificates and keys
//! ([`pki`]), OCI image layouts with Notation signatures and their archives ([`layout`]), trust
//! material in Flux's shapes ([`trust`]) and RFC 3161 timestamp tokens ([`tsa`]).
//!
//! Include with `#[path = "support/mod.rs"] mod support;`.
#![allow(dead_code)]

pub mod layout;
pub mod pki;
pub mod trust;
pub mod tsa;

use std::path::PathBuf;

use airgap_verify::oci::digest::{Algorithm, Descriptor};
use airgap_verify::pki::crypto::KeySpec;

/// Every key spec Notation allows (NOTATION.md §3.4).
pub const ALL_KEY_SPECS: [KeySpec; 6] = [
    KeySpec::Rsa2048,
    KeySpec::Rsa3072,
    KeySpec::Rsa4096,
    KeySpec::EcP256,
    KeySpec::EcP384,
    KeySpec::EcP521,
];

/// The descriptor of an image manifest with these bytes (a signing target for envelope tests).
pub fn manifest_descriptor(bytes: &[u8]) -> Descriptor {
    Descriptor {
        media_type: airgap_verify::oci::IMAGE_MANIFEST.into(),
        digest: Algorithm::Sha256.digest(bytes),
        size: bytes.len() as u64,
    }
}

/// The repository's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

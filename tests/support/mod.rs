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

/// The repository's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

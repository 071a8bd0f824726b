//! airgap-verify: verify Notation signatures on OCI bundles offline, with Flux's Secret semantics,
//! and attest to what was verified.
//!
//! Data flows one way (see `README.md`, "Architecture"):
//! bundle -> oci graph -> trust material -> policy -> envelope -> pki -> verify -> report / attest.
//!
//! The front door is [`verifier::Verifier`]: built once from trust material, CRLs and limits, it
//! verifies the images of a bundle at an explicit time ([`verifier::At`]) and returns the
//! report. The command line (module `cmd`, feature `cli`, on by default) only parses its flags,
//! calls it, renders the report and maps the result to exit codes; without the feature the
//! library builds without clap and indicatif.
//!
//! # Embedding
//!
//! An admission webhook that has read a Flux Secret from the API server (its values already
//! base64-decoded) and has an image's OCI layout at hand:
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use airgap_verify::bundle::{ProgressSink, Source};
//! use airgap_verify::limits::Limits;
//! use airgap_verify::pki::revocation::CrlSet;
//! use airgap_verify::trust::TrustMaterial;
//! use airgap_verify::verifier::{At, Images, Request, Verifier};
//! use airgap_verify::verify::Verdict;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The Secret's data, decoded: the trust policy and the certificates to trust.
//! let mut entries = BTreeMap::new();
//! entries.insert(
//!     "trustpolicy.json".to_string(),
//!     std::fs::read("fixtures/trust/trustpolicy.json")?,
//! );
//! entries.insert("root.crt".to_string(), std::fs::read("fixtures/trust/root.crt")?);
//!
//! let limits = Limits::default();
//! let material = TrustMaterial::from_entries("flux-system/notation-config", entries, &limits)?;
//! let verifier = Verifier::new(material, CrlSet::new(), limits)?;
//!
//! let bundle = verifier.read_bundle(&Source::Path("fixtures/signed".into()), &ProgressSink::none())?;
//! let run = verifier.verify(
//!     &bundle,
//!     &Request {
//!         images: Images::One(Some("v1".to_string())),
//!         scope: Some("registry.example/app".to_string()),
//!         scopes: Vec::new(),
//!         scope_from_bundle: false,
//!         ocirepository: None,
//!         at: At::now(),
//!     },
//! )?;
//! let admitted = run.report.results.iter().all(|r| r.verdict() == Verdict::Verified);
//! assert!(admitted);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod attest;
pub mod bundle;
#[cfg(feature = "cli")]
pub mod cmd;
pub mod cosign;
pub mod digest;
pub mod envelope;
pub mod flux;
pub mod json_fold;
pub mod limits;
pub mod oci;
pub mod pki;
pub mod policy;
pub mod report;
pub mod trust;
pub mod units;
pub mod verifier;
pub mod verify;

/// The version of this build: the crate version, the git commit it was built from (`unknown`
/// outside a git checkout) and the build date (from `SOURCE_DATE_EPOCH` when set, for
/// reproducible builds), e.g. `0.1.0 (commit 3fc7c20d1e2a, built 2026-12-01)`. `--version`
/// prints it, and attestations record it as `verifier.version`.
pub fn version() -> &'static str {
    VERSION
}

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("AIRGAP_VERIFY_GIT_COMMIT"),
    ", built ",
    env!("AIRGAP_VERIFY_BUILD_DATE"),
    ")"
);

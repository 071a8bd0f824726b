//! Regenerates `fixtures/`: `cargo run --example make_fixtures`.
//!
//! `cargo run --example make_fixtures -- DIR` writes into DIR instead (keys are still read from
//! `fixtures/keys/` when DIR has none): CI can compare a fresh run with the committed files.
//!
//! Everything under `fixtures/` is written by this program; nothing there is edited by hand.
//! Private keys are kept in `fixtures/keys/` and reused when present; with the fixed signing
//! time, deterministic ECDSA (RFC 6979) and fixed serial numbers, a rerun reproduces the same
//! bytes. Delete `fixtures/keys/` to roll every key.

fn main() -> Result<(), airgap_verify_testkit::regenerate::Error> {
    let out = match std::env::args_os().nth(1) {
        Some(dir) => std::path::PathBuf::from(dir),
        None => airgap_verify_testkit::fixtures_dir(),
    };
    airgap_verify_testkit::regenerate::write_fixtures(&out)
}

//! The `airgap-verify` command: parses the command line and hands it to
//! [`airgap_verify::cmd::run`], whose result is the exit code (0 verified, 1 not verified,
//! 2 usage or configuration error, 3 damaged or malformed bundle, 4 ignored).

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    airgap_verify::cmd::run(airgap_verify::cmd::Cli::parse())
}

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    airgap_verify::cmd::run(airgap_verify::cmd::Cli::parse())
}

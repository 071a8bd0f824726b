//! The `verify-attestation` subcommand.

use super::{Exit, Failure, VerifyAttestationArgs};

pub fn run(_args: &VerifyAttestationArgs) -> Result<Exit, Failure> {
    Err(Failure::usage("verify-attestation is not implemented yet"))
}

//! The `verify` subcommand.

use super::{Exit, Failure, VerifyArgs};

pub fn run(_args: &VerifyArgs) -> Result<Exit, Failure> {
    Err(Failure::usage("verify is not implemented yet"))
}

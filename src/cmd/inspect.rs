//! The `inspect` subcommand.

use super::{Exit, Failure, InspectArgs};

pub fn run(_args: &InspectArgs) -> Result<Exit, Failure> {
    Err(Failure::usage("inspect is not implemented yet"))
}

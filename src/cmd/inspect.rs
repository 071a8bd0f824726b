//! The `inspect` subcommand: what a bundle holds and whether every blob is intact. Exit 3 when
//! the bundle is damaged (after the report), else 0.

use super::{Exit, Failure, Format, InspectArgs};
use crate::bundle::{read_bundle, Source};
use crate::oci::Graph;
use crate::report::inspect::InspectReport;

/// Run `inspect`.
pub fn run(args: &InspectArgs) -> Result<Exit, Failure> {
    let limits = args.limits.limits();
    let progress = args.progress.sink();
    let mut bundle = read_bundle(&Source::from_arg(&args.bundle), &limits, &progress)?;
    let graph = Graph::build(&bundle, &limits)?;
    bundle.release_contents();
    let report = InspectReport::new(&bundle, &graph, &limits);
    super::print_out(|out| match args.format {
        Format::Text => write!(out, "{}", report.render_text()),
        Format::Json => writeln!(out, "{}", report.render_json()),
    })?;
    Ok(if graph.integrity().is_damaged() {
        Exit::Damaged
    } else {
        Exit::Verified
    })
}

//! The `inspect` subcommand: what a bundle holds and whether every blob is intact. Exit 3 when
//! the bundle is damaged (after the report), 1 when `--ref` names no image of it, else 0.

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
    let mut report = InspectReport::new(&bundle, &graph, &limits);
    if let Some(reference) = &args.reference {
        let image = graph
            .resolve(Some(reference.as_str()))
            .map_err(|e| Failure {
                exit: Exit::NotVerified,
                message: format!("{}: {}", bundle.name, super::resolve_message(&e)),
            })?;
        let digest = image.descriptor.digest.clone();
        report.images.retain(|i| i.digest == digest);
    }
    super::print_out(|out| match args.format {
        Format::Text if args.quiet => Ok(()),
        Format::Text => write!(out, "{}", report.render_text()),
        Format::Json => writeln!(out, "{}", report.render_json()),
    })?;
    Ok(if graph.integrity().is_damaged() {
        Exit::Damaged
    } else {
        Exit::Verified
    })
}

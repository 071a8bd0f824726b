//! The `verify-attestation` subcommand: the import side of the air gap.
//!
//! Exit codes: 0 verified; 1 not verified (bad or missing signature, another key, another
//! digest, FAILED, too old, and also an attestation file that is not a DSSE envelope or not a
//! VSA statement: it is the thing under test, not configuration); 2 usage or configuration
//! (unreadable key or attestation file, bad duration or digest); 3 a damaged bundle.
//! A keyid in the envelope that differs from the given key's is reported but not fatal: keyids
//! are unauthenticated hints, and the signature verified with the key the operator chose.

use std::path::PathBuf;
use std::sync::Arc;

use time::OffsetDateTime;

use super::{Exit, Failure, Format, VerifyAttestationArgs};
use crate::attest::attach::attached_envelopes;
use crate::attest::check::{parse_duration, verify_attestation, CheckedAttestation, Expectation};
use crate::attest::keys::VerificationKey;
use crate::attest::{read_limited, AttestError};
use crate::bundle::{read_bundle, Source};
use crate::digest::Digest;
use crate::oci::Graph;
use crate::report::attestation;

/// Where the attestation(s) to check come from.
enum Candidates {
    /// A file named on the command line.
    File(PathBuf),
    /// Envelopes attached to the image in the bundle: (manifest digest, envelope bytes).
    Attached(Vec<(Digest, Arc<[u8]>)>),
}

/// Run `verify-attestation`.
pub fn run(args: &VerifyAttestationArgs) -> Result<Exit, Failure> {
    let max_age = args
        .max_age
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let key = VerificationKey::load(&args.key).map_err(|e| Failure::usage(e.to_string()))?;
    let (digest, candidates) = target(args)?;
    let expect = Expectation {
        digest: digest.clone(),
        now: OffsetDateTime::now_utc(),
        max_age,
    };
    let limits = args.limits.limits();
    let mut last: Option<(String, AttestError)> = None;
    let attempts: Vec<(String, Vec<u8>)> = match candidates {
        Candidates::File(path) => {
            let bytes = read_limited(&path, limits.max_envelope_blob)
                .map_err(|e| Failure::usage(e.to_string()))?;
            vec![(path.display().to_string(), bytes)]
        }
        Candidates::Attached(found) => found
            .into_iter()
            .rev()
            .map(|(d, bytes)| (format!("attached attestation {d}"), bytes.to_vec()))
            .collect(),
    };
    for (name, bytes) in attempts {
        match verify_attestation(&bytes, &key, &expect) {
            Ok(checked) => {
                print_verified(args.format, args.quiet, &name, &digest, &checked)?;
                return Ok(Exit::Verified);
            }
            Err(e) if e.is_usage() => return Err(Failure::usage(e.to_string())),
            Err(e) => last = Some((name, e)),
        }
    }
    let (name, message) = match last {
        Some((name, e)) => (name, e.to_string()),
        None => (
            String::new(),
            format!(
                "no attestation is attached to {digest} in the bundle; give the attestation file"
            ),
        ),
    };
    let report = attestation::NotVerified {
        version: attestation::ATTESTATION_REPORT_VERSION,
        verified: false,
        attestation: &name,
        digest: digest.to_string(),
        keyid: &key.keyid,
        error: &message,
    };
    match args.format {
        Format::Json => {
            print_or_fail(|out| attestation::write_not_verified_json(&report, out))?;
            Ok(Exit::NotVerified)
        }
        Format::Text => Err(Failure {
            exit: Exit::NotVerified,
            message: attestation::not_verified_text(&report),
        }),
    }
}

/// The digest the attestation must be about, and where to find the attestation.
fn target(args: &VerifyAttestationArgs) -> Result<(Digest, Candidates), Failure> {
    match (&args.digest, &args.bundle) {
        (Some(d), _) => {
            let digest = Digest::parse(d).map_err(|e| Failure::usage(format!("--digest: {e}")))?;
            let file = args.attestation.clone().ok_or_else(|| {
                Failure::usage("with --digest, give the ATTESTATION file to verify")
            })?;
            Ok((digest, Candidates::File(file)))
        }
        (None, Some(bundle)) => {
            let limits = args.limits.limits();
            let bundle = read_bundle(&Source::from_arg(bundle), &limits, &args.progress.sink())?;
            let graph = Graph::build(&bundle, &limits)?;
            let integrity = graph.integrity();
            if integrity.is_damaged() {
                let problems: Vec<String> = integrity
                    .problems
                    .iter()
                    .take(5)
                    .map(|p| p.to_string())
                    .collect();
                return Err(Failure::damaged(format!(
                    "{} is damaged, so its image digest cannot be trusted: {}",
                    bundle.name,
                    problems.join("; ")
                )));
            }
            let image = graph
                .resolve(args.reference.as_deref())
                .map_err(|e| Failure::usage(format!("{}: {}", bundle.name, super::resolve_message(&e))))?;
            let digest = image.descriptor.digest.clone();
            match &args.attestation {
                Some(file) => Ok((digest, Candidates::File(file.clone()))),
                None => {
                    let found = attached_envelopes(&graph, &digest);
                    Ok((digest, Candidates::Attached(found)))
                }
            }
        }
        (None, None) => Err(Failure::usage(
            "say what the attestation must be about: --bundle BUNDLE (with --ref when it holds several images) or --digest sha256:...",
        )),
    }
}

fn print_verified(
    format: Format,
    quiet: bool,
    name: &str,
    digest: &Digest,
    c: &CheckedAttestation,
) -> Result<(), Failure> {
    let report = attestation::Verified::new(name, digest, c);
    print_or_fail(|out| match format {
        Format::Json => attestation::write_verified_json(&report, out),
        Format::Text if quiet => Ok(()),
        Format::Text => attestation::write_verified_text(&report, out),
    })
}

/// Write to standard output; a failure to write is a usage error (a closed pipe, a full disk).
fn print_or_fail(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::usage(format!("cannot write the report: {e}")))
}

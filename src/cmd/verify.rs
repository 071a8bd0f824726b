//! The `verify` subcommand: bundle → integrity → trust material → each image → report →
//! attestation. Errors map to exit codes here and nowhere else.

use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use super::{Exit, Failure, Format, VerifyArgs};
use crate::attest;
use crate::bundle::Source;
use crate::pki::revocation::CrlSet;
use crate::report::{self, Report};
use crate::trust;
use crate::verifier::{At, Conclusion, Images, Request, RunError, Verifier};
use crate::verify::{Outcome, Verdict, VerifyError};

/// Where the trust material comes from: exactly one of the three flags.
enum TrustChoice<'a> {
    /// `--secret FILE`.
    Secret(&'a Path),
    /// `--trust-dir DIR`.
    Dir(&'a Path),
    /// `--flux PATH...`.
    Flux(&'a [std::path::PathBuf]),
}

/// What `--attest-key` / `--attestation` (and `--attach`, `--attest-failures`) ask for.
struct AttestPlan<'a> {
    key: &'a Path,
    out: &'a Path,
    /// `--all` or `--flux`: `out` is a folder of one attestation per image.
    many: bool,
    /// `--attach`: the bundle folder that receives them as referrers.
    attach_dir: Option<std::path::PathBuf>,
    failures: bool,
}

/// Everything `verify` is asked to do, checked once from the flags before anything is read.
struct Plan<'a> {
    trust: TrustChoice<'a>,
    bundle: Source,
    request: Request,
    attest: Option<AttestPlan<'a>>,
}

impl<'a> Plan<'a> {
    /// The plan of `args`: every flag combination that clap cannot check is checked here.
    fn from_args(args: &'a VerifyArgs) -> Result<Plan<'a>, Failure> {
        let at = match &args.at {
            Some(s) => At::AsOf(parse_at(s)?),
            None => At::now(),
        };
        let trust = match (&args.secret, &args.trust_dir, args.flux.as_slice()) {
            (Some(path), None, []) => TrustChoice::Secret(path),
            (None, Some(dir), []) => TrustChoice::Dir(dir),
            (None, None, paths) if !paths.is_empty() => TrustChoice::Flux(paths),
            _ => return Err(Failure::usage(
                "give the trust material with exactly one of --secret FILE (a Kubernetes Secret), --trust-dir DIR (its files) or --flux PATH (Flux manifests)",
            )),
        };
        if args.flux.is_empty() && args.ocirepository.is_some() {
            return Err(Failure::usage("--ocirepository needs --flux"));
        }
        check_flux_choices(args)?;
        check_trust_paths(args)?;
        let bundle = Source::from_arg(&args.bundle);
        let attest = match (&args.attest_key, &args.attestation) {
            (Some(key), Some(out)) => Some(AttestPlan {
                key,
                out,
                many: args.all || !args.flux.is_empty(),
                attach_dir: None,
                failures: args.attest_failures,
            }),
            _ => None,
        };
        let request = Request {
            images: if args.all {
                Images::All
            } else {
                Images::One(args.reference.clone())
            },
            scope: args.scope.clone(),
            ocirepository: args.ocirepository.clone(),
            at,
        };
        Ok(Plan {
            trust,
            bundle,
            request,
            attest,
        })
    }

    /// `--attach` needs the bundle to be a folder (checked once the trust material is read, so
    /// that its errors come first, as they always have).
    fn check_attach(&mut self, attach: bool) -> Result<(), Failure> {
        if !attach {
            return Ok(());
        }
        let dir = match &self.bundle {
            Source::Path(p) if p.is_dir() => p.clone(),
            _ => return Err(attach_needs_a_folder()),
        };
        // Before anything is written anywhere (the attestation file included).
        crate::attest::attach::check_layout_is_writable(&dir)
            .map_err(|e| Failure::usage(e.to_string()))?;
        if let Some(a) = &mut self.attest {
            a.attach_dir = Some(dir);
        }
        Ok(())
    }
}

pub fn run(args: &VerifyArgs) -> Result<Exit, Failure> {
    let limits = args.limits.limits();
    let mut plan = Plan::from_args(args)?;

    // Trust material is read before the bundle: a configuration error should not wait for a
    // multi-gigabyte hash.
    let (material, flux) = match plan.trust {
        TrustChoice::Secret(path) => (Some(secret_material(path, &limits)?), None),
        TrustChoice::Dir(dir) => (Some(dir_material(dir, &limits)?), None),
        TrustChoice::Flux(paths) => (
            None,
            Some(crate::flux::load_flux(paths, &limits).map_err(config_error)?),
        ),
    };
    if let Some(m) = &material {
        print_notes(args.verbose, &m.notes);
    }
    if let Some(f) = &flux {
        print_notes(args.verbose, &f.notes);
    }
    plan.check_attach(args.attach)?;
    // CRL files are read and parsed once; each trust material adds its own `*.crl` entries.
    let mut file_crls = CrlSet::new();
    for path in &args.crl {
        let bytes = read_limited(path, limits.max_crl_file, "CRL")?;
        file_crls
            .add_bytes(&path.display().to_string(), &bytes, &limits)
            .map_err(config_error)?;
    }
    let verifier = match (material, flux) {
        (Some(material), _) => Verifier::new(material, file_crls, limits).map_err(config_error)?,
        (None, Some(flux)) => Verifier::for_flux(flux, file_crls, limits),
        (None, None) => unreachable_trust()?,
    };

    let bundle = verifier.read_bundle(&plan.bundle, &args.progress.sink())?;
    let run = match verifier.verify(&bundle, &plan.request) {
        Ok(run) => run,
        Err(RunError::Damaged { report }) => {
            write_report(&report, args)?;
            return Err(Failure::damaged(RunError::Damaged { report }.to_string()));
        }
        Err(e) => return Err(run_failure(e)),
    };
    print_notes(args.verbose, &run.notes);
    let started = OffsetDateTime::now_utc();
    write_report(&run.report, args)?;
    if let Some(attest) = &plan.attest {
        write_attestations(attest, &run.report, started)?;
    }
    Ok(match run.conclusion {
        Conclusion::Verified => Exit::Verified,
        Conclusion::NotVerified => Exit::NotVerified,
        Conclusion::Misconfigured => Exit::Usage,
        Conclusion::Damaged => Exit::Damaged,
    })
}

/// With `--flux` each OCIRepository chooses its image (`spec.ref`) and its scope (`spec.url`):
/// `--ref`, `--scope` and `--all` would be ignored, so they are refused.
fn check_flux_choices(args: &VerifyArgs) -> Result<(), Failure> {
    if args.flux.is_empty() {
        return Ok(());
    }
    let given = [
        (args.reference.is_some(), "--ref"),
        (args.scope.is_some(), "--scope"),
        (args.all, "--all"),
    ];
    match given.iter().find(|(set, _)| *set) {
        Some((_, flag)) => Err(Failure::usage(format!(
            "{flag} cannot be used with --flux: each OCIRepository chooses its image (spec.ref) and its scope (spec.url); choose one OCIRepository with --ocirepository NAMESPACE/NAME"
        ))),
        None => Ok(()),
    }
}

/// `--secret` takes a file (or `-`), `--trust-dir` a folder: the other flag is suggested.
fn check_trust_paths(args: &VerifyArgs) -> Result<(), Failure> {
    if let Some(path) = &args.secret {
        if is_stdin(path) && args.bundle == "-" {
            return Err(Failure::usage(
                "--secret - and the bundle - both read standard input; give one of them as a file",
            ));
        }
        if path.is_dir() {
            return Err(Failure::usage(format!(
                "--secret takes a Kubernetes Secret file, and {} is a folder; give a folder of the Secret's files (as mounted) with --trust-dir {}",
                path.display(),
                path.display()
            )));
        }
    }
    Ok(())
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// `--secret FILE`, or `--secret -` (standard input, at most `max_config_file` bytes).
fn secret_material(
    path: &Path,
    limits: &crate::limits::Limits,
) -> Result<trust::TrustMaterial, Failure> {
    if !is_stdin(path) {
        return trust::from_secret_file(path, limits).map_err(trust_error);
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limits.max_config_file.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("cannot read the Secret from standard input: {e}")))?;
    trust::secret::from_secret_bytes("standard input", &bytes, limits).map_err(trust_error)
}

/// `--trust-dir DIR`; a notation configuration folder given there is pointed at the flag that
/// reads it.
fn dir_material(
    dir: &Path,
    limits: &crate::limits::Limits,
) -> Result<trust::TrustMaterial, Failure> {
    trust::from_dir(dir, limits).map_err(|e| {
        let mut f = trust_error(e);
        if dir.join("truststore").is_dir() || dir.join("trustpolicy.oci.json").is_file() {
            f.message.push_str(&format!(
                "\n  hint: {} looks like a notation configuration folder (it has truststore/ or trustpolicy.oci.json); give it with --notation-config {}",
                dir.display(),
                dir.display()
            ));
        }
        f
    })
}

/// The trust material is given by exactly one flag (checked above).
fn unreachable_trust() -> Result<Verifier, Failure> {
    Err(Failure::usage("no trust material given"))
}

/// A run that could not finish, in the command line's words.
fn run_failure(e: RunError) -> Failure {
    match e {
        RunError::Bundle(e) => Failure::from(e),
        RunError::Damaged { .. } => Failure::damaged(e.to_string()),
        RunError::NoRepository { wanted, known } => Failure::usage(match wanted {
            Some(name) if known.is_empty() => {
                format!("no OCIRepository {name} in the --flux manifests: they hold none")
            }
            Some(name) => format!(
                "no OCIRepository {name} in the --flux manifests; they hold: {}",
                known.join(", ")
            ),
            None => "no OCIRepository in the --flux manifests".to_string(),
        }),
        // A tag or digest that is not in the bundle: the image is not verified, whether it was
        // asked for with --ref or by an OCIRepository's spec.ref.
        RunError::Resolve(e @ crate::oci::ResolveError::NotFound { .. }) => Failure {
            exit: Exit::NotVerified,
            message: super::resolve_message(&e),
        },
        RunError::Resolve(e) => Failure::usage(super::resolve_message(&e)),
        RunError::Verify(e) if e.is_bundle_fault() => Failure::damaged(e.to_string()),
        RunError::Verify(e @ VerifyError::NoScope { .. }) => Failure::usage(format!(
            "{e}; give --scope REGISTRY/REPOSITORY (the value the policy's registryScopes name)"
        )),
        e => config_error(e),
    }
}

/// With `-v`, remarks about the input that are not warnings (files skipped, keys ignored), on
/// standard error so that they never mix with a JSON report.
fn print_notes(verbose: bool, notes: &[String]) {
    if verbose {
        for n in notes {
            eprintln!("note: {n}");
        }
    }
}

fn config_error(e: impl std::fmt::Display) -> Failure {
    Failure::usage(e.to_string())
}

/// A trust material error, with its hint (keys seen, near misses) on a line of its own.
fn trust_error(e: trust::TrustError) -> Failure {
    let mut f = config_error(&e);
    if let Some(hint) = e.hint() {
        f.message.push_str(&format!("\n  hint: {hint}"));
    }
    f
}

/// `--at`: RFC 3339 (`2024-05-01T12:00:00Z`, offsets allowed).
fn parse_at(s: &str) -> Result<OffsetDateTime, Failure> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|e| {
        Failure::usage(format!(
            "--at {s:?} is not an RFC 3339 time ({e}); write it like 2024-05-01T12:00:00Z"
        ))
    })
}

fn read_limited(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, Failure> {
    use crate::limits::{read_capped, CappedReadError};
    read_capped(path, max).map_err(|e| match e {
        CappedReadError::TooLarge { size, .. } => Failure::usage(format!(
            "{what} file {} is {size} bytes or more, over the limit of {max} bytes",
            path.display()
        )),
        CappedReadError::Io(e) => {
            Failure::usage(format!("cannot read {what} file {}: {e}", path.display()))
        }
    })
}

fn write_report(report: &Report, args: &VerifyArgs) -> Result<(), Failure> {
    if args.quiet && args.format == Format::Text {
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let r = match args.format {
        Format::Json => report::write_json(report, &mut out),
        Format::Text => text_report(report, args, &mut out),
    };
    r.and_then(|()| out.flush())
        .map_err(|e| Failure::usage(format!("cannot write the report: {e}")))
}

/// The text report, its verdicts coloured with `--color`, and with `--all` a summary line.
fn text_report(report: &Report, args: &VerifyArgs, out: &mut dyn Write) -> std::io::Result<()> {
    let mut text = Vec::new();
    report::write_text(report, args.verbose, &mut text)?;
    let text = String::from_utf8_lossy(&text);
    match args.color.enabled() {
        true => out.write_all(super::colour_verdicts(&text).as_bytes())?,
        false => out.write_all(text.as_bytes())?,
    }
    if args.all {
        writeln!(out, "{}", summary(report))?;
    }
    Ok(())
}

/// `3 verified, 1 failed` (and skipped ones), for `--all`.
fn summary(report: &Report) -> String {
    let count = |v: Verdict| report.results.iter().filter(|r| r.verdict() == v).count();
    let mut parts = vec![
        format!("{} verified", count(Verdict::Verified)),
        format!("{} failed", count(Verdict::Failed)),
    ];
    let skipped = count(Verdict::Skipped);
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    parts.join(", ")
}

/// `--attest-key` / `--attestation` (and `--attach`): one DSSE attestation per verified image
/// (and per failed one with `--attest-failures`). With one image, `--attestation` is the file;
/// with `--all` or `--flux` it is a folder that receives `<alg>-<hex>.dsse.json` per image.
fn write_attestations(
    plan: &AttestPlan<'_>,
    report: &Report,
    started: OffsetDateTime,
) -> Result<(), Failure> {
    let passphrase = std::env::var_os(attest::keys::PASSPHRASE_ENV);
    let passphrase = passphrase.as_ref().map(|p| p.as_encoded_bytes());
    let key = attest::SigningKey::load(plan.key, passphrase)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let (out, many) = (plan.out, plan.many);
    if many {
        std::fs::create_dir_all(out).map_err(|e| {
            Failure::usage(format!(
                "cannot create attestation folder {}: {e}",
                out.display()
            ))
        })?;
    }
    for entry in &report.results {
        let Some(outcome) = &entry.outcome else {
            continue;
        };
        let passed = match outcome.verdict {
            Verdict::Verified => true,
            Verdict::Failed if plan.failures => false,
            _ => continue,
        };
        let verdict = attest_verdict(outcome, passed, started)?;
        let envelope =
            attest::vsa::sign_verdict(&verdict, &key).map_err(|e| Failure::usage(e.to_string()))?;
        let path = if many {
            out.join(format!("{}.dsse.json", outcome.digest.referrers_tag()))
        } else {
            out.to_path_buf()
        };
        attest::write_atomically(&path, &envelope).map_err(|e| Failure::usage(e.to_string()))?;
        if let Some(dir) = &plan.attach_dir {
            attest::attach::attach(dir, &outcome.descriptor, &envelope)
                .map_err(|e| Failure::usage(e.to_string()))?;
        }
    }
    Ok(())
}

/// What the attestation says of one outcome, or why it cannot say it (with the flag to give).
fn attest_verdict(
    outcome: &Outcome,
    passed: bool,
    started: OffsetDateTime,
) -> Result<attest::Verdict, Failure> {
    attest::Verdict::from_outcome(outcome, passed, started).map_err(|e| match e {
        attest::verdict::VerdictError::NoScope { .. } => {
            Failure::usage(format!("{e}: give --scope REGISTRY/REPOSITORY"))
        }
        e => Failure::usage(e.to_string()),
    })
}

fn attach_needs_a_folder() -> Failure {
    Failure::usage(
        "--attach stores the attestation inside the bundle, which must be an OCI image-layout folder; this bundle is an archive or a stream. Extract it into a folder first, or keep the attestation file beside it",
    )
}

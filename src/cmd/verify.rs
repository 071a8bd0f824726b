//! The `verify` subcommand: bundle → integrity → trust material → each image → report →
//! attestation. Errors map to exit codes here and nowhere else.

use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use super::{Exit, Failure, Format, VerifyArgs};
use crate::attest;
use crate::bundle::{self, Source};
use crate::limits::Limits;
use crate::oci::{Graph, Image};
use crate::pki::revocation::CrlSet;
use crate::report::{self, FluxStatus, Report, ResultEntry};
use crate::trust::{self, TrustMaterial};
use crate::verify::{self, Outcome, TimeSource, Verdict, VerifyContext};

pub fn run(args: &VerifyArgs) -> Result<Exit, Failure> {
    let limits = args.limits.limits();
    let (at, at_source) = match &args.at {
        Some(s) => (parse_at(s)?, TimeSource::At),
        None => (OffsetDateTime::now_utc(), TimeSource::Now),
    };
    let sources = [
        args.secret.is_some(),
        args.trust_dir.is_some(),
        !args.flux.is_empty(),
    ];
    if sources.iter().filter(|s| **s).count() != 1 {
        return Err(Failure::usage(
            "give the trust material with exactly one of --secret FILE (a Kubernetes Secret), --trust-dir DIR (its files) or --flux PATH (Flux manifests)",
        ));
    }
    if args.flux.is_empty() && args.ocirepository.is_some() {
        return Err(Failure::usage("--ocirepository needs --flux"));
    }

    // Trust material is read before the bundle: a configuration error should not wait for a
    // multi-gigabyte hash.
    let material = match (&args.secret, &args.trust_dir) {
        (Some(path), _) => Some(trust::from_secret_file(path, &limits).map_err(config_error)?),
        (_, Some(dir)) => Some(trust::from_dir(dir, &limits).map_err(config_error)?),
        _ => None,
    };
    let flux = if args.flux.is_empty() {
        None
    } else {
        Some(trust::flux::load_flux(&args.flux, &limits).map_err(config_error)?)
    };
    if let Some(m) = &material {
        print_notes(args.verbose, &m.notes);
    }
    if let Some(f) = &flux {
        print_notes(args.verbose, &f.notes);
    }
    if args.attach && !matches!(Source::from_arg(&args.bundle), Source::Path(ref p) if p.is_dir()) {
        return Err(attach_needs_a_folder());
    }
    if args.attach {
        // Before anything is written anywhere (the attestation file included).
        attest::attach::check_layout_is_writable(std::path::Path::new(&args.bundle))
            .map_err(|e| Failure::usage(e.to_string()))?;
    }
    // CRL files are read and parsed once; each trust material adds its own `*.crl` entries.
    let mut file_crls = CrlSet::new();
    for path in &args.crl {
        let bytes = read_limited(path, limits.max_crl_file, "CRL")?;
        file_crls
            .add_bytes(&path.display().to_string(), &bytes, &limits)
            .map_err(config_error)?;
    }

    let progress = bundle::ProgressSink::for_choice(args.progress);
    let bundle = bundle::read_bundle(&Source::from_arg(&args.bundle), &limits, &progress)
        .map_err(Failure::from)?;
    let graph = Graph::build(&bundle, &limits).map_err(Failure::from)?;
    let summary = super::bundle_summary(&bundle, &graph);
    let started = OffsetDateTime::now_utc();
    let mut report = Report {
        version: report::REPORT_VERSION,
        bundle: summary,
        results: Vec::new(),
        not_requested: Vec::new(),
    };
    if report.bundle.damaged {
        write_report(&report, args)?;
        return Err(Failure::damaged(format!(
            "bundle {} is damaged: {}",
            report.bundle.name,
            report.bundle.problems.join("; ")
        )));
    }

    let mut worst = Exit::Verified;
    if let (Some(material), None) = (&material, &flux) {
        let crls = crl_set(&file_crls, material, &limits)?;
        let ctx = VerifyContext {
            trust: material,
            at,
            at_source,
            crls: &crls,
            limits: &limits,
        };
        let images: Vec<(&Image, String)> = if args.all {
            graph.images().iter().map(|i| (i, image_label(i))).collect()
        } else {
            let image = graph
                .resolve(args.reference.as_deref())
                .map_err(|e| Failure::usage(e.to_string()))?;
            let label = args.reference.clone().unwrap_or_else(|| image_label(image));
            vec![(image, label)]
        };
        // Images are independent: verify them on all cores, report them in bundle order.
        use rayon::prelude::*;
        let outcomes: Vec<_> = images
            .par_iter()
            .map(|(image, label)| {
                verify::verify_image(&graph, image, label, args.scope.as_deref(), &ctx)
            })
            .collect();
        for outcome in outcomes {
            let outcome = outcome.map_err(verify_error)?;
            worst = worst.max(exit_of(outcome.verdict));
            report.results.push(ResultEntry::from_outcome(outcome));
        }
    } else if let Some(flux) = &flux {
        worst = verify_flux(
            flux,
            &graph,
            args,
            &file_crls,
            at,
            at_source,
            &limits,
            &mut report,
        )?;
    }

    write_report(&report, args)?;
    write_attestations(args, &report, started)?;
    Ok(worst)
}

/// `--flux`: every OCIRepository (or the one named by `--ocirepository`), each with its own
/// image (`spec.ref`), scope (`spec.url`) and Secret (`spec.verify.secretRef`, same namespace),
/// reported with Flux's `SourceVerified` condition. The exit code is the worst of all: a
/// repository whose Secret, policy or `spec.ref` is invalid is a configuration error (2), one
/// whose image is missing from the bundle or does not verify is not verified (1).
#[allow(clippy::too_many_arguments)]
fn verify_flux(
    flux: &trust::flux::FluxObjects,
    graph: &Graph,
    args: &VerifyArgs,
    file_crls: &CrlSet,
    at: OffsetDateTime,
    at_source: TimeSource,
    limits: &Limits,
    report: &mut Report,
) -> Result<Exit, Failure> {
    use trust::flux::SelectError;
    let mut worst = Exit::Verified;
    let mut requested = std::collections::BTreeSet::new();
    let repos: Vec<_> = flux
        .repositories
        .iter()
        .filter(|r| {
            args.ocirepository
                .as_deref()
                .is_none_or(|want| want == r.namespaced_name())
        })
        .collect();
    if repos.is_empty() {
        let known: Vec<String> = flux
            .repositories
            .iter()
            .map(|r| r.namespaced_name())
            .collect();
        return Err(Failure::usage(match &args.ocirepository {
            Some(name) if known.is_empty() => {
                format!("no OCIRepository {name} in the --flux manifests: they hold none")
            }
            Some(name) => format!(
                "no OCIRepository {name} in the --flux manifests; they hold: {}",
                known.join(", ")
            ),
            None => "no OCIRepository in the --flux manifests".to_string(),
        }));
    }
    for repo in repos {
        let id = repo.namespaced_name();
        let status = |status: &str, reason: &str, message: String| FluxStatus {
            ocirepository: id.clone(),
            condition: "SourceVerified".into(),
            status: status.into(),
            reason: reason.into(),
            message,
        };
        let failed = |message: String| {
            status(
                "False",
                "VerificationError",
                format!("failed to verify the signature using provider 'notation': {message}"),
            )
        };
        // Flux resolves the artifact before it verifies: the image comes first.
        let selection = trust::flux::select_image(repo, graph.images());
        if let Ok(sel) = &selection {
            requested.insert(sel.image.descriptor.digest.clone());
        }
        let unverified = |flux: FluxStatus, verdict: Verdict, note: Option<String>| ResultEntry {
            outcome: None,
            flux: Some(flux),
            verdict: Some(verdict),
            note,
        };
        let image_note = || {
            selection
                .as_ref()
                .ok()
                .map(|s| format!("image {} ({})", s.reference, s.image.descriptor.digest))
        };
        let Some(verify) = &repo.verify else {
            report.results.push(unverified(
                status("None", "", "no verification configured".into()),
                Verdict::Skipped,
                image_note(),
            ));
            continue;
        };
        if verify.provider != "notation" {
            worst = worst.max(Exit::NotVerified);
            report.results.push(unverified(
                status(
                    "Unknown",
                    "UnsupportedProvider",
                    format!(
                        "not verified: {} provider is not supported",
                        verify.provider
                    ),
                ),
                Verdict::Failed,
                image_note(),
            ));
            continue;
        }
        let step = (|| -> Result<(Outcome, Option<String>), (Exit, String)> {
            let sel = selection.clone().map_err(|e| match e {
                SelectError::Invalid(e) => (Exit::Usage, e.to_string()),
                SelectError::NotFound(m) => (Exit::NotVerified, m),
            })?;
            let config = |e: String| (Exit::Usage, e);
            let secret = verify.secret_ref.as_deref().ok_or_else(|| {
                config(format!(
                    "verification secret cannot be empty: '{}@{}'",
                    repo.scope, sel.image.descriptor.digest
                ))
            })?;
            let material = flux
                .secret_material(&repo.namespace, secret, limits)
                .map_err(|e| config(e.to_string()))?;
            print_notes(args.verbose, &material.notes);
            let crls = crl_set(file_crls, &material, limits).map_err(|f| config(f.message))?;
            let ctx = VerifyContext {
                trust: &material,
                at,
                at_source,
                crls: &crls,
                limits,
            };
            let outcome =
                verify::verify_image(graph, sel.image, &sel.reference, Some(&repo.scope), &ctx)
                    .map_err(|e| match e.is_bundle_fault() {
                        true => (Exit::Damaged, e.to_string()),
                        false => config(e.to_string()),
                    })?;
            Ok((outcome, sel.note))
        })();
        match step {
            Ok((outcome, note)) => {
                let flux_status = match outcome.verdict {
                    Verdict::Verified if !outcome.authenticity_logged() => status(
                        "True",
                        "Succeeded",
                        format!("verified signature of revision {}", outcome.revision()),
                    ),
                    Verdict::Verified => status(
                        "None",
                        "",
                        "verification ignored: an authenticity check failed but is only logged at this level; Flux writes no SourceVerified condition and pulls the artifact".into(),
                    ),
                    Verdict::Skipped => status(
                        "None",
                        "",
                        "verification ignored: the trust policy level is skip; Flux writes no SourceVerified condition and pulls the artifact".into(),
                    ),
                    Verdict::Failed => failed(outcome.message.clone().unwrap_or_default()),
                };
                worst = worst.max(exit_of(outcome.verdict));
                let mut entry = ResultEntry::from_outcome(outcome);
                entry.flux = Some(flux_status);
                entry.note = note;
                report.results.push(entry);
            }
            Err((exit, message)) => {
                worst = worst.max(exit);
                report.results.push(ResultEntry {
                    outcome: None,
                    flux: Some(failed(message)),
                    verdict: Some(Verdict::Failed),
                    note: image_note(),
                });
            }
        }
    }
    report.not_requested = graph
        .images()
        .iter()
        .filter(|i| !requested.contains(&i.descriptor.digest))
        .map(|i| format!("{} ({})", i.reference(), i.descriptor.digest))
        .collect();
    Ok(worst)
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

fn image_label(image: &Image) -> String {
    image
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| image.descriptor.digest.to_string())
}

fn exit_of(v: Verdict) -> Exit {
    match v {
        Verdict::Verified | Verdict::Skipped => Exit::Verified,
        Verdict::Failed => Exit::NotVerified,
    }
}

/// A verification error: the bundle's fault (exit 3) or the configuration's (exit 2).
fn verify_error(e: verify::VerifyError) -> Failure {
    if e.is_bundle_fault() {
        Failure::damaged(e.to_string())
    } else {
        Failure::usage(e.to_string())
    }
}

fn config_error(e: impl std::fmt::Display) -> Failure {
    Failure::usage(e.to_string())
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

/// The CRLs of `--crl` files (already parsed) and of the trust material's `*.crl` entries.
fn crl_set(
    file_crls: &CrlSet,
    material: &TrustMaterial,
    limits: &Limits,
) -> Result<CrlSet, Failure> {
    let mut set = file_crls.clone();
    for (name, bytes) in &material.crls {
        set.add_bytes(name, bytes, limits).map_err(config_error)?;
    }
    Ok(set)
}

fn write_report(report: &Report, args: &VerifyArgs) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let r = match args.format {
        Format::Json => report::write_json(report, &mut out),
        Format::Text => report::write_text(report, args.verbose, &mut out),
    };
    r.and_then(|()| out.flush())
        .map_err(|e| Failure::usage(format!("cannot write the report: {e}")))
}

/// `--attest-key` / `--attestation` (and `--attach`): one DSSE attestation per verified image
/// (and per failed one with `--attest-failures`). With one image, `--attestation` is the file;
/// with `--all` or `--flux` it is a folder that receives `<alg>-<hex>.dsse.json` per image.
fn write_attestations(
    args: &VerifyArgs,
    report: &Report,
    started: OffsetDateTime,
) -> Result<(), Failure> {
    let (Some(key_path), Some(out)) = (&args.attest_key, &args.attestation) else {
        return Ok(());
    };
    let key = attest::SigningKey::load(key_path).map_err(|e| Failure::usage(e.to_string()))?;
    let many = args.all || !args.flux.is_empty();
    if many {
        std::fs::create_dir_all(out).map_err(|e| {
            Failure::usage(format!(
                "cannot create attestation folder {}: {e}",
                out.display()
            ))
        })?;
    }
    let attach_dir = match (args.attach, Source::from_arg(&args.bundle)) {
        (false, _) => None,
        (true, Source::Path(p)) if p.is_dir() => Some(p),
        (true, _) => return Err(attach_needs_a_folder()),
    };
    for entry in &report.results {
        let Some(outcome) = &entry.outcome else {
            continue;
        };
        let passed = match outcome.verdict {
            Verdict::Verified => true,
            Verdict::Failed if args.attest_failures => false,
            _ => continue,
        };
        let verdict = attest_verdict(outcome, passed, started)?;
        let envelope =
            attest::vsa::sign_verdict(&verdict, &key).map_err(|e| Failure::usage(e.to_string()))?;
        let path = if many {
            out.join(format!("{}.dsse.json", outcome.digest.referrers_tag()))
        } else {
            out.clone()
        };
        attest::write_atomically(&path, &envelope).map_err(|e| Failure::usage(e.to_string()))?;
        if let Some(dir) = &attach_dir {
            attest::attach::attach(dir, &outcome.descriptor, &envelope)
                .map_err(|e| Failure::usage(e.to_string()))?;
        }
    }
    Ok(())
}

/// What the attestation says of one outcome.
fn attest_verdict(
    outcome: &Outcome,
    passed: bool,
    started: OffsetDateTime,
) -> Result<attest::Verdict, Failure> {
    if outcome.scope == "*" {
        return Err(Failure::usage(format!(
            "the attestation of {} needs the image's registry/repository for its resourceUri: give --scope REGISTRY/REPOSITORY",
            outcome.reference
        )));
    }
    let policy_digest = crate::oci::digest::Digest::parse(&outcome.policy_digest)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let signatures = outcome
        .signatures
        .iter()
        .filter(|s| s.verified || !passed)
        .filter_map(|s| {
            Some(attest::VerifiedSignature {
                envelope_digest: s.envelope_digest.clone()?,
                manifest_digest: Some(s.digest.clone()),
                signer_subject: s
                    .signer
                    .as_ref()
                    .map(|x| x.subject.clone())
                    .unwrap_or_default(),
                thumbprints: s
                    .signer
                    .as_ref()
                    .map(|x| x.thumbprints.clone())
                    .unwrap_or_default(),
                signing_time: s.signing_time,
                timestamp: s.timestamp.as_ref().map(|t| t.gen_time),
            })
        })
        .collect();
    Ok(attest::Verdict {
        subject_name: outcome.scope.clone(),
        digest: outcome.digest.clone(),
        scope: outcome.scope.clone(),
        passed,
        level: outcome.level.clone().unwrap_or_default(),
        policy_uri: None,
        policy_digest,
        signatures,
        time_verified: started,
        time_used: outcome.time,
        time_source: match outcome.time_source {
            TimeSource::At => "--at".to_string(),
            _ => "clock".to_string(),
        },
    })
}

fn attach_needs_a_folder() -> Failure {
    Failure::usage(
        "--attach stores the attestation inside the bundle, which must be an OCI image-layout folder; this bundle is an archive or a stream. Extract it into a folder first, or keep the attestation file beside it",
    )
}

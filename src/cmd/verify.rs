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
    if args.attach && !matches!(Source::from_arg(&args.bundle), Source::Path(ref p) if p.is_dir()) {
        return Err(attach_needs_a_folder());
    }
    let mut crl_files = Vec::new();
    for path in &args.crl {
        let bytes = read_limited(path, limits.max_crl_file, "CRL")?;
        crl_files.push((path.display().to_string(), bytes));
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
        let crls = crl_set(&crl_files, material, &limits)?;
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
        for (image, label) in images {
            let outcome = verify::verify_image(&graph, image, &label, args.scope.as_deref(), &ctx)
                .map_err(config_error)?;
            worst = worst.max(exit_of(outcome.verdict));
            report.results.push(ResultEntry::from_outcome(outcome));
        }
    } else if let Some(flux) = &flux {
        worst = verify_flux(
            flux,
            &graph,
            args,
            &crl_files,
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

/// `--flux`: every OCIRepository with notation verification (or the one named), each with its
/// own Secret, scope and image; Flux's condition for each.
#[allow(clippy::too_many_arguments)]
fn verify_flux(
    flux: &trust::flux::FluxObjects,
    graph: &Graph,
    args: &VerifyArgs,
    crl_files: &[(String, Vec<u8>)],
    at: OffsetDateTime,
    at_source: TimeSource,
    limits: &Limits,
    report: &mut Report,
) -> Result<Exit, Failure> {
    let mut worst = Exit::Verified;
    let mut requested = std::collections::BTreeSet::new();
    let repos: Vec<_> = flux
        .repositories
        .iter()
        .filter(|r| {
            args.ocirepository
                .as_deref()
                .is_none_or(|want| want == format!("{}/{}", r.namespace, r.name))
        })
        .collect();
    if repos.is_empty() {
        return Err(Failure::usage(match &args.ocirepository {
            Some(name) => format!("no OCIRepository {name} in the --flux manifests"),
            None => "no OCIRepository in the --flux manifests".to_string(),
        }));
    }
    for repo in repos {
        let id = format!("{}/{}", repo.namespace, repo.name);
        let failed = |message: String| FluxStatus {
            ocirepository: id.clone(),
            condition: "SourceVerified".into(),
            status: "False".into(),
            reason: "VerificationError".into(),
            message: format!("failed to verify the signature using provider 'notation': {message}"),
        };
        let Some(verify) = &repo.verify else {
            report.results.push(ResultEntry {
                outcome: None,
                flux: Some(FluxStatus {
                    ocirepository: id.clone(),
                    condition: "SourceVerified".into(),
                    status: "None".into(),
                    reason: "".into(),
                    message: "no verification configured".into(),
                }),
                verdict: Some(Verdict::Skipped),
                note: Some(format!("OCIRepository {id}: no verification configured")),
            });
            continue;
        };
        if verify.provider != "notation" {
            worst = worst.max(Exit::NotVerified);
            report.results.push(ResultEntry {
                outcome: None,
                flux: Some(FluxStatus {
                    ocirepository: id.clone(),
                    condition: "SourceVerified".into(),
                    status: "False".into(),
                    reason: "VerificationError".into(),
                    message: format!(
                        "not verified: {} provider is not supported",
                        verify.provider
                    ),
                }),
                verdict: Some(Verdict::Failed),
                note: None,
            });
            continue;
        }
        let step = (|| -> Result<(Outcome, TrustMaterial), String> {
            let secret = verify
                .secret_ref
                .as_deref()
                .ok_or_else(|| format!("verification secret cannot be empty: '{}'", repo.url))?;
            let material = flux
                .secret_material(&repo.namespace, secret, limits)
                .map_err(|e| e.to_string())?;
            let (image, label) = flux_image(graph, repo)?;
            let crls = crl_set(crl_files, &material, limits).map_err(|f| f.message)?;
            let ctx = VerifyContext {
                trust: &material,
                at,
                at_source,
                crls: &crls,
                limits,
            };
            let outcome = verify::verify_image(graph, image, &label, Some(&repo.scope), &ctx)
                .map_err(|e| e.to_string())?;
            Ok((outcome, material))
        })();
        match step {
            Ok((outcome, _)) => {
                requested.insert(outcome.digest.clone());
                let status = match outcome.verdict {
                    Verdict::Verified if !outcome.authenticity_logged() => FluxStatus {
                        ocirepository: id.clone(),
                        condition: "SourceVerified".into(),
                        status: "True".into(),
                        reason: "Succeeded".into(),
                        message: format!("verified signature of revision {}", outcome.revision()),
                    },
                    Verdict::Verified | Verdict::Skipped => FluxStatus {
                        ocirepository: id.clone(),
                        condition: "SourceVerified".into(),
                        status: "None".into(),
                        reason: "".into(),
                        message: "verification ignored: Flux writes no SourceVerified condition and pulls the artifact".into(),
                    },
                    Verdict::Failed => failed(outcome.message.clone().unwrap_or_default()),
                };
                worst = worst.max(exit_of(outcome.verdict));
                let mut entry = ResultEntry::from_outcome(outcome);
                entry.flux = Some(status);
                report.results.push(entry);
            }
            Err(message) => {
                worst = worst.max(Exit::NotVerified);
                report.results.push(ResultEntry {
                    outcome: None,
                    flux: Some(failed(message)),
                    verdict: Some(Verdict::Failed),
                    note: None,
                });
            }
        }
    }
    report.not_requested = graph
        .images()
        .iter()
        .filter(|i| !requested.contains(&i.descriptor.digest))
        .map(image_label)
        .collect();
    Ok(worst)
}

/// The image an OCIRepository asks for: `spec.ref.digest`, else `spec.ref.semver` (highest
/// matching tag of the bundle), else `spec.ref.tag` (default `latest`).
fn flux_image<'g>(
    graph: &'g Graph,
    repo: &trust::flux::FluxRepository,
) -> Result<(&'g Image, String), String> {
    use trust::flux::FluxRef;
    match &repo.reference {
        FluxRef::Digest(d) => graph
            .resolve(Some(d))
            .map(|i| (i, d.clone()))
            .map_err(|e| e.to_string()),
        FluxRef::Tag(t) => graph
            .resolve(Some(t))
            .map(|i| (i, t.clone()))
            .map_err(|e| e.to_string()),
        FluxRef::Semver { range, .. } => {
            let tags: Vec<String> = graph.images().iter().flat_map(|i| i.tags.clone()).collect();
            let tag = trust::flux::pick_semver(range, &tags)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no tag in the bundle matches semver range {range:?}"))?;
            graph
                .resolve(Some(&tag))
                .map(|i| (i, tag.clone()))
                .map_err(|e| e.to_string())
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
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} file {}: {e}", path.display())))?;
    if meta.len() > max {
        return Err(Failure::usage(format!(
            "{what} file {} is {} bytes, over the limit of {max} bytes",
            path.display(),
            meta.len()
        )));
    }
    std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} file {}: {e}", path.display())))
}

/// The CRLs of `--crl` files and of the trust material's `*.crl` entries.
fn crl_set(
    files: &[(String, Vec<u8>)],
    material: &TrustMaterial,
    limits: &Limits,
) -> Result<CrlSet, Failure> {
    let mut set = CrlSet::new();
    for (name, bytes) in files.iter().chain(material.crls.iter()) {
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

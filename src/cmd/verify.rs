//! The `verify` subcommand: bundle → integrity → trust material → each image → report →
//! attestation. Errors map to exit codes here and nowhere else.

use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use super::{Exit, Failure, Format, ProviderArg, VerifyArgs};
use crate::attest;
use crate::bundle::Source;
use crate::cosign::provider::{CosignMaterial, IdentityPattern};
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
    /// `--cosign-key FILE...`.
    CosignKeys(&'a [std::path::PathBuf]),
    /// `--cosign-secret FILE`.
    CosignSecret(&'a Path),
    /// `--certificate-identity-regexp`, `--certificate-oidc-issuer-regexp`, `--trusted-root`.
    CosignKeyless {
        subject: &'a str,
        issuer: &'a str,
        root: &'a Path,
    },
}

/// The cosign trust material of the flags, when cosign judges the images (`--provider cosign`,
/// or only cosign trust material given); `None` for Notation or Flux manifests.
fn cosign_choice(args: &VerifyArgs) -> Result<Option<TrustChoice<'_>>, Failure> {
    let notation = args.secret.is_some() || args.trust_dir.is_some();
    let keyed = !args.cosign_key.is_empty() || args.cosign_secret.is_some();
    let keyless = args.certificate_identity_regexp.is_some();
    let cosign = keyed || keyless;
    if !args.flux.is_empty() {
        return Ok(None);
    }
    let provider = match (args.provider, notation, cosign) {
        (Some(p), _, _) => p,
        (None, true, true) => return Err(Failure::usage(
            "both Notation trust material (--secret or --trust-dir) and cosign trust material (--cosign-key, --cosign-secret or keyless identities) are given: one provider judges an image, as in Flux; choose it with --provider notation or --provider cosign",
        )),
        (None, false, true) => ProviderArg::Cosign,
        (None, _, false) => ProviderArg::Notation,
    };
    if provider == ProviderArg::Notation {
        if args.trusted_root.is_some() {
            return Err(Failure::usage(
                "--trusted-root is a Sigstore trust root for cosign keyless verification; Notation's trust material is --secret or --trust-dir",
            ));
        }
        return Ok(None);
    }
    if keyed && keyless {
        return Err(Failure::usage(
            "give cosign keys (--cosign-key, --cosign-secret) or keyless identities (--certificate-identity-regexp, --certificate-oidc-issuer-regexp), not both: Flux verifies with keys when spec.verify.secretRef is set, keyless otherwise",
        ));
    }
    if !args.cosign_key.is_empty() && args.cosign_secret.is_some() {
        return Err(Failure::usage(
            "give cosign keys with --cosign-key FILE (repeatable) or --cosign-secret FILE, not both",
        ));
    }
    if keyed && args.trusted_root.is_some() {
        return Err(Failure::usage(
            "--trusted-root is for keyless verification: keyed cosign verification, as Flux does it, needs no transparency log or trust root",
        ));
    }
    if let Some(secret) = &args.cosign_secret {
        return Ok(Some(TrustChoice::CosignSecret(secret)));
    }
    if !args.cosign_key.is_empty() {
        return Ok(Some(TrustChoice::CosignKeys(&args.cosign_key)));
    }
    match (
        &args.certificate_identity_regexp,
        &args.certificate_oidc_issuer_regexp,
        &args.trusted_root,
    ) {
        (Some(subject), Some(issuer), Some(root)) => Ok(Some(TrustChoice::CosignKeyless {
            subject,
            issuer,
            root,
        })),
        (Some(_), Some(_), None) => Err(Failure::usage(
            "keyless verification needs a Sigstore trust root: give --trusted-root FILE (a trusted_root.json, as `cosign trusted-root create` writes or the Sigstore TUF repository holds); nothing is downloaded",
        )),
        _ => Err(Failure::usage(
            "--provider cosign needs cosign trust material: --cosign-key FILE, --cosign-secret FILE, or --certificate-identity-regexp and --certificate-oidc-issuer-regexp with --trusted-root FILE",
        )),
    }
}

/// Cosign trust material from the flags.
fn cosign_material(
    choice: &TrustChoice<'_>,
    limits: &crate::limits::Limits,
) -> Result<Option<CosignMaterial>, Failure> {
    use crate::cosign::keys::MAX_KEY_PEM;
    match choice {
        TrustChoice::CosignKeys(paths) => {
            let mut keys = Vec::new();
            for p in paths.iter() {
                let pem = read_limited(p, MAX_KEY_PEM as u64, "cosign key")?;
                keys.push((p.display().to_string(), pem));
            }
            let source = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            CosignMaterial::keyed(source, &keys)
                .map(Some)
                .map_err(config_error)
        }
        TrustChoice::CosignSecret(path) => {
            let (secret, _) =
                trust::secret::secret_object_from_file(path, limits).map_err(config_error)?;
            let mut material = CosignMaterial::from_secret(&secret).map_err(config_error)?;
            if matches!(&material.trust, crate::cosign::provider::CosignTrust::Keyed(k) if k.is_empty())
            {
                return Err(Failure::usage(format!(
                    "no public keys found in secret '{}' of {}: cosign keys are the entries whose key ends in .pub",
                    secret.namespaced_name(),
                    path.display()
                )));
            }
            material.source = path.display().to_string();
            Ok(Some(material))
        }
        TrustChoice::CosignKeyless {
            subject,
            issuer,
            root,
        } => {
            let bytes = read_limited(root, crate::cosign::MAX_TRUST_ROOT, "trust root")?;
            let shown = root.display().to_string();
            let patterns = vec![IdentityPattern {
                issuer: issuer.to_string(),
                subject: subject.to_string(),
            }];
            CosignMaterial::keyless(shown.clone(), &shown, bytes, patterns)
                .map(Some)
                .map_err(config_error)
        }
        _ => Ok(None),
    }
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
        let trust = match cosign_choice(args)? {
            Some(choice) => choice,
            None => match (&args.secret, &args.trust_dir, args.flux.as_slice()) {
                (Some(path), None, []) => TrustChoice::Secret(path),
                (None, Some(dir), []) => TrustChoice::Dir(dir),
                (None, None, paths) if !paths.is_empty() => TrustChoice::Flux(paths),
                _ => return Err(Failure::usage(
                    "give the trust material with exactly one of --secret FILE (a Kubernetes Secret), --trust-dir DIR (its files), --flux PATH (Flux manifests), --cosign-key FILE or --cosign-secret FILE (cosign keys), or keyless --certificate-identity-regexp and --certificate-oidc-issuer-regexp with --trusted-root FILE",
                )),
            },
        };
        if args.flux.is_empty() && args.ocirepository.is_some() {
            return Err(Failure::usage("--ocirepository needs --flux"));
        }
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
    let cosign = cosign_material(&plan.trust, &limits)?;
    let (material, flux) = match plan.trust {
        TrustChoice::Secret(path) => (
            Some(trust::from_secret_file(path, &limits).map_err(config_error)?),
            None,
        ),
        TrustChoice::Dir(dir) => (
            Some(trust::from_dir(dir, &limits).map_err(config_error)?),
            None,
        ),
        TrustChoice::Flux(paths) => (
            None,
            Some(crate::flux::load_flux(paths, &limits).map_err(config_error)?),
        ),
        _ => (None, None),
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
    let verifier = match (material, flux, cosign) {
        (Some(material), _, _) => {
            Verifier::new(material, file_crls, limits).map_err(config_error)?
        }
        (None, Some(flux), _) => {
            let verifier = Verifier::for_flux(flux, file_crls, limits);
            match &args.trusted_root {
                Some(root) => {
                    let bytes = read_limited(root, crate::cosign::MAX_TRUST_ROOT, "trust root")?;
                    verifier.with_trusted_root(root.display().to_string(), bytes)
                }
                None => verifier,
            }
        }
        (None, None, Some(cosign)) => Verifier::for_cosign(cosign, limits),
        (None, None, None) => unreachable_trust()?,
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

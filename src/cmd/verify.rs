//! The `verify` subcommand: bundle → integrity → trust material → each image → report →
//! attestation. Errors map to exit codes here and nowhere else.

use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use super::{CosignTrustArgs, Exit, Failure, Format, ProviderArg, VerifyArgs};
use crate::attest;
use crate::bundle::Source;
use crate::cosign::provider::{CosignMaterial, IdentityPattern};
use crate::pki::revocation::CrlSet;
use crate::report::{self, Report};
use crate::trust;
use crate::verifier::{At, Conclusion, Images, Request, RunError, Verifier};
use crate::verify::{Outcome, Verdict, VerifyError};

/// Where the trust material comes from: exactly one of the three flags.
pub(super) enum TrustChoice<'a> {
    /// `--secret FILE`.
    Secret(&'a Path),
    /// `--trust-dir DIR`.
    Dir(&'a Path),
    /// `--notation-config DIR`.
    NotationConfig(&'a Path),
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
    let notation =
        args.secret.is_some() || args.trust_dir.is_some() || args.notation_config.is_some();
    let cosign = args.cosign.given();
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
        if args.cosign.trusted_root.is_some() {
            return Err(Failure::usage(
                "--trusted-root is a Sigstore trust root for cosign keyless verification; Notation's trust material is --secret or --trust-dir",
            ));
        }
        return Ok(None);
    }
    args.cosign.choice().map(Some)
}

impl CosignTrustArgs {
    /// Any cosign trust material given (keys, a Secret of keys, keyless identities).
    pub(super) fn given(&self) -> bool {
        !self.cosign_key.is_empty()
            || self.cosign_secret.is_some()
            || self.certificate_identity_regexp.is_some()
    }

    /// The one kind of cosign trust material the flags give.
    pub(super) fn choice(&self) -> Result<TrustChoice<'_>, Failure> {
        let keyed = !self.cosign_key.is_empty() || self.cosign_secret.is_some();
        let keyless = self.certificate_identity_regexp.is_some();
        if keyed && keyless {
            return Err(Failure::usage(
                "give cosign keys (--cosign-key, --cosign-secret) or keyless identities (--certificate-identity-regexp, --certificate-oidc-issuer-regexp), not both: Flux verifies with keys when spec.verify.secretRef is set, keyless otherwise",
            ));
        }
        if !self.cosign_key.is_empty() && self.cosign_secret.is_some() {
            return Err(Failure::usage(
                "give cosign keys with --cosign-key FILE (repeatable) or --cosign-secret FILE, not both",
            ));
        }
        if keyed && self.trusted_root.is_some() {
            return Err(Failure::usage(
                "--trusted-root is for keyless verification: keyed cosign verification, as Flux does it, needs no transparency log or trust root",
            ));
        }
        if let Some(secret) = &self.cosign_secret {
            return Ok(TrustChoice::CosignSecret(secret));
        }
        if !self.cosign_key.is_empty() {
            return Ok(TrustChoice::CosignKeys(&self.cosign_key));
        }
        match (
            &self.certificate_identity_regexp,
            &self.certificate_oidc_issuer_regexp,
            &self.trusted_root,
        ) {
            (Some(subject), Some(issuer), Some(root)) => Ok(TrustChoice::CosignKeyless {
                subject,
                issuer,
                root,
            }),
            (Some(_), Some(_), None) => Err(Failure::usage(
                "keyless verification needs a Sigstore trust root: give --trusted-root FILE (a trusted_root.json, as `cosign trusted-root create` writes or the Sigstore TUF repository holds); nothing is downloaded",
            )),
            _ => Err(Failure::usage(
                "--provider cosign needs cosign trust material: --cosign-key FILE, --cosign-secret FILE, or --certificate-identity-regexp and --certificate-oidc-issuer-regexp with --trusted-root FILE",
            )),
        }
    }
}

/// Cosign trust material from the flags.
pub(super) fn cosign_material(
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
    /// The signing key, loaded (and decrypted) before anything else is read.
    key: attest::SigningKey,
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
            None => match (
                &args.secret,
                &args.trust_dir,
                args.flux.as_slice(),
                &args.notation_config,
            ) {
                (Some(path), None, [], None) => TrustChoice::Secret(path),
                (None, Some(dir), [], None) => TrustChoice::Dir(dir),
                (None, None, paths, None) if !paths.is_empty() => TrustChoice::Flux(paths),
                (None, None, [], Some(dir)) => TrustChoice::NotationConfig(dir),
                _ => return Err(Failure::usage(
                    "give the trust material with exactly one of --secret FILE (a Kubernetes Secret), --trust-dir DIR (its files), --flux PATH (Flux manifests), --notation-config DIR (a notation CLI configuration folder), --cosign-key FILE or --cosign-secret FILE (cosign keys), or keyless --certificate-identity-regexp and --certificate-oidc-issuer-regexp with --trusted-root FILE",
                )),
            },
        };
        if args.flux.is_empty() && args.ocirepository.is_some() {
            return Err(Failure::usage("--ocirepository needs --flux"));
        }
        check_flux_choices(args)?;
        check_trust_paths(args)?;
        let bundle = Source::from_arg(&args.bundle);
        if let Some(r) = &args.reference {
            reference_parses(r)?;
        }
        let attest = match (&args.attest_key, &args.attestation) {
            (Some(key), Some(out)) => {
                let many = args.all || !args.flux.is_empty();
                attestation_path_is_usable(out, many)?;
                // An attestation names the image's registry/repository (its resourceUri): without
                // a scope from the user, the Flux manifests or the bundle, it could not be written
                // after the work.
                if args.scope.is_empty() && !args.scope_from_bundle && args.flux.is_empty() {
                    return Err(Failure::usage(
                        "an attestation names the image's registry/repository: give --scope REGISTRY/REPOSITORY with --attest-key and --attestation",
                    ));
                }
                let passphrase = std::env::var_os(attest::keys::PASSPHRASE_ENV);
                let passphrase = passphrase.as_ref().map(|p| p.as_encoded_bytes());
                let key = attest::SigningKey::load(key, passphrase)
                    .map_err(|e| Failure::usage(e.to_string()))?;
                Some(AttestPlan {
                    key,
                    out,
                    many,
                    attach_dir: None,
                    failures: args.attest_failures,
                })
            }
            _ => None,
        };
        let (scope, scopes) = parse_scopes(&args.scope)?;
        let request = Request {
            images: if args.all {
                Images::All
            } else {
                Images::One(args.reference.clone())
            },
            scope,
            scopes,
            scope_from_bundle: args.scope_from_bundle,
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

/// Run `verify`: read the trust material (before the bundle, so that a configuration error does
/// not wait for a long hash) and the CRLs, verify the images chosen with the [`Verifier`], write
/// the attestations asked for, then print the report. The exit code follows the run's
/// [`Conclusion`].
pub fn run(args: &VerifyArgs) -> Result<Exit, Failure> {
    let mut plan = Plan::from_args(args)?;
    let limits = match plan.trust {
        TrustChoice::NotationConfig(_) => args.limits.notation_cli_limits(),
        _ => args.limits.limits(),
    };

    // Trust material is read before the bundle: a configuration error should not wait for a
    // multi-gigabyte hash.
    let cosign = cosign_material(&plan.trust, &limits)?;
    let (material, flux) = match plan.trust {
        TrustChoice::Secret(path) => (Some(secret_material(path, &limits)?), None),
        TrustChoice::Dir(dir) => (Some(dir_material(dir, &limits)?), None),
        TrustChoice::NotationConfig(dir) => (
            Some(trust::from_notation_config(dir, &limits).map_err(trust_error)?),
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
    let digests = TrustDigests::of(material.as_ref(), flux.as_ref(), &limits);
    let verifier = match (material, flux, cosign) {
        (Some(material), _, _) => {
            Verifier::new(material, file_crls, limits).map_err(config_error)?
        }
        (None, Some(flux), _) => {
            let verifier = Verifier::for_flux(flux, file_crls, limits);
            match &args.cosign.trusted_root {
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
    let mut run = match verifier.verify_owned(bundle, &plan.request) {
        Ok(run) => run,
        Err(RunError::Damaged { report }) => {
            let failure = Failure::damaged(
                RunError::Damaged {
                    report: report.clone(),
                }
                .to_string(),
            );
            return finish(&report, args, Err(failure));
        }
        Err(e) => return Err(run_failure(e, args)),
    };
    print_notes(args.verbose, &run.notes);
    add_hints(&mut run.report);
    // The attestations are signed and written (or stale ones removed) before the verdict is
    // printed. Their timeVerified is when the verification ran: the report's `now`, or for a
    // re-verification as of `--at` the clock now (the as-of time is recorded beside it, and a
    // later re-verification is the newer statement).
    let verified_at = match plan.request.at {
        At::Now(t) => t,
        At::AsOf(_) => OffsetDateTime::now_utc(),
    };
    let attested = match &plan.attest {
        Some(attest) => write_attestations(attest, &run.report, verified_at, &digests),
        None => Ok(()),
    };
    let exit = match run.conclusion {
        Conclusion::Verified => Exit::Verified,
        Conclusion::Ignored => Exit::Ignored,
        Conclusion::NotVerified => Exit::NotVerified,
        Conclusion::Misconfigured => Exit::Usage,
        Conclusion::Damaged => Exit::Damaged,
    };
    finish(&run.report, args, attested.map(|()| exit))
}

/// Print the report and end with `result`. As text, the report comes first and a failure after
/// it on standard error; as JSON, standard output gets one document: the report, or with a
/// failure the report with its `error` and `exitCode`.
fn finish(
    report: &Report,
    args: &VerifyArgs,
    result: Result<Exit, Failure>,
) -> Result<Exit, Failure> {
    match (args.format, result) {
        (Format::Json, Err(f)) => {
            let value = serde_json::to_value(report).ok();
            let doc = super::failure_json(&f, value);
            super::print_out(|out| writeln!(out, "{doc:#}"))?;
            super::print_failure(&f);
            Ok(f.exit)
        }
        (_, result) => {
            write_report(report, args)?;
            result
        }
    }
}

/// `--scope REGISTRY/REPO` (at most once) and `--scope REF=REGISTRY/REPO` (once per REF).
/// `--scope` values: the one scope for every image, and the per-image `REF=SCOPE` pairs.
type Scopes = (Option<String>, Vec<(String, String)>);

fn parse_scopes(values: &[String]) -> Result<Scopes, Failure> {
    let (mut every, mut per_image) = (None, Vec::<(String, String)>::new());
    for v in values {
        match v.split_once('=') {
            Some((reference, scope)) if !reference.is_empty() && !scope.is_empty() => {
                if per_image.iter().any(|(r, _)| r == reference) {
                    return Err(Failure::usage(format!(
                        "--scope names image {reference:?} twice; give one scope per image"
                    )));
                }
                per_image.push((reference.to_string(), scope.to_string()));
            }
            Some(_) => {
                return Err(Failure::usage(format!(
                    "--scope {v:?}: expected REGISTRY/REPO or REF=REGISTRY/REPO"
                )))
            }
            None if every.is_some() => {
                return Err(Failure::usage(
                    "--scope REGISTRY/REPO is given twice; for several images give --scope REF=REGISTRY/REPO for each",
                ))
            }
            None => every = Some(v.clone()),
        }
    }
    Ok((every, per_image))
}

/// With `--flux` each OCIRepository chooses its image (`spec.ref`) and its scope (`spec.url`):
/// `--ref`, `--scope` and `--all` would be ignored, so they are refused.
fn check_flux_choices(args: &VerifyArgs) -> Result<(), Failure> {
    if args.flux.is_empty() {
        return Ok(());
    }
    let given = [
        (args.reference.is_some(), "--ref"),
        (!args.scope.is_empty(), "--scope"),
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
        if dir.is_file() {
            f.message.push_str(&format!(
                "\n  hint: {} is a file; a Kubernetes Secret file is read with --secret {}",
                dir.display(),
                dir.display()
            ));
        }
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
fn run_failure(e: RunError, args: &VerifyArgs) -> Failure {
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
        RunError::ScopeForUnknownImage(e) => Failure::usage(format!(
            "--scope names an image the bundle does not hold: {}",
            super::resolve_message(&e)
        )),
        // The only bundle fault of a verification: more referrers than the limit.
        RunError::Verify(e) if e.is_bundle_fault() => Failure::damaged(format!(
            "{e} (raise it with --{} if the bundle is genuine)",
            super::limit_flag(crate::limits::Limit::ReferrersPerImage)
        )),
        RunError::Verify(e @ VerifyError::NoScope { .. }) => Failure::usage(format!(
            "{e}. The bundle does not choose the policy statement it is judged by: give --scope REGISTRY/REPO (for every image) or --scope REF=REGISTRY/REPO (per image), or --scope-from-bundle for a bundle from a pipeline you trust"
        )),
        RunError::Verify(VerifyError::NoApplicablePolicy {
            message,
            scope,
            policy_scopes,
        }) => {
            let source = if args.scope.is_empty() && args.scope_from_bundle {
                "taken from the bundle's name annotation (--scope-from-bundle)"
            } else {
                "given with --scope"
            };
            let listed: Vec<String> = policy_scopes.iter().map(|s| format!("{s:?}")).collect();
            Failure::usage(format!(
                "{message}\n  scope: {scope} ({source})\n  hint: the policy's registryScopes are {}; give the --scope one of them names",
                if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
            ))
        }
        e => config_error(e),
    }
}

/// The flag to give for what each failed signature's failure concerns, beside (never inside)
/// its error.
fn add_hints(report: &mut Report) {
    use crate::verify::failure::Concern;
    let hint = |c: Option<Concern>| match c {
        Some(Concern::Limit(limit)) => Some(format!(
            "raise it with --{} if the signature is genuine",
            super::limit_flag(limit)
        )),
        Some(Concern::VerificationTime) => {
            Some("the verification time was given with --at".to_string())
        }
        None => None,
    };
    // The library's hint for a keyless OCIRepository without a trust root, in flags.
    for note in report.results.iter_mut().filter_map(|e| e.note.as_mut()) {
        if note.contains(crate::verifier::NO_TRUST_ROOT_HINT) {
            *note = note.replace(
                crate::verifier::NO_TRUST_ROOT_HINT,
                "give the trust root with --trusted-root FILE (a trusted_root.json), or set spec.verify.trustedRootSecretRef",
            );
        }
    }
    for o in report.results.iter_mut().filter_map(|e| e.outcome.as_mut()) {
        o.hint = hint(o.concern);
        for s in &mut o.signatures {
            s.hint = hint(s.failure.as_ref().and_then(|f| f.concern()));
        }
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

pub(super) fn read_limited(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, Failure> {
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
    super::print_out(|out| match args.format {
        Format::Json => report::write_json(report, out),
        Format::Text => text_report(report, args, out),
    })
}

/// The trust-material digest (recipe version 2) of each trust material of the run: the one
/// Secret or folder, or each OCIRepository's Secret (by `namespace/name`).
enum TrustDigests {
    One(String),
    ByRepository(std::collections::BTreeMap<String, String>),
}

impl TrustDigests {
    fn of(
        material: Option<&trust::TrustMaterial>,
        flux: Option<&crate::flux::FluxObjects>,
        limits: &crate::limits::Limits,
    ) -> TrustDigests {
        use attest::trust_digest::{trust_digest_v2, CosignTrust};
        if let Some(m) = material {
            return TrustDigests::One(trust_digest_v2(m, &CosignTrust::default()));
        }
        let mut by = std::collections::BTreeMap::new();
        for repo in flux.map(|f| f.repositories.as_slice()).unwrap_or_default() {
            let Some(secret) = repo.verify.as_ref().and_then(|v| v.secret_ref.as_deref()) else {
                continue;
            };
            if let Some(m) =
                flux.and_then(|f| f.secret_material(&repo.namespace, secret, limits).ok())
            {
                by.insert(
                    repo.namespaced_name(),
                    trust_digest_v2(&m, &CosignTrust::default()),
                );
            }
        }
        TrustDigests::ByRepository(by)
    }

    /// The digest for a result entry, when known.
    fn of_entry(&self, entry: &report::ResultEntry) -> Option<&String> {
        match self {
            TrustDigests::One(d) => Some(d),
            TrustDigests::ByRepository(by) => {
                entry.flux.as_ref().and_then(|f| by.get(&f.ocirepository))
            }
        }
    }
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

/// `3 verified, 1 failed` (and ignored ones), for `--all`.
fn summary(report: &Report) -> String {
    let count = |v: Verdict| report.results.iter().filter(|r| r.verdict() == v).count();
    let mut parts = vec![
        format!("{} verified", count(Verdict::Verified)),
        format!("{} failed", count(Verdict::Failed)),
    ];
    let ignored = count(Verdict::Ignored);
    if ignored > 0 {
        parts.push(format!("{ignored} ignored"));
    }
    parts.join(", ")
}

/// `--attest-key` / `--attestation` (and `--attach`): one DSSE attestation per verified image
/// (and, with `--attest-failures`, per failed or ignored one, as `FAILED`). With one image,
/// `--attestation` is the file; with `--all` or `--flux` it is a folder that receives
/// `<alg>-<hex>.dsse.json` per image. Every envelope is signed before anything is written; an
/// older attestation at a path that this run does not write is removed; standard error says
/// what was written where.
fn write_attestations(
    plan: &AttestPlan<'_>,
    report: &Report,
    started: OffsetDateTime,
    digests: &TrustDigests,
) -> Result<(), Failure> {
    let (out, many) = (plan.out, plan.many);
    let mut writes = Vec::new();
    let mut stale = Vec::new();
    for entry in &report.results {
        let Some(outcome) = &entry.outcome else {
            continue;
        };
        let path = if many {
            out.join(format!("{}.dsse.json", outcome.digest.referrers_tag()))
        } else {
            out.to_path_buf()
        };
        let (result, why) = attest::verdict::result_of(outcome);
        let passed = result == "verified";
        if !passed && !plan.failures {
            stale.push((path, outcome.digest.clone(), result, why));
            continue;
        }
        let mut verdict = attest_verdict(outcome, passed, started)?;
        if let Some(d) = digests.of_entry(entry) {
            verdict.policy_digest =
                crate::digest::Digest::parse(d).map_err(|e| Failure::usage(e.to_string()))?;
            verdict.trust_recipe = attest::trust_digest::RECIPE_V2.to_string();
        }
        let envelope = attest::vsa::sign_verdict(&verdict, &plan.key)
            .map_err(|e| Failure::usage(e.to_string()))?;
        writes.push((path, outcome, verdict.passed, envelope));
    }
    if many && !writes.is_empty() {
        std::fs::create_dir_all(out).map_err(|e| {
            Failure::usage(format!(
                "cannot create attestation folder {}: {e}",
                out.display()
            ))
        })?;
    }
    if plan.attach_dir.is_some() {
        if let Some(why) = attest::attach::cosign_cannot_check(&plan.key) {
            eprintln!("warning: {why}");
        }
    }
    for (path, outcome, passed, envelope) in &writes {
        attest::write_atomically(path, envelope).map_err(|e| Failure::usage(e.to_string()))?;
        let result = if *passed { "PASSED" } else { "FAILED" };
        eprintln!(
            "attestation: wrote {result} for {} to {}",
            outcome.digest,
            path.display()
        );
        if let Some(dir) = &plan.attach_dir {
            attest::attach::attach(dir, &outcome.descriptor, envelope)
                .map_err(|e| Failure::usage(e.to_string()))?;
            eprintln!(
                "attestation: attached to {} in {} (referrer, and cosign's {}.att tag)",
                outcome.digest,
                dir.display(),
                outcome.digest.referrers_tag()
            );
        }
    }
    for (path, digest, result, why) in stale {
        let written_here = writes.iter().any(|(p, ..)| *p == path);
        let what = match why {
            Some(why) => format!("{result}: {why}"),
            None => result.to_string(),
        };
        if written_here {
            continue;
        }
        let removed = path.is_file() && std::fs::remove_file(&path).is_ok();
        eprintln!(
            "attestation: none written for {digest} ({what}; --attest-failures writes a FAILED one){}",
            if removed {
                format!("; removed the older {}", path.display())
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// `--ref` must be a tag, a full name, a digest or `name@digest`; a digest-like value must be a
/// valid digest.
fn reference_parses(r: &str) -> Result<(), Failure> {
    let bad = |why: &str| Err(Failure::usage(format!("--ref {r:?}: {why}")));
    if r.is_empty() || r.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad(
            "a reference has no spaces or control characters; give a tag or a digest (sha256:...)",
        );
    }
    let digest = match r.rsplit_once('@') {
        Some((_, d)) => Some(d),
        None if r.starts_with("sha256:") || r.starts_with("sha512:") => Some(r),
        None => None,
    };
    if let Some(d) = digest {
        if let Err(e) = crate::digest::Digest::parse(d) {
            return bad(&format!("not a valid digest: {e}"));
        }
    }
    Ok(())
}

/// `--attestation` must be a file in an existing folder (one image) or a folder, existing or
/// not (`--all`, `--flux`).
fn attestation_path_is_usable(out: &Path, many: bool) -> Result<(), Failure> {
    if many {
        if out.is_file() {
            return Err(Failure::usage(format!(
                "--attestation {} is a file, but with --all or --flux it is the folder that receives one attestation per image",
                out.display()
            )));
        }
        return Ok(());
    }
    if out.is_dir() {
        return Err(Failure::usage(format!(
            "--attestation {} is a folder; give a file name for the attestation (a folder is for --all)",
            out.display()
        )));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Failure::usage(format!(
            "--attestation {}: the folder {} does not exist",
            out.display(),
            parent.display()
        )));
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

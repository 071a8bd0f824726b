//! The `verify-attestation` subcommand: the import side of the air gap.
//!
//! Exit codes: 0 verified; 1 not verified (bad or missing signature, another key, another
//! digest, FAILED, too old, another scope, other trust material, a level below `--min-level`,
//! and also an attestation file that is not a DSSE envelope or not a VSA statement: it is the
//! thing under test, not configuration); 2 usage or configuration (unreadable key, attestation
//! file or trust material, bad duration or digest); 3 a damaged bundle. Everything that does not
//! need the bundle is checked before the bundle is read.
//!
//! When several attestations are found for an image (attached ones, a file beside them), every
//! one that verifies with the key is judged together: the newest by `timeVerified` decides, and
//! the others are listed.
//! A keyid in the envelope that differs from the given key's is reported but not fatal: keyids
//! are unauthenticated hints, and the signature verified with the key the operator chose.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::{Exit, Failure, Format, VerifyAttestationArgs};
use crate::attest::attach::attached_envelopes;
use crate::attest::check::{
    authenticate, deciding, judge, parse_duration, CheckedAttestation, Expectation,
    PolicyExpectation,
};
use crate::attest::keys::VerificationKey;
use crate::attest::trust_digest::{trust_digest_v2, CosignTrust, RECIPE_V1, RECIPE_V2};
use crate::attest::{read_limited, AttestError};
use crate::bundle::{read_bundle, Source};
use crate::digest::Digest;
use crate::flux::FluxObjects;
use crate::limits::Limits;
use crate::oci::Graph;
use crate::report::attestation::{self, ImageReport, Other};
use crate::trust::TrustMaterial;

/// The trust material the attestation must have been made under.
enum Trust {
    None,
    Digest(Digest),
    Material(Box<TrustMaterial>),
    /// Flux manifests, and the trust root `--trusted-root` gives their keyless OCIRepositories
    /// without `trustedRootSecretRef`.
    Flux(Box<FluxObjects>, Option<(String, Vec<u8>)>),
}

/// One image to judge: its digest and the attestations found for it (name, bytes).
struct Target {
    digest: Digest,
    candidates: Vec<(String, Vec<u8>)>,
}

/// The judgement of one image's attestations.
enum Judged {
    Verified {
        name: String,
        checked: Box<CheckedAttestation>,
        others: Vec<Other>,
    },
    NotVerified {
        name: String,
        error: String,
        hint: Option<String>,
        others: Vec<Other>,
    },
}

impl Judged {
    fn report<'a>(
        &'a self,
        digest: &Digest,
        key: &'a VerificationKey,
        args: &VerifyAttestationArgs,
        trust: &Trust,
    ) -> ImageReport<'a> {
        match self {
            Judged::Verified {
                name,
                checked,
                others,
            } => {
                let mut v = attestation::Verified::new(name, digest, checked);
                v.scope_checked = args.scope.is_some();
                v.trust_material_checked = !matches!(trust, Trust::None);
                v.others = others.clone();
                ImageReport::Verified(v)
            }
            Judged::NotVerified {
                name,
                error,
                hint,
                others,
            } => ImageReport::NotVerified(attestation::NotVerified {
                version: attestation::ATTESTATION_REPORT_VERSION,
                verified: false,
                attestation: name.clone(),
                digest: digest.to_string(),
                keyid: &key.keyid,
                error: error.clone(),
                hint: hint.clone(),
                others: others.clone(),
            }),
        }
    }
}

/// Run `verify-attestation`.
pub fn run(args: &VerifyAttestationArgs) -> Result<Exit, Failure> {
    let limits = args.limits.limits();
    // Everything that does not need the bundle, before the bundle is read.
    let max_age = args
        .max_age
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let key = VerificationKey::load(&args.key).map_err(|e| Failure::usage(e.to_string()))?;
    let trust = load_trust(args, &limits)?;
    let folder = match &args.attestation {
        Some(path) if path.is_dir() => {
            if args.bundle.is_none() {
                return Err(Failure::usage(format!(
                    "{} is a folder of attestations: give --bundle BUNDLE, whose every image must have one",
                    path.display()
                )));
            }
            Some(path.clone())
        }
        Some(path) if !path.exists() => {
            return Err(Failure::usage(format!(
                "cannot read attestation {}: no such file",
                path.display()
            )))
        }
        _ => None,
    };
    let targets = targets(args, folder.as_deref(), &limits)?;
    let now = OffsetDateTime::now_utc();
    let mut judged = Vec::new();
    for t in &targets {
        judged.push(judge_target(args, &key, &trust, max_age, now, t)?);
    }
    let mut reports: Vec<ImageReport<'_>> = judged
        .iter()
        .zip(&targets)
        .map(|(j, t)| j.report(&t.digest, &key, args, &trust))
        .collect();
    let all_verified = reports
        .iter()
        .all(|r| matches!(r, ImageReport::Verified(_)));
    let exit = if all_verified {
        Exit::Verified
    } else {
        Exit::NotVerified
    };
    if folder.is_some() {
        let f = attestation::Folder {
            version: attestation::ATTESTATION_REPORT_VERSION,
            verified: all_verified,
            images: reports,
        };
        print_or_fail(|out| match args.format {
            Format::Json => attestation::write_json(&f, out),
            Format::Text => attestation::write_folder_text(&f, out),
        })?;
        if args.format == Format::Text && !all_verified {
            let failed = f
                .images
                .iter()
                .filter(|r| matches!(r, ImageReport::NotVerified(_)))
                .count();
            return Err(Failure {
                exit: Exit::NotVerified,
                message: format!(
                    "not verified: {failed} of {} images of the bundle have no verified attestation",
                    f.images.len()
                ),
            });
        }
        return Ok(exit);
    }
    match reports.pop() {
        Some(ImageReport::Verified(v)) => {
            print_or_fail(|out| match args.format {
                Format::Json => attestation::write_verified_json(&v, out),
                Format::Text if args.quiet => Ok(()),
                Format::Text => attestation::write_verified_text(&v, out),
            })?;
            Ok(Exit::Verified)
        }
        Some(ImageReport::NotVerified(n)) => match args.format {
            Format::Json => {
                print_or_fail(|out| attestation::write_not_verified_json(&n, out))?;
                Ok(Exit::NotVerified)
            }
            Format::Text => Err(Failure {
                exit: Exit::NotVerified,
                message: attestation::not_verified_text(&n),
            }),
        },
        None => Err(Failure::usage("nothing to verify")),
    }
}

/// The flag that changes what an attestation was judged by, for the error's hint line.
fn hint(e: &AttestError) -> Option<String> {
    match e {
        AttestError::LevelTooLow { level, .. } if level.to_ascii_lowercase().contains("audit") => {
            Some("accept an audit-level attestation with --min-level audit".into())
        }
        AttestError::LevelTooLow { .. } => Some("the minimum level is set with --min-level".into()),
        AttestError::ScopeMismatch { .. } => {
            Some("the scope required is given with --scope".into())
        }
        AttestError::UnknownRecipe(_) => {
            Some("compare the digest itself with --policy-digest sha256:...".into())
        }
        AttestError::TooOld { .. } => Some("the maximum age is set with --max-age".into()),
        AttestError::ScopeFromBundle { scope, .. } => Some(format!(
            "it was made with --scope-from-bundle; accept it by naming the scope: --scope {scope}"
        )),
        _ => None,
    }
}

/// `--secret`, `--trust-dir`, `--flux`, cosign trust material or `--policy-digest`, read before
/// the bundle.
fn load_trust(args: &VerifyAttestationArgs, limits: &Limits) -> Result<Trust, Failure> {
    let usage = |e: crate::trust::TrustError| Failure::usage(e.to_string());
    if args.cosign.given() {
        if args.secret.is_some() || args.trust_dir.is_some() || args.policy_digest.is_some() {
            return Err(Failure::usage(
                "give the trust material the attestation was made with once: cosign trust material (--cosign-key, --cosign-secret or keyless identities with --trusted-root), --secret, --trust-dir, --flux or --policy-digest",
            ));
        }
        let choice = args.cosign.choice()?;
        let material = super::verify::cosign_material(&choice, limits)?.ok_or_else(|| {
            Failure::usage("cosign trust material is needed to recompute the digest")
        })?;
        return Digest::parse(&material.digest())
            .map(Trust::Digest)
            .map_err(|e| Failure::usage(e.to_string()));
    }
    if let Some(d) = &args.policy_digest {
        return Digest::parse(d)
            .map(Trust::Digest)
            .map_err(|e| Failure::usage(format!("--policy-digest: {e}")));
    }
    if let Some(path) = &args.secret {
        return Ok(Trust::Material(Box::new(
            crate::trust::from_secret_file(path, limits).map_err(usage)?,
        )));
    }
    if let Some(dir) = &args.trust_dir {
        return Ok(Trust::Material(Box::new(
            crate::trust::from_dir(dir, limits).map_err(usage)?,
        )));
    }
    if !args.flux.is_empty() {
        let root = match &args.cosign.trusted_root {
            Some(path) => Some((
                path.display().to_string(),
                super::verify::read_limited(path, crate::cosign::MAX_TRUST_ROOT, "trust root")?,
            )),
            None => None,
        };
        return Ok(Trust::Flux(
            Box::new(crate::flux::load_flux(&args.flux, limits).map_err(usage)?),
            root,
        ));
    }
    if args.cosign.trusted_root.is_some() {
        return Err(Failure::usage(
            "--trusted-root is the Sigstore trust root of keyless cosign verification: give it with --certificate-identity-regexp and --certificate-oidc-issuer-regexp, or with --flux for keyless OCIRepositories without spec.verify.trustedRootSecretRef",
        ));
    }
    Ok(Trust::None)
}

/// The digests of one trust material by every recipe this version knows.
fn recipes(m: &TrustMaterial) -> Vec<(String, String)> {
    vec![
        (RECIPE_V1.to_string(), m.policy_digest()),
        (
            RECIPE_V2.to_string(),
            trust_digest_v2(m, &CosignTrust::default()),
        ),
    ]
}

/// What the attestation's trust-material digest must be, given the scope it is for; `Err` is a
/// reason it cannot verify.
fn policy_expectation(
    trust: &Trust,
    scope: Option<&str>,
    limits: &Limits,
) -> Result<Option<PolicyExpectation>, Failure> {
    Ok(match trust {
        Trust::None => None,
        Trust::Digest(d) => Some(PolicyExpectation::Digest(d.clone())),
        Trust::Material(m) => Some(PolicyExpectation::Recipes(recipes(m))),
        Trust::Flux(objects, root) => {
            let scope = scope.unwrap_or_default();
            let mut list = Vec::new();
            let mut urls = Vec::new();
            for repo in &objects.repositories {
                urls.push(repo.url.clone());
                if repo.scope != scope {
                    continue;
                }
                let Some(verify) = repo.verify.as_ref() else {
                    continue;
                };
                let failed = |e: String| {
                    Failure::usage(format!("OCIRepository {}: {e}", repo.namespaced_name()))
                };
                if verify.provider == "cosign" {
                    // cosign's digest names its recipe in what it covers (`cosign/v1`).
                    let m =
                        crate::verifier::flux_cosign_material(objects, repo, verify, root.as_ref())
                            .map_err(failed)?;
                    list.push((RECIPE_V1.to_string(), m.digest()));
                    continue;
                }
                let Some(secret) = verify.secret_ref.as_deref() else {
                    continue;
                };
                let m = objects
                    .secret_material(&repo.namespace, secret, limits)
                    .map_err(|e| failed(e.to_string()))?;
                list.extend(recipes(&m));
            }
            if list.is_empty() {
                return Err(Failure {
                    exit: Exit::NotVerified,
                    message: format!(
                        "no OCIRepository with verification trust material in the --flux manifests has spec.url for the attestation's scope {scope:?}; their spec.url: {}",
                        if urls.is_empty() { "none".to_string() } else { urls.join(", ") }
                    ),
                });
            }
            // Several OCIRepositories of the scope may share trust material.
            list.sort();
            list.dedup();
            Some(PolicyExpectation::Recipes(list))
        }
    })
}

/// Judge the attestations of one image.
fn judge_target(
    args: &VerifyAttestationArgs,
    key: &VerificationKey,
    trust: &Trust,
    max_age: Option<time::Duration>,
    now: OffsetDateTime,
    target: &Target,
) -> Result<Judged, Failure> {
    let limits = args.limits.limits();
    let mut authentic: Vec<(String, CheckedAttestation)> = Vec::new();
    let mut others: Vec<Other> = Vec::new();
    for (name, bytes) in &target.candidates {
        match authenticate(bytes, key, &target.digest) {
            Ok(c) => authentic.push((name.clone(), c)),
            Err(e) if e.is_usage() => return Err(Failure::usage(e.to_string())),
            Err(e) => others.push(Other {
                attestation: name.clone(),
                time_verified: None,
                verification_result: None,
                error: Some(e.to_string()),
            }),
        }
    }
    let checked: Vec<CheckedAttestation> = authentic.iter().map(|(_, c)| c.clone()).collect();
    let Some(i) = deciding(&checked) else {
        // None verified with the key: the last reason stands.
        return Ok(match others.pop() {
            Some(last) => Judged::NotVerified {
                name: last.attestation,
                error: last.error.unwrap_or_default(),
                hint: None,
                others,
            },
            None => Judged::NotVerified {
                name: String::new(),
                hint: None,
                error: format!(
                    "no attestation of {} found{}",
                    target.digest,
                    if args.attestation.is_none() {
                        " attached in the bundle; give the attestation file"
                    } else {
                        ""
                    }
                ),
                others,
            },
        });
    };
    let (name, checked) = authentic.swap_remove(i);
    for (n, c) in &authentic {
        others.push(Other {
            attestation: n.clone(),
            time_verified: Some(c.statement.predicate.time_verified.clone()),
            verification_result: Some(c.statement.predicate.verification_result.clone()),
            error: None,
        });
    }
    let scope = args
        .scope
        .clone()
        .or_else(|| checked.scope().map(str::to_string));
    let policy = match policy_expectation(trust, scope.as_deref(), &limits) {
        Ok(p) => p,
        Err(f) if f.exit == Exit::NotVerified => {
            return Ok(Judged::NotVerified {
                name,
                error: f.message,
                hint: None,
                others,
            })
        }
        Err(f) => return Err(f),
    };
    let expect = Expectation {
        digest: target.digest.clone(),
        now,
        max_age,
        scope: args.scope.clone(),
        policy,
        min_level: args.min_level.into(),
    };
    match judge(&checked, &expect) {
        Ok(()) => Ok(Judged::Verified {
            name,
            checked: Box::new(checked),
            others,
        }),
        Err(e) if e.is_usage() => Err(Failure::usage(e.to_string())),
        Err(e) => Ok(Judged::NotVerified {
            name,
            error: e.to_string(),
            hint: hint(&e),
            others,
        }),
    }
}

/// The images the attestations must be about, and the attestations found for each.
fn targets(
    args: &VerifyAttestationArgs,
    folder: Option<&Path>,
    limits: &Limits,
) -> Result<Vec<Target>, Failure> {
    let read = |path: &Path| -> Result<Vec<u8>, Failure> {
        read_limited(path, limits.max_envelope_blob).map_err(|e| Failure::usage(e.to_string()))
    };
    match (&args.digest, &args.bundle) {
        (Some(d), _) => {
            let digest = Digest::parse(d).map_err(|e| Failure::usage(format!("--digest: {e}")))?;
            let file = args.attestation.clone().ok_or_else(|| {
                Failure::usage("with --digest, give the ATTESTATION file to verify")
            })?;
            let bytes = read(&file)?;
            Ok(vec![Target {
                digest,
                candidates: vec![(file.display().to_string(), bytes)],
            }])
        }
        (None, Some(bundle)) => {
            let file = match (&args.attestation, folder) {
                (Some(f), None) => Some((f.display().to_string(), read(f)?)),
                _ => None,
            };
            let bundle = read_bundle(&Source::from_arg(bundle), limits, &args.progress.sink())?;
            let graph = Graph::build(&bundle, limits)?;
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
            let attached = |digest: &Digest| -> Vec<(String, Vec<u8>)> {
                attached_envelopes(&graph, digest)
                    .into_iter()
                    .map(|(d, bytes)| (format!("attached attestation {d}"), bytes.to_vec()))
                    .collect()
            };
            if let Some(dir) = folder {
                // With --ref, the one image it names; else every image of the bundle.
                let images = match &args.reference {
                    Some(r) => vec![graph.resolve(Some(r)).map_err(|e| {
                        Failure::usage(format!("{}: {}", bundle.name, super::resolve_message(&e)))
                    })?],
                    None => graph.images().iter().collect(),
                };
                let mut out = Vec::new();
                for image in images {
                    let digest = image.descriptor.digest.clone();
                    let path: PathBuf =
                        dir.join(format!("{}.dsse.json", digest.referrers_tag()));
                    let mut candidates = Vec::new();
                    if path.is_file() {
                        candidates.push((path.display().to_string(), read(&path)?));
                    }
                    candidates.extend(attached(&digest));
                    out.push(Target { digest, candidates });
                }
                return Ok(out);
            }
            let image = graph.resolve(args.reference.as_deref()).map_err(|e| {
                Failure::usage(format!("{}: {}", bundle.name, super::resolve_message(&e)))
            })?;
            let digest = image.descriptor.digest.clone();
            let candidates = match file {
                Some(f) => vec![f],
                None => attached(&digest),
            };
            Ok(vec![Target { digest, candidates }])
        }
        (None, None) => Err(Failure::usage(
            "say what the attestation must be about: --bundle BUNDLE (with --ref when it holds several images) or --digest sha256:...",
        )),
    }
}

/// Write to standard output (a closed pipe ends quietly, see [`super::print_out`]).
fn print_or_fail(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    super::print_out(write)
}

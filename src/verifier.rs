//! The front door of the library: a [`Verifier`] built once from trust material (a Secret's
//! decoded entries, a mounted folder, or Flux manifests), CRLs and limits, that verifies the
//! images of a bundle at an explicit time ([`At`]) and returns the [`Report`] that the command
//! line renders.
//!
//! Where signatures come from is a seam ([`SignatureSource`]): the bundle's OCI graph is one
//! source, and any other (a second signature format, an in-memory test double) can be another.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use crate::bundle::{self, Bundle, BundleError, ProgressSink, Source};
use crate::cosign::provider::{self as cosign, CosignMaterial, IdentityPattern, TRUSTED_ROOT_KEY};
use crate::flux::{self, FluxObjects, FluxRepository, SelectError};
use crate::limits::Limits;
use crate::oci::{Graph, Image, ResolveError};
use crate::pki::revocation::{CrlSet, RevocationError};
use crate::report::{BundleSummary, FluxStatus, Report, ResultEntry, REPORT_VERSION};
use crate::trust::{Semantics, TrustError, TrustMaterial};
pub use crate::verify::SignatureSource;
use crate::verify::{
    self, Ignored, ImageResult, Outcome, ScopeSource, TimeSource, Verdict, VerifyContext,
    VerifyError,
};

/// The time a verification is done at: the clock's reading when it ran, or a time given for a
/// forensic re-verification. The report and the attestation both say which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Now, as read from the clock by the caller.
    Now(OffsetDateTime),
    /// As of a given time (a forensic re-verification).
    AsOf(OffsetDateTime),
}

impl At {
    /// The clock, now.
    pub fn now() -> At {
        At::Now(OffsetDateTime::now_utc())
    }

    /// The verification time.
    pub fn time(self) -> OffsetDateTime {
        match self {
            At::Now(t) | At::AsOf(t) => t,
        }
    }

    /// Where the verification time came from, as the report names it.
    pub fn source(self) -> TimeSource {
        match self {
            At::Now(_) => TimeSource::Now,
            At::AsOf(_) => TimeSource::At,
        }
    }
}

/// The trust a [`Verifier`] verifies against.
#[derive(Debug, Clone)]
enum Trust {
    /// One trust material for every image, with its CRLs.
    Material {
        material: Box<TrustMaterial>,
        crls: CrlSet,
    },
    /// Flux manifests: each OCIRepository names its image and its Secret.
    Flux(Box<FluxObjects>),
    /// cosign keys, or a trust root and identities, for every image.
    Cosign(Box<CosignMaterial>),
}

/// Which images of a bundle to verify (with trust material; Flux manifests name their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Images {
    /// One image, by tag or digest; `None` when the bundle holds one image.
    One(Option<String>),
    /// Every image of the bundle (not the referrers).
    All,
}

/// What to verify in a bundle, and how.
#[derive(Debug, Clone)]
pub struct Request {
    /// The images (ignored with Flux manifests).
    pub images: Images,
    /// The `registry/repository` the trust policy is matched against, for every image (ignored
    /// with Flux manifests, whose `spec.url` gives it). Without any scope, the policy's only
    /// statement must be `*`: the bundle never chooses the statement it is judged by.
    pub scope: Option<String>,
    /// Per image: `(reference, registry/repository)`, the image named by tag, full name or
    /// digest. Takes precedence over `scope`.
    pub scopes: Vec<(String, String)>,
    /// Take the scope of an image with none from its own full-name annotation
    /// (`io.containerd.image.name`, a full `org.opencontainers.image.ref.name`): only for
    /// bundles from a trusted pipeline. The report and the attestation record it.
    pub scope_from_bundle: bool,
    /// With Flux manifests: only the OCIRepository `namespace/name`.
    pub ocirepository: Option<String>,
    /// The verification time.
    pub at: At,
}

/// How a whole run ended, worst first in importance: the command line maps it to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conclusion {
    /// Every image verified (under the notation CLI's semantics, an ignored image counts as
    /// verified, as the CLI says).
    Verified,
    /// An image's verification is ignored (Flux's third result): Flux would pull it without a
    /// `SourceVerified=True` condition.
    Ignored,
    /// An image did not verify, or is missing from the bundle.
    NotVerified,
    /// A Flux object's configuration is invalid (Secret, policy, `spec.ref`).
    Misconfigured,
    /// The bundle turned out damaged or malformed while an image was verified (for example
    /// more referrers than the limit allows).
    Damaged,
}

impl Conclusion {
    /// The conclusion of one image's outcome.
    pub fn of(outcome: &Outcome) -> Conclusion {
        match outcome.result() {
            ImageResult::Verified(_) => Conclusion::Verified,
            ImageResult::Ignored(_) if outcome.semantics == Semantics::NotationCli => {
                Conclusion::Verified
            }
            ImageResult::Ignored(_) => Conclusion::Ignored,
            ImageResult::Failed => Conclusion::NotVerified,
        }
    }
}

/// What a run produced: the report, how it ended, and remarks about the input read on the way.
#[derive(Debug, Clone)]
pub struct Run {
    /// The report of every image verified.
    pub report: Report,
    /// The worst result.
    pub conclusion: Conclusion,
    /// Remarks about the trust material that are not warnings (files skipped, keys ignored), in
    /// the order they were met.
    pub notes: Vec<String>,
}

/// Why a verification could not be run or finished.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The bundle cannot be read.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The bundle is damaged: the report (integrity only) is in `report`.
    #[error("bundle {} is damaged: {}", .report.bundle.name, .report.bundle.problems.join("; "))]
    Damaged {
        /// The report, with the bundle's integrity problems.
        report: Box<Report>,
    },
    /// The image asked for is not in the bundle, or the choice is ambiguous.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A scope was given for an image (`REF=SCOPE`) that the bundle does not hold: a mistake
    /// of the request, not an image that is missing.
    #[error("a scope is given for {0}")]
    ScopeForUnknownImage(ResolveError),
    /// A verifier of Flux manifests was asked to verify one image: the manifests name theirs.
    #[error("Flux manifests name their own images: verify the bundle instead")]
    NotOneImage,
    /// An image cannot be verified against the trust material (no scope, no policy statement).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A CRL of the trust material cannot be parsed.
    #[error(transparent)]
    Crl(#[from] RevocationError),
    /// A cosign verifier was asked to verify one image from a signature source: cosign
    /// signatures are read from a bundle's OCI graph.
    #[error("cosign signatures are read from the bundle's OCI graph: verify the bundle instead")]
    NotAGraph,
    /// No OCIRepository of the Flux manifests is the one asked for.
    #[error("no OCIRepository matches")]
    NoRepository {
        /// The `namespace/name` asked for, if any.
        wanted: Option<String>,
        /// The `namespace/name` of every OCIRepository read.
        known: Vec<String>,
    },
}

/// The verifier: trust, CRLs and limits, fixed once; verify any number of bundles with it.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: Trust,
    crls: CrlSet,
    limits: Limits,
    /// A Sigstore trust root (name, bytes) for keyless OCIRepositories without
    /// `trustedRootSecretRef`.
    trusted_root: Option<(String, Vec<u8>)>,
}

impl Verifier {
    /// A verifier of `material` (a Secret's entries, [`TrustMaterial::from_entries`], or a
    /// folder), with the CRLs of `crls` and those of the material's `*.crl` entries.
    pub fn new(
        material: TrustMaterial,
        crls: CrlSet,
        limits: Limits,
    ) -> Result<Verifier, RevocationError> {
        let merged = crl_set(&crls, &material, &limits)?;
        Ok(Verifier {
            trust: Trust::Material {
                material: Box::new(material),
                crls: merged,
            },
            crls,
            limits,
            trusted_root: None,
        })
    }

    /// A verifier of cosign signatures: every image is judged with `material` (keys, or a
    /// trust root and identities).
    pub fn for_cosign(material: CosignMaterial, limits: Limits) -> Verifier {
        Verifier {
            trust: Trust::Cosign(Box::new(material)),
            crls: CrlSet::new(),
            limits,
            trusted_root: None,
        }
    }

    /// With Flux manifests: the Sigstore trust root (`name` for messages, its JSON) that
    /// keyless OCIRepositories without `spec.verify.trustedRootSecretRef` are verified with.
    pub fn with_trusted_root(mut self, name: String, json: Vec<u8>) -> Verifier {
        self.trusted_root = Some((name, json));
        self
    }

    /// A verifier of Flux manifests: each OCIRepository's image is verified against its own
    /// Secret (`spec.verify.secretRef`, same namespace), reported with Flux's `SourceVerified`
    /// condition.
    pub fn for_flux(objects: FluxObjects, crls: CrlSet, limits: Limits) -> Verifier {
        Verifier {
            trust: Trust::Flux(Box::new(objects)),
            crls,
            limits,
            trusted_root: None,
        }
    }

    /// The limits this verifier applies.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Read a bundle (a folder, an archive, standard input or any reader) with this verifier's
    /// limits.
    pub fn read_bundle(
        &self,
        source: &Source,
        progress: &ProgressSink,
    ) -> Result<Bundle, BundleError> {
        bundle::read_bundle(source, &self.limits, progress)
    }

    /// Verify one image whose signatures come from `signatures`, against the trust material.
    /// `reference` is how the image was asked for (tag or digest); `scope` its
    /// `registry/repository`, when not named by the image itself. With Flux manifests there is
    /// no single trust material: use [`Verifier::verify`].
    pub fn verify_image(
        &self,
        signatures: &dyn SignatureSource,
        image: &Image,
        reference: &str,
        scope: Option<&str>,
        at: At,
    ) -> Result<Outcome, RunError> {
        match &self.trust {
            Trust::Material { material, crls } => {
                let ctx = VerifyContext {
                    trust: material,
                    at: at.time(),
                    at_source: at.source(),
                    crls,
                    limits: &self.limits,
                };
                Ok(verify::verify_image(
                    signatures, image, reference, scope, &ctx,
                )?)
            }
            Trust::Flux(_) => Err(RunError::NotOneImage),
            Trust::Cosign(_) => Err(RunError::NotAGraph),
        }
    }

    /// One image of the bundle's graph, with this verifier's provider.
    fn verify_in_graph(
        &self,
        graph: &Graph,
        image: &Image,
        reference: &str,
        scope: Option<&str>,
        at: At,
    ) -> Result<Outcome, RunError> {
        match &self.trust {
            Trust::Cosign(material) => {
                // cosign has no policy statement to choose: the scope only names the image in
                // the report and the attestation, which say where it came from.
                let (scope, source) = match scope {
                    Some(s) => (s.to_string(), ScopeSource::User),
                    None => match image
                        .full_name
                        .as_deref()
                        .and_then(verify::scope_of_full_name)
                    {
                        Some(s) => (s, ScopeSource::Bundle),
                        None => ("*".to_string(), ScopeSource::Policy),
                    },
                };
                let mut outcome = cosign::verify_image(
                    graph,
                    image,
                    reference,
                    &scope,
                    material,
                    (at.time(), at.source()),
                    &self.limits,
                );
                outcome.scope_source = source;
                Ok(outcome)
            }
            _ => self.verify_image(graph, image, reference, scope, at),
        }
    }

    /// Verify what `request` asks for in a bundle already read: its integrity first (a damaged
    /// bundle is [`RunError::Damaged`]), then every image asked for, in bundle order.
    pub fn verify(&self, bundle: &Bundle, request: &Request) -> Result<Run, RunError> {
        let graph = Graph::build(bundle, &self.limits)?;
        self.verify_graph(bundle, &graph, request)
    }

    /// As [`Verifier::verify`], for a bundle read for this run only: its contents are released
    /// once the graph is built, so a bundle of many images is not held in memory twice.
    pub fn verify_owned(&self, mut bundle: Bundle, request: &Request) -> Result<Run, RunError> {
        let graph = Graph::build(&bundle, &self.limits)?;
        bundle.release_contents();
        self.verify_graph(&bundle, &graph, request)
    }

    fn verify_graph(
        &self,
        bundle: &Bundle,
        graph: &Graph,
        request: &Request,
    ) -> Result<Run, RunError> {
        let mut report = Report {
            version: REPORT_VERSION,
            bundle: bundle_summary(bundle, graph),
            results: Vec::new(),
            not_requested: Vec::new(),
        };
        if report.bundle.damaged {
            return Err(RunError::Damaged {
                report: Box::new(report),
            });
        }
        let mut run = match &self.trust {
            Trust::Material { .. } | Trust::Cosign(_) => {
                self.verify_images(graph, request, report)?
            }
            Trust::Flux(objects) => {
                let mut notes = Vec::new();
                let conclusion =
                    self.verify_flux(objects, graph, request, &mut report, &mut notes)?;
                Run {
                    report,
                    conclusion,
                    notes,
                }
            }
        };
        run.notes.shrink_to_fit();
        Ok(run)
    }

    fn verify_images(
        &self,
        graph: &Graph,
        request: &Request,
        mut report: Report,
    ) -> Result<Run, RunError> {
        let images: Vec<(&Image, String)> = match &request.images {
            Images::All => graph.images().iter().map(|i| (i, image_label(i))).collect(),
            Images::One(reference) => {
                let image = graph.resolve(reference.as_deref())?;
                let label = reference.clone().unwrap_or_else(|| image_label(image));
                vec![(image, label)]
            }
        };
        // A `--scope REF=...` for an image the bundle does not hold is a typo, not a no-op.
        for (reference, _) in &request.scopes {
            if let Err(e @ ResolveError::NotFound { .. }) = graph.resolve(Some(reference)) {
                return Err(RunError::ScopeForUnknownImage(e));
            }
        }
        // Images are independent: verify them on all cores, report them in bundle order.
        use rayon::prelude::*;
        let outcomes: Vec<_> = images
            .par_iter()
            .map(|(image, label)| -> Result<Outcome, RunError> {
                let (scope, source) = scope_of(request, image, label);
                let mut outcome =
                    self.verify_in_graph(graph, image, label, scope.as_deref(), request.at)?;
                if source == Some(ScopeSource::Bundle) {
                    outcome.scope_source = ScopeSource::Bundle;
                }
                Ok(outcome)
            })
            .collect();
        let mut conclusion = Conclusion::Verified;
        for outcome in outcomes {
            let outcome = outcome?;
            conclusion = conclusion.max(Conclusion::of(&outcome));
            report.results.push(ResultEntry::from_outcome(outcome));
        }
        Ok(Run {
            report,
            conclusion,
            notes: Vec::new(),
        })
    }

    /// Every OCIRepository (or the one asked for), each with its own image (`spec.ref`), scope
    /// (`spec.url`) and Secret (`spec.verify.secretRef`, same namespace), reported with Flux's
    /// `SourceVerified` condition. A repository whose Secret, policy or `spec.ref` is invalid is
    /// [`Conclusion::Misconfigured`]; one whose image is missing from the bundle or does not
    /// verify is [`Conclusion::NotVerified`].
    fn verify_flux(
        &self,
        objects: &FluxObjects,
        graph: &Graph,
        request: &Request,
        report: &mut Report,
        notes: &mut Vec<String>,
    ) -> Result<Conclusion, RunError> {
        let mut worst = Conclusion::Verified;
        let mut requested = BTreeSet::new();
        let repos: Vec<&FluxRepository> = objects
            .repositories
            .iter()
            .filter(|r| {
                request
                    .ocirepository
                    .as_deref()
                    .is_none_or(|want| want == r.namespaced_name())
            })
            .collect();
        if repos.is_empty() {
            return Err(RunError::NoRepository {
                wanted: request.ocirepository.clone(),
                known: objects
                    .repositories
                    .iter()
                    .map(|r| r.namespaced_name())
                    .collect(),
            });
        }
        for repo in repos {
            // Flux resolves the artifact before it verifies: the image comes first.
            let selection = flux::select_image(repo, graph.images());
            if let Ok(sel) = &selection {
                requested.insert(sel.image.descriptor.digest.clone());
            }
            let (conclusion, entry) =
                self.verify_repository(objects, graph, repo, selection, request.at, notes);
            worst = worst.max(conclusion);
            report.results.push(entry);
        }
        report.not_requested = graph
            .images()
            .iter()
            .filter(|i| !requested.contains(&i.descriptor.digest))
            .map(|i| format!("{} ({})", i.reference(), i.descriptor.digest))
            .collect();
        Ok(worst)
    }

    /// One OCIRepository: its `SourceVerified` condition and report entry.
    fn verify_repository(
        &self,
        objects: &FluxObjects,
        graph: &Graph,
        repo: &FluxRepository,
        selection: Result<flux::Selection<'_>, SelectError>,
        at: At,
        notes: &mut Vec<String>,
    ) -> (Conclusion, ResultEntry) {
        let id = repo.namespaced_name();
        let unverified = |condition, verdict, note| unverified_entry(&id, condition, verdict, note);
        let image_note = || selection_note(&selection);
        let Some(verify) = &repo.verify else {
            return (
                Conclusion::Ignored,
                unverified(
                    flux::SourceVerified::not_configured(),
                    Verdict::Ignored,
                    image_note(),
                ),
            );
        };
        if verify.provider == "cosign" {
            return self.verify_cosign_repository(objects, graph, repo, verify, selection, at);
        }
        if verify.provider != "notation" {
            return (
                Conclusion::NotVerified,
                unverified(
                    flux::SourceVerified::unsupported_provider(&verify.provider),
                    Verdict::Failed,
                    image_note(),
                ),
            );
        }
        let step = (|| -> Result<(Outcome, Option<String>), (Conclusion, String)> {
            let sel = selection.clone().map_err(|e| match e {
                SelectError::Invalid(e) => (Conclusion::Misconfigured, e.to_string()),
                SelectError::NotFound(m) => (Conclusion::NotVerified, m),
            })?;
            let config = |e: String| (Conclusion::Misconfigured, e);
            let secret = verify.secret_ref.as_deref().ok_or_else(|| {
                config(format!(
                    "verification secret cannot be empty: '{}@{}'",
                    repo.scope, sel.image.descriptor.digest
                ))
            })?;
            let material = objects
                .secret_material(&repo.namespace, secret, &self.limits)
                .map_err(|e: TrustError| config(e.to_string()))?;
            notes.extend(material.notes.iter().cloned());
            let crls =
                crl_set(&self.crls, &material, &self.limits).map_err(|e| config(e.to_string()))?;
            let ctx = VerifyContext {
                trust: &material,
                at: at.time(),
                at_source: at.source(),
                crls: &crls,
                limits: &self.limits,
            };
            let mut outcome =
                verify::verify_image(graph, sel.image, &sel.reference, Some(&repo.scope), &ctx)
                    .map_err(|e| match e.is_bundle_fault() {
                        true => (Conclusion::Damaged, e.to_string()),
                        false => config(e.to_string()),
                    })?;
            outcome.scope_source = ScopeSource::Flux;
            Ok((outcome, sel.note))
        })();
        match step {
            Ok((outcome, note)) => verified_entry(&id, outcome, note),
            Err((conclusion, message)) => (
                conclusion,
                unverified(
                    flux::SourceVerified::failed(&message),
                    Verdict::Failed,
                    image_note(),
                ),
            ),
        }
    }
}

/// The entry of an OCIRepository whose image was verified (or failed, or ignored) by a
/// provider: Flux's condition for the outcome, and the selection's note.
fn verified_entry(id: &str, outcome: Outcome, note: Option<String>) -> (Conclusion, ResultEntry) {
    let condition = flux::SourceVerified::of_outcome(&outcome);
    let conclusion = Conclusion::of(&outcome);
    let mut entry = ResultEntry::from_outcome(outcome);
    entry.flux = Some(FluxStatus::of(id, condition));
    entry.note = note;
    (conclusion, entry)
}

/// The entry of an OCIRepository that has no outcome: Flux's `condition`, the verdict, a note.
fn unverified_entry(
    id: &str,
    condition: flux::SourceVerified,
    verdict: Verdict,
    note: Option<String>,
) -> ResultEntry {
    ResultEntry {
        outcome: None,
        flux: Some(FluxStatus::of(id, condition)),
        verdict: Some(verdict),
        ignored: (verdict == Verdict::Ignored).then_some(Ignored::NotConfigured),
        note,
    }
}

/// `image REF (DIGEST)` of the image an OCIRepository selected, when it selected one.
fn selection_note(selection: &Result<flux::Selection<'_>, SelectError>) -> Option<String> {
    selection
        .as_ref()
        .ok()
        .map(|s| format!("image {} ({})", s.reference, s.image.descriptor.digest))
}

/// Whether `reference` names `image`: one of its tags or full names, or its digest (alone or
/// after `name@`).
fn names_image(image: &Image, reference: &str) -> bool {
    let digest = reference.rsplit_once('@').map_or(reference, |(_, d)| d);
    image.descriptor.digest.to_string() == digest
        || image.tags.iter().any(|t| t == reference)
        || image.full_names.iter().any(|n| n == reference)
}

/// The scope of one image and where it came from: `--scope REF=...` for it, else `--scope`,
/// else (with `scope_from_bundle`) its own full name; else none, and only a policy whose only
/// statement is `*` applies.
fn scope_of(
    request: &Request,
    image: &Image,
    label: &str,
) -> (Option<String>, Option<ScopeSource>) {
    if let Some((_, scope)) = request
        .scopes
        .iter()
        .find(|(r, _)| r == label || names_image(image, r))
    {
        return (Some(scope.clone()), Some(ScopeSource::User));
    }
    if let Some(scope) = &request.scope {
        return (Some(scope.clone()), Some(ScopeSource::User));
    }
    if request.scope_from_bundle {
        if let Some(scope) = image
            .full_name
            .as_deref()
            .and_then(verify::scope_of_full_name)
        {
            return (Some(scope), Some(ScopeSource::Bundle));
        }
    }
    (None, None)
}

impl Verifier {
    /// One OCIRepository with `provider: cosign`: keyed with `secretRef` (its `*.pub`
    /// entries), keyless without (`matchOIDCIdentity`, and the trust root of
    /// `trustedRootSecretRef` or of [`Verifier::with_trusted_root`]; never a download).
    fn verify_cosign_repository(
        &self,
        objects: &FluxObjects,
        graph: &Graph,
        repo: &FluxRepository,
        verify: &flux::FluxVerify,
        selection: Result<flux::Selection<'_>, SelectError>,
        at: At,
    ) -> (Conclusion, ResultEntry) {
        let id = repo.namespaced_name();
        let provider = match verify.secret_ref {
            Some(_) => "cosign",
            None => "cosign keyless",
        };
        let image_note = selection_note(&selection);
        let step = (|| -> Result<(Outcome, Option<String>), (Conclusion, String)> {
            let sel = selection.clone().map_err(|e| match e {
                SelectError::Invalid(e) => (Conclusion::Misconfigured, e.to_string()),
                SelectError::NotFound(m) => (Conclusion::NotVerified, m),
            })?;
            let config = |e: String| (Conclusion::Misconfigured, e);
            let material = self
                .cosign_material(objects, repo, verify)
                .map_err(config)?;
            let outcome = cosign::verify_image(
                graph,
                sel.image,
                &sel.reference,
                &repo.scope,
                &material,
                (at.time(), at.source()),
                &self.limits,
            );
            Ok((outcome, sel.note))
        })();
        match step {
            Ok((outcome, note)) => verified_entry(&id, outcome, note),
            Err((conclusion, message)) => {
                // A hint follows Flux's message on its own line.
                let (message, hint) = match message.split_once('\n') {
                    Some((m, h)) => (m.to_string(), Some(h.to_string())),
                    None => (message, None),
                };
                let note = match (hint, image_note) {
                    (Some(h), Some(i)) => Some(format!("{i}; {h}")),
                    (h, i) => h.or(i),
                };
                (
                    conclusion,
                    unverified_entry(
                        &id,
                        flux::SourceVerified::failed_with(provider, &message),
                        Verdict::Failed,
                        note,
                    ),
                )
            }
        }
    }

    /// The cosign trust material of an OCIRepository; a hint, if any, after a newline.
    fn cosign_material(
        &self,
        objects: &FluxObjects,
        repo: &FluxRepository,
        verify: &flux::FluxVerify,
    ) -> Result<CosignMaterial, String> {
        flux_cosign_material(objects, repo, verify, self.trusted_root.as_ref())
    }
}

/// The cosign trust material of an OCIRepository with `provider: cosign`: the `*.pub` entries
/// of `secretRef`, or `matchOIDCIdentity` with the trust root of `trustedRootSecretRef` (else
/// `trusted_root`, a `(name, JSON)` the user gave); a hint, if any, after a newline.
pub fn flux_cosign_material(
    objects: &FluxObjects,
    repo: &FluxRepository,
    verify: &flux::FluxVerify,
    trusted_root: Option<&(String, Vec<u8>)>,
) -> Result<CosignMaterial, String> {
    if let Some(name) = &verify.secret_ref {
        let secret = objects
            .secret(&repo.namespace, name)
            .map_err(|e| e.to_string())?;
        // Without `*.pub` entries Flux tries no key and reports no matching signatures.
        return CosignMaterial::from_secret(secret).map_err(|e| e.to_string());
    }
    let patterns: Vec<IdentityPattern> = verify
        .match_oidc_identity
        .iter()
        .map(|(issuer, subject)| IdentityPattern {
            issuer: issuer.clone(),
            subject: subject.clone(),
        })
        .collect();
    if patterns.is_empty() {
        return Err(format!(
                "keyless verification of OCIRepository {} needs spec.verify.matchOIDCIdentity (an issuer and a subject)",
                repo.namespaced_name()
            ));
    }
    let (source, root_name, root) = match &verify.trusted_root_secret_ref {
            Some(name) => {
                let secret = objects
                    .secret(&repo.namespace, name)
                    .map_err(|e| e.to_string())?;
                let mut values = secret
                    .values_where(|k| k == TRUSTED_ROOT_KEY)
                    .map_err(|e| e.to_string())?;
                let root = values.remove(TRUSTED_ROOT_KEY).ok_or_else(|| {
                    format!(
                        "secret '{}' has no key {TRUSTED_ROOT_KEY}",
                        secret.namespaced_name()
                    )
                })?;
                (
                    format!("{} ({})", secret.source, secret.namespaced_name()),
                    format!("{TRUSTED_ROOT_KEY} of secret '{}'", secret.namespaced_name()),
                    root,
                )
            }
            None => match trusted_root {
                Some((name, json)) => (name.clone(), name.clone(), json.clone()),
                None => {
                    return Err(format!("{NO_TRUST_ROOT}: spec.verify.trustedRootSecretRef is not set, and the public-good root is never fetched offline\n{NO_TRUST_ROOT_HINT}"))
                }
            },
        };
    CosignMaterial::keyless(source, &root_name, root, patterns).map_err(|e| e.to_string())
}

/// How the message of a keyless OCIRepository without a trust root begins (its hint, on its own
/// line, says where one comes from: [`Verifier::with_trusted_root`] or
/// `spec.verify.trustedRootSecretRef`).
pub const NO_TRUST_ROOT: &str = "no Sigstore trust root for keyless verification";

/// The hint that follows [`NO_TRUST_ROOT`] (a program names its own way of giving the root).
pub const NO_TRUST_ROOT_HINT: &str =
    "give the verifier a trust root (a trusted_root.json), or set spec.verify.trustedRootSecretRef";

/// The label of an image in the report: its first tag, or its digest.
fn image_label(image: &Image) -> String {
    image
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| image.descriptor.digest.to_string())
}

/// The CRLs of `crls` (already parsed) and of the trust material's `*.crl` entries.
fn crl_set(
    crls: &CrlSet,
    material: &TrustMaterial,
    limits: &Limits,
) -> Result<CrlSet, RevocationError> {
    let mut set = crls.clone();
    for (name, bytes) in &material.crls {
        set.add_bytes(name, bytes, limits)?;
    }
    Ok(set)
}

/// The report's summary of a bundle's integrity.
pub fn bundle_summary(bundle: &Bundle, graph: &Graph) -> BundleSummary {
    let integrity = graph.integrity();
    BundleSummary {
        name: bundle.name.clone(),
        format: bundle.format.name().to_string(),
        blobs: integrity.blobs,
        bytes: integrity.bytes,
        damaged: integrity.is_damaged(),
        problems: integrity.listed_problems(),
        unreferenced: integrity
            .unreferenced
            .iter()
            .map(|d| d.to_string())
            .collect(),
    }
}

//! Flux manifests as input (FLUX.md §2.3, §4): OCIRepository objects
//! (`source.toolkit.fluxcd.io/v1beta2` or `v1`) and the Secrets they name, read from
//! multi-document YAML/JSON files or folders (a GitOps checkout) walked for `*.yaml`, `*.yml`
//! and `*.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::secret::{flatten_lists, object_kind, SecretObject, DEFAULT_NAMESPACE};
use super::yaml::{parse_documents, read_limited};
use super::{TrustError, TrustMaterial};
use crate::limits::Limits;
use crate::oci::digest::Digest;
use crate::oci::Image;

/// The API group of Flux sources.
pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";
/// Docker Hub's registry host after go-containerregistry normalisation.
pub const DOCKER_HUB: &str = "index.docker.io";
/// Tag used when `spec.ref` names nothing.
pub const DEFAULT_TAG: &str = "latest";

/// Which artifact an OCIRepository asks for (`spec.ref`, in Flux's priority order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FluxRef {
    /// `spec.ref.digest`: wins over everything else.
    Digest(String),
    /// `spec.ref.semver`: the highest tag matching the range (optionally `semverFilter`, a
    /// regular expression applied to the tags first, see [`pick_semver_filtered`]).
    Semver {
        /// The range as written.
        range: String,
        /// `spec.ref.semverFilter`, as written.
        filter: Option<String>,
    },
    /// `spec.ref.tag`, `latest` by default.
    Tag(String),
}

/// `spec.verify` of an OCIRepository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FluxVerify {
    /// `provider`: `notation` or `cosign` (the CRD default is `cosign`).
    pub provider: String,
    /// `secretRef.name`, if set (Flux fails with "verification secret cannot be empty" without).
    pub secret_ref: Option<String>,
}

/// An OCIRepository, reduced to what verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FluxRepository {
    /// The file it was read from.
    pub source: String,
    /// `metadata.namespace`, `default` when absent.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.url` as written.
    pub url: String,
    /// `registry/repository` of the URL, normalised as go-containerregistry does: the scope the
    /// trust policy's registryScopes are matched against (FLUX.md §2.3).
    pub scope: String,
    /// The reference to verify.
    pub reference: FluxRef,
    /// `spec.verify`, if any.
    pub verify: Option<FluxVerify>,
}

impl FluxRepository {
    /// `namespace/name`.
    pub fn namespaced_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Everything read from Flux manifests.
#[derive(Debug, Clone, Default)]
pub struct FluxObjects {
    /// The OCIRepositories, in file and document order.
    pub repositories: Vec<FluxRepository>,
    /// Secrets by `(namespace, name)`.
    pub secrets: BTreeMap<(String, String), SecretObject>,
    /// Verbose-only remarks (files or documents skipped).
    pub notes: Vec<String>,
}

impl FluxObjects {
    /// The trust material of Secret `namespace/name` (the OCIRepository's own namespace: a
    /// Secret of another namespace is not found, as in Kubernetes).
    pub fn secret_material(
        &self,
        namespace: &str,
        name: &str,
        limits: &Limits,
    ) -> Result<TrustMaterial, TrustError> {
        self.secrets
            .get(&(namespace.to_string(), name.to_string()))
            .ok_or_else(|| TrustError::SecretNotFound {
                namespace: namespace.to_string(),
                name: name.to_string(),
            })?
            .material(limits)
    }
}

/// Load Flux manifests from files and folders. Files named explicitly must parse; files found
/// by walking a folder that are not YAML/JSON (templates, say) are skipped with a note, but
/// resource-limit violations and duplicate keys are errors wherever they are.
pub fn load_flux(paths: &[PathBuf], limits: &Limits) -> Result<FluxObjects, TrustError> {
    let mut out = FluxObjects::default();
    for p in paths {
        if p.is_dir() {
            let mut files = Vec::new();
            for entry in walkdir::WalkDir::new(p)
                .follow_links(false)
                .sort_by_file_name()
            {
                let entry = entry.map_err(|e| TrustError::Io {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?;
                let name = entry.file_name().to_string_lossy();
                let wanted = [".yaml", ".yml", ".json"].iter().any(|s| name.ends_with(s));
                if entry.file_type().is_file() && wanted {
                    files.push(entry.into_path());
                }
            }
            for f in files {
                load_file(&f, true, limits, &mut out)?;
            }
        } else {
            load_file(p, false, limits, &mut out)?;
        }
    }
    Ok(out)
}

fn load_file(
    path: &Path,
    walked: bool,
    limits: &Limits,
    out: &mut FluxObjects,
) -> Result<(), TrustError> {
    let shown = path.display().to_string();
    let bytes = read_limited(path, limits.max_config_file)?;
    let docs = match parse_documents(&shown, &bytes, limits) {
        Ok(d) => d,
        Err(f) if walked && !f.hard => {
            out.notes.push(format!("{shown} skipped: {}", f.error));
            return Ok(());
        }
        Err(f) => return Err(f.error),
    };
    let mut any = false;
    for d in flatten_lists(docs) {
        let (Some(kind), Some(api)) =
            (object_kind(&d), d.get("apiVersion").and_then(Value::as_str))
        else {
            continue;
        };
        any = true;
        let group = api.split_once('/').map(|(g, _)| g).unwrap_or("");
        match kind {
            "Secret" if api == "v1" => {
                let s = SecretObject::from_value(&shown, &d)?;
                out.secrets.insert((s.namespace.clone(), s.name.clone()), s);
            }
            "OCIRepository" if group == SOURCE_GROUP => {
                out.repositories.push(oci_repository(&shown, &d)?);
            }
            _ => {}
        }
    }
    if !any {
        out.notes.push(format!(
            "{shown} skipped: no Kubernetes object (apiVersion and kind) in it"
        ));
    }
    Ok(())
}

/// Read one OCIRepository object.
fn oci_repository(source: &str, v: &Value) -> Result<FluxRepository, TrustError> {
    let s = |x: Option<&Value>| x.and_then(Value::as_str).unwrap_or("").to_string();
    let meta = v.get("metadata");
    let name = s(meta.and_then(|m| m.get("name")));
    let mut namespace = s(meta.and_then(|m| m.get("namespace")));
    if namespace.is_empty() {
        namespace = DEFAULT_NAMESPACE.to_string();
    }
    let object = format!("{namespace}/{name}");
    let spec = v.get("spec");
    let url = s(spec.and_then(|x| x.get("url")));
    if url.is_empty() {
        return Err(TrustError::MissingUrl {
            path: source.to_string(),
            object,
        });
    }
    let scope = flux_url_scope(&url).map_err(|reason| TrustError::BadUrl {
        path: source.to_string(),
        object: object.clone(),
        url: url.clone(),
        reason,
    })?;
    let r = spec.and_then(|x| x.get("ref"));
    let field = |k: &str| s(r.and_then(|x| x.get(k)));
    let reference = if !field("digest").is_empty() {
        FluxRef::Digest(field("digest"))
    } else if !field("semver").is_empty() {
        let filter = field("semverFilter");
        FluxRef::Semver {
            range: field("semver"),
            filter: (!filter.is_empty()).then_some(filter),
        }
    } else if !field("tag").is_empty() {
        FluxRef::Tag(field("tag"))
    } else {
        FluxRef::Tag(DEFAULT_TAG.to_string())
    };
    let verify = match spec.and_then(|x| x.get("verify")) {
        None | Some(Value::Null) => None,
        Some(vv) => {
            let mut provider = s(vv.get("provider"));
            if provider.is_empty() {
                provider = "cosign".to_string();
            }
            let secret = s(vv.get("secretRef").and_then(|x| x.get("name")));
            Some(FluxVerify {
                provider,
                secret_ref: (!secret.is_empty()).then_some(secret),
            })
        }
    };
    Ok(FluxRepository {
        source: source.to_string(),
        namespace,
        name,
        url,
        scope,
        reference,
        verify,
    })
}

/// `registry/repository` of an OCIRepository URL as go-containerregistry names it
/// (`name.NewRepository` after Flux strips `oci://`): the first path segment is the registry
/// only if it contains `.` or `:` (else the whole path is a Docker Hub repository); `docker.io`
/// becomes `index.docker.io`; a single-segment Docker Hub repository gets `library/`; the
/// repository must use `[a-z0-9_./-]`, 2 to 255 characters (FLUX.md §2.3).
pub fn flux_url_scope(url: &str) -> Result<String, String> {
    let Some(rest) = url.strip_prefix("oci://") else {
        return Err("it must start with oci://".into());
    };
    let (mut registry, mut repo) = match rest.split_once('/') {
        Some((first, tail)) if first.contains('.') || first.contains(':') => {
            (first.to_string(), tail.to_string())
        }
        _ => (String::new(), rest.to_string()),
    };
    let repo_ok = (2..=255).contains(&repo.len())
        && repo
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-./".contains(&b));
    if !repo_ok {
        return Err(format!(
            "repository '{repo}' must be 2 to 255 characters of a-z, 0-9, '_', '-', '.', '/' (no tag or digest in the URL: use spec.ref)"
        ));
    }
    if registry.is_empty() || registry == "docker.io" {
        registry = DOCKER_HUB.to_string();
    }
    if registry == DOCKER_HUB && !repo.contains('/') {
        repo = format!("library/{repo}");
    }
    Ok(format!("{registry}/{repo}"))
}

/// The highest tag matching a semver range, as Flux picks it from the registry's tags
/// (Masterminds/semver v3 syntax: `||`, `,` or spaces for AND, `a - b` ranges, `=`, `!=`, `>`,
/// `>=`, `<`, `<=`, `~`, `^`, wildcards `x`/`X`/`*`, optional `v`). Tags that are not versions
/// are ignored; pre-release tags match only ranges that name a pre-release. `Ok(None)` when
/// nothing matches. The original tag text is returned.
pub fn pick_semver(range: &str, tags: &[String]) -> Result<Option<String>, TrustError> {
    let constraint =
        semver_range::Constraint::parse(range).map_err(|reason| TrustError::BadSemver {
            range: range.to_string(),
            reason,
        })?;
    let mut best: Option<(semver::Version, &String)> = None;
    for t in tags {
        let Some(v) = semver_range::loose_version(t) else {
            continue;
        };
        if !constraint.matches(&v) {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(b, _)| v.cmp_precedence(b).is_gt())
        {
            best = Some((v, t));
        }
    }
    Ok(best.map(|(_, t)| t.clone()))
}

/// [`pick_semver`] after Flux's `spec.ref.semverFilter`: only tags the regular expression
/// matches (anywhere in the tag, as Go's `MatchString`) are considered. The expression is
/// compiled with a size limit, so a hostile filter cannot exhaust memory.
pub fn pick_semver_filtered(
    range: &str,
    filter: Option<&str>,
    tags: &[String],
) -> Result<Option<String>, TrustError> {
    let Some(filter) = filter else {
        return pick_semver(range, tags);
    };
    let re = regex::RegexBuilder::new(filter)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .map_err(|e| TrustError::BadSemverFilter {
            filter: filter.to_string(),
            reason: e
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string(),
        })?;
    let kept: Vec<String> = tags.iter().filter(|t| re.is_match(t)).cloned().collect();
    pick_semver(range, &kept)
}

/// The repository (normalised like [`flux_url_scope`]) and tag of a full image name from a
/// bundle annotation, such as `registry.example/app:v1`, `docker.io/library/app:1.0` or
/// `app@sha256:...`. `None` when the name is not a valid repository.
pub fn image_repository(name: &str) -> Option<(String, Option<String>)> {
    let without_digest = name.split('@').next().unwrap_or(name);
    let slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match without_digest.get(slash..).and_then(|l| l.find(':')) {
        Some(colon) => {
            let at = slash + colon;
            (
                without_digest.get(..at)?,
                without_digest.get(at + 1..).map(str::to_string),
            )
        }
        None => (without_digest, None),
    };
    let scope = flux_url_scope(&format!("oci://{repo}")).ok()?;
    Some((scope, tag.filter(|t| is_tag(t))))
}

/// `spec.ref.digest`: the image with that manifest digest.
fn select_by_digest<'g>(
    d: &str,
    images: &'g [Image],
    listing: &str,
) -> Result<Selection<'g>, SelectError> {
    let found = Digest::parse(d)
        .ok()
        .and_then(|want| images.iter().find(|i| i.descriptor.digest == want));
    match found {
        Some(image) => Ok(Selection {
            image,
            reference: d.to_string(),
            note: None,
        }),
        None => Err(SelectError::NotFound(format!(
            "spec.ref.digest {d} is not in the bundle; it holds: {listing}"
        ))),
    }
}

/// An OCI tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn is_tag(t: &str) -> bool {
    let mut b = t.bytes();
    t.len() <= 128
        && b.next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c))
}

/// The image an OCIRepository asks for, found in the bundle.
#[derive(Debug, Clone)]
pub struct Selection<'g> {
    /// The image.
    pub image: &'g Image,
    /// What it was found by: the tag (tag and semver references) or the digest. Flux's revision
    /// is `<tag>@<digest>` for a tag, the digest alone for `spec.ref.digest`.
    pub reference: String,
    /// How it was chosen, for the report (the tag a semver range picked, a bundle without
    /// repository names).
    pub note: Option<String>,
}

/// Why an OCIRepository's image could not be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// The reference names nothing in the bundle (or names several images): not verified.
    NotFound(String),
    /// The reference itself is invalid (semver range or filter): a configuration error.
    Invalid(TrustError),
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectError::NotFound(m) => f.write_str(m),
            SelectError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

/// Find the image an OCIRepository asks for, as Flux resolves `spec.ref` against the registry
/// (FLUX.md "Overall flow" step 2): `spec.ref.digest` by digest; otherwise the tags of the
/// repository of `spec.url`. When the bundle names repositories (`io.containerd.image.name`,
/// or a full `org.opencontainers.image.ref.name`), only images of that repository count, so a
/// bundle carrying `app-a:v1` and `app-b:v1` gives each OCIRepository its own; when no image of
/// the bundle names that repository, every image's tags count (a single-repository bundle).
/// `spec.ref.semver` takes the highest matching tag (after `semverFilter`), `spec.ref.tag` the
/// tag itself (default `latest`).
pub fn select_image<'g>(
    repo: &FluxRepository,
    images: &'g [Image],
) -> Result<Selection<'g>, SelectError> {
    let listing = || {
        images
            .iter()
            .map(|i| format!("{} ({})", i.reference(), i.descriptor.digest))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let in_repo: Vec<&Image> = images
        .iter()
        .filter(|i| {
            i.full_names
                .iter()
                .any(|n| image_repository(n).is_some_and(|(s, _)| s == repo.scope))
        })
        .collect();
    let named = !in_repo.is_empty();
    let pool: Vec<&Image> = if named {
        in_repo
    } else {
        images.iter().collect()
    };
    let candidates: Vec<(&String, &Image)> = pool
        .iter()
        .flat_map(|i| i.tags.iter().filter(|t| is_tag(t)).map(move |t| (t, *i)))
        .collect();
    let whose = if named {
        format!("of {} ", repo.scope)
    } else {
        String::new()
    };
    let unnamed_note = (!named).then(|| {
        format!(
            "the bundle names no image of repository {}: tags of every image were considered",
            repo.scope
        )
    });
    let (tag, mut note) = match &repo.reference {
        FluxRef::Tag(t) => (t.clone(), unnamed_note),
        FluxRef::Semver { range, filter } => {
            let mut tags: Vec<String> = candidates.iter().map(|(t, _)| (*t).clone()).collect();
            tags.sort();
            tags.dedup();
            let tag = pick_semver_filtered(range, filter.as_deref(), &tags)
                .map_err(SelectError::Invalid)?
                .ok_or_else(|| {
                    SelectError::NotFound(format!(
                        "no match found for semver: {range} (tags {whose}in the bundle: {})",
                        if tags.is_empty() {
                            "none".to_string()
                        } else {
                            tags.join(", ")
                        }
                    ))
                })?;
            let mut note = format!("spec.ref.semver '{range}' chose tag {tag}");
            if let Some(f) = filter {
                note.push_str(&format!(" (semverFilter '{f}')"));
            }
            if let Some(u) = unnamed_note {
                note.push_str(&format!("; {u}"));
            }
            (tag, Some(note))
        }
        FluxRef::Digest(d) => return select_by_digest(d, images, &listing()),
    };
    let mut found: Vec<&Image> = candidates
        .iter()
        .filter(|(t, _)| **t == tag)
        .map(|(_, i)| *i)
        .collect();
    found.dedup_by(|a, b| a.descriptor.digest == b.descriptor.digest);
    match found.as_slice() {
        [image] => Ok(Selection {
            image,
            reference: tag,
            note: note.take(),
        }),
        [] => Err(SelectError::NotFound(format!(
            "tag '{tag}' {whose}is not in the bundle; it holds: {}",
            listing()
        ))),
        several => Err(SelectError::NotFound(format!(
            "tag '{tag}' names {} different images of the bundle; it holds: {}. Give the image's full name (io.containerd.image.name) in the bundle, or use spec.ref.digest",
            several.len(),
            listing()
        ))),
    }
}

/// A small implementation of Masterminds/semver v3 constraints (what Flux uses).
mod semver_range {
    use semver::{BuildMetadata, Prerelease, Version};
    use std::cmp::Ordering;

    /// Parse a version the loose way: optional `v`, 1 to 3 numeric parts, pre-release and build.
    pub fn loose_version(s: &str) -> Option<Version> {
        partial(s).map(|p| p.floor())
    }

    /// A version that may be partial or carry wildcards: `1`, `1.2`, `1.2.x`, `*`.
    #[derive(Debug, Clone)]
    struct Partial {
        parts: [Option<u64>; 3],
        pre: Prerelease,
        build: BuildMetadata,
    }

    impl Partial {
        fn floor(&self) -> Version {
            Version {
                major: self.parts[0].unwrap_or(0),
                minor: self.parts[1].unwrap_or(0),
                patch: self.parts[2].unwrap_or(0),
                pre: self.pre.clone(),
                build: self.build.clone(),
            }
        }
        /// How many leading parts are fixed.
        fn fixed(&self) -> usize {
            self.parts.iter().take_while(|p| p.is_some()).count()
        }
        /// The exclusive upper bound of the wildcard range (`1.2.x` -> `1.3.0`).
        fn ceil(&self) -> Option<Version> {
            let [a, b, _] = self.parts;
            match self.fixed() {
                0 => None,
                1 => Some(Version::new(a?.checked_add(1)?, 0, 0)),
                2 => Some(Version::new(a?, b?.checked_add(1)?, 0)),
                _ => None,
            }
        }
    }

    fn partial(s: &str) -> Option<Partial> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let (s, build) = match s.split_once('+') {
            Some((a, b)) => (a, BuildMetadata::new(b).ok()?),
            None => (s, BuildMetadata::EMPTY),
        };
        let (core, pre) = match s.split_once('-') {
            Some((a, b)) => (a, Prerelease::new(b).ok()?),
            None => (s, Prerelease::EMPTY),
        };
        let mut parts = [None; 3];
        let mut wild = false;
        for (i, p) in core.split('.').enumerate() {
            let slot = parts.get_mut(i)?;
            if matches!(p, "x" | "X" | "*") {
                wild = true;
                continue;
            }
            if wild || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = Some(p.parse().ok()?);
        }
        Some(Partial { parts, pre, build })
    }

    #[derive(Debug, Clone)]
    enum Op {
        Eq,
        Ne,
        Gt,
        Ge,
        Lt,
        Le,
        Tilde,
        Caret,
    }

    #[derive(Debug, Clone)]
    struct Cmp {
        op: Op,
        v: Partial,
    }

    /// OR of ANDs of comparators.
    #[derive(Debug, Clone)]
    pub struct Constraint(Vec<Vec<Cmp>>);

    impl Constraint {
        pub fn parse(s: &str) -> Result<Constraint, String> {
            let mut groups = Vec::new();
            for group in s.split("||") {
                let tokens: Vec<&str> = group
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|t| !t.is_empty())
                    .collect();
                if tokens.is_empty() {
                    return Err(format!("improper constraint: {s}"));
                }
                let mut cmps = Vec::new();
                let mut i = 0;
                while i < tokens.len() {
                    // Hyphen range: `a - b`.
                    if tokens.get(i + 1) == Some(&"-") {
                        let lo = partial(tokens[i])
                            .ok_or_else(|| format!("improper constraint: {s}"))?;
                        let hi_s = tokens
                            .get(i + 2)
                            .ok_or_else(|| format!("improper constraint: {s}"))?;
                        let hi =
                            partial(hi_s).ok_or_else(|| format!("improper constraint: {s}"))?;
                        cmps.push(Cmp { op: Op::Ge, v: lo });
                        cmps.push(Cmp { op: Op::Le, v: hi });
                        i += 3;
                        continue;
                    }
                    let mut tok = tokens[i];
                    // An operator written apart from its version: `>= 1.2`.
                    let joined;
                    if tok.bytes().all(|b| b"<>=!~^".contains(&b)) {
                        let next = tokens
                            .get(i + 1)
                            .ok_or_else(|| format!("improper constraint: {s}"))?;
                        joined = format!("{tok}{next}");
                        tok = &joined;
                        i += 1;
                    }
                    cmps.push(comparator(tok).ok_or_else(|| format!("improper constraint: {s}"))?);
                    i += 1;
                }
                groups.push(cmps);
            }
            Ok(Constraint(groups))
        }

        pub fn matches(&self, v: &Version) -> bool {
            self.0.iter().any(|g| {
                // Pre-releases match only when a comparator of the group names one.
                if !v.pre.is_empty() && g.iter().all(|c| c.v.pre.is_empty()) {
                    return false;
                }
                g.iter().all(|c| c.matches(v))
            })
        }
    }

    fn comparator(tok: &str) -> Option<Cmp> {
        let ops: [(&str, Op); 12] = [
            (">=", Op::Ge),
            ("=>", Op::Ge),
            ("<=", Op::Le),
            ("=<", Op::Le),
            ("!=", Op::Ne),
            ("~>", Op::Tilde),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("=", Op::Eq),
            ("~", Op::Tilde),
            ("^", Op::Caret),
            ("", Op::Eq),
        ];
        for (prefix, op) in ops {
            if let Some(rest) = tok.strip_prefix(prefix) {
                let v = if rest.is_empty() { None } else { partial(rest) };
                return v.map(|v| Cmp { op, v });
            }
        }
        None
    }

    impl Cmp {
        fn matches(&self, v: &Version) -> bool {
            let floor = self.v.floor();
            let cmp = |a: &Version, b: &Version| a.cmp_precedence(b);
            let in_wild = || {
                cmp(v, &floor) != Ordering::Less
                    && self.v.ceil().is_none_or(|c| cmp(v, &c) == Ordering::Less)
            };
            let wild = self.v.fixed() < 3;
            match self.op {
                Op::Eq => {
                    if wild {
                        in_wild()
                    } else {
                        cmp(v, &floor) == Ordering::Equal
                    }
                }
                Op::Ne => {
                    if wild {
                        !in_wild()
                    } else {
                        cmp(v, &floor) != Ordering::Equal
                    }
                }
                Op::Gt => match (wild, self.v.ceil()) {
                    (true, Some(c)) => cmp(v, &c) != Ordering::Less,
                    (true, None) => false,
                    _ => cmp(v, &floor) == Ordering::Greater,
                },
                Op::Ge => cmp(v, &floor) != Ordering::Less,
                Op::Lt => cmp(v, &floor) == Ordering::Less,
                Op::Le => match (wild, self.v.ceil()) {
                    (true, Some(c)) => cmp(v, &c) == Ordering::Less,
                    (true, None) => true,
                    _ => cmp(v, &floor) != Ordering::Greater,
                },
                Op::Tilde => {
                    let upper = match self.v.fixed() {
                        0 => None,
                        1 => floor.major.checked_add(1).map(|m| Version::new(m, 0, 0)),
                        _ => floor
                            .minor
                            .checked_add(1)
                            .map(|m| Version::new(floor.major, m, 0)),
                    };
                    cmp(v, &floor) != Ordering::Less
                        && upper.is_none_or(|u| cmp(v, &u) == Ordering::Less)
                }
                Op::Caret => {
                    let upper = if floor.major > 0 || self.v.fixed() == 1 {
                        floor.major.checked_add(1).map(|m| Version::new(m, 0, 0))
                    } else if floor.minor > 0 || self.v.fixed() == 2 {
                        floor.minor.checked_add(1).map(|m| Version::new(0, m, 0))
                    } else {
                        floor.patch.checked_add(1).map(|p| Version::new(0, 0, p))
                    };
                    cmp(v, &floor) != Ordering::Less
                        && upper.is_none_or(|u| cmp(v, &u) == Ordering::Less)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_normalisation() {
        assert_eq!(
            flux_url_scope("oci://docker.io/org/app").unwrap(),
            "index.docker.io/org/app"
        );
        assert_eq!(
            flux_url_scope("oci://docker.io/nginx").unwrap(),
            "index.docker.io/library/nginx"
        );
        assert_eq!(
            flux_url_scope("oci://nginx").unwrap(),
            "index.docker.io/library/nginx"
        );
        assert_eq!(
            flux_url_scope("oci://org/app").unwrap(),
            "index.docker.io/org/app"
        );
        assert_eq!(
            flux_url_scope("oci://localhost/app").unwrap(),
            "index.docker.io/localhost/app"
        );
        assert_eq!(
            flux_url_scope("oci://localhost:5000/e2e").unwrap(),
            "localhost:5000/e2e"
        );
        assert_eq!(
            flux_url_scope("oci://ghcr.io/stefanprodan/podinfo-deploy").unwrap(),
            "ghcr.io/stefanprodan/podinfo-deploy"
        );
        assert!(flux_url_scope("ghcr.io/x/y").is_err());
        assert!(flux_url_scope("oci://ghcr.io/x/y:1.0").is_err());
        assert!(flux_url_scope("oci://ghcr.io/X").is_err());
    }

    fn tags(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn semver_picks_highest_match() {
        let t = tags(&[
            "6.5.0",
            "6.6.0",
            "6.6.3",
            "v6.6.10",
            "6.7.0",
            "6.6.11-rc.1",
            "latest",
            "sha256-abc",
        ]);
        assert_eq!(
            pick_semver("6.6.x", &t).unwrap().as_deref(),
            Some("v6.6.10")
        );
        assert_eq!(
            pick_semver(">=6.0.0 <6.7.0", &t).unwrap().as_deref(),
            Some("v6.6.10")
        );
        assert_eq!(
            pick_semver(">=6.0.0, <6.6.0 || 6.7.x", &t)
                .unwrap()
                .as_deref(),
            Some("6.7.0")
        );
        assert_eq!(pick_semver("*", &t).unwrap().as_deref(), Some("6.7.0"));
        assert_eq!(pick_semver("~6.5", &t).unwrap().as_deref(), Some("6.5.0"));
        assert_eq!(pick_semver("^6.0", &t).unwrap().as_deref(), Some("6.7.0"));
        assert_eq!(pick_semver("6.6.3", &t).unwrap().as_deref(), Some("6.6.3"));
        assert_eq!(
            pick_semver("6.5.0 - 6.6.3", &t).unwrap().as_deref(),
            Some("6.6.3")
        );
        assert_eq!(
            pick_semver("!=6.7.0", &t).unwrap().as_deref(),
            Some("v6.6.10")
        );
        assert_eq!(
            pick_semver(">=6.6.11-rc.0", &t).unwrap().as_deref(),
            Some("6.7.0")
        );
        assert_eq!(
            pick_semver(">=6.6.11-rc.0 <6.7.0", &t).unwrap().as_deref(),
            Some("6.6.11-rc.1")
        );
        assert_eq!(pick_semver(">=7", &t).unwrap(), None);
    }

    #[test]
    fn bad_semver_range() {
        let e = pick_semver("not a range", &[]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("semver 'not a range' parse error: "),
            "{e}"
        );
        assert!(pick_semver(">=", &[]).is_err());
        assert!(pick_semver("", &[]).is_err());
    }

    #[test]
    fn image_names_give_normalised_repository_and_tag() {
        let r = |n: &str| image_repository(n);
        assert_eq!(
            r("registry.example/app:v1"),
            Some(("registry.example/app".into(), Some("v1".into())))
        );
        assert_eq!(
            r("registry.example:5000/team/app"),
            Some(("registry.example:5000/team/app".into(), None))
        );
        assert_eq!(
            r("docker.io/library/app:1.0@sha256:abc"),
            Some(("index.docker.io/library/app".into(), Some("1.0".into())))
        );
        assert_eq!(
            r("app:latest"),
            Some(("index.docker.io/library/app".into(), Some("latest".into())))
        );
        assert_eq!(r("Not Valid:x"), None);
    }

    #[test]
    fn semver_filter_applies_before_the_range() {
        let t = tags(&["1.0.0", "1.1.0-dev", "2.0.0", "1.0.5"]);
        assert_eq!(
            pick_semver_filtered("*", Some(r"^1\.0"), &t)
                .unwrap()
                .as_deref(),
            Some("1.0.5")
        );
        assert_eq!(
            pick_semver_filtered("*", None, &t).unwrap().as_deref(),
            Some("2.0.0")
        );
        assert_eq!(pick_semver_filtered("*", Some("^3"), &t).unwrap(), None);
        let e = pick_semver_filtered("*", Some("(["), &t).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("semverFilter '([' is not a valid regular expression: "),
            "{e}"
        );
    }

    fn image(full_name: &str, tags: &[&str], n: u8) -> Image {
        use crate::oci::digest::{Algorithm, Descriptor};
        Image {
            descriptor: Descriptor {
                media_type: crate::oci::IMAGE_MANIFEST.into(),
                digest: Algorithm::Sha256.digest(&[n]),
                size: 1,
            },
            tags: tags.iter().map(|t| t.to_string()).collect(),
            full_name: (!full_name.is_empty()).then(|| full_name.to_string()),
            full_names: if full_name.is_empty() {
                vec![]
            } else {
                vec![full_name.to_string()]
            },
            artifact_type: None,
            platforms: vec![],
            layer_count: 1,
            total_size: 1,
        }
    }

    fn repo(url: &str, reference: FluxRef) -> FluxRepository {
        FluxRepository {
            source: "test.yaml".into(),
            namespace: "flux-system".into(),
            name: "app".into(),
            url: url.into(),
            scope: flux_url_scope(url).unwrap(),
            reference,
            verify: None,
        }
    }

    #[test]
    fn each_repository_selects_among_its_own_images() {
        let images = vec![
            image("registry.example/aa:v1", &["v1"], 1),
            image("registry.example/bb:v1", &["v1"], 2),
            image("registry.example/bb:1.2.0", &["1.2.0"], 3),
        ];
        let a = repo("oci://registry.example/aa", FluxRef::Tag("v1".into()));
        let sel = select_image(&a, &images).unwrap();
        assert_eq!(sel.image.descriptor.digest, images[0].descriptor.digest);
        assert_eq!(sel.reference, "v1");
        assert!(sel.note.is_none());
        let b = repo(
            "oci://registry.example/bb",
            FluxRef::Semver {
                range: ">=1".into(),
                filter: None,
            },
        );
        let sel = select_image(&b, &images).unwrap();
        assert_eq!(sel.reference, "1.2.0");
        assert_eq!(
            sel.note.as_deref(),
            Some("spec.ref.semver '>=1' chose tag 1.2.0")
        );
        let missing = repo("oci://registry.example/aa", FluxRef::Tag("v2".into()));
        assert!(matches!(
            select_image(&missing, &images),
            Err(SelectError::NotFound(m)) if m.starts_with("tag 'v2' of registry.example/aa is not in the bundle")
        ));
        let bad = repo(
            "oci://registry.example/aa",
            FluxRef::Semver {
                range: "nope".into(),
                filter: None,
            },
        );
        assert!(matches!(
            select_image(&bad, &images),
            Err(SelectError::Invalid(TrustError::BadSemver { .. }))
        ));
        let by_digest = repo(
            "oci://registry.example/zzz",
            FluxRef::Digest(images[2].descriptor.digest.to_string()),
        );
        let sel = select_image(&by_digest, &images).unwrap();
        assert_eq!(sel.image.descriptor.digest, images[2].descriptor.digest);
    }

    #[test]
    fn a_bundle_without_repository_names_matches_every_images_tags() {
        let images = vec![image("", &["v1"], 1), image("", &["v2"], 2)];
        let r = repo("oci://registry.example/app", FluxRef::Tag("v2".into()));
        let sel = select_image(&r, &images).unwrap();
        assert_eq!(sel.image.descriptor.digest, images[1].descriptor.digest);
        assert!(sel
            .note
            .unwrap()
            .contains("names no image of repository registry.example/app"));
        // The same tag on two images of unknown repositories is ambiguous.
        let images = vec![image("", &["v1"], 1), image("", &["v1"], 2)];
        let r = repo("oci://registry.example/app", FluxRef::Tag("v1".into()));
        assert!(matches!(
            select_image(&r, &images),
            Err(SelectError::NotFound(m)) if m.contains("names 2 different images")
        ));
    }
}

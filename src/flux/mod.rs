//! Flux's side of verification: its manifests as input ([`load_flux`]), the image an
//! OCIRepository asks for ([`select`]: tags, semver ranges, `semverFilter`), and the
//! `SourceVerified` condition that its verification writes ([`condition`]).
//!
//! Flux manifests as input (FLUX.md §2.3, §4): OCIRepository objects
//! (`source.toolkit.fluxcd.io/v1beta2` or `v1`) and the Secrets they name, read from
//! multi-document YAML/JSON files or folders (a GitOps checkout) walked for `*.yaml`, `*.yml`
//! and `*.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub mod condition;
pub mod select;
mod semver_range;

pub use condition::{ConditionStatus, SourceVerified};
pub use select::{
    image_repository, pick_semver, pick_semver_filtered, select_image, SelectError, Selection,
};

use crate::limits::Limits;
use crate::trust::secret::{flatten_lists, object_kind, SecretObject, DEFAULT_NAMESPACE};
use crate::trust::yaml::{parse_documents, read_limited};
use crate::trust::{TrustError, TrustMaterial};

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
    /// `matchOIDCIdentity`: `(issuer, subject)` regular expressions (cosign keyless).
    pub match_oidc_identity: Vec<(String, String)>,
    /// `trustedRootSecretRef.name`: a Secret with key `trusted_root.json` (cosign keyless).
    pub trusted_root_secret_ref: Option<String>,
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
    /// The Secret `namespace/name`, as written.
    pub fn secret(&self, namespace: &str, name: &str) -> Result<&SecretObject, TrustError> {
        self.secrets
            .get(&(namespace.to_string(), name.to_string()))
            .ok_or_else(|| TrustError::SecretNotFound {
                namespace: namespace.to_string(),
                name: name.to_string(),
            })
    }

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

/// Load Flux manifests from files and folders (walked for `*.yaml`, `*.yml`, `*.json`). Every
/// such file must parse: a syntax error is reported with the file's path, line and column.
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
                load_file(&f, limits, &mut out)?;
            }
        } else {
            load_file(p, limits, &mut out)?;
        }
    }
    Ok(out)
}

fn load_file(path: &Path, limits: &Limits, out: &mut FluxObjects) -> Result<(), TrustError> {
    let shown = path.display().to_string();
    let bytes = read_limited(path, limits.max_config_file)?;
    // A walked file named like YAML or JSON that does not parse is an error too: skipping it
    // would hide the OCIRepository or Secret it holds behind a later "not found".
    let docs = parse_documents(&shown, &bytes, limits).map_err(|f| f.error)?;
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
            let root = s(vv.get("trustedRootSecretRef").and_then(|x| x.get("name")));
            let match_oidc_identity = vv
                .get("matchOIDCIdentity")
                .and_then(Value::as_array)
                .map(|ids| {
                    ids.iter()
                        .map(|i| (s(i.get("issuer")), s(i.get("subject"))))
                        .collect()
                })
                .unwrap_or_default();
            Some(FluxVerify {
                provider,
                secret_ref: (!secret.is_empty()).then_some(secret),
                match_oidc_identity,
                trusted_root_secret_ref: (!root.is_empty()).then_some(root),
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

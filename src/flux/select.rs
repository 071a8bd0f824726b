//! Which image of the bundle an OCIRepository asks for: `spec.ref.digest`, `spec.ref.tag`, or the
//! highest tag matching `spec.ref.semver` (after `spec.ref.semverFilter`), among the images of
//! the repository of `spec.url`.

use super::semver_range;
use super::{flux_url_scope, FluxRef, FluxRepository};
use crate::digest::Digest;
use crate::oci::Image;
use crate::trust::TrustError;

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
        use crate::digest::{Algorithm, Descriptor};
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

//! Building the graph: walk `index.json` -> indexes -> manifests -> configs, layers, subjects;
//! check each descriptor against the blob it names; find the images and the referrers.
//!
//! The walk is iterative (an explicit stack), so a long chain of subjects cannot overflow the
//! stack; index nesting is bounded by `Limits::max_index_depth`, and an index that reaches
//! itself is an error.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use super::digest::{Descriptor, Digest};
use super::integrity::{Integrity, Problem, ProblemKind};
use super::model::{is_index_media_type, is_manifest_media_type, Document, RawDescriptor};
use super::{Graph, Image, Listing, PlatformManifest, Referrer};
use crate::bundle::{Bundle, BundleError};
use crate::limits::Limits;

/// `org.opencontainers.image.ref.name`: the tag (or full reference) of an `index.json` entry.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// `io.containerd.image.name`: the full image name written by `docker save` and containerd.
pub const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// How a descriptor was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// An entry of `index.json` or of a nested index: a manifest or an index.
    Entry(Listing),
    /// The `subject` of a manifest or index: a manifest or an index.
    Subject,
    /// A config, layer or artifact blob: not parsed.
    Leaf,
}

struct Item {
    raw: RawDescriptor,
    role: Role,
    /// The indexes this item is nested in (for cycle and depth checks).
    ancestors: Rc<Vec<Digest>>,
    /// Who refers to this descriptor, for messages (shared by the descriptors of a document).
    referenced_by: Rc<str>,
}

/// What the graph keeps of a parsed manifest or index: the document itself is dropped once
/// read, so a bundle of many images holds a few small fields per manifest, not every parsed
/// descriptor and annotation.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// Media type (the document's own, else as listed), digest and actual size.
    pub descriptor: Descriptor,
    pub is_index: bool,
    /// An index's entries, with only the annotations that name images ([`REF_NAME`],
    /// [`CONTAINERD_NAME`]). Empty for a manifest.
    pub manifests: Vec<RawDescriptor>,
    /// The `subject`.
    pub subject: Option<Descriptor>,
    /// `artifactType`, else `config.mediaType` ([`Document::artifact_type`]).
    pub artifact_type: Option<String>,
    /// The annotations of a manifest with a `subject` (a referrer); empty otherwise, and moved
    /// into its [`Referrer`] once the graph is built.
    pub annotations: BTreeMap<String, String>,
    /// Layers (or artifact blobs) of a manifest and the bytes of manifest, config and layers.
    pub layer_count: usize,
    pub total_size: u64,
    /// A manifest with layers, all of cosign's signature or attestation media types.
    pub only_cosign_layers: bool,
    /// A manifest with layers, all cosign simple-signing payloads.
    pub only_simple_signing_layers: bool,
    /// For a referrer that is a Notation signature manifest (NOTATION.md §1.1-1.3): its one
    /// envelope, or why it has none.
    pub notation_envelope: Option<Box<Result<Descriptor, String>>>,
    /// The config and layer digests of a manifest, kept only for checking a `docker save`
    /// `manifest.json`.
    pub config_and_layers: Option<Box<ConfigAndLayers>>,
}

/// The parsed manifests and indexes, by digest.
pub(super) type Nodes = HashMap<Digest, Box<Node>>;

/// The config digest (if any) and the layer digests of a manifest.
pub(super) type ConfigAndLayers = (Option<Digest>, Vec<Digest>);

impl Node {
    /// What the graph keeps of `document`, listed (or found) with `descriptor`.
    fn of(descriptor: Descriptor, document: Document, is_index: bool, docker: bool) -> Node {
        let subject = document.subject.as_ref().map(RawDescriptor::descriptor);
        let notation_envelope = (subject.is_some()
            && super::signatures::is_notation_signature_manifest(
                &descriptor.media_type,
                &document,
            ))
        .then(|| {
            super::signatures::signature_manifest_has_exactly_one_envelope(
                &descriptor.media_type,
                &document,
            )
            .map(RawDescriptor::descriptor)
        })
        .map(Box::new);
        let parts = document
            .config
            .iter()
            .chain(&document.layers)
            .chain(&document.blobs);
        let total_size = parts.fold(descriptor.size, |acc, p| acc.saturating_add(p.size));
        let has_layers = !is_index && !document.layers.is_empty();
        let layers_all = |types: &[&str]| {
            has_layers
                && document
                    .layers
                    .iter()
                    .all(|l| types.contains(&l.media_type.as_str()))
        };
        let config_and_layers = (docker && !is_index).then(|| {
            Box::new((
                document.config.as_ref().map(|c| c.digest.clone()),
                document.layers.iter().map(|l| l.digest.clone()).collect(),
            ))
        });
        Node {
            is_index,
            manifests: document.manifests.iter().map(entry_names_only).collect(),
            artifact_type: document.artifact_type().map(str::to_string),
            annotations: if subject.is_some() {
                document.annotations
            } else {
                BTreeMap::new()
            },
            subject,
            layer_count: document.layers.len() + document.blobs.len(),
            total_size,
            only_cosign_layers: layers_all(COSIGN_LAYER_TYPES),
            only_simple_signing_layers: layers_all(&[SIMPLE_SIGNING]),
            notation_envelope,
            config_and_layers,
            descriptor,
        }
    }
}

/// An index entry with only the annotations that name an image.
fn entry_names_only(entry: &RawDescriptor) -> RawDescriptor {
    RawDescriptor {
        media_type: entry.media_type.clone(),
        digest: entry.digest.clone(),
        size: entry.size,
        artifact_type: entry.artifact_type.clone(),
        annotations: entry
            .annotations
            .iter()
            .filter(|(k, _)| *k == REF_NAME || *k == CONTAINERD_NAME)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        platform: entry.platform.clone(),
    }
}

struct Walker<'a> {
    bundle: &'a Bundle,
    limits: &'a Limits,
    nodes: Nodes,
    /// Every blob of the bundle reached from index.json (or from an unlisted referrer), by its
    /// position in [`Bundle::blobs`].
    reached: Vec<bool>,
    /// The best listing of each manifest listed in an index.
    listed: HashMap<Digest, (Listing, usize)>,
    problems: Vec<Problem>,
    reported: HashSet<(Digest, Option<u64>)>,
    seq: usize,
    /// Blobs whose content [`Graph::blob`] gives after the build: referrers, cosign signature
    /// and attestation manifests, and their blobs. Image manifests, indexes, configs and image
    /// layers are read by the build only, so a bundle of many images does not hold them twice.
    contents: HashMap<Digest, Arc<[u8]>>,
}

impl Graph {
    /// Check the integrity of a bundle and build its graph. Structural errors (invalid JSON, a
    /// cycle, nesting too deep, a manifest over the JSON limit, too many manifests) are `Err`;
    /// digest, size and missing-blob problems are recorded in [`Graph::integrity`].
    pub fn build(bundle: &Bundle, limits: &Limits) -> Result<Graph, BundleError> {
        let index_bytes = bundle
            .index_json
            .as_deref()
            .ok_or_else(|| BundleError::MissingFile {
                bundle: bundle.name.clone(),
                file: "index.json".to_string(),
            })?;
        let index = Document::parse(index_bytes).map_err(|e| BundleError::InvalidJson {
            bundle: bundle.name.clone(),
            entry: "index.json".to_string(),
            message: e,
        })?;
        index_json_lists_at_most_the_manifest_limit(&index, bundle, limits)?;
        // Of `index.json`, only its entries are used, and of their annotations only those that
        // name images: the rest (tens of megabytes for a bundle of many signed images) goes now.
        let entries: Vec<RawDescriptor> = index.manifests.iter().map(entry_names_only).collect();
        drop(index);
        let mut w = Walker {
            bundle,
            limits,
            nodes: HashMap::new(),
            reached: vec![false; bundle.blobs.len()],
            listed: HashMap::new(),
            problems: Vec::new(),
            reported: HashSet::new(),
            seq: 0,
            contents: HashMap::new(),
        };
        let (no_ancestors, by_index_json) = (Rc::new(Vec::new()), Rc::<str>::from("index.json"));
        let top = entries.iter().map(|m| Item {
            raw: m.clone(),
            role: Role::Entry(entry_listing(m, Listing::Index)),
            ancestors: no_ancestors.clone(),
            referenced_by: by_index_json.clone(),
        });
        w.walk(top)?;
        w.find_unlisted_referrers()?;
        let (images, structural_tags, cosign_untagged) = find_images(&entries, &w.nodes);
        drop(entries);
        if let Some(manifest_json) = &bundle.docker_manifest {
            super::docker_save::check(&bundle.name, manifest_json, &images, &w.nodes)?;
        }
        let referrers = collect_referrers(&mut w.nodes, &w.listed);
        let untagged_simple_signing = cosign_untagged
            .iter()
            .filter(|d| {
                w.nodes
                    .get(*d)
                    .is_some_and(|n| n.only_simple_signing_layers)
            })
            .cloned()
            .collect();
        let integrity = Integrity::assess(bundle, w.problems, &w.reached, w.nodes.len());
        let contents = w.contents;
        Ok(Graph {
            images,
            structural_tags,
            cosign_untagged,
            untagged_simple_signing,
            referrers,
            integrity,
            contents,
            nodes: w.nodes,
        })
    }
}

/// `index.json` lists at most `Limits::max_manifests` entries: it is bounded by that count (and
/// by a size of 1 KiB per entry, `Limits::max_index_json`), not by the JSON blob limit.
fn index_json_lists_at_most_the_manifest_limit(
    index: &Document,
    bundle: &Bundle,
    limits: &Limits,
) -> Result<(), BundleError> {
    if index.manifests.len() as u64 > limits.max_manifests {
        return Err(BundleError::TooManyManifests {
            bundle: bundle.name.clone(),
            limit: limits.max_manifests,
        });
    }
    Ok(())
}

/// An entry of an index is listed under the referrers tag schema when its `ref.name` is
/// `<alg>-<hex>` of a valid digest (NOTATION.md §1.4).
fn entry_listing(entry: &RawDescriptor, default: Listing) -> Listing {
    if referrers_tag_subject(entry).is_some() {
        Listing::TagSchema
    } else {
        default
    }
}

/// The subject digest named by a referrers-tag-schema tag (`sha256-<hex>`), if the entry has one.
pub(super) fn referrers_tag_subject(entry: &RawDescriptor) -> Option<Digest> {
    let tag = entry.annotations.get(REF_NAME)?;
    let (alg, hex) = tag.split_once('-')?;
    Digest::parse(&format!("{alg}:{hex}")).ok()
}

impl Walker<'_> {
    /// Walk depth first from each of `start` in turn (taken one at a time: the entries of a
    /// large `index.json` are not all materialised at once).
    fn walk(&mut self, start: impl IntoIterator<Item = Item>) -> Result<(), BundleError> {
        let mut start = start.into_iter();
        let mut stack: Vec<Item> = Vec::new();
        while let Some(item) = stack.pop().or_else(|| start.next()) {
            let children = self.visit(item)?;
            stack.extend(children.into_iter().rev());
        }
        Ok(())
    }

    /// Check one descriptor against its blob; parse it when it is a manifest or an index and
    /// return what it refers to.
    fn visit(&mut self, item: Item) -> Result<Vec<Item>, BundleError> {
        let digest = item.raw.digest.clone();
        if let Some(i) = self.bundle.blobs.position(&digest) {
            self.reached[i] = true;
        }
        self.check_blob(&item);
        if let Role::Entry(listing) = item.role {
            self.seq += 1;
            let seq = self.seq;
            self.listed
                .entry(digest.clone())
                .and_modify(|l| {
                    if listing < l.0 {
                        *l = (listing, seq)
                    }
                })
                .or_insert((listing, seq));
        }
        if item.role == Role::Leaf {
            return Ok(Vec::new());
        }
        let listed_as_index = is_index_media_type(&item.raw.media_type);
        if listed_as_index || item.ancestors.contains(&digest) {
            index_does_not_include_itself(&item, &self.bundle.name)?;
            index_depth_is_within_limit(&item, self.limits, &self.bundle.name)?;
        }
        if self.nodes.contains_key(&digest) {
            return Ok(Vec::new());
        }
        let Some(blob) = self.bundle.blobs.get(&digest) else {
            return Ok(Vec::new());
        };
        if !listed_as_index
            && !is_manifest_media_type(&item.raw.media_type)
            && item.role != Role::Subject
        {
            return Ok(Vec::new());
        }
        let content = blob.content.as_deref().ok_or_else(|| {
            if blob.size <= self.limits.max_json_blob {
                // Small blobs that do not start like a document are not kept (bundle::Keep).
                BundleError::InvalidJson {
                    bundle: self.bundle.name.clone(),
                    entry: format!(
                        "{} (listed by {})",
                        self.bundle.blob_path(&digest),
                        item.referenced_by
                    ),
                    message: "it does not start with `{`, so it is not a JSON manifest or index"
                        .to_string(),
                }
            } else {
                BundleError::JsonTooLarge {
                    bundle: self.bundle.name.clone(),
                    entry: self.bundle.blob_path(&digest),
                    size: blob.size,
                    limit: self.limits.max_json_blob,
                }
            }
        })?;
        let document = Document::parse(content).map_err(|e| BundleError::InvalidJson {
            bundle: self.bundle.name.clone(),
            entry: format!(
                "{} (listed by {})",
                self.bundle.blob_path(&digest),
                item.referenced_by
            ),
            message: e,
        })?;
        let media_type = document
            .effective_media_type(&item.raw.media_type)
            .to_string();
        let is_index = is_index_media_type(&media_type);
        if is_index && !listed_as_index {
            // Listed as something else: check cycles and depth now that we know.
            index_does_not_include_itself(&item, &self.bundle.name)?;
            index_depth_is_within_limit(&item, self.limits, &self.bundle.name)?;
        }
        if self.nodes.len() as u64 >= self.limits.max_manifests {
            return Err(BundleError::TooManyManifests {
                bundle: self.bundle.name.clone(),
                limit: self.limits.max_manifests,
            });
        }
        let children = self.children(&item, &document, is_index);
        let descriptor = Descriptor {
            media_type,
            digest: digest.clone(),
            size: blob.size,
        };
        let docker = self.bundle.docker_manifest.is_some();
        let node = Node::of(descriptor, document, is_index, docker);
        if node.subject.is_some() || node.only_cosign_layers {
            let leaves = children.iter().filter(|c| c.role == Role::Leaf);
            for d in std::iter::once(&digest).chain(leaves.map(|c| &c.raw.digest)) {
                if let Some(content) = self.bundle.blobs.get(d).and_then(|b| b.content.clone()) {
                    self.contents.insert(d.clone(), content);
                }
            }
        }
        self.nodes.insert(digest, Box::new(node));
        Ok(children)
    }

    fn children(&self, item: &Item, doc: &Document, is_index: bool) -> Vec<Item> {
        let by: Rc<str> = Rc::from(format!(
            "{} {}",
            if is_index { "index" } else { "manifest" },
            item.raw.digest
        ));
        let ancestors = if is_index {
            let mut a = (*item.ancestors).clone();
            a.push(item.raw.digest.clone());
            Rc::new(a)
        } else {
            item.ancestors.clone()
        };
        let inherited = match item.role {
            Role::Entry(l) => l,
            _ => Listing::Unlisted,
        };
        let mut out = Vec::new();
        let mut push = |raw: &RawDescriptor, role: Role| {
            out.push(Item {
                raw: raw.clone(),
                role,
                ancestors: ancestors.clone(),
                referenced_by: by.clone(),
            })
        };
        if is_index {
            for m in &doc.manifests {
                push(m, Role::Entry(entry_listing(m, inherited)));
            }
        } else {
            for leaf in doc.config.iter().chain(&doc.layers).chain(&doc.blobs) {
                push(leaf, Role::Leaf);
            }
        }
        if let Some(s) = &doc.subject {
            push(s, Role::Subject);
        }
        out
    }

    /// Record a missing blob or a size mismatch (once per digest and declared size).
    fn check_blob(&mut self, item: &Item) {
        let digest = &item.raw.digest;
        match self.bundle.blobs.get(digest) {
            None => {
                if self.reported.insert((digest.clone(), None)) {
                    self.problems.push(Problem {
                        digest: digest.clone(),
                        path: digest.blob_path(),
                        kind: ProblemKind::Missing {
                            referenced_by: item.referenced_by.to_string(),
                        },
                    });
                }
            }
            Some(blob) if blob.size != item.raw.size => {
                if self.reported.insert((digest.clone(), Some(item.raw.size))) {
                    self.problems.push(Problem {
                        digest: digest.clone(),
                        path: self.bundle.blob_path(digest),
                        kind: ProblemKind::SizeMismatch {
                            declared: item.raw.size,
                            actual: blob.size,
                            referenced_by: item.referenced_by.to_string(),
                        },
                    });
                }
            }
            Some(_) => {}
        }
    }

    /// Blobs reached from nowhere that parse as manifests with a `subject`: referrers that
    /// notation would not see. They are walked too, so their own blobs count as referenced.
    fn find_unlisted_referrers(&mut self) -> Result<(), BundleError> {
        let mut found = Vec::new();
        for ((digest, blob), reached) in self.bundle.blobs.iter().zip(&self.reached) {
            if *reached {
                continue;
            }
            let Some(content) = blob.content.as_deref() else {
                continue;
            };
            if content.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                continue;
            }
            let Ok(doc) = Document::parse(content) else {
                continue;
            };
            let Some(media_type) = doc.media_type.clone() else {
                continue;
            };
            if doc.subject.is_none() || !is_manifest_media_type(&media_type) {
                continue;
            }
            found.push(Item {
                raw: RawDescriptor {
                    media_type,
                    digest: digest.clone(),
                    size: blob.size,
                    artifact_type: doc.artifact_type.clone(),
                    annotations: BTreeMap::new(),
                    platform: None,
                },
                role: Role::Entry(Listing::Unlisted),
                ancestors: Rc::new(Vec::new()),
                referenced_by: Rc::from("nothing (unlisted)"),
            });
        }
        self.walk(found)
    }
}

/// An index must not reach itself through its `manifests`: that would be a cycle.
fn index_does_not_include_itself(item: &Item, bundle: &str) -> Result<(), BundleError> {
    let digest = &item.raw.digest;
    if let Some(pos) = item.ancestors.iter().position(|a| a == digest) {
        let path: Vec<String> = item
            .ancestors
            .iter()
            .skip(pos)
            .map(ToString::to_string)
            .chain(std::iter::once(digest.to_string()))
            .collect();
        return Err(BundleError::IndexCycle {
            bundle: bundle.to_string(),
            digest: digest.to_string(),
            path: path.join(" -> "),
        });
    }
    Ok(())
}

/// Indexes may be nested at most `Limits::max_index_depth` deep.
fn index_depth_is_within_limit(
    item: &Item,
    limits: &Limits,
    bundle: &str,
) -> Result<(), BundleError> {
    let depth = item.ancestors.len() as u64 + 1;
    if depth > limits.max_index_depth {
        return Err(BundleError::IndexTooDeep {
            bundle: bundle.to_string(),
            digest: item.raw.digest.to_string(),
            depth,
            limit: limits.max_index_depth,
        });
    }
    Ok(())
}

/// The layer media type of cosign's simple-signing payloads (`.sig` manifests).
const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// Layer media types of cosign's `sha256-<hex>.sig` and `.att` manifests.
const COSIGN_LAYER_TYPES: &[&str] = &[
    SIMPLE_SIGNING,
    "application/vnd.dsse.envelope.v1+json",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
];

/// Whether a tagged entry is, by its structure, one of the two things a tag may name that are
/// not images: a referrers tag index (tag `sha256-<hex>` on an image index whose every entry is
/// a manifest whose `subject` is that digest) or a cosign signature or attestation (tag
/// `sha256-<hex>.sig` / `.att` on a manifest whose layers are all of cosign's media types). Any
/// other tagged entry is an image, whatever it carries (a `subject`, a look-alike tag).
fn tag_names_no_image(entry: &RawDescriptor, node: Option<&Node>, nodes: &Nodes) -> bool {
    let Some(node) = node else {
        return false;
    };
    if let Some(subject) = referrers_tag_subject(entry) {
        return node.is_index
            && node.manifests.iter().all(|m| {
                nodes.get(&m.digest).is_some_and(|c| {
                    !c.is_index && c.subject.as_ref().is_some_and(|s| s.digest == subject)
                })
            });
    }
    let Some(tag) = entry.annotations.get(REF_NAME) else {
        return false;
    };
    let Some(base) = tag
        .strip_suffix(".sig")
        .or_else(|| tag.strip_suffix(".att"))
    else {
        return false;
    };
    let digest_named = base
        .split_once('-')
        .is_some_and(|(alg, hex)| Digest::parse(&format!("{alg}:{hex}")).is_ok());
    digest_named && node.only_cosign_layers
}

/// An untagged entry in the shape `cosign save` writes a signature or attestation: no
/// `subject`, and every layer of cosign's media types. Not an image.
fn is_untagged_cosign_manifest(node: Option<&Node>) -> bool {
    node.is_some_and(|n| n.subject.is_none() && n.only_cosign_layers)
}

/// Images are the tagged entries of `index.json` (but for the two structures of
/// [`tag_names_no_image`]) and its untagged entries that are neither referrers (no `subject`)
/// nor cosign signatures or attestations ([`is_untagged_cosign_manifest`]). An index entry is one multi-platform image when it is tagged or
/// any of its entries has a `platform`; otherwise it only groups entries, which are looked at in
/// turn. Entries with the same digest are one image with all their tags.
fn find_images(
    entries: &[RawDescriptor],
    nodes: &Nodes,
) -> (Vec<Image>, HashMap<String, Vec<Digest>>, Vec<Digest>) {
    let mut images: Vec<Image> = Vec::new();
    let mut image_at: HashMap<Digest, usize> = HashMap::new();
    let mut structural_tags: HashMap<String, Vec<Digest>> = HashMap::new();
    let mut cosign_untagged: Vec<Digest> = Vec::new();
    let mut cosign_untagged_seen: HashSet<Digest> = HashSet::new();
    // The entries of `index.json` one at a time, the entries of grouping indexes on a stack.
    let mut top = entries.iter().map(|m| (m.clone(), 0));
    let mut stack: Vec<(RawDescriptor, usize)> = Vec::new();
    while let Some((entry, depth)) = stack.pop().or_else(|| top.next()) {
        let node = nodes.get(&entry.digest).map(|n| &**n);
        let (tags, full_names) = names_of(&entry);
        if tags.is_empty() && full_names.is_empty() {
            if node.is_some_and(|n| n.subject.is_some()) {
                continue;
            }
            if is_untagged_cosign_manifest(node) {
                if cosign_untagged_seen.insert(entry.digest.clone()) {
                    cosign_untagged.push(entry.digest.clone());
                }
                continue;
            }
        } else if tag_names_no_image(&entry, node, nodes) {
            for tag in tags {
                structural_tags
                    .entry(tag)
                    .or_default()
                    .push(entry.digest.clone());
            }
            continue;
        }
        if let Some(n) = node.filter(|n| n.is_index) {
            let multi_platform = n.manifests.iter().any(|m| m.platform.is_some());
            if !multi_platform && tags.is_empty() && full_names.is_empty() && depth < 64 {
                for m in n.manifests.iter().rev() {
                    stack.push((m.clone(), depth + 1));
                }
                continue;
            }
        }
        if let Some(existing) = image_at
            .get(&entry.digest)
            .and_then(|at| images.get_mut(*at))
        {
            for t in tags {
                if !existing.tags.contains(&t) {
                    existing.tags.push(t);
                }
            }
            for f in full_names {
                if !existing.full_names.contains(&f) {
                    existing.full_names.push(f);
                }
            }
            if existing.full_name.is_none() {
                existing.full_name = existing.full_names.first().cloned();
            }
            continue;
        }
        image_at.insert(entry.digest.clone(), images.len());
        images.push(make_image(&entry, node, nodes, tags, full_names));
    }
    (images, structural_tags, cosign_untagged)
}

fn make_image(
    entry: &RawDescriptor,
    node: Option<&Node>,
    nodes: &Nodes,
    tags: Vec<String>,
    full_names: Vec<String>,
) -> Image {
    let mut platforms = Vec::new();
    let (mut layer_count, mut total_size) = (0usize, 0u64);
    let artifact_type = node.and_then(|n| n.artifact_type.clone());
    match node {
        Some(n) if n.is_index => {
            for m in &n.manifests {
                let (layers, size) = nodes
                    .get(&m.digest)
                    .map(|n| manifest_layers_and_size(n))
                    .unwrap_or((0, 0));
                layer_count += layers;
                total_size = total_size.saturating_add(size);
                platforms.push(PlatformManifest {
                    platform: m.platform.clone(),
                    descriptor: m.descriptor(),
                    layer_count: layers,
                    size,
                });
            }
        }
        Some(n) => (layer_count, total_size) = manifest_layers_and_size(n),
        None => {}
    }
    Image {
        descriptor: entry.descriptor(),
        full_name: full_names.first().cloned(),
        tags,
        full_names,
        artifact_type,
        platforms,
        layer_count,
        total_size,
    }
}

/// Layers (or artifact blobs) of a manifest and the total size: manifest, config and layers.
fn manifest_layers_and_size(n: &Node) -> (usize, u64) {
    (n.layer_count, n.total_size)
}

/// Tags and full names from `org.opencontainers.image.ref.name` (a tag, or a full reference
/// when it contains `/`) and `io.containerd.image.name` (a full name).
pub(super) fn names_of(entry: &RawDescriptor) -> (Vec<String>, Vec<String>) {
    let mut tags = Vec::new();
    let mut full = Vec::new();
    let candidates = [
        entry
            .annotations
            .get(REF_NAME)
            .map(|v| (v, v.contains('/'))),
        entry.annotations.get(CONTAINERD_NAME).map(|v| (v, true)),
    ];
    for (value, is_full) in candidates.into_iter().flatten() {
        if value.is_empty() {
            continue;
        }
        if is_full {
            if !full.contains(value) {
                full.push(value.clone());
            }
            if let Some(tag) = tag_of_reference(value) {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        } else if !tags.contains(value) {
            tags.push(value.clone());
        }
    }
    (tags, full)
}

/// The tag of `registry/repo:tag` (not of `registry:5000/repo`, nor of `repo@digest`).
fn tag_of_reference(reference: &str) -> Option<String> {
    let name = reference.split('@').next().unwrap_or(reference);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, t)| t.to_string())
}

/// Every parsed manifest with a `subject` is a referrer of that subject; ordered by listing
/// (index, then tag schema, then unlisted), then by the order the walk listed them (which is
/// `index.json` order, depth first), then by digest.
fn collect_referrers(
    nodes: &mut Nodes,
    listed: &HashMap<Digest, (Listing, usize)>,
) -> HashMap<Digest, Vec<Referrer>> {
    let mut out: HashMap<Digest, Vec<(usize, Referrer)>> = HashMap::new();
    for (digest, node) in nodes.iter_mut() {
        let Some(subject) = &node.subject else {
            continue;
        };
        let (listing, seq) = listed
            .get(digest)
            .copied()
            .map(|(l, s)| {
                if l == Listing::Unlisted {
                    (l, usize::MAX)
                } else {
                    (l, s)
                }
            })
            .unwrap_or((Listing::Unlisted, usize::MAX));
        out.entry(subject.digest.clone()).or_default().push((
            seq,
            Referrer {
                descriptor: node.descriptor.clone(),
                artifact_type: node.artifact_type.clone(),
                listing,
                subject: subject.clone(),
                annotations: std::mem::take(&mut node.annotations),
            },
        ));
    }
    out.into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| {
                (a.1.listing, a.0, &a.1.descriptor.digest).cmp(&(
                    b.1.listing,
                    b.0,
                    &b.1.descriptor.digest,
                ))
            });
            (k, v.into_iter().map(|(_, r)| r).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(annotations: &[(&str, &str)]) -> RawDescriptor {
        RawDescriptor {
            media_type: super::super::IMAGE_MANIFEST.to_string(),
            digest: super::super::digest::Algorithm::Sha256.digest(b"x"),
            size: 1,
            artifact_type: None,
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            platform: None,
        }
    }

    #[test]
    fn names_of_reads_tags_and_full_names() {
        let (t, f) = names_of(&entry(&[(REF_NAME, "v1")]));
        assert_eq!((t, f), (vec!["v1".to_string()], vec![]));
        let (t, f) = names_of(&entry(&[
            (CONTAINERD_NAME, "docker.io/library/alpine:3.19"),
            (REF_NAME, "3.19"),
        ]));
        assert_eq!(t, vec!["3.19".to_string()]);
        assert_eq!(f, vec!["docker.io/library/alpine:3.19".to_string()]);
        assert_eq!(tag_of_reference("localhost:5000/e2e"), None);
        assert_eq!(tag_of_reference("r/e@sha256:00"), None);
    }

    #[test]
    fn referrers_tag_is_recognised() {
        let tag = format!("sha256-{}", "a".repeat(64));
        assert!(referrers_tag_subject(&entry(&[(REF_NAME, &tag)])).is_some());
        assert!(referrers_tag_subject(&entry(&[(REF_NAME, "sha256-abc")])).is_none());
        assert!(referrers_tag_subject(&entry(&[(REF_NAME, "v1")])).is_none());
    }
}

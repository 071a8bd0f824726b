//! Cost grows with the bundle, no faster: reading a bundle of many signed images, building its
//! graph and finding every image's signatures takes, for ten times the images, at most about
//! ten times the allocations and ten times the peak of live memory, and that peak stays within
//! a small multiple of the bundle's own bytes. Measured by counting every allocation of this test
//! binary (deterministic, not timed): a scan of all manifests per image, a parsed document or a
//! string kept per entry shows here. And a bundle of many tiny blobs costs a small, fixed
//! record per blob.

#![cfg(test)]
// The counting allocator is the one unsafe block of the project (the crate denies it).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use airgap_verify::bundle::{read_bundle, ProgressSink, Reader, Source};
use airgap_verify::limits::Limits;
use airgap_verify::oci::{Graph, NOTATION_SIGNATURE};
use airgap_verify_testkit::bundles::{blob_path, sha256, tar_files};

/// Counts allocations and tracks live and peak bytes, for the whole process.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The counts are for the whole process: one measurement at a time.
static MEASURING: Mutex<()> = Mutex::new(());

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        // SAFETY: the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A layout tar of `images` images, each with a config, a layer and three Notation signature
/// manifests (listed in `index.json` as oras and notation write them, with the thumbprint
/// annotation) whose envelopes are JSON of a realistic size; and the bytes of its files.
fn many_signed_images(images: usize) -> (Vec<u8>, usize) {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let mut entries = Vec::new();
    let empty = b"{}".to_vec();
    files.push((blob_path(&empty), empty.clone()));
    for i in 0..images {
        let config = format!(r#"{{"architecture":"amd64","os":"linux","n":{i}}}"#).into_bytes();
        let layer = format!("layer {i}").into_bytes();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
            sha256(&config),
            config.len(),
            sha256(&layer),
            layer.len()
        )
        .into_bytes();
        entries.push(format!(
            r#"{{"mediaType":"{MANIFEST}","digest":"{}","size":{},"annotations":{{"org.opencontainers.image.ref.name":"v{i}"}}}}"#,
            sha256(&manifest),
            manifest.len()
        ));
        for s in 0..3 {
            let envelope = format!(
                r#"{{"payload":"{}","protected":"{}","header":{{"x5c":["{}"]}},"signature":"{i}-{s}"}}"#,
                "p".repeat(300),
                "h".repeat(200),
                "c".repeat(1500)
            )
            .into_bytes();
            let signature = format!(
                r#"{{"schemaVersion":2,"mediaType":"{MANIFEST}","artifactType":"{NOTATION_SIGNATURE}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2}},"layers":[{{"mediaType":"application/jose+json","digest":"{}","size":{}}}],"subject":{{"mediaType":"{MANIFEST}","digest":"{}","size":{}}},"annotations":{{"io.cncf.notary.x509chain.thumbprint#S256":"[\"{}\"]","org.opencontainers.image.created":"2024-01-01T00:00:00Z"}}}}"#,
                sha256(&empty),
                sha256(&envelope),
                envelope.len(),
                sha256(&manifest),
                manifest.len(),
                "a".repeat(64)
            )
            .into_bytes();
            entries.push(format!(
                r#"{{"mediaType":"{MANIFEST}","digest":"{}","size":{},"artifactType":"{NOTATION_SIGNATURE}"}}"#,
                sha256(&signature),
                signature.len()
            ));
            files.push((blob_path(&envelope), envelope));
            files.push((blob_path(&signature), signature));
        }
        files.push((blob_path(&config), config));
        files.push((blob_path(&layer), layer));
        files.push((blob_path(&manifest), manifest));
    }
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        entries.join(",")
    );
    files.push(("index.json".into(), index.into_bytes()));
    let content = files.iter().map(|(_, data)| data.len()).sum();
    (tar_files(&files), content)
}

/// What reading a bundle and finding every image's signatures cost.
#[derive(Debug)]
struct Cost {
    allocations: usize,
    /// Peak live bytes beyond those live before (the tar itself).
    peak: usize,
}

fn cost_of(images: usize) -> (Cost, usize) {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let (tar, size) = many_signed_images(images);
    let limits = Limits::default();
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed);
    let source = Source::Reader(Reader::new("bundle.tar", std::io::Cursor::new(tar)));
    let mut bundle = read_bundle(&source, &limits, &ProgressSink::none()).unwrap();
    let graph = Graph::build(&bundle, &limits).unwrap();
    bundle.release_contents();
    assert_eq!(graph.images().len(), images);
    for image in graph.images() {
        let found = graph
            .notation_signatures(&image.descriptor, &limits)
            .unwrap();
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|s| s.envelope.is_ok()));
        let tag = format!("{}.sig", image.descriptor.digest.referrers_tag());
        assert!(graph.structurally_tagged(&tag).is_empty());
    }
    let cost = Cost {
        allocations: ALLOCATIONS.load(Ordering::Relaxed) - allocations,
        peak: PEAK.load(Ordering::Relaxed).saturating_sub(before),
    };
    drop(graph);
    drop(bundle);
    (cost, size)
}

#[test]
fn reading_many_signed_images_costs_in_proportion() {
    // The smaller bundle first warms up what is allocated once (threads, tables).
    let (small, small_bytes) = cost_of(300);
    let (large, large_bytes) = cost_of(3000);
    eprintln!(
        "300 images ({small_bytes} bytes of files): {small:?}; 3000 images ({large_bytes} bytes): {large:?}"
    );
    let ratio = |a: usize, b: usize| a as f64 / b as f64;
    let allocations = ratio(large.allocations, small.allocations);
    assert!(
        allocations < 11.0,
        "10 x the images made {allocations:.2} x the allocations ({small:?} -> {large:?})"
    );
    let peak = ratio(large.peak, small.peak);
    assert!(
        peak < 11.0,
        "10 x the images made {peak:.2} x the peak memory ({small:?} -> {large:?})"
    );
    // What is kept of a bundle is the content of its JSON blobs (all of them while the graph is
    // built) and a few fields per manifest: within twice the bytes of the bundle's files (a
    // graph that kept every parsed manifest, as it once did, would pass that).
    let per_byte = ratio(large.peak, large_bytes);
    assert!(
        per_byte < 2.0,
        "the peak memory is {per_byte:.2} x the bundle's bytes ({large:?}, {large_bytes} bytes)"
    );
}

#[test]
fn a_blob_costs_a_small_record() {
    // 100,000 blobs of a few bytes each, none referenced: what is kept per blob is its record
    // (digest, size, kept content) in one sorted vector (twice, while it grows) and a mark of
    // whether it was reached.
    // A tree map of blobs beside a set of their names and a set of reached digests, as they
    // once were, cost about 500 bytes per blob.
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let blobs = 100_000;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (
            "index.json".into(),
            br#"{"schemaVersion":2,"manifests":[]}"#.to_vec(),
        ),
    ];
    for i in 0..blobs {
        let content = i.to_string().into_bytes();
        files.push((blob_path(&content), content));
    }
    let tar = tar_files(&files);
    drop(files);
    let limits = Limits::default();
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let source = Source::Reader(Reader::new("bundle.tar", std::io::Cursor::new(tar)));
    let bundle = read_bundle(&source, &limits, &ProgressSink::none()).unwrap();
    let graph = Graph::build(&bundle, &limits).unwrap();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert_eq!(graph.integrity().blobs, blobs as u64);
    assert!(!graph.integrity().is_damaged());
    let per_blob = peak / blobs;
    eprintln!("{blobs} blobs: peak {peak} bytes, {per_blob} per blob");
    assert!(per_blob < 300, "{per_blob} bytes per blob (peak {peak})");
}

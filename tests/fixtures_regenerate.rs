//! The committed fixtures are what the generator writes: a fresh run into a temporary folder
//! gives the same files, byte for byte (all but `frozen/`, which is never regenerated), so that
//! nothing under `fixtures/` is edited by hand or left stale.
#![cfg(test)]

use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `root` (relative path, bytes), except under `frozen/`.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    airgap_verify_testkit::bundles::files_under(root)
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with("frozen/"))
        .collect()
}

#[test]
fn a_fresh_run_of_the_generator_writes_the_committed_fixtures() {
    let fresh = tempfile::tempdir().unwrap();
    airgap_verify_testkit::regenerate::write_fixtures(fresh.path()).unwrap();
    let committed = files(&airgap_verify_testkit::fixtures_dir());
    let written = files(fresh.path());
    let missing: Vec<&String> = committed
        .keys()
        .filter(|k| !written.contains_key(*k))
        .collect();
    let extra: Vec<&String> = written
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    let differ: Vec<&String> = committed
        .iter()
        .filter(|(k, v)| written.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "regenerate with `cargo run --example make_fixtures`: committed but not written {missing:?}, written but not committed {extra:?}, different {differ:?}"
    );
    assert!(committed.len() > 50, "{} files", committed.len());
}

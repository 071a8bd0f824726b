//! OCI documents of a bundle (index.json, indexes, manifests, their descriptors and platforms)
//! are read as Go's `encoding/json` reads them: a member whose name folds (letter case, `ſ`, the
//! Kelvin sign) to a known field without being spelled exactly so, or two members folding to one
//! name, make the bundle malformed (exit 3), naming the member.
#![cfg(test)]

use airgap_verify_testkit::bundles::*;

/// A change to a document's text.
type Edit = dyn Fn(String) -> String;

fn assert_damaged(run: &Run, needle: &str) {
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 3, "{all}");
    assert!(all.contains(needle), "{needle:?} not in:\n{all}");
}

/// The small layout with `index` applied to the text of index.json and `manifest` to the
/// manifest's (whose digest and size index.json then lists).
fn edited(index: impl Fn(String) -> String, manifest: impl Fn(String) -> String) -> Vec<u8> {
    let files = small_layout();
    let old_manifest = files[4].1.clone();
    let new_manifest = manifest(String::from_utf8(old_manifest.clone()).unwrap()).into_bytes();
    let mut out = Vec::new();
    for (name, data) in files {
        if name == "index.json" {
            let text = String::from_utf8(data)
                .unwrap()
                .replace(&sha256(&old_manifest), &sha256(&new_manifest));
            let text = text.replace(
                &format!("\"size\":{}", old_manifest.len()),
                &format!("\"size\":{}", new_manifest.len()),
            );
            out.push((name, index(text).into_bytes()));
        } else if data == old_manifest {
            out.push((blob_path(&new_manifest), new_manifest.clone()));
        } else {
            out.push((name, data));
        }
    }
    tar_files(&out)
}

#[test]
fn exact_names_are_read() {
    let run = inspect_bytes(&edited(|i| i, |m| m), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn folded_index_members_are_refused() {
    let other = format!("\"Digest\":\"sha256:{}\",\"digest\"", "0".repeat(64));
    let cases: Vec<(Box<Edit>, &str)> = vec![
        (
            Box::new(move |i: String| i.replacen("\"digest\"", &other, 1)),
            "manifests[0].Digest",
        ),
        (
            Box::new(|i: String| i.replacen("\"mediaType\"", "\"MediaType\"", 1)),
            "MediaType",
        ),
        (
            Box::new(|i: String| i.replacen("\"size\"", "\"ſize\"", 1)),
            "ſize",
        ),
        (
            Box::new(|i: String| {
                i.replacen(
                    "\"schemaVersion\"",
                    "\"schemaVersion\":2,\"SCHEMAVERSION\"",
                    1,
                )
            }),
            "SCHEMAVERSION",
        ),
        (
            Box::new(|i: String| i.replacen("\"annotations\"", "\"Annotations\"", 1)),
            "manifests[0].Annotations",
        ),
        (
            Box::new(|i: String| {
                i.replacen("\"annotations\"", "\"platform\":{\"os\":\"linux\",\"OS\":\"windows\",\"architecture\":\"amd64\"},\"annotations\"", 1)
            }),
            "manifests[0].platform.OS",
        ),
    ];
    for (f, member) in cases {
        let run = inspect_bytes(&edited(f, |m| m), &[]);
        assert_damaged(&run, "index.json");
        assert_damaged(&run, member);
    }
}

#[test]
fn folded_manifest_members_are_refused() {
    for (from, to, member) in [
        ("\"layers\"", "\"Layers\":[],\"layers\"", "Layers"),
        (
            "\"config\":{\"mediaType\"",
            "\"config\":{\"\u{212a}\":1,\"mediaType\"",
            "",
        ),
        (
            "\"config\":{\"mediaType\"",
            "\"config\":{\"\u{17f}ize\":1,\"mediaType\"",
            "config.ſize",
        ),
    ] {
        let run = inspect_bytes(&edited(|i| i, |m| m.replacen(from, to, 1)), &[]);
        if member.is_empty() {
            // A lone Kelvin sign folds to "K", no known field: read as an unknown member.
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        } else {
            assert_damaged(&run, member);
        }
    }
    // Annotation keys are map keys: any spelling is its own key.
    let run = inspect_bytes(
        &edited(
            |i| i,
            |m| {
                m.replacen(
                    "\"layers\"",
                    "\"annotations\":{\"Size\":\"1\",\"size\":\"2\"},\"layers\"",
                    1,
                )
            },
        ),
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

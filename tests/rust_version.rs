//! `rust-version` in Cargo.toml must be true: at least the highest `rust-version` among the
//! locked dependencies of this platform, read from `cargo metadata --offline` (no network: the
//! packages are those the build already fetched), and the README must name the same toolchain.
#![cfg(test)]

use std::process::Command;

fn parse(v: &str) -> Option<(u64, u64, u64)> {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let host = std::env::var("TARGET").ok();
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--offline", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    // Platform-specific packages of other targets (Windows console crates) are not downloaded
    // here; filter to the host like the build does.
    let triple = host.unwrap_or_else(|| {
        let out = Command::new("rustc")
            .arg("-vV")
            .output()
            .expect("rustc -vV");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
            .expect("rustc -vV names the host")
    });
    cmd.args(["--filter-platform", &triple]);
    let out = cmd.output().expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let root = meta["resolve"]["root"].as_str().map(str::to_owned);
    let mut ours = None;
    let mut highest: Option<((u64, u64, u64), String)> = None;
    for package in meta["packages"].as_array().expect("packages") {
        let Some(rv) = package["rust_version"].as_str().and_then(parse) else {
            continue;
        };
        let name = format!("{} {}", package["name"], package["version"]);
        if package["name"] == "airgap-verify" || package["id"].as_str() == root.as_deref() {
            ours = Some(rv);
            continue;
        }
        if highest.as_ref().is_none_or(|(h, _)| rv > *h) {
            highest = Some((rv, name));
        }
    }
    let ours = ours.expect("Cargo.toml declares rust-version");
    let (needed, by) = highest.expect("dependencies declare rust-version");
    assert!(
        ours >= needed,
        "rust-version {ours:?} in Cargo.toml is lower than {needed:?}, needed by {by}"
    );
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let named = format!("Rust toolchain ({}.{} or newer)", ours.0, ours.1);
    assert!(readme.contains(&named), "README.md must say `{named}`");
}

//! Stamps the build for `airgap_verify::version()`: the git commit of the source (`unknown`
//! when the source is not a git checkout, e.g. a crates.io package or a tarball) and the build
//! date, taken from `SOURCE_DATE_EPOCH` when it is set so that reproducible builds agree.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=build.rs");
    // A checkout of this source, not of some repository that happens to contain it.
    let top = git(&dir, &["rev-parse", "--show-toplevel"]);
    let own = top.is_some_and(|t| same_dir(Path::new(&t), &dir));
    let commit = own
        .then(|| git(&dir, &["rev-parse", "--short=12", "HEAD"]))
        .flatten();
    if let Some(git_dir) = own
        .then(|| git(&dir, &["rev-parse", "--absolute-git-dir"]))
        .flatten()
    {
        watch_head(Path::new(&git_dir));
    }
    println!(
        "cargo:rustc-env=AIRGAP_VERIFY_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
    println!("cargo:rustc-env=AIRGAP_VERIFY_BUILD_DATE={}", build_date());
}

/// The trimmed output of `git ARGS` run in `dir`, when git is there and `dir` is a checkout.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Rebuild the stamp when HEAD moves: HEAD itself, the branch it points to, packed refs.
fn watch_head(git_dir: &Path) {
    let head = git_dir.join("HEAD");
    println!("cargo:rerun-if-changed={}", head.display());
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|_| git_dir.to_path_buf());
    if let Ok(text) = std::fs::read_to_string(&head) {
        if let Some(reference) = text.trim().strip_prefix("ref: ") {
            println!(
                "cargo:rerun-if-changed={}",
                common.join(reference).display()
            );
        }
    }
    println!(
        "cargo:rerun-if-changed={}",
        common.join("packed-refs").display()
    );
}

/// YYYY-MM-DD (UTC) of `SOURCE_DATE_EPOCH`, or of now.
fn build_date() -> String {
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s.trim().parse::<i64>().unwrap_or(0),
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    };
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

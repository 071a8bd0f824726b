//! The README's examples run as written and print what the README shows; the examples of
//! `--help` and the man pages (the three stories) parse with the real command line and run on
//! the fixtures; the README's JSON shapes name every field the tool prints.
//!
//! How the README marks an example (HTML comments, invisible when rendered):
//!
//! - `<!-- example: NAME -->` on the line before a ```` ```sh ```` block: the block runs. Its
//!   command lines (`\` continues a line) start with `airgap-verify`, `cargo run --release --`
//!   (both run the binary under test) or `cp -r`; the `# ` lines after a command are its
//!   standard output, compared line by line. A command without such lines is run and its exit
//!   code checked, its output not compared. Blocks with the same NAME share one folder, in
//!   README order.
//! - Options after the name, separated by `;`: `exit N, N…` (the exit code of each command run,
//!   default 0), `not run: CMD` (a command of the block that is not run, e.g. `cargo test`), and
//!   `FROM => TO` (an argument that names a user's file, such as `release.tar.gz`, replaced by a
//!   fixture, or by several words: the same command line, on files that exist).
//! - `<!-- output: NAME -->` before a plain ```` ``` ```` block: the standard output of the first
//!   command of NAME, when the block itself shows none.
//!
//! Each example runs in a new folder holding a `fixtures` link to the repository's fixtures: a
//! relative output path (`release.dsse.json`) lands there, and `/tmp/X` is `X` in that folder.
//! What changes between runs is written `…` in the README, and only that: a time between the
//! start of the example and the end of the command, a digest of a file the example wrote (a
//! freshly signed attestation). The folder's path is written `/tmp` in the output.

#![cfg(test)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest as _, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(repository().join("README.md")).unwrap()
}

/// One command line of an example.
#[derive(Debug, Clone)]
struct Line {
    /// As written in the README (continuations joined).
    text: String,
    /// The standard output the README shows for it.
    shown: Option<Vec<String>>,
}

/// A marked block of the README.
#[derive(Debug, Clone, Default)]
struct Block {
    name: String,
    lines: Vec<Line>,
    exits: Vec<i32>,
    not_run: Vec<String>,
    substitutions: Vec<(String, String)>,
}

/// The text of an HTML comment line `<!-- KEY: REST -->`.
fn comment<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.trim()
        .strip_prefix("<!-- ")?
        .strip_suffix(" -->")?
        .strip_prefix(key)?
        .strip_prefix(": ")
}

/// The lines of the fenced block that starts at `lines[at]` (the fence itself), or `None` when
/// `lines[at]` is not the fence `fence`.
fn fenced<'a>(lines: &[&'a str], at: usize, fence: &str) -> Option<Vec<&'a str>> {
    if lines.get(at).map(|l| l.trim_end()) != Some(fence) {
        return None;
    }
    let body: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.trim_end() != "```")
        .copied()
        .collect();
    Some(body)
}

/// Command lines (with `\` continuations joined) and the `# ` output lines after each.
fn commands(body: &[&str]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut pending = String::new();
    for raw in body {
        if pending.is_empty() && raw.starts_with('#') {
            let shown = raw
                .strip_prefix("# ")
                .unwrap_or(raw.trim_start_matches('#'));
            let last = out.last_mut().expect("an output line after a command");
            last.shown
                .get_or_insert_with(Vec::new)
                .push(shown.to_string());
            continue;
        }
        match raw.trim_end().strip_suffix('\\') {
            Some(part) => {
                pending.push_str(part.trim());
                pending.push(' ');
            }
            None => {
                pending.push_str(raw.trim());
                if !pending.is_empty() {
                    out.push(Line {
                        text: std::mem::take(&mut pending),
                        shown: None,
                    });
                }
            }
        }
    }
    out
}

/// Every marked block of the README, in order, with `<!-- output: NAME -->` blocks folded in.
fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks: Vec<Block> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(marker) = comment(line, "example") {
            let body = fenced(&lines, i + 1, "```sh")
                .unwrap_or_else(|| panic!("`{line}` is not followed by a ```sh block"));
            let mut parts = marker.split(';').map(str::trim);
            let mut block = Block {
                name: parts.next().unwrap_or_default().to_string(),
                lines: commands(&body),
                ..Block::default()
            };
            for part in parts {
                if let Some(codes) = part.strip_prefix("exit ") {
                    block.exits = codes
                        .split(',')
                        .map(|c| c.trim().parse().expect("an exit code"))
                        .collect();
                } else if let Some(cmd) = part.strip_prefix("not run: ") {
                    block.not_run.push(cmd.to_string());
                } else if let Some((from, to)) = part.split_once(" => ") {
                    block
                        .substitutions
                        .push((from.trim().to_string(), to.trim().to_string()));
                } else {
                    panic!("`{line}`: unknown option {part:?}");
                }
            }
            blocks.push(block);
        } else if let Some(name) = comment(line, "output") {
            let body = fenced(&lines, i + 1, "```")
                .unwrap_or_else(|| panic!("`{line}` is not followed by a ``` block"));
            let block = blocks
                .iter_mut()
                .find(|b| b.name == name)
                .unwrap_or_else(|| panic!("`{line}`: no example {name} before it"));
            let first = block
                .lines
                .first_mut()
                .unwrap_or_else(|| panic!("example {name} has no command"));
            assert!(first.shown.is_none(), "{name}: output shown twice");
            first.shown = Some(body.iter().map(|l| l.to_string()).collect());
        }
    }
    blocks
}

/// Shell words of a command line: whitespace-separated, `'…'` and `"…"` quoted.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (_, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// Where examples run: a new folder with a `fixtures` link to the repository's fixtures.
struct Place {
    dir: tempfile::TempDir,
    /// The names (hex) of every blob of the fixtures: digests that do not change between runs.
    fixture_blobs: BTreeSet<String>,
    /// When the example started: a time printed from then on (a run's own, or that of an
    /// attestation an earlier command of the example signed) is a time of the run.
    started: OffsetDateTime,
}

impl Place {
    fn new() -> Place {
        let started = OffsetDateTime::now_utc();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(repository().join("fixtures"), dir.path().join("fixtures"))
            .unwrap();
        let mut fixture_blobs = BTreeSet::new();
        for e in walk(&repository().join("fixtures")) {
            if e.parent().is_some_and(|p| p.ends_with("blobs/sha256")) {
                fixture_blobs.insert(e.file_name().unwrap().to_string_lossy().to_string());
            }
        }
        Place {
            dir,
            fixture_blobs,
            started,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// An argument as it is run: `/tmp/X` is `X` in this folder.
    fn argument(&self, word: &str) -> String {
        match word.strip_prefix("/tmp/") {
            Some(rest) => self.path().join(rest).to_string_lossy().to_string(),
            None => word.to_string(),
        }
    }

    /// SHA-256 digests of the files written here (the `fixtures` link aside) that are no blob
    /// of the fixtures.
    fn fresh_digests(&self) -> BTreeSet<String> {
        walk(self.path())
            .into_iter()
            .filter(|p| !p.starts_with(self.path().join("fixtures")))
            .map(|p| hex::encode(Sha256::digest(std::fs::read(&p).unwrap())))
            .filter(|d| !self.fixture_blobs.contains(d))
            .collect()
    }
}

/// Every regular file under `dir`, links not followed.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                todo.push(e.path());
            } else if t.is_file() {
                files.push(e.path());
            }
        }
    }
    files
}

/// The output of a run as the README writes it: the folder's path as `/tmp`, times of the run
/// and digests of files the run wrote as `…`.
fn as_the_readme_writes_it(
    out: &str,
    place: &Place,
    run: (OffsetDateTime, OffsetDateTime),
    fresh: &BTreeSet<String>,
) -> String {
    let mut text = out.to_string();
    for dir in [
        place.path().to_path_buf(),
        place.path().canonicalize().unwrap(),
    ] {
        text = text.replace(&dir.to_string_lossy().to_string(), "/tmp");
    }
    for digest in fresh {
        text = text.replace(digest.as_str(), "…");
    }
    run_times(&text, run)
}

/// `text` with every RFC 3339 UTC time between the two instants (seconds rounded) as `…`.
fn run_times(text: &str, (start, end): (OffsetDateTime, OffsetDateTime)) -> String {
    let (from, to) = (
        start - time::Duration::seconds(1),
        end + time::Duration::seconds(1),
    );
    let b = text.as_bytes();
    let shape = |i: usize| {
        b.len() >= i + 20
            && b[i..i + 19].iter().enumerate().all(|(k, c)| match k {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if shape(i) {
            let mut end = i + 19;
            if b.get(end) == Some(&b'.') {
                end += 1;
                while b.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
            }
            if b.get(end) == Some(&b'Z') {
                let t = OffsetDateTime::parse(&text[i..=end], &Rfc3339).ok();
                if t.is_some_and(|t| t >= from && t <= to) {
                    out.push('…');
                    i = end + 1;
                    continue;
                }
            }
        }
        let c = text[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// What one command printed and its exit code, as the README writes it.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run one README command line in `place`: `airgap-verify` and `cargo run --release --` are the
/// binary under test, `cp -r FROM TO` copies a folder, `> FILE` sends standard output to FILE.
fn run_line(place: &Place, text: &str, substitutions: &[(String, String)]) -> Ran {
    let mut argv: Vec<String> = words(text)
        .into_iter()
        .flat_map(
            |w| match substitutions.iter().find(|(from, _)| *from == w) {
                Some((_, to)) => words(to),
                None => vec![w],
            },
        )
        .collect();
    if argv.starts_with(&["cargo", "run", "--release", "--"].map(String::from)) {
        argv.splice(0..4, ["airgap-verify".to_string()]);
    }
    if argv[0] == "cp" {
        assert_eq!(argv.len(), 4, "{text}");
        assert_eq!(argv[1], "-r", "{text}");
        airgap_verify_testkit::copy_dir(
            &place.path().join(place.argument(&argv[2])),
            &place.path().join(place.argument(&argv[3])),
        );
        return Ran {
            code: 0,
            stdout: String::new(),
            stderr: String::new(),
        };
    }
    assert_eq!(
        argv[0], "airgap-verify",
        "a command the test cannot run: {text}"
    );
    let mut redirect = None;
    if let Some(at) = argv.iter().position(|w| w == ">") {
        redirect = Some(place.path().join(place.argument(&argv[at + 1])));
        argv.truncate(at);
    }
    let args: Vec<String> = argv[1..].iter().map(|w| place.argument(w)).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_airgap-verify"))
        .args(&args)
        .current_dir(place.path())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let end = OffsetDateTime::now_utc();
    let mut stdout = String::from_utf8(out.stdout).unwrap();
    if let Some(file) = redirect {
        std::fs::write(file, &stdout).unwrap();
        stdout.clear();
    }
    let fresh = place.fresh_digests();
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: as_the_readme_writes_it(&stdout, place, (place.started, end), &fresh),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

/// Run every example of the README, in order; the names of the examples run.
fn run_readme(readme: &str) -> Result<Vec<String>, String> {
    let mut places: BTreeMap<String, Place> = BTreeMap::new();
    let mut names = Vec::new();
    for block in blocks(readme) {
        let place = places.entry(block.name.clone()).or_insert_with(Place::new);
        let run: Vec<&Line> = block
            .lines
            .iter()
            .filter(|l| !block.not_run.contains(&l.text))
            .collect();
        if !block.exits.is_empty() && block.exits.len() != run.len() {
            return Err(format!(
                "{}: {} exit codes for {} commands",
                block.name,
                block.exits.len(),
                run.len()
            ));
        }
        for (k, line) in run.iter().enumerate() {
            let r = run_line(place, &line.text, &block.substitutions);
            let want = block.exits.get(k).copied().unwrap_or(0);
            if r.code != want {
                return Err(format!(
                    "{}: `{}` exited {} (the README says {want})\n{}{}",
                    block.name, line.text, r.code, r.stdout, r.stderr
                ));
            }
            if let Some(shown) = &line.shown {
                let printed: Vec<&str> = r.stdout.lines().collect();
                if printed != *shown {
                    return Err(format!(
                        "{}: `{}` prints\n{}\nbut the README shows\n{}",
                        block.name,
                        line.text,
                        printed.join("\n"),
                        shown.join("\n")
                    ));
                }
            }
        }
        names.push(block.name);
    }
    Ok(names)
}

#[test]
fn every_readme_example_runs_as_written_and_prints_what_the_readme_shows() {
    let readme = readme();
    let names = run_readme(&readme).unwrap_or_else(|e| panic!("{e}"));
    for name in [
        "two-commands",
        "attach-on-the-fixtures",
        "air-gapped-import",
        "release-sign-off",
        "forensic",
        "cosign-flux",
        "cosign-key",
        "flux",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "no example {name}: {names:?}"
        );
    }
}

#[test]
fn every_command_block_of_the_readme_is_run() {
    let readme = readme();
    let lines: Vec<&str> = readme.lines().collect();
    for i in 0..lines.len() {
        let Some(body) = fenced(&lines, i, "```sh") else {
            continue;
        };
        let ours = commands(&body)
            .iter()
            .any(|c| c.text.starts_with("airgap-verify ") || c.text.starts_with("cargo run "));
        let marked = i > 0 && comment(lines[i - 1], "example").is_some();
        assert!(
            !ours || marked,
            "README line {}: a block of airgap-verify commands without `<!-- example: NAME -->`",
            i + 1
        );
    }
}

/// The README with `from` replaced by `to`, which must occur.
fn changed(readme: &str, from: &str, to: &str) -> String {
    assert!(readme.contains(from), "{from:?} not in the README");
    readme.replacen(from, to, 1)
}

#[test]
fn a_changed_output_line_or_exit_code_in_the_readme_fails() {
    let readme = readme();
    let line = "#   signer: CN=Airgap Verify Fixtures Expired Signer,O=Airgap Verify Test,L=Seattle,ST=WA,C=US";
    for bad in [
        changed(&readme, line, &line.replace("Expired ", "")),
        changed(
            &readme,
            "# 2 verified, 0 failed\n",
            "# 2 verified, 0 failed\n# \n",
        ),
        changed(&readme, "forensic; exit 1, 0", "forensic; exit 0, 0"),
        changed(&readme, "(at)\n", "(now)\n"),
    ] {
        assert!(run_readme(&bad).is_err());
    }
}

#[test]
fn a_readme_command_the_tool_rejects_fails() {
    let readme = readme();
    let bad = changed(
        &readme,
        "--attest-failures > verdict.json",
        "--attest-failure > verdict.json",
    );
    let e = run_readme(&bad).unwrap_err();
    assert!(e.contains("exited 2"), "{e}");
}

#[test]
fn times_of_the_run_and_only_those_are_placeholders() {
    let now = OffsetDateTime::now_utc();
    let run = (now, now);
    let text = format!(
        "time: {} (now), at 2020-06-01T00:00:00Z, json {}",
        now.format(&Rfc3339).unwrap(),
        (now + time::Duration::milliseconds(1))
            .format(&Rfc3339)
            .unwrap()
    );
    assert_eq!(
        run_times(&text, run),
        "time: … (now), at 2020-06-01T00:00:00Z, json …"
    );
    let later = (now + time::Duration::hours(1)).format(&Rfc3339).unwrap();
    assert_eq!(run_times(&later, run), later);
}

/// The commands of a `--help` examples text: its lines indented four spaces, with `\`
/// continuations joined.
fn help_commands(examples: &str) -> Vec<String> {
    let body: Vec<&str> = examples.lines().filter(|l| l.starts_with("    ")).collect();
    commands(&body).into_iter().map(|l| l.text).collect()
}

/// The user's files of the help examples and the fixtures that stand for them.
const HELP_FILES: &[(&str, &str)] = &[
    ("release.tar.gz", "fixtures/signed.tar.gz"),
    ("stored.tar.zst", "fixtures/expired-certificate"),
    ("notation-secret.yaml", "fixtures/secret.yaml"),
    ("attest.key", "fixtures/attest/p256.key"),
    ("attest.pub", "fixtures/attest/p256.pub"),
    ("signoff.key", "fixtures/attest/ed25519.key"),
    ("signoff.pub", "fixtures/attest/ed25519.pub"),
    ("release/", "fixtures/multi"),
    ("notation-trust/", "fixtures/trust"),
    ("app:v1=registry.example/app", "signed=registry.example/app"),
    (
        "worker:v1=registry.example/worker",
        "other=registry.example/app --scope unsigned=registry.example/app",
    ),
    ("clusters/prod/", "fixtures/flux/seed.yaml"),
    ("bundle.tar", "fixtures/signed.tar"),
];

/// The examples of `airgap-verify --help` and of each subcommand's `--help` (and so of the man
/// pages, which are made from them), in that order.
fn help_examples() -> Vec<(String, String)> {
    let cmd = airgap_verify::cmd::command();
    std::iter::once(("airgap-verify".to_string(), &cmd))
        .chain(cmd.get_subcommands().map(|s| (s.get_name().to_string(), s)))
        .map(|(name, c)| {
            let text = c
                .get_after_long_help()
                .unwrap_or_else(|| panic!("{name} --help has no examples"))
                .to_string();
            (name, text)
        })
        .collect()
}

#[test]
fn help_examples_are_the_three_stories() {
    for (name, text) in help_examples() {
        let stories = [
            "Air-gapped import",
            "Release sign-off",
            "Forensic re-verification",
        ];
        let told: Vec<&str> = stories
            .iter()
            .copied()
            .filter(|s| text.contains(s))
            .collect();
        assert_eq!(told, stories, "{name} --help: {text}");
        assert!(!help_commands(&text).is_empty(), "{name}");
    }
    let man = std::fs::read_to_string(repository().join("man/airgap-verify.1")).unwrap();
    assert!(man.contains(".SH EXAMPLES"), "airgap-verify.1");
}

#[test]
fn help_examples_parse_and_run_on_the_fixtures() {
    let place = Place::new();
    let crl = airgap_verify_testkit::conformance()
        .map(|c| c.join("notation/config/crl/intermediate.crl"));
    let mut files: Vec<(String, String)> = HELP_FILES
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    if let Some(crl) = &crl {
        files.push((
            "archive/2020-06-intermediate.crl".to_string(),
            crl.to_string_lossy().to_string(),
        ));
    }
    for (name, text) in help_examples() {
        for line in help_commands(&text) {
            let mut argv = words(&line);
            if let Some(at) = argv.iter().position(|w| w == ">") {
                argv.truncate(at);
            }
            if let Err(e) = airgap_verify::cmd::command().try_get_matches_from(&argv) {
                panic!("{name} --help: `{line}` does not parse:\n{e}");
            }
            for word in &argv[1..] {
                let path_like = word.contains('/') || word.contains('.');
                let known = files.iter().any(|(f, _)| f == word)
                    || word.starts_with('-')
                    || word.starts_with("registry.example/")
                    || word.starts_with("flux-system/");
                let made =
                    ["release.dsse.json", "signoffs/", "verdict.json"].contains(&word.as_str());
                assert!(
                    !path_like || known || made || OffsetDateTime::parse(word, &Rfc3339).is_ok(),
                    "{name} --help: `{word}` of `{line}` has no fixture in HELP_FILES"
                );
            }
            if crl.is_none() && line.contains("--crl") {
                continue;
            }
            let r = run_line(&place, &line, &files);
            assert!(
                r.code == 0 || r.code == 1,
                "{name} --help: `{line}` exited {}:\n{}{}",
                r.code,
                r.stdout,
                r.stderr
            );
        }
    }
}

/// The field names of a JSON shape of the README: every `"word"` of the block.
fn shape_fields(block: &str) -> BTreeSet<String> {
    block
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// The ```text block of the README that starts with `start`.
fn shape(readme: &str, start: &str) -> String {
    let at = readme
        .find(&format!("```text\n{start}"))
        .unwrap_or_else(|| panic!("no JSON shape starting {start:?}"));
    let block = &readme[at + 8..];
    block[..block.find("\n```").unwrap()].to_string()
}

/// Every key of a JSON document, and every string value of `key`.
fn keys_and_values(
    v: &serde_json::Value,
    keys: &mut BTreeSet<String>,
    values: &mut BTreeSet<(String, String)>,
) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                keys.insert(k.clone());
                if let Some(s) = x.as_str() {
                    values.insert((k.clone(), s.to_string()));
                }
                keys_and_values(x, keys, values);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| keys_and_values(x, keys, values)),
        _ => {}
    }
}

/// The `"key": "a|b|c"` choices of a shape, for the keys that have choices wherever the shape
/// names them (the union of them).
fn shape_choices(block: &str) -> BTreeMap<String, BTreeSet<String>> {
    let parts: Vec<&str> = block.split('"').collect();
    let mut choices: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut open = BTreeSet::new();
    for k in (1..parts.len()).step_by(2) {
        let value = parts
            .get(k + 2)
            .filter(|_| parts.get(k + 1).map(|p| p.trim()) == Some(":"));
        match value {
            Some(v) if v.contains('|') => choices
                .entry(parts[k].to_string())
                .or_default()
                .extend(v.split('|').map(str::to_string)),
            _ => {
                open.insert(parts[k].to_string());
            }
        }
    }
    choices.retain(|k, _| !open.contains(k));
    choices
}

fn json_of(place: &Place, line: &str) -> serde_json::Value {
    let r = run_line(place, line, &[]);
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("`{line}`: {e}\n{}{}", r.stdout, r.stderr))
}

#[test]
fn the_json_shapes_of_the_readme_name_every_field_the_tool_prints() {
    let readme = readme();
    let place = Place::new();
    let verify = [
        "airgap-verify verify fixtures/signed --secret fixtures/secret.yaml --scope registry.example/app -o json",
        "airgap-verify verify fixtures/expired-certificate --secret fixtures/secret.yaml --scope registry.example/app -o json",
        "airgap-verify verify fixtures/multi --all --trust-dir fixtures/trust --scope registry.example/app -o json",
        "airgap-verify verify fixtures/multi --flux fixtures/flux/multi.yaml -o json",
        "airgap-verify verify fixtures/signed --flux fixtures/flux/seed.yaml -o json",
        "airgap-verify verify fixtures/cosign --flux fixtures/flux/cosign.yaml -o json",
        "airgap-verify verify fixtures/cosign --cosign-key fixtures/cosign.pub --all -o json",
        "airgap-verify verify fixtures/unsigned --secret fixtures/secret.yaml --scope registry.example/app -o json",
        "airgap-verify verify fixtures/expired-signature --secret fixtures/secret.yaml --scope registry.example/app -o json",
    ];
    let inspect = [
        "airgap-verify inspect fixtures/signed -o json",
        "airgap-verify inspect fixtures/multi -o json",
        "airgap-verify inspect fixtures/cosign -o json",
        "airgap-verify inspect fixtures/signed.tar.zst -o json",
    ];
    for (start, lines) in [
        ("{ \"version\": 2,", &verify[..]),
        ("{\"version\": 1,\n \"bundle\"", &inspect[..]),
    ] {
        let block = shape(&readme, start);
        let fields = shape_fields(&block);
        let choices = shape_choices(&block);
        let (mut keys, mut values) = (BTreeSet::new(), BTreeSet::new());
        for line in lines {
            keys_and_values(&json_of(&place, line), &mut keys, &mut values);
        }
        let unnamed: Vec<&String> = keys.difference(&fields).collect();
        assert!(
            unnamed.is_empty(),
            "the README's shape {start:?} lacks {unnamed:?}"
        );
        for (k, v) in &values {
            if let Some(allowed) = choices.get(k) {
                assert!(
                    allowed.contains(v),
                    "{start:?}: \"{k}\": {v:?} is not among {allowed:?}"
                );
            }
        }
    }
}

#[test]
fn the_usage_synopsis_names_every_flag_of_each_subcommand_and_no_other() {
    let readme = readme();
    let usage = &readme[readme.find("## Usage\n").unwrap()..];
    let usage = &usage[usage.find("```\n").unwrap() + 4..];
    let usage = &usage[..usage.find("```").unwrap()];
    let cmd = airgap_verify::cmd::command();
    let mut told = BTreeSet::new();
    for part in usage.split("airgap-verify ").skip(1) {
        let name = part.split_whitespace().next().unwrap();
        if name.starts_with("--") {
            continue;
        }
        told.insert(name.to_string());
        let sub = cmd
            .find_subcommand(name)
            .unwrap_or_else(|| panic!("the synopsis names no subcommand {name}"));
        let flags: BTreeSet<String> = sub
            .get_arguments()
            .filter(|a| !a.is_global_set() && a.get_id() != "help")
            .filter_map(|a| a.get_long())
            .map(|l| format!("--{l}"))
            .collect();
        let globals: BTreeSet<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| format!("--{l}"))
            .chain(["--output".to_string()])
            .collect();
        let written: BTreeSet<String> = part
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(str::to_string)
            .collect();
        let missing: Vec<&String> = flags.difference(&written).collect();
        assert!(
            missing.is_empty(),
            "the synopsis of {name} lacks {missing:?}"
        );
        let unknown: Vec<&String> = written
            .iter()
            .filter(|w| !flags.contains(*w) && !globals.contains(*w))
            .collect();
        assert!(unknown.is_empty(), "{name} has no {unknown:?}");
    }
    let subs: BTreeSet<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    assert_eq!(told, subs);
}

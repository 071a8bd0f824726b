//! The man pages (`man/`) and shell completions (`completions/`) are generated from the CLI
//! definition and committed. This test fails when they are stale; regenerate them with
//!
//! ```sh
//! UPDATE_GENERATED=1 cargo test --test generated
//! ```
#![cfg(test)]

use std::path::{Path, PathBuf};

use clap_complete::Shell;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: (path relative to the crate, content).
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    // The crate version alone: the commit and build date of `--version` would make the pages
    // change with every commit.
    let cmd = airgap_verify::cmd::command().version(env!("CARGO_PKG_VERSION"));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| format!("airgap-verify-{}", s.get_name()))
        .collect();
    let see_also = |me: &str| {
        std::iter::once("airgap-verify".to_string())
            .chain(names.iter().cloned())
            .filter(|n| n != me)
            .map(|n| format!("\\fB{n}\\fR(1)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    files.push((
        PathBuf::from("man/airgap-verify.1"),
        man_page(cmd.clone(), &see_also("airgap-verify")),
    ));
    for sub in cmd.get_subcommands() {
        let name = format!("airgap-verify-{}", sub.get_name());
        let sub = sub.clone().name(name.clone().leak() as &str);
        files.push((
            PathBuf::from(format!("man/{name}.1")),
            man_page(sub, &see_also(&name)),
        ));
    }
    for (shell, file) in [
        (Shell::Bash, "airgap-verify.bash"),
        (Shell::Zsh, "_airgap-verify"),
        (Shell::Fish, "airgap-verify.fish"),
    ] {
        let mut cmd = airgap_verify::cmd::command();
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd, "airgap-verify", &mut out);
        if shell == Shell::Bash {
            out = fix_bash_case_arms(&out);
        }
        files.push((Path::new("completions").join(file), out));
    }
    files
}

/// A man page: clap_mangen's sections, then EXAMPLES (the subcommand's `--help` examples), EXIT
/// STATUS, ENVIRONMENT and SEE ALSO.
fn man_page(cmd: clap::Command, see_also: &str) -> Vec<u8> {
    let examples = cmd.get_after_long_help().map(|h| h.to_string());
    let cmd = cmd.after_long_help(None::<&str>);
    let man = clap_mangen::Man::new(cmd.clone())
        .date("")
        .source(format!("airgap-verify {}", env!("CARGO_PKG_VERSION")))
        .manual("airgap-verify manual");
    let mut page = Vec::new();
    man.render_title(&mut page).unwrap();
    man.render_name_section(&mut page).unwrap();
    man.render_synopsis_section(&mut page).unwrap();
    man.render_description_section(&mut page).unwrap();
    man.render_options_section(&mut page).unwrap();
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut page).unwrap();
    }
    let mut roff = String::new();
    if let Some(examples) = examples {
        roff.push_str(".SH EXAMPLES\n");
        for line in examples.lines().skip(1) {
            let text = line.trim_start().replace('\\', "\\e");
            // A command at 4, its continuation lines at 8, as in `--help`.
            match (line.starts_with("        "), line.starts_with("    ")) {
                (true, _) => roff.push_str(&format!(".RS 8\n.nf\n{text}\n.fi\n.RE\n")),
                (false, true) => roff.push_str(&format!(".RS 4\n.nf\n{text}\n.fi\n.RE\n")),
                (false, false) => roff.push_str(&format!(".PP\n{text}\n")),
            }
        }
    }
    roff.push_str(EXIT_AND_ENVIRONMENT);
    roff.push_str(&format!(".SH \"SEE ALSO\"\n{see_also}\n"));
    page.extend_from_slice(roff.as_bytes());
    if cmd.get_version().is_some() {
        man.render_version_section(&mut page).unwrap();
    }
    page
}

const EXIT_AND_ENVIRONMENT: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Verified (including log\-level failures, reported as warnings); for inspect, an intact
bundle.
.TP
\fB1\fR
Not verified: no signature, no trusted signature, the trust policy says no, or the image asked
for is not in the bundle.
.TP
\fB2\fR
Usage or configuration error: bad flags, bad policy, bad Secret or certificate, unreadable key.
.TP
\fB3\fR
The bundle itself is damaged or malformed: digest or size mismatch, missing blob, invalid
tar, gzip or JSON, unsafe paths.
.TP
\fB4\fR
Ignored: Flux would pull the image without SourceVerified=True (a skip statement, a logged
authenticity failure, no spec.verify).
.PP
Over several images (\-\-all, \-\-flux) the worst result wins, in the order 3, 2, 1, 4, 0.
.SH ENVIRONMENT
.TP
\fBAIRGAP_VERIFY_KEY_PASSPHRASE\fR
The passphrase of an encrypted PKCS#8 attestation key (\-\-attest\-key).
.TP
\fBNO_COLOR\fR
When set and not empty, \-\-color auto never colours the verdict.
"#;

/// clap_complete names the bash `case` arms of a hyphenated binary (`airgap-verify`) after the
/// binary with its hyphen turned into `__subcmd__` (`airgap__subcmd__verify__subcmd__verify`),
/// while the loop that finds the subcommand sets `cmd` from the binary's name with the hyphen
/// turned into `__` (`airgap__verify__subcmd__verify`): no arm ever matched, so no option of any
/// subcommand completed. The arms are renamed to what `cmd` holds.
fn fix_bash_case_arms(script: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let mut fixed = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("        airgap__subcmd__verify") {
            Some(rest) if rest.trim_end().ends_with(')') => {
                fixed.push_str("        airgap__verify");
                fixed.push_str(rest);
            }
            _ => fixed.push_str(line),
        }
    }
    fixed.into_bytes()
}

/// What bash completes for `words` (the last one being completed), by sourcing the committed
/// script and calling its completion function as bash's `complete -F` does.
fn bash_complete(words: &[&str]) -> Option<Vec<String>> {
    let script = root().join("completions/airgap-verify.bash");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\n_airgap__verify airgap-verify '{}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        words[cword],
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn bash_completes_subcommand_options() {
    let Some(got) = bash_complete(&["airgap-verify", "verify", "--fo"]) else {
        airgap_verify_testkit::skip("bash is not installed");
        return;
    };
    assert_eq!(
        got,
        vec!["--format".to_owned()],
        "airgap-verify verify --fo<TAB>"
    );
    let got = bash_complete(&["airgap-verify", "verify-attestation", "--ke"]).unwrap_or_default();
    assert_eq!(
        got,
        vec!["--key".to_owned()],
        "verify-attestation --ke<TAB>"
    );
    let got = bash_complete(&["airgap-verify", "inspect", "--for"]).unwrap_or_default();
    assert_eq!(got, vec!["--format".to_owned()], "inspect --for<TAB>");
    let got = bash_complete(&["airgap-verify", "ver"]).unwrap_or_default();
    assert!(
        got.contains(&"verify".to_owned()) && got.contains(&"verify-attestation".to_owned()),
        "{got:?}"
    );
    let got = bash_complete(&["airgap-verify", "verify", "--progress", ""]).unwrap_or_default();
    assert!(
        got.contains(&"always".to_owned()),
        "--progress values: {got:?}"
    );
}

#[test]
fn man_pages_and_completions_are_fresh() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (path, content) in generated() {
        let full = root().join(&path);
        if update {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &content).unwrap();
        } else if std::fs::read(&full).ok().as_deref() != Some(&content[..]) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `UPDATE_GENERATED=1 cargo test --test generated` and commit"
    );
}

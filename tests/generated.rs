//! The man pages (`man/`) and shell completions (`completions/`) are generated from the CLI
//! definition and committed. This test fails when they are stale; regenerate them with
//!
//! ```sh
//! UPDATE_GENERATED=1 cargo test --test generated
//! ```

use std::path::{Path, PathBuf};

use clap_complete::Shell;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: (path relative to the crate, content).
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let cmd = airgap_verify::cmd::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .unwrap();
    files.push((PathBuf::from("man/airgap-verify.1"), page));
    for sub in cmd.get_subcommands() {
        let name = format!("airgap-verify-{}", sub.get_name());
        let sub = sub.clone().name(name.clone().leak() as &str);
        let mut page = Vec::new();
        clap_mangen::Man::new(sub).render(&mut page).unwrap();
        files.push((PathBuf::from(format!("man/{name}.1")), page));
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
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: bash is not installed");
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

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
        files.push((Path::new("completions").join(file), out));
    }
    files
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

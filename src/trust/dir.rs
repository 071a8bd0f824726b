//! A mounted Secret folder (`--trust-dir DIR`): the same keys as files (`trustpolicy.json`,
//! `*.crt`, `*.pem`, `*.crl`). Kubernetes' layout (`key -> ..data/key`, `..data ->
//! ..<timestamp>/`) is handled by following symlinks, but only to targets inside the folder;
//! entries whose names start with `..` are Kubernetes' own and are not keys.

use std::collections::BTreeMap;
use std::path::Path;

use super::yaml::read_limited;
use super::{build_material, is_crl_key, is_wanted_key, TrustError, TrustMaterial};
use crate::limits::Limits;

/// Load trust material from a folder laid out like a mounted Secret.
pub fn from_dir(path: &Path, limits: &Limits) -> Result<TrustMaterial, TrustError> {
    let shown = path.display().to_string();
    let io = |p: &Path, e: std::io::Error| TrustError::Io {
        path: p.display().to_string(),
        reason: e.to_string(),
    };
    let root = path.canonicalize().map_err(|e| io(path, e))?;
    if !root.is_dir() {
        return Err(TrustError::Io {
            path: shown,
            reason: "not a folder".into(),
        });
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&root).map_err(|e| io(path, e))? {
        let entry = entry.map_err(|e| io(path, e))?;
        names.push(entry.file_name());
    }
    names.sort();
    let mut entries = BTreeMap::new();
    let mut notes = Vec::new();
    for os_name in names {
        let Some(name) = os_name.to_str().map(str::to_string) else {
            notes.push(format!("{shown}: a file name that is not UTF-8 is ignored"));
            continue;
        };
        if name.starts_with("..") {
            continue;
        }
        let entry_path = root.join(&name);
        let target = entry_path.canonicalize().map_err(|e| io(&entry_path, e))?;
        if !target.starts_with(&root) {
            return Err(TrustError::OutsideFolder {
                path: entry_path.display().to_string(),
            });
        }
        if target.is_dir() {
            notes.push(format!("{shown}: sub-folder '{name}' ignored"));
            continue;
        }
        if !is_wanted_key(&name) {
            // Named only: build_material notes or warns about it.
            entries.insert(name, Vec::new());
            continue;
        }
        let limit = if is_crl_key(&name) {
            limits.max_crl_file
        } else {
            limits.max_config_file
        };
        let bytes = read_limited(&target, limit)?;
        entries.insert(name, bytes);
    }
    let origin = format!("folder '{shown}'");
    build_material(shown, &origin, entries, notes, limits)
}

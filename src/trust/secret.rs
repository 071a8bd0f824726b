//! A Kubernetes Secret given as a file (FLUX.md §1): YAML or JSON, a manifest or
//! `kubectl get secret -o yaml|json` output (a `List` too), `data` (base64) and `stringData`.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use serde_json::Value;

use super::yaml::{parse_documents, read_limited};
use super::{build_material, is_wanted_key, TrustError, TrustMaterial};
use crate::limits::Limits;

/// The Kubernetes default namespace, used when `metadata.namespace` is absent.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A Secret's decoded values by key.
pub type DecodedValues = BTreeMap<String, Vec<u8>>;

/// A Secret object as written in a manifest, values not yet decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretObject {
    /// The file it was read from.
    pub source: String,
    /// `metadata.namespace`, or `default`.
    pub namespace: String,
    /// `metadata.name` (may be empty in a hand-made file).
    pub name: String,
    /// `data`: base64 values by key (`null` values as empty strings).
    pub data: BTreeMap<String, String>,
    /// `stringData`: plain values by key; they win over `data` as on the API server.
    pub string_data: BTreeMap<String, String>,
    /// Top-level fields that look like `data` or `stringData` in another letter case
    /// (`stringdata:`): Kubernetes and Flux ignore them, so they are named in hints.
    pub misspelled: Vec<String>,
}

impl SecretObject {
    /// `namespace/name`, as Flux prints a Secret reference.
    pub fn namespaced_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Read a Secret from a generic Kubernetes object value.
    pub fn from_value(source: &str, v: &Value) -> Result<SecretObject, TrustError> {
        let meta = v.get("metadata");
        let text = |x: Option<&Value>| x.and_then(Value::as_str).unwrap_or("").to_string();
        let name = text(meta.and_then(|m| m.get("name")));
        let mut namespace = text(meta.and_then(|m| m.get("namespace")));
        if namespace.is_empty() {
            namespace = DEFAULT_NAMESPACE.to_string();
        }
        let object = format!("{namespace}/{name}");
        let map = |field: &str| -> Result<BTreeMap<String, String>, TrustError> {
            let mut out = BTreeMap::new();
            match v.get(field) {
                None | Some(Value::Null) => {}
                Some(Value::Object(m)) => {
                    for (k, val) in m {
                        let s = match val {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            other => {
                                return Err(TrustError::BadValue {
                                    origin: format!("secret '{object}'"),
                                    key: k.clone(),
                                    reason: format!(
                                        "{field} values must be strings, found {}; quote the value in YAML",
                                        kind_of(other)
                                    ),
                                })
                            }
                        };
                        out.insert(k.clone(), s);
                    }
                }
                Some(other) => {
                    return Err(TrustError::BadObject {
                        path: source.to_string(),
                        kind: "Secret".into(),
                        object: object.clone(),
                        reason: format!("{field} must be a mapping, found {}", kind_of(other)),
                    })
                }
            }
            Ok(out)
        };
        Ok(SecretObject {
            source: source.to_string(),
            namespace: namespace.clone(),
            name: name.clone(),
            data: map("data")?,
            string_data: map("stringData")?,
            misspelled: v
                .as_object()
                .map(|o| {
                    o.keys()
                        .filter(|k| {
                            (k.eq_ignore_ascii_case("data") && *k != "data")
                                || (k.eq_ignore_ascii_case("stringData") && *k != "stringData")
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Decode the values that trust material reads (`trustpolicy.json`, `*.crt`, `*.pem`,
    /// `*.crl`); other keys are only named. `stringData` wins over `data` for the same key.
    pub fn entries(&self) -> Result<(DecodedValues, Vec<String>), TrustError> {
        let origin = format!("secret '{}'", self.namespaced_name());
        let mut out = BTreeMap::new();
        let mut notes = Vec::new();
        for (key, b64) in &self.data {
            if self.string_data.contains_key(key) {
                notes.push(format!(
                    "key '{key}' of {origin} is in both data and stringData; stringData wins, as on the API server"
                ));
                continue;
            }
            let value = if is_wanted_key(key) {
                decode_base64(b64).map_err(|reason| TrustError::BadBase64 {
                    origin: origin.clone(),
                    key: key.clone(),
                    reason,
                })?
            } else {
                Vec::new()
            };
            out.insert(key.clone(), value);
        }
        for (key, s) in &self.string_data {
            out.insert(key.clone(), s.as_bytes().to_vec());
        }
        Ok((out, notes))
    }

    /// The decoded values of the keys `wanted` accepts (cosign's `*.pub`, `trusted_root.json`);
    /// `stringData` wins over `data` for the same key.
    pub fn values_where(&self, wanted: impl Fn(&str) -> bool) -> Result<DecodedValues, TrustError> {
        let mut out = BTreeMap::new();
        for (key, b64) in self.data.iter().filter(|(k, _)| wanted(k)) {
            let value = decode_base64(b64).map_err(|reason| TrustError::BadBase64 {
                origin: format!("secret '{}'", self.namespaced_name()),
                key: key.clone(),
                reason,
            })?;
            out.insert(key.clone(), value);
        }
        for (key, s) in self.string_data.iter().filter(|(k, _)| wanted(k)) {
            out.insert(key.clone(), s.as_bytes().to_vec());
        }
        Ok(out)
    }

    /// The trust material of this Secret (FLUX.md §1).
    pub fn material(&self, limits: &Limits) -> Result<TrustMaterial, TrustError> {
        let origin = format!("secret '{}'", self.namespaced_name());
        let (entries, notes) = self.entries()?;
        build_material(
            format!("{} ({})", self.source, self.namespaced_name()),
            &origin,
            entries,
            notes,
            limits,
        )
        .map_err(|e| match e {
            TrustError::PolicyNotFound { origin, keys, .. } => TrustError::PolicyNotFound {
                origin,
                keys,
                misspelled: self.misspelled.clone(),
            },
            e => e,
        })
    }
}

/// Base64 as Go's `encoding/json` decodes `[]byte` (standard alphabet, padded; line breaks
/// ignored).
fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|e| e.to_string())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The `kind` of a Kubernetes object value.
pub(crate) fn object_kind(v: &Value) -> Option<&str> {
    v.get("kind").and_then(Value::as_str)
}

/// Flatten `kind: List` objects (kubectl output) into their items.
pub(crate) fn flatten_lists(docs: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for d in docs {
        let is_list = object_kind(&d).is_some_and(|k| k == "List" || k.ends_with("List"));
        match (is_list, d.get("items").and_then(Value::as_array)) {
            (true, Some(items)) => out.extend(items.iter().cloned()),
            _ => out.push(d),
        }
    }
    out
}

/// Load trust material from a Kubernetes Secret file (`--secret FILE`). The file must hold
/// exactly one object of kind `Secret` (other objects are skipped with a note).
pub fn from_secret_file(path: &Path, limits: &Limits) -> Result<TrustMaterial, TrustError> {
    let bytes = read_limited(path, limits.max_config_file)?;
    from_secret_bytes(&path.display().to_string(), &bytes, limits)
}

/// Load trust material from the bytes of a Kubernetes Secret file read elsewhere (standard
/// input, say); `shown` names it in messages. The rules of [`from_secret_file`] apply.
pub fn from_secret_bytes(
    shown: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<TrustMaterial, TrustError> {
    let (secret, mut notes) = secret_object_from_bytes(shown, bytes, limits)?;
    let mut material = secret.material(limits)?;
    material.source = shown.to_string();
    notes.append(&mut material.notes);
    material.notes = notes;
    Ok(material)
}

/// The one Secret of a file, and notes on the objects skipped.
pub fn secret_object_from_file(
    path: &Path,
    limits: &Limits,
) -> Result<(SecretObject, Vec<String>), TrustError> {
    let bytes = read_limited(path, limits.max_config_file)?;
    secret_object_from_bytes(&path.display().to_string(), &bytes, limits)
}

/// The one Secret of a file's bytes, and notes on the objects skipped.
pub fn secret_object_from_bytes(
    shown: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(SecretObject, Vec<String>), TrustError> {
    let shown = shown.to_string();
    let docs = parse_documents(&shown, bytes, limits).map_err(|f| f.error)?;
    let mut secrets = Vec::new();
    let mut notes = Vec::new();
    for d in flatten_lists(docs) {
        match object_kind(&d) {
            Some("Secret") => secrets.push(SecretObject::from_value(&shown, &d)?),
            Some(k) => notes.push(format!("{shown}: object of kind {k} skipped")),
            None => notes.push(format!("{shown}: a document without 'kind' skipped")),
        }
    }
    let secret = match secrets.len() {
        1 => secrets.remove(0),
        0 => {
            return Err(TrustError::NotASecret {
                path: shown,
                reason: "no Kubernetes Secret found (expected an object with 'kind: Secret', as `kubectl get secret NAME -o yaml` prints)".into(),
            })
        }
        _ => {
            let names: Vec<String> = secrets.iter().map(SecretObject::namespaced_name).collect();
            return Err(TrustError::NotASecret {
                path: shown,
                reason: format!(
                    "{} Secrets found ({}); give a file with one Secret, or Flux manifests, so that the OCIRepository chooses",
                    names.len(),
                    names.join(", ")
                ),
            });
        }
    };
    Ok((secret, notes))
}

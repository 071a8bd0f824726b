//! Trust material in Flux's shapes: a trust policy, a Kubernetes Secret (YAML or JSON) holding
//! `trustpolicy.json` and certificates, and the same files as a mounted Secret folder.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;

/// One trust policy statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Statement name.
    pub name: String,
    /// `registryScopes`.
    pub scopes: Vec<String>,
    /// `strict`, `permissive`, `audit` or `skip`.
    pub level: String,
    /// `trustStores` (`type:name`).
    pub trust_stores: Vec<String>,
    /// `trustedIdentities` (`x509.subject:...` or `*`).
    pub identities: Vec<String>,
}

impl Statement {
    /// A strict statement for `scope` (`registry/repo` or `*`), trusting `ca:not-existing` (the
    /// placeholder Flux users write: every Secret certificate is in every store) and
    /// `identities`.
    pub fn strict(scope: &str, identities: &[String]) -> Statement {
        Statement {
            name: "fixtures".to_string(),
            scopes: vec![scope.to_string()],
            level: "strict".to_string(),
            trust_stores: vec!["ca:not-existing".to_string()],
            identities: identities.to_vec(),
        }
    }
}

#[derive(serde::Serialize)]
struct PolicyDocument<'a> {
    version: &'a str,
    #[serde(rename = "trustPolicies")]
    trust_policies: Vec<PolicyStatement<'a>>,
}

#[derive(serde::Serialize)]
struct PolicyStatement<'a> {
    name: &'a str,
    #[serde(rename = "registryScopes")]
    registry_scopes: &'a [String],
    #[serde(rename = "signatureVerification")]
    signature_verification: serde_json::Value,
    #[serde(rename = "trustStores")]
    trust_stores: &'a [String],
    #[serde(rename = "trustedIdentities")]
    trusted_identities: &'a [String],
}

/// A trust policy document v1.0 (pretty JSON, keys in the documentation's order).
pub fn policy(statements: &[Statement]) -> String {
    let doc = PolicyDocument {
        version: "1.0",
        trust_policies: statements
            .iter()
            .map(|s| PolicyStatement {
                name: &s.name,
                registry_scopes: &s.scopes,
                signature_verification: json!({"level": s.level}),
                trust_stores: &s.trust_stores,
                trusted_identities: &s.identities,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("policy JSON");
    text.push('\n');
    text
}

/// A Kubernetes Secret as YAML with `data` (base64), in key order given.
pub fn secret_yaml(name: &str, namespace: &str, files: &[(&str, &[u8])]) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ntype: Opaque\ndata:\n"
    );
    for (key, value) in files {
        out.push_str(&format!("  {key}: {}\n", STANDARD.encode(value)));
    }
    out
}

/// A Kubernetes Secret as YAML with `stringData` (literal block scalars).
pub fn secret_yaml_string_data(name: &str, namespace: &str, files: &[(&str, &str)]) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ntype: Opaque\nstringData:\n"
    );
    for (key, value) in files {
        out.push_str(&format!("  {key}: |\n"));
        for line in value.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

/// A Kubernetes Secret as JSON with `data` (as `kubectl get secret -o json` prints).
pub fn secret_json(name: &str, namespace: &str, files: &[(&str, &[u8])]) -> String {
    let data: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|(k, v)| (k.to_string(), json!(STANDARD.encode(v))))
        .collect();
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "Opaque",
        "data": data,
    });
    serde_json::to_string_pretty(&doc).expect("secret JSON") + "\n"
}

/// The files of a Secret as a folder (what a mounted Secret looks like).
pub fn write_trust_dir(dir: &Path, files: &[(&str, &[u8])]) {
    std::fs::create_dir_all(dir).expect("trust folder");
    for (key, value) in files {
        std::fs::write(dir.join(key), value).expect("trust file");
    }
}

//! Registry scopes (NOTATION.md §7.1, "registryScopes"; notation-go `validateRegistryScopes`
//! and `validateRegistryScopeFormat`). The distribution-style regular expressions are
//! implemented as small hand-written matchers with the same language.

use std::collections::HashSet;

use super::document::Document;
use super::PolicyError;

/// The global scope.
pub const WILDCARD: &str = "*";

/// A non-wildcard scope must be `domain[:port]/repository`: no scheme, no tag, no digest, no
/// `*` (NOTATION.md §7.1). `local/e2e` is valid.
pub fn registry_scope_is_repository_name(scope: &str) -> Result<(), PolicyError> {
    if scope.len() > 1 && scope.contains('*') {
        return Err(PolicyError::WildcardInScope(scope.to_string()));
    }
    let Some((domain, repository)) = scope.split_once('/') else {
        return Err(PolicyError::InvalidScope(scope.to_string()));
    };
    if !is_domain(domain) || !is_repository_path(repository) {
        return Err(PolicyError::InvalidScope(scope.to_string()));
    }
    Ok(())
}

/// `^label(\.label)*(:[0-9]+)?$` with `label = [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty() && host.split('.').all(is_domain_label)
}

fn is_domain_label(label: &str) -> bool {
    let b = label.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        _ => false,
    }
}

/// Path components separated by `/`, each `[a-z0-9]+((\.|_|__|-*)[a-z0-9]+)*`.
fn is_repository_path(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(is_path_component)
}

fn is_path_component(c: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = c.as_bytes();
    let mut i = 0;
    let mut need_alnum = true;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            need_alnum = false;
            i += 1;
            continue;
        }
        if need_alnum {
            return false;
        }
        // A separator run: ".", "_", "__" or one or more "-".
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
        need_alnum = true;
    }
    !need_alnum
}

/// Each statement has at least one scope; `*` stands alone; every other scope is a repository
/// name; each scope value (`*` included) appears in only one statement of the document
/// (NOTATION.md §7.1). The first repeated scope in document order is reported.
pub fn scopes_are_valid_and_unique(doc: &Document) -> Result<(), PolicyError> {
    for st in &doc.statements {
        if st.registry_scopes.is_empty() {
            return Err(PolicyError::ZeroScopes(st.name.clone()));
        }
        if st.registry_scopes.len() > 1 && st.registry_scopes.iter().any(|s| s == WILDCARD) {
            return Err(PolicyError::WildcardScopeWithOthers(st.name.clone()));
        }
        for scope in &st.registry_scopes {
            if scope != WILDCARD {
                registry_scope_is_repository_name(scope)?;
            }
        }
    }
    let mut seen = HashSet::new();
    for scope in doc.statements.iter().flat_map(|s| &s.registry_scopes) {
        if !seen.insert(scope.as_str()) {
            return Err(PolicyError::DuplicateScope(scope.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_scopes() {
        for s in [
            "localhost:5000/e2e",
            "local/e2e",
            "ghcr.io/stefanprodan/podinfo-deploy",
            "index.docker.io/library/nginx",
            "registry.example.com/a__b/c.d/e---f",
            "10.0.0.1:443/x",
        ] {
            registry_scope_is_repository_name(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn invalid_scopes() {
        for s in [
            "e2e",
            "localhost:5000/E2E",
            "localhost:5000/e2e:v1",
            "localhost:5000/e2e@sha256:00",
            "https://ghcr.io/x",
            "-bad.io/x",
            "ghcr.io/",
            "/x",
            "ghcr.io/a//b",
            "ghcr.io/a..b",
            "ghcr.io/a___b",
            "ghcr.io/a-",
            "ghcr.io:/x",
        ] {
            assert!(
                matches!(
                    registry_scope_is_repository_name(s),
                    Err(PolicyError::InvalidScope(_))
                ),
                "{s}"
            );
        }
        let e = registry_scope_is_repository_name("ghcr.io/*").unwrap_err();
        assert!(matches!(e, PolicyError::WildcardInScope(_)));
        assert!(e
            .to_string()
            .starts_with("registry scope \"ghcr.io/*\" with wild card(s) is not valid"));
    }
}

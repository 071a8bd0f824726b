//! A small implementation of Masterminds/semver v3 constraints (what Flux uses).

use semver::{BuildMetadata, Prerelease, Version};
use std::cmp::Ordering;

/// Parse a version the loose way: optional `v`, 1 to 3 numeric parts, pre-release and build.
pub fn loose_version(s: &str) -> Option<Version> {
    partial(s).map(|p| p.floor())
}

/// A version that may be partial or carry wildcards: `1`, `1.2`, `1.2.x`, `*`.
#[derive(Debug, Clone)]
struct Partial {
    parts: [Option<u64>; 3],
    pre: Prerelease,
    build: BuildMetadata,
}

impl Partial {
    fn floor(&self) -> Version {
        Version {
            major: self.parts[0].unwrap_or(0),
            minor: self.parts[1].unwrap_or(0),
            patch: self.parts[2].unwrap_or(0),
            pre: self.pre.clone(),
            build: self.build.clone(),
        }
    }
    /// How many leading parts are fixed.
    fn fixed(&self) -> usize {
        self.parts.iter().take_while(|p| p.is_some()).count()
    }
    /// The exclusive upper bound of the wildcard range (`1.2.x` -> `1.3.0`).
    fn ceil(&self) -> Option<Version> {
        let [a, b, _] = self.parts;
        match self.fixed() {
            0 => None,
            1 => Some(Version::new(a?.checked_add(1)?, 0, 0)),
            2 => Some(Version::new(a?, b?.checked_add(1)?, 0)),
            _ => None,
        }
    }
}

fn partial(s: &str) -> Option<Partial> {
    let s = s.trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    let (s, build) = match s.split_once('+') {
        Some((a, b)) => (a, BuildMetadata::new(b).ok()?),
        None => (s, BuildMetadata::EMPTY),
    };
    let (core, pre) = match s.split_once('-') {
        Some((a, b)) => (a, Prerelease::new(b).ok()?),
        None => (s, Prerelease::EMPTY),
    };
    let mut parts = [None; 3];
    let mut wild = false;
    for (i, p) in core.split('.').enumerate() {
        let slot = parts.get_mut(i)?;
        if matches!(p, "x" | "X" | "*") {
            wild = true;
            continue;
        }
        if wild || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = Some(p.parse().ok()?);
    }
    Some(Partial { parts, pre, build })
}

#[derive(Debug, Clone)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Cmp {
    op: Op,
    v: Partial,
}

/// OR of ANDs of comparators.
#[derive(Debug, Clone)]
pub struct Constraint(Vec<Vec<Cmp>>);

impl Constraint {
    pub fn parse(s: &str) -> Result<Constraint, String> {
        let mut groups = Vec::new();
        for group in s.split("||") {
            let tokens: Vec<&str> = group
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            if tokens.is_empty() {
                return Err(format!("improper constraint: {s}"));
            }
            let mut cmps = Vec::new();
            let mut i = 0;
            while i < tokens.len() {
                // Hyphen range: `a - b`.
                if tokens.get(i + 1) == Some(&"-") {
                    let lo =
                        partial(tokens[i]).ok_or_else(|| format!("improper constraint: {s}"))?;
                    let hi_s = tokens
                        .get(i + 2)
                        .ok_or_else(|| format!("improper constraint: {s}"))?;
                    let hi = partial(hi_s).ok_or_else(|| format!("improper constraint: {s}"))?;
                    cmps.push(Cmp { op: Op::Ge, v: lo });
                    cmps.push(Cmp { op: Op::Le, v: hi });
                    i += 3;
                    continue;
                }
                let mut tok = tokens[i];
                // An operator written apart from its version: `>= 1.2`.
                let joined;
                if tok.bytes().all(|b| b"<>=!~^".contains(&b)) {
                    let next = tokens
                        .get(i + 1)
                        .ok_or_else(|| format!("improper constraint: {s}"))?;
                    joined = format!("{tok}{next}");
                    tok = &joined;
                    i += 1;
                }
                cmps.push(comparator(tok).ok_or_else(|| format!("improper constraint: {s}"))?);
                i += 1;
            }
            groups.push(cmps);
        }
        Ok(Constraint(groups))
    }

    pub fn matches(&self, v: &Version) -> bool {
        self.0.iter().any(|g| {
            // Pre-releases match only when a comparator of the group names one.
            if !v.pre.is_empty() && g.iter().all(|c| c.v.pre.is_empty()) {
                return false;
            }
            g.iter().all(|c| c.matches(v))
        })
    }
}

fn comparator(tok: &str) -> Option<Cmp> {
    let ops: [(&str, Op); 12] = [
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("!=", Op::Ne),
        ("~>", Op::Tilde),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
        ("~", Op::Tilde),
        ("^", Op::Caret),
        ("", Op::Eq),
    ];
    for (prefix, op) in ops {
        if let Some(rest) = tok.strip_prefix(prefix) {
            let v = if rest.is_empty() { None } else { partial(rest) };
            return v.map(|v| Cmp { op, v });
        }
    }
    None
}

impl Cmp {
    fn matches(&self, v: &Version) -> bool {
        let floor = self.v.floor();
        let cmp = |a: &Version, b: &Version| a.cmp_precedence(b);
        let in_wild = || {
            cmp(v, &floor) != Ordering::Less
                && self.v.ceil().is_none_or(|c| cmp(v, &c) == Ordering::Less)
        };
        let wild = self.v.fixed() < 3;
        match self.op {
            Op::Eq => {
                if wild {
                    in_wild()
                } else {
                    cmp(v, &floor) == Ordering::Equal
                }
            }
            Op::Ne => {
                if wild {
                    !in_wild()
                } else {
                    cmp(v, &floor) != Ordering::Equal
                }
            }
            Op::Gt => match (wild, self.v.ceil()) {
                (true, Some(c)) => cmp(v, &c) != Ordering::Less,
                (true, None) => false,
                _ => cmp(v, &floor) == Ordering::Greater,
            },
            Op::Ge => cmp(v, &floor) != Ordering::Less,
            Op::Lt => cmp(v, &floor) == Ordering::Less,
            Op::Le => match (wild, self.v.ceil()) {
                (true, Some(c)) => cmp(v, &c) == Ordering::Less,
                (true, None) => true,
                _ => cmp(v, &floor) != Ordering::Greater,
            },
            Op::Tilde => {
                let upper = match self.v.fixed() {
                    0 => None,
                    1 => floor.major.checked_add(1).map(|m| Version::new(m, 0, 0)),
                    _ => floor
                        .minor
                        .checked_add(1)
                        .map(|m| Version::new(floor.major, m, 0)),
                };
                cmp(v, &floor) != Ordering::Less
                    && upper.is_none_or(|u| cmp(v, &u) == Ordering::Less)
            }
            Op::Caret => {
                let upper = if floor.major > 0 || self.v.fixed() == 1 {
                    floor.major.checked_add(1).map(|m| Version::new(m, 0, 0))
                } else if floor.minor > 0 || self.v.fixed() == 2 {
                    floor.minor.checked_add(1).map(|m| Version::new(0, m, 0))
                } else {
                    floor.patch.checked_add(1).map(|p| Version::new(0, 0, p))
                };
                cmp(v, &floor) != Ordering::Less
                    && upper.is_none_or(|u| cmp(v, &u) == Ordering::Less)
            }
        }
    }
}

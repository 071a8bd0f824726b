//! JSON object member names as Go's `encoding/json` matches them to struct fields: without
//! regard to letter case, by Unicode simple folding (so `ſ` matches `s` and the Kelvin sign `K`
//! matches `k`), the last matching member winning. Every Go tool that reads a bundle after us
//! (containerd, skopeo, oras, notation, Flux) reads JSON this way, so a document we read must not
//! hold members that Go would read differently from us.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A name folded as Go's `encoding/json` folds it (`appendFoldedName`): ASCII letters upper-cased,
/// any other character mapped to `ToUpper(ToLower(c))` with Unicode simple case mappings.
pub fn go_fold(name: &str) -> String {
    folded_chars(name).collect()
}

/// Two member names Go's `encoding/json` treats as the same field name.
pub fn go_fold_eq(a: &str, b: &str) -> bool {
    a == b || folded_chars(a).eq(folded_chars(b))
}

/// The characters of [`go_fold`]`(name)`, without allocating.
fn folded_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().map(fold_char)
}

/// One character as [`go_fold`] maps it.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_uppercase()
    } else {
        simple_upper(simple_lower(c))
    }
}

/// The simple lowercase mapping (one character to one character). Only U+0130 has a longer full
/// mapping, whose first character is its simple mapping.
fn simple_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The simple uppercase mapping: a full mapping of more than one character (`ß` to `SS`) means
/// the character has no simple one and stays as it is.
fn simple_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Check every JSON object of `bytes`: no two members whose names Go folds to the same name, and
/// no member whose name folds to one of `fields` without being spelled exactly so. The members
/// of objects held by a member named in `maps` (`annotations`) are map keys, matched exactly by
/// Go, and not checked. `bytes` must already be known to nest within a sane depth. Returns a
/// message naming the member (`manifests[0].Digest`) on failure; JSON syntax errors are left to
/// the real parse.
pub fn check_member_names(bytes: &[u8], fields: &[&str], maps: &[&str]) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let walk = Walk {
        path: Path::Root,
        is_map: false,
        rules: &Rules { fields, maps },
    };
    match walk.deserialize(&mut de) {
        Ok(()) => Ok(()),
        Err(e) if e.is_data() => Err(strip_position(&e.to_string())),
        Err(_) => Ok(()),
    }
}

fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

struct Rules<'a> {
    fields: &'a [&'a str],
    maps: &'a [&'a str],
}

/// Where a value sits in the document (`manifests[0].digest`), spelled out only for a message:
/// walking a document allocates nothing per member.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Index(&'p Path<'p>, usize),
    Member(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    /// `a.b[0].c`: members joined by dots, array items by their index in brackets.
    fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Index(parent, _) | Path::Member(parent, _) => {
                    segments.push(at);
                    at = parent;
                }
            }
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Path::Index(_, i) => out.push_str(&format!("[{i}]")),
                Path::Member(_, name) if out.is_empty() => out.push_str(name),
                Path::Member(_, name) => {
                    out.push('.');
                    out.push_str(name);
                }
                Path::Root => {}
            }
        }
        out
    }
}

struct Walk<'a> {
    path: Path<'a>,
    is_map: bool,
    rules: &'a Rules<'a>,
}

/// A member name: borrowed from the document unless it holds escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
}

/// A member name compared and hashed as Go folds it.
struct Folded<'de>(std::borrow::Cow<'de, str>);

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        go_fold_eq(&self.0, &other.0)
    }
}

impl Eq for Folded<'_> {}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for c in folded_chars(&self.0) {
            c.hash(state);
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let walk = Walk {
                path: Path::Index(&self.path, i),
                is_map: false,
                rules: self.rules,
            };
            if seq.next_element_seed(walk)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Names seen so far, by their folded form (a hash set: an object of many members costs
        // no more than linear time).
        let mut seen: std::collections::HashSet<Folded<'de>> = Default::default();
        while let Some(name) = map.next_key_seed(Key)? {
            let here = Path::Member(&self.path, &name);
            if self.is_map {
                map.next_value_seed(Walk {
                    path: here,
                    is_map: false,
                    rules: self.rules,
                })?;
                continue;
            }
            let folded = Folded(name.clone());
            if let Some(Folded(other)) = seen.get(&folded) {
                return Err(serde::de::Error::custom(format!(
                    "member {:?} and member {other:?} are one field for Go's encoding/json (it keeps the last)",
                    here.render()
                )));
            }
            if let Some(field) = self
                .rules
                .fields
                .iter()
                .find(|f| **f != name && go_fold_eq(f, &name))
            {
                return Err(serde::de::Error::custom(format!(
                    "member {:?} is read as {field:?} by Go's encoding/json (names match without regard to case) but not by an exact reader",
                    here.render()
                )));
            }
            let is_map = self.rules.maps.contains(&name.as_ref());
            map.next_value_seed(Walk {
                path: here,
                is_map,
                rules: self.rules,
            })?;
            seen.insert(folded);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_folds_long_s_and_kelvin() {
        assert_eq!(go_fold("ſize"), "SIZE");
        assert_eq!(go_fold("\u{212a}ey"), "KEY");
        assert!(go_fold_eq("digest", "DIGEST"));
        assert!(go_fold_eq("mediaType", "mediaTyPe"));
        assert!(!go_fold_eq("size", "sizes"));
        assert_eq!(go_fold("straße"), "STRAßE");
        assert_eq!(go_fold("\u{130}"), "I");
    }

    const FIELDS: &[&str] = &["digest", "size", "annotations", "manifests"];

    fn check(json: &str) -> Result<(), String> {
        check_member_names(json.as_bytes(), FIELDS, &["annotations"])
    }

    #[test]
    fn refuses_folded_and_duplicate_members() {
        assert!(check(r#"{"digest":"a","size":1}"#).is_ok());
        let e = check(r#"{"manifests":[{"digest":"a","Digest":"b"}]}"#).unwrap_err();
        assert!(e.contains("manifests[0].Digest"), "{e}");
        let e = check(r#"{"ſize":1}"#).unwrap_err();
        assert!(e.contains("\"ſize\""), "{e}");
        assert!(check(r#"{"digest":"a","digest":"b"}"#).is_err());
        assert!(check(r#"{"x":{"a":1,"A":2}}"#).is_err());
    }

    #[test]
    fn annotation_keys_are_map_keys() {
        assert!(check(r#"{"annotations":{"Size":"1","size":"2","DIGEST":"x"}}"#).is_ok());
        assert!(check(r#"{"Annotations":{}}"#).is_err());
    }
}

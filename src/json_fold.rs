//! JSON object member names as Go's `encoding/json` matches them to struct fields: without
//! regard to letter case, by Unicode simple folding (so `ſ` matches `s` and the Kelvin sign `K`
//! matches `k`), the last matching member winning. Every Go tool that reads a bundle after us
//! (containerd, skopeo, oras, notation, Flux) reads JSON this way, so a document we read must not
//! hold members that Go would read differently from us.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A name folded as Go's `encoding/json` folds it (`appendFoldedName`): ASCII letters upper-cased,
/// any other character mapped to `ToUpper(ToLower(c))` with Unicode simple case mappings.
pub fn go_fold(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_ascii_uppercase()
            } else {
                simple_upper(simple_lower(c))
            }
        })
        .collect()
}

/// Two member names Go's `encoding/json` treats as the same field name.
pub fn go_fold_eq(a: &str, b: &str) -> bool {
    a == b || go_fold(a) == go_fold(b)
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
        path: String::new(),
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

struct Walk<'a> {
    path: String,
    is_map: bool,
    rules: &'a Rules<'a>,
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
                path: format!("{}[{i}]", self.path),
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
        let mut seen: Vec<(String, String)> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            let here = if self.path.is_empty() {
                name.clone()
            } else {
                format!("{}.{name}", self.path)
            };
            if self.is_map {
                map.next_value_seed(Walk {
                    path: here,
                    is_map: false,
                    rules: self.rules,
                })?;
                continue;
            }
            let folded = go_fold(&name);
            if let Some((other, _)) = seen.iter().find(|(_, f)| *f == folded) {
                return Err(serde::de::Error::custom(format!(
                    "member {here:?} and member {other:?} are one field for Go's encoding/json (it keeps the last)"
                )));
            }
            if let Some(field) = self
                .rules
                .fields
                .iter()
                .find(|f| **f != name && go_fold(f) == folded)
            {
                return Err(serde::de::Error::custom(format!(
                    "member {here:?} is read as {field:?} by Go's encoding/json (names match without regard to case) but not by an exact reader"
                )));
            }
            let is_map = self.rules.maps.contains(&name.as_str());
            map.next_value_seed(Walk {
                path: here,
                is_map,
                rules: self.rules,
            })?;
            seen.push((name, folded));
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

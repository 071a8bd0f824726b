//! Trusted identities and distinguished names (NOTATION.md §6.4).
//!
//! A trusted identity `x509.subject:<DN>` is parsed the way notation-go does: go-ldap v3.4.10
//! `ParseDN`, then notation's own rules (no `=#`, no multi-valued RDN, no duplicate type, `S`
//! is `ST`, C/ST/O mandatory). The leaf certificate's subject is first rendered as Go's
//! `pkix.Name.String()` and parsed with the same function, so the quirks of that rendering
//! (non-standard attributes as `OID=#hex`, several values of one type as a multi-valued RDN,
//! only the last CN kept) have the same effect here as in notation-go.

use std::collections::BTreeMap;

use const_oid::ObjectIdentifier;
use x509_cert::name::Name;

use super::document::Statement;
use super::{go_quote, PolicyError};
use crate::pki::cert::Cert;

/// A parsed DN: attribute type (case-sensitive, `S` folded into `ST`) to value.
pub type DnMap = BTreeMap<String, String>;

/// Prefix of X.509 subject identities.
pub const X509_SUBJECT: &str = "x509.subject";

/// Why a distinguished name is not usable as a trusted identity (notation-go
/// `pkix.ParseDistinguishedName` messages, verbatim).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnError {
    /// The DN contains `=#` (a hex-encoded value), which notation refuses.
    #[error("unsupported distinguished name (DN) {}: notation does not support x509.subject identities containing \"=#\"", go_quote(.0))]
    HexValue(String),
    /// go-ldap's `ParseDN` rejected the text (bad escape, missing `=`, trailing separator...).
    #[error("parsing distinguished name (DN) {} failed with err: {reason}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard", go_quote(name))]
    Syntax {
        /// The DN: a trusted identity's value, or a certificate subject as Go prints it.
        name: String,
        /// go-ldap's error, verbatim.
        reason: String,
    },
    /// An RDN joins several attributes with `+`.
    #[error("distinguished name (DN) {} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported", go_quote(.0))]
    MultiValued(String),
    /// The same attribute type appears twice (`ST` and `S` count as the same).
    #[error("distinguished name (DN) {} has duplicate RDN attribute for {}, DN can only have unique RDN attributes", go_quote(name), go_quote(kind))]
    Duplicate {
        /// The DN: a trusted identity's value, or a certificate subject as Go prints it.
        name: String,
        /// The attribute type that appears twice (`ST` for `S` too).
        kind: String,
    },
    /// C, ST (or S) or O is missing or empty. Types are case-sensitive: `c=US` is not `C`.
    #[error("distinguished name (DN) {} has no mandatory RDN attribute for {}, it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum", go_quote(name), go_quote(field))]
    MissingMandatory {
        /// The DN: a trusted identity's value, or a certificate subject as Go prints it.
        name: String,
        /// The attribute missing or empty: `C`, `ST` or `O`.
        field: String,
    },
    /// A certificate subject attribute value is not one of the string types Go accepts (Go
    /// would refuse the whole certificate).
    #[error(
        "certificate subject attribute {oid} has a value of unsupported ASN.1 type (tag {tag})"
    )]
    UnsupportedValue {
        /// The attribute type's OID, dotted (`2.5.4.3`).
        oid: String,
        /// The ASN.1 tag of its value, as one byte.
        tag: u8,
    },
}

/// One attribute of an RDN as go-ldap returns it.
type Atv = (String, String);

/// go-ldap v3.4.10 `ParseDN`: RDNs separated by `,` or `;`, attributes of one RDN joined by
/// `+`, RFC 4514 escapes, spaces around types and values trimmed. Returns the RDNs in order.
pub fn ldap_parse_dn(s: &str) -> Result<Vec<Vec<Atv>>, String> {
    let mut dn: Vec<Vec<Atv>> = Vec::new();
    if s.trim().is_empty() {
        return Ok(dn);
    }
    let bytes = s.as_bytes();
    let mut rdn: Vec<Atv> = Vec::new();
    let mut kind = String::new();
    let mut escaping = false;
    let mut start = 0usize;
    for (i, &c) in bytes.iter().enumerate() {
        if escaping {
            escaping = false;
        } else if c == b'\\' {
            escaping = true;
        } else if c == b'=' && kind.is_empty() {
            kind = ldap_decode_string(s.get(start..i).unwrap_or(""))?;
            start = i + 1;
        } else if c == b',' || c == b'+' || c == b';' {
            if kind.is_empty() {
                return Err("incomplete type, value pair".into());
            }
            let value = ldap_decode_value(s.get(start..i).unwrap_or(""))?;
            rdn.push((std::mem::take(&mut kind), value));
            start = i + 1;
            if c != b'+' {
                dn.push(std::mem::take(&mut rdn));
            }
        }
    }
    if kind.is_empty() {
        return Err("DN ended with incomplete type, value pair".into());
    }
    let value = ldap_decode_value(s.get(start..).unwrap_or(""))?;
    rdn.push((kind, value));
    dn.push(rdn);
    Ok(dn)
}

/// A value: `#hex` (BER) values are refused earlier by notation (`=#`); anything else is an
/// escaped string.
fn ldap_decode_value(s: &str) -> Result<String, String> {
    if s.starts_with('#') {
        return Err("hex-encoded (#) values are not supported".into());
    }
    ldap_decode_string(s)
}

/// go-ldap `decodeString`: trim spaces (keeping an escaped trailing space), then resolve
/// `\c` for the special characters and `\XX` hex escapes.
fn ldap_decode_string(raw: &str) -> Result<String, String> {
    let mut trimmed = raw.trim_matches(' ').to_string();
    if trimmed.ends_with('\\') && raw.ends_with(' ') {
        trimmed.push(' ');
    }
    let s: Vec<char> = trimmed.chars().collect();
    let mut out: Vec<u8> = Vec::with_capacity(trimmed.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        let Some(&next) = s.get(i + 1) else {
            return Err(format!("got corrupted escaped character: '{trimmed}'"));
        };
        if matches!(
            next,
            ' ' | '"' | '#' | '+' | ',' | ';' | '<' | '=' | '>' | '\\'
        ) {
            out.push(next as u8);
            i += 2;
            continue;
        }
        let Some(&second) = s.get(i + 2) else {
            return Err(format!(
                "failed to decode escaped character: encoding/hex: invalid byte: {next}"
            ));
        };
        if !next.is_ascii() || !second.is_ascii() {
            return Err(format!(
                "failed to decode escaped character: invalid byte: {next}{second}"
            ));
        }
        let hi = hex_val(next).ok_or_else(|| invalid_hex_byte(next))?;
        let lo = hex_val(second).ok_or_else(|| invalid_hex_byte(second))?;
        out.push(hi << 4 | lo);
        i += 3;
    }
    // Go strings hold arbitrary bytes; invalid UTF-8 from `\XX` escapes is kept lossily here.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn hex_val(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Go's `hex.InvalidByteError` text (`%#U`).
fn invalid_hex_byte(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_ascii_graphic() || c == ' ' {
        format!("failed to decode escaped character: encoding/hex: invalid byte: {code} '{c}'")
    } else {
        format!("failed to decode escaped character: encoding/hex: invalid byte: {code}")
    }
}

/// notation-go `pkix.ParseDistinguishedName` (NOTATION.md §6.4): rejects `=#`, multi-valued
/// RDNs and duplicate types; folds `S` into `ST`; requires C, ST and O.
pub fn parse_distinguished_name(name: &str) -> Result<DnMap, DnError> {
    if name.contains("=#") {
        return Err(DnError::HexValue(name.to_string()));
    }
    let rdns = ldap_parse_dn(name).map_err(|reason| DnError::Syntax {
        name: name.to_string(),
        reason,
    })?;
    let mut map = DnMap::new();
    for rdn in rdns {
        if rdn.len() > 1 {
            return Err(DnError::MultiValued(name.to_string()));
        }
        for (kind, value) in rdn {
            let kind = if kind == "S" { "ST".to_string() } else { kind };
            match map.get(&kind) {
                Some(existing) if !existing.is_empty() => {
                    return Err(DnError::Duplicate {
                        name: name.to_string(),
                        kind,
                    })
                }
                _ => {
                    map.insert(kind, value);
                }
            }
        }
    }
    dn_has_mandatory_c_st_o(name, &map)?;
    Ok(map)
}

/// C, ST and O must be present and non-empty in a trusted identity and in the leaf subject
/// (NOTATION.md §6.4).
pub fn dn_has_mandatory_c_st_o(name: &str, map: &DnMap) -> Result<(), DnError> {
    for field in ["C", "ST", "O"] {
        if map.get(field).is_none_or(|v| v.is_empty()) {
            return Err(DnError::MissingMandatory {
                name: name.to_string(),
                field: field.to_string(),
            });
        }
    }
    Ok(())
}

/// notation-go `IsSubsetDN`: every type=value of `a` is in `b` with the same (case-sensitive)
/// value.
pub fn is_subset_dn(a: &DnMap, b: &DnMap) -> bool {
    a.iter()
        .all(|(k, v)| b.get(k).map(String::as_str).unwrap_or("") == v)
}

/// Policy validation of a statement's `trustedIdentities` (NOTATION.md §6.4, last bullet):
/// `*` alone, no empty entry, `prefix:value` form, valid `x509.subject` DNs, no DN that is a
/// subset of another.
pub fn trusted_identities_are_valid(
    statement: &str,
    identities: &[String],
) -> Result<(), PolicyError> {
    if identities.len() > 1 && identities.iter().any(|i| i == "*") {
        return Err(PolicyError::WildcardIdentityWithOthers(
            statement.to_string(),
        ));
    }
    let mut parsed: Vec<(&str, DnMap)> = Vec::new();
    for identity in identities {
        if identity.is_empty() {
            return Err(PolicyError::EmptyIdentity(statement.to_string()));
        }
        if identity == "*" {
            continue;
        }
        if let Some(dn) = x509_identity(statement, identity)? {
            parsed.push((identity, dn));
        }
    }
    for (i, (raw1, dn1)) in parsed.iter().enumerate() {
        for (j, (raw2, dn2)) in parsed.iter().enumerate() {
            if i != j && is_subset_dn(dn1, dn2) {
                return Err(PolicyError::OverlappingIdentities {
                    statement: statement.to_string(),
                    first: raw1.to_string(),
                    second: raw2.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Split `prefix:value`; for `x509.subject` return the parsed DN, for other prefixes `None`
/// (allowed by validation, ignored at verification).
fn x509_identity(statement: &str, identity: &str) -> Result<Option<DnMap>, PolicyError> {
    let Some((prefix, value)) = identity.split_once(':') else {
        return Err(PolicyError::IdentityMissingSeparator {
            statement: statement.to_string(),
            identity: identity.to_string(),
        });
    };
    if prefix != X509_SUBJECT {
        return Ok(None);
    }
    if value.is_empty() {
        return Err(PolicyError::IdentityWithoutValue {
            statement: statement.to_string(),
            identity: identity.to_string(),
        });
    }
    parse_distinguished_name(value)
        .map(Some)
        .map_err(|reason| PolicyError::InvalidIdentity {
            statement: statement.to_string(),
            identity: identity.to_string(),
            reason,
        })
}

/// The leaf (signing) certificate's subject must match one of the statement's trusted
/// identities (NOTATION.md §6.4; notation-go `verifyX509TrustedIdentities`): `*` accepts any;
/// otherwise a subset match of an `x509.subject` DN against the leaf subject as Go renders and
/// re-parses it.
pub fn leaf_matches_trusted_identities(
    leaf: &Cert,
    statement: &Statement,
) -> Result<(), PolicyError> {
    if statement.trusted_identities.iter().any(|i| i == "*") {
        return Ok(());
    }
    let mut trusted = Vec::new();
    for identity in &statement.trusted_identities {
        if let Some(dn) = x509_identity(&statement.name, identity)? {
            trusted.push(dn);
        }
    }
    if trusted.is_empty() {
        return Err(PolicyError::NoX509Identities(statement.name.clone()));
    }
    let subject = go_pkix_name_string(&leaf.inner().tbs_certificate.subject)
        .map_err(PolicyError::LeafSubject)?;
    let leaf_dn = parse_distinguished_name(&subject).map_err(PolicyError::LeafSubject)?;
    if trusted.iter().any(|t| is_subset_dn(t, &leaf_dn)) {
        return Ok(());
    }
    Err(PolicyError::IdentityMismatch {
        statement: statement.name.clone(),
        identities: go_quote_maps(&trusted),
    })
}

/// Go's `%q` of a `[]map[string]string` (keys sorted): `[map["C":"US" "O":"Notary"]]`.
pub fn go_quote_maps(maps: &[DnMap]) -> String {
    let inner: Vec<String> = maps
        .iter()
        .map(|m| {
            let entries: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        })
        .collect();
    format!("[{}]", inner.join(" "))
}

/// `2.5.4.x` attributes that Go parses into `pkix.Name` fields.
fn go_parsed_field(oid: &ObjectIdentifier) -> Option<u32> {
    let arcs: Vec<u32> = oid.arcs().collect();
    match arcs.as_slice() {
        [2, 5, 4, n @ (3 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 17)] => Some(*n),
        _ => None,
    }
}

/// The short names Go's `RDNSequence.String` knows.
fn go_type_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    let arcs: Vec<u32> = oid.arcs().collect();
    Some(match arcs.as_slice() {
        [2, 5, 4, 3] => "CN",
        [2, 5, 4, 5] => "SERIALNUMBER",
        [2, 5, 4, 6] => "C",
        [2, 5, 4, 7] => "L",
        [2, 5, 4, 8] => "ST",
        [2, 5, 4, 9] => "STREET",
        [2, 5, 4, 10] => "O",
        [2, 5, 4, 11] => "OU",
        [2, 5, 4, 17] => "POSTALCODE",
        _ => return None,
    })
}

/// Decode an attribute value as Go's certificate parser does (`parseASN1String`).
fn attribute_string(oid: &ObjectIdentifier, value: &der::Any) -> Result<String, DnError> {
    let tag = u8::from(der::Tagged::tag(value));
    let bytes = value.value();
    let bad = || DnError::UnsupportedValue {
        oid: oid.to_string(),
        tag,
    };
    match tag {
        // PrintableString, UTF8String, IA5String, NumericString, T61String
        0x13 | 0x0c | 0x16 | 0x12 => String::from_utf8(bytes.to_vec()).map_err(|_| bad()),
        0x14 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UCS-2 big endian.
        0x1e => {
            if !bytes.len().is_multiple_of(2) {
                return Err(bad());
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// Go's `pkix.Name.String()` for a certificate's parsed name (no `ExtraNames`): non-standard
/// attributes first (rendered last, as `OID=#hex`), then C, ST, L, STREET, POSTALCODE, O, OU
/// (several values of one type in one multi-valued RDN), the last CN, the last SERIALNUMBER;
/// the whole sequence reversed and escaped.
pub fn go_pkix_name_string(name: &Name) -> Result<String, DnError> {
    let mut others: Vec<(ObjectIdentifier, String)> = Vec::new();
    let mut fields: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            let value = attribute_string(&atv.oid, &atv.value)?;
            match go_parsed_field(&atv.oid) {
                Some(n @ (3 | 5)) => {
                    fields.insert(n, vec![value]);
                }
                Some(n) => fields.entry(n).or_default().push(value),
                None => others.push((atv.oid, value)),
            }
        }
    }
    // The RDN sequence in Go's order; each RDN is a list of (type, value).
    let mut rdns: Vec<Vec<(ObjectIdentifier, String)>> =
        others.into_iter().map(|atv| vec![atv]).collect();
    for n in [6u32, 8, 7, 9, 17, 10, 11, 3, 5] {
        if let Some(values) = fields.remove(&n) {
            if values.iter().all(String::is_empty) && (n == 3 || n == 5) {
                continue;
            }
            let oid = ObjectIdentifier::new(&format!("2.5.4.{n}")).map_err(|_| {
                DnError::UnsupportedValue {
                    oid: format!("2.5.4.{n}"),
                    tag: 0,
                }
            })?;
            rdns.push(values.into_iter().map(|v| (oid, v)).collect());
        }
    }
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, (oid, value)) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            match go_type_name(oid) {
                Some(t) => {
                    out.push_str(t);
                    out.push('=');
                    out.push_str(&go_escape_value(value));
                }
                None => {
                    out.push_str(&oid.to_string());
                    out.push_str("=#");
                    out.push_str(&hex::encode(go_asn1_marshal_string(value)));
                }
            }
        }
    }
    Ok(out)
}

/// Go's value escaping in `RDNSequence.String`.
fn go_escape_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let last = v.len().saturating_sub(1);
    for (k, c) in v.char_indices() {
        let escape = match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
            ' ' => k == 0 || k == last,
            '#' => k == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Go's `asn1.Marshal` of a string: PrintableString when it can, else UTF8String.
fn go_asn1_marshal_string(v: &str) -> Vec<u8> {
    let printable = v.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    let tag = if printable { 0x13 } else { 0x0c };
    let mut out = vec![tag];
    let len = v.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let be = len.to_be_bytes();
        let skip = be.iter().take_while(|b| **b == 0).count();
        let body = be.get(skip..).unwrap_or(&[]);
        out.push(0x80 | body.len() as u8);
        out.extend_from_slice(body);
    }
    out.extend_from_slice(v.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn map(pairs: &[(&str, &str)]) -> DnMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_notation_style_dn() {
        let m = parse_distinguished_name(" C=US, ST=WA, L=Seattle, O=Notary, CN=e2e").unwrap();
        assert_eq!(
            m,
            map(&[
                ("C", "US"),
                ("ST", "WA"),
                ("L", "Seattle"),
                ("O", "Notary"),
                ("CN", "e2e")
            ])
        );
        // `;` separator, `S` alias, escapes.
        let m = parse_distinguished_name(r"C=US;S=WA;O=Acme\, Inc.;CN=\41b\ ").unwrap();
        assert_eq!(m["ST"], "WA");
        assert_eq!(m["O"], "Acme, Inc.");
        assert_eq!(m["CN"], "Ab ");
    }

    #[test]
    fn dn_rejections() {
        assert!(matches!(
            parse_distinguished_name("C=US,ST=WA,O=#0403"),
            Err(DnError::HexValue(_))
        ));
        assert!(matches!(
            parse_distinguished_name("C=US+ST=WA,O=x"),
            Err(DnError::MultiValued(_))
        ));
        assert!(matches!(
            parse_distinguished_name("C=US,ST=WA,S=OR,O=x"),
            Err(DnError::Duplicate { kind, .. }) if kind == "ST"
        ));
        assert!(matches!(
            parse_distinguished_name("c=US,ST=WA,O=x"),
            Err(DnError::MissingMandatory { field, .. }) if field == "C"
        ));
        assert!(matches!(
            parse_distinguished_name("C=US,ST=WA"),
            Err(DnError::MissingMandatory { field, .. }) if field == "O"
        ));
        assert!(matches!(
            parse_distinguished_name("C=US,ST=WA,O=x,"),
            Err(DnError::Syntax { .. })
        ));
        assert!(matches!(
            parse_distinguished_name("C=US,ST,O=x"),
            Err(DnError::Syntax { .. })
        ));
        let e = parse_distinguished_name(r"C=US,ST=WA,O=a\zz").unwrap_err();
        assert!(e.to_string().contains("invalid byte: U+007A 'z'"), "{e}");
        let e = parse_distinguished_name("C=US,ST=WA,O=a\\").unwrap_err();
        assert!(
            e.to_string().contains("got corrupted escaped character"),
            "{e}"
        );
    }

    #[test]
    fn subset_matching_is_case_sensitive() {
        let leaf = map(&[("C", "US"), ("ST", "WA"), ("O", "Notary"), ("CN", "e2e")]);
        assert!(is_subset_dn(
            &map(&[("C", "US"), ("ST", "WA"), ("O", "Notary")]),
            &leaf
        ));
        assert!(!is_subset_dn(
            &map(&[("C", "US"), ("ST", "WA"), ("O", "notary")]),
            &leaf
        ));
        assert!(!is_subset_dn(&map(&[("C", "US"), ("L", "Seattle")]), &leaf));
    }

    #[test]
    fn identity_validation() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(trusted_identities_are_valid("p", &s(&["*"])).is_ok());
        assert!(trusted_identities_are_valid(
            "p",
            &s(&["x509.subject: C=US, ST=WA, O=A", "other:thing"])
        )
        .is_ok());
        assert!(matches!(
            trusted_identities_are_valid("p", &s(&["*", "x509.subject: C=US, ST=WA, O=A"])),
            Err(PolicyError::WildcardIdentityWithOthers(_))
        ));
        assert!(matches!(
            trusted_identities_are_valid("p", &s(&[""])),
            Err(PolicyError::EmptyIdentity(_))
        ));
        assert!(matches!(
            trusted_identities_are_valid("p", &s(&["x509.subject C=US"])),
            Err(PolicyError::IdentityMissingSeparator { .. })
        ));
        assert!(matches!(
            trusted_identities_are_valid("p", &s(&["x509.subject:"])),
            Err(PolicyError::IdentityWithoutValue { .. })
        ));
        let e = trusted_identities_are_valid(
            "p",
            &s(&[
                "x509.subject: C=US, ST=WA, O=A",
                "x509.subject: C=US, ST=WA, O=A, CN=x",
            ]),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "trust policy: trust policy statement \"p\" has overlapping x509 trustedIdentities, \"x509.subject: C=US, ST=WA, O=A\" overlaps with \"x509.subject: C=US, ST=WA, O=A, CN=x\""
        );
    }

    #[test]
    fn go_name_string_renders_like_go() {
        let name = Name::from_str("CN=e2e,O=Notary,L=Seattle,ST=WA,C=US").unwrap();
        assert_eq!(
            go_pkix_name_string(&name).unwrap(),
            "CN=e2e,O=Notary,L=Seattle,ST=WA,C=US"
        );
        // Order in the certificate does not matter; Go renders its own order.
        let name = Name::from_str("C=US,O=Notary,ST=WA,CN=a\\,b").unwrap();
        assert_eq!(
            go_pkix_name_string(&name).unwrap(),
            "CN=a\\,b,O=Notary,ST=WA,C=US"
        );
        // Two OUs become a multi-valued RDN; non-standard types become OID=#hex.
        // (x509-cert stores an RFC 4514 string in reverse: OU=b comes first in the DER.)
        let name = Name::from_str("OU=a,OU=b,O=x,ST=WA,C=US").unwrap();
        assert_eq!(
            go_pkix_name_string(&name).unwrap(),
            "OU=b+OU=a,O=x,ST=WA,C=US"
        );
        let name = Name::from_str("C=US,ST=WA,O=x,2.5.4.12=boss").unwrap();
        assert_eq!(
            go_pkix_name_string(&name).unwrap(),
            "O=x,ST=WA,C=US,2.5.4.12=#1304626f7373"
        );
    }

    #[test]
    fn quotes_maps_like_go() {
        let m = map(&[("O", "Notary"), ("C", "US"), ("CN", "example.com")]);
        assert_eq!(
            go_quote_maps(&[m]),
            "[map[\"C\":\"US\" \"CN\":\"example.com\" \"O\":\"Notary\"]]"
        );
    }
}

//! Certificate values read exactly as Flux reads them (FLUX.md §2.4): Go's `pem.Decode` once per
//! value, then `x509.ParseCertificates` over the first block's bytes, or over the whole value
//! when it holds no PEM block.
//!
//! [`go_pem_decode`] follows Go's `encoding/pem.Decode`: the first `-----BEGIN TYPE-----` line
//! (at the start of the data or after a newline) whose block is complete, any type, text before
//! and after ignored, `Key: value` header lines skipped, CRLF line ends, spaces and tabs anywhere
//! in the body, lines of any length. [`go_parse_certificates`] follows `x509.ParseCertificates`:
//! concatenated DER certificates, an empty input is no certificate and no error, trailing bytes
//! that are not a certificate are an error, with Go's messages (`x509: malformed certificate`,
//! ...) for the structural faults Go names.

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::Engine as _;

use crate::pki::cert::Cert;

/// One PEM block as Go's decoder returns it (headers are skipped: nothing reads them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The type of the BEGIN line (`CERTIFICATE`, `EC PRIVATE KEY`, ...), unchecked.
    pub label: String,
    /// The decoded body.
    pub bytes: Vec<u8>,
}

const PEM_START: &[u8] = b"\n-----BEGIN ";
const PEM_END: &[u8] = b"\n-----END ";
const PEM_END_OF_LINE: &[u8] = b"-----";

/// Go's `getLine`: the line up to `\n` (without a `\r` before it), trailing spaces and tabs
/// removed, and the rest after the `\n`.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut end, next) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if next != end && end > 0 && data[end - 1] == b'\r' {
        end -= 1;
    }
    let mut line = &data[..end];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[next..])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Go's `base64.StdEncoding.Decode`: `\r` and `\n` are skipped, padding is required, the unused
/// bits of the last character need not be zero.
fn go_base64(data: &[u8]) -> Option<Vec<u8>> {
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    // Fail fast on the first byte that cannot be base64, before copying anything: a value made
    // of many BEGIN lines must not cost a full pass per line.
    let ok = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    let mut cleaned = Vec::with_capacity(data.len());
    for b in data {
        match b {
            b'\r' | b'\n' | b' ' | b'\t' => {}
            b if ok(b) => cleaned.push(*b),
            _ => return None,
        }
    }
    engine.decode(cleaned).ok()
}

/// Go's `pem.Decode`: the first complete PEM block of `data` and the bytes after it, or `None`
/// when there is none.
pub fn go_pem_decode(data: &[u8]) -> Option<(PemBlock, &[u8])> {
    let mut rest = data;
    // The first END line at or after `rest`, as an offset from the end of `data`: `rest` only
    // moves forward, so one search serves every BEGIN line before it (linear, not quadratic,
    // in the number of BEGIN lines).
    let mut next_end: Option<usize> = None;
    loop {
        if rest.starts_with(&PEM_START[1..]) {
            rest = &rest[PEM_START.len() - 1..];
        } else if let Some(i) = find(rest, PEM_START) {
            rest = &rest[i + PEM_START.len()..];
        } else {
            return None;
        }
        let (type_line, after_type) = get_line(rest);
        rest = after_type;
        let Some(label) = type_line.strip_suffix(PEM_END_OF_LINE) else {
            continue;
        };
        // Header lines: `Key: value` until the first line without a colon.
        let mut headers = 0usize;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            headers += 1;
            rest = next;
        }
        let (end_index, end_trailer_index) = if headers == 0 && rest.starts_with(&PEM_END[1..]) {
            (0, PEM_END.len() - 1)
        } else {
            let from_end = match next_end {
                Some(e) if e <= rest.len() => e,
                _ => match find(rest, PEM_END) {
                    Some(i) => rest.len() - i,
                    // No END line anywhere after here: no block can complete.
                    None => return None,
                },
            };
            next_end = Some(from_end);
            let i = rest.len() - from_end;
            (i, i + PEM_END.len())
        };
        let end_trailer = &rest[end_trailer_index..];
        let trailer_len = label.len() + PEM_END_OF_LINE.len();
        if end_trailer.len() < trailer_len {
            continue;
        }
        let (trailer, rest_of_end_line) = end_trailer.split_at(trailer_len);
        if !trailer.starts_with(label) || !trailer.ends_with(PEM_END_OF_LINE) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let Some(bytes) = go_base64(&rest[..end_index]) else {
            continue;
        };
        let (_, after) = get_line(&rest[end_index + PEM_END.len() - 1..]);
        return Some((
            PemBlock {
                label: String::from_utf8_lossy(label).into_owned(),
                bytes,
            },
            after,
        ));
    }
}

/// A DER reader as strict as Go's `cryptobyte` (definite, minimal lengths).
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    /// Read one element with a one-byte `tag`; returns (whole element, contents).
    fn element(&mut self, tag: u8) -> Option<(&'a [u8], &'a [u8])> {
        let data = self.0;
        if data.len() < 2 || data[0] != tag {
            return None;
        }
        let first = data[1];
        let (len, header) = if first & 0x80 == 0 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            // Indefinite length, more than 4 length bytes, or a leading zero byte: not DER.
            if n == 0 || n > 4 || data.len() < 2 + n || data[2] == 0 {
                return None;
            }
            let len = data[2..2 + n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return None;
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        if data.len() < end {
            return None;
        }
        self.0 = &data[end..];
        Some((&data[..end], &data[header..end]))
    }

    fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const VERSION: u8 = 0xa0;

/// Go's `x509.parseCertificate` up to where its structural messages end, for a value that
/// our parser rejected: the first of Go's checks that fails, with Go's words.
fn go_structure_error(der: &[u8]) -> Option<&'static str> {
    let mut input = Der(der);
    let Some((_, cert)) = input.element(SEQUENCE) else {
        return Some("x509: malformed certificate");
    };
    let mut cert = Der(cert);
    let Some((_, tbs)) = cert.element(SEQUENCE) else {
        return Some("x509: malformed tbs certificate");
    };
    let mut tbs = Der(tbs);
    if tbs.peek_tag() == Some(VERSION) {
        let ok = tbs
            .element(VERSION)
            .and_then(|(_, v)| Der(v).element(INTEGER))
            .is_some_and(|(_, n)| minimal_integer(n));
        if !ok {
            return Some("x509: malformed version");
        }
    }
    match tbs.element(INTEGER) {
        Some((_, n)) if minimal_integer(n) => {}
        _ => return Some("x509: malformed serial number"),
    }
    let Some((_, inner_ai)) = tbs.element(SEQUENCE) else {
        return Some("x509: malformed signature algorithm identifier");
    };
    let Some((_, outer_ai)) = cert.element(SEQUENCE) else {
        return Some("x509: malformed algorithm identifier");
    };
    if inner_ai != outer_ai {
        return Some("x509: inner and outer signature algorithm identifiers don't match");
    }
    let steps = [
        "x509: malformed issuer",
        "x509: malformed validity",
        "x509: malformed subject",
        "x509: malformed spki",
    ];
    for step in steps {
        if tbs.element(SEQUENCE).is_none() {
            return Some(step);
        }
    }
    if cert.element(BIT_STRING).is_none() {
        return Some("x509: malformed signature");
    }
    None
}

/// `cryptobyte`'s integer check: not empty, no superfluous leading byte.
fn minimal_integer(n: &[u8]) -> bool {
    match n {
        [] => false,
        [0x00, b, ..] if b & 0x80 == 0 => false,
        [0xff, b, ..] if b & 0x80 != 0 => false,
        _ => true,
    }
}

/// Go's `x509.ParseCertificates`: every certificate of concatenated DER. `max` bounds the count.
/// The error is Go's message where Go names the fault (`x509: malformed certificate` for bytes
/// that are not a DER SEQUENCE, ...), else `x509: ` and our parser's reason.
pub fn go_parse_certificates(mut der: &[u8], max: u64) -> Result<Vec<Cert>, String> {
    let mut out = Vec::new();
    while !der.is_empty() {
        if out.len() as u64 >= max {
            return Err(format!("x509: more than {max} certificates in one value"));
        }
        let mut reader = Der(der);
        let Some((element, _)) = reader.element(SEQUENCE) else {
            return Err("x509: malformed certificate".to_string());
        };
        match Cert::from_der(element) {
            Ok(c) => out.push(c),
            Err(e) => {
                return Err(match go_structure_error(element) {
                    Some(m) => m.to_string(),
                    None => format!("x509: {e}"),
                })
            }
        }
        der = reader.0;
    }
    Ok(out)
}

/// What Flux makes of one certificate value.
#[derive(Debug, Clone)]
pub struct FluxValue {
    /// The certificates it yields (none when the value is empty).
    pub certificates: Vec<Cert>,
    /// Why `x509.ParseCertificates` fails on it, in Go's words.
    pub error: Option<String>,
    /// The PEM type of the block read, when the value holds one.
    pub label: Option<String>,
    /// Further PEM blocks Flux never looks at: their type and, for certificates, subjects.
    pub ignored_blocks: Vec<String>,
}

/// Read one certificate value as Flux does: the first PEM block's bytes, or the whole value.
pub fn read_flux_value(value: &[u8], max: u64) -> FluxValue {
    let (raw, label, rest) = match go_pem_decode(value) {
        Some((block, rest)) => (block.bytes, Some(block.label), rest),
        None => (value.to_vec(), None, &[][..]),
    };
    let (certificates, error) = match go_parse_certificates(&raw, max) {
        Ok(c) => (c, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let mut ignored_blocks = Vec::new();
    let mut rest = rest;
    while let Some((block, next)) = go_pem_decode(rest) {
        if ignored_blocks.len() as u64 >= max {
            ignored_blocks.push("more blocks".to_string());
            break;
        }
        match go_parse_certificates(&block.bytes, max) {
            Ok(certs) if !certs.is_empty() => {
                ignored_blocks.extend(certs.iter().map(|c| format!("\"{}\"", c.subject())))
            }
            _ => ignored_blocks.push(format!("a {} block", block.label)),
        }
        rest = next;
    }
    FluxValue {
        certificates,
        error,
        label,
        ignored_blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(data: &str) -> Option<(String, Vec<u8>, String)> {
        go_pem_decode(data.as_bytes())
            .map(|(b, rest)| (b.label, b.bytes, String::from_utf8_lossy(rest).into_owned()))
    }

    #[test]
    fn decodes_like_go() {
        // Plain, with text around it, the rest after the END line returned.
        let (t, b, rest) =
            block("junk\n-----BEGIN X-----\naGVsbG8=\n-----END X-----\nmore").unwrap();
        assert_eq!(
            (t.as_str(), b.as_slice(), rest.as_str()),
            ("X", &b"hello"[..], "more")
        );
        // CRLF, trailing whitespace, spaces inside the body, header lines.
        let (_, b, _) = block(
            "-----BEGIN CERTIFICATE-----\r\nProc-Type: 4\r\nComment: x\r\naGVs \t\r\nbG8=  \r\n-----END CERTIFICATE-----  \r\n",
        )
        .unwrap();
        assert_eq!(b, b"hello");
        // An empty block.
        let (_, b, _) = block("-----BEGIN A-----\n-----END A-----\n").unwrap();
        assert!(b.is_empty());
        // A mismatched END type, bad base64, text after END on its line: that block is
        // skipped and the next one found.
        for bad in [
            "-----BEGIN A-----\naGVsbG8=\n-----END B-----\n",
            "-----BEGIN A-----\naGVsbG8\n-----END A-----\n",
            "-----BEGIN A-----\naGVsbG8=\n-----END A----- x\n",
            "-----BEGIN A----\naGVsbG8=\n-----END A----\n",
            " -----BEGIN A-----\naGVsbG8=\n-----END A-----\n",
        ] {
            assert_eq!(block(bad), None, "{bad:?}");
            let two = format!("{bad}-----BEGIN C-----\naGk=\n-----END C-----\n");
            assert_eq!(
                block(&two).map(|b| (b.0, b.1)),
                Some(("C".into(), b"hi".to_vec()))
            );
        }
        // Many BEGIN lines before one END line: linear, not quadratic.
        let mut hostile = "-----BEGIN A-----\n".repeat(50_000);
        hostile.push_str("-----END A-----\n");
        let start = std::time::Instant::now();
        // Only the last BEGIN line has its END right after it: an empty block.
        assert_eq!(
            block(&hostile),
            Some(("A".into(), Vec::new(), String::new()))
        );
        let mut hostile = "-----BEGIN A-----\nQUFB\n".repeat(50_000);
        hostile.push_str("-----END B-----\n");
        assert_eq!(block(&hostile), None);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        // No newline after END: fine.
        assert!(block("-----BEGIN A-----\naGk=\n-----END A-----").is_some());
        // Unterminated.
        assert_eq!(block("-----BEGIN A-----\naGk=\n"), None);
        assert_eq!(block("no pem at all"), None);
    }

    #[test]
    fn parse_errors_use_go_words() {
        assert_eq!(go_parse_certificates(b"", 8).unwrap().len(), 0);
        assert_eq!(
            go_parse_certificates(b"junk", 8).unwrap_err(),
            "x509: malformed certificate"
        );
        // SEQUENCE { INTEGER 1 }: an EC private key's start.
        assert_eq!(
            go_parse_certificates(&[0x30, 0x03, 0x02, 0x01, 0x01], 8).unwrap_err(),
            "x509: malformed tbs certificate"
        );
        // SEQUENCE { SEQUENCE { OID } }: the trust block of an OpenSSL TRUSTED CERTIFICATE.
        assert_eq!(
            go_parse_certificates(&[0x30, 0x05, 0x30, 0x03, 0x06, 0x01, 0x2a], 8).unwrap_err(),
            "x509: malformed serial number"
        );
        // Non-minimal length: not DER.
        assert_eq!(
            go_parse_certificates(&[0x30, 0x81, 0x01, 0x00], 8).unwrap_err(),
            "x509: malformed certificate"
        );
    }
}

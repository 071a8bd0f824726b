//! The slice of CMS (RFC 5652) that RFC 3161 timestamp tokens need: BER to DER normalisation,
//! a small TLV reader, and `SignedData` parsed with the exact bytes of its parts kept, so that
//! certificate hashes and signatures are checked over what was received.
//!
//! This follows tspclient-go's `internal/cms` (NOTATION.md §5.2 step 2): the token is converted
//! from BER to DER first (definite lengths only, as tspclient-go; indefinite lengths are
//! refused), then read as `ContentInfo` / `SignedData` version 3 with X.509 certificates only.

use const_oid::ObjectIdentifier;
use der::Decode;

use crate::pki::cert::Cert;

/// `id-signedData`.
pub const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

/// Deepest nesting of constructed values accepted while normalising BER. Real tokens nest about
/// a dozen levels; the bound keeps the converter's recursion finite on hostile input.
const MAX_BER_DEPTH: usize = 64;

/// Why a CMS structure could not be read. Each message names the structure that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The bytes are not valid BER: empty input, truncated header or content, an indefinite
    /// length (refused, as tspclient-go does), a length over 4 octets, trailing bytes, or
    /// nesting deeper than 64 levels.
    #[error("not valid BER: {0}")]
    Ber(String),
    /// A DER structure does not have the shape RFC 5652 / RFC 3161 gives it.
    #[error("{what} does not parse: {reason}")]
    Syntax {
        /// The structure that failed, as RFC 5652 or RFC 3161 names it (`SignerInfo`, say).
        what: &'static str,
        /// The DER parser's error.
        reason: String,
    },
    /// The `ContentInfo` content type is not id-signedData.
    #[error("content type {0} is not signed-data (1.2.840.113549.1.7.2)")]
    NotSignedData(ObjectIdentifier),
    /// `SignedData.version` is not 3 (the only version tspclient-go accepts for tokens).
    #[error("unsupported SignedData version {0}, expected 3")]
    UnsupportedVersion(u64),
    /// More certificates than `Limits::max_certificates_per_chain`.
    #[error("more than {0} certificates in the SignedData")]
    TooManyCertificates(u64),
    /// A certificate in `SignedData.certificates` is not an X.509 certificate or is malformed.
    #[error("certificate {index} in the SignedData does not parse: {reason}")]
    BadCertificate {
        /// Its position in `SignedData.certificates`, from 0.
        index: usize,
        /// The certificate parser's error, or why the entry is not an X.509 certificate.
        reason: String,
    },
}

fn syntax(what: &'static str) -> impl Fn(der::Error) -> CmsError {
    move |e| CmsError::Syntax {
        what,
        reason: e.to_string(),
    }
}

/// One DER element: its identifier octet, its content and its complete encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The first identifier octet (class, constructed bit, low tag number).
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// Identifier, length and content octets together.
    pub raw: &'a [u8],
}

/// Tag octets used below.
pub mod tag {
    /// INTEGER, universal and primitive.
    pub const INTEGER: u8 = 0x02;
    /// OCTET STRING, primitive.
    pub const OCTET_STRING: u8 = 0x04;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// SEQUENCE (and SEQUENCE OF), constructed.
    pub const SEQUENCE: u8 = 0x30;
    /// SET (and SET OF), constructed.
    pub const SET: u8 = 0x31;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// `[n]` context-specific, constructed.
    pub const fn ctx_cons(n: u8) -> u8 {
        0xa0 | n
    }
    /// `[n]` context-specific, primitive.
    pub const fn ctx_prim(n: u8) -> u8 {
        0x80 | n
    }
}

/// Header of a BER/DER element: identifier length, content length, header length.
fn header(input: &[u8]) -> Result<(usize, usize, usize), CmsError> {
    let ber = |m: &str| CmsError::Ber(m.to_string());
    let first = *input.first().ok_or_else(|| ber("empty element"))?;
    let mut id_len = 1;
    if first & 0x1f == 0x1f {
        loop {
            let b = *input
                .get(id_len)
                .ok_or_else(|| ber("high tag number with early end of input"))?;
            id_len += 1;
            if b & 0x80 == 0 {
                break;
            }
            if id_len > 6 {
                return Err(ber("tag number too large"));
            }
        }
    }
    let l0 = *input
        .get(id_len)
        .ok_or_else(|| ber("missing length octets"))?;
    let (len, len_octets) = if l0 < 0x80 {
        (l0 as usize, 1)
    } else if l0 == 0x80 {
        return Err(ber("indefinite length is not supported"));
    } else {
        let n = (l0 & 0x7f) as usize;
        if n > 4 {
            return Err(ber("length of more than 4 octets"));
        }
        let bytes = input
            .get(id_len + 1..id_len + 1 + n)
            .ok_or_else(|| ber("truncated length octets"))?;
        let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, 1 + n)
    };
    let header_len = id_len + len_octets;
    if input.len() - header_len < len {
        return Err(ber("content shorter than its length says"));
    }
    Ok((id_len, len, header_len))
}

/// Read the next element from `input`, advancing it.
pub fn read_tlv<'a>(input: &mut &'a [u8]) -> Result<Tlv<'a>, CmsError> {
    let (id_len, len, header_len) = header(input)?;
    if id_len != 1 {
        return Err(CmsError::Ber(
            "multi-octet tags are not expected here".into(),
        ));
    }
    let raw = &input[..header_len + len];
    let tlv = Tlv {
        tag: raw[0],
        content: &raw[header_len..],
        raw,
    };
    *input = &input[header_len + len..];
    Ok(tlv)
}

/// Read the next element and require its tag.
pub fn expect_tlv<'a>(
    input: &mut &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<Tlv<'a>, CmsError> {
    let tlv = read_tlv(input)?;
    if tlv.tag != tag {
        return Err(CmsError::Syntax {
            what,
            reason: format!("expected tag 0x{tag:02x}, found 0x{:02x}", tlv.tag),
        });
    }
    Ok(tlv)
}

/// Read the next element if it has `tag`.
pub fn optional_tlv<'a>(input: &mut &'a [u8], tag: u8) -> Result<Option<Tlv<'a>>, CmsError> {
    if input.first() == Some(&tag) {
        read_tlv(input).map(Some)
    } else {
        Ok(None)
    }
}

/// Parse an OBJECT IDENTIFIER element.
pub fn oid_of(tlv: &Tlv<'_>, what: &'static str) -> Result<ObjectIdentifier, CmsError> {
    ObjectIdentifier::from_der(tlv.raw).map_err(syntax(what))
}

/// Read a non-negative INTEGER that fits in a `u64`.
pub fn small_uint(tlv: &Tlv<'_>, what: &'static str) -> Result<u64, CmsError> {
    if tlv.tag != tag::INTEGER && tlv.tag & 0xc0 != 0x80 {
        return Err(CmsError::Syntax {
            what,
            reason: "not an INTEGER".into(),
        });
    }
    let c = tlv.content;
    if c.is_empty() || c[0] & 0x80 != 0 || c.len() > 9 || (c.len() == 9 && c[0] != 0) {
        return Err(CmsError::Syntax {
            what,
            reason: "not a small non-negative INTEGER".into(),
        });
    }
    Ok(c.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
}

/// Convert BER to DER: every length in its shortest form. Constructed values are walked to the
/// bottom (bounded depth); primitive contents are copied unchanged. Trailing bytes after the
/// outermost element are an error. The output is never longer than the input.
pub fn ber_to_der(ber: &[u8]) -> Result<Vec<u8>, CmsError> {
    if ber.is_empty() {
        return Err(CmsError::Ber("input is empty".into()));
    }
    let mut out = Vec::with_capacity(ber.len());
    let used = convert_element(ber, &mut out, 0)?;
    if used != ber.len() {
        return Err(CmsError::Ber(format!(
            "{} trailing bytes after the outermost element",
            ber.len() - used
        )));
    }
    Ok(out)
}

fn convert_element(input: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<usize, CmsError> {
    if depth > MAX_BER_DEPTH {
        return Err(CmsError::Ber(format!(
            "nested deeper than {MAX_BER_DEPTH} levels"
        )));
    }
    let (id_len, len, header_len) = header(input)?;
    let content = &input[header_len..header_len + len];
    out.extend_from_slice(&input[..id_len]);
    if input[0] & 0x20 == 0 {
        push_length(out, content.len());
        out.extend_from_slice(content);
    } else {
        let mut inner = Vec::with_capacity(content.len());
        let mut rest = content;
        while !rest.is_empty() {
            let used = convert_element(rest, &mut inner, depth + 1)?;
            rest = &rest[used..];
        }
        push_length(out, inner.len());
        out.extend_from_slice(&inner);
    }
    Ok(header_len + len)
}

/// Append a DER length.
pub fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// A parsed `SignedData` (RFC 5652 §5.1) with the parts a timestamp verifier needs.
#[derive(Debug, Clone)]
pub struct SignedData {
    /// `encapContentInfo.eContentType`.
    pub content_type: ObjectIdentifier,
    /// `encapContentInfo.eContent` (the DER TSTInfo for a timestamp token); empty if absent.
    pub content: Vec<u8>,
    /// `certificates`, in the order received.
    pub certificates: Vec<Cert>,
    /// `signerInfos`, each as its exact DER encoding (decoded lazily so that one malformed
    /// SignerInfo does not hide a good one).
    pub signer_infos: Vec<Vec<u8>>,
}

/// Parse a BER `ContentInfo` holding `SignedData` version 3.
pub fn parse_signed_data(ber: &[u8], max_certificates: u64) -> Result<SignedData, CmsError> {
    let der = ber_to_der(ber)?;
    let mut input = der.as_slice();
    let content_info = expect_tlv(&mut input, tag::SEQUENCE, "ContentInfo")?;
    let mut ci = content_info.content;
    let ct = oid_of(
        &expect_tlv(&mut ci, tag::OID, "ContentInfo.contentType")?,
        "ContentInfo.contentType",
    )?;
    if ct != OID_SIGNED_DATA {
        return Err(CmsError::NotSignedData(ct));
    }
    let explicit = expect_tlv(&mut ci, tag::ctx_cons(0), "ContentInfo.content")?;
    let mut ec = explicit.content;
    let signed = expect_tlv(&mut ec, tag::SEQUENCE, "SignedData")?;
    let mut sd = signed.content;
    let version = small_uint(
        &expect_tlv(&mut sd, tag::INTEGER, "SignedData.version")?,
        "SignedData.version",
    )?;
    if version != 3 {
        return Err(CmsError::UnsupportedVersion(version));
    }
    expect_tlv(&mut sd, tag::SET, "SignedData.digestAlgorithms")?;
    let encap = expect_tlv(&mut sd, tag::SEQUENCE, "SignedData.encapContentInfo")?;
    let mut e = encap.content;
    let content_type = oid_of(
        &expect_tlv(&mut e, tag::OID, "encapContentInfo.eContentType")?,
        "encapContentInfo.eContentType",
    )?;
    let content = match optional_tlv(&mut e, tag::ctx_cons(0))? {
        Some(wrapper) => {
            let mut w = wrapper.content;
            expect_tlv(&mut w, tag::OCTET_STRING, "encapContentInfo.eContent")?
                .content
                .to_vec()
        }
        None => Vec::new(),
    };
    let mut certificates = Vec::new();
    if let Some(certs) = optional_tlv(&mut sd, tag::ctx_cons(0))? {
        let mut c = certs.content;
        while !c.is_empty() {
            let index = certificates.len();
            let tlv = read_tlv(&mut c)?;
            if tlv.tag != tag::SEQUENCE {
                return Err(CmsError::BadCertificate {
                    index,
                    reason: "only X.509 certificates are supported".into(),
                });
            }
            if index as u64 >= max_certificates {
                return Err(CmsError::TooManyCertificates(max_certificates));
            }
            let cert = Cert::from_der(tlv.raw).map_err(|e| CmsError::BadCertificate {
                index,
                reason: e.to_string(),
            })?;
            certificates.push(cert);
        }
    }
    optional_tlv(&mut sd, tag::ctx_cons(1))?;
    let infos = expect_tlv(&mut sd, tag::SET, "SignedData.signerInfos")?;
    let mut s = infos.content;
    let mut signer_infos = Vec::new();
    while !s.is_empty() {
        signer_infos.push(read_tlv(&mut s)?.raw.to_vec());
    }
    Ok(SignedData {
        content_type,
        content,
        certificates,
        signer_infos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_minimal_lengths_become_der() {
        // SEQUENCE (long-form length 3) { INTEGER (long-form length 1) 5 }
        let ber = [0x30, 0x82, 0x00, 0x04, 0x02, 0x81, 0x01, 0x05];
        assert_eq!(
            ber_to_der(&ber).unwrap(),
            vec![0x30, 0x03, 0x02, 0x01, 0x05]
        );
    }

    #[test]
    fn indefinite_lengths_trailing_bytes_and_truncation_are_refused() {
        assert!(ber_to_der(&[0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]).is_err());
        assert!(ber_to_der(&[0x02, 0x01, 0x05, 0x00]).is_err());
        assert!(ber_to_der(&[0x30, 0x05, 0x02, 0x01]).is_err());
        assert!(ber_to_der(&[]).is_err());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut ber = vec![0x05, 0x00];
        for _ in 0..200 {
            let mut outer = vec![0x30];
            push_length(&mut outer, ber.len());
            outer.extend_from_slice(&ber);
            ber = outer;
        }
        assert!(matches!(ber_to_der(&ber), Err(CmsError::Ber(m)) if m.contains("deeper")));
    }
}

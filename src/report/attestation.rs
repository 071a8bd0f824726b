//! The report of `verify-attestation`: an attestation that verified, or why none did, as text or
//! JSON (version 1).

use std::io::{self, Write};

use serde::Serialize;

use crate::attest::check::CheckedAttestation;
use crate::attest::statement::Subject;
use crate::attest::vsa::{ResourceDescriptor, Verifier};
use crate::digest::Digest;

/// The version of the JSON shape.
pub const ATTESTATION_REPORT_VERSION: u32 = 1;

/// An attestation that verified, as the JSON report shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified<'a> {
    /// Version of the JSON shape (1).
    pub version: u32,
    /// Always `true`.
    pub verified: bool,
    /// Where the attestation came from: its file, or the attached manifest.
    pub attestation: &'a str,
    /// Digest of the envelope bytes.
    pub attestation_digest: String,
    /// The image digest it is about.
    pub digest: String,
    /// The keyid of the verification key.
    pub keyid: &'a str,
    /// The keyid the envelope's signature names.
    pub envelope_keyid: &'a str,
    /// Whether they are equal.
    pub keyid_matched: bool,
    /// The statement's subjects.
    pub subject: &'a [Subject],
    /// The verifier that made the attestation.
    pub verifier: &'a Verifier,
    /// When the verification it attests ran.
    pub time_verified: &'a str,
    /// The resource verified.
    pub resource_uri: &'a str,
    /// The trust material's digest.
    pub policy: &'a Option<ResourceDescriptor>,
    /// `PASSED` or `FAILED`.
    pub verification_result: &'a str,
    /// The levels verified.
    pub verified_levels: &'a [String],
}

impl<'a> Verified<'a> {
    /// The report of `checked`, found at `name`, about `digest`.
    pub fn new(name: &'a str, digest: &Digest, checked: &'a CheckedAttestation) -> Verified<'a> {
        let p = &checked.statement.predicate;
        Verified {
            version: ATTESTATION_REPORT_VERSION,
            verified: true,
            attestation: name,
            attestation_digest: checked.envelope_digest.to_string(),
            digest: digest.to_string(),
            keyid: &checked.keyid,
            envelope_keyid: &checked.envelope_keyid,
            keyid_matched: checked.keyid_matched,
            subject: &checked.statement.subject,
            verifier: &p.verifier,
            time_verified: &p.time_verified,
            resource_uri: &p.resource_uri,
            policy: &p.policy,
            verification_result: &p.verification_result,
            verified_levels: &p.verified_levels,
        }
    }
}

/// No attestation verified, as the JSON report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct NotVerified<'a> {
    /// Version of the JSON shape (1).
    pub version: u32,
    /// Always `false`.
    pub verified: bool,
    /// The last attestation tried (empty when none was found).
    pub attestation: &'a str,
    /// The image digest it had to be about.
    pub digest: String,
    /// The keyid of the verification key.
    pub keyid: &'a str,
    /// Why it did not verify.
    pub error: &'a str,
}

/// Write a report value as one pretty-printed JSON object and a newline.
fn write_json(value: &impl Serialize, out: &mut dyn Write) -> io::Result<()> {
    let value = serde_json::to_value(value).map_err(io::Error::other)?;
    writeln!(out, "{value:#}")
}

/// Write the JSON report of a verified attestation.
pub fn write_verified_json(v: &Verified<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_json(v, out)
}

/// Write the JSON report of an attestation that did not verify.
pub fn write_not_verified_json(v: &NotVerified<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_json(v, out)
}

/// Write the text report of a verified attestation (control characters escaped, see
/// [`super::text`]).
pub fn write_verified_text(v: &Verified<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    write_verified_text_unescaped(v, &mut buf)?;
    out.write_all(super::text::escape_controls(&String::from_utf8_lossy(&buf)).as_bytes())
}

fn write_verified_text_unescaped(v: &Verified<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "verified: {}", v.attestation)?;
    writeln!(out, "  about:    {} ({})", v.digest, v.resource_uri)?;
    writeln!(
        out,
        "  result:   {} {}",
        v.verification_result,
        v.verified_levels.join(", ")
    )?;
    writeln!(out, "  verifier: {} at {}", v.verifier.id, v.time_verified)?;
    writeln!(out, "  key:      {}", v.keyid)?;
    if !v.keyid_matched {
        writeln!(
            out,
            "  note:     the envelope names keyid {:?}; the signature verified with the given key anyway",
            v.envelope_keyid
        )?;
    }
    Ok(())
}

/// The text of an attestation that did not verify (the command line prints it as its error).
pub fn not_verified_text(v: &NotVerified<'_>) -> String {
    if v.attestation.is_empty() {
        format!("not verified: {}", v.error)
    } else {
        format!("not verified: {}: {}", v.attestation, v.error)
    }
}

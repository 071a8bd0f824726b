//! The report of `verify-attestation`: an attestation that verified, or why none did, as text or
//! JSON (version 1), for one image or for each image of a bundle (a folder of sign-offs).

use std::io::{self, Write};

use serde::Serialize;

use crate::attest::check::CheckedAttestation;
use crate::attest::statement::Subject;
use crate::attest::vsa::{ResourceDescriptor, Verifier};
use crate::digest::Digest;

/// The version of the JSON shape.
pub const ATTESTATION_REPORT_VERSION: u32 = 1;

/// Another attestation found for the same image: one that verified with the key but is not the
/// newest, or one that did not verify (then `error` says why).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Other {
    /// Its file, or the attached manifest.
    pub attestation: String,
    /// Its `timeVerified`, when it verified with the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_verified: Option<String>,
    /// Its `verificationResult`, when it verified with the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_result: Option<String>,
    /// Why it does not count (it did not verify with the key, or is about another image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

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
    /// The scope the attestation is for.
    pub scope: &'a str,
    /// Whether it was compared with `--scope`.
    pub scope_checked: bool,
    /// Whether the trust material was compared (`--secret`, `--trust-dir`, `--flux`,
    /// `--policy-digest`).
    pub trust_material_checked: bool,
    /// The trust material's digest.
    pub policy: &'a Option<ResourceDescriptor>,
    /// `PASSED` or `FAILED`.
    pub verification_result: &'a str,
    /// The levels verified.
    pub verified_levels: &'a [String],
    /// The other attestations found for the image (older ones, ones that do not verify).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<Other>,
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
            scope: checked.scope().unwrap_or_default(),
            scope_checked: false,
            trust_material_checked: false,
            policy: &p.policy,
            verification_result: &p.verification_result,
            verified_levels: &p.verified_levels,
            others: Vec::new(),
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
    /// The attestation that decided (the newest that verified with the key), else the last one
    /// tried (empty when none was found).
    pub attestation: String,
    /// The image digest it had to be about.
    pub digest: String,
    /// The keyid of the verification key.
    pub keyid: &'a str,
    /// Why it did not verify.
    pub error: String,
    /// The flag that changes what it was judged by, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The other attestations found for the image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<Other>,
}

/// The report of one image: verified or not.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ImageReport<'a> {
    /// An attestation verified: the newest by `timeVerified` of those that verify with the key.
    Verified(Verified<'a>),
    /// No attestation verified: why, and the others found.
    NotVerified(NotVerified<'a>),
}

/// The report of a folder of sign-offs checked against every image of a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Folder<'a> {
    /// Version of the JSON shape (1).
    pub version: u32,
    /// Whether every image has a verified attestation.
    pub verified: bool,
    /// Each image's report, in bundle order.
    pub images: Vec<ImageReport<'a>>,
}

/// Write a report value as one pretty-printed JSON object and a newline.
pub fn write_json(value: &impl Serialize, out: &mut dyn Write) -> io::Result<()> {
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

fn write_others(others: &[Other], out: &mut dyn Write) -> io::Result<()> {
    for o in others {
        match (&o.error, &o.time_verified, &o.verification_result) {
            (Some(e), _, _) => {
                writeln!(out, "  also found: {}: does not count: {e}", o.attestation)?
            }
            (None, t, r) => writeln!(
                out,
                "  also found: {}: {} at {} (older; the newest decides)",
                o.attestation,
                r.as_deref().unwrap_or("?"),
                t.as_deref().unwrap_or("?")
            )?,
        }
    }
    Ok(())
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
    if v.scope_checked {
        writeln!(out, "  scope:    {}", v.scope)?;
    } else {
        writeln!(
            out,
            "  scope:    {} (not checked: give --scope to require it)",
            v.scope
        )?;
    }
    writeln!(
        out,
        "  result:   {} {}",
        v.verification_result,
        v.verified_levels.join(", ")
    )?;
    writeln!(out, "  verifier: {} at {}", v.verifier.id, v.time_verified)?;
    writeln!(out, "  key:      {}", v.keyid)?;
    if !v.trust_material_checked {
        writeln!(
            out,
            "  trust:    not checked: give --secret, --trust-dir, --flux or --policy-digest to require it"
        )?;
    }
    if !v.keyid_matched {
        writeln!(
            out,
            "  note:     the envelope names keyid {:?}; the signature verified with the given key anyway",
            v.envelope_keyid
        )?;
    }
    write_others(&v.others, out)
}

/// The text of an attestation that did not verify (the command line prints it as its error).
pub fn not_verified_text(v: &NotVerified<'_>) -> String {
    let mut s = if v.attestation.is_empty() {
        format!("not verified: {}", v.error)
    } else {
        format!("not verified: {}: {}", v.attestation, v.error)
    };
    if let Some(h) = &v.hint {
        s.push_str("\n  hint: ");
        s.push_str(h);
    }
    let mut others = Vec::new();
    let _ = write_others(&v.others, &mut others);
    if !others.is_empty() {
        s.push('\n');
        s.push_str(String::from_utf8_lossy(&others).trim_end());
    }
    s
}

/// Write the text report of a folder of sign-offs: one block per image.
pub fn write_folder_text(f: &Folder<'_>, out: &mut dyn Write) -> io::Result<()> {
    for image in &f.images {
        match image {
            ImageReport::Verified(v) => write_verified_text(v, out)?,
            ImageReport::NotVerified(n) => {
                writeln!(out, "{} ({})", not_verified_text(n), n.digest)?;
            }
        }
    }
    Ok(())
}

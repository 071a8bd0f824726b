//! Rendering for people (text) and machines (JSON): the report of `verify` ([`Report`]) of `inspect`
//! ([`inspect::InspectReport`]) and of `verify-attestation` ([`attestation`]). Text and JSON come from the same values, so they never
//! disagree.
//!
//! The JSON report is versioned (`"version": 2`); field names are stable within a version:
//! fields may be added, never renamed or removed. Version 2 made the verdict three-valued
//! (`skipped` became `ignored`, with `ignoredReason`). Shape:
//!
//! ```text
//! { "version": 2,
//!   "bundle": { "name", "format", "blobs", "bytes", "damaged", "problems": [..], "unreferenced": [..] },
//!   "results": [ { "reference", "digest", "scope", "scopeSource": "user|flux|policy|bundle",
//!                  "verdict": "verified|ignored|failed",
//!                  "ignoredReason": "skip|authenticity-logged|not-configured", "semantics": "flux|notation-cli",
//!                  "policy", "level", "time", "timeSource", "message", "warnings": [..],
//!                  "provider": "notation|cosign",
//!                  "cosign": { "mode": "keyed|keyless", "format": "simple-signing|bundle",
//!                              "keyName", "keyId", "issuer", "subject",
//!                              "signingTimes": [ { "source": "tlog|timestamp", "time" } ],
//!                              "details": [..] },                                  // with cosign
//!                  "flux": { "ocirepository", "condition", "status", "reason", "message" },   // with --flux
//!                  "signatures": [ { "digest", "envelopeDigest", "envelope": "jws|cose",
//!                                    "signer": { "subject", "issuer", "thumbprints" },
//!                                    "signingTime", "signingScheme", "timestamp": { "tsaSubject", "genTime", "accuracySeconds" },
//!                                    "timeUsed", "timeSource",
//!                                    "checks": { "integrity", "authenticity", "authenticTimestamp",
//!                                                "expiry", "revocation" }: "passed|failed|skipped|logged",
//!                                    "revocationDetails": [ { "subject", "status", "detail" } ],
//!                                    "warnings": [..], "error", "verified" } ] } ] }
//! ```

pub mod attestation;
pub mod inspect;
pub mod text;

use std::io::{self, Write};

use serde::Serialize;

use crate::verify::{CheckResult, Ignored, Outcome, ScopeSource, Verdict};
use text::one_line;

/// The version of the JSON report's shape: 2 since the verdict is three-valued
/// (`verified|ignored|failed`, with `ignoredReason`).
pub const REPORT_VERSION: u32 = 2;

/// What the report says of the bundle as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct BundleSummary {
    /// The bundle as given: its path, or `<stdin>`.
    pub name: String,
    /// How it was read: `directory`, `tar`, `tar-gzip` or `tar-zstd`.
    pub format: String,
    /// Blobs checked (hashed and sized).
    pub blobs: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Whether any blob is missing, of the wrong size or digest (then `problems` says which).
    pub damaged: bool,
    /// Integrity problems, one line each (empty unless damaged).
    pub problems: Vec<String>,
    /// Blobs that nothing references (not fatal).
    pub unreferenced: Vec<String>,
}

/// Flux's view of one OCIRepository's verification (with `--flux`).
#[derive(Debug, Clone, Serialize)]
pub struct FluxStatus {
    /// `namespace/name`.
    pub ocirepository: String,
    /// Always `SourceVerified`; absent condition is `status: "None"` (Flux writes no condition).
    pub condition: String,
    /// `True`, `False`, `None` (Flux writes no condition) or `Unknown` (what Flux would do is
    /// outside this tool: a provider other than notation).
    pub status: String,
    /// Flux's condition reason: `Succeeded`, `VerificationError`, `UnsupportedProvider`, or empty
    /// when Flux writes no condition.
    pub reason: String,
    /// The condition's message, in Flux's words.
    pub message: String,
}

impl FluxStatus {
    /// The report's form of an OCIRepository's `SourceVerified` condition.
    pub fn of(ocirepository: &str, condition: crate::flux::SourceVerified) -> FluxStatus {
        FluxStatus {
            ocirepository: ocirepository.to_string(),
            condition: crate::flux::condition::SOURCE_VERIFIED.to_string(),
            status: condition.status.as_str().to_string(),
            reason: condition.reason.to_string(),
            message: condition.message,
        }
    }
}

/// One result line of the report: an image's outcome, or a Flux object that could not be
/// verified at all (cosign provider, no verification configured, image missing).
#[derive(Debug, Clone, Serialize)]
pub struct ResultEntry {
    /// The image's outcome; absent for a Flux object that could not be verified at all. Its fields
    /// are those of the result in the JSON report.
    #[serde(flatten)]
    pub outcome: Option<Outcome>,
    /// With `--flux`: the OCIRepository's `SourceVerified` condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flux: Option<FluxStatus>,
    /// For entries without an outcome: the verdict and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// For entries without an outcome whose verdict is `ignored`: why.
    #[serde(rename = "ignoredReason", skip_serializing_if = "Option::is_none")]
    pub ignored: Option<Ignored>,
    /// A remark for people: for a Flux object, how its image was chosen (the tag a semver range
    /// picked, a bundle without repository names) or, when it could not be verified, which image it
    /// selected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ResultEntry {
    /// An entry for an image's outcome (no Flux condition, no note yet).
    pub fn from_outcome(outcome: Outcome) -> ResultEntry {
        ResultEntry {
            outcome: Some(outcome),
            flux: None,
            verdict: None,
            ignored: None,
            note: None,
        }
    }

    /// The verdict of this entry.
    pub fn verdict(&self) -> Verdict {
        match (&self.outcome, self.verdict) {
            (Some(o), _) => o.verdict,
            (None, Some(v)) => v,
            (None, None) => Verdict::Failed,
        }
    }
}

/// The whole report of a `verify` run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The version of the JSON shape ([`REPORT_VERSION`]).
    pub version: u32,
    /// The bundle and its integrity.
    pub bundle: BundleSummary,
    /// One entry per image verified (with `--flux`, per OCIRepository).
    pub results: Vec<ResultEntry>,
    /// Images of the bundle that no OCIRepository asked for (with `--flux`).
    #[serde(rename = "notRequested", skip_serializing_if = "Vec::is_empty")]
    pub not_requested: Vec<String>,
}

/// Write the report as one JSON object and a newline.
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// Write the report for people. `verbose` adds every signature and check. Control characters
/// of the bundle's or a certificate's strings are shown escaped ([`text`]).
pub fn write_text(report: &Report, verbose: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    write_text_unescaped(report, verbose, &mut buf)?;
    out.write_all(text::escape_controls(&String::from_utf8_lossy(&buf)).as_bytes())
}

fn write_text_unescaped(report: &Report, verbose: bool, out: &mut dyn Write) -> io::Result<()> {
    for entry in &report.results {
        if let Some(flux) = &entry.flux {
            if flux.status == "None" {
                writeln!(
                    out,
                    "OCIRepository {}: no {} condition: {}",
                    flux.ocirepository,
                    flux.condition,
                    indent_continuation(&flux.message)
                )?;
            } else {
                writeln!(
                    out,
                    "OCIRepository {}: {}={} reason {}: {}",
                    flux.ocirepository,
                    flux.condition,
                    flux.status,
                    flux.reason,
                    indent_continuation(&flux.message)
                )?;
            }
        }
        match &entry.outcome {
            Some(o) => {
                // With Flux, the condition line above is the verdict: the image is named once
                // beneath it, not judged a second time.
                write_outcome(o, verbose, entry.flux.is_none(), out)?;
                if let Some(note) = &entry.note {
                    writeln!(out, "  note: {note}")?;
                }
            }
            None => match (&entry.flux, &entry.note) {
                (None, Some(note)) => writeln!(out, "{note}")?,
                (Some(_), Some(note)) => writeln!(out, "  note: {note}")?,
                _ => {}
            },
        }
    }
    for image in &report.not_requested {
        writeln!(out, "{image}: not requested by any OCIRepository")?;
    }
    Ok(())
}

/// A time for people: RFC 3339 to the second (the JSON report keeps full precision).
fn rfc3339(t: time::OffsetDateTime) -> String {
    crate::verify::rfc3339(t.replace_nanosecond(0).unwrap_or(t))
}

fn write_outcome(
    o: &Outcome,
    verbose: bool,
    verdict_line: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    // A reference that already names the digest (`name@sha256:...`) is not followed by it again.
    let head = if o.reference.ends_with(&o.digest.to_string()) {
        one_line(&o.reference).to_string()
    } else {
        format!("{} ({})", one_line(&o.reference), o.digest)
    };
    if !verdict_line {
        writeln!(out, "  image: {head}")?;
    }
    match o.verdict {
        _ if !verdict_line => {}
        Verdict::Verified => writeln!(
            out,
            "{head}: verified signature of revision {}",
            o.revision()
        )?,
        Verdict::Ignored => match o.ignored {
            Some(Ignored::AuthenticityLogged) => writeln!(
                out,
                "{head}: ignored: a signature verified only because its authenticity failure is logged, not enforced; Flux pulls the artifact without a SourceVerified condition"
            )?,
            _ => writeln!(
                out,
                "{head}: ignored: {}",
                o.message.as_deref().unwrap_or("trust policy level is skip")
            )?,
        },
        Verdict::Failed => writeln!(
            out,
            "{head}: not verified: {}",
            indent_continuation(o.message.as_deref().unwrap_or("no signature verified"))
        )?,
    }
    if o.scope_source == ScopeSource::Bundle {
        writeln!(
            out,
            "  scope: {} (the bundle's own name annotation)",
            one_line(&o.scope)
        )?;
    }
    for w in &o.warnings {
        writeln!(out, "  warning: {}", indent_continuation(w))?;
    }
    // Hints beside notation's words: the image's own, and (without -v, which prints them per
    // signature) each distinct one of its signatures.
    let mut hints: Vec<&str> = o.hint.iter().map(String::as_str).collect();
    if !verbose {
        for h in o.signatures.iter().filter_map(|s| s.hint.as_deref()) {
            if !hints.contains(&h) {
                hints.push(h);
            }
        }
    }
    for h in hints {
        writeln!(out, "  hint: {h}")?;
    }
    // notation prints the trusted identities as a Go map; the signer's subject is what to
    // compare them with.
    for s in &o.signatures {
        let mismatch = s
            .error
            .iter()
            .chain(&s.warnings)
            .any(|e| e.contains("does not match the X.509 trusted identities"));
        if let (true, Some(signer)) = (mismatch, &s.signer) {
            writeln!(out, "  signer subject of {}: {}", s.digest, signer.subject)?;
        }
    }
    if let Some(c) = &o.cosign {
        match c.identity() {
            Some(id) => writeln!(out, "  provider: cosign ({}), {id}", c.mode)?,
            None => writeln!(out, "  provider: cosign ({})", c.mode)?,
        }
        for d in &c.details {
            writeln!(out, "  cosign: {}", indent_continuation(d))?;
        }
    }
    if let Some(sig) = o.verified_signature().filter(|_| o.cosign.is_none()) {
        if let Some(signer) = &sig.signer {
            writeln!(out, "  signer: {}", one_line(&signer.subject))?;
        }
        if let Some(ts) = &sig.timestamp {
            writeln!(
                out,
                "  timestamp: {} by {}",
                rfc3339(ts.gen_time),
                one_line(&ts.tsa_subject)
            )?;
        }
    }
    if o.ignored != Some(Ignored::SkipLevel) {
        writeln!(
            out,
            "  time: {} ({})",
            rfc3339(o.time),
            serde_plain(&o.time_source)
        )?;
    }
    if !verbose {
        return Ok(());
    }
    writeln!(
        out,
        "  scope {}, policy {}, level {}, time {} ({})",
        one_line(&o.scope),
        o.policy.as_deref().unwrap_or("-"),
        o.level.map_or("-", |l| l.name()),
        rfc3339(o.time),
        serde_plain(&o.time_source)
    )?;
    for (i, s) in o.signatures.iter().enumerate() {
        writeln!(
            out,
            "  signature {} {} ({}): {}",
            i + 1,
            s.digest,
            s.envelope.unwrap_or("unknown envelope"),
            if s.verified { "verified" } else { "failed" }
        )?;
        if let Some(signer) = &s.signer {
            writeln!(out, "    signer: {}", one_line(&signer.subject))?;
            writeln!(out, "    issuer: {}", one_line(&signer.issuer))?;
        }
        if let Some(t) = s.signing_time {
            writeln!(out, "    signing time (claimed): {}", rfc3339(t))?;
        }
        if let Some(ts) = &s.timestamp {
            writeln!(
                out,
                "    timestamp: {} by {} (±{}s)",
                rfc3339(ts.gen_time),
                one_line(&ts.tsa_subject),
                ts.accuracy_seconds
            )?;
        }
        writeln!(
            out,
            "    time used: {} ({})",
            rfc3339(s.time_used),
            serde_plain(&s.time_source)
        )?;
        let c = &s.checks;
        writeln!(
            out,
            "    checks: integrity {}, authenticity {}, authenticTimestamp {}, expiry {}, revocation {}",
            check(c.integrity),
            check(c.authenticity),
            check(c.authentic_timestamp),
            check(c.expiry),
            check(c.revocation)
        )?;
        for r in &s.revocation_details {
            match &r.detail {
                Some(d) => writeln!(out, "    revocation: {}: {} ({d})", r.subject, r.status)?,
                None => writeln!(out, "    revocation: {}: {}", r.subject, r.status)?,
            }
        }
        for w in &s.warnings {
            writeln!(out, "    warning: {}", indent_continuation(w))?;
        }
        if let Some(e) = &s.error {
            writeln!(out, "    error: {}", indent_continuation(e))?;
        }
        if let Some(h) = &s.hint {
            writeln!(out, "    hint: {h}")?;
        }
    }
    Ok(())
}

fn check(c: CheckResult) -> &'static str {
    match c {
        CheckResult::Passed => "passed",
        CheckResult::Failed => "failed",
        CheckResult::Skipped => "skipped",
        CheckResult::Logged => "logged",
    }
}

fn serde_plain<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn indent_continuation(s: &str) -> String {
    s.replace('\n', "\n    ")
}

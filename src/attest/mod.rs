//! Signed attestations of what was verified: an in-toto Statement v1 with the SLSA Verification
//! Summary predicate, in a DSSE envelope.
//!
//! Public API (used by `verify`, `verify-attestation` and library users):
//! - [`keys`]: signing keys (PKCS#8 PEM, optionally encrypted) and verification keys (SPKI or
//!   certificate PEM), and the DSSE `keyid`;
//! - [`dsse`]: the envelope, the pre-authentication encoding (PAE), signing and verifying;
//! - [`statement`] and [`vsa`]: the in-toto Statement v1 and the Verification Summary predicate,
//!   built from a [`vsa::Verdict`];
//! - [`write_attestation`]: sign a verdict and write the envelope atomically;
//! - [`attach`](attach::attach): store an envelope in an OCI layout folder as a referrer;
//! - [`check::verify_attestation`]: everything `verify-attestation` checks.

pub mod attach;
pub mod check;
pub mod dsse;
pub mod keys;
pub mod statement;
pub mod trust_digest;
pub mod verdict;
pub mod vsa;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use keys::{SigningKey, VerificationKey};
pub use vsa::{Verdict, VerifiedSignature};

/// Why an attestation could not be made, attached or verified. The CLI maps the key and usage
/// variants to exit 2 and every "does not verify" variant to exit 1 (see
/// [`AttestError::is_usage`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttestError {
    /// A key, attestation or layout file could not be read (missing, permissions, too large).
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file, as given.
        path: PathBuf,
        /// The operating system's error, or the size limit it exceeds.
        reason: String,
    },
    /// The key file holds no usable key: not PEM, a PEM block of another kind, a key type or
    /// curve we do not sign with, an RSA key under 3072 bits, or DER that does not parse.
    #[error("{path}: {reason}")]
    Key {
        /// The key file, as given.
        path: String,
        /// What the file holds instead of a usable key.
        reason: String,
    },
    /// The key is an encrypted PKCS#8 key and `AIRGAP_VERIFY_KEY_PASSPHRASE` is not set.
    #[error(
        "{path} is an encrypted private key: set the environment variable {} to its passphrase",
        keys::PASSPHRASE_ENV
    )]
    PassphraseRequired {
        /// The key file, as given.
        path: String,
    },
    /// The encrypted PKCS#8 key does not decrypt with the passphrase (wrong passphrase, or an
    /// encryption scheme other than PBES2 with PBKDF2 or scrypt and AES-CBC).
    #[error("{path}: cannot decrypt the private key with the passphrase from {}: {reason} (wrong passphrase? re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc` if the scheme is old)", keys::PASSPHRASE_ENV)]
    Decrypt {
        /// The key file, as given.
        path: String,
        /// The PKCS#8 decryption error.
        reason: String,
    },
    /// Signing itself failed (should not happen with a valid key).
    #[error("signing failed: {0}")]
    Sign(String),
    /// The verdict cannot be expressed as an attestation (a level that would pass for a SLSA
    /// level, a scope that cannot form an `oci://` URI...).
    #[error("invalid verdict: {0}")]
    Verdict(String),
    /// Writing the attestation, a blob or `index.json` failed; nothing partial was left behind.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file or folder that could not be written.
        path: PathBuf,
        /// The operating system's error.
        reason: String,
    },
    /// `--attach` was given a bundle that is not an OCI image-layout folder (a tar file, a
    /// folder without `oci-layout` or `index.json`, an `index.json` that is not an index).
    #[error("cannot attach the attestation to {path}: {reason}")]
    Layout {
        /// The bundle folder given.
        path: PathBuf,
        /// What it lacks to be an OCI image-layout folder.
        reason: String,
    },
    /// An existing blob in the layout does not have the content its name says; we never
    /// overwrite blobs, so the bundle must be repaired first.
    #[error("{path} exists with other content than its digest says; the bundle is damaged (run `airgap-verify inspect` on it)")]
    ExistingBlobDiffers {
        /// The blob's file inside the layout.
        path: PathBuf,
    },
    /// The attestation file is not a DSSE envelope (not JSON, fields missing or of the wrong
    /// type, payload or signature not base64).
    #[error("not a DSSE envelope: {0}")]
    NotAnEnvelope(String),
    /// No signature of the envelope verifies with the given key.
    #[error("no signature of the attestation verifies with the given key ({key}, keyid {keyid}); the envelope's keyids: {envelope_keyids}")]
    BadSignature {
        /// The verification key's type ([`crate::pki::crypto::PublicKey::describe`]).
        key: String,
        /// The verification key's DSSE keyid.
        keyid: String,
        /// The keyids of the envelope's signatures, comma-separated (`(none)` for an empty one).
        envelope_keyids: String,
    },
    /// The envelope's `payloadType` is not `application/vnd.in-toto+json`.
    #[error("payloadType is {found:?}, expected {:?}", dsse::IN_TOTO_PAYLOAD_TYPE)]
    PayloadType {
        /// The envelope's `payloadType`.
        found: String,
    },
    /// The payload is not an in-toto Statement v1 with a Verification Summary predicate (wrong
    /// `_type` or `predicateType`, missing or mistyped fields).
    #[error("not an in-toto Statement v1 with a Verification Summary predicate: {0}")]
    Statement(String),
    /// No subject of the statement has the expected digest.
    #[error("the attestation is about {found}, not about {expected}")]
    SubjectMismatch {
        /// The digest the attestation must be about, `algorithm:hex`.
        expected: String,
        /// The subjects' digests (at most 8), comma-separated, or `no subject`.
        found: String,
    },
    /// The statement says `verificationResult: FAILED` (or anything but PASSED); `exact` is
    /// the exact result the extension records (`ignored (skip)`, `failed`).
    #[error(
        "the attestation records verificationResult {result:?} (result: {exact}), not \"PASSED\""
    )]
    NotPassed {
        /// The predicate's `verificationResult`.
        result: String,
        /// The result the notation extension records, with why it was ignored (`ignored (skip)`);
        /// `verificationResult` without the extension.
        exact: String,
    },
    /// The recorded level is below the minimum accepted (or is none of strict, permissive,
    /// audit).
    #[error("the attestation records verification level {level}, below the minimum level {min} accepted (an audit-level PASSED only says that authenticity passed)")]
    LevelTooLow {
        /// The level recorded (`none` without one).
        level: String,
        /// The minimum accepted: `strict`, `permissive` or `audit`.
        min: String,
    },
    /// The attestation is for another scope than the one required.
    #[error("the attestation is for scope {found}, not for the scope required, {expected}")]
    ScopeMismatch {
        /// The scope required.
        expected: String,
        /// The scope recorded (`no scope`) and the subjects' names.
        found: String,
    },
    /// The attestation was made under other trust material.
    #[error("the attestation was made under trust material {found}, not under the expected {expected} (recipe {recipe}): another policy, other certificates, or other semantics")]
    PolicyMismatch {
        /// The digests of the trust material given, by the attestation's recipe, joined with ` or
        /// `.
        expected: String,
        /// The digest the attestation records, or `no trust-material digest`.
        found: String,
        /// The attestation's trust-material digest recipe.
        recipe: String,
    },
    /// The attestation's trust-material digest recipe is not known to this version.
    #[error("the attestation's trust-material digest recipe {0:?} is not known to this version, so the digest cannot be recomputed from the trust material; compare the digest itself")]
    UnknownRecipe(String),
    /// `timeVerified` is older than the maximum age allows.
    #[error("the attestation is too old: verified at {time_verified}, {age} ago, more than the maximum age {max_age}")]
    TooOld {
        /// The attestation's `timeVerified`, RFC 3339.
        time_verified: String,
        /// Its age at the time of checking ([`check::format_duration`]).
        age: String,
        /// The maximum age allowed ([`check::format_duration`]).
        max_age: String,
    },
    /// `timeVerified` is later than now (beyond a 5 minute clock skew), so freshness cannot be
    /// judged.
    #[error("the attestation claims to be verified at {0}, in the future: check the clocks")]
    FromTheFuture(String),
    /// The attestation's scope was the bundle's own claim (`--scope-from-bundle`) and the
    /// importer did not name that scope.
    #[error("the attestation's scope {scope:?} was taken from the bundle's own name annotation, so the bundle chose the policy statement it was judged by; it holds only for an importer who names that scope{}", .given.as_ref().map(|g| format!(" (the scope given is {g:?})")).unwrap_or_default())]
    ScopeFromBundle {
        /// The scope the attestation records.
        scope: String,
        /// The scope the importer gave, if any.
        given: Option<String>,
    },
    /// A maximum age does not parse.
    #[error(
        "bad duration {0:?}: expected a number and a unit s, m, h, d or w (e.g. 30m, 12h, 7d, 2w)"
    )]
    Duration(String),
}

impl AttestError {
    /// Whether the error is a usage or configuration problem (exit 2) rather than "not
    /// verified" (exit 1): unreadable or unusable keys, bad durations, write failures.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            AttestError::Key { .. }
                | AttestError::PassphraseRequired { .. }
                | AttestError::Decrypt { .. }
                | AttestError::Sign(_)
                | AttestError::Verdict(_)
                | AttestError::Write { .. }
                | AttestError::Layout { .. }
                | AttestError::Duration(_)
        )
    }
}

/// Sign `verdict` with `key` and write the DSSE envelope to `out` atomically: a temporary file in
/// the same folder, renamed over `out` only when complete. On error nothing is left behind.
pub fn write_attestation(
    verdict: &Verdict,
    key: &SigningKey,
    out: &Path,
) -> Result<(), AttestError> {
    let envelope = vsa::sign_verdict(verdict, key)?;
    write_atomically(out, &envelope)
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so readers
/// see either the old file or the whole new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AttestError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    write_atomically_via(path, &dir, bytes)
}

/// The prefix and suffix of the temporary files [`write_atomically_via`] creates.
pub(crate) const TEMP_PREFIX: &str = ".airgap-verify-";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// [`write_atomically`] with the temporary file in `dir` (on the same file system as `path`).
pub(crate) fn write_atomically_via(
    path: &Path,
    dir: &Path,
    bytes: &[u8],
) -> Result<(), AttestError> {
    let fail = |reason: String| AttestError::Write {
        path: path.to_path_buf(),
        reason,
    };
    if path.is_dir() {
        return Err(fail(
            "it is a folder; give a file name for the attestation".into(),
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| {
            fail(format!(
                "cannot create a temporary file in {}: {e}",
                dir.display()
            ))
        })?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().metadata())
        .and_then(|m| {
            tmp.as_file()
                .set_permissions(permissions_for(path, m.permissions()))
        })
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(e.to_string()))?;
    tmp.persist(path).map_err(|e| fail(e.error.to_string()))?;
    Ok(())
}

/// The permissions of a file written by [`write_atomically`]: those of the file it replaces,
/// else readable by everyone on Unix (temporary files are created owner-only; bundles and
/// attestations are meant to be shared), else the temporary file's own.
fn permissions_for(path: &Path, temporary: std::fs::Permissions) -> std::fs::Permissions {
    if let Ok(meta) = std::fs::metadata(path) {
        return meta.permissions();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = temporary;
        std::fs::Permissions::from_mode(0o644)
    }
    #[cfg(not(unix))]
    temporary
}

/// Read a whole file of at most `max` bytes.
pub(crate) fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, AttestError> {
    let fail = |reason: String| AttestError::Read {
        path: path.to_path_buf(),
        reason,
    };
    use crate::limits::{read_capped, CappedReadError};
    read_capped(path, max).map_err(|e| match e {
        CappedReadError::TooLarge { .. } => fail(format!("larger than {max} bytes")),
        CappedReadError::Io(e) => fail(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomically_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a.json");
        write_atomically(&out, b"first").unwrap();
        write_atomically(&out, b"second").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o644,
                "shareable, not the temporary file's 0600"
            );
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn write_atomically_refuses_folder_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(dir.path(), b"x").unwrap_err();
        assert!(matches!(err, AttestError::Write { .. }));
        let missing = dir.path().join("no/such/dir/a.json");
        assert!(write_atomically(&missing, b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn read_limited_refuses_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read_limited(&f, 5).unwrap(), b"12345");
        assert!(matches!(read_limited(&f, 4), Err(AttestError::Read { .. })));
    }
}

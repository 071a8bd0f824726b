//! The command line: every flag is defined here once, with its documentation, which also feeds
//! `--help`, the man pages and the shell completions. Each subcommand has its own module that
//! calls the library and maps its errors to exit codes (see [`Exit`]).

pub mod attest;
pub mod inspect;
mod progress;
pub mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, as documented in the README ("Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Verified (audit-level failures included, with warnings).
    Verified = 0,
    /// Not verified: no trusted signature, or the trust policy says no.
    NotVerified = 1,
    /// Usage or configuration error: bad flags, bad policy, bad Secret, unreadable key.
    Usage = 2,
    /// The bundle itself is damaged or malformed.
    Damaged = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A failure that ends a command: the exit code and a one-paragraph message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl From<crate::bundle::BundleError> for Failure {
    /// A bundle error ends any command: exit 3 (damaged or malformed), or 2 for a path that
    /// cannot be opened.
    fn from(e: crate::bundle::BundleError) -> Failure {
        let message = match e.limit() {
            Some(limit) => format!(
                "{e} (raise it with --{} if the bundle is genuine)",
                limit_flag(limit)
            ),
            None => e.to_string(),
        };
        if e.is_usage() {
            Failure::usage(message)
        } else {
            Failure::damaged(message)
        }
    }
}

/// The flag that raises a limit.
fn limit_flag(limit: crate::limits::Limit) -> &'static str {
    use crate::limits::Limit;
    match limit {
        Limit::JsonBlob => "max-json-blob",
        Limit::InflateRatio => "max-inflate-ratio",
        Limit::Manifests => "max-manifests",
    }
}

/// Why an image cannot be chosen, with the flag that chooses one.
pub(crate) fn resolve_message(e: &crate::oci::ResolveError) -> String {
    match e {
        crate::oci::ResolveError::Ambiguous { reason, images } => {
            format!("{reason}; choose one with --ref: {}", images.join(", "))
        }
        e => e.to_string(),
    }
}

impl Progress {
    /// The sink for a `--progress` choice: `auto` draws when standard error is a terminal.
    pub fn sink(self) -> crate::bundle::ProgressSink {
        use crate::bundle::ProgressSink;
        use progress::Bars;
        use std::io::IsTerminal;
        match self {
            Progress::Never => ProgressSink::none(),
            Progress::Always => Bars::stderr_always(),
            Progress::Auto if std::io::stderr().is_terminal() => Bars::stderr(),
            Progress::Auto => ProgressSink::none(),
        }
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }
    pub fn damaged(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Damaged,
            message: message.into(),
        }
    }
}

/// Verify Notation signatures on OCI image bundles offline, the way Flux would, and attest to
/// what was verified.
#[derive(Debug, Parser)]
#[command(name = "airgap-verify", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify the Notation signatures of images in a bundle against Flux-style trust material.
    Verify(VerifyArgs),
    /// Verify an attestation written by `verify --attestation` (the import side of the air gap).
    VerifyAttestation(VerifyAttestationArgs),
    /// Show what a bundle holds (images, referrers, signatures) and whether every blob is intact.
    Inspect(InspectArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For machines: one JSON object, versioned (see README, "JSON report").
    Json,
}

/// `--provider`: which signatures judge an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// Notation signatures under the trust policy of --secret or --trust-dir.
    Notation,
    /// cosign signatures: --cosign-key, --cosign-secret, or keyless with --trusted-root.
    Cosign,
}

/// When to draw a progress bar on standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Progress {
    /// When standard error is a terminal.
    #[default]
    Auto,
    Always,
    Never,
}

/// Limits on hostile input that a user may need to raise.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest manifest, index or config kept in memory, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::limits::MAX_JSON_BLOB, help_heading = "Limits")]
    pub max_json_blob: u64,
    /// Largest number of referrers accepted per image.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_REFERRERS_PER_IMAGE, help_heading = "Limits")]
    pub max_referrers: u64,
    /// Signatures tried per image before giving up (Flux: 3; the notation CLI: 100).
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_SIGNATURES_PER_IMAGE, help_heading = "Limits")]
    pub max_signatures: u64,
    /// Largest decompressed/compressed size ratio of a gzip or zstd bundle.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_INFLATE_RATIO, help_heading = "Limits")]
    pub max_inflate_ratio: u64,
    /// Largest number of manifests and indexes in the bundle's OCI graph.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_MANIFESTS, help_heading = "Limits")]
    pub max_manifests: u64,
    /// Largest number of certificates in one chain (x5c, TSA token, trust material file).
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_CERTIFICATES_PER_CHAIN, help_heading = "Limits")]
    pub max_chain: u64,
}

impl LimitArgs {
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_json_blob: self.max_json_blob,
            max_referrers_per_image: self.max_referrers,
            max_signatures_per_image: self.max_signatures,
            max_inflate_ratio: self.max_inflate_ratio,
            max_manifests: self.max_manifests,
            max_certificates_per_chain: self.max_chain,
            ..Default::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The bundle: an OCI image-layout folder, a .tar, .tar.gz or .tar.zst of one (recognised by
    /// content), or `-` for a tar stream on standard input.
    pub bundle: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t)]
    pub progress: Progress,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle: an OCI image-layout folder, a .tar, .tar.gz or .tar.zst of one (recognised by
    /// content), or `-` for a tar stream on standard input.
    pub bundle: String,
    /// The image to verify, by tag or digest. Optional when the bundle holds one image.
    #[arg(long = "ref", value_name = "TAG|DIGEST", conflicts_with = "all")]
    pub reference: Option<String>,
    /// Verify every image of the bundle (not the referrers).
    #[arg(long)]
    pub all: bool,
    /// The registry/repository that the trust policy's registryScopes are matched against.
    #[arg(long, value_name = "REGISTRY/REPO")]
    pub scope: Option<String>,
    /// A Kubernetes Secret (YAML or JSON) holding trustpolicy.json and *.crt / *.pem
    /// certificates, as Flux's `spec.verify.secretRef`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["trust_dir", "flux"], help_heading = "Trust material")]
    pub secret: Option<PathBuf>,
    /// A folder holding the Secret's files (trustpolicy.json, *.crt, *.pem), as mounted.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "flux",
        help_heading = "Trust material"
    )]
    pub trust_dir: Option<PathBuf>,
    /// Flux manifests (files or folders): OCIRepository objects and their Secrets.
    #[arg(long, value_name = "PATH", num_args = 1.., help_heading = "Trust material")]
    pub flux: Vec<PathBuf>,
    /// A cosign public key (PEM: ECDSA, RSA or Ed25519), as a Secret's `*.pub` entry. Repeatable:
    /// the image verifies with any of them.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "flux",
        help_heading = "cosign"
    )]
    pub cosign_key: Vec<PathBuf>,
    /// A Kubernetes Secret whose `*.pub` entries are cosign public keys, as Flux's
    /// `spec.verify.secretRef` with `provider: cosign`.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "flux",
        help_heading = "cosign"
    )]
    pub cosign_secret: Option<PathBuf>,
    /// Keyless: the regular expression (Go RE2) the Fulcio certificate's subject must match.
    #[arg(
        long,
        value_name = "REGEXP",
        conflicts_with = "flux",
        requires = "certificate_oidc_issuer_regexp",
        help_heading = "cosign"
    )]
    pub certificate_identity_regexp: Option<String>,
    /// Keyless: the regular expression (Go RE2) the certificate's OIDC issuer must match.
    #[arg(
        long,
        value_name = "REGEXP",
        conflicts_with = "flux",
        requires = "certificate_identity_regexp",
        help_heading = "cosign"
    )]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// Keyless: the Sigstore trust root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys,
    /// TSAs). Nothing is ever downloaded. With --flux: for keyless OCIRepositories without
    /// `trustedRootSecretRef`.
    #[arg(long, value_name = "FILE", help_heading = "cosign")]
    pub trusted_root: Option<PathBuf>,
    /// The provider that judges the images, when both kinds of trust material are given.
    /// Implied when only one kind is.
    #[arg(long, value_enum, conflicts_with = "flux", help_heading = "cosign")]
    pub provider: Option<ProviderArg>,
    /// With --flux: only the OCIRepository NAMESPACE/NAME.
    #[arg(
        long,
        value_name = "NAMESPACE/NAME",
        requires = "flux",
        help_heading = "Trust material"
    )]
    pub ocirepository: Option<String>,
    /// Verify as of this time (RFC 3339), for forensic re-verification. Default: now.
    #[arg(long, value_name = "RFC3339", help_heading = "Time and revocation")]
    pub at: Option<String>,
    /// A CRL file (DER or PEM) for offline revocation checking. Repeatable.
    #[arg(long, value_name = "FILE", help_heading = "Time and revocation")]
    pub crl: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// More detail: every signature tried and every check.
    #[arg(short, long)]
    pub verbose: bool,
    /// PKCS#8 PEM private key that signs the attestation (ECDSA P-256/P-384, RSA, Ed25519).
    #[arg(
        long,
        value_name = "PEM",
        requires = "attestation",
        help_heading = "Attestation"
    )]
    pub attest_key: Option<PathBuf>,
    /// Where to write the DSSE attestation (a folder with --all or --flux).
    #[arg(
        long,
        value_name = "OUT",
        requires = "attest_key",
        help_heading = "Attestation"
    )]
    pub attestation: Option<PathBuf>,
    /// Also store the attestation in the bundle folder as a referrer of the image.
    #[arg(long, requires = "attestation", help_heading = "Attestation")]
    pub attach: bool,
    /// Also attest failed verifications (verificationResult FAILED).
    #[arg(long, requires = "attestation", help_heading = "Attestation")]
    pub attest_failures: bool,
    #[arg(long, value_enum, default_value_t)]
    pub progress: Progress,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Args)]
pub struct VerifyAttestationArgs {
    /// The DSSE attestation file. Optional with --bundle when the attestation is attached.
    pub attestation: Option<PathBuf>,
    /// The public key (PEM SubjectPublicKeyInfo) that must have signed it.
    #[arg(long, value_name = "PUBLIC.pem")]
    pub key: PathBuf,
    /// The bundle whose image the attestation must be about (digest recomputed from the bundle).
    #[arg(long, value_name = "BUNDLE", conflicts_with = "digest")]
    pub bundle: Option<String>,
    /// With --bundle: which image, by tag or digest.
    #[arg(long = "ref", value_name = "TAG|DIGEST", requires = "bundle")]
    pub reference: Option<String>,
    /// The digest the attestation must be about.
    #[arg(long, value_name = "sha256:...")]
    pub digest: Option<String>,
    /// Reject an attestation older than this (e.g. 30m, 12h, 7d).
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Run a parsed command line; the exit code follows [`Exit`].
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Verify(a) => verify::run(&a),
        Command::VerifyAttestation(a) => attest::run(&a),
        Command::Inspect(a) => inspect::run(&a),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(f) => {
            eprintln!("airgap-verify: {}", f.message);
            f.exit.into()
        }
    }
}

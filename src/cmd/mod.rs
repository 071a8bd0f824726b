//! The command line: every flag is defined here once, with its documentation, which also feeds
//! `--help`, the man pages and the shell completions. Each subcommand has its own module that
//! calls the library and maps its errors to exit codes (see [`Exit`]).

pub mod attest;
pub mod inspect;
mod progress;
pub mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, as documented in the README ("Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Verified (logged expiry, timestamp or revocation failures included, with warnings).
    Verified = 0,
    /// Not verified: no trusted signature, or the trust policy says no.
    NotVerified = 1,
    /// Usage or configuration error: bad flags, bad policy, bad Secret, unreadable key.
    Usage = 2,
    /// The bundle itself is damaged or malformed.
    Damaged = 3,
    /// Ignored: Flux would pull the image without a `SourceVerified=True` condition (a `skip`
    /// level, a logged authenticity failure, no verification configured).
    Ignored = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A failure that ends a command: the exit code and a one-paragraph message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit code the command ends with.
    pub exit: Exit,
    /// What failed, for people: one paragraph naming the file, flag or field and what to try. It is
    /// printed on standard error after `airgap-verify: ` and, under `--format json`, is the
    /// document's `error`.
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
pub(crate) fn limit_flag(limit: crate::limits::Limit) -> &'static str {
    use crate::limits::Limit;
    match limit {
        Limit::JsonBlob => "max-json-blob",
        Limit::InflateRatio => "max-inflate-ratio",
        Limit::Manifests => "max-manifests",
        Limit::CertificatesPerChain => "max-chain",
        Limit::ReferrersPerImage => "max-referrers",
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
    /// A usage or configuration error (exit 2): bad flags, policy, Secret or key, a path that
    /// cannot be opened.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }
    /// A damaged or malformed bundle (exit 3).
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
#[command(name = "airgap-verify", version = crate::version(), about, long_about = None, max_term_width = 100, after_long_help = CLI_EXAMPLES)]
pub struct Cli {
    /// The flags of every subcommand (`-v`, `-q`, `--color`).
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags of every subcommand, accepted before or after it.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// More detail: every signature tried and every check, and notes about the input on
    /// standard error.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// No text report on standard output (errors still go to standard error; with
    /// `--format json` the document is still printed).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to colour the verdict: on a terminal unless NO_COLOR is set (auto), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t, global = true)]
    pub color: Color,
}

/// When to colour the verdict word of the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Color {
    /// When standard output is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Whether to colour standard output.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// The verdict words of a text report in colour (green, red, yellow): only the word, only on
/// the lines that start a result.
pub(crate) fn colour_verdicts(text: &str) -> String {
    const WORDS: [(&str, &str); 3] = [
        (": verified", "32"),
        (": not verified", "31"),
        (": ignored", "33"),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let found = (!line.starts_with(' '))
            .then(|| {
                WORDS
                    .iter()
                    .filter_map(|(w, c)| line.find(w).map(|i| (i, *w, *c)))
                    .min_by_key(|(i, w, _)| (*i, std::cmp::Reverse(w.len())))
            })
            .flatten();
        match found {
            Some((i, word, code)) => {
                let start = i + 2;
                let end = i + word.len();
                out.push_str(&line[..start]);
                out.push_str(&format!("\x1b[{code}m{}\x1b[0m", &line[start..end]));
                out.push_str(&line[end..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The subcommands, each with the examples of its long help.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify the Notation signatures of images in a bundle against Flux-style trust material.
    #[command(after_long_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Verify an attestation written by `verify --attestation` (the import side of the air gap).
    #[command(after_long_help = VERIFY_ATTESTATION_EXAMPLES)]
    VerifyAttestation(VerifyAttestationArgs),
    /// Show what a bundle holds (images, referrers, signatures) and whether every blob is intact.
    #[command(after_long_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
}

/// Examples of `airgap-verify --help` and its man page: the three stories, end to end.
pub const CLI_EXAMPLES: &str = "\
Examples:
  Air-gapped import: outside the gap, verify and attest; inside, check the attestation
    airgap-verify verify release.tar.gz --secret notation-secret.yaml \\
        --scope registry.example/app --attest-key attest.key --attestation release.dsse.json
    airgap-verify verify-attestation release.dsse.json --key attest.pub \\
        --bundle release.tar.gz --scope registry.example/app --secret notation-secret.yaml \\
        --max-age 7d
  Release sign-off: a signed statement per image, failures included; the far side checks all
    airgap-verify verify release/ --all --trust-dir notation-trust/ -o json \\
        --scope app:v1=registry.example/app --scope worker:v1=registry.example/worker \\
        --attest-key signoff.key --attestation signoffs/ --attest-failures > verdict.json
    airgap-verify verify-attestation signoffs/ --key signoff.pub --bundle release/
  Forensic re-verification: as of the time the bundle was imported, with the CRLs of then
    airgap-verify verify stored.tar.zst --secret notation-secret.yaml \\
        --scope registry.example/app --at 2020-06-01T00:00:00Z \\
        --crl archive/2020-06-intermediate.crl
  Each subcommand's --help, and its man page, has the examples of that subcommand.";

/// Examples of `verify --help` and its man page: the three stories.
pub const VERIFY_EXAMPLES: &str = "\
Examples:
  Air-gapped import: verify against the Secret the cluster uses, and attest to it
    airgap-verify verify release.tar.gz --secret notation-secret.yaml \\
        --scope registry.example/app --attest-key attest.key --attestation release.dsse.json
  Release sign-off: every image, one signed statement each, failures included
    airgap-verify verify release/ --all --trust-dir notation-trust/ -o json \\
        --scope app:v1=registry.example/app --scope worker:v1=registry.example/worker \\
        --attest-key signoff.key --attestation signoffs/ --attest-failures > verdict.json
  Forensic re-verification: as of the time the bundle was imported, with the CRLs of then
    airgap-verify verify stored.tar.zst --secret notation-secret.yaml \\
        --scope registry.example/app --at 2020-06-01T00:00:00Z \\
        --crl archive/2020-06-intermediate.crl
  The way Flux would: each OCIRepository of a GitOps checkout with its Secret and scope
    airgap-verify verify bundle.tar --flux clusters/prod/ --ocirepository flux-system/app";

/// Examples of `verify-attestation --help` and its man page: the three stories.
pub const VERIFY_ATTESTATION_EXAMPLES: &str = "\
Examples:
  Air-gapped import: inside, before pushing: this bundle's image, scope and Secret, and recent
    airgap-verify verify-attestation release.dsse.json --key attest.pub \\
        --bundle release.tar.gz --scope registry.example/app --secret notation-secret.yaml \\
        --max-age 7d
  Release sign-off: the far side checks a folder of attestations, one per image of the bundle
    airgap-verify verify-attestation signoffs/ --key signoff.pub --bundle release/
  Forensic re-verification: years later, what a stored attestation says of the stored bundle
    airgap-verify verify-attestation release.dsse.json --key attest.pub \\
        --bundle release.tar.gz -o json";

/// Examples of `inspect --help` and its man page: the three stories.
pub const INSPECT_EXAMPLES: &str = "\
Examples:
  Air-gapped import: what arrived, and whether every blob is intact, before verifying
    airgap-verify inspect release.tar.gz
  Release sign-off: the images of a release bundle and their signatures, for a script
    airgap-verify inspect release/ -o json
  Forensic re-verification: one image of a stored bundle, its signers and times (unverified)
    airgap-verify inspect stored.tar.zst --ref v1";

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For machines: one JSON object with a `version` field; fields are added, never renamed.
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
    /// Always: a bar on a terminal, else one plain line per second (a log, a CI console).
    Always,
    /// Never.
    Never,
}

/// Limits on hostile input that a user may need to raise: those of reading a bundle (every
/// subcommand) and those of verifying signatures (`verify`).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// The limits of reading the bundle, as for every subcommand.
    #[command(flatten)]
    pub bundle: BundleLimitArgs,
    /// Signatures tried per image before giving up [default: 3, as Flux; 100 with
    /// --notation-config, as the notation CLI].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub max_signatures: Option<u64>,
    /// Largest number of certificates in one chain (x5c, TSA token, trust material file).
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_CERTIFICATES_PER_CHAIN, help_heading = "Limits")]
    pub max_chain: u64,
}

/// The limits of reading a bundle, its OCI graph and its referrers.
#[derive(Debug, Clone, Args)]
pub struct BundleLimitArgs {
    /// Largest manifest, index or config kept in memory: bytes, or with a unit (8MiB, 512KiB, 1MB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value_t = crate::limits::MAX_JSON_BLOB, help_heading = "Limits")]
    pub max_json_blob: u64,
    /// Largest number of referrers accepted per image.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_REFERRERS_PER_IMAGE, help_heading = "Limits")]
    pub max_referrers: u64,
    /// Largest decompressed/compressed size ratio of a gzip or zstd bundle.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_INFLATE_RATIO, help_heading = "Limits")]
    pub max_inflate_ratio: u64,
    /// Largest number of manifests and indexes in the bundle's OCI graph.
    #[arg(long, value_name = "N", default_value_t = crate::limits::MAX_MANIFESTS, help_heading = "Limits")]
    pub max_manifests: u64,
}

/// A size in bytes: a number, or a number and a unit (`B`, `KB`, `MB`, `GB` in powers of 1000;
/// `KiB`, `MiB`, `GiB` in powers of 1024; case-insensitive), e.g. `8MiB`.
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad = || {
        format!(
            "{s:?} is not a size: write bytes (8388608) or a number and a unit (8MiB, 512KiB, 1MB)"
        )
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

impl LimitArgs {
    /// The limits with the notation CLI's default number of signatures tried
    /// (`--notation-config`).
    pub fn notation_cli_limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_signatures_per_image: self
                .max_signatures
                .unwrap_or(crate::trust::notation::NOTATION_MAX_SIGNATURES),
            ..self.limits()
        }
    }

    /// The limits of `verify` as given: Flux's number of signatures tried
    /// ([`crate::limits::MAX_SIGNATURES_PER_IMAGE`]) unless `--max-signatures` is given.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_signatures_per_image: self
                .max_signatures
                .unwrap_or(crate::limits::MAX_SIGNATURES_PER_IMAGE),
            max_certificates_per_chain: self.max_chain,
            ..self.bundle.limits()
        }
    }
}

impl BundleLimitArgs {
    /// The bundle limits as given, every other limit at its default.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_json_blob: self.max_json_blob,
            max_referrers_per_image: self.max_referrers,
            max_inflate_ratio: self.max_inflate_ratio,
            max_manifests: self.max_manifests,
            ..Default::default()
        }
    }
}

/// The flags and operand of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The bundle: an OCI image-layout folder, a .tar, .tar.gz or .tar.zst of one (recognised by
    /// content), or `-` for a tar stream on standard input.
    pub bundle: String,
    /// Show only this image (and its referrers), by tag or digest.
    #[arg(long = "ref", value_name = "TAG|DIGEST")]
    pub reference: Option<String>,
    /// Output format (`-o` and `--output` as in notation and cosign).
    #[arg(
        short = 'o',
        long,
        visible_alias = "output",
        value_enum,
        default_value_t
    )]
    pub format: Format,
    /// When to show the progress of reading the bundle on standard error.
    #[arg(long, value_enum, default_value_t)]
    pub progress: Progress,
    /// The limits of reading the bundle.
    #[command(flatten)]
    pub limits: BundleLimitArgs,
    /// `-q` (see [`GlobalArgs`]).
    #[arg(skip)]
    pub quiet: bool,
}

/// The flags and operand of `verify`.
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
    /// The registry/repository that the trust policy's registryScopes are matched against: for
    /// every image, or as REF=REGISTRY/REPO for the image REF (tag, full name or digest).
    /// Repeatable. Without it, only a policy whose one statement is `*` applies.
    #[arg(long, value_name = "[REF=]REGISTRY/REPO")]
    pub scope: Vec<String>,
    /// Take the scope of an image without --scope from the bundle's own name annotation. Only
    /// for bundles from a pipeline you trust: the bundle then chooses the policy statement it is
    /// judged by, and the report and attestation record it.
    #[arg(long, conflicts_with = "flux")]
    pub scope_from_bundle: bool,
    /// A Kubernetes Secret (YAML or JSON) holding trustpolicy.json and *.crt / *.pem
    /// certificates, as Flux's `spec.verify.secretRef`; `-` reads it from standard input.
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
    /// Flux manifests (a file or a folder): OCIRepository objects and their Secrets. Repeatable.
    #[arg(long, value_name = "PATH", help_heading = "Trust material")]
    pub flux: Vec<PathBuf>,
    /// A notation CLI configuration folder (trustpolicy.oci.json or trustpolicy.json, and
    /// truststore/x509/{ca,signingAuthority,tsa}/NAME/), judged with the notation CLI's rules
    /// instead of Flux's: store names matter, up to 100 signatures are tried, an audit-level
    /// result is verified.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["secret", "trust_dir", "flux"], help_heading = "Trust material")]
    pub notation_config: Option<PathBuf>,
    /// cosign trust material.
    #[command(flatten)]
    pub cosign: CosignTrustArgs,
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
    /// Output format (`-o` and `--output` as in notation and cosign).
    #[arg(
        short = 'o',
        long,
        visible_alias = "output",
        value_enum,
        default_value_t
    )]
    pub format: Format,
    /// `-v` (a flag of every subcommand, see [`GlobalArgs`]).
    #[arg(skip)]
    pub verbose: bool,
    /// `-q` (see [`GlobalArgs`]).
    #[arg(skip)]
    pub quiet: bool,
    /// `--color` (see [`GlobalArgs`]).
    #[arg(skip)]
    pub color: Color,
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
    /// When to show the progress of reading the bundle on standard error.
    #[arg(long, value_enum, default_value_t)]
    pub progress: Progress,
    /// The limits of reading the bundle and of verifying its signatures.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// cosign trust material: keys, a Secret of keys, or keyless identities with a trust root (for
/// `verify`, and for `verify-attestation` to recompute an attestation's trust-material digest).
#[derive(Debug, Args, Default)]
pub struct CosignTrustArgs {
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
}

/// The flags and operand of `verify-attestation`.
#[derive(Debug, Args)]
pub struct VerifyAttestationArgs {
    /// The DSSE attestation file, or a folder of one `sha256-<hex>.dsse.json` per image (as
    /// `verify --all --attestation DIR` writes). Optional with --bundle when the attestation is
    /// attached.
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
    /// The registry/repository the attestation must be for (its subject name and resourceUri).
    #[arg(
        long,
        value_name = "REGISTRY/REPO",
        help_heading = "What the attestation must say"
    )]
    pub scope: Option<String>,
    /// The Secret the attestation must have been made with (its trust-material digest is
    /// recomputed).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["trust_dir", "flux", "policy_digest"], help_heading = "What the attestation must say")]
    pub secret: Option<PathBuf>,
    /// The trust folder the attestation must have been made with.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["flux", "policy_digest"], help_heading = "What the attestation must say")]
    pub trust_dir: Option<PathBuf>,
    /// Flux manifests: the Secret of the OCIRepository whose spec.url is the attestation's scope.
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with = "policy_digest", help_heading = "What the attestation must say")]
    pub flux: Vec<PathBuf>,
    /// cosign trust material the attestation must have been made with (its digest is
    /// recomputed).
    #[command(flatten)]
    pub cosign: CosignTrustArgs,
    /// The trust-material digest the attestation must carry (`policy.digest`), without the files.
    #[arg(
        long,
        value_name = "sha256:...",
        help_heading = "What the attestation must say"
    )]
    pub policy_digest: Option<String>,
    /// The lowest verification level accepted.
    #[arg(
        long,
        value_enum,
        default_value_t,
        help_heading = "What the attestation must say"
    )]
    pub min_level: MinLevelArg,
    /// Output format (`-o` and `--output` as in notation and cosign).
    #[arg(
        short = 'o',
        long,
        visible_alias = "output",
        value_enum,
        default_value_t
    )]
    pub format: Format,
    /// With --bundle: when to show progress of reading it on standard error.
    #[arg(long, value_enum, default_value_t)]
    pub progress: Progress,
    /// With --bundle: the limits of reading it.
    #[command(flatten)]
    pub limits: BundleLimitArgs,
    /// `-q` (see [`GlobalArgs`]).
    #[arg(skip)]
    pub quiet: bool,
}

/// `--min-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum MinLevelArg {
    /// Only a strict-level PASSED.
    Strict,
    /// The default.
    #[default]
    Permissive,
    /// Also an audit-level PASSED (authenticity passed; the other checks only logged).
    Audit,
}

impl From<MinLevelArg> for crate::attest::check::MinLevel {
    fn from(m: MinLevelArg) -> Self {
        use crate::attest::check::MinLevel;
        match m {
            MinLevelArg::Strict => MinLevel::Strict,
            MinLevelArg::Permissive => MinLevel::Permissive,
            MinLevelArg::Audit => MinLevel::Audit,
        }
    }
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Run a parsed command line; the exit code follows [`Exit`]. With `--format json`, a failure
/// that ends the run is also one JSON object on standard output ([`failure_json`]), so that a
/// script always gets a document.
pub fn run(cli: Cli) -> ExitCode {
    let format = match &cli.command {
        Command::Verify(a) => a.format,
        Command::VerifyAttestation(a) => a.format,
        Command::Inspect(a) => a.format,
    };
    let global = cli.global;
    let result = match cli.command {
        Command::Verify(mut a) => {
            (a.verbose, a.quiet, a.color) = (global.verbose, global.quiet, global.color);
            verify::run(&a)
        }
        Command::VerifyAttestation(mut a) => {
            a.quiet = global.quiet;
            attest::run(&a)
        }
        Command::Inspect(mut a) => {
            a.quiet = global.quiet;
            inspect::run(&a)
        }
    };
    match result {
        Ok(exit) => exit.into(),
        Err(f) => {
            if format == Format::Json {
                let doc = failure_json(&f, None);
                // The failure itself is what is reported: a closed pipe changes nothing.
                let _ = print_out(|out| writeln!(out, "{doc:#}"));
            }
            print_failure(&f);
            f.exit.into()
        }
    }
}

/// The failure's message on standard error, its control characters escaped.
pub(crate) fn print_failure(f: &Failure) {
    let message = crate::report::text::escape_controls(&f.message);
    let _ = writeln!(std::io::stderr(), "airgap-verify: {message}");
}

/// The JSON document of a failure: `{"version": 1, "error", "exitCode"}`, merged into `report`
/// (a report already made, such as the integrity report of a damaged bundle) when given.
pub fn failure_json(f: &Failure, report: Option<serde_json::Value>) -> serde_json::Value {
    let mut doc = match report {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::from_iter([("version".to_string(), serde_json::Value::from(1))]),
    };
    doc.insert("error".to_string(), f.message.clone().into());
    doc.insert("exitCode".to_string(), (f.exit as u8).into());
    serde_json::Value::Object(doc)
}

/// Write to standard output. A closed pipe (`| head -1`) is no error: nobody reads the output
/// any more, and the run ends quietly with the exit code of the work.
pub(crate) fn print_out(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::usage(format!("cannot write the report: {e}"))),
    }
}

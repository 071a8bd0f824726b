//! X.509 for Notation: certificates, the code-signing and timestamping chain rules, RFC 3161
//! timestamps and offline revocation from CRL files.

pub mod cert;
pub mod chain;
pub mod cms;
pub mod crypto;
pub mod revocation;
pub mod timestamp;

//! RFC 3161 timestamp tokens made with the `openssl ts` CLI: a query over the hash of the
//! signature bytes (NOTATION.md §5.2, step 3), answered by a TSA certificate made by
//! [`crate::pki`]. `genTime` is the current time (openssl has no option to set it).

use std::sync::Arc;

use crate::openssl::run as openssl;
use crate::sign::Countersigner;
use airgap_verify::pki::crypto::HashAlg;

use crate::pki::{pem, Issued};

/// A DER `TimeStampToken` (CMS ContentInfo) over `hash(data)`, signed by `tsa` whose chain
/// (`tsa` first, then its issuers) is embedded.
pub fn timestamp_token(
    data: &[u8],
    hash: HashAlg,
    tsa: &Issued,
    issuers: &[&Issued],
) -> Result<Vec<u8>, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path();
    let w =
        |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string());
    let alg = match hash {
        HashAlg::Sha256 => "sha256",
        HashAlg::Sha384 => "sha384",
        HashAlg::Sha512 => "sha512",
    };
    w("data.bin", data)?;
    w("tsa.pem", pem(&tsa.cert).as_bytes())?;
    w(
        "tsa.key",
        tsa.key
            .to_pkcs8_pem()
            .map_err(|e| e.to_string())?
            .as_bytes(),
    )?;
    // The query asks for the signer certificate (`-cert`); `certs` adds only the issuers, so
    // no certificate appears twice in the SignedData SET.
    let chain: String = issuers.iter().map(|i| pem(&i.cert)).collect();
    w("chain.pem", chain.as_bytes())?;
    w("serial", b"01\n")?;
    let config = "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\nserial = ./serial\n\
         crypto_device = builtin\nsigner_cert = ./tsa.pem\n\
         signer_key = ./tsa.key\nsigner_digest = sha256\ndefault_policy = 1.3.6.1.4.1.4146.2.3\n\
         digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\ntsa_name = no\n\
         ess_cert_id_chain = no\ness_cert_id_alg = sha256\n";
    let config = if issuers.is_empty() {
        config.to_string()
    } else {
        format!("{config}certs = ./chain.pem\n")
    };
    w("tsa.cnf", config.as_bytes())?;
    openssl(
        &[
            "ts",
            "-query",
            "-data",
            "data.bin",
            &format!("-{alg}"),
            "-cert",
            "-out",
            "req.tsq",
        ],
        dir,
    )?;
    openssl(
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "req.tsq",
            "-token_out",
            "-out",
            "token.der",
        ],
        dir,
    )?;
    std::fs::read(dir.join("token.der")).map_err(|e| e.to_string())
}

/// A countersigner for [`crate::sign::SignTimestamp::Countersign`]: timestamps
/// the signature bytes with `hash` (the signing key's hash, as notation does).
pub fn countersigner(hash: HashAlg, tsa: &Issued, issuers: &[&Issued]) -> Countersigner {
    let tsa = tsa.clone();
    let issuers: Vec<Issued> = issuers.iter().map(|i| (*i).clone()).collect();
    Arc::new(move |signature: &[u8]| {
        let refs: Vec<&Issued> = issuers.iter().collect();
        timestamp_token(signature, hash, &tsa, &refs)
    })
}

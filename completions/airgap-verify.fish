# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_airgap_verify_global_optspecs
    string join \n v/verbose q/quiet color= h/help V/version
end

function __fish_airgap_verify_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_airgap_verify_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_airgap_verify_using_subcommand
    set -l cmd (__fish_airgap_verify_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -l color -d 'When to colour the verdict: on a terminal unless NO_COLOR is set (auto), always, never' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is not set'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -s v -l verbose -d 'More detail: every signature tried and every check, and notes about the input on standard error'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -s q -l quiet -d 'No text report on standard output (errors still go to standard error; with `--format json` the document is still printed)'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -s V -l version -d 'Print version'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -f -a "verify" -d 'Verify the Notation signatures of images in a bundle against Flux-style trust material'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -f -a "verify-attestation" -d 'Verify an attestation written by `verify --attestation` (the import side of the air gap)'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -f -a "inspect" -d 'Show what a bundle holds (images, referrers, signatures) and whether every blob is intact'
complete -c airgap-verify -n "__fish_airgap_verify_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l ref -d 'The image to verify, by tag or digest. Optional when the bundle holds one image' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l scope -d 'The registry/repository that the trust policy\'s registryScopes are matched against: for every image, or as REF=REGISTRY/REPO for the image REF (tag, full name or digest). Repeatable. Without it, only a policy whose one statement is `*` applies' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l secret -d 'A Kubernetes Secret (YAML or JSON) holding trustpolicy.json and *.crt / *.pem certificates, as Flux\'s `spec.verify.secretRef`; `-` reads it from standard input' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l trust-dir -d 'A folder holding the Secret\'s files (trustpolicy.json, *.crt, *.pem), as mounted' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l flux -d 'Flux manifests (a file or a folder): OCIRepository objects and their Secrets. Repeatable' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l notation-config -d 'A notation CLI configuration folder (trustpolicy.oci.json or trustpolicy.json, and truststore/x509/{ca,signingAuthority,tsa}/NAME/), judged with the notation CLI\'s rules instead of Flux\'s: store names matter, up to 100 signatures are tried, an audit-level result is verified' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l cosign-key -d 'A cosign public key (PEM: ECDSA, RSA or Ed25519), as a Secret\'s `*.pub` entry. Repeatable: the image verifies with any of them' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l cosign-secret -d 'A Kubernetes Secret whose `*.pub` entries are cosign public keys, as Flux\'s `spec.verify.secretRef` with `provider: cosign`' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l certificate-identity-regexp -d 'Keyless: the regular expression (Go RE2) the Fulcio certificate\'s subject must match' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l certificate-oidc-issuer-regexp -d 'Keyless: the regular expression (Go RE2) the certificate\'s OIDC issuer must match' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l trusted-root -d 'Keyless: the Sigstore trust root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys, TSAs). Nothing is ever downloaded. With --flux: for keyless OCIRepositories without `trustedRootSecretRef`' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l provider -d 'The provider that judges the images, when both kinds of trust material are given. Implied when only one kind is' -r -f -a "notation\t'Notation signatures under the trust policy of --secret or --trust-dir'
cosign\t'cosign signatures: --cosign-key, --cosign-secret, or keyless with --trusted-root'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l ocirepository -d 'With --flux: only the OCIRepository NAMESPACE/NAME' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l at -d 'Verify as of this time (RFC 3339), for forensic re-verification. Default: now' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l crl -d 'A CRL file (DER or PEM) for offline revocation checking. Repeatable' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -s o -l format -l output -d 'Output format (`-o` and `--output` as in notation and cosign)' -r -f -a "text\t'For people'
json\t'For machines: one JSON object with a `version` field; fields are added, never renamed'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l attest-key -d 'PKCS#8 PEM private key that signs the attestation (ECDSA P-256/P-384, RSA, Ed25519)' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l attestation -d 'Where to write the DSSE attestation (a folder with --all or --flux)' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l progress -d 'When to show the progress of reading the bundle on standard error' -r -f -a "auto\t'When standard error is a terminal'
always\t'Always: a bar on a terminal, else one plain line per second (a log, a CI console)'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l max-json-blob -d 'Largest manifest, index or config kept in memory: bytes, or with a unit (8MiB, 512KiB, 1MB)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l max-referrers -d 'Largest number of referrers accepted per image' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l max-inflate-ratio -d 'Largest decompressed/compressed size ratio of a gzip or zstd bundle' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l max-manifests -d 'Largest number of manifests and indexes in the bundle\'s OCI graph' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l max-signatures -d 'Signatures tried per image before giving up [default: 3, as Flux; 100 with --notation-config, as the notation CLI]' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l max-chain -d 'Largest number of certificates in one chain (x5c, TSA token, trust material file)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l color -d 'When to colour the verdict: on a terminal unless NO_COLOR is set (auto), always, never' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is not set'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l all -d 'Verify every image of the bundle (not the referrers)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l scope-from-bundle -d 'Take the scope of an image without --scope from the bundle\'s own name annotation. Only for bundles from a pipeline you trust: the bundle then chooses the policy statement it is judged by, and the report and attestation record it'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l attach -d 'Also store the attestation in the bundle folder as a referrer of the image'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -l attest-failures -d 'Also attest failed verifications (verificationResult FAILED)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -s v -l verbose -d 'More detail: every signature tried and every check, and notes about the input on standard error'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -s q -l quiet -d 'No text report on standard output (errors still go to standard error; with `--format json` the document is still printed)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l key -d 'The public key (PEM SubjectPublicKeyInfo) that must have signed it' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l bundle -d 'The bundle whose image the attestation must be about (digest recomputed from the bundle)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l ref -d 'With --bundle: which image, by tag or digest' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l digest -d 'The digest the attestation must be about' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l max-age -d 'Reject an attestation older than this (e.g. 30m, 12h, 7d)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l scope -d 'The registry/repository the attestation must be for (its subject name and resourceUri)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l secret -d 'The Secret the attestation must have been made with (its trust-material digest is recomputed)' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l trust-dir -d 'The trust folder the attestation must have been made with' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l flux -d 'Flux manifests: the Secret of the OCIRepository whose spec.url is the attestation\'s scope' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l cosign-key -d 'A cosign public key (PEM: ECDSA, RSA or Ed25519), as a Secret\'s `*.pub` entry. Repeatable: the image verifies with any of them' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l cosign-secret -d 'A Kubernetes Secret whose `*.pub` entries are cosign public keys, as Flux\'s `spec.verify.secretRef` with `provider: cosign`' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l certificate-identity-regexp -d 'Keyless: the regular expression (Go RE2) the Fulcio certificate\'s subject must match' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l certificate-oidc-issuer-regexp -d 'Keyless: the regular expression (Go RE2) the certificate\'s OIDC issuer must match' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l trusted-root -d 'Keyless: the Sigstore trust root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys, TSAs). Nothing is ever downloaded. With --flux: for keyless OCIRepositories without `trustedRootSecretRef`' -r -F
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l policy-digest -d 'The trust-material digest the attestation must carry (`policy.digest`), without the files' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l min-level -d 'The lowest verification level accepted' -r -f -a "strict\t'Only a strict-level PASSED'
permissive\t'The default'
audit\t'Also an audit-level PASSED (authenticity passed; the other checks only logged)'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -s o -l format -l output -d 'Output format (`-o` and `--output` as in notation and cosign)' -r -f -a "text\t'For people'
json\t'For machines: one JSON object with a `version` field; fields are added, never renamed'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l progress -d 'With --bundle: when to show progress of reading it on standard error' -r -f -a "auto\t'When standard error is a terminal'
always\t'Always: a bar on a terminal, else one plain line per second (a log, a CI console)'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l max-json-blob -d 'Largest manifest, index or config kept in memory: bytes, or with a unit (8MiB, 512KiB, 1MB)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l max-referrers -d 'Largest number of referrers accepted per image' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l max-inflate-ratio -d 'Largest decompressed/compressed size ratio of a gzip or zstd bundle' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l max-manifests -d 'Largest number of manifests and indexes in the bundle\'s OCI graph' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -l color -d 'When to colour the verdict: on a terminal unless NO_COLOR is set (auto), always, never' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is not set'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -s v -l verbose -d 'More detail: every signature tried and every check, and notes about the input on standard error'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -s q -l quiet -d 'No text report on standard output (errors still go to standard error; with `--format json` the document is still printed)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand verify-attestation" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l ref -d 'Show only this image (and its referrers), by tag or digest' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -s o -l format -l output -d 'Output format (`-o` and `--output` as in notation and cosign)' -r -f -a "text\t'For people'
json\t'For machines: one JSON object with a `version` field; fields are added, never renamed'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l progress -d 'When to show the progress of reading the bundle on standard error' -r -f -a "auto\t'When standard error is a terminal'
always\t'Always: a bar on a terminal, else one plain line per second (a log, a CI console)'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l max-json-blob -d 'Largest manifest, index or config kept in memory: bytes, or with a unit (8MiB, 512KiB, 1MB)' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l max-referrers -d 'Largest number of referrers accepted per image' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l max-inflate-ratio -d 'Largest decompressed/compressed size ratio of a gzip or zstd bundle' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l max-manifests -d 'Largest number of manifests and indexes in the bundle\'s OCI graph' -r
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -l color -d 'When to colour the verdict: on a terminal unless NO_COLOR is set (auto), always, never' -r -f -a "auto\t'When standard output is a terminal and NO_COLOR is not set'
always\t'Always, even into a pipe or a file'
never\t'Never'"
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -s v -l verbose -d 'More detail: every signature tried and every check, and notes about the input on standard error'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -s q -l quiet -d 'No text report on standard output (errors still go to standard error; with `--format json` the document is still printed)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand help; and not __fish_seen_subcommand_from verify verify-attestation inspect help" -f -a "verify" -d 'Verify the Notation signatures of images in a bundle against Flux-style trust material'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand help; and not __fish_seen_subcommand_from verify verify-attestation inspect help" -f -a "verify-attestation" -d 'Verify an attestation written by `verify --attestation` (the import side of the air gap)'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand help; and not __fish_seen_subcommand_from verify verify-attestation inspect help" -f -a "inspect" -d 'Show what a bundle holds (images, referrers, signatures) and whether every blob is intact'
complete -c airgap-verify -n "__fish_airgap_verify_using_subcommand help; and not __fish_seen_subcommand_from verify verify-attestation inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

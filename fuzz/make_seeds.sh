#!/usr/bin/env bash
# Rebuild the seed corpora in fuzz/seeds/<target>/ from the committed fixtures and from data
# generated here with openssl (CRLs, RFC 3161 tokens). Run from the repository root:
#   bash fuzz/make_seeds.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fx="$root/fixtures"
out="$root/fuzz/seeds"
rm -rf "$out"
mkdir -p "$out"/{bundle_stream,oci_graph,jws,cose,cert_chain,trust_policy,secret_flux_yaml,timestamp,crl,dsse,sigstore_bundle,sigstore_trust_root}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Bundles: the three archive forms of the signed fixture.
cp "$fx"/signed.tar "$fx"/signed.tar.gz "$fx"/signed.tar.zst "$out/bundle_stream/"

# Envelopes: every JWS and COSE blob of the signed layouts; the OCI graph seed rewrites each
# signed layout in the `@N`/`#N` piece form of fuzz_bodies::oci_graph.
for layout in signed multi expired-signature; do
  for f in "$fx/$layout"/blobs/sha256/*; do
    if head -c 1 "$f" | grep -q '{' && grep -q '"protected"' "$f"; then
      cp "$f" "$out/jws/$layout-$(basename "$f" | head -c 12)"
    elif head -c 1 "$f" | od -An -tx1 | grep -q 'd2'; then
      cp "$f" "$out/cose/$layout-$(basename "$f" | head -c 12)"
    fi
  done
  python3 - "$fx/$layout" "$out/oci_graph/$layout" <<'PY'
import os, re, sys
layout, dest = sys.argv[1], sys.argv[2]
blobs = sorted(os.listdir(os.path.join(layout, "blobs", "sha256")))
raw = {b: open(os.path.join(layout, "blobs", "sha256", b), "rb").read() for b in blobs}
# Only small text blobs go in; the others are left for Graph::build to find missing.
names = [b for b in blobs if len(raw[b]) < 8192 and b"\n--\n" not in raw[b]]
def rewrite(data):
    if not data.startswith(b"{"):
        return data.decode("latin-1")  # COSE and other binary blobs stay as they are
    text = data.decode("latin-1")
    for i, b in enumerate(names, start=1):
        text = text.replace("sha256:" + b, "@%d" % i)
    # Sizes next to a digest placeholder become that piece's length placeholder.
    text = re.sub(r'"digest":"@(\d+)","size":\d+', r'"digest":"@\1","size":#\1', text)
    text = re.sub(r'"size":\d+,"digest":"@(\d+)"', r'"size":#\1,"digest":"@\1"', text)
    return text
pieces = [rewrite(open(os.path.join(layout, "index.json"), "rb").read())]
pieces += [rewrite(raw[b]) for b in names]
open(dest, "wb").write("\n--\n".join(pieces).encode("latin-1"))
PY
done

# Certificates: single PEM and DER certificates and the PEM chain.
cp "$fx"/pki/*.crt "$fx"/pki/chain.pem "$out/cert_chain/"
openssl x509 -in "$fx/pki/leaf.crt" -outform DER -out "$out/cert_chain/leaf.der"

# Trust policy, Secret and Flux manifests.
# Hostile archives, graphs and payloads (folded member names, PAX NUL, global headers, long
# records, data after the end-of-archive marker, zstd framing, docker save manifest.json).
python3 "$root/fuzz/hostile_seeds.py" "$fx/signed" "$out"

cp "$fx/trust/trustpolicy.json" "$out/trust_policy/"
cp "$fx/secret.yaml" "$fx"/flux/*.yaml "$out/secret_flux_yaml/"

# CRLs: an empty one and one with a revoked entry, PEM and DER.
cd "$tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
  -subj "/CN=Seed CRL CA" -days 3650 2>/dev/null
touch index.txt && echo 01 > crlnumber
cat > ca.cnf <<CNF
[ca]
default_ca = c
[c]
database = $tmp/index.txt
crlnumber = $tmp/crlnumber
default_md = sha256
default_crl_days = 30
CNF
openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.crt -out empty.crl.pem 2>/dev/null
openssl ca -config ca.cnf -revoke ca.crt -crl_reason keyCompromise -keyfile ca.key -cert ca.crt 2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.crt -out revoked.crl.pem 2>/dev/null
for c in empty revoked; do
  cp "$c.crl.pem" "$out/crl/"
  openssl crl -in "$c.crl.pem" -outform DER -out "$out/crl/$c.crl.der"
done

# RFC 3161 tokens by the fixture TSA, over a short signature: first byte = signature length.
echo 01 > tsaserial
cat > tsa.cnf <<CNF
[tsa]
default_tsa = t
[t]
serial = $tmp/tsaserial
signer_cert = $fx/pki/tsa.crt
certs = $fx/pki/tsa-root.crt
signer_key = $fx/keys/tsa.pem
default_policy = 1.2.3.4
digests = sha256
signer_digest = sha256
ess_cert_id_alg = sha256
accuracy = secs:1
CNF
printf 'signature' > sig
for opts in "cert:-cert" "cert-no-nonce:-cert -no_nonce" "no-cert:"; do
  openssl ts -query -data sig -sha256 ${opts#*:} -out q.tsq 2>/dev/null
  openssl ts -reply -config tsa.cnf -queryfile q.tsq -token_out -out token.der 2>/dev/null
  { printf '\x09'; cat sig token.der; } > "$out/timestamp/token-${opts%%:*}"
done

# DSSE: a small in-toto statement signed by nobody in particular (structure only).
printf '%s' '{"payloadType":"application/vnd.in-toto+json","payload":"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==","signatures":[{"keyid":"k","sig":"MEUCIQ=="}]}' \
  > "$out/dsse/statement.json"
# Sigstore bundles and a trusted root over the fixture PKI. The signatures are placeholders:
# the seeds pass the parsers and reach the verification steps, which then fail.
mkdir -p "$out"/{sigstore_bundle,sigstore_trust_root}
b64() { base64 | tr -d '\n'; }
leaf=$(openssl x509 -in "$fx/pki/leaf.crt" -outform DER | b64)
ca=$(openssl x509 -in "$fx/pki/root.crt" -outform DER | b64)
key=$(openssl pkey -pubin -in "$fx/attest/p256.pub" -outform DER | b64)
subject=$(printf artifact | sha256sum | cut -d' ' -f1)
statement=$(printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"%s"}}],"predicateType":"x","predicate":{}}' "$subject" | b64)
printf '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":""}},"dsseEnvelope":{"payload":"%s","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MEUCIQ==","keyid":""}]}}' \
  "$statement" > "$out/sigstore_bundle/keyed-dsse.json"
body=$(printf '{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"%s"}},"signature":{"content":"MEUCIQ==","publicKey":{"content":"LS0t"}}}}' "$subject" | b64)
checkpoint='rekor.example - 1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 rekor.example AAAAAE1FVUNJUQ==\n'
printf '{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.2","verificationMaterial":{"x509CertificateChain":{"certificates":[{"rawBytes":"%s"}]},"tlogEntries":[{"logIndex":"0","logId":{"keyId":"AAAA"},"kindVersion":{"kind":"hashedrekord","version":"0.0.1"},"integratedTime":"1700000000","inclusionPromise":{"signedEntryTimestamp":"MEUCIQ=="},"inclusionProof":{"logIndex":"0","rootHash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","treeSize":"1","hashes":[],"checkpoint":{"envelope":"%s"}},"canonicalizedBody":"%s"}]},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"MEUCIQ=="}}' \
  "$leaf" "$checkpoint" "$body" > "$out/sigstore_bundle/keyless-message.json"
printf '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[{"baseUrl":"https://rekor.example","hashAlgorithm":"SHA2_256","publicKey":{"rawBytes":"%s","keyDetails":"PKIX_ECDSA_P256_SHA_256","validFor":{"start":"2020-01-01T00:00:00Z"}},"logId":{"keyId":"AAAA"}}],"certificateAuthorities":[{"uri":"https://ca.example","certChain":{"certificates":[{"rawBytes":"%s"}]},"validFor":{"start":"2020-01-01T00:00:00Z","end":"2099-01-01T00:00:00Z"}}],"ctlogs":[],"timestampAuthorities":[]}' \
  "$key" "$ca" > "$out/sigstore_trust_root/minimal.json"
ls -R "$out" | head -80

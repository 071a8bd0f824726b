#!/usr/bin/env python3
"""Verify an airgap-verify DSSE attestation with an independent implementation.

Usage: dsse_verify.py [--with securesystemslib|cryptography] ENVELOPE.json PUBLIC.pem

With securesystemslib (preferred when importable), its dsse.Envelope verifies the envelope with
an SSlibKey whose keyid is the lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo (the
keyid airgap-verify writes; securesystemslib only considers signatures whose keyid matches).
With only `cryptography`, this script computes the DSSE pre-authentication encoding itself and
verifies the signature with the algorithm fixed by the key type: ECDSA P-256/SHA-256 and
P-384/SHA-384 (DER), RSASSA-PSS/SHA-256 (any salt length), Ed25519.

Both modes also check the envelope's keyid, the payload type and that the payload is an in-toto
Statement v1. Exit status: 0 verified, 1 not verified, 77 the requested library is missing.
"""
import argparse
import base64
import hashlib
import json
import sys

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def b64decode_any(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


def pae(payload_type, body):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def spki_keyid(public_key):
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def verify_with_securesystemslib(envelope, public_key, keyid):
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey

    key = SSlibKey.from_crypto(public_key, keyid=keyid)
    env = Envelope.from_dict(json.loads(json.dumps(envelope)))
    env.verify([key], 1)
    return env.payload, "securesystemslib"


def verify_with_cryptography(envelope, public_key, keyid):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    body = b64decode_any(envelope["payload"])
    message = pae(envelope["payloadType"], body)
    for s in envelope["signatures"]:
        if s.get("keyid") != keyid:
            continue
        sig = b64decode_any(s["sig"])
        try:
            if isinstance(public_key, ec.EllipticCurvePublicKey):
                h = {256: hashes.SHA256(), 384: hashes.SHA384()}[public_key.curve.key_size]
                public_key.verify(sig, message, ec.ECDSA(h))
            elif isinstance(public_key, rsa.RSAPublicKey):
                pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
                public_key.verify(sig, message, pss, hashes.SHA256())
            elif isinstance(public_key, ed25519.Ed25519PublicKey):
                public_key.verify(sig, message)
            else:
                raise SystemExit("unsupported key type")
            return body, "cryptography"
        except Exception:  # noqa: BLE001 - any failure means "does not verify"
            continue
    raise ValueError("no signature with keyid %s verifies" % keyid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--with", dest="impl", choices=["securesystemslib", "cryptography"])
    ap.add_argument("envelope")
    ap.add_argument("public_key")
    a = ap.parse_args()
    impl = a.impl
    if impl is None:
        try:
            import securesystemslib  # noqa: F401

            impl = "securesystemslib"
        except ImportError:
            impl = "cryptography"
    try:
        __import__(impl)
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        print("skipped: %s is not installed" % impl)
        return 77
    with open(a.envelope, "rb") as f:
        envelope = json.load(f)
    with open(a.public_key, "rb") as f:
        public_key = serialization.load_pem_public_key(f.read())
    keyid = spki_keyid(public_key)
    verify = verify_with_securesystemslib if impl == "securesystemslib" else verify_with_cryptography
    try:
        body, by = verify(envelope, public_key, keyid)
        if envelope["payloadType"] != PAYLOAD_TYPE:
            raise ValueError("payloadType is %r" % envelope["payloadType"])
        statement = json.loads(body)
        if statement.get("_type") != "https://in-toto.io/Statement/v1":
            raise ValueError("not an in-toto Statement v1")
    except Exception as e:  # noqa: BLE001
        print("not verified: %s" % e)
        return 1
    print("verified by %s with keyid %s" % (by, keyid))
    return 0


if __name__ == "__main__":
    sys.exit(main())

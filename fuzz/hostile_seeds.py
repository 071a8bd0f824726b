#!/usr/bin/env python3
"""Hostile seeds for the bundle_stream, oci_graph and jws targets: case-folded member names, a
PAX path with a NUL byte, global PAX headers, oversized long-name records, data after the
end-of-archive marker, multi-frame zstd framing, a docker save manifest.json. Called by
make_seeds.sh with the signed fixture layout and the seeds folder."""
import base64, hashlib, io, json, os, sys

layout, out = sys.argv[1], sys.argv[2]


def header(name, kind, size, magic=b"ustar  \x00"):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\x00"
    h[108:116] = b"0000000\x00"
    h[116:124] = b"0000000\x00"
    h[124:136] = b"%011o\x00" % size
    h[136:148] = b"00000000000\x00"
    h[156:157] = kind
    h[257:265] = magic
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\x00 " % sum(h)
    return bytes(h)


def entry(name, data, kind=b"0"):
    pad = (-len(data)) % 512
    return header(name, kind, len(data)) + data + b"\x00" * pad


def pax(records):
    body = b""
    for k, v in records:
        rec = b" " + k + b"=" + v + b"\n"
        n = len(rec) + 1
        while len(str(n)) + len(rec) != n:
            n += 1
        body += str(n).encode() + rec
    return body


def layout_entries():
    files = [("oci-layout", "oci-layout"), ("index.json", "index.json")]
    for b in sorted(os.listdir(os.path.join(layout, "blobs", "sha256"))):
        files.append(("blobs/sha256/" + b, os.path.join("blobs", "sha256", b)))
    return [(n.encode(), open(os.path.join(layout, p), "rb").read()) for n, p in files]


END = b"\x00" * 1024


def tar(prefix=b"", entries=None, suffix=b""):
    body = b"".join(entry(n, d) for n, d in (entries or layout_entries()))
    return prefix + body + END + suffix


def write(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    open(os.path.join(out, target, name), "wb").write(data)


def zstd_raw_frame(data):
    # A zstd frame of raw blocks (no compression): magic, header with content size, blocks.
    frame = b"\x28\xb5\x2f\xfd" + bytes([0xE0]) + len(data).to_bytes(8, "little")
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for i, c in enumerate(chunks):
        last = 1 if i == len(chunks) - 1 else 0
        frame += ((len(c) << 3) | last).to_bytes(3, "little") + c
    return frame


blob = b"evil"
blob_name = b"blobs/sha256/" + hashlib.sha256(blob).hexdigest().encode()
write("bundle_stream", "pax-path-nul.tar",
      tar(entry(b"././@PaxHeader", pax([(b"path", blob_name + b"\x00.hidden")]), b"x") + entry(b"x", blob)))
write("bundle_stream", "pax-global-path.tar",
      tar(entry(b"pax_global_header", pax([(b"path", b"index.json")]), b"g")))
write("bundle_stream", "pax-global-comment.tar",
      tar(entry(b"pax_global_header", pax([(b"comment", b"0123456789")]), b"g")))
write("bundle_stream", "pax-size.tar",
      tar(entry(b"././@PaxHeader", pax([(b"size", b"0")]), b"x") + entry(b"notes.txt", b"hello")))
write("bundle_stream", "gnu-long-name.tar",
      tar(entry(b"././@LongLink", b"t" * 300 + b"/oci-layout\x00", b"L")))
write("bundle_stream", "gnu-long-name-oversized.tar",
      header(b"././@LongLink", b"L", 1 << 30) + b"a" * 4096)
write("bundle_stream", "after-end-of-archive.tar",
      tar(suffix=entry(b"index.json", b"{}") + END))
whole = tar()
write("bundle_stream", "multi-frame.tar.zst",
      b"\x50\x2a\x4d\x18\x04\x00\x00\x00abcd" + zstd_raw_frame(whole[:700]) + zstd_raw_frame(whole[700:]))
write("bundle_stream", "zstd-trailing-garbage.tar.zst", zstd_raw_frame(whole) + b"garbage")

index = open(os.path.join(layout, "index.json"), "rb").read()
folded = index.replace(b'"digest"', b'"Digest":"sha256:' + b"0" * 64 + b'","digest"', 1)
entries = [(n, folded if n == b"index.json" else d) for n, d in layout_entries()]
write("bundle_stream", "folded-index-key.tar", tar(entries=entries))
entries = [(n, index.replace(b'"size"', b'"\xc5\xbfize"', 1) if n == b"index.json" else d)
           for n, d in layout_entries()]
write("bundle_stream", "long-s-index-key.tar", tar(entries=entries))
# docker save: a manifest.json whose entry names blobs of the layout under another tag.
manifests = json.loads(index)["manifests"]
man = json.loads(open(os.path.join(layout, "blobs", "sha256", manifests[0]["digest"][7:]), "rb").read())
docker = json.dumps([{"Config": "blobs/sha256/" + man["config"]["digest"][7:],
                      "RepoTags": ["registry.example/other:v1"],
                      "Layers": ["blobs/sha256/" + l["digest"][7:] for l in man["layers"]]}]).encode()
write("bundle_stream", "docker-save.tar", tar(suffix=b"", entries=layout_entries() + [(b"manifest.json", docker)]))

# OCI graph pieces: index.json with folded keys, a manifest with a Kelvin-sign key, a docker
# save manifest.json as the last piece.
write("oci_graph", "folded-keys",
      b'{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@1","size":#1,"Digest":"@2","annotations":{"org.opencontainers.image.ref.name":"v1"}}]}'
      b'\n--\n{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"@2","size":#2},"layers":[],"\xe2\x84\xaaey":1}'
      b'\n--\n{}'
      b'\n--\n[{"Config":"@2","RepoTags":["registry.example/app:v1"],"Layers":[]}]')

# JWS: the signed fixture's envelope with a payload whose members fold to the descriptor's.
for b in sorted(os.listdir(os.path.join(layout, "blobs", "sha256"))):
    raw = open(os.path.join(layout, "blobs", "sha256", b), "rb").read()
    if raw.startswith(b"{") and b'"protected"' in raw:
        env = json.loads(raw)
        pad = lambda s: s + "=" * (-len(s) % 4)
        payload = json.loads(base64.urlsafe_b64decode(pad(env["payload"])))
        t = payload["targetArtifact"]
        t["Digest"] = "sha256:" + "0" * 64
        t["\u017fize"] = 1
        env["payload"] = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        write("jws", "folded-payload", json.dumps(env).encode())
        break

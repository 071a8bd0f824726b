//! Memory stays flat: a 300 MB tar streams with a peak RSS under 64 MiB. The test runs itself
//! again as a child process (so the peak belongs to the read alone) which reads the bundle and
//! prints `VmHWM` from /proc/self/status. Not timed.
#![cfg(test)]

use std::io::Write;
use std::process::Command;

use airgap_verify::bundle::{read_bundle, ProgressSink, Source};
use airgap_verify::limits::Limits;
use airgap_verify::oci::Graph;

const CHILD: &str = "AIRGAP_VERIFY_MEMORY_CHILD";
const LIMIT_KIB: u64 = 64 * 1024;

/// Peak resident set of this process, in KiB.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_300_mb_tar_streams_in_flat_memory() {
    if let Some(path) = std::env::var_os(CHILD) {
        let limits = Limits::default();
        let source = Source::Path(path.into());
        let bundle = read_bundle(&source, &limits, &ProgressSink::none()).unwrap();
        let graph = Graph::build(&bundle, &limits).unwrap();
        assert!(!graph.integrity().is_damaged());
        println!("VMHWM_KIB={}", vm_hwm_kib().unwrap_or(0));
        return;
    }
    if vm_hwm_kib().is_none() {
        airgap_verify_testkit::skip("/proc/self/status has no VmHWM");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.tar");
    write_big_tar(&path, 300 * 1000 * 1000);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_300_mb_tar_streams_in_flat_memory",
            "--nocapture",
        ])
        .env(CHILD, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kib: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("VMHWM_KIB="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    eprintln!("peak RSS while reading a 300 MB tar: {kib} KiB");
    assert!(kib > 0 && kib < LIMIT_KIB, "peak RSS {kib} KiB");
}

/// A layout tar with one image whose layers add up to `total` bytes, written (and hashed) in a
/// streaming way.
fn write_big_tar(path: &std::path::Path, total: u64) {
    use sha2::{Digest as _, Sha256};
    const LAYERS: u64 = 6;
    let size = total / LAYERS;
    let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
    let mut layers = Vec::new();
    for n in 0..LAYERS {
        let mut h = Sha256::new();
        std::io::copy(&mut Layer::new(n, size), &mut h).unwrap();
        let hex = hex::encode(h.finalize());
        let header = airgap_verify_testkit::bundles::raw_header(
            format!("blobs/sha256/{hex}").as_bytes(),
            tar::EntryType::Regular,
            size,
        );
        builder.append(&header, Layer::new(n, size)).unwrap();
        layers.push(format!(
            r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{hex}","size":{size}}}"#
        ));
    }
    let config = b"{}".to_vec();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2}},"layers":[{}]}}"#,
        airgap_verify_testkit::bundles::sha256(&config),
        layers.join(",")
    )
    .into_bytes();
    let index = airgap_verify_testkit::bundles::index_json(&[(
        "application/vnd.oci.image.manifest.v1+json",
        &manifest,
        r#"{"org.opencontainers.image.ref.name":"big"}"#,
    )]);
    for (name, data) in [
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".to_string(), index),
        (
            airgap_verify_testkit::bundles::blob_path(&config),
            config.clone(),
        ),
        (
            airgap_verify_testkit::bundles::blob_path(&manifest),
            manifest.clone(),
        ),
    ] {
        let h = airgap_verify_testkit::bundles::raw_header(
            name.as_bytes(),
            tar::EntryType::Regular,
            data.len() as u64,
        );
        builder.append(&h, data.as_slice()).unwrap();
    }
    builder.into_inner().unwrap().flush().unwrap();
}

const BLOCK: usize = 1 << 20;

/// Deterministic layer content: a 1 MiB block per layer, with the block number stamped into its
/// first 8 bytes, repeated.
struct Layer {
    base: Vec<u8>,
    left: u64,
    pos: u64,
}

impl Layer {
    fn new(n: u64, size: u64) -> Layer {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ n;
        let base = (0..BLOCK)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        Layer {
            base,
            left: size,
            pos: 0,
        }
    }
}

impl std::io::Read for Layer {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let offset = (self.pos % BLOCK as u64) as usize;
        let n = buf.len().min(BLOCK - offset).min(self.left as usize);
        buf[..n].copy_from_slice(&self.base[offset..offset + n]);
        let block = (self.pos / BLOCK as u64).to_le_bytes();
        if offset < 8 {
            let end = (offset + n).min(8);
            buf[..end - offset].copy_from_slice(&block[offset..end]);
        }
        self.pos += n as u64;
        self.left -= n as u64;
        Ok(n)
    }
}

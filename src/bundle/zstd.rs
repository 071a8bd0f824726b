//! A zstd stream read as `zstd -d` reads it: every frame in turn (a multi-frame stream is the
//! concatenation of its frames), skippable frames skipped, each frame's checksum checked, and
//! anything after the last frame that is not a frame an error.

use std::io::{self, BufRead, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// Whether `head` starts with a zstd frame or a skippable frame (magic `0x184D2A5?`).
pub(super) fn starts_zstd(head: &[u8]) -> bool {
    match head {
        [0x28, 0xb5, 0x2f, 0xfd, ..] => true,
        [b0, 0x2a, 0x4d, 0x18, ..] => b0 & 0xf0 == 0x50,
        _ => false,
    }
}

/// All frames of a zstd stream, decoded one after the other.
pub(super) struct Frames<R> {
    source: R,
    decoder: FrameDecoder,
    in_frame: bool,
    frames: u64,
}

impl<R: BufRead> Frames<R> {
    pub(super) fn new(source: R) -> Frames<R> {
        Frames {
            source,
            decoder: FrameDecoder::new(),
            in_frame: false,
            frames: 0,
        }
    }

    /// Start the next frame, skipping skippable ones. False at the end of the stream.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.source.fill_buf()?.is_empty() {
                if self.frames == 0 {
                    return Err(io::Error::other("not a valid zstd stream: it has no frame"));
                }
                return Ok(false);
            }
            match self.decoder.reset(&mut self.source) {
                Ok(()) => {
                    self.frames += 1;
                    self.in_frame = true;
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped = io::copy(
                        &mut (&mut self.source).take(u64::from(length)),
                        &mut io::sink(),
                    )?;
                    if skipped != u64::from(length) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "a skippable zstd frame is truncated",
                        ));
                    }
                }
                Err(e) if self.frames == 0 => {
                    return Err(io::Error::other(format!("not a valid zstd stream: {e}")))
                }
                Err(e) => {
                    return Err(io::Error::other(format!(
                        "data after zstd frame {} is not a zstd frame ({e}); `zstd -d` fails on it",
                        self.frames
                    )))
                }
            }
        }
    }

    /// The frame just decoded is finished: its checksum, when it has one, must match.
    fn end_frame(&mut self) -> io::Result<()> {
        self.in_frame = false;
        match (
            self.decoder.get_checksum_from_data(),
            self.decoder.get_calculated_checksum(),
        ) {
            (Some(stored), Some(computed)) if stored != computed => Err(io::Error::other(format!(
                "zstd frame {} fails its content checksum",
                self.frames
            ))),
            _ => Ok(()),
        }
    }
}

impl<R: BufRead> Read for Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.in_frame {
                while self.decoder.can_collect() == 0 && !self.decoder.is_finished() {
                    self.decoder
                        .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                        .map_err(|e| io::Error::other(format!("corrupt zstd stream: {e}")))?;
                }
                if self.decoder.can_collect() > 0 {
                    let n = self.decoder.read(buf)?;
                    if n > 0 {
                        return Ok(n);
                    }
                }
                self.end_frame()?;
            }
            if !self.next_frame()? {
                return Ok(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(data: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Frames::new(data).read_to_end(&mut out)?;
        Ok(out)
    }

    fn frame(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    #[test]
    fn frames_are_concatenated_and_skippable_frames_skipped() {
        let mut s = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        s.extend(frame(b"hello "));
        s.extend([0x5f, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
        s.extend(frame(b"world"));
        assert!(starts_zstd(&s));
        assert_eq!(decode(&s).unwrap(), b"hello world");
    }

    #[test]
    fn garbage_after_the_last_frame_fails() {
        let mut s = frame(b"hello");
        s.extend(b"garbage!");
        let e = decode(&s).unwrap_err().to_string();
        assert!(e.contains("after zstd frame 1"), "{e}");
        assert!(decode(b"").is_err());
    }
}

//! A reader running on its own thread: it fills fixed buffers from a source (a file, standard
//! input, or a gzip / zstd decoder over one) and hands them over a bounded channel, so reading
//! and inflating overlap with tar parsing and hashing on the calling thread. Memory is flat:
//! [`BUFFERS`] buffers of [`CHUNK`] bytes, recycled.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Size of each buffer handed from the reading thread to the hashing thread.
pub(super) const CHUNK: usize = 1024 * 1024;
/// Number of buffers in flight.
pub(super) const BUFFERS: usize = 4;

enum Msg {
    Data(Vec<u8>),
    End,
    Failed(io::Error),
}

/// The consuming end: an ordinary [`Read`].
pub(super) struct PipeReader {
    rx: Receiver<Msg>,
    free: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    ended: bool,
}

/// Start a thread that builds a reader with `open` (so decoders live on that thread) and pumps
/// it into the returned [`PipeReader`]. The thread ends when the source ends, fails, or the
/// reader is dropped.
pub(super) fn spawn<F>(open: F) -> io::Result<PipeReader>
where
    F: FnOnce() -> io::Result<Box<dyn Read>> + Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel::<Msg>(BUFFERS);
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS + 1);
    for _ in 0..BUFFERS {
        free_tx
            .send(vec![0; CHUNK])
            .map_err(|_| io::Error::other("buffer channel closed"))?;
    }
    std::thread::Builder::new()
        .name("bundle-reader".into())
        .spawn(move || pump(open, &tx, &free_rx))?;
    Ok(PipeReader {
        rx,
        free: free_tx,
        current: Vec::new(),
        pos: 0,
        ended: false,
    })
}

fn pump<F>(open: F, tx: &SyncSender<Msg>, free: &Receiver<Vec<u8>>)
where
    F: FnOnce() -> io::Result<Box<dyn Read>>,
{
    let mut source = match open() {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Msg::Failed(e));
            return;
        }
    };
    while let Ok(mut buf) = free.recv() {
        buf.resize(CHUNK, 0);
        let mut filled = 0;
        while filled < buf.len() {
            let Some(space) = buf.get_mut(filled..) else {
                break;
            };
            match source.read(space) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = tx.send(Msg::Failed(e));
                    return;
                }
            }
        }
        buf.truncate(filled);
        let end = filled == 0;
        let msg = if end { Msg::End } else { Msg::Data(buf) };
        if tx.send(msg).is_err() || end {
            return;
        }
    }
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(rest) = self.current.get(self.pos..) {
                if !rest.is_empty() {
                    let n = rest.len().min(out.len());
                    if let (Some(dst), Some(src)) = (out.get_mut(..n), rest.get(..n)) {
                        dst.copy_from_slice(src);
                    }
                    self.pos += n;
                    return Ok(n);
                }
            }
            if self.ended {
                return Ok(0);
            }
            let used = std::mem::take(&mut self.current);
            if used.capacity() > 0 {
                let _ = self.free.try_send(used);
            }
            self.pos = 0;
            match self.rx.recv() {
                Ok(Msg::Data(buf)) => self.current = buf,
                Ok(Msg::End) => self.ended = true,
                Ok(Msg::Failed(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                Err(_) => {
                    self.ended = true;
                    return Err(io::Error::other("the reading thread stopped unexpectedly"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_delivers_every_byte_in_order() {
        let data: Vec<u8> = (0..(3 * CHUNK + 123)).map(|i| (i % 251) as u8).collect();
        let copy = data.clone();
        let mut r = spawn(move || Ok(Box::new(io::Cursor::new(copy)) as Box<dyn Read>)).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn pipe_passes_errors_on() {
        let mut r = spawn(|| Err(io::Error::other("boom"))).unwrap();
        let mut out = Vec::new();
        let e = r.read_to_end(&mut out).unwrap_err();
        assert!(e.to_string().contains("boom"));
    }
}

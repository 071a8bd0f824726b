//! Hashing archive entries on every core. The tar thread reads each entry into recycled buffers
//! and hands them, in order, to one hasher of a pool; hashers work on different entries at the
//! same time, so entry k is hashed while entry k+1 is read and hashed on another core. At most
//! `4 × hashers + 2` buffers of [`CHUNK`] bytes exist, whatever the archive holds, so memory stays
//! flat; a single huge entry streams through one hasher while the tar thread reads on.

use std::io::{self, Read};
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::Scope;

use super::{EntryHasher, Keep};
use crate::digest::{Algorithm, Digest};

/// Size of each buffer handed from the tar thread to a hasher.
pub(super) const CHUNK: usize = 256 * 1024;
/// Most hashing threads, whatever the number of cores.
const MAX_HASHERS: usize = 8;

/// A filled buffer: its first `len` bytes are the entry's next bytes.
struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

/// One entry to hash: how, and where its chunks arrive (closed at the entry's end).
struct Job {
    id: usize,
    algorithm: Algorithm,
    keep_up_to: Option<u64>,
    documents: bool,
    data: Receiver<Chunk>,
}

/// One entry hashed: the digest, the bytes hashed and the content when kept.
pub(super) struct Hashed {
    pub id: usize,
    pub digest: Digest,
    pub size: u64,
    pub content: Option<Vec<u8>>,
}

/// The tar thread's end of the pool. Dropping it stops the hashers once their entries end.
pub(super) struct Pool {
    jobs: SyncSender<Job>,
    results: Receiver<Hashed>,
    free: Receiver<Vec<u8>>,
    spare: Option<Vec<u8>>,
    allocated: usize,
    buffers: usize,
    next_id: usize,
    outstanding: usize,
}

fn stopped() -> io::Error {
    io::Error::other("a hashing thread stopped unexpectedly")
}

impl Pool {
    /// Start one hasher per core (at most [`MAX_HASHERS`]) in `scope`; `budget` is the shared
    /// budget of [`Keep::Documents`].
    pub(super) fn start<'scope, 'env>(
        scope: &'scope Scope<'scope, 'env>,
        budget: &'env AtomicU64,
    ) -> Pool {
        let hashers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_HASHERS);
        Pool::with_hashers(scope, budget, hashers)
    }

    fn with_hashers<'scope, 'env>(
        scope: &'scope Scope<'scope, 'env>,
        budget: &'env AtomicU64,
        hashers: usize,
    ) -> Pool {
        let buffers = 4 * hashers + 2;
        let (jobs, jobs_rx) = mpsc::sync_channel::<Job>(buffers);
        let jobs_rx = Arc::new(Mutex::new(jobs_rx));
        let (results_tx, results) = mpsc::channel::<Hashed>();
        let (recycle, free) = mpsc::sync_channel::<Vec<u8>>(buffers);
        for n in 0..hashers {
            let (jobs_rx, results_tx, recycle) =
                (jobs_rx.clone(), results_tx.clone(), recycle.clone());
            // Should a thread fail to start, the others (or the last error) carry on.
            let _ = std::thread::Builder::new()
                .name(format!("bundle-hasher-{n}"))
                .spawn_scoped(scope, move || work(&jobs_rx, &results_tx, &recycle, budget));
        }
        Pool {
            jobs,
            results,
            free,
            spare: None,
            allocated: 0,
            buffers,
            next_id: 0,
            outstanding: 0,
        }
    }

    /// Hash all that `reader` yields as one entry, keeping up to `keep_up_to` bytes of it
    /// (`documents`: as [`Keep::Documents`], else [`Keep::All`]). Returns the entry's id (its
    /// [`Hashed`] comes from [`Pool::next`]) and the bytes read.
    pub(super) fn hash(
        &mut self,
        reader: &mut dyn Read,
        algorithm: Algorithm,
        keep_up_to: Option<u64>,
        documents: bool,
    ) -> io::Result<(usize, u64)> {
        let id = self.next_id;
        self.next_id += 1;
        let (tx, data) = mpsc::sync_channel::<Chunk>(self.buffers);
        self.jobs
            .send(Job {
                id,
                algorithm,
                keep_up_to,
                documents,
                data,
            })
            .map_err(|_| stopped())?;
        self.outstanding += 1;
        let mut total = 0u64;
        loop {
            let mut buf = self.buffer()?;
            let len = match fill(reader, &mut buf) {
                Ok(len) => len,
                Err(e) => {
                    self.spare = Some(buf);
                    return Err(e);
                }
            };
            if len == 0 {
                self.spare = Some(buf);
                break;
            }
            total += len as u64;
            tx.send(Chunk { buf, len }).map_err(|_| stopped())?;
            if len < CHUNK {
                break;
            }
        }
        Ok((id, total))
    }

    /// A free buffer of [`CHUNK`] bytes: a recycled one, a new one while fewer than the bound
    /// exist, else the next one a hasher gives back.
    fn buffer(&mut self) -> io::Result<Vec<u8>> {
        if let Some(buf) = self.spare.take() {
            return Ok(buf);
        }
        match self.free.try_recv() {
            Ok(buf) => return Ok(buf),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => {}
        }
        if self.allocated < self.buffers {
            self.allocated += 1;
            return Ok(vec![0; CHUNK]);
        }
        self.free.recv().map_err(|_| stopped())
    }

    /// The next entry hashed: waiting for it when `wait`, else only if one is ready. `None`
    /// when no entry is outstanding (or, without `wait`, none is ready).
    pub(super) fn next(&mut self, wait: bool) -> io::Result<Option<Hashed>> {
        if self.outstanding == 0 {
            return Ok(None);
        }
        let hashed = if wait {
            Some(self.results.recv().map_err(|_| stopped())?)
        } else {
            match self.results.try_recv() {
                Ok(h) => Some(h),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => return Err(stopped()),
            }
        };
        if hashed.is_some() {
            self.outstanding -= 1;
        }
        Ok(hashed)
    }
}

/// A hasher: takes the next entry, hashes its chunks in order as they come, gives each buffer
/// back, and sends the result; ends when the pool is dropped.
fn work(
    jobs: &Mutex<Receiver<Job>>,
    results: &Sender<Hashed>,
    recycle: &SyncSender<Vec<u8>>,
    budget: &AtomicU64,
) {
    loop {
        let next = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else {
            return;
        };
        let keep = if job.documents {
            Keep::Documents(budget)
        } else {
            Keep::All
        };
        let mut hashing = EntryHasher::new(job.algorithm, job.keep_up_to, keep);
        for chunk in job.data.iter() {
            hashing.update(chunk.buf.get(..chunk.len).unwrap_or_default());
            // Never blocks: the channel holds as many buffers as exist.
            let _ = recycle.try_send(chunk.buf);
        }
        let (digest, size, content) = hashing.finish();
        let hashed = Hashed {
            id: job.id,
            digest,
            size,
            content,
        };
        if results.send(hashed).is_err() {
            return;
        }
    }
}

/// Read into `buf` until it is full or the reader ends; the bytes read.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(space) = buf.get_mut(filled..).filter(|s| !s.is_empty()) {
        match reader.read(space) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that yields its data a few bytes at a time.
    struct Dribble<'a>(&'a [u8]);

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(out.len()).min(7_777);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn entries_hash_in_order_on_several_hashers_within_the_buffer_bound() {
        let entries: Vec<Vec<u8>> = (0..40usize)
            .map(|i| {
                let len = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17][i % 6];
                (0..len).map(|j| (j * 31 + i) as u8).collect()
            })
            .collect();
        let budget = AtomicU64::new(0);
        let mut got = std::collections::BTreeMap::new();
        let allocated = std::thread::scope(|scope| {
            let mut pool = Pool::with_hashers(scope, &budget, 3);
            for data in &entries {
                let (id, read) = pool
                    .hash(&mut Dribble(data), Algorithm::Sha256, Some(1 << 30), false)
                    .unwrap();
                assert_eq!(read, data.len() as u64);
                while let Some(h) = pool.next(false).unwrap() {
                    got.insert(h.id, h);
                }
                assert!(id < entries.len());
            }
            while let Some(h) = pool.next(true).unwrap() {
                got.insert(h.id, h);
            }
            pool.allocated
        });
        assert!(allocated <= 4 * 3 + 2, "{allocated} buffers");
        assert_eq!(got.len(), entries.len());
        for (i, data) in entries.iter().enumerate() {
            let h = &got[&i];
            assert_eq!(h.digest, Algorithm::Sha256.digest(data), "entry {i}");
            assert_eq!(h.size, data.len() as u64);
            assert_eq!(h.content.as_deref(), Some(&data[..]));
        }
    }

    #[test]
    fn a_read_error_ends_the_entry_and_the_pool_stops() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("boom"))
            }
        }
        let budget = AtomicU64::new(0);
        std::thread::scope(|scope| {
            let mut pool = Pool::with_hashers(scope, &budget, 2);
            let e = pool
                .hash(&mut Broken, Algorithm::Sha256, None, true)
                .unwrap_err();
            assert!(e.to_string().contains("boom"));
        });
    }
}

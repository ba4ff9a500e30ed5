//! Bytes of one file or one zip member, read forward from the start: a
//! plain file or a stored member seeks, a deflated member inflates
//! (flate2's pure-Rust backend) and skips by discarding. Nothing is read
//! that the caller does not ask for.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

/// Where the bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A whole file on disk.
    File(PathBuf),
    /// A stored (uncompressed) zip member: `len` bytes at `start`.
    Stored {
        /// The archive.
        archive: PathBuf,
        /// Where the member's data starts.
        start: u64,
        /// Its length.
        len: u64,
    },
    /// A deflated zip member: `compressed` bytes at `start`.
    Deflated {
        /// The archive.
        archive: PathBuf,
        /// Where the member's data starts.
        start: u64,
        /// Its compressed length.
        compressed: u64,
    },
}

/// A forward-only reader that can skip.
pub trait Stream: Read {
    /// Skip `n` bytes; returns how many were skipped (fewer at the end).
    fn skip(&mut self, n: u64) -> io::Result<u64>;
}

struct Seeking {
    file: io::Take<File>,
}

impl Read for Seeking {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Stream for Seeking {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let n = n.min(self.file.limit());
        self.file.get_mut().seek(SeekFrom::Current(n as i64))?;
        self.file.set_limit(self.file.limit() - n);
        Ok(n)
    }
}

struct Inflating {
    inner: flate2::read::DeflateDecoder<io::Take<BufReader<File>>>,
}

impl Read for Inflating {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Stream for Inflating {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.inner).take(n), &mut io::sink())
    }
}

impl Source {
    /// Open at offset 0.
    pub fn open(&self) -> io::Result<Box<dyn Stream>> {
        match self {
            Source::File(p) => {
                let f = File::open(p)?;
                let len = f.metadata()?.len();
                Ok(Box::new(Seeking { file: f.take(len) }))
            }
            Source::Stored {
                archive,
                start,
                len,
            } => {
                let mut f = File::open(archive)?;
                f.seek(SeekFrom::Start(*start))?;
                Ok(Box::new(Seeking { file: f.take(*len) }))
            }
            Source::Deflated {
                archive,
                start,
                compressed,
            } => {
                let mut f = File::open(archive)?;
                f.seek(SeekFrom::Start(*start))?;
                let raw = BufReader::with_capacity(256 * 1024, f).take(*compressed);
                Ok(Box::new(Inflating {
                    inner: flate2::read::DeflateDecoder::new(raw),
                }))
            }
        }
    }
}

/// Read until `buf` holds `want` bytes or the stream ends.
pub fn read_up_to(r: &mut dyn Stream, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
    let need = want.saturating_sub(buf.len());
    r.take(need as u64).read_to_end(buf)?;
    Ok(())
}

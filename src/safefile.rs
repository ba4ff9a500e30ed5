//! Files are what they claim to be: the policy files, requirement files and
//! the audit log are opened without blocking and without following into a
//! device, a FIFO, a socket or a pseudo file system (`/proc`, `/sys`), and
//! read with a size cap.
//!
//! How: `open(2)` with `O_NONBLOCK | O_NOCTTY` (a FIFO without a writer
//! opens at once instead of hanging; a terminal never becomes the
//! controlling one), then `fstat(2)` on the open descriptor — never on the
//! path, so a swapped file cannot slip in between — must say "regular
//! file", and `fstatfs(2)` must not name procfs, sysfs or a kernel
//! interface file system (their files look regular but are generated:
//! `/proc/self/environ` holds the environment). Reads stop at the cap plus
//! one byte, whatever the metadata says.
//!
//! Errors carry no file content: callers quote at most one offending line,
//! cut with [`quote_line`].

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was refused or could not be read.
#[derive(Debug)]
pub enum FileError {
    /// No such file.
    NotFound,
    /// Not a regular file: what it is instead (`a directory`, `a FIFO`, …).
    NotRegular(&'static str),
    /// A regular-looking file on a pseudo file system (`/proc`, `/sys`, …).
    Pseudo(&'static str),
    /// A symbolic link where none is followed (the audit log).
    Symlink,
    /// Larger than the cap: (size seen, cap).
    TooLarge(u64, u64),
    /// Any other I/O failure.
    Io(io::Error),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound => f.write_str("no such file"),
            FileError::NotRegular(what) => {
                write!(f, "it is {what}, not a regular file: refused")
            }
            FileError::Pseudo(fs) => write!(
                f,
                "it is on {fs}, a kernel pseudo file system, not a regular file: refused"
            ),
            FileError::Symlink => f.write_str("it is a symbolic link, which is not followed"),
            FileError::TooLarge(n, cap) => write!(
                f,
                "the file is {} bytes; pip-guard refuses files over {}",
                if *n > *cap {
                    n.to_string()
                } else {
                    format!("over {cap}")
                },
                human(*cap)
            ),
            FileError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FileError {}

fn human(n: u64) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

impl From<io::Error> for FileError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => FileError::NotFound,
            io::ErrorKind::IsADirectory => FileError::NotRegular("a directory"),
            _ => match e.raw_os_error() {
                #[cfg(unix)]
                Some(libc::ELOOP) => FileError::Symlink,
                #[cfg(unix)]
                Some(libc::ENXIO) => FileError::NotRegular("a FIFO or socket with no peer"),
                _ => FileError::Io(e),
            },
        }
    }
}

/// What a non-regular file type is, for messages.
#[cfg(unix)]
fn kind_of(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_of(ft: std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The pseudo file system `file` lives on, if any.
#[cfg(target_os = "linux")]
fn pseudo_fs(file: &File) -> Option<&'static str> {
    use std::os::fd::AsRawFd;
    // SAFETY: `statfs` is plain data; zeroed is a valid value for it.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is open for the lifetime of `file` and `st` is
    // a valid, writable statfs.
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut st) } != 0 {
        return None;
    }
    // The magic numbers of linux/magic.h (f_type's width differs by arch).
    #[allow(clippy::unnecessary_cast)]
    match st.f_type as i64 {
        0x9fa0 => Some("procfs (/proc)"),
        0x6265_6572 => Some("sysfs (/sys)"),
        0x6462_6720 => Some("debugfs"),
        0x7472_6163 => Some("tracefs"),
        0x7363_6673 => Some("securityfs"),
        0x0027_e0eb | 0x6367_7270 => Some("cgroupfs"),
        0x6265_6570 => Some("configfs"),
        0xde5e_81e4 => Some("efivarfs"),
        0xcafe_4a11 => Some("bpffs"),
        _ => None,
    }
}

#[cfg(not(target_os = "linux"))]
fn pseudo_fs(_file: &File) -> Option<&'static str> {
    None
}

/// Check that an open file is a regular file on a real file system.
pub fn check_regular(file: &File) -> Result<std::fs::Metadata, FileError> {
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(FileError::NotRegular(kind_of(meta.file_type())));
    }
    if let Some(fs) = pseudo_fs(file) {
        return Err(FileError::Pseudo(fs));
    }
    Ok(meta)
}

/// Open `path` for reading: non-blocking, never a controlling terminal,
/// and only if it is a regular file on a real file system. Symbolic links
/// are followed (to a regular file only).
pub fn open_regular(path: &Path) -> Result<(File, std::fs::Metadata), FileError> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK | libc::O_NOCTTY);
    let file = opts.open(path)?;
    let meta = check_regular(&file)?;
    Ok((file, meta))
}

/// The bytes of the regular file `path`, at most `cap` of them.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > cap {
        return Err(FileError::TooLarge(meta.len(), cap));
    }
    // Never trust the size from metadata (a growing file): read at most
    // one byte past the cap.
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(FileError::TooLarge(buf.len() as u64, cap));
    }
    Ok(buf)
}

/// How many characters of a quoted line an error shows.
pub const QUOTE_MAX: usize = 200;

/// One line of file text as an error may quote it: cut to [`QUOTE_MAX`]
/// characters (with `…`) and escaped by [`crate::escape::terminal`] (control,
/// DEL, C1, bidi and invisible format characters shown visibly, never raw).
pub fn quote_line(line: &str) -> String {
    let cut: String = line.chars().take(QUOTE_MAX).collect();
    let more = if line.chars().nth(QUOTE_MAX).is_some() {
        "…"
    } else {
        ""
    };
    format!("{}{more}", crate::escape::terminal(&cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_fifos_dirs_and_proc() {
        let dir = tempfile::tempdir().expect("test setup");
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 1024),
            Err(FileError::NotRegular(_))
        ));
        assert!(matches!(
            read_regular(dir.path(), 1024),
            Err(FileError::NotRegular("a directory"))
        ));
        #[cfg(target_os = "linux")]
        assert!(matches!(
            read_regular(Path::new("/proc/self/environ"), 1 << 20),
            Err(FileError::Pseudo(_))
        ));
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("test setup");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_regular(&fifo, 1024),
            Err(FileError::NotRegular(_))
        ));
        let f = dir.path().join("f");
        std::fs::write(&f, "abc").expect("test setup");
        assert_eq!(read_regular(&f, 3).expect("regular"), b"abc");
        assert!(matches!(
            read_regular(&f, 2),
            Err(FileError::TooLarge(3, 2))
        ));
        assert!(matches!(
            read_regular(&dir.path().join("nope"), 2),
            Err(FileError::NotFound)
        ));
    }

    #[test]
    fn quoted_lines_are_cut_and_escaped() {
        let q = quote_line("a\u{1b}[2Jb\u{202e}");
        assert!(!q.contains('\u{1b}') && !q.contains('\u{202e}'), "{q}");
        let long = "x".repeat(5000);
        let q = quote_line(&long);
        assert_eq!(q.chars().count(), QUOTE_MAX + 1);
        assert!(q.ends_with('…'));
    }
}

//! The file-system view the requirement readers need, so parsing stays
//! testable and fuzzable: [`RealFs`] for the program, [`MemFs`] for tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Files larger than this are refused (16 MiB). A real requirements file is
/// a few kilobytes; the cap keeps a stray multi-gigabyte file from eating
/// memory and time.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// No such file.
    NotFound,
    /// Larger than [`MAX_FILE_SIZE`].
    TooLarge(u64),
    /// A directory, not a file.
    IsDir,
    /// Any other I/O failure, as text.
    Other(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::TooLarge(n) => write!(
                f,
                "the file is {n} bytes; pip-guard refuses files over {} MiB",
                MAX_FILE_SIZE / (1024 * 1024)
            ),
            ReadError::IsDir => f.write_str("it is a directory"),
            ReadError::Other(e) => f.write_str(e),
        }
    }
}

/// Read access to files and the two existence checks pip makes.
pub trait Fs {
    /// The bytes of a file (at most [`MAX_FILE_SIZE`]).
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError>;
    /// `os.path.isdir`.
    fn is_dir(&self, path: &Path) -> bool;
    /// `os.path.isfile`.
    fn is_file(&self, path: &Path) -> bool;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

impl Fs for RealFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        // Regular files only, opened without blocking (a FIFO, a device or
        // /proc is refused at once), at most MAX_FILE_SIZE bytes.
        use crate::safefile::{read_regular, FileError};
        read_regular(path, MAX_FILE_SIZE).map_err(|e| match e {
            FileError::NotFound => ReadError::NotFound,
            FileError::NotRegular("a directory") => ReadError::IsDir,
            FileError::TooLarge(n, _) => ReadError::TooLarge(n),
            other => ReadError::Other(other.to_string()),
        })
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// An in-memory file system (absolute, lexically normalized paths).
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
    dirs: BTreeSet<PathBuf>,
}

impl MemFs {
    /// An empty file system.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add a file (and its parent directories).
    pub fn add(&mut self, path: impl AsRef<Path>, data: impl Into<Vec<u8>>) -> &mut Self {
        let path = normpath(path.as_ref());
        let mut p = path.parent();
        while let Some(d) = p {
            self.dirs.insert(d.to_path_buf());
            p = d.parent();
        }
        self.files.insert(path, data.into());
        self
    }
    /// Add an empty directory.
    pub fn add_dir(&mut self, path: impl AsRef<Path>) -> &mut Self {
        let path = normpath(path.as_ref());
        let mut p = Some(path.as_path());
        while let Some(d) = p {
            self.dirs.insert(d.to_path_buf());
            p = d.parent();
        }
        self
    }
}

impl Fs for MemFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let path = normpath(path);
        if self.dirs.contains(&path) {
            return Err(ReadError::IsDir);
        }
        match self.files.get(&path) {
            Some(d) if d.len() as u64 > MAX_FILE_SIZE => Err(ReadError::TooLarge(d.len() as u64)),
            Some(d) => Ok(d.clone()),
            None => Err(ReadError::NotFound),
        }
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains(&normpath(path))
    }
    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normpath(path))
    }
}

/// Python's `os.path.normpath` (POSIX): collapse `.`, `..` and repeated
/// separators lexically. `..` at the root stays at the root.
pub fn normpath(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    let mut depth = 0usize; // components that `..` may pop
    let absolute = path.has_root();
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                if depth > 0 {
                    out.pop();
                    depth -= 1;
                } else if !absolute {
                    out.push("..");
                }
            }
            Component::Normal(n) => {
                out.push(n);
                depth += 1;
            }
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Python's `os.path.normpath(os.path.abspath(path))` against `cwd`.
pub fn abspath(path: &Path, cwd: &Path) -> PathBuf {
    normpath(&cwd.join(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(
            normpath(Path::new("/a/./b/../c//d/")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normpath(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(normpath(Path::new("a/../..")), PathBuf::from(".."));
        assert_eq!(normpath(Path::new("")), PathBuf::from("."));
    }

    #[test]
    fn memfs() {
        let mut fs = MemFs::new();
        fs.add("/w/a/r.txt", "x");
        assert!(fs.is_dir(Path::new("/w/a")));
        assert!(fs.is_file(Path::new("/w/a/../a/r.txt")));
        assert_eq!(fs.read(Path::new("/w/a")), Err(ReadError::IsDir));
        assert_eq!(fs.read(Path::new("/w/b")), Err(ReadError::NotFound));
    }
}

//! File-system helpers for the index caches: where they live, atomic
//! replacement (temp file in the same directory, fsync, rename, fsync the
//! directory) and an advisory lock so that two updates never interleave.

use super::environment::Environment;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// pip-guard's cache directory: `$PIP_GUARD_CACHE_DIR` if set, else the
/// XDG cache dir (`$XDG_CACHE_HOME/pip-guard`, `~/.cache/pip-guard`).
pub fn cache_dir(env: &Environment) -> Option<PathBuf> {
    env.cache_dir.clone()
}

/// The directory of the nixpkgs index caches (`<cache dir>/index`).
pub fn index_dir(env: &Environment) -> Option<PathBuf> {
    cache_dir(env).map(|d| d.join("index"))
}

/// Replace `path` with `bytes` atomically: readers see the old file or
/// the new one, never a mix; a crash leaves at most a stray temp file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".pip-guard-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive advisory lock, released on drop.
#[derive(Debug)]
pub struct Lock {
    file: File,
}

impl Lock {
    /// Take the lock file `path` (created if needed), waiting for any other
    /// holder.
    pub fn acquire(path: &Path) -> io::Result<Lock> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        File::lock(&file)?;
        Ok(Lock { file })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = File::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("test setup");
        let p = dir.path().join("sub/file");
        atomic_write(&p, b"one").expect("test setup");
        atomic_write(&p, b"two").expect("test setup");
        assert_eq!(fs::read(&p).expect("test setup"), b"two");
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .expect("test setup")
            .map(|e| e.expect("test setup").file_name())
            .collect();
        assert_eq!(names, ["file"]);
    }

    #[test]
    fn lock_excludes_a_second_holder() {
        let dir = tempfile::tempdir().expect("test setup");
        let p = dir.path().join("l");
        let held = Lock::acquire(&p).expect("test setup");
        let other = File::open(&p).expect("test setup");
        assert!(File::try_lock(&other).is_err());
        drop(held);
        assert!(File::try_lock(&other).is_ok());
    }
}

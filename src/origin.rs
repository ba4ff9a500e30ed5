//! Where a requirement (or an error) came from.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The place a requirement was written: a file line, or an install argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// 1-based first physical line of a logical line in a file. `file` is
    /// the path as displayed to the user (relative to the cwd when inside it),
    /// shared by every line of the file.
    File { file: Arc<Path>, line: usize },
    /// 0-based index among the install arguments (after the `install` word).
    Arg(usize),
}

impl Origin {
    /// A file origin, displayed relative to `cwd` when the path is inside it.
    pub fn file(path: &Path, line: usize, cwd: &Path) -> Origin {
        Origin::File {
            file: display_path(path, cwd).into(),
            line,
        }
    }

    /// Line `line` of a file whose displayed path (see [`display_path`])
    /// is already made: the lines of one file share it.
    pub fn line_of(file: &Arc<Path>, line: usize) -> Origin {
        Origin::File {
            file: Arc::clone(file),
            line,
        }
    }
}

/// `path` relative to `cwd` when it is inside, else as given.
pub fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { file, line } => match file.to_str() {
                // The same text as `display()` gives, without its lossy decoding.
                Some(s) => write!(f, "{s}:{line}"),
                None => write!(f, "{}:{line}", file.display()),
            },
            Origin::Arg(i) => write!(f, "argument {}", i + 1),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(if matches!(self, Origin::File { .. }) {
            2
        } else {
            1
        }))?;
        match self {
            Origin::File { file, line } => {
                m.serialize_entry("file", &file.to_string_lossy())?;
                m.serialize_entry("line", line)?;
            }
            Origin::Arg(i) => m.serialize_entry("arg", i)?,
        }
        m.end()
    }
}

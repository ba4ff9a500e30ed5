//! One wheel file: its member list (from the zip's central directory) and
//! the dynamic-linking facts of each ELF member (`*.so`, `*.so.N…`), read
//! member by member through [`super::elf`] without unpacking anything.

use super::elf::{self, ElfError, ElfInfo, Limits};
use super::stream::Source;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use zip::CompressionMethod;

/// At most this many members are listed.
pub const MAX_MEMBERS: usize = 500_000;
/// At most this many shared objects are read.
pub const MAX_OBJECTS: usize = 20_000;

/// What a wheel holds that matters to the loader.
#[derive(Debug, Clone, Default)]
pub struct WheelScan {
    /// Every file member's path (as in the zip, `/`-separated).
    pub members: BTreeSet<String>,
    /// Each shared object: its member path and what was read.
    pub objects: Vec<(String, Result<ElfInfo, ElfError>)>,
}

/// Why a wheel could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelError {
    /// The wheel.
    pub file: PathBuf,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for WheelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.what)
    }
}

/// Whether a member's name is a shared object (`x.so`, `libx.so.1.2`).
pub fn is_shared_object(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    !name.ends_with('/')
        && (base.ends_with(".so") || base.contains(".so."))
        && !base.starts_with('.')
}

/// Read `path` (a wheel) within `limits`.
pub fn scan(path: &Path, limits: &Limits) -> Result<WheelScan, WheelError> {
    let err = |what: String| WheelError {
        file: path.to_path_buf(),
        what,
    };
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot open it: {e}")))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| {
        err(format!(
            "not a readable zip archive (a wheel is a zip): {e}"
        ))
    })?;
    if zip.len() > MAX_MEMBERS {
        return Err(err(format!(
            "{} members (pip-guard reads at most {MAX_MEMBERS})",
            zip.len()
        )));
    }
    let mut out = WheelScan::default();
    let mut objects = Vec::new();
    for i in 0..zip.len() {
        let Some(Ok(name)) = zip.name_for_index(i) else {
            continue;
        };
        let name = name.into_owned();
        if name.ends_with('/') {
            continue;
        }
        if is_shared_object(&name) {
            objects.push((i, name.clone()));
        }
        out.members.insert(name);
    }
    if objects.len() > MAX_OBJECTS {
        return Err(err(format!(
            "{} shared objects (pip-guard reads at most {MAX_OBJECTS})",
            objects.len()
        )));
    }
    for (i, name) in objects {
        let src = match zip.by_index_raw(i) {
            Err(e) => Err(ElfError::Io(format!("zip member: {e}"))),
            Ok(m) => match (m.data_start(), m.compression()) {
                (None, _) => Err(ElfError::Io("zip member without a data offset".into())),
                (Some(start), CompressionMethod::Stored) => Ok(Source::Stored {
                    archive: path.to_path_buf(),
                    start,
                    len: m.compressed_size(),
                }),
                (Some(start), CompressionMethod::Deflated) => Ok(Source::Deflated {
                    archive: path.to_path_buf(),
                    start,
                    compressed: m.compressed_size(),
                }),
                (_, other) => Err(ElfError::Io(format!(
                    "compressed with {other:?}, which pip-guard does not read"
                ))),
            },
        };
        let info = src.and_then(|s| elf::read(&s, limits));
        out.objects.push((name, info));
    }
    Ok(out)
}

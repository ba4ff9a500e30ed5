//! Build a wheel by hand, with no build backend and no network: a wheel is
//! a zip holding the modules and `NAME-VER.dist-info/` with `METADATA`,
//! `WHEEL` and `RECORD` (PEP 427). The zip is written "stored"
//! (uncompressed), which every unzip and pip accept. Pure-Python by
//! default; [`Wheel::binary`] adds compiled files (see `tests/common/native.rs`)
//! and [`Wheel::tag`] gives it a platform tag.
//!
//! ```ignore
//! let whl = common::wheel::Wheel::new("frobnitz", "1.0")
//!     .module("frobnitz/__init__.py", "ANSWER = 42\n")
//!     .requires("six")
//!     .write_to(&env.path("wheels"));
//! ```

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A wheel to build.
#[derive(Debug, Clone)]
pub struct Wheel {
    name: String,
    version: String,
    files: Vec<(String, Vec<u8>)>,
    requires: Vec<String>,
    tag: String,
}

impl Wheel {
    /// A wheel for distribution `name` (written as given in METADATA) at `version`.
    pub fn new(name: &str, version: &str) -> Self {
        Wheel {
            name: name.to_string(),
            version: version.to_string(),
            files: Vec::new(),
            requires: Vec::new(),
            tag: "py3-none-any".to_string(),
        }
    }

    /// Add a file with binary contents (a compiled `.so`).
    pub fn binary(mut self, path: &str, contents: Vec<u8>) -> Self {
        self.files.push((path.to_string(), contents));
        self
    }

    /// The wheel's tag (default `py3-none-any`), e.g. `cp311-cp311-linux_x86_64`.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag.to_string();
        self
    }

    /// Add a file (path inside the wheel, e.g. `pkg/__init__.py`).
    pub fn module(mut self, path: &str, contents: &str) -> Self {
        self.files
            .push((path.to_string(), contents.as_bytes().to_vec()));
        self
    }

    /// Add a `Requires-Dist` line.
    pub fn requires(mut self, req: &str) -> Self {
        self.requires.push(req.to_string());
        self
    }

    /// The distribution name as it appears in file names (PEP 427: `-` → `_`).
    fn file_stem(&self) -> String {
        format!("{}-{}", self.name.replace('-', "_"), self.version)
    }

    /// The wheel's file name: `name-ver-TAG.whl`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.whl", self.file_stem(), self.tag)
    }

    /// Write the wheel into `dir` (created if needed) and return its path.
    pub fn write_to(&self, dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).expect("create wheel dir");
        let info = format!("{}.dist-info", self.file_stem());
        let mut metadata = format!(
            "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
            self.name, self.version
        );
        for r in &self.requires {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        let wheel_txt = format!(
            "Wheel-Version: 1.0\nGenerator: pip-guard-tests\nRoot-Is-Purelib: {}\nTag: {}\n",
            self.tag == "py3-none-any",
            self.tag
        );
        let mut files = self.files.clone();
        files.push((format!("{info}/METADATA"), metadata.into_bytes()));
        files.push((format!("{info}/WHEEL"), wheel_txt.as_bytes().to_vec()));
        let mut record = String::new();
        for (p, data) in &files {
            let digest = Sha256::digest(data);
            record.push_str(&format!(
                "{p},sha256={},{}\n",
                b64url_nopad(&digest),
                data.len()
            ));
        }
        record.push_str(&format!("{info}/RECORD,,\n"));
        files.push((format!("{info}/RECORD"), record.into_bytes()));
        let path = dir.join(self.file_name());
        std::fs::write(&path, zip_stored(&files)).expect("write wheel");
        path
    }
}

fn b64url_nopad(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (!(crc & 1)).wrapping_add(1);
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive with every entry stored uncompressed.
pub fn zip_stored(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let (n, len) = (name.as_bytes(), data.len() as u32);
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(n.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(n);
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&0x031eu16.to_le_bytes()); // made by: unix, 3.0
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&len.to_le_bytes());
        central.extend_from_slice(&len.to_le_bytes());
        central.extend_from_slice(&(n.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&(0o100644u32 << 16).to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(n);
    }
    let cd_offset = out.len() as u32;
    let cd_len = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

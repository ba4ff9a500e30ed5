//! The channel cache file: a compact text format of pip-guard's own.
//!
//! ```text
//! pip-guard channel cache v1
//! channel<TAB>nixpkgs-unstable
//! url<TAB>https://channels.nixos.org/nixpkgs-unstable/packages.json.br   (redacted)
//! final-url<TAB>…/nixpkgs-25.11pre891648.a8d610af3f1a/packages.json.br    (after redirects)
//! fetched<TAB>1767225600
//! revision<TAB>a8d610af3f1a          (from the listing or its URL; may be empty)
//! date<TAB>2025-12-31T00:00:00Z      (Last-Modified of the listing; may be empty)
//! etag<TAB>"abc"                     (for conditional GET; may be empty)
//! last-modified<TAB>Wed, 31 Dec 2025 00:00:00 GMT
//! packages<TAB>115000                (all packages in the listing)
//! section<TAB>python312Packages<TAB><rows><TAB><bytes><TAB><sha256 of body>
//! section<TAB>toplevel<TAB>…
//! header-sha256<TAB><sha256 of every header byte before this line>
//!
//! <bodies, in section order: attr<TAB>pname<TAB>version lines; pname empty = attr>
//! ```
//!
//! Every part is checked when read: the header's own checksum, each section
//! body's length and checksum, and the total length, so a truncated or
//! corrupted file is detected and ignored, never half-read.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

const MAGIC: &str = "pip-guard channel cache v1";

/// Name of the section holding the top-level applications kept.
pub const TOPLEVEL: &str = "toplevel";

/// One package of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Attr inside the set (or top-level attr).
    pub attr: String,
    /// pname, when the listing gives one.
    pub pname: Option<String>,
    /// Version, when the listing gives one.
    pub version: Option<String>,
}

/// A row as stored: `(attr, pname or "", version or "")`.
pub type RawRow<'a> = (&'a str, &'a str, &'a str);

/// Header facts of a cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Channel name (`nixpkgs-unstable`).
    pub channel: String,
    /// The URL or path it was fetched from, credentials redacted.
    pub url: String,
    /// The URL after redirects (redacted), when different.
    pub final_url: String,
    /// Unix seconds of the fetch.
    pub fetched: i64,
    /// nixpkgs revision, when known.
    pub revision: String,
    /// Date of the listing (RFC 3339), when known.
    pub date: String,
    /// ETag validator.
    pub etag: String,
    /// Last-Modified validator, as the server sent it.
    pub last_modified: String,
    /// Number of packages in the whole listing.
    pub packages: usize,
}

/// Where a section's body lies in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `python312Packages`, `toplevel`, …
    pub name: String,
    /// Number of rows.
    pub rows: usize,
    start: usize,
    len: usize,
    sha256: String,
}

/// A cache file read into memory with its header and checksums checked.
#[derive(Debug, Clone)]
pub struct CacheFile {
    /// Header facts.
    pub header: Header,
    /// Sections, in file order.
    pub sections: Vec<Section>,
    text: String,
}

/// Why a cache cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(pub String);

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Keep a field on one line and free of tabs.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\t' || c == '\n' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Serialize a cache: `sections` as `(name, entries)`, entries sorted by
/// attr by the caller or not (they are sorted here).
pub fn encode(header: &Header, sections: &mut [(String, Vec<Entry>)]) -> Vec<u8> {
    let mut bodies = Vec::new();
    for (name, entries) in sections.iter_mut() {
        entries.sort_by(|a, b| a.attr.cmp(&b.attr));
        entries.dedup_by(|a, b| a.attr == b.attr);
        let mut body = String::with_capacity(entries.len() * 32);
        for e in entries.iter() {
            body.push_str(&clean(&e.attr));
            body.push('\t');
            if let Some(p) = e.pname.as_deref().filter(|p| *p != e.attr) {
                body.push_str(&clean(p));
            }
            body.push('\t');
            if let Some(v) = &e.version {
                body.push_str(&clean(v));
            }
            body.push('\n');
        }
        bodies.push((clean(name), entries.len(), body));
    }
    let mut h = String::new();
    let _ = writeln!(h, "{MAGIC}");
    let _ = writeln!(h, "channel\t{}", clean(&header.channel));
    let _ = writeln!(h, "url\t{}", clean(&crate::redact::redact(&header.url)));
    let _ = writeln!(
        h,
        "final-url\t{}",
        clean(&crate::redact::redact(&header.final_url))
    );
    let _ = writeln!(h, "fetched\t{}", header.fetched);
    let _ = writeln!(h, "revision\t{}", clean(&header.revision));
    let _ = writeln!(h, "date\t{}", clean(&header.date));
    let _ = writeln!(h, "etag\t{}", clean(&header.etag));
    let _ = writeln!(h, "last-modified\t{}", clean(&header.last_modified));
    let _ = writeln!(h, "packages\t{}", header.packages);
    for (name, rows, body) in &bodies {
        let _ = writeln!(
            h,
            "section\t{name}\t{rows}\t{}\t{}",
            body.len(),
            sha256_hex(body.as_bytes())
        );
    }
    let sum = sha256_hex(h.as_bytes());
    let _ = writeln!(h, "header-sha256\t{sum}");
    h.push('\n');
    let mut out = h.into_bytes();
    for (_, _, body) in bodies {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

impl CacheFile {
    /// Read and check a cache file. `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<CacheFile>, Corrupt> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Corrupt(format!("cannot read {}: {e}", path.display()))),
        };
        Self::parse(bytes).map(Some)
    }

    /// Check and parse the bytes of a cache file. Section bodies are
    /// checked lazily ([`CacheFile::verify`], [`CacheFile::rows`]).
    pub fn parse(bytes: Vec<u8>) -> Result<CacheFile, Corrupt> {
        let text = String::from_utf8(bytes).map_err(|_| Corrupt("not UTF-8".into()))?;
        let end = text
            .find("\n\n")
            .ok_or_else(|| Corrupt("truncated header".into()))?;
        let head = &text[..end + 1];
        let (before, sum_line) = match head[..head.len() - 1].rfind('\n') {
            Some(i) => (&head[..i + 1], &head[i + 1..head.len() - 1]),
            None => return Err(Corrupt("truncated header".into())),
        };
        let expected = sum_line
            .strip_prefix("header-sha256\t")
            .ok_or_else(|| Corrupt("header checksum missing".into()))?;
        if sha256_hex(before.as_bytes()) != expected {
            return Err(Corrupt("header checksum mismatch".into()));
        }
        let mut lines = before.lines();
        if lines.next() != Some(MAGIC) {
            return Err(Corrupt("not a pip-guard channel cache (v1)".into()));
        }
        let mut header = Header::default();
        let mut sections = Vec::new();
        let mut offset = end + 2;
        for line in lines {
            let (key, value) = line.split_once('\t').unwrap_or((line, ""));
            let num = |v: &str| {
                v.parse::<usize>()
                    .map_err(|_| Corrupt(format!("bad number in header line {line:?}")))
            };
            match key {
                "channel" => header.channel = value.into(),
                "url" => header.url = value.into(),
                "final-url" => header.final_url = value.into(),
                "fetched" => {
                    header.fetched = value
                        .parse()
                        .map_err(|_| Corrupt(format!("bad fetch time {value:?}")))?
                }
                "revision" => header.revision = value.into(),
                "date" => header.date = value.into(),
                "etag" => header.etag = value.into(),
                "last-modified" => header.last_modified = value.into(),
                "packages" => header.packages = num(value)?,
                "section" => {
                    let f: Vec<&str> = value.split('\t').collect();
                    if f.len() != 4 {
                        return Err(Corrupt(format!("bad section line {line:?}")));
                    }
                    let len = num(f[2])?;
                    sections.push(Section {
                        name: f[0].into(),
                        rows: num(f[1])?,
                        start: offset,
                        len,
                        sha256: f[3].into(),
                    });
                    offset += len;
                }
                _ => {} // fields added by later versions
            }
        }
        if offset != text.len() {
            return Err(Corrupt(format!(
                "{} bytes where the header announces {offset} (truncated or padded)",
                text.len()
            )));
        }
        Ok(CacheFile {
            header,
            sections,
            text,
        })
    }

    /// The section called `name`, if present.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    fn body(&self, s: &Section) -> Result<&str, Corrupt> {
        let body = self
            .text
            .get(s.start..s.start + s.len)
            .ok_or_else(|| Corrupt(format!("section {} out of bounds", s.name)))?;
        if sha256_hex(body.as_bytes()) != s.sha256 {
            return Err(Corrupt(format!("section {} checksum mismatch", s.name)));
        }
        Ok(body)
    }

    /// Check every section's checksum.
    pub fn verify(&self) -> Result<(), Corrupt> {
        for s in &self.sections {
            self.body(s)?;
        }
        Ok(())
    }

    /// The checked rows of section `name` as `(attr, pname, version)`
    /// borrowed from the file (`None`: no such section).
    pub fn rows(&self, name: &str) -> Result<Option<Vec<RawRow<'_>>>, Corrupt> {
        let Some(s) = self.section(name) else {
            return Ok(None);
        };
        let body = self.body(s)?;
        let mut out = Vec::with_capacity(s.rows);
        for line in body.lines() {
            let mut it = line.splitn(3, '\t');
            match (it.next(), it.next(), it.next()) {
                (Some(a), Some(p), Some(v)) if !a.is_empty() => out.push((a, p, v)),
                _ => return Err(Corrupt(format!("bad row in section {name}: {line:?}"))),
            }
        }
        if out.len() != s.rows {
            return Err(Corrupt(format!(
                "section {name} has {} rows, header says {}",
                out.len(),
                s.rows
            )));
        }
        Ok(Some(out))
    }

    /// The checked rows of section `name` as [`TextRow`](super::store::TextRow) spans into the
    /// file's text, and the text itself (`None`: no such section).
    pub(crate) fn into_text_rows(
        self,
        name: &str,
    ) -> Result<Option<(String, Vec<crate::index::TextRow>)>, Corrupt> {
        let Some(s) = self.section(name) else {
            return Ok(None);
        };
        let body = self.body(s)?;
        let mut rows = Vec::with_capacity(s.rows);
        let base = s.start;
        let mut offset = 0usize;
        let bad = |line: &str| Corrupt(format!("bad row in section {name}: {line:?}"));
        for line in body.split_inclusive('\n') {
            let l = line.strip_suffix('\n').ok_or_else(|| bad(line))?;
            let mut it = l.splitn(3, '\t');
            let (Some(a), Some(p), Some(v)) = (it.next(), it.next(), it.next()) else {
                return Err(bad(line));
            };
            let len16 = |x: &str| u16::try_from(x.len()).map_err(|_| bad(line));
            let start = u32::try_from(base + offset).map_err(|_| bad(line))?;
            if a.is_empty() {
                return Err(bad(line));
            }
            rows.push(crate::index::TextRow {
                start,
                attr: len16(a)?,
                pname: len16(p)?,
                version: len16(v)?,
            });
            offset += line.len();
        }
        if rows.len() != s.rows {
            return Err(Corrupt(format!(
                "section {name} has {} rows, header says {}",
                rows.len(),
                s.rows
            )));
        }
        Ok(Some((self.text, rows)))
    }

    /// The python package-set sections (`python312Packages`, …).
    pub fn package_sets(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.name != TOPLEVEL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let header = Header {
            channel: "nixpkgs-unstable".into(),
            url: "https://user:secret@mirror.example/x.br".into(),
            fetched: 1_700_000_000,
            packages: 3,
            ..Header::default()
        };
        let e = |a: &str, p: Option<&str>, v: &str| Entry {
            attr: a.into(),
            pname: p.map(Into::into),
            version: Some(v.into()),
        };
        encode(
            &header,
            &mut [
                (
                    "python312Packages".into(),
                    vec![
                        e("requests", Some("requests"), "2.32.3"),
                        e("opencv4", Some("opencv"), "4.11"),
                    ],
                ),
                (TOPLEVEL.into(), vec![e("black", Some("black"), "25.1.0")]),
            ],
        )
    }

    #[test]
    fn round_trip_and_redaction() {
        let bytes = sample();
        let text = String::from_utf8(bytes.clone()).expect("test setup");
        assert!(!text.contains("secret"), "{text}");
        let c = CacheFile::parse(bytes).expect("test setup");
        assert_eq!(c.header.channel, "nixpkgs-unstable");
        assert_eq!(c.header.fetched, 1_700_000_000);
        let rows = c
            .rows("python312Packages")
            .expect("test setup")
            .expect("test setup");
        assert_eq!(
            rows,
            [("opencv4", "opencv", "4.11"), ("requests", "", "2.32.3")]
        );
        assert_eq!(c.rows("python313Packages").expect("test setup"), None);
        c.verify().expect("test setup");
    }

    #[test]
    fn every_truncation_and_bit_flip_is_detected() {
        let bytes = sample();
        for cut in 0..bytes.len() {
            let r = CacheFile::parse(bytes[..cut].to_vec()).and_then(|c| c.verify());
            assert!(r.is_err(), "truncation at {cut} not detected");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x04;
            let r = CacheFile::parse(b).and_then(|c| c.verify());
            assert!(r.is_err(), "flip at {i} not detected");
        }
    }
}

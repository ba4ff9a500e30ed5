//! Streaming parser for a channel's `packages.json` (after brotli).
//!
//! The listing is a single JSON object of well over 100 MB:
//! `{"version": "2", "packages": {ATTR_PATH: {name, pname, version, …}}}`.
//! It is read as a stream with a serde visitor that keeps only the Python
//! package sets (`python3XXPackages.*`) and the few top-level attrs asked
//! for, and skips everything else without building it in memory.
//!
//! Both listing formats are read: new ones (`packages-info.nix`) carry the
//! derivation's `pname`; old ones (`nix-env -qa --json`, `"version": 2` as a
//! number) carry a `pname` parsed from `name` (`python3.12-requests`), whose
//! interpreter prefix is removed here.

use super::cache::Entry;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::Read;

/// Decompressed bytes a listing may have: 512 MiB (a real one is about
/// 150 MB). More is refused, whatever the source says.
pub const MAX_LISTING_BYTES: u64 = 512 * 1024 * 1024;

/// Longest JSON string accepted, keys included: 1 MiB (a real listing's
/// longest description is a few KB). Bounds what the parser buffers.
pub const MAX_STRING_BYTES: usize = 1024 * 1024;

/// Python entries kept at most, all sets together: 500,000 (a real listing
/// has about 40,000). Bounds the memory the kept rows take.
pub const MAX_PYTHON_ENTRIES: usize = 500_000;

/// A listing broke one of the bounds above (carried inside an `io::Error`).
#[derive(Debug)]
pub struct LimitExceeded(pub String);

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitExceeded {}

/// The (decompressed) JSON byte stream, bounded: at most `max_total` bytes
/// in all and no string longer than [`MAX_STRING_BYTES`]. It tracks only
/// whether it is inside a string, so it costs a `memchr` per string.
pub struct Bounded<R> {
    inner: R,
    total: u64,
    max_total: u64,
    in_string: bool,
    escaped: bool,
    run: usize,
}

impl<R> Bounded<R> {
    /// Bound `inner` to `max_total` bytes.
    pub fn new(inner: R, max_total: u64) -> Self {
        Bounded {
            inner,
            total: 0,
            max_total,
            in_string: false,
            escaped: false,
            run: 0,
        }
    }

    fn scan(&mut self, mut b: &[u8]) -> bool {
        while !b.is_empty() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    self.run += 1;
                    b = &b[1..];
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', b) {
                    None => {
                        self.run += b.len();
                        b = &[];
                    }
                    Some(i) => {
                        self.run += i;
                        if b[i] == b'"' {
                            self.in_string = false;
                        } else {
                            self.escaped = true;
                            self.run += 1;
                        }
                        b = &b[i + 1..];
                    }
                }
                if self.run > MAX_STRING_BYTES {
                    return false;
                }
            } else {
                match memchr::memchr(b'"', b) {
                    None => b = &[],
                    Some(i) => {
                        self.in_string = true;
                        self.run = 0;
                        b = &b[i + 1..];
                    }
                }
            }
        }
        true
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.max_total {
            return Err(std::io::Error::other(LimitExceeded(format!(
                "the listing is over {} MiB decompressed (a real one is about 150 MB): refused",
                self.max_total / (1024 * 1024)
            ))));
        }
        if !self.scan(&buf[..n]) {
            return Err(std::io::Error::other(LimitExceeded(format!(
                "the listing holds a string over {} MiB: not a channel listing",
                MAX_STRING_BYTES / (1024 * 1024)
            ))));
        }
        Ok(n)
    }
}

/// What a listing yielded.
#[derive(Debug, Default)]
pub struct Listing {
    /// The listing's format version (`"2"` or `2`), if given.
    pub version: Option<String>,
    /// Total number of packages in the listing.
    pub total: usize,
    /// Python packages kept (all sets).
    pub python: usize,
    /// Python sets: set name → packages.
    pub sets: BTreeMap<String, Vec<Entry>>,
    /// Top-level attrs kept (those asked for that exist).
    pub toplevel: Vec<Entry>,
    /// A nixpkgs revision, if the listing states one (some mirrors add
    /// `"revision"` or `"commit"` at the top).
    pub revision: Option<String>,
}

/// Which python set an attr path belongs to: `python312Packages.requests` →
/// `Some(("python312Packages", "requests"))`.
fn python_set(key: &str) -> Option<(&str, &str)> {
    let (set, attr) = key.split_once('.')?;
    let digits = set.strip_prefix("python3")?.strip_suffix("Packages")?;
    if digits.bytes().all(|b| b.is_ascii_digit()) && !attr.is_empty() {
        Some((set, attr))
    } else {
        None
    }
}

/// `python3.12-requests` → `requests`; anything else unchanged.
fn strip_interpreter(pname: &str) -> &str {
    if let Some(rest) = pname.strip_prefix("python") {
        if let Some((ver, tail)) = rest.split_once('-') {
            // An interpreter prefix always has a dot: `python3.12-`, never
            // `python3-` (which starts real names such as `python3-saml`).
            if ver.contains('.') && ver.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return tail;
            }
        }
    }
    pname
}

/// The fields of a package entry pip-guard keeps.
#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    pname: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    version: Option<String>,
}

/// A string, a number (as text) or null. Anything else is an error at once:
/// never buffered (an `untagged` enum would buffer a whole nested value).
fn string_or_number<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string, a number or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(
                serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
            ))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: de::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_option(V)
}

impl RawPackage {
    fn into_entry(self, attr: &str) -> Entry {
        let version = self.version.filter(|v| !v.is_empty());
        let pname = match self.pname.filter(|p| !p.is_empty()) {
            Some(p) => Some(strip_interpreter(&p).to_string()),
            None => self.name.as_deref().map(|n| {
                let n = strip_interpreter(n);
                match version.as_deref() {
                    Some(v) => n
                        .strip_suffix(v)
                        .and_then(|s| s.strip_suffix('-'))
                        .unwrap_or(n),
                    None => n,
                }
                .to_string()
            }),
        };
        Entry {
            attr: attr.to_string(),
            pname,
            version,
        }
    }
}

struct Packages<'a> {
    keep_toplevel: &'a HashSet<String>,
    out: &'a mut Listing,
}

impl<'de> DeserializeSeed<'de> for Packages<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Packages<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of packages keyed by attribute path")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.out.total += 1;
            if let Some((set, attr)) = python_set(&key) {
                self.out.python += 1;
                if self.out.python > MAX_PYTHON_ENTRIES {
                    return Err(de::Error::custom(format!(
                        "more than {MAX_PYTHON_ENTRIES} Python packages: not a channel listing"
                    )));
                }
                let raw: RawPackage = map.next_value()?;
                let entry = raw.into_entry(attr);
                match self.out.sets.get_mut(set) {
                    Some(v) => v.push(entry),
                    None => {
                        self.out.sets.insert(set.to_string(), vec![entry]);
                    }
                }
            } else if self.keep_toplevel.contains(&key) {
                let raw: RawPackage = map.next_value()?;
                self.out.toplevel.push(raw.into_entry(&key));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Top<'a> {
    keep_toplevel: &'a HashSet<String>,
    out: &'a mut Listing,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a packages.json object with a \"packages\" field")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut saw_packages = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "packages" => {
                    map.next_value_seed(Packages {
                        keep_toplevel: self.keep_toplevel,
                        out: self.out,
                    })?;
                    saw_packages = true;
                }
                "version" => {
                    #[derive(Deserialize)]
                    struct W(#[serde(deserialize_with = "string_or_number")] Option<String>);
                    self.out.version = map.next_value::<W>()?.0;
                }
                "revision" | "commit" | "nixpkgsRevision" => {
                    self.out.revision = map.next_value::<Option<String>>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(saw_packages)
    }
}

/// Why a listing could not be read.
#[derive(Debug)]
pub enum ListingError {
    /// The byte stream failed (network, decompression): the io error.
    Io(std::io::Error),
    /// The stream ended before the JSON did.
    Truncated(String),
    /// The JSON is malformed or not a listing.
    Invalid(String),
    /// A bound was exceeded (size, string length, number of entries).
    Limit(String),
}

impl fmt::Display for ListingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListingError::Io(e) => write!(f, "{e}"),
            ListingError::Truncated(m) => write!(f, "the listing ends early: {m}"),
            ListingError::Invalid(m) => write!(f, "not a valid packages.json listing: {m}"),
            ListingError::Limit(m) => write!(f, "{m}"),
        }
    }
}

/// Parse a listing from a reader of (decompressed) JSON, keeping the
/// python sets and the top-level attrs in `keep_toplevel`.
#[cfg(test)]
pub fn parse<R: Read>(reader: R, keep_toplevel: &HashSet<String>) -> Result<Listing, ListingError> {
    parse_within(reader, keep_toplevel, MAX_LISTING_BYTES)
}

/// Parse a listing from a reader of (decompressed) JSON, keeping the
/// python sets and the top-level attrs in `keep_toplevel`, reading at most
/// `max_bytes` of it.
pub fn parse_within<R: Read>(
    reader: R,
    keep_toplevel: &HashSet<String>,
    max_bytes: u64,
) -> Result<Listing, ListingError> {
    let mut out = Listing::default();
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(
        256 * 1024,
        Bounded::new(reader, max_bytes),
    ));
    let top = Top {
        keep_toplevel,
        out: &mut out,
    };
    let classify = |e: serde_json::Error| -> ListingError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Io => {
                let io: std::io::Error = e.into();
                match io.get_ref().and_then(|i| i.downcast_ref::<LimitExceeded>()) {
                    Some(l) => ListingError::Limit(l.0.clone()),
                    None => ListingError::Io(io),
                }
            }
            Category::Data if e.to_string().contains("not a channel listing") => {
                ListingError::Limit(e.to_string())
            }
            Category::Eof => ListingError::Truncated(e.to_string()),
            _ => ListingError::Invalid(e.to_string()),
        }
    };
    let saw = de::Deserializer::deserialize_map(&mut de, top).map_err(classify)?;
    de.end().map_err(classify)?;
    if !saw {
        return Err(ListingError::Invalid("no \"packages\" object".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(names: &[&str]) -> HashSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn new_format() {
        let json = r#"{"version":"2","packages":{
          "python312Packages.requests":{"name":"python3.12-requests-2.32.3","pname":"requests","version":"2.32.3","meta":{"broken":false,"x":[1,{"y":null}]}},
          "python313Packages.opencv4":{"name":"python3.13-opencv-4.11.0","pname":"opencv","version":"4.11.0"},
          "black":{"name":"black-25.1.0","pname":"black","version":"25.1.0"},
          "hello":{"name":"hello-2.12.2","pname":"hello","version":"2.12.2"},
          "python3Packages.requests":{"name":"x","pname":"requests","version":"1"}}}"#;
        let l = parse(json.as_bytes(), &keep(&["black"])).expect("test setup");
        assert_eq!(l.total, 5);
        assert_eq!(l.version.as_deref(), Some("2"));
        let r = &l.sets["python312Packages"][0];
        assert_eq!(
            (r.attr.as_str(), r.pname.as_deref(), r.version.as_deref()),
            ("requests", Some("requests"), Some("2.32.3"))
        );
        assert_eq!(
            l.sets["python313Packages"][0].pname.as_deref(),
            Some("opencv")
        );
        assert_eq!(l.toplevel.len(), 1);
        assert_eq!(l.sets.len(), 3, "{:?}", l.sets.keys());
    }

    #[test]
    fn old_format() {
        let json = r#"{"version":2,"packages":{
          "python312Packages.requests":{"name":"python3.12-requests-2.31.0","pname":"python3.12-requests","version":"2.31.0","system":"x86_64-linux"},
          "python312Packages.foo":{"name":"python3.12-foo-bar-1.0","version":"1.0"}}}"#;
        let l = parse(json.as_bytes(), &keep(&[])).expect("test setup");
        assert_eq!(l.version.as_deref(), Some("2"));
        let s = &l.sets["python312Packages"];
        assert_eq!(s[0].pname.as_deref(), Some("requests"));
        assert_eq!(s[1].pname.as_deref(), Some("foo-bar"));
    }

    #[test]
    fn faults() {
        let k = keep(&[]);
        assert!(matches!(
            parse(&br#"{"version":"2","packages":{"a":{"#[..], &k),
            Err(ListingError::Truncated(_))
        ));
        assert!(matches!(
            parse(&br#"{"version":"2"}"#[..], &k),
            Err(ListingError::Invalid(_))
        ));
        assert!(matches!(
            parse(&b"[1,2]"[..], &k),
            Err(ListingError::Invalid(_))
        ));
        assert!(matches!(
            parse(&br#"{"packages":{}} x"#[..], &k),
            Err(ListingError::Invalid(_))
        ));
        assert!(matches!(
            parse(
                &br#"{"packages":{"python312Packages.a":{"version":{}}}}"#[..],
                &k
            ),
            Err(ListingError::Invalid(_))
        ));
    }

    #[test]
    fn python_set_names() {
        assert_eq!(
            python_set("python312Packages.a.b"),
            Some(("python312Packages", "a.b"))
        );
        assert_eq!(
            python_set("python3Packages.a"),
            Some(("python3Packages", "a"))
        );
        assert_eq!(python_set("python2Packages.a"), None);
        assert_eq!(python_set("pythonPackages.a"), None);
        assert_eq!(strip_interpreter("python3.12-requests"), "requests");
        assert_eq!(strip_interpreter("python-lsp"), "python-lsp");
        assert_eq!(strip_interpreter("python3-saml"), "python3-saml");
    }
}

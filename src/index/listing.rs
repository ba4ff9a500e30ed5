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

/// What a listing yielded.
#[derive(Debug, Default)]
pub struct Listing {
    /// The listing's format version (`"2"` or `2`), if given.
    pub version: Option<String>,
    /// Total number of packages in the listing.
    pub total: usize,
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

fn string_or_number<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum V {
        S(String),
        N(serde_json::Number),
        Null,
    }
    Ok(match Option::<V>::deserialize(d)? {
        Some(V::S(s)) => Some(s),
        Some(V::N(n)) => Some(n.to_string()),
        Some(V::Null) | None => None,
    })
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
}

impl fmt::Display for ListingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListingError::Io(e) => write!(f, "{e}"),
            ListingError::Truncated(m) => write!(f, "the listing ends early: {m}"),
            ListingError::Invalid(m) => write!(f, "not a valid packages.json listing: {m}"),
        }
    }
}

/// Parse a listing from a reader of (decompressed) JSON, keeping the
/// python sets and the top-level attrs in `keep_toplevel`.
pub fn parse<R: Read>(reader: R, keep_toplevel: &HashSet<String>) -> Result<Listing, ListingError> {
    let mut out = Listing::default();
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(
        256 * 1024,
        reader,
    ));
    let top = Top {
        keep_toplevel,
        out: &mut out,
    };
    let classify = |e: serde_json::Error| -> ListingError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Io => ListingError::Io(e.into()),
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

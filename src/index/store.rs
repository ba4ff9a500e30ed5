//! The attr store: nixpkgs' Python packages sorted by attr, in one of three
//! storages (spans of the embedded text, owned rows, spans of a cache
//! file's text), with the name maps derived from them. Every search is the
//! standard library's binary search over sorted, unique keys.

use std::borrow::Cow;

/// Text that is either embedded in the binary or read at run time.
pub type Text = Cow<'static, str>;

/// One attribute of the Python package set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The attr inside the set, e.g. `requests` (not `python312Packages.requests`).
    pub attr: String,
    /// The derivation's pname, when known.
    pub pname: Option<String>,
    /// The version, when known (the embedded snapshot knows none).
    pub version: Option<String>,
}

#[cfg(test)]
impl Package {
    /// A package whose version is not known (tests).
    pub(crate) fn unversioned(attr: &str, pname: Option<&str>) -> Package {
        Package {
            attr: attr.into(),
            pname: pname.map(Into::into),
            version: None,
        }
    }
}

/// One package row (owned or borrowed text).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    attr: Text,
    pname: Option<Text>,
    version: Option<Text>,
}

/// A package as seen by lookups, borrowed from the index whatever its
/// storage (a [`Package`] without the copies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageRef<'a> {
    /// The attr inside the set.
    pub attr: &'a str,
    /// The derivation's pname, when known.
    pub pname: Option<&'a str>,
    /// The version, when known.
    pub version: Option<&'a str>,
}

impl PackageRef<'_> {
    /// The owned copy.
    pub fn to_package(self) -> Package {
        Package {
            attr: self.attr.to_string(),
            pname: self.pname.map(str::to_string),
            version: self.version.map(str::to_string),
        }
    }
}

/// The packages of an index, sorted by attr.
#[derive(Debug, Clone)]
enum Rows {
    /// The embedded snapshot: attrs are `(offset, len)` spans of a static
    /// text (8 bytes each, nothing copied); a few attrs have a pname.
    Static {
        text: &'static str,
        spans: Vec<(u32, u32)>,
        pnames: SortedMap<Text>,
    },
    /// Rows read at run time (nix answers, tests).
    Owned(Vec<Row>),
    /// Rows of a cache file kept in memory: spans of its text, one
    /// allocation for the whole set.
    Text { text: String, rows: Vec<TextRow> },
}

/// A `attr<TAB>pname<TAB>version` line of a cache section: where it starts
/// and the length of each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextRow {
    /// Offset of the line in the text.
    pub(crate) start: u32,
    /// Length of the attr.
    pub(crate) attr: u16,
    /// Length of the pname (0: same as the attr).
    pub(crate) pname: u16,
    /// Length of the version (0: unknown).
    pub(crate) version: u16,
}

impl TextRow {
    fn fields(self, text: &str) -> (&str, &str, &str) {
        let a = self.start as usize;
        let p = a + self.attr as usize + 1;
        let v = p + self.pname as usize + 1;
        (
            &text[a..a + self.attr as usize],
            &text[p..p + self.pname as usize],
            &text[v..v + self.version as usize],
        )
    }
}

/// The attr of a span of the embedded text.
fn span(text: &str, (offset, len): (u32, u32)) -> &str {
    &text[offset as usize..(offset + len) as usize]
}

impl Default for Rows {
    fn default() -> Self {
        Rows::Owned(Vec::new())
    }
}

impl Rows {
    fn len(&self) -> usize {
        match self {
            Rows::Static { spans, .. } => spans.len(),
            Rows::Owned(v) => v.len(),
            Rows::Text { rows, .. } => rows.len(),
        }
    }

    fn get(&self, i: usize) -> PackageRef<'_> {
        match self {
            Rows::Static {
                text,
                spans,
                pnames,
            } => {
                let attr = span(text, spans[i]);
                PackageRef {
                    attr,
                    pname: pnames.get(attr).map(|p| p.as_ref()),
                    version: None,
                }
            }
            Rows::Owned(v) => {
                let r = &v[i];
                PackageRef {
                    attr: &r.attr,
                    pname: r.pname.as_deref(),
                    version: r.version.as_deref(),
                }
            }
            Rows::Text { text, rows } => {
                let (attr, pname, version) = rows[i].fields(text);
                PackageRef {
                    attr,
                    pname: Some(if pname.is_empty() { attr } else { pname }),
                    version: (!version.is_empty()).then_some(version),
                }
            }
        }
    }

    fn attr(&self, i: usize) -> &str {
        match self {
            Rows::Static { text, spans, .. } => span(text, spans[i]),
            Rows::Owned(v) => &v[i].attr,
            Rows::Text { text, rows } => rows[i].fields(text).0,
        }
    }

    /// Where `attr` is (the rows are sorted and unique).
    fn find(&self, attr: &str) -> Option<usize> {
        match self {
            Rows::Static { text, spans, .. } => {
                spans.binary_search_by(|&s| span(text, s).cmp(attr))
            }
            Rows::Owned(v) => v.binary_search_by(|r| r.attr.as_ref().cmp(attr)),
            Rows::Text { text, rows } => rows.binary_search_by(|r| r.fields(text).0.cmp(attr)),
        }
        .ok()
    }

    /// Whether the attrs are strictly increasing.
    fn is_sorted(&self) -> bool {
        (1..self.len()).all(|i| self.attr(i - 1) < self.attr(i))
    }
}

/// A sorted `(key, value)` table searched by binary search: built once,
/// no hashing, and for embedded data no copying either.
#[derive(Debug, Clone, Default)]
pub(crate) struct SortedMap<V> {
    entries: Vec<(Text, V)>,
}

impl<V> SortedMap<V> {
    /// From entries in any order; on duplicate keys the first one wins.
    pub(crate) fn from_unsorted(mut entries: Vec<(Text, V)>) -> Self {
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            // Stable: among equal keys the first given stays first.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.dedup_by(|later, earlier| later.0 == earlier.0);
        }
        SortedMap { entries }
    }
    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.entries[i].1)
    }
    /// Every entry, sorted by key.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// Whether `name` is already PEP 503 normalized.
fn is_normalized(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && !b
            .iter()
            .any(|c| c.is_ascii_uppercase() || matches!(c, b'_' | b'.'))
        && !name.contains("--")
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.is_ascii()
}

/// Whether `normalize(pname) == attr` without allocating.
fn pname_normalizes_to(pname: &str, attr: &str) -> bool {
    if is_normalized(pname) {
        return pname == attr;
    }
    crate::names::normalize(pname) == attr
}

/// The packages of a set, sorted by attr and unique, with the PEP 503
/// names that reach them other than by their attr.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    /// Packages, sorted by attr, unique.
    rows: Rows,
    /// PEP 503 name → row, for attrs that are not normalized (`plasTeX`).
    by_norm_attr: SortedMap<u32>,
    /// normalized pname → row, where it differs from the attr (first wins).
    by_pname: SortedMap<u32>,
}

impl Store {
    /// A store of `packages` (any order; on duplicate attrs the first wins).
    pub(crate) fn from_packages(packages: Vec<Package>) -> Store {
        let rows = packages
            .into_iter()
            .map(|p| Row {
                attr: Cow::Owned(p.attr),
                pname: p.pname.map(Cow::Owned),
                version: p.version.map(Cow::Owned),
            })
            .collect();
        Self::from_rows(rows)
    }

    /// Build from rows; sorts them when needed and derives the name maps.
    fn from_rows(mut rows: Vec<Row>) -> Store {
        if !rows.windows(2).all(|w| w[0].attr < w[1].attr) {
            rows.sort_by(|a, b| a.attr.cmp(&b.attr));
            rows.dedup_by(|later, earlier| later.attr == earlier.attr);
        }
        Self::with_derived_maps(Rows::Owned(rows))
    }

    /// A store over `text` (kept) whose `rows` are `attr<TAB>pname<TAB>version`
    /// lines, as in a cache section; empty pname = the attr. Rows out of
    /// order are copied into owned rows and sorted.
    pub(crate) fn from_text(text: String, rows: Vec<TextRow>) -> Store {
        let rows = Rows::Text { text, rows };
        if rows.is_sorted() {
            return Self::with_derived_maps(rows);
        }
        let owned = (0..rows.len())
            .map(|i| {
                let r = rows.get(i);
                Row {
                    attr: Cow::Owned(r.attr.to_string()),
                    pname: r.pname.map(|p| Cow::Owned(p.to_string())),
                    version: r.version.map(|v| Cow::Owned(v.to_string())),
                }
            })
            .collect();
        Self::from_rows(owned)
    }

    /// Derive the normalized-attr and pname maps of sorted rows.
    fn with_derived_maps(rows: Rows) -> Store {
        let mut norm = Vec::new();
        let mut pnames = Vec::new();
        for i in 0..rows.len() {
            let r = rows.get(i);
            if !is_normalized(r.attr) {
                norm.push((Cow::Owned(crate::names::normalize(r.attr)), i as u32));
            }
            if let Some(p) = r.pname {
                if !pname_normalizes_to(p, r.attr) {
                    pnames.push((Cow::Owned(crate::names::normalize(p)), i as u32));
                }
            }
        }
        Store {
            rows,
            by_norm_attr: SortedMap::from_unsorted(norm),
            by_pname: SortedMap::from_unsorted(pnames),
        }
    }

    /// A store over a static text with one attr a line (sorted, unique: the
    /// embedded data, checked by its tests). `unnormalized` maps PEP 503
    /// names to the attrs that are not normalized; `pnames` is attr → pname.
    pub(crate) fn from_static(
        text: &'static str,
        unnormalized: SortedMap<Text>,
        pnames: SortedMap<Text>,
    ) -> Store {
        let mut spans = Vec::with_capacity(text.len() / 12);
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let attr = line.trim_end_matches(['\n', '\r']);
            if !attr.is_empty() && !attr.starts_with('#') {
                spans.push((offset as u32, attr.len() as u32));
            }
            offset += line.len();
        }
        let rows = Rows::Static {
            text,
            spans,
            pnames,
        };
        let mut by_norm_attr = Vec::new();
        for (norm, attr) in unnormalized.iter() {
            if let Some(i) = rows.find(attr) {
                by_norm_attr.push((Cow::Owned(norm.to_string()), i as u32));
            }
        }
        let mut by_pname = Vec::new();
        if let Rows::Static { pnames, .. } = &rows {
            for (attr, p) in pnames.iter() {
                if !pname_normalizes_to(p, attr) {
                    if let Some(i) = rows.find(attr) {
                        by_pname.push((Cow::Owned(crate::names::normalize(p)), i as u32));
                    }
                }
            }
        }
        Store {
            rows,
            by_norm_attr: SortedMap::from_unsorted(by_norm_attr),
            by_pname: SortedMap::from_unsorted(by_pname),
        }
    }

    /// Number of packages.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The package with exactly this attr.
    pub(crate) fn get(&self, attr: &str) -> Option<Package> {
        self.rows.find(attr).map(|i| self.rows.get(i).to_package())
    }

    /// Whether the set has exactly this attr.
    pub(crate) fn contains(&self, attr: &str) -> bool {
        self.rows.find(attr).is_some()
    }

    /// Every attr, sorted.
    pub(crate) fn attrs(&self) -> impl Iterator<Item = &str> {
        (0..self.rows.len()).map(|i| self.rows.attr(i))
    }

    /// Every package, sorted by attr.
    pub(crate) fn packages(&self) -> impl Iterator<Item = Package> + '_ {
        (0..self.rows.len()).map(|i| self.rows.get(i).to_package())
    }

    /// The package a PEP 503 name matches directly: its attr is the name,
    /// or normalizes to it.
    pub(crate) fn by_attr_ref(&self, normalized: &str) -> Option<PackageRef<'_>> {
        self.get_ref(normalized).or_else(|| {
            self.by_norm_attr
                .get(normalized)
                .map(|&i| self.rows.get(i as usize))
        })
    }

    /// [`Store::get`], borrowed.
    pub(crate) fn get_ref(&self, attr: &str) -> Option<PackageRef<'_>> {
        self.rows.find(attr).map(|i| self.rows.get(i))
    }

    /// The package whose pname normalizes to a PEP 503 name (where that
    /// differs from its attr).
    pub(crate) fn by_pname_ref(&self, normalized: &str) -> Option<PackageRef<'_>> {
        self.by_pname
            .get(normalized)
            .map(|&i| self.rows.get(i as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(attr: &str, pname: Option<&str>) -> Package {
        Package::unversioned(attr, pname)
    }

    #[test]
    fn unsorted_duplicates_first_wins() {
        let s = Store::from_packages(vec![
            pkg("b", Some("x")),
            pkg("a", None),
            pkg("b", Some("y")),
        ]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("b").and_then(|p| p.pname), Some("x".into()));
    }

    #[test]
    fn the_three_storages_find_the_same_attrs() {
        let text: &'static str = "# comment\nalpha\nbeta\nplasTeX\n";
        let unnormalized =
            SortedMap::from_unsorted(vec![(Cow::Borrowed("plastex"), Cow::Borrowed("plasTeX"))]);
        let statik = Store::from_static(text, unnormalized, SortedMap::default());
        let owned = Store::from_packages(vec![
            pkg("plasTeX", None),
            pkg("beta", None),
            pkg("alpha", None),
        ]);
        // attr<TAB>pname<TAB>version lines; an empty pname is the attr.
        let cache = "alpha\t\t1\nbeta\t\t\nplasTeX\t\t2\n".to_string();
        let mut rows = Vec::new();
        let mut start = 0u32;
        for line in cache.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            rows.push(TextRow {
                start,
                attr: f[0].len() as u16,
                pname: f[1].len() as u16,
                version: f[2].len() as u16,
            });
            start += line.len() as u32 + 1;
        }
        let text_store = Store::from_text(cache, rows);
        for s in [&statik, &owned, &text_store] {
            assert_eq!(s.attrs().collect::<Vec<_>>(), ["alpha", "beta", "plasTeX"]);
            assert!(s.contains("beta") && !s.contains("gamma") && !s.contains(""));
            assert_eq!(s.by_attr_ref("plastex").map(|p| p.attr), Some("plasTeX"));
        }
        assert_eq!(
            text_store.get("alpha").and_then(|p| p.version),
            Some("1".into())
        );
        assert_eq!(text_store.get("beta").and_then(|p| p.version), None);
    }
}

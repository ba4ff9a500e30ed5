//! nixpkgs' Python package set as (attr, pname, version), from the best
//! source available: the user's nixpkgs through `nix-instantiate`
//! ([`nix`]), a cached channel listing ([`channel`]), or the snapshot
//! embedded in the binary ([`embedded`]).
//!
//! [`Index::lookup`] is pure: it maps a PEP 503 name to an attr in the
//! order attr, pname, nixpkgs alias, hand-kept table.

pub mod cache;
pub mod channel;
pub mod embedded;
pub mod flake;
pub mod fsutil;
pub mod listing;
pub mod load;
pub mod nix;
pub mod time;

use serde::Serialize;
use std::borrow::Cow;

/// A Python package set with fewer attrs than this is not nixpkgs' (the
/// real `python3Packages` has well over 8,000): a nix evaluation, a channel
/// listing or a cache that offers such a set is refused as implausible, so
/// a fake or truncated nixpkgs cannot make real packages "not in nixpkgs".
pub const MIN_PYTHON_ATTRS: usize = 3_000;

/// Which source an index came from (schema field `index.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The user's own nixpkgs, evaluated with `nix-instantiate`.
    Nix,
    /// A channel's `packages.json.br`, fetched by `pip-guard index update`.
    Channel,
    /// The snapshot embedded in the binary.
    Embedded,
}

/// Where the index came from and how old it is (schema field `index`).
#[derive(Debug, Clone, Serialize)]
pub struct IndexMeta {
    /// nix, channel or embedded.
    pub source: Source,
    /// nixpkgs commit, channel name or store path.
    pub nixpkgs: String,
    /// Date of the data (`YYYY-MM-DD` or RFC 3339), as well as known.
    pub date: String,
    /// Number of Python packages known.
    pub packages: usize,
    /// For the nix source: how the nixpkgs was found (`flake.lock`,
    /// `registry`, `NIX_PATH`, `channels`, `policy`); `null` otherwise.
    pub nixpkgs_from: Option<&'static str>,
    /// The versioned set `python3Packages` is in this nixpkgs
    /// (`python313Packages`), when known.
    pub default_set: Option<String>,
    /// Why the index is stale and how to fix it, said once in the text
    /// report (not in the JSON: `source` and `date` carry the facts).
    #[serde(skip)]
    pub stale: Option<String>,
}

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

/// Which rule mapped a PyPI name to an attr (schema field `nix.matched_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedBy {
    /// The normalized name is an attr.
    Attr,
    /// A package's pname normalizes to the name.
    Pname,
    /// nixpkgs' own alias list (`python-aliases.nix`).
    Alias,
    /// pip-guard's hand-kept PyPI→nixpkgs table (`data/pypi-to-nixpkgs.tsv`).
    Table,
}

/// The answer to "does nixpkgs have this PyPI project?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Found: the package and the rule that found it.
    Found {
        /// The package.
        package: Package,
        /// The rule.
        matched_by: MatchedBy,
        /// A top-level application attr, for command-line use (`black`, `httpie`).
        app: Option<String>,
    },
    /// nixpkgs removed the attr; the message says why.
    Removed {
        /// The removed attr.
        attr: String,
        /// nixpkgs' removal message.
        message: String,
    },
    /// Not in nixpkgs.
    Missing,
}

impl Lookup {
    /// The attr found and the rule that found it, if found.
    pub fn found(&self) -> Option<(&str, MatchedBy)> {
        match self {
            Lookup::Found {
                package,
                matched_by,
                ..
            } => Some((package.attr.as_str(), *matched_by)),
            _ => None,
        }
    }
}

/// An entry of the hand-kept PyPI→nixpkgs table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// The attr in the Python set.
    pub attr: String,
    /// Evidence in the nixpkgs sources.
    pub evidence: String,
}

/// Extras nixpkgs builds as attrs of their own (`psycopg[c]` →
/// `psycopg-c`), from `data/extras-as-attrs.tsv`: `(attr, evidence)`.
pub fn extras_as_attrs<'a>(
    normalized: &'a str,
    extra: &'a str,
) -> impl Iterator<Item = (&'static str, &'static str)> + 'a {
    include_str!("../../data/extras-as-attrs.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(move |l| {
            let mut c = l.splitn(4, '\t');
            let (n, e, a, ev) = (c.next()?, c.next()?, c.next()?, c.next().unwrap_or(""));
            (n == normalized && e == extra).then_some((a, ev))
        })
}

/// Text that is either embedded in the binary or read at run time.
pub type Text = Cow<'static, str>;

/// One package row (owned or borrowed text).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    attr: Text,
    pname: Option<Text>,
    version: Option<Text>,
}

/// A row as seen by lookups, whatever the storage.
#[derive(Debug, Clone, Copy)]
struct RowRef<'a> {
    attr: &'a str,
    pname: Option<&'a str>,
    version: Option<&'a str>,
}

impl RowRef<'_> {
    fn to_package(self) -> Package {
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

    fn get(&self, i: usize) -> RowRef<'_> {
        match self {
            Rows::Static {
                text,
                spans,
                pnames,
            } => {
                let (o, l) = spans[i];
                let attr = &text[o as usize..(o + l) as usize];
                RowRef {
                    attr,
                    pname: pnames.get(attr).map(|p| p.as_ref()),
                    version: None,
                }
            }
            Rows::Owned(v) => {
                let r = &v[i];
                RowRef {
                    attr: &r.attr,
                    pname: r.pname.as_deref(),
                    version: r.version.as_deref(),
                }
            }
            Rows::Text { text, rows } => {
                let (attr, pname, version) = rows[i].fields(text);
                RowRef {
                    attr,
                    pname: Some(if pname.is_empty() { attr } else { pname }),
                    version: (!version.is_empty()).then_some(version),
                }
            }
        }
    }

    fn attr(&self, i: usize) -> &str {
        match self {
            Rows::Static { text, spans, .. } => {
                let (o, l) = spans[i];
                &text[o as usize..(o + l) as usize]
            }
            Rows::Owned(v) => &v[i].attr,
            Rows::Text { text, rows } => rows[i].fields(text).0,
        }
    }

    fn find(&self, attr: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.attr(mid).cmp(attr) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
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
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.entries[i].1)
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// The mapping tables that do not depend on the index source: nixpkgs'
/// aliases and removals, and pip-guard's own PyPI→nixpkgs tables.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    /// normalized alias → target attr.
    aliases: SortedMap<Text>,
    /// normalized removed attr → nixpkgs' message.
    removed: SortedMap<Text>,
    /// normalized PyPI name → (attr, evidence).
    table: SortedMap<(Text, Text)>,
    /// normalized PyPI name → (top-level application attr, evidence).
    apps: SortedMap<(Text, Text)>,
}

impl Mappings {
    /// Mappings from explicit lists (keys must be PEP 503 normalized).
    /// Meant for tests and callers that build an index by hand.
    pub fn new(
        aliases: Vec<(String, String)>,
        removed: Vec<(String, String)>,
        table: Vec<(String, TableEntry)>,
        apps: Vec<(String, String)>,
    ) -> Self {
        let own = |s: String| -> Text { Cow::Owned(s) };
        Mappings {
            aliases: SortedMap::from_unsorted(
                aliases.into_iter().map(|(k, v)| (own(k), own(v))).collect(),
            ),
            removed: SortedMap::from_unsorted(
                removed.into_iter().map(|(k, v)| (own(k), own(v))).collect(),
            ),
            table: SortedMap::from_unsorted(
                table
                    .into_iter()
                    .map(|(k, e)| (own(k), (own(e.attr), own(e.evidence))))
                    .collect(),
            ),
            apps: SortedMap::from_unsorted(
                apps.into_iter()
                    .map(|(k, v)| (own(k), (own(v), Cow::Borrowed(""))))
                    .collect(),
            ),
        }
    }

    pub(crate) fn from_parts(
        aliases: SortedMap<Text>,
        removed: SortedMap<Text>,
        table: SortedMap<(Text, Text)>,
        apps: SortedMap<(Text, Text)>,
    ) -> Self {
        Mappings {
            aliases,
            removed,
            table,
            apps,
        }
    }

    /// The alias target of a normalized name.
    pub fn alias(&self, normalized: &str) -> Option<&str> {
        self.aliases.get(normalized).map(|t| t.as_ref())
    }
    /// nixpkgs' removal message for a normalized name.
    pub fn removed(&self, normalized: &str) -> Option<&str> {
        self.removed.get(normalized).map(|t| t.as_ref())
    }
    /// The hand-kept table's entry for a normalized PyPI name.
    pub fn table(&self, normalized: &str) -> Option<TableEntry> {
        self.table.get(normalized).map(|(a, e)| TableEntry {
            attr: a.to_string(),
            evidence: e.to_string(),
        })
    }
    /// The top-level application attr for a normalized PyPI name.
    pub fn app(&self, normalized: &str) -> Option<&str> {
        self.apps.get(normalized).map(|(a, _)| a.as_ref())
    }
    /// Every `(pypi name, app attr, evidence)` of the applications table.
    pub fn apps(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.apps
            .iter()
            .map(|(k, (a, e))| (k, a.as_ref(), e.as_ref()))
    }
    /// Every `(pypi name, attr, evidence)` of the hand-kept table.
    pub fn table_entries(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.table
            .iter()
            .map(|(k, (a, e))| (k, a.as_ref(), e.as_ref()))
    }
    /// Every `(normalized alias, target)`.
    pub fn alias_entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.aliases.iter().map(|(k, v)| (k, v.as_ref()))
    }
    /// Every `(normalized removed attr, message)`.
    pub fn removed_entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.removed.iter().map(|(k, v)| (k, v.as_ref()))
    }
    /// Attrs worth asking a source about for a normalized PyPI name: the
    /// name itself, then its alias target and table target, if any.
    pub fn candidates(&self, normalized: &str) -> Vec<String> {
        let mut out = vec![normalized.to_string()];
        for t in [
            self.alias(normalized),
            self.table.get(normalized).map(|(a, _)| a.as_ref()),
        ]
        .into_iter()
        .flatten()
        {
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
        out
    }
}

/// nixpkgs' Python package set, indexed for lookups.
///
/// Rows are sorted by attr and searched by binary search; embedded data is
/// borrowed from the binary, so building the embedded index copies nothing
/// but pointers.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Source and age.
    pub meta: Option<IndexMeta>,
    /// The package set's name, e.g. `python312Packages`.
    pub package_set: String,
    /// Packages, sorted by attr, unique.
    rows: Rows,
    /// PEP 503 name → row, for attrs that are not normalized (`plasTeX`).
    by_norm_attr: SortedMap<u32>,
    /// normalized pname → row, where it differs from the attr (first wins).
    by_pname: SortedMap<u32>,
    /// Aliases, removals, the hand-kept tables.
    mappings: Mappings,
    /// Top-level attrs the source knows to exist (`None`: not checked, trust
    /// the applications table).
    toplevel: Option<SortedMap<()>>,
    /// `attr.extra` → whether `attr.optional-dependencies.extra` exists,
    /// for the pairs the source checked (nix).
    extras: SortedMap<bool>,
}

/// Whether `name` is already PEP 503 normalized.
pub(crate) fn is_normalized(name: &str) -> bool {
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

impl Index {
    /// An index over `packages` (any order; on duplicate attrs the first
    /// wins), with the given mappings.
    pub fn from_packages(
        meta: Option<IndexMeta>,
        package_set: impl Into<String>,
        packages: Vec<Package>,
        mappings: Mappings,
    ) -> Index {
        let rows = packages
            .into_iter()
            .map(|p| Row {
                attr: Cow::Owned(p.attr),
                pname: p.pname.map(Cow::Owned),
                version: p.version.map(Cow::Owned),
            })
            .collect();
        Self::from_rows(meta, package_set.into(), rows, mappings)
    }

    /// Build from rows; sorts them when needed and derives the name maps.
    fn from_rows(
        meta: Option<IndexMeta>,
        package_set: String,
        mut rows: Vec<Row>,
        mappings: Mappings,
    ) -> Index {
        if !rows.windows(2).all(|w| w[0].attr < w[1].attr) {
            rows.sort_by(|a, b| a.attr.cmp(&b.attr));
            rows.dedup_by(|later, earlier| later.attr == earlier.attr);
        }
        Self::with_derived_maps(meta, package_set, Rows::Owned(rows), mappings)
    }

    /// Build over `text` (kept) whose `rows` are `attr<TAB>pname<TAB>version`
    /// lines, as in a cache section; empty pname = the attr. Rows out of
    /// order are copied into owned rows and sorted.
    pub(crate) fn from_text(
        meta: Option<IndexMeta>,
        package_set: String,
        text: String,
        rows: Vec<TextRow>,
        mappings: Mappings,
    ) -> Index {
        let rows = Rows::Text { text, rows };
        let sorted = (1..rows.len()).all(|i| rows.attr(i - 1) < rows.attr(i));
        if sorted {
            return Self::with_derived_maps(meta, package_set, rows, mappings);
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
        Self::from_rows(meta, package_set, owned, mappings)
    }

    /// Derive the normalized-attr and pname maps of sorted rows.
    fn with_derived_maps(
        meta: Option<IndexMeta>,
        package_set: String,
        rows: Rows,
        mappings: Mappings,
    ) -> Index {
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
        Index {
            meta,
            package_set,
            rows,
            by_norm_attr: SortedMap::from_unsorted(norm),
            by_pname: SortedMap::from_unsorted(pnames),
            mappings,
            toplevel: None,
            extras: SortedMap::default(),
        }
    }

    /// Build over a static text with one attr a line (sorted, unique: the
    /// embedded data, checked by its tests). `unnormalized` maps PEP 503
    /// names to the attrs that are not normalized; `pnames` is attr → pname.
    fn from_static(
        meta: Option<IndexMeta>,
        package_set: String,
        text: &'static str,
        unnormalized: SortedMap<Text>,
        pnames: SortedMap<Text>,
        mappings: Mappings,
    ) -> Index {
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
        Index {
            meta,
            package_set,
            rows,
            by_norm_attr: SortedMap::from_unsorted(by_norm_attr),
            by_pname: SortedMap::from_unsorted(by_pname),
            mappings,
            toplevel: None,
            extras: SortedMap::default(),
        }
    }

    /// Record which `optional-dependencies` the source checked: `(attr,
    /// extra, exists)`.
    pub(crate) fn set_extras(&mut self, checked: Vec<(String, String, bool)>) {
        self.extras = SortedMap::from_unsorted(
            checked
                .into_iter()
                .map(|(a, e, ok)| (Cow::Owned(format!("{a}.{e}")), ok))
                .collect(),
        );
    }

    /// Whether `attr` has the extra `extra` (`optional-dependencies`):
    /// `None` when the source cannot tell (channel listings and the
    /// embedded snapshot carry no extras).
    pub fn extra(&self, attr: &str, extra: &str) -> Option<bool> {
        self.extras.get(&format!("{attr}.{extra}")).copied()
    }

    /// Record the top-level attrs the source knows (a channel listing):
    /// an application attr is then reported only when it exists.
    pub(crate) fn set_toplevel(&mut self, attrs: Vec<Text>) {
        self.toplevel = Some(SortedMap::from_unsorted(
            attrs.into_iter().map(|a| (a, ())).collect(),
        ));
    }

    /// Number of packages.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the index knows no package.
    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// The mapping tables (aliases, removals, hand-kept tables).
    pub fn mappings(&self) -> &Mappings {
        &self.mappings
    }

    fn row(&self, attr: &str) -> Option<RowRef<'_>> {
        self.rows.find(attr).map(|i| self.rows.get(i))
    }

    /// The package with exactly this attr.
    pub fn get(&self, attr: &str) -> Option<Package> {
        self.row(attr).map(RowRef::to_package)
    }

    /// Whether the set has exactly this attr.
    pub fn contains(&self, attr: &str) -> bool {
        self.row(attr).is_some()
    }

    /// Every attr, sorted.
    pub fn attrs(&self) -> impl Iterator<Item = &str> {
        (0..self.rows.len()).map(|i| self.rows.attr(i))
    }

    /// Every package, sorted by attr.
    pub fn packages(&self) -> impl Iterator<Item = Package> + '_ {
        (0..self.rows.len()).map(|i| self.rows.get(i).to_package())
    }

    /// The attr a PEP 503 name matches directly (exactly, or an attr that
    /// normalizes to it).
    fn attr_match(&self, normalized: &str) -> Option<RowRef<'_>> {
        self.row(normalized).or_else(|| {
            self.by_norm_attr
                .get(normalized)
                .map(|&i| self.rows.get(i as usize))
        })
    }

    /// The top-level application attr for a PEP 503 name (`pre-commit` →
    /// `pre-commit`), if the applications table has one and the source does
    /// not know it to be absent. Also answers for names that are not in the
    /// Python set at all (`Lookup::Missing`): point those to `pkgs.<app>`.
    pub fn app(&self, normalized: &str) -> Option<String> {
        let app = self.mappings.app(normalized)?;
        match &self.toplevel {
            Some(known) if known.get(app).is_none() => None,
            _ => Some(app.to_string()),
        }
    }

    /// Map a PEP 503 normalized name to a package of the set, in the order
    /// attr, pname, nixpkgs alias, hand-kept table; then a removal notice.
    pub fn lookup(&self, normalized: &str) -> Lookup {
        let found = |row: RowRef<'_>, by: MatchedBy| Lookup::Found {
            package: row.to_package(),
            matched_by: by,
            app: self.app(normalized),
        };
        if let Some(r) = self.attr_match(normalized) {
            return found(r, MatchedBy::Attr);
        }
        if let Some(&i) = self.by_pname.get(normalized) {
            return found(self.rows.get(i as usize), MatchedBy::Pname);
        }
        if let Some(r) = self.mappings.alias(normalized).and_then(|a| self.row(a)) {
            return found(r, MatchedBy::Alias);
        }
        if let Some(r) = self
            .mappings
            .table
            .get(normalized)
            .and_then(|(a, _)| self.row(a))
        {
            return found(r, MatchedBy::Table);
        }
        if let Some(message) = self.mappings.removed(normalized) {
            return Lookup::Removed {
                attr: normalized.to_string(),
                message: message.to_string(),
            };
        }
        Lookup::Missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(attr: &str, pname: Option<&str>) -> Package {
        Package {
            attr: attr.into(),
            pname: pname.map(Into::into),
            version: None,
        }
    }

    fn index() -> Index {
        let mappings = Mappings::new(
            vec![
                ("old-name".into(), "new-name".into()),
                ("psycopg2-binary".into(), "psycopg2".into()),
            ],
            vec![("gone".into(), "gone was removed".into())],
            vec![(
                "opencv-python".into(),
                TableEntry {
                    attr: "opencv4".into(),
                    evidence: "e".into(),
                },
            )],
            vec![("black".into(), "black".into())],
        );
        Index::from_packages(
            None,
            "python312Packages",
            vec![
                pkg("psycopg2-binary", None),
                pkg("psycopg2", None),
                pkg("new-name", None),
                pkg("opencv4", Some("opencv")),
                pkg("plasTeX", None),
                pkg("black", Some("black")),
                pkg("pyicu", Some("PyICU")),
                pkg("jinja2", Some("Jinja2")),
                pkg("foo-bar-lib", Some("foo_bar")),
            ],
            mappings,
        )
    }

    fn matched(l: Lookup) -> (String, MatchedBy) {
        match l {
            Lookup::Found {
                package,
                matched_by,
                ..
            } => (package.attr, matched_by),
            other => panic!("not found: {other:?}"),
        }
    }

    #[test]
    fn order_attr_pname_alias_table() {
        let ix = index();
        assert_eq!(
            matched(ix.lookup("psycopg2-binary")),
            ("psycopg2-binary".into(), MatchedBy::Attr)
        );
        assert_eq!(
            matched(ix.lookup("plastex")),
            ("plasTeX".into(), MatchedBy::Attr)
        );
        assert_eq!(
            matched(ix.lookup("foo-bar")),
            ("foo-bar-lib".into(), MatchedBy::Pname)
        );
        assert_eq!(
            matched(ix.lookup("opencv")),
            ("opencv4".into(), MatchedBy::Pname)
        );
        assert_eq!(
            matched(ix.lookup("old-name")),
            ("new-name".into(), MatchedBy::Alias)
        );
        assert_eq!(
            matched(ix.lookup("opencv-python")),
            ("opencv4".into(), MatchedBy::Table)
        );
        assert!(matches!(ix.lookup("gone"), Lookup::Removed { .. }));
        assert_eq!(ix.lookup("nothing-like-it"), Lookup::Missing);
        // jinja2's pname normalizes to its attr: no pname entry needed.
        assert_eq!(
            matched(ix.lookup("jinja2")),
            ("jinja2".into(), MatchedBy::Attr)
        );
    }

    #[test]
    fn apps_are_reported_and_checked_against_toplevel() {
        let mut ix = index();
        let app = |ix: &Index| match ix.lookup("black") {
            Lookup::Found { app, .. } => app,
            _ => None,
        };
        assert_eq!(app(&ix), Some("black".to_string()));
        ix.set_toplevel(vec![Cow::Borrowed("hello")]);
        assert_eq!(app(&ix), None);
    }

    #[test]
    fn unsorted_duplicates_first_wins() {
        let ix = Index::from_packages(
            None,
            "s",
            vec![pkg("b", Some("x")), pkg("a", None), pkg("b", Some("y"))],
            Mappings::default(),
        );
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.get("b").and_then(|p| p.pname), Some("x".into()));
    }

    #[test]
    fn candidates_include_alias_and_table_targets() {
        let ix = index();
        assert_eq!(
            ix.mappings().candidates("opencv-python"),
            ["opencv-python", "opencv4"]
        );
        assert_eq!(
            ix.mappings().candidates("old-name"),
            ["old-name", "new-name"]
        );
    }
}

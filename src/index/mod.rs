//! nixpkgs' Python package set as (attr, pname, version), from the best
//! source available: the user's nixpkgs through `nix-instantiate`
//! ([`nix`]), a cached channel listing ([`channel`]), or the snapshot
//! embedded in the binary ([`embedded`]).
//!
//! The packages are kept by [`store`] (sorted attrs, binary search, no
//! copy of embedded data); the PyPI-name → nixpkgs rules are [`mapping`]'s
//! ([`Index::lookup`] is pure: it maps a PEP 503 name to an attr in the
//! order attr, pname, nixpkgs alias, hand-kept table). This module is the
//! [`Index`] type that joins them, and its source's metadata.

pub mod cache;
pub mod channel;
pub mod embedded;
pub mod environment;
pub mod flake;
pub mod fsutil;
pub mod listing;
pub mod load;
pub mod mapping;
pub mod nix;
pub mod store;
pub mod time;

pub use self::environment::Environment;
pub use self::mapping::{extras_as_attrs, Lookup, Mappings, MatchedBy, TableEntry};
use self::store::Store;
pub use self::store::{Package, PackageRef, Text};
pub(crate) use self::store::{SortedMap, TextRow};
use serde::Serialize;

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
    /// The packages and the names that reach them.
    store: Store,
    /// Aliases, removals, the hand-kept tables.
    mappings: Mappings,
    /// Top-level attrs the source knows to exist (`None`: not checked, trust
    /// the applications table).
    toplevel: Option<SortedMap<()>>,
    /// `attr.extra` → whether `attr.optional-dependencies.extra` exists,
    /// for the pairs the source checked (nix).
    extras: SortedMap<bool>,
}

impl Index {
    /// An index over `store` with the given mappings.
    fn over(
        meta: Option<IndexMeta>,
        package_set: String,
        store: Store,
        mappings: Mappings,
    ) -> Index {
        Index {
            meta,
            package_set,
            store,
            mappings,
            toplevel: None,
            extras: SortedMap::default(),
        }
    }

    /// An index over `packages` (any order; on duplicate attrs the first
    /// wins), with the given mappings.
    pub fn from_packages(
        meta: Option<IndexMeta>,
        package_set: impl Into<String>,
        packages: Vec<Package>,
        mappings: Mappings,
    ) -> Index {
        let store = Store::from_packages(packages);
        Self::over(meta, package_set.into(), store, mappings)
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
        Self::over(meta, package_set, Store::from_text(text, rows), mappings)
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
        let store = Store::from_static(text, unnormalized, pnames);
        Self::over(meta, package_set, store, mappings)
    }

    /// Record which `optional-dependencies` the source checked: `(attr,
    /// extra, exists)`.
    pub(crate) fn set_extras(&mut self, checked: Vec<(String, String, bool)>) {
        self.extras = SortedMap::from_unsorted(
            checked
                .into_iter()
                .map(|(a, e, ok)| (Text::Owned(format!("{a}.{e}")), ok))
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
        self.store.len()
    }

    /// Whether the index knows no package.
    pub fn is_empty(&self) -> bool {
        self.store.len() == 0
    }

    /// The mapping tables (aliases, removals, hand-kept tables).
    pub fn mappings(&self) -> &Mappings {
        &self.mappings
    }

    /// The package with exactly this attr.
    pub fn get(&self, attr: &str) -> Option<Package> {
        self.store.get(attr)
    }

    /// Whether the set has exactly this attr.
    pub fn contains(&self, attr: &str) -> bool {
        self.store.contains(attr)
    }

    /// Every attr, sorted.
    pub fn attrs(&self) -> impl Iterator<Item = &str> {
        self.store.attrs()
    }

    /// Every package, sorted by attr.
    pub fn packages(&self) -> impl Iterator<Item = Package> + '_ {
        self.store.packages()
    }

    /// The top-level application attr for a PEP 503 name (`pre-commit` →
    /// `pre-commit`), if the applications table has one and the source does
    /// not know it to be absent. Also answers for names that are not in the
    /// Python set at all (`Lookup::Missing`): point those to `pkgs.<app>`.
    pub fn app(&self, normalized: &str) -> Option<String> {
        mapping::app(&self.mappings, self.toplevel.as_ref(), normalized)
    }

    /// Map a PEP 503 normalized name to a package of the set, in the order
    /// attr, pname, nixpkgs alias, hand-kept table; then a removal notice
    /// (the rules are [`mapping`]'s).
    pub fn lookup(&self, normalized: &str) -> Lookup {
        mapping::lookup(
            &self.store,
            &self.mappings,
            self.toplevel.as_ref(),
            normalized,
        )
    }

    /// [`Index::lookup`], the package borrowed from the index.
    pub fn lookup_ref(&self, normalized: &str) -> Lookup<PackageRef<'_>> {
        mapping::lookup_ref(
            &self.store,
            &self.mappings,
            self.toplevel.as_ref(),
            normalized,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_and_app_see_the_toplevel_the_source_recorded() {
        let mut ix = Index::from_packages(
            None,
            "s",
            vec![Package {
                attr: "black".into(),
                pname: Some("black".into()),
                version: None,
            }],
            Mappings::new(
                vec![],
                vec![],
                vec![],
                vec![("black".into(), "black".into())],
            ),
        );
        let app = |ix: &Index| match ix.lookup("black") {
            Lookup::Found { app, .. } => app,
            _ => None,
        };
        assert_eq!(app(&ix), Some("black".to_string()));
        assert_eq!(ix.app("black"), Some("black".to_string()));
        ix.set_toplevel(vec![Text::Borrowed("hello")]);
        assert_eq!(app(&ix), None);
        assert_eq!(ix.app("black"), None);
    }
}

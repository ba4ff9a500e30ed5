//! The nixpkgs snapshot embedded in the binary: always there, offline.
//!
//! The files under `data/` are built by `scripts/build-data.py` from the
//! vendored upstream facts (data/upstream) and embedded with `include_str!`. They are sorted, so
//! building the index is one pass over each file that borrows every string
//! from the binary: no copying, no hashing (see `docs/index.md`).

use super::{Index, IndexMeta, Mappings, SortedMap, Source, Text};
use std::borrow::Cow;

/// The embedded data files, as compiled in.
pub mod data {
    /// Attributes of the Python set, one a line, byte-sorted.
    pub const ATTRS: &str = include_str!("../../data/nixpkgs-python-attrs.txt");
    /// `PEP 503 name<TAB>attr` for the attrs that are not normalized.
    pub const UNNORMALIZED: &str = include_str!("../../data/nixpkgs-python-attrs-unnormalized.tsv");
    /// `normalized alias<TAB>target attr`, byte-sorted.
    pub const ALIASES: &str = include_str!("../../data/nixpkgs-python-aliases.tsv");
    /// `normalized removed attr<TAB>message`, byte-sorted.
    pub const REMOVED: &str = include_str!("../../data/nixpkgs-python-removed.tsv");
    /// `attr<TAB>pname`, byte-sorted.
    pub const PNAMES: &str = include_str!("../../data/nixpkgs-python-pnames.tsv");
    /// `key<TAB>value` facts: commit, date, packages.
    pub const SNAPSHOT: &str = include_str!("../../data/nixpkgs-snapshot.txt");
    /// Hand-kept `pypi_name<TAB>attr<TAB>evidence`, sorted by PyPI name.
    pub const TABLE: &str = include_str!("../../data/pypi-to-nixpkgs.tsv");
    /// Hand-kept `pypi_name<TAB>top-level attr<TAB>evidence`, sorted.
    pub const APPS: &str = include_str!("../../data/pypi-to-nixpkgs-apps.tsv");
    /// Top-level application attrs the snapshot itself shows, one a line.
    pub const TOPLEVEL_APPS: &str = include_str!("../../data/nixpkgs-toplevel-apps.txt");
}

/// Data lines: everything but blank lines and `#` comments.
pub(crate) fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `key<TAB>value` pairs of a two-column file (lines without a tab skipped).
fn pairs(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    data_lines(text).filter_map(|l| l.split_once('\t'))
}

/// `key<TAB>a<TAB>b` triples of a three-column file.
fn triples(text: &'static str) -> impl Iterator<Item = (&'static str, (Text, Text))> {
    data_lines(text).filter_map(|l| {
        let mut it = l.splitn(3, '\t');
        let k = it.next()?;
        let a = it.next()?;
        let b = it.next().unwrap_or("");
        Some((k, (Cow::Borrowed(a), Cow::Borrowed(b))))
    })
}

/// A fact of the snapshot (`commit`, `date`, `packages`, …).
pub fn snapshot_fact(key: &str) -> Option<&'static str> {
    pairs(data::SNAPSHOT)
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The nixpkgs commit of the snapshot.
pub fn commit() -> &'static str {
    snapshot_fact("commit").unwrap_or("unknown")
}

/// The date of the snapshot (`YYYY-MM`, approximate).
pub fn date() -> &'static str {
    snapshot_fact("date").unwrap_or("unknown")
}

/// The mapping tables compiled in: nixpkgs' aliases and removals, and the
/// hand-kept PyPI→nixpkgs and applications tables.
pub fn mappings() -> Mappings {
    let borrowed = |(k, v): (&'static str, &'static str)| (Cow::Borrowed(k), Cow::Borrowed(v));
    let keyed = |(k, v): (&'static str, (Text, Text))| (Cow::Borrowed(k), v);
    Mappings::from_parts(
        SortedMap::from_unsorted(pairs(data::ALIASES).map(borrowed).collect()),
        SortedMap::from_unsorted(pairs(data::REMOVED).map(borrowed).collect()),
        SortedMap::from_unsorted(triples(data::TABLE).map(keyed).collect()),
        SortedMap::from_unsorted(triples(data::APPS).map(keyed).collect()),
    )
}

impl Index {
    /// The snapshot compiled into the binary, for `package_set` (the
    /// snapshot has one attribute list, valid for every `python3XXPackages`,
    /// and no versions).
    pub fn embedded(package_set: &str) -> Index {
        let borrowed = |(k, v): (&'static str, &'static str)| (Cow::Borrowed(k), Cow::Borrowed(v));
        let mut index = Index::from_static(
            None,
            package_set.to_string(),
            data::ATTRS,
            SortedMap::from_unsorted(pairs(data::UNNORMALIZED).map(borrowed).collect()),
            SortedMap::from_unsorted(pairs(data::PNAMES).map(borrowed).collect()),
            mappings(),
        );
        index.meta = Some(IndexMeta {
            source: Source::Embedded,
            nixpkgs: commit().to_string(),
            date: date().to_string(),
            packages: index.len(),
            nixpkgs_from: None,
            default_set: snapshot_fact("python3_set").map(str::to_string),
            stale: None,
        });
        // Only the applications this snapshot shows at the top level.
        index.set_toplevel(data_lines(data::TOPLEVEL_APPS).map(Cow::Borrowed).collect());
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Lookup, MatchedBy};

    #[test]
    fn embedded_knows_common_packages() {
        let ix = Index::embedded("python312Packages");
        assert!(ix.len() > 8_000, "only {} packages", ix.len());
        let m = ix.meta.as_ref().map(|m| (m.source, m.packages));
        assert_eq!(m, Some((Source::Embedded, ix.len())));
        for name in ["requests", "numpy", "psycopg2-binary"] {
            assert!(
                matches!(
                    ix.lookup(name),
                    Lookup::Found {
                        matched_by: MatchedBy::Attr,
                        ..
                    }
                ),
                "{name}"
            );
        }
        assert!(!ix.contains("bootstrap.flit-core"));
        assert!(!ix.contains("pytest7CheckHook"));
        assert_eq!(
            ix.get("jinja2").and_then(|p| p.pname).as_deref(),
            Some("Jinja2")
        );
    }

    #[test]
    fn the_2025_snapshot_keeps_what_2024_taught() {
        let ix = Index::embedded("python3Packages");
        assert_eq!(commit(), "5e3666d1e47b01abe7ec65a20e421dc6c871f82d");
        assert_eq!(snapshot_fact("python3_set"), Some("python313Packages"));
        // New in 2025.
        assert!(ix.contains("strawberry-django") && ix.contains("audioop-lts"));
        // `typing` is null in 2025: never an attr.
        assert!(!ix.contains("typing"));
        // Gone without a note between the snapshots: said so.
        match ix.lookup("binwalk") {
            Lookup::Removed { message, .. } => assert!(message.contains("2024"), "{message}"),
            other => panic!("binwalk: {other:?}"),
        }
        // A 2024 promotion the 2025 aliases dropped still holds.
        match ix.lookup("ansible-later") {
            Lookup::Removed { message, .. } => assert!(message.contains("top-level"), "{message}"),
            other => panic!("ansible-later: {other:?}"),
        }
        // Removed in 2024, an attr again in 2025: the attr wins.
        assert_eq!(
            ix.lookup("forbiddenfruit").found(),
            Some(("forbiddenfruit", MatchedBy::Attr))
        );
    }

    #[test]
    fn embedded_aliases_and_table() {
        let ix = Index::embedded("python312Packages");
        assert_eq!(
            ix.lookup("pytorch").found(),
            Some(("torch", MatchedBy::Alias))
        );
        assert_eq!(
            ix.lookup("pygobject").found(),
            Some(("pygobject3", MatchedBy::Table))
        );
    }
}

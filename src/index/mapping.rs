//! The PyPI-name → nixpkgs mapping rules: a PEP 503 name is looked up in
//! the order attr, pname, nixpkgs alias, hand-kept table, then nixpkgs'
//! removal notices; and the top-level application attr, if any. Pure: the
//! rules read the store (`store.rs`) and the [`Mappings`] they are given.

use super::store::{Package, PackageRef, SortedMap, Store, Text};
use serde::Serialize;
use std::borrow::Cow;

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

/// The answer to "does nixpkgs have this PyPI project?" (the package owned,
/// or borrowed from the index: [`crate::index::Index::lookup_ref`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<P = Package> {
    /// Found: the package and the rule that found it.
    Found {
        /// The package.
        package: P,
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

/// The top-level application attr for a PEP 503 name (`pre-commit` →
/// `pre-commit`), if the applications table has one and `toplevel` (the
/// top-level attrs the source knows, `None`: not checked) does not lack it.
pub(crate) fn app(
    mappings: &Mappings,
    toplevel: Option<&SortedMap<()>>,
    normalized: &str,
) -> Option<String> {
    let app = mappings.app(normalized)?;
    match toplevel {
        Some(known) if known.get(app).is_none() => None,
        _ => Some(app.to_string()),
    }
}

/// Map a PEP 503 normalized name to a package of `store`, in the order
/// attr, pname, nixpkgs alias, hand-kept table; then a removal notice.
pub(crate) fn lookup(
    store: &Store,
    mappings: &Mappings,
    toplevel: Option<&SortedMap<()>>,
    normalized: &str,
) -> Lookup {
    match lookup_ref(store, mappings, toplevel, normalized) {
        Lookup::Found {
            package,
            matched_by,
            app,
        } => Lookup::Found {
            package: package.to_package(),
            matched_by,
            app,
        },
        Lookup::Removed { attr, message } => Lookup::Removed { attr, message },
        Lookup::Missing => Lookup::Missing,
    }
}

/// [`lookup`], the package borrowed from the store (no copy of its attr,
/// pname and version per lookup).
pub(crate) fn lookup_ref<'s>(
    store: &'s Store,
    mappings: &Mappings,
    toplevel: Option<&SortedMap<()>>,
    normalized: &str,
) -> Lookup<PackageRef<'s>> {
    let found = |package: PackageRef<'s>, by: MatchedBy| Lookup::Found {
        package,
        matched_by: by,
        app: app(mappings, toplevel, normalized),
    };
    if let Some(p) = store.by_attr_ref(normalized) {
        return found(p, MatchedBy::Attr);
    }
    if let Some(p) = store.by_pname_ref(normalized) {
        return found(p, MatchedBy::Pname);
    }
    if let Some(p) = mappings.alias(normalized).and_then(|a| store.get_ref(a)) {
        return found(p, MatchedBy::Alias);
    }
    if let Some(p) = mappings
        .table
        .get(normalized)
        .and_then(|(a, _)| store.get_ref(a))
    {
        return found(p, MatchedBy::Table);
    }
    if let Some(message) = mappings.removed(normalized) {
        return Lookup::Removed {
            attr: normalized.to_string(),
            message: message.to_string(),
        };
    }
    Lookup::Missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(attr: &str, pname: Option<&str>) -> Package {
        Package::unversioned(attr, pname)
    }

    fn mappings() -> Mappings {
        Mappings::new(
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
        )
    }

    fn store() -> Store {
        Store::from_packages(vec![
            pkg("psycopg2-binary", None),
            pkg("psycopg2", None),
            pkg("new-name", None),
            pkg("opencv4", Some("opencv")),
            pkg("plasTeX", None),
            pkg("black", Some("black")),
            pkg("pyicu", Some("PyICU")),
            pkg("jinja2", Some("Jinja2")),
            pkg("foo-bar-lib", Some("foo_bar")),
        ])
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
        let (s, m) = (store(), mappings());
        let look = |n: &str| lookup(&s, &m, None, n);
        for (name, attr, by) in [
            ("psycopg2-binary", "psycopg2-binary", MatchedBy::Attr),
            ("plastex", "plasTeX", MatchedBy::Attr),
            ("foo-bar", "foo-bar-lib", MatchedBy::Pname),
            ("opencv", "opencv4", MatchedBy::Pname),
            ("old-name", "new-name", MatchedBy::Alias),
            ("opencv-python", "opencv4", MatchedBy::Table),
        ] {
            assert_eq!(matched(look(name)), (attr.into(), by), "{name}");
        }
        assert!(matches!(look("gone"), Lookup::Removed { .. }));
        assert_eq!(look("nothing-like-it"), Lookup::Missing);
        // jinja2's pname normalizes to its attr: no pname entry needed.
        assert_eq!(matched(look("jinja2")), ("jinja2".into(), MatchedBy::Attr));
    }

    #[test]
    fn apps_are_reported_and_checked_against_toplevel() {
        let (s, m) = (store(), mappings());
        let app = |toplevel: Option<&SortedMap<()>>| match lookup(&s, &m, toplevel, "black") {
            Lookup::Found { app, .. } => app,
            _ => None,
        };
        assert_eq!(app(None), Some("black".to_string()));
        let known = SortedMap::from_unsorted(vec![(Cow::Borrowed("hello"), ())]);
        assert_eq!(app(Some(&known)), None);
    }

    #[test]
    fn candidates_include_alias_and_table_targets() {
        let m = mappings();
        assert_eq!(m.candidates("opencv-python"), ["opencv-python", "opencv4"]);
        assert_eq!(m.candidates("old-name"), ["old-name", "new-name"]);
    }
}

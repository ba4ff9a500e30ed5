//! nixpkgs' Python package set as (attr, pname, version), from the best
//! source available: the user's nixpkgs through `nix-instantiate`
//! ([`nix`]), a cached channel listing ([`channel`]), or the snapshot
//! embedded in the binary ([`embedded`]).
//!
//! [`Index::lookup`] is pure: it maps a PEP 503 name to an attr in the
//! order attr, pname, nixpkgs alias, hand-kept table.

pub mod channel;
pub mod embedded;
pub mod nix;

use serde::Serialize;
use std::collections::HashMap;

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

/// An entry of the hand-kept PyPI→nixpkgs table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// The attr in the Python set.
    pub attr: String,
    /// Evidence in the nixpkgs sources.
    pub evidence: String,
}

/// nixpkgs' Python package set, indexed for lookups.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Source and age.
    pub meta: Option<IndexMeta>,
    /// The package set's name, e.g. `python312Packages`.
    pub package_set: String,
    /// attr → package.
    pub packages: HashMap<String, Package>,
    /// normalized pname → attr (first one wins).
    pub by_pname: HashMap<String, String>,
    /// alias → target attr.
    pub aliases: HashMap<String, String>,
    /// removed attr → message.
    pub removed: HashMap<String, String>,
    /// normalized PyPI name → table entry.
    pub table: HashMap<String, TableEntry>,
    /// normalized PyPI name → top-level application attr.
    pub apps: HashMap<String, String>,
}

impl Index {
    /// Map a PEP 503 normalized name to a package of the set.
    pub fn lookup(&self, normalized: &str) -> Lookup {
        let app = self.apps.get(normalized).cloned();
        let found = |attr: &str, by: MatchedBy| {
            self.packages.get(attr).map(|p| Lookup::Found {
                package: p.clone(),
                matched_by: by,
                app: app.clone(),
            })
        };
        if let Some(l) = found(normalized, MatchedBy::Attr) {
            return l;
        }
        if let Some(l) = self
            .by_pname
            .get(normalized)
            .and_then(|a| found(a, MatchedBy::Pname))
        {
            return l;
        }
        if let Some(l) = self
            .aliases
            .get(normalized)
            .and_then(|a| found(a, MatchedBy::Alias))
        {
            return l;
        }
        if let Some(l) = self
            .table
            .get(normalized)
            .and_then(|e| found(&e.attr, MatchedBy::Table))
        {
            return l;
        }
        if let Some(message) = self.removed.get(normalized) {
            return Lookup::Removed {
                attr: normalized.to_string(),
                message: message.clone(),
            };
        }
        Lookup::Missing
    }
}

/// Load the index from the chosen source (stub: embedded only until the
/// index sources land).
pub fn load(
    _choice: crate::cli::IndexChoice,
    package_set: &str,
    _candidates: &[String],
) -> color_eyre::Result<Index> {
    Ok(Index {
        package_set: package_set.to_string(),
        ..Index::default()
    })
}

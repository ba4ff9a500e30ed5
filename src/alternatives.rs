//! Native (C/C++/Rust) alternatives to PyPI projects, from
//! `data/alternatives.toml` (built from nixpkgs evidence).

use serde::{Deserialize, Serialize};

/// One native alternative in nixpkgs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// PyPI projects it replaces (PEP 503 normalized).
    pub pypi: Vec<String>,
    /// Top-level nixpkgs attr, e.g. `whisper-cpp`.
    pub attr: String,
    /// Commands it provides.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Implementation language.
    #[serde(default)]
    pub language: String,
    /// One line on what it is and what it does not do.
    #[serde(default)]
    pub note: String,
    /// Evidence in the nixpkgs sources.
    #[serde(default)]
    pub evidence: String,
}

/// The table of native alternatives.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Alternatives {
    /// Every alternative.
    #[serde(default, rename = "alternative")]
    pub entries: Vec<Alternative>,
}

impl Alternatives {
    /// The alternatives for a PEP 503 normalized name.
    pub fn for_name<'a>(
        &'a self,
        normalized: &'a str,
    ) -> impl Iterator<Item = &'a Alternative> + 'a {
        self.entries
            .iter()
            .filter(move |a| a.pypi.iter().any(|p| p == normalized))
    }

    /// The table embedded at build time (`data/alternatives.toml`).
    pub fn embedded() -> Alternatives {
        // The embedded table is checked by the test suite; a parse failure
        // here is a build defect, so fall back to an empty table.
        toml::from_str(EMBEDDED).unwrap_or_default()
    }
}

const EMBEDDED: &str = include_str!("../data/alternatives.toml");

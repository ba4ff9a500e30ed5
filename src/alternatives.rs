//! Native (C/C++/Rust) alternatives to PyPI projects, from
//! `data/alternatives.toml` (built from nixpkgs evidence by
//! `scripts/build-alternatives.py`; never edited by hand).

use serde::{Deserialize, Serialize};

/// One native alternative in nixpkgs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// PyPI projects it replaces (PEP 503 normalized, sorted, unique).
    pub pypi: Vec<String>,
    /// Top-level nixpkgs attr, e.g. `whisper-cpp`.
    pub attr: String,
    /// Commands it provides (the main program first; an item may carry a
    /// short remark in parentheses).
    #[serde(default)]
    pub commands: Vec<String>,
    /// Implementation language.
    #[serde(default)]
    pub language: String,
    /// `cli`, `library` or `both`.
    #[serde(default)]
    pub kind: String,
    /// The Python set's own attrs for the projects it replaces, without the
    /// set prefix (`openai-whisper`, not `python312Packages.openai-whisper`).
    #[serde(default)]
    pub python: Vec<String>,
    /// One line on what it is and what it does not do.
    #[serde(default)]
    pub note: String,
    /// Evidence in the nixpkgs sources.
    #[serde(default)]
    pub evidence: String,
}

impl Alternative {
    /// Whether it provides commands (its `kind` is `cli` or `both`).
    pub fn has_commands(&self) -> bool {
        !self.commands.is_empty() && self.kind != "library"
    }
}

/// The table of native alternatives.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Alternatives {
    /// Every alternative, sorted by attr.
    #[serde(default, rename = "alternative")]
    pub entries: Vec<Alternative>,
    /// For each PyPI name, where its alternatives are in `entries` (made
    /// by [`Alternatives::parse`]).
    #[serde(skip)]
    by_name: std::collections::HashMap<String, Vec<usize>>,
}

impl Alternatives {
    /// The alternatives for a PEP 503 normalized name.
    pub fn for_name<'a>(
        &'a self,
        normalized: &'a str,
    ) -> impl Iterator<Item = &'a Alternative> + 'a {
        self.by_name
            .get(normalized)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.entries.get(i))
    }

    /// Parse a table (the format of `data/alternatives.toml`).
    pub fn parse(text: &str) -> Result<Alternatives, toml::de::Error> {
        let mut t: Alternatives = toml::from_str(text)?;
        for (i, a) in t.entries.iter().enumerate() {
            for p in &a.pypi {
                let at = t.by_name.entry(p.clone()).or_default();
                if !at.contains(&i) {
                    at.push(i);
                }
            }
        }
        Ok(t)
    }

    /// The table embedded at build time (`data/alternatives.toml`).
    pub fn embedded() -> Alternatives {
        // The embedded table is checked by the test suite
        // (`embedded_table_parses`); a parse failure here is a build defect,
        // so fall back to an empty table rather than fail at run time.
        Self::parse(EMBEDDED).unwrap_or_default()
    }
}

/// The text of `data/alternatives.toml`.
pub const EMBEDDED: &str = include_str!("../data/alternatives.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let t = Alternatives::parse(EMBEDDED).expect("data/alternatives.toml parses");
        assert!(t.entries.len() >= 30, "{} entries", t.entries.len());
    }

    #[test]
    fn whisper_maps_to_whisper_cpp() {
        let t = Alternatives::embedded();
        for name in ["openai-whisper", "faster-whisper", "whisperx"] {
            let alts: Vec<&str> = t.for_name(name).map(|a| a.attr.as_str()).collect();
            assert_eq!(alts, ["whisper-cpp"], "{name}");
        }
        let w = t.for_name("openai-whisper").next().expect("whisper-cpp");
        assert!(w.commands.iter().any(|c| c == "whisper-cli"));
        assert!(w.has_commands());
        assert!(w.python.iter().any(|p| p == "openai-whisper"));
    }

    #[test]
    fn names_are_normalized_and_the_table_sorted_unique() {
        let t = Alternatives::embedded();
        let attrs: Vec<&str> = t.entries.iter().map(|a| a.attr.as_str()).collect();
        let mut sorted = attrs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(attrs, sorted, "entries sorted by attr, unique");
        for a in &t.entries {
            for p in &a.pypi {
                assert_eq!(p, &crate::names::normalize(p), "{} lists {p}", a.attr);
            }
            let mut s = a.pypi.clone();
            s.sort();
            s.dedup();
            assert_eq!(a.pypi, s, "{}: pypi sorted and unique", a.attr);
        }
        // `pdfminer.six` and `PyPDF2` are written that way in the TSV.
        assert!(t
            .for_name("pdfminer-six")
            .any(|a| a.attr == "poppler-utils"));
        assert!(t.for_name("pypdf2").any(|a| a.attr == "poppler-utils"));
    }
}

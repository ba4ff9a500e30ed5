//! PEP 735 dependency groups (`--group [FILE:]GROUP`), resolved the way
//! pip 26.3 does it through `packaging.dependency_groups`: group names are
//! normalized, `{include-group = "…"}` is expanded in place (recursively,
//! cycles are an error), and every requirement keeps the line of
//! `pyproject.toml` it was written on.

use super::fs::{Fs, ReadError};
use super::tomlspan::{self, line_of_span, SVal};
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

/// A requirement string from a group and its 1-based line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRequirement {
    /// The PEP 508 string.
    pub text: String,
    /// Where it is written.
    pub line: usize,
}

/// An error, with the line it is about when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupError {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn err(line: Option<usize>, message: impl Into<String>) -> GroupError {
    GroupError {
        line,
        message: message.into(),
    }
}

/// `packaging.dependency_groups._normalize_name`: runs of `-_.` become `-`, lowercase.
pub fn normalize_group(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

/// How deep `include-group` chains may go (`packaging` recurses too, and
/// fails with `RecursionError` a few hundred levels down).
pub const MAX_INCLUDE_DEPTH: usize = 200;

#[derive(Debug, Clone)]
enum Item {
    Req(GroupRequirement),
    Include(String),
}

/// One `pyproject.toml`'s `[dependency-groups]`, with packaging's caches
/// (they shape which include cycles are found, so they are kept as is).
#[derive(Debug)]
pub struct Resolver {
    text: String,
    groups: Vec<(String, Spanned<SVal>)>,
    parsed: HashMap<String, Vec<Item>>,
    ancestors: HashMap<String, Vec<String>>,
    cache: HashMap<String, Vec<GroupRequirement>>,
}

/// Load `[dependency-groups]` from a file (pip's `_build_resolvers` for one path).
pub fn load(path: &Path, shown: &str, fs: &dyn Fs) -> Result<Resolver, GroupError> {
    let bytes = fs.read(path).map_err(|e| match e {
        ReadError::NotFound => err(
            None,
            format!("{shown} not found. Cannot resolve '--group' option."),
        ),
        e => err(None, format!("Error reading {shown}: {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = tomlspan::line_of(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        err(
            Some(line),
            format!("Error parsing {shown}: not valid UTF-8"),
        )
    })?;
    let doc = tomlspan::parse(&text)
        .map_err(|(line, m)| err(Some(line), format!("Error parsing {shown}: {m}")))?;
    let Some(dg) = doc.get("dependency-groups") else {
        return Err(err(
            None,
            format!("[dependency-groups] table was missing from '{shown}'. Cannot resolve '--group' option."),
        ));
    };
    let dg_line = line_of_span(&text, dg.span());
    let SVal::Table(entries) = dg.get_ref() else {
        return Err(err(
            Some(dg_line),
            format!("[dependency-groups] table was malformed in {shown}. Cannot resolve '--group' option."),
        ));
    };
    let mut groups: Vec<(String, Spanned<SVal>)> = Vec::new();
    let mut originals: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in entries {
        let n = normalize_group(name);
        match originals.iter_mut().find(|(k, _)| *k == n) {
            Some((_, v)) => v.push(name.clone()),
            None => originals.push((n.clone(), vec![name.clone()])),
        }
        groups.retain(|(k, _)| *k != n);
        groups.push((n, value.clone()));
    }
    if let Some((n, names)) = originals.iter().find(|(_, v)| v.len() > 1) {
        return Err(err(
            Some(dg_line),
            format!(
                "[dependency-groups] data was invalid in {shown}: Duplicate dependency group names: {n} ({})",
                names.join(", ")
            ),
        ));
    }
    Ok(Resolver {
        text,
        groups,
        parsed: HashMap::new(),
        ancestors: HashMap::new(),
        cache: HashMap::new(),
    })
}

impl Resolver {
    /// Resolve one group to its requirement strings, includes expanded.
    pub fn resolve(&mut self, group: &str) -> Result<Vec<GroupRequirement>, GroupError> {
        let g = normalize_group(group);
        let mut errors = Vec::new();
        let out = self.resolve_inner(&g, &g, &mut errors);
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn resolve_inner(
        &mut self,
        group: &str,
        requested: &str,
        errors: &mut Vec<GroupError>,
    ) -> Vec<GroupRequirement> {
        if let Some(c) = self.cache.get(group) {
            return c.clone();
        }
        let parsed = self.parse_group(group, errors);
        let mut out = Vec::new();
        for item in parsed {
            match item {
                Item::Req(r) => out.push(r),
                Item::Include(name) => {
                    let inc = normalize_group(&name);
                    let anc = self.ancestors.get(group).cloned().unwrap_or_default();
                    if anc.contains(&inc) {
                        let reason = if inc == group {
                            format!("{group} includes itself")
                        } else {
                            format!("{name} -> {group}, {group} -> {name}")
                        };
                        errors.push(err(
                            self.group_line(group),
                            format!("Cyclic dependency group include while resolving {requested}: {reason}"),
                        ));
                    } else if anc.len() >= MAX_INCLUDE_DEPTH {
                        errors.push(err(
                            self.group_line(group),
                            format!("Dependency group includes nest more than {MAX_INCLUDE_DEPTH} deep while resolving {requested}"),
                        ));
                    } else {
                        let mut chain = anc;
                        chain.push(group.to_string());
                        self.ancestors.insert(inc.clone(), chain);
                        out.extend(self.resolve_inner(&inc, requested, errors));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Vec::new();
        }
        self.cache.insert(group.to_string(), out.clone());
        out
    }

    fn group_line(&self, group: &str) -> Option<usize> {
        self.groups
            .iter()
            .find(|(k, _)| k == group)
            .map(|(_, v)| line_of_span(&self.text, v.span()))
    }

    fn parse_group(&mut self, group: &str, errors: &mut Vec<GroupError>) -> Vec<Item> {
        if let Some(p) = self.parsed.get(group) {
            return p.clone();
        }
        let Some((_, raw)) = self.groups.iter().find(|(k, _)| k == group) else {
            errors.push(err(None, format!("Dependency group '{group}' not found")));
            return Vec::new();
        };
        let line = line_of_span(&self.text, raw.span());
        let items = match raw.get_ref() {
            SVal::Array(items) => items.clone(),
            SVal::Str(_) => {
                errors.push(err(
                    Some(line),
                    format!("Dependency group '{group}' contained a string rather than a list."),
                ));
                return Vec::new();
            }
            _ => {
                errors.push(err(
                    Some(line),
                    format!("Dependency group '{group}' is not a sequence type."),
                ));
                return Vec::new();
            }
        };
        let before = errors.len();
        let mut elements = Vec::new();
        for item in &items {
            let line = line_of_span(&self.text, item.span());
            match item.get_ref() {
                SVal::Str(s) => match super::pep508::parse_requirement(s) {
                    Ok(_) => elements.push(Item::Req(GroupRequirement {
                        text: s.clone(),
                        line,
                    })),
                    Err(e) => {
                        errors.push(err(Some(line), format!("Invalid requirement {s:?}: {e}")))
                    }
                },
                SVal::Table(t) => {
                    if t.len() != 1 || t[0].0 != "include-group" {
                        errors.push(err(Some(line), format!("Invalid dependency group item in '{group}': expected {{include-group = \"…\"}}")));
                    } else if let Some(s) = t[0].1.get_ref().as_str() {
                        elements.push(Item::Include(s.to_string()));
                    } else {
                        errors.push(err(
                            Some(line),
                            "Dependency group include-group value is not a string",
                        ));
                    }
                }
                other => errors.push(err(
                    Some(line),
                    format!("Invalid dependency group item: {}", other.type_name()),
                )),
            }
        }
        if errors.len() > before {
            return Vec::new();
        }
        self.parsed.insert(group.to_string(), elements.clone());
        elements
    }
}

#[cfg(test)]
mod tests {
    use super::super::fs::MemFs;
    use super::*;

    fn resolver(text: &str) -> Result<Resolver, GroupError> {
        let mut fs = MemFs::new();
        fs.add("/w/pyproject.toml", text);
        load(Path::new("/w/pyproject.toml"), "pyproject.toml", &fs)
    }

    #[test]
    fn includes_expand_in_place() {
        let mut r = resolver(
            "[dependency-groups]\ntest = [\"pytest\", {include-group = \"Lint_Tools\"}, \"cov\"]\nlint-tools = [\"ruff\"]\n",
        )
        .expect("test setup");
        let got: Vec<(String, usize)> = r
            .resolve("TEST")
            .expect("test setup")
            .into_iter()
            .map(|g| (g.text, g.line))
            .collect();
        assert_eq!(
            got,
            vec![("pytest".into(), 2), ("ruff".into(), 3), ("cov".into(), 2)]
        );
    }

    #[test]
    fn long_include_chains_are_an_error_not_a_stack_overflow() {
        let mut text = String::from("[dependency-groups]\n");
        for i in 0..5000 {
            text.push_str(&format!("g{i} = [{{include-group = \"g{}\"}}]\n", i + 1));
        }
        text.push_str("g5000 = [\"x\"]\n");
        let mut r = resolver(&text).expect("test setup");
        assert!(r.resolve("g0").unwrap_err().message.contains("nest"));
        assert_eq!(r.resolve("g4900").expect("test setup").len(), 1);
    }

    #[test]
    fn cycles_and_bad_data_are_errors() {
        let mut r = resolver(
            "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [{include-group = \"a\"}]\n",
        )
        .expect("test setup");
        assert!(r.resolve("a").unwrap_err().message.contains("Cyclic"));
        let mut r =
            resolver("[dependency-groups]\na = [{include-group = \"a\"}]\n").expect("test setup");
        assert!(r.resolve("a").is_err());
        let mut r = resolver("[dependency-groups]\na = \"x\"\nb = [\"ok\", \"bad>=>1\"]\n")
            .expect("test setup");
        assert!(r.resolve("a").is_err());
        assert_eq!(r.resolve("b").unwrap_err().line, Some(3));
        assert!(r.resolve("missing").is_err());
        assert!(resolver("[project]\nname='x'\n").is_err());
        assert!(resolver("[dependency-groups]\nA = []\na = []\n").is_err());
        assert!(resolver("dependency-groups = 1\n").is_err());
    }
}

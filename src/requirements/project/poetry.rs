//! Poetry's `[tool.poetry]` tables, turned into PEP 508 strings the way
//! poetry-core's `Factory.create_dependency` and `Dependency.to_pep_508`
//! write them into the wheel's metadata.
//!
//! Constraints (poetry-core's `parse_single_constraint`):
//! - `*` (or `x`, `X`): any version;
//! - `^V`: `>=V,<next_breaking(V)` — the next major, or for `0.x` the next
//!   minor, or for `0.0.x` the next patch; the bound keeps `V`'s precision
//!   (`^1.2` → `>=1.2,<2.0`, `^0.2.3` → `>=0.2.3,<0.3.0`, `^0.0` → `>=0.0,<0.1`);
//! - `~V`: `>=V,<next minor` (`<next major` when `V` has one component);
//! - `~=V`: `>=V,<next major` for two components, else `<next minor`;
//! - `>=V`, `>V`, `<V`, `<=V`: themselves; `==V` or a bare `V`: `==V`;
//! - `X.Y.*` (or `==X.Y.*`): `==X.Y.*`;
//! - several joined by `,` (or spaces): their intersection.
//!
//! `!=` and `||` make a union, which poetry-core prints in forms of its
//! own: pip-guard does not translate those and says so (the dependency is
//! then reported as not read, with pip's command to see it).
//!
//! `python = "…"` on a dependency becomes a `python_version` marker
//! (`create_nested_marker`), `platform` a `sys_platform` one, and both are
//! joined with `markers` by `and`.

use super::pyproject::{get, string, strings};
use super::{err_at, Dep, Dynamic, Project, ProjectError, Source};
use crate::requirements::tomlspan::SVal;
use pep508_rs::pep440_rs::Version;
use std::cmp::Ordering;
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

/// A release as written: its components, and a pre/post/dev suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ver {
    text: String,
    parts: Vec<u64>,
    parsed: Version,
}

impl Ver {
    fn parse(s: &str) -> Option<Ver> {
        let s = s.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let parsed = Version::from_str(s).ok()?;
        let release: String = s
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let release = release.trim_end_matches('.');
        let parts: Option<Vec<u64>> = release.split('.').map(|p| p.parse().ok()).collect();
        let parts = parts?;
        Some(Ver {
            text: s.to_string(),
            parts,
            parsed,
        })
    }

    fn from_parts(parts: Vec<u64>) -> Ver {
        let text = parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".");
        // Digits and dots only: always a valid version.
        let parsed = Version::from_str(&text).unwrap_or_else(|_| Version::new([0]));
        Ver {
            text,
            parts,
            parsed,
        }
    }

    fn precision(&self) -> usize {
        self.parts.len()
    }

    /// poetry-core's `stable` text (the release without pre/post/dev).
    fn stable_text(&self) -> String {
        self.parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }

    fn bump(&self, at: usize) -> Ver {
        // `stable.next_major()` / `next_minor()` / `next_patch()` (always
        // on the stable release, so always a bump): the component at `at`
        // + 1, later ones 0, keeping the precision (at least at + 1).
        let mut parts = self.parts.clone();
        while parts.len() <= at {
            parts.push(0);
        }
        let len = self.parts.len().max(at + 1);
        let mut out: Vec<u64> = Vec::with_capacity(len);
        for (i, p) in parts.iter().enumerate().take(len) {
            out.push(match i.cmp(&at) {
                Ordering::Less => *p,
                Ordering::Equal => p + 1,
                Ordering::Greater => 0,
            });
        }
        Ver::from_parts(out)
    }

    fn next_major(&self) -> Ver {
        self.bump(0)
    }

    fn next_minor(&self) -> Ver {
        self.bump(1)
    }

    fn next_patch(&self) -> Ver {
        self.bump(2)
    }

    fn next_breaking(&self) -> Ver {
        let major = self.parts.first().copied().unwrap_or(0);
        let minor = self.parts.get(1).copied();
        if major > 0 || minor.is_none() {
            return self.next_major();
        }
        if minor.unwrap_or(0) > 0 || self.parts.get(2).is_none() {
            return self.next_minor();
        }
        self.next_patch()
    }
}

/// One translated constraint: a range, an exact version or a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Con {
    Any,
    Range {
        min: Option<(Ver, bool)>,
        max: Option<(Ver, bool)>,
    },
    Exact(Ver),
    Wildcard(String),
}

/// Why a Poetry dependency is not translated to PEP 508.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoetryError {
    /// `||` or `!=`: a union.
    #[error(
        "the Poetry constraint {0:?} is a union (`||` or `!=`), which pip-guard does not translate"
    )]
    Union(String),
    /// Not a Poetry constraint.
    #[error("could not parse the Poetry constraint {0:?}")]
    Unparsable(String),
    /// An exact or wildcard version and-ed with another.
    #[error("an exact or wildcard Poetry constraint combined with another is not translated")]
    ExactCombined,
    /// A `git`, `path`, `file` or `url` dependency.
    #[error("{name}: a Poetry `{kind}` dependency, which pip-guard does not translate")]
    Source {
        /// The dependency.
        name: String,
        /// Which kind of source.
        kind: &'static str,
    },
    /// Neither a string nor a table.
    #[error("{0}: a Poetry constraint must be a string or a table")]
    NotStringOrTable(String),
}

fn unsupported(c: &str) -> PoetryError {
    PoetryError::Union(c.to_string())
}

fn single(c: &str) -> Result<Con, PoetryError> {
    let c = c.trim();
    let bad = || PoetryError::Unparsable(c.to_string());
    let all_x = !c.is_empty()
        && c.trim_start_matches(['v', 'V'])
            .split('.')
            .all(|p| matches!(p, "x" | "X" | "*"));
    if c.is_empty() || all_x {
        return Ok(Con::Any);
    }
    let range = |min: Option<(Ver, bool)>, max: Option<(Ver, bool)>| Con::Range { min, max };
    if let Some(v) = c.strip_prefix("~=") {
        let v = Ver::parse(v).ok_or_else(bad)?;
        let high = if v.precision() == 2 {
            v.next_major()
        } else {
            v.next_minor()
        };
        return Ok(range(Some((v, true)), Some((high, false))));
    }
    if let Some(v) = c.strip_prefix('~') {
        let v = Ver::parse(v).ok_or_else(bad)?;
        let high = if v.precision() == 1 {
            v.next_major()
        } else {
            v.next_minor()
        };
        return Ok(range(Some((v, true)), Some((high, false))));
    }
    if let Some(v) = c.strip_prefix('^') {
        let v = Ver::parse(v).ok_or_else(bad)?;
        let high = v.next_breaking();
        return Ok(range(Some((v, true)), Some((high, false))));
    }
    for (op, f) in [
        (">=", 0u8),
        ("<=", 1),
        ("<>", 5),
        ("!=", 5),
        ("==", 4),
        (">", 2),
        ("<", 3),
        ("=", 4),
    ] {
        if let Some(rest) = c.strip_prefix(op) {
            let rest = rest.trim();
            if f == 5 {
                return Err(unsupported(c));
            }
            if let Some(w) = rest.strip_suffix(".*") {
                if f == 4 && Ver::parse(w).is_some() {
                    return Ok(Con::Wildcard(format!("{w}.*")));
                }
                return Err(bad());
            }
            let v = Ver::parse(rest).ok_or_else(bad)?;
            return Ok(match f {
                0 => range(Some((v, true)), None),
                1 => range(None, Some((v, true))),
                2 => range(Some((v, false)), None),
                3 => range(None, Some((v, false))),
                _ => Con::Exact(v),
            });
        }
    }
    if let Some(w) = c.strip_suffix(".*") {
        if Ver::parse(w).is_some() {
            return Ok(Con::Wildcard(format!("{w}.*")));
        }
    }
    Ver::parse(c).map(Con::Exact).ok_or_else(bad)
}

fn intersect(a: Con, b: Con) -> Result<Con, PoetryError> {
    match (a, b) {
        (Con::Any, x) | (x, Con::Any) => Ok(x),
        (Con::Range { min: a0, max: a1 }, Con::Range { min: b0, max: b1 }) => {
            let min = match (a0, b0) {
                (Some(x), Some(y)) => Some(match x.0.parsed.cmp(&y.0.parsed) {
                    Ordering::Greater => x,
                    Ordering::Less => y,
                    Ordering::Equal => (x.0, x.1 && y.1),
                }),
                (x, y) => x.or(y),
            };
            let max = match (a1, b1) {
                (Some(x), Some(y)) => Some(match x.0.parsed.cmp(&y.0.parsed) {
                    Ordering::Less => x,
                    Ordering::Greater => y,
                    Ordering::Equal => (x.0, x.1 && y.1),
                }),
                (x, y) => x.or(y),
            };
            Ok(Con::Range { min, max })
        }
        _ => Err(PoetryError::ExactCombined),
    }
}

/// Split on `,` or spaces the way poetry-core's and-regex does (an
/// operator keeps the version that follows it).
fn and_parts(c: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for chunk in c.split(',') {
        let mut cur = String::new();
        for w in chunk.split_whitespace() {
            if cur.is_empty() || cur.chars().all(|ch| "^~=<>!".contains(ch)) {
                cur.push_str(w);
            } else {
                out.push(std::mem::take(&mut cur));
                cur.push_str(w);
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn parse_constraint(c: &str) -> Result<Con, PoetryError> {
    let c = c.trim();
    if c == "*" {
        return Ok(Con::Any);
    }
    if c.contains('|') {
        return Err(unsupported(c));
    }
    let c = c.trim_end_matches(',').trim_end();
    let mut acc = Con::Any;
    for part in and_parts(c) {
        acc = intersect(acc, single(&part)?)?;
    }
    Ok(acc)
}

/// A Poetry version constraint as PEP 440 specifiers (`""` for any).
pub fn translate(c: &str) -> Result<String, PoetryError> {
    Ok(match parse_constraint(c)? {
        Con::Any => String::new(),
        Con::Exact(v) => format!("=={}", v.text),
        Con::Wildcard(w) => format!("=={w}"),
        Con::Range { min, max } => {
            let mut s = String::new();
            if let Some((v, incl)) = &min {
                s.push_str(if *incl { ">=" } else { ">" });
                s.push_str(&v.text);
            }
            if let Some((v, incl)) = &max {
                if !s.is_empty() {
                    s.push(',');
                }
                s.push_str(if *incl { "<=" } else { "<" });
                s.push_str(&v.text);
            }
            s
        }
    })
}

/// `create_nested_marker("python_version", constraint)`.
pub fn python_marker(c: &str) -> Result<String, PoetryError> {
    Ok(match parse_constraint(c)? {
        Con::Any => String::new(),
        Con::Exact(v) => {
            let name = if v.precision() >= 3 {
                "python_full_version"
            } else {
                "python_version"
            };
            format!("{name} == \"{}\"", v.text)
        }
        Con::Wildcard(w) => format!("python_version == \"{w}\""),
        Con::Range { min, max } => {
            let mut parts = Vec::new();
            if let Some((v, incl)) = &min {
                if v.precision() >= 3 {
                    let op = if *incl { ">=" } else { ">" };
                    parts.push(format!("python_full_version {op} \"{}\"", v.stable_text()));
                } else if !incl {
                    let mut p = v.parts.clone();
                    p.resize(3, 0);
                    parts.push(format!(
                        "python_full_version > \"{}\"",
                        Ver::from_parts(p).text
                    ));
                } else {
                    parts.push(format!("python_version >= \"{}\"", v.stable_text()));
                }
            }
            if let Some((v, incl)) = &max {
                if v.precision() >= 3 {
                    let op = if *incl { "<=" } else { "<" };
                    parts.push(format!("python_full_version {op} \"{}\"", v.stable_text()));
                } else if *incl {
                    let mut p = v.parts.clone();
                    p.resize(3, 0);
                    parts.push(format!(
                        "python_full_version <= \"{}\"",
                        Ver::from_parts(p).text
                    ));
                } else {
                    parts.push(format!("python_version < \"{}\"", v.stable_text()));
                }
            }
            parts.join(" and ")
        }
    })
}

/// One entry of a dependencies table: its PEP 508 string and whether it
/// is optional (only through `[tool.poetry.extras]`).
fn entry(name: &str, v: &SVal) -> Result<Vec<(String, bool)>, PoetryError> {
    match v {
        SVal::Str(c) => Ok(vec![(format!("{name}{}", translate(c)?), false)]),
        SVal::Array(items) => {
            let mut out = Vec::new();
            for it in items {
                out.extend(entry(name, it.get_ref())?);
            }
            Ok(out)
        }
        SVal::Table(_) => {
            for kind in ["git", "path", "file", "url"] {
                if v.get(kind).is_some() {
                    return Err(PoetryError::Source {
                        name: name.to_string(),
                        kind,
                    });
                }
            }
            let s = |k: &str| {
                v.get(k)
                    .and_then(|x| x.get_ref().as_str().map(String::from))
            };
            let version = s("version").unwrap_or_else(|| "*".into());
            let mut text = name.to_string();
            if let Some(SVal::Array(ex)) = v.get("extras").map(|e| e.get_ref()) {
                let names: Vec<&str> = ex.iter().filter_map(|e| e.get_ref().as_str()).collect();
                if !names.is_empty() {
                    text.push_str(&format!("[{}]", names.join(",")));
                }
            }
            text.push_str(&translate(&version)?);
            let mut markers: Vec<String> = Vec::new();
            if let Some(m) = s("markers") {
                markers.push(m);
            }
            if let Some(p) = s("python") {
                let m = python_marker(&p)?;
                if !m.is_empty() {
                    markers.push(m);
                }
            }
            if let Some(p) = s("platform") {
                markers.push(format!("sys_platform == \"{p}\""));
            }
            match markers.len() {
                0 => {}
                1 => text.push_str(&format!(" ; {}", markers[0])),
                _ => {
                    let joined: Vec<String> = markers.iter().map(|m| format!("({m})")).collect();
                    text.push_str(&format!(" ; {}", joined.join(" and ")));
                }
            }
            let optional = matches!(v.get("optional").map(|o| o.get_ref()), Some(SVal::Other(b)) if b == "true");
            Ok(vec![(text, optional)])
        }
        SVal::Other(_) => Err(PoetryError::NotStringOrTable(name.to_string())),
    }
}

/// Read `[tool.poetry]`: name, version, python, dependencies (those
/// `[project]` leaves to Poetry), the extras asked and every group.
pub fn read(
    file: &Path,
    text: &str,
    doc: &SVal,
    extras: &[String],
    has_project: bool,
    p: &mut Project,
) -> Result<(), ProjectError> {
    let Some(poetry) = doc.get("tool").and_then(|t| t.get_ref().get("poetry")) else {
        return Ok(());
    };
    let project_deps_dynamic = p.dynamic.iter().any(|d| d.what == "dependencies");
    if has_project && !project_deps_dynamic {
        // poetry-core 2: [project] wins; [tool.poetry] only enriches it.
        return read_groups(file, text, poetry, p);
    }
    p.source = Source::Poetry;
    p.dynamic
        .retain(|d| d.what != "dependencies" && d.what != "optional-dependencies");
    if p.name.is_none() {
        if let Some(n) = get(poetry, "name") {
            p.name = Some(string(file, text, n, "tool.poetry.name")?);
        }
    }
    if p.version.is_none() {
        if let Some(v) = get(poetry, "version") {
            p.version = Some(string(file, text, v, "tool.poetry.version")?);
            p.dynamic.retain(|d| d.what != "version");
        }
    }
    let mut optional: Vec<Dep> = Vec::new();
    if let Some(deps) = get(poetry, "dependencies") {
        let SVal::Table(entries) = deps.get_ref() else {
            return Err(err_at(
                file,
                text,
                deps.span().start,
                "[tool.poetry.dependencies] must be a table".into(),
            ));
        };
        for (name, v) in entries {
            if name.eq_ignore_ascii_case("python") {
                let c = string(file, text, v, "tool.poetry.dependencies.python")?;
                if p.requires_python.is_none() {
                    let t = translate(&c)
                        .map_err(|m| err_at(file, text, v.span().start, m.to_string()))?;
                    p.requires_python = (!t.is_empty()).then_some(t);
                    p.dynamic.retain(|d| d.what != "requires-python");
                }
                continue;
            }
            let line = super::line_col(text, v.span().start).0;
            match entry(name, v.get_ref()) {
                Ok(list) => {
                    for (s, opt) in list {
                        check(file, text, &s, v.span().start)?;
                        let d = Dep {
                            text: s,
                            file: file.to_path_buf(),
                            line,
                            extra: None,
                            group: None,
                            build: false,
                        };
                        if opt {
                            optional.push(d);
                        } else {
                            p.deps.push(d);
                        }
                    }
                }
                Err(why) => p.dynamic.push(Dynamic {
                    what: format!("dependency {name}"),
                    why: format!("{}:{line}: {why}", shown(file)),
                }),
            }
        }
    }
    if let Some(ex) = get(poetry, "extras") {
        let SVal::Table(entries) = ex.get_ref() else {
            return Err(err_at(
                file,
                text,
                ex.span().start,
                "[tool.poetry.extras] must be a table".into(),
            ));
        };
        for (extra, names) in entries {
            let names = strings(file, text, names, &format!("tool.poetry.extras.{extra}"))?;
            let extra = crate::names::normalize(extra);
            let wanted: Vec<String> = names
                .iter()
                .map(|(n, _)| crate::names::normalize(n))
                .collect();
            let deps: Vec<Dep> = optional
                .iter()
                .filter(|d| {
                    crate::requirements::pep508::parse_requirement(&d.text)
                        .is_ok_and(|r| wanted.contains(&crate::names::normalize(&r.name)))
                })
                .map(|d| Dep {
                    extra: Some(extra.clone()),
                    ..d.clone()
                })
                .collect();
            p.extras_declared.push(extra.clone());
            if extras.contains(&extra) {
                p.deps.extend(deps.iter().cloned());
            }
            p.all_extras.push((extra, deps));
        }
    }
    read_groups(file, text, poetry, p)
}

fn shown(file: &Path) -> String {
    file.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn check(file: &Path, text: &str, s: &str, at: usize) -> Result<(), ProjectError> {
    crate::requirements::pep508::parse_requirement(s)
        .map(|_| ())
        .map_err(|e| {
            err_at(
                file,
                text,
                at,
                format!(
                    "tool.poetry: {s:?} is not a valid requirement: {}",
                    e.message
                ),
            )
        })
}

/// `[tool.poetry.group.<name>.dependencies]` (and the old
/// `[tool.poetry.dev-dependencies]`, Poetry's `dev` group): what `poetry
/// install` adds for development; pip never installs them.
fn read_groups(
    file: &Path,
    text: &str,
    poetry: &Spanned<SVal>,
    p: &mut Project,
) -> Result<(), ProjectError> {
    let mut groups: Vec<(String, &Spanned<SVal>)> = Vec::new();
    if let Some(SVal::Table(gs)) = get(poetry, "group").map(|g| g.get_ref()) {
        for (g, v) in gs {
            if let Some(d) = v.get_ref().get("dependencies") {
                groups.push((g.clone(), d));
            }
        }
    }
    if let Some(d) = get(poetry, "dev-dependencies") {
        groups.push(("dev".into(), d));
    }
    for (g, deps) in groups {
        let SVal::Table(entries) = deps.get_ref() else {
            return Err(err_at(
                file,
                text,
                deps.span().start,
                format!("[tool.poetry.group.{g}.dependencies] must be a table"),
            ));
        };
        for (name, v) in entries {
            let line = super::line_col(text, v.span().start).0;
            match entry(name, v.get_ref()) {
                Ok(list) => {
                    for (s, _) in list {
                        check(file, text, &s, v.span().start)?;
                        p.deps.push(Dep {
                            text: s,
                            file: file.to_path_buf(),
                            line,
                            extra: None,
                            group: Some(g.clone()),
                            build: false,
                        });
                    }
                }
                Err(why) => p.dynamic.push(Dynamic {
                    what: format!("group {g} dependency {name}"),
                    why: format!("{}:{line}: {why}", shown(file)),
                }),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_and_tilde_as_poetry_core_defines_them() {
        for (c, want) in [
            ("^1.2.3", ">=1.2.3,<2.0.0"),
            ("^1.2", ">=1.2,<2.0"),
            ("^1", ">=1,<2"),
            ("^0.2.3", ">=0.2.3,<0.3.0"),
            ("^0.0.3", ">=0.0.3,<0.0.4"),
            ("^0.0", ">=0.0,<0.1"),
            ("^0", ">=0,<1"),
            ("~1.2.3", ">=1.2.3,<1.3.0"),
            ("~1.2", ">=1.2,<1.3"),
            ("~1", ">=1,<2"),
            ("~=1.2", ">=1.2,<2.0"),
            ("~=1.2.3", ">=1.2.3,<1.3.0"),
            ("*", ""),
            ("1.2.3", "==1.2.3"),
            ("==1.2", "==1.2"),
            ("1.2.*", "==1.2.*"),
            (">=1.2,<1.5", ">=1.2,<1.5"),
            (">=1.2 <1.5", ">=1.2,<1.5"),
            (">= 1.2, < 1.5", ">=1.2,<1.5"),
            ("^1.2,<1.8", ">=1.2,<1.8"),
            ("^2.0.0rc1", ">=2.0.0rc1,<3.0.0"),
        ] {
            assert_eq!(translate(c).as_deref(), Ok(want), "{c}");
        }
        assert!(matches!(translate(">=1,!=1.5"), Err(PoetryError::Union(_))));
        assert_eq!(
            translate("^1 || ^2"),
            Err(PoetryError::Union("^1 || ^2".into()))
        );
        assert_eq!(
            translate("^banana"),
            Err(PoetryError::Unparsable("^banana".into()))
        );
        assert_eq!(translate("==1.2,>=1"), Err(PoetryError::ExactCombined));
    }

    #[test]
    fn python_constraints_become_markers() {
        assert_eq!(
            python_marker("^3.8").as_deref(),
            Ok("python_version >= \"3.8\" and python_version < \"4.0\"")
        );
        assert_eq!(
            python_marker(">=3.8.1").as_deref(),
            Ok("python_full_version >= \"3.8.1\"")
        );
        assert_eq!(
            python_marker(">3.8").as_deref(),
            Ok("python_full_version > \"3.8.0\"")
        );
        assert_eq!(python_marker("*").as_deref(), Ok(""));
    }
}

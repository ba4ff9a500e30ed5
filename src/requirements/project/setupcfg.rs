//! `setup.cfg`, read as setuptools reads it: Python's `configparser`
//! (sections, `key = value` or `key: value`, indented continuation lines,
//! whole-line `#` / `;` comments, case-sensitive keys), then
//! `_parse_requirements_list`: a multi-line value splits on lines, a
//! one-line value on `;`; each item stripped, empty ones and `#` comments
//! dropped. `file:` and `attr:` values are computed: reported as dynamic.

use super::{err_at, Dep, Dynamic, Project, ProjectError, Source};
use std::path::Path;

/// One `key = value` and the line of each of its value lines.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    section: String,
    key: String,
    /// The line of `key = …`.
    key_line: usize,
    /// (value line text, 1-based line, byte offset).
    lines: Vec<(String, usize, usize)>,
}

fn parse(file: &Path, text: &str) -> Result<Vec<Entry>, ProjectError> {
    let mut out: Vec<Entry> = Vec::new();
    let mut section: Option<String> = None;
    let mut offset = 0usize;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let stripped = line.trim();
        let indented = line.starts_with([' ', '\t']);
        if stripped.starts_with('#') || stripped.starts_with(';') {
            continue;
        }
        if indented && !stripped.is_empty() {
            if let Some(e) = out.last_mut() {
                e.lines.push((stripped.to_string(), i + 1, at));
                continue;
            }
        }
        if stripped.is_empty() {
            continue;
        }
        if stripped.starts_with('[') {
            let Some(end) = stripped.find(']') else {
                return Err(err_at(
                    file,
                    text,
                    at,
                    "a section header without `]`".into(),
                ));
            };
            section = Some(stripped[1..end].to_string());
            // A new section ends any value.
            out.push(Entry {
                section: String::new(),
                key: String::new(),
                key_line: i + 1,
                lines: Vec::new(),
            });
            continue;
        }
        let Some(sec) = &section else {
            return Err(err_at(
                file,
                text,
                at,
                "a value before any [section] header".into(),
            ));
        };
        let cut = line
            .find(['=', ':'])
            .ok_or_else(|| err_at(file, text, at, format!("not `key = value`: {stripped:?}")))?;
        let key = line[..cut].trim().to_string();
        let value = line[cut + 1..].trim();
        let mut e = Entry {
            section: sec.clone(),
            key,
            key_line: i + 1,
            lines: Vec::new(),
        };
        if !value.is_empty() {
            e.lines.push((value.to_string(), i + 1, at + cut + 1));
        }
        out.push(e);
    }
    Ok(out)
}

/// setuptools' `_parse_requirements_list` over one value.
fn items(e: &Entry) -> Vec<(String, usize, usize)> {
    let multiline = e.lines.len() > 1 || e.lines.first().is_some_and(|l| l.1 != e.key_line);
    let split: Vec<(String, usize, usize)> = if multiline {
        e.lines.clone()
    } else {
        e.lines
            .iter()
            .flat_map(|(v, l, o)| v.split(';').map(move |s| (s.to_string(), *l, *o)))
            .collect()
    };
    split
        .into_iter()
        .map(|(s, l, o)| (s.trim().to_string(), l, o))
        .filter(|(s, _, _)| !s.is_empty() && !s.starts_with('#'))
        .collect()
}

fn computed(e: &Entry) -> bool {
    e.lines
        .first()
        .is_some_and(|(v, _, _)| v.starts_with("file:") || v.starts_with("attr:"))
}

/// Read `[metadata] name/version` and `[options]` requirements.
/// `passes`: what `setup.py` passes itself (dynamic, not read here).
pub fn read(
    file: &Path,
    text: &str,
    extras: &[String],
    passes: &[&str],
    p: &mut Project,
) -> Result<(), ProjectError> {
    let entries = parse(file, text)?;
    p.source = Source::SetupCfg;
    let find = |sec: &str, key: &str| {
        entries
            .iter()
            .rev()
            .find(|e| e.section == sec && e.key == key)
    };
    let one = |e: &Entry| e.lines.first().map(|(v, _, _)| v.clone());
    if let Some(e) = find("metadata", "name") {
        p.name = one(e);
    }
    if let Some(e) = find("metadata", "version") {
        if computed(e) {
            p.dynamic.push(Dynamic {
                what: "version".into(),
                why: format!("setup.cfg:{} computes it", e.lines[0].1),
            });
        } else {
            p.version = one(e);
        }
    }
    if let Some(e) = find("options", "python_requires") {
        if !passes.contains(&"requires-python") {
            p.requires_python = one(e);
        }
    }
    let mk = |s: String, l: usize, extra: Option<String>| Dep {
        text: s,
        file: file.to_path_buf(),
        line: l,
        extra,
        group: None,
        build: false,
    };
    let check = |s: &str, o: usize| {
        crate::requirements::pep508::parse_requirement(s)
            .map(|_| ())
            .map_err(|er| {
                err_at(
                    file,
                    text,
                    o,
                    format!("invalid requirement {s:?}: {}", er.message),
                )
            })
    };
    if !passes.contains(&"dependencies") {
        if let Some(e) = find("options", "install_requires") {
            if computed(e) {
                p.dynamic.push(Dynamic {
                    what: "dependencies".into(),
                    why: format!(
                        "setup.cfg:{} reads them from a file or attribute",
                        e.lines[0].1
                    ),
                });
            } else {
                for (s, l, o) in items(e) {
                    check(&s, o)?;
                    p.deps.push(mk(s, l, None));
                }
            }
        }
    }
    if passes.contains(&"optional-dependencies") {
        return Ok(());
    }
    let mut seen: Vec<String> = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.section == "options.extras_require")
    {
        let extra = crate::names::normalize(&e.key);
        if seen.contains(&extra) {
            continue;
        }
        seen.push(extra.clone());
        let Some(e) = find("options.extras_require", &e.key) else {
            continue;
        };
        if computed(e) {
            p.dynamic.push(Dynamic {
                what: format!("optional-dependencies.{extra}"),
                why: format!("setup.cfg:{} reads them from a file", e.lines[0].1),
            });
            continue;
        }
        let mut deps = Vec::new();
        for (s, l, o) in items(e) {
            check(&s, o)?;
            if super::is_self(p.name.as_deref(), &s) {
                continue;
            }
            deps.push(mk(s, l, Some(extra.clone())));
        }
        p.extras_declared.push(extra.clone());
        p.all_extras.push((extra, deps));
    }
    let lookup = |x: &str| -> Vec<String> {
        entries
            .iter()
            .filter(|e| {
                e.section == "options.extras_require" && crate::names::normalize(&e.key) == x
            })
            .flat_map(|e| items(e).into_iter().map(|(s, _, _)| s))
            .collect()
    };
    let closed = super::close_extras(p.name.as_deref(), extras, &lookup);
    for (extra, deps) in &p.all_extras {
        if closed.contains(extra) {
            p.deps.extend(deps.iter().cloned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configparser_values_and_setuptools_lists() {
        let text = "[metadata]\nname = demo\n\n[options]\n# a comment\ninstall_requires =\n    requests>=2\n    # skipped\n    click ; python_version>'3'\n\n[options.extras_require]\ndev = pytest; ruff\n";
        let mut p = super::super::tests::empty();
        read(
            Path::new("/w/setup.cfg"),
            text,
            &["dev".into()],
            &[],
            &mut p,
        )
        .expect("test setup");
        let got: Vec<(&str, usize, Option<&str>)> = p
            .deps
            .iter()
            .map(|d| (d.text.as_str(), d.line, d.extra.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("requests>=2", 7, None),
                ("click ; python_version>'3'", 9, None),
                ("pytest", 12, Some("dev")),
                ("ruff", 12, Some("dev")),
            ]
        );
        assert_eq!(p.name.as_deref(), Some("demo"));
    }
}

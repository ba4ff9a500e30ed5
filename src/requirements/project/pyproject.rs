//! `pyproject.toml`: `[build-system]` and the PEP 621 `[project]` table.

use super::{close_extras, err_at, is_self, Dep, Dynamic, Project, ProjectError, Source};
use crate::requirements::pep508;
use crate::requirements::tomlspan::SVal;
use std::path::Path;
use toml::Spanned;

/// Parse the file; a syntax error carries its line and column.
pub fn parse(file: &Path, text: &str) -> Result<SVal, ProjectError> {
    crate::requirements::tomlspan::parse_at(text)
        .map_err(|(at, m)| err_at(file, text, at, format!("invalid TOML: {}", m.trim())))
}

/// A table's value under `key`, when the table is one.
pub(crate) fn get<'a>(v: &'a Spanned<SVal>, key: &str) -> Option<&'a Spanned<SVal>> {
    v.get_ref().get(key)
}

/// The strings of an array value, each with its byte offset; a value that
/// is not an array of strings is an error at the offending value.
pub(crate) fn strings(
    file: &Path,
    text: &str,
    v: &Spanned<SVal>,
    what: &str,
) -> Result<Vec<(String, usize)>, ProjectError> {
    let SVal::Array(items) = v.get_ref() else {
        return Err(err_at(
            file,
            text,
            v.span().start,
            format!(
                "{what} must be an array of strings, not {}",
                v.get_ref().type_name()
            ),
        ));
    };
    items
        .iter()
        .map(|it| match it.get_ref() {
            SVal::Str(s) => Ok((s.clone(), it.span().start)),
            other => Err(err_at(
                file,
                text,
                it.span().start,
                format!(
                    "{what}: every entry must be a string (a PEP 508 requirement), not {}",
                    other.type_name()
                ),
            )),
        })
        .collect()
}

/// A string value, or an error at it.
pub(crate) fn string(
    file: &Path,
    text: &str,
    v: &Spanned<SVal>,
    what: &str,
) -> Result<String, ProjectError> {
    match v.get_ref() {
        SVal::Str(s) => Ok(s.clone()),
        other => Err(err_at(
            file,
            text,
            v.span().start,
            format!("{what} must be a string, not {}", other.type_name()),
        )),
    }
}

/// Check a PEP 508 string as pip's `packaging` would; the error points at
/// the fault inside the string when the string is written without escapes.
pub(crate) fn check_requirement(
    file: &Path,
    text: &str,
    req: &str,
    offset: usize,
    what: &str,
) -> Result<(), ProjectError> {
    pep508::parse_requirement(req).map(|_| ()).map_err(|e| {
        let raw = text.get(offset + 1..offset + 1 + req.len());
        let at = if raw == Some(req) {
            offset + 1 + e.span.0
        } else {
            offset
        };
        err_at(
            file,
            text,
            at,
            format!("{what}: invalid requirement {req:?}: {}", e.message),
        )
    })
}

fn dep(file: &Path, text: &str, s: String, offset: usize) -> Dep {
    Dep {
        text: s,
        file: file.to_path_buf(),
        line: super::line_col(text, offset).0,
        extra: None,
        group: None,
        build: false,
    }
}

/// `[build-system]`: `requires` and `build-backend`.
pub fn build_system(
    file: &Path,
    text: &str,
    doc: &SVal,
    p: &mut Project,
) -> Result<(), ProjectError> {
    let Some(bs) = doc.get("build-system") else {
        return Ok(());
    };
    if !matches!(bs.get_ref(), SVal::Table(_)) {
        return Err(err_at(
            file,
            text,
            bs.span().start,
            "[build-system] must be a table".into(),
        ));
    }
    if let Some(b) = get(bs, "build-backend") {
        p.backend = Some(string(file, text, b, "build-system.build-backend")?);
    }
    // pip: a [build-system] table without `requires` is an error.
    let Some(req) = get(bs, "requires") else {
        return Err(err_at(
            file,
            text,
            bs.span().start,
            "[build-system] has no `requires` (pip refuses such a project)".into(),
        ));
    };
    for (s, at) in strings(file, text, req, "build-system.requires")? {
        check_requirement(file, text, &s, at, "build-system.requires")?;
        let mut d = dep(file, text, s, at);
        d.build = true;
        p.build.push(d);
    }
    Ok(())
}

/// `[project]`: name, version, requires-python, dependencies, the
/// optional-dependencies of the extras asked, dynamic.
pub fn project(
    file: &Path,
    text: &str,
    doc: &SVal,
    extras: &[String],
    p: &mut Project,
) -> Result<(), ProjectError> {
    let Some(proj) = doc.get("project") else {
        return Ok(());
    };
    if !matches!(proj.get_ref(), SVal::Table(_)) {
        return Err(err_at(
            file,
            text,
            proj.span().start,
            "[project] must be a table".into(),
        ));
    }
    p.source = Source::Pyproject;
    if let Some(n) = get(proj, "name") {
        p.name = Some(string(file, text, n, "project.name")?);
    }
    if let Some(v) = get(proj, "version") {
        p.version = Some(string(file, text, v, "project.version")?);
    }
    let mut dynamic: Vec<String> = Vec::new();
    if let Some(d) = get(proj, "dynamic") {
        dynamic = strings(file, text, d, "project.dynamic")?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
    }
    let dyn_line = get(proj, "dynamic").map(|d| super::line_col(text, d.span().start).0);
    let shown = file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mark = |what: &str, p: &mut Project| {
        if dynamic.iter().any(|d| d == what) {
            p.dynamic.push(Dynamic {
                what: what.into(),
                why: format!(
                    "{shown}:{} lists it in [project] dynamic: the build backend computes it",
                    dyn_line.unwrap_or(1)
                ),
            });
            true
        } else {
            false
        }
    };
    if let Some(rp) = get(proj, "requires-python") {
        let s = string(file, text, rp, "project.requires-python")?;
        if pep508::parse_requirement(&format!("x{s}")).is_err() {
            return Err(err_at(
                file,
                text,
                rp.span().start,
                format!("project.requires-python: invalid specifier {s:?}"),
            ));
        }
        p.requires_python = Some(s);
    } else {
        mark("requires-python", p);
    }
    if p.version.is_none() {
        mark("version", p);
    }
    if !mark("dependencies", p) {
        if let Some(d) = get(proj, "dependencies") {
            for (s, at) in strings(file, text, d, "project.dependencies")? {
                check_requirement(file, text, &s, at, "project.dependencies")?;
                if is_self(p.name.as_deref(), &s) {
                    continue;
                }
                p.deps.push(dep(file, text, s, at));
            }
        }
    }
    if mark("optional-dependencies", p) {
        return Ok(());
    }
    let Some(od) = get(proj, "optional-dependencies") else {
        return Ok(());
    };
    let SVal::Table(groups) = od.get_ref() else {
        return Err(err_at(
            file,
            text,
            od.span().start,
            "[project.optional-dependencies] must be a table".into(),
        ));
    };
    let mut all: Vec<(String, Vec<(String, usize)>)> = Vec::new();
    for (extra, list) in groups {
        let items = strings(
            file,
            text,
            list,
            &format!("project.optional-dependencies.{extra}"),
        )?;
        for (s, at) in &items {
            check_requirement(
                file,
                text,
                s,
                *at,
                &format!("project.optional-dependencies.{extra}"),
            )?;
        }
        all.push((crate::names::normalize(extra), items));
    }
    p.extras_declared = all.iter().map(|(e, _)| e.clone()).collect();
    let lookup = |e: &str| -> Vec<String> {
        all.iter()
            .filter(|(x, _)| x == e)
            .flat_map(|(_, v)| v.iter().map(|(s, _)| s.clone()))
            .collect()
    };
    let mut asked = extras.to_vec();
    if let Some(d) =
        get(proj, "dependencies").filter(|_| !dynamic.iter().any(|x| x == "dependencies"))
    {
        let base: Vec<String> = strings(file, text, d, "project.dependencies")?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        asked.extend(super::self_extras(p.name.as_deref(), &base));
    }
    let closed = close_extras(p.name.as_deref(), &asked, &lookup);
    for (extra, items) in &all {
        let deps: Vec<Dep> = items
            .iter()
            .filter(|(s, _)| !is_self(p.name.as_deref(), s))
            .map(|(s, at)| {
                let mut d = dep(file, text, s.clone(), *at);
                d.extra = Some(extra.clone());
                d
            })
            .collect();
        if closed.contains(extra) {
            p.deps.extend(deps.iter().cloned());
        }
        p.all_extras.push((extra.clone(), deps));
    }
    Ok(())
}

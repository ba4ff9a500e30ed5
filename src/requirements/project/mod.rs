//! A local project's own declared dependencies, read without building it
//! (`pip install .`, `pip install -e .[dev]`, `./sub` or a `file:` URL to
//! a directory, on the command line or in a requirements file).
//!
//! Sources, first match wins (what the build backend would use):
//! - `pyproject.toml` `[project]` (PEP 621): `dependencies`, the
//!   `optional-dependencies` of the extras asked, `requires-python`
//!   ([`pyproject`]);
//! - Poetry's `[tool.poetry.dependencies]` when `[project]` leaves them out
//!   (caret and tilde constraints translated as poetry-core does: [`poetry`]);
//! - `setup.cfg` `[options] install_requires` / `[options.extras_require]`
//!   when static ([`setupcfg`]).
//!
//! `[build-system] requires` is read too (pip's default, `setuptools>=40.8.0`,
//! when the table is missing). Anything the backend computes at build time
//! (`dynamic = ["dependencies"]`, a `setup.py` that passes `install_requires`)
//! is reported as dynamic, with the pip command that builds the metadata:
//! never guessed.

pub mod expand;
pub mod poetry;
pub mod pyproject;
pub mod setupcfg;

use super::fs::{Fs, ReadError};
use std::path::{Path, PathBuf};

/// Where a project's metadata was read from (schema `project.metadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `pyproject.toml` `[project]`.
    Pyproject,
    /// `pyproject.toml` `[tool.poetry]`.
    Poetry,
    /// `setup.cfg` `[options]`.
    SetupCfg,
    /// Nothing static to read (a bare `setup.py`).
    None,
}

/// One declared dependency and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The PEP 508 string (Poetry's tables already translated).
    pub text: String,
    /// The file it is written in (absolute).
    pub file: PathBuf,
    /// Its 1-based line there.
    pub line: usize,
    /// The extra of the project that brings it in, if any.
    pub extra: Option<String>,
    /// The Poetry group that brings it in, if any.
    pub group: Option<String>,
    /// A `[build-system] requires` entry.
    pub build: bool,
}

/// What could not be read statically, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dynamic {
    /// `dependencies`, `optional-dependencies`, `requires-python`, …
    pub what: String,
    /// Why, in words (`pyproject.toml:5 lists it in dynamic`).
    pub why: String,
}

/// A local project's declared metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The project directory (absolute).
    pub dir: PathBuf,
    /// The declared name, when static.
    pub name: Option<String>,
    /// The declared version, when static.
    pub version: Option<String>,
    /// Where the metadata was read from.
    pub source: Source,
    /// `requires-python` (PEP 440 specifiers), when declared.
    pub requires_python: Option<String>,
    /// Runtime dependencies, then those of each extra asked, in order.
    pub deps: Vec<Dep>,
    /// `[build-system] requires` (pip's default when the table is missing).
    pub build: Vec<Dep>,
    /// The build backend, when declared.
    pub backend: Option<String>,
    /// Extras the project declares (normalized).
    pub extras_declared: Vec<String>,
    /// Extras asked that the project does not declare (pip warns, goes on).
    pub extras_missing: Vec<String>,
    /// What is dynamic: the dependencies listed above are then incomplete.
    pub dynamic: Vec<Dynamic>,
    /// Extras with their dependencies, every extra (for `nixify`'s
    /// `optional-dependencies`), whether asked or not.
    pub all_extras: Vec<(String, Vec<Dep>)>,
}

impl Project {
    /// A project in `dir` of which nothing is known yet.
    pub fn empty(dir: &Path) -> Project {
        Project {
            dir: dir.to_path_buf(),
            name: None,
            version: None,
            source: Source::None,
            requires_python: None,
            deps: Vec::new(),
            build: Vec::new(),
            backend: None,
            extras_declared: Vec::new(),
            extras_missing: Vec::new(),
            dynamic: Vec::new(),
            all_extras: Vec::new(),
        }
    }

    /// The name to show: the declared one, else the directory's.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| ".".into())
        })
    }
}

/// A fault in a project's files: file, line and column when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectError {
    /// The file (absolute), or the directory for a missing project.
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column (characters).
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// A position in a text: (1-based line, 1-based column in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

pub(crate) fn err_at(file: &Path, text: &str, offset: usize, message: String) -> ProjectError {
    let (line, column) = line_col(text, offset);
    ProjectError {
        file: file.to_path_buf(),
        line: Some(line),
        column: Some(column),
        message,
    }
}

/// pip's default build requirements for a project without `[build-system]`.
pub const DEFAULT_BUILD_REQUIRES: &str = "setuptools>=40.8.0";

fn read_text(fs: &dyn Fs, path: &Path) -> Result<Option<String>, ProjectError> {
    match fs.read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            err_at(path, &text, valid, "not valid UTF-8".into())
        }),
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(ProjectError {
            file: path.to_path_buf(),
            line: None,
            column: None,
            message: format!("cannot read it: {e}"),
        }),
    }
}

/// Read the project in `dir` for the (normalized) `extras` asked.
pub fn read(dir: &Path, extras: &[String], fs: &dyn Fs) -> Result<Project, ProjectError> {
    if !fs.is_dir(dir) {
        let message = if fs.is_file(dir) {
            "is a file, not a project directory (a project has pyproject.toml or setup.py)"
        } else {
            "no such directory"
        };
        return Err(ProjectError {
            file: dir.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        });
    }
    let pyproject = dir.join("pyproject.toml");
    let setup_py = dir.join("setup.py");
    let setup_cfg = dir.join("setup.cfg");
    let mut p = Project::empty(dir);
    let py_text = read_text(fs, &pyproject)?;
    let doc = match &py_text {
        Some(t) => Some(pyproject::parse(&pyproject, t)?),
        None => None,
    };
    if let (Some(doc), Some(text)) = (&doc, &py_text) {
        pyproject::build_system(&pyproject, text, doc, &mut p)?;
    }
    if doc.as_ref().is_none_or(|d| d.get("build-system").is_none()) {
        // pip's fallback for a legacy project (no [build-system] table).
        let (file, line) = match &py_text {
            Some(_) => (pyproject.clone(), 1),
            None => (setup_py.clone(), 1),
        };
        p.build.push(Dep {
            text: DEFAULT_BUILD_REQUIRES.into(),
            file,
            line,
            extra: None,
            group: None,
            build: true,
        });
    }
    let has_project = doc.as_ref().is_some_and(|d| d.get("project").is_some());
    let has_poetry = doc.as_ref().is_some_and(|d| {
        d.get("tool")
            .is_some_and(|t| t.get_ref().get("poetry").is_some())
    });
    if let (Some(doc), Some(text)) = (&doc, &py_text) {
        if has_project {
            pyproject::project(&pyproject, text, doc, extras, &mut p)?;
        }
        if has_poetry && p.backend.as_deref().is_none_or(|b| b.starts_with("poetry")) {
            poetry::read(&pyproject, text, doc, extras, has_project, &mut p)?;
        }
    }
    if !has_project && !has_poetry {
        let cfg = read_text(fs, &setup_cfg)?;
        let py = read_text(fs, &setup_py)?;
        let passes = py.as_deref().map(setup_py_passes).unwrap_or_default();
        match &cfg {
            Some(text) => setupcfg::read(&setup_cfg, text, extras, &passes, &mut p)?,
            None if py.is_some() => {
                p.dynamic.push(Dynamic {
                    what: "dependencies".into(),
                    why: "setup.py computes them when it runs (no pyproject.toml [project], no setup.cfg)"
                        .into(),
                });
            }
            None => {}
        }
        if cfg.is_some() {
            for what in passes {
                p.dynamic.push(Dynamic {
                    why: format!("setup.py passes {what} itself"),
                    what: what.into(),
                });
            }
        }
    }
    for e in extras {
        if !p.extras_declared.contains(e)
            && !p.dynamic.iter().any(|d| d.what == "optional-dependencies")
        {
            p.extras_missing.push(e.clone());
        }
    }
    Ok(p)
}

/// The `setup()` keywords a `setup.py` passes that would replace
/// `setup.cfg`'s (a plain-text look: a mention counts).
fn setup_py_passes(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if text.contains("install_requires") {
        out.push("dependencies");
    }
    if text.contains("extras_require") {
        out.push("optional-dependencies");
    }
    if text.contains("python_requires") {
        out.push("requires-python");
    }
    out
}

/// Expand a project's self-references (`all = ["proj[a,b]"]`): the extras
/// to read for `asked`, closed over self-references, in first-seen order.
pub(crate) fn close_extras(
    name: Option<&str>,
    asked: &[String],
    extra_deps: &dyn Fn(&str) -> Vec<String>,
) -> Vec<String> {
    let Some(name) = name.map(crate::names::normalize) else {
        return asked.to_vec();
    };
    let mut out: Vec<String> = Vec::new();
    let mut todo: Vec<String> = asked.to_vec();
    while let Some(e) = todo.pop() {
        if out.contains(&e) {
            continue;
        }
        out.push(e.clone());
        for text in extra_deps(&e) {
            if let Ok(parts) = super::pep508::parse_requirement(&text) {
                if crate::names::normalize(&parts.name) == name && parts.url.is_none() {
                    for x in parts.extras {
                        todo.push(crate::names::normalize(&x));
                    }
                }
            }
        }
    }
    out
}

/// The name a `pyproject.toml` declares (`[project]`, else `[tool.poetry]`),
/// else its directory's; `None` when the file cannot be read or parsed
/// (the `--group` reader reports that itself).
pub fn declared_name(pyproject: &Path, fs: &dyn Fs) -> Option<String> {
    let text = read_text(fs, pyproject).ok()??;
    let doc = pyproject::parse(pyproject, &text).ok()?;
    let from = |table: Option<&toml::Spanned<super::tomlspan::SVal>>| {
        table
            .and_then(|t| t.get_ref().get("name"))
            .and_then(|n| n.get_ref().as_str().map(String::from))
    };
    from(doc.get("project"))
        .or_else(|| from(doc.get("tool").and_then(|t| t.get_ref().get("poetry"))))
        .or_else(|| {
            pyproject
                .parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
}

/// The extras a project's own runtime dependencies turn on by naming the
/// project itself (`dependencies = ["me[speedups]"]`), normalized.
pub(crate) fn self_extras(name: Option<&str>, texts: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
        if is_self(name, t) {
            if let Ok(parts) = super::pep508::parse_requirement(t) {
                out.extend(parts.extras.iter().map(|x| crate::names::normalize(x)));
            }
        }
    }
    out
}

/// Whether a dependency string names the project itself (a self-reference
/// that only turns on more of its extras).
pub(crate) fn is_self(name: Option<&str>, text: &str) -> bool {
    let Some(name) = name else { return false };
    super::pep508::parse_requirement(text).is_ok_and(|p| {
        p.url.is_none() && crate::names::normalize(&p.name) == crate::names::normalize(name)
    })
}

/// The exact command that makes pip build a project's metadata and print
/// its dependencies (`--dry-run --report` is allowed even on an externally
/// managed Python).
pub fn report_command(dir: &std::path::Path) -> String {
    let d = dir.display().to_string();
    let d = if d.is_empty() || d == "." {
        ".".to_string()
    } else if d.starts_with('/') || d.starts_with('.') {
        d
    } else {
        format!("./{d}")
    };
    format!(
        "python3 -m pip install --dry-run --quiet --no-deps --report - {}",
        crate::shell::sh_quote(&d)
    )
}

#[cfg(test)]
mod tests;

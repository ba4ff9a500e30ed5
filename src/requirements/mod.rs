//! Every source of requirements pip reads, turned into one [`RequirementSet`].
//!
//! - [`reqfile`]: pip's requirements-file format (comments, continuations,
//!   `${VAR}`, per-requirement and global option lines, nested `-r`/`-c`).
//! - [`collect`]: walks an [`Invocation`](crate::invocation::Invocation) and
//!   gathers positional requirements, `-r`, `-c`, `-e`, `--group`,
//!   `--requirements-from-script` and `-r pylock.toml`.
//!
//! Each step is a port of the pip 26.3 code that does it (see
//! `docs/requirements-format.md`): [`decode`], [`preprocess`], [`lineopts`],
//! [`pep508`] (the `packaging` grammar), [`markers`], [`pipreq`]
//! (`install_req_from_line` and friends), [`groups`] (PEP 735), [`script`]
//! (PEP 723), [`pylock`] (PEP 751); [`fs`] abstracts file access and
//! [`pystr`] / [`tomlspan`] are helpers.

pub mod collect;
pub mod decode;
pub mod fs;
pub mod groups;
pub mod lineopts;
pub mod markers;
pub mod pep508;
pub mod pipreq;
pub mod preprocess;
pub mod project;
pub mod pylock;
pub mod pystr;
pub mod reqfile;
pub mod script;
pub mod tomlspan;

use crate::origin::Origin;
use crate::redact::{Redacted, Secret, SecretRef};
use compact_str::CompactString;
use pep508_rs::MarkerTree;
use serde::Serialize;

/// What kind of requirement a line or argument is (schema field `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `name[extras] specifier ; marker`
    Named,
    /// A direct URL or VCS URL (`name @ https://…`, `git+https://…`, an archive URL).
    Url,
    /// A local path (directory or archive).
    Path,
    /// `-e` / `--editable`.
    Editable,
}

/// One requirement, with where it came from.
///
/// `raw` and `url` are already redacted; the text handed to pip on a
/// fallthrough is [`Requirement::pip_line`], which is never printed or
/// serialized. What most requirements lack (extras, a URL, options, a
/// project) is held apart, so that a plain `name>=1` line stays small (a
/// million-line file holds a million of them).
#[derive(Debug, Clone)]
pub struct Requirement {
    /// Where it was written.
    pub origin: Origin,
    /// The chain of `-r`/`-c` files that led to `origin` (outermost first),
    /// shared by the lines of one file.
    pub included_from: Chain,
    /// The logical line or argument as written (continuations joined,
    /// per-requirement options removed, secrets redacted).
    pub raw: Redacted,
    /// Named, URL, path or editable.
    pub kind: Kind,
    /// The project name as written, when there is one.
    pub name: Option<CompactString>,
    /// PEP 503 normalized name.
    pub normalized: Option<CompactString>,
    /// PEP 440 specifiers joined by `,` in source order; `""` if none
    /// (parsed on demand: [`Requirement::specifiers`]).
    pub specifier: CompactString,
    /// The marker, if any, as pip evaluates it (see
    /// [`Requirement::applies`]); the `pep508_rs` tree on demand:
    /// [`Requirement::marker_tree`].
    pub marker: Option<Box<markers::PipMarker>>,
    /// From a `-c` constraints file: constrains, never installs.
    pub constraint: bool,
    /// The rest, when there is any.
    more: Option<Box<More>>,
}

/// What most requirements lack (see [`Requirement`]).
#[derive(Debug, Clone, Default)]
struct More {
    extras: Vec<String>,
    url: Option<Redacted>,
    options: Vec<String>,
    /// Only when it differs from `raw`.
    pip_line: Option<Secret>,
    via: Option<Box<Via>>,
    project: Option<Box<ProjectSummary>>,
}

#[cfg(test)]
pub(crate) fn more_size() -> usize {
    std::mem::size_of::<More>()
}

/// A chain of origins (the `-r`/`-c` files that led to a line), shared:
/// the lines of one file hold one chain. Reads as a slice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain(Option<std::sync::Arc<[Origin]>>);

impl Chain {
    /// The chain of `origins` (outermost first).
    pub fn new(origins: Vec<Origin>) -> Chain {
        Chain((!origins.is_empty()).then(|| origins.into()))
    }
}

impl std::ops::Deref for Chain {
    type Target = [Origin];
    fn deref(&self) -> &[Origin] {
        self.0.as_deref().unwrap_or_default()
    }
}

impl From<Vec<Origin>> for Chain {
    fn from(origins: Vec<Origin>) -> Chain {
        Chain::new(origins)
    }
}

/// What a new [`Requirement`] is made of ([`Requirement::new`]); the
/// normalized name is made from `name`.
#[derive(Debug, Clone)]
pub struct Parts {
    /// Where it was written.
    pub origin: Origin,
    /// The chain of `-r`/`-c` files that led there.
    pub included_from: Chain,
    /// The line or argument as shown (redacted).
    pub raw: Redacted,
    /// Named, URL, path or editable.
    pub kind: Kind,
    /// The project name as written, when there is one.
    pub name: Option<CompactString>,
    /// PEP 440 specifiers joined by `,`; `""` if none.
    pub specifier: CompactString,
    /// The marker as pip evaluates it, if any.
    pub marker: Option<Box<markers::PipMarker>>,
    /// From a `-c` constraints file.
    pub constraint: bool,
    /// Extras, as normalized by PEP 685 (lowercase, `-` separators).
    pub extras: Vec<String>,
    /// The URL or path (redacted), for `url`, `path` and `editable` kinds.
    pub url: Option<Redacted>,
    /// Per-requirement options as written (`--hash=sha256:…`, `--config-settings=…`).
    pub options: Vec<String>,
    /// The exact text to give pip on fallthrough.
    pub pip_line: Secret,
}

impl Requirement {
    /// A requirement of `parts`.
    pub fn new(parts: Parts) -> Requirement {
        let Parts {
            origin,
            included_from,
            raw,
            kind,
            name,
            specifier,
            marker,
            constraint,
            extras,
            url,
            options,
            pip_line,
        } = parts;
        let normalized = name.as_deref().map(crate::names::normalize_compact);
        let pip_line = (!pip_line.is(raw.as_str())).then_some(pip_line);
        let more =
            (!extras.is_empty() || url.is_some() || !options.is_empty() || pip_line.is_some())
                .then(|| {
                    Box::new(More {
                        extras,
                        url,
                        options,
                        pip_line,
                        via: None,
                        project: None,
                    })
                });
        Requirement {
            origin,
            included_from,
            raw,
            kind,
            name,
            normalized,
            specifier,
            marker,
            constraint,
            more,
        }
    }

    /// Set [`Requirement::pip_line`] (tests).
    #[cfg(test)]
    pub(crate) fn set_pip_line(&mut self, text: &str) {
        self.more_mut().pip_line = Some(Secret::new(text));
    }

    /// Set [`Requirement::options`] (tests).
    #[cfg(test)]
    pub(crate) fn set_options(&mut self, options: Vec<String>) {
        self.more_mut().options = options;
    }

    fn more_mut(&mut self) -> &mut More {
        self.more.get_or_insert_with(Box::default)
    }

    /// Extras, as normalized by PEP 685 (lowercase, `-` separators).
    pub fn extras(&self) -> &[String] {
        self.more
            .as_ref()
            .map(|m| m.extras.as_slice())
            .unwrap_or_default()
    }

    /// The URL or path (redacted), for `url`, `path` and `editable` kinds.
    pub fn url(&self) -> Option<&Redacted> {
        self.more.as_ref()?.url.as_ref()
    }

    /// Per-requirement options as written (`--hash=sha256:…`,
    /// `--config-settings=…`).
    pub fn options(&self) -> &[String] {
        self.more
            .as_ref()
            .map(|m| m.options.as_slice())
            .unwrap_or_default()
    }

    /// The exact text to give pip on fallthrough (may hold secrets: it
    /// cannot be printed, see [`Secret`]).
    pub fn pip_line(&self) -> SecretRef<'_> {
        match self.more.as_ref().and_then(|m| m.pip_line.as_ref()) {
            Some(s) => s.borrowed(),
            // The same text as `raw`, which then hides nothing.
            None => SecretRef::new(self.raw.as_str()),
        }
    }

    /// For a local project's own declared dependency: the project and what
    /// brings it in (schema field `via`).
    pub fn via(&self) -> Option<&Via> {
        self.more.as_deref()?.via.as_deref()
    }

    /// Set [`Requirement::via`].
    pub fn set_via(&mut self, via: Option<Via>) {
        if via.is_some() || self.more.is_some() {
            self.more_mut().via = via.map(Box::new);
        }
    }

    /// For a local project (`.`, `-e .[dev]`): what pip-guard read from it
    /// (schema field `project`).
    pub fn project(&self) -> Option<&ProjectSummary> {
        self.more.as_deref()?.project.as_deref()
    }

    /// Set [`Requirement::project`].
    pub fn set_project(&mut self, project: Option<ProjectSummary>) {
        if project.is_some() || self.more.is_some() {
            self.more_mut().project = project.map(Box::new);
        }
    }
}

/// Which project declares a dependency, and how it is brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    /// The project's name (declared, else its directory's).
    pub project: String,
    /// The project's extra that asks for it, if any.
    pub extra: Option<String>,
    /// The Poetry dependency group that asks for it, if any.
    pub group: Option<String>,
    /// A `[build-system] requires` entry: needed to build the project, not
    /// installed with it.
    pub build: bool,
    /// The PEP 735 dependency group (`--group NAME`) of the project's
    /// `pyproject.toml` that asks for it: installed by pip like any other.
    pub dependency_group: Option<String>,
}

/// What pip-guard read from a local project, without building it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSummary {
    /// Its name (declared, else the directory's).
    pub name: String,
    /// The declared name, when static.
    pub declared_name: Option<String>,
    /// The declared version, when static.
    pub version: Option<String>,
    /// The directory, as displayed.
    pub dir: std::path::PathBuf,
    /// Where the metadata came from.
    pub metadata: project::Source,
    /// `requires-python`, when declared.
    pub requires_python: Option<String>,
    /// `[build-system] build-backend`, when declared.
    pub build_backend: Option<String>,
    /// How many requirements were read from it (dependencies, extras,
    /// groups, build-system).
    pub dependencies: usize,
    /// Extras asked that it does not declare.
    pub extras_missing: Vec<String>,
    /// What it computes at build time (then its list here is incomplete).
    pub dynamic: Vec<project::Dynamic>,
}

impl Via {
    /// A short label: `demo-app`, `demo-app[dev]`, `build requirement of
    /// demo-app`, `demo-app's Poetry group test`.
    pub fn label(&self) -> String {
        if self.build {
            format!("build requirement of {}", self.project)
        } else if let Some(g) = &self.group {
            format!("{}'s Poetry group {g}", self.project)
        } else if let Some(g) = &self.dependency_group {
            format!("{}'s dependency group {g}", self.project)
        } else if let Some(x) = &self.extra {
            format!("{}[{x}]", self.project)
        } else {
            self.project.clone()
        }
    }
}

impl Requirement {
    /// Not installed by `pip install` itself: a build requirement or a
    /// Poetry group (for the dev shell only).
    pub fn dev_only(&self) -> bool {
        self.via().is_some_and(|v| v.build || v.group.is_some())
    }
}

impl Requirement {
    /// Whether pip would install this for `env`: its marker as pip's
    /// `packaging` evaluates it (true without a marker). `Err` where pip
    /// itself would fail to evaluate the marker.
    pub fn applies(
        &self,
        env: &pep508_rs::MarkerEnvironment,
    ) -> Result<bool, markers::MarkerError> {
        match &self.marker {
            Some(m) => m.evaluate(env),
            None => Ok(true),
        }
    }

    /// The marker as a `pep508_rs` tree (for display and the rest of the
    /// program), built from the one pip evaluates.
    pub fn marker_tree(&self) -> Option<MarkerTree> {
        self.marker.as_ref().map(|m| m.tree())
    }

    /// The parsed specifiers (empty when none; a clause `pep440_rs`
    /// cannot represent, such as an arbitrary `===` string, is left out).
    pub fn specifiers(&self) -> pep508_rs::pep440_rs::VersionSpecifiers {
        pep508::parse_specifiers(&self.specifier)
    }

    /// An `-e` / `--editable` requirement.
    pub fn editable(&self) -> bool {
        self.kind == Kind::Editable
    }
}

/// A global option found in a requirements file (`-i`, `--pre`, `-f`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOption {
    /// Where it was written.
    pub origin: Origin,
    /// The option's canonical long name, e.g. `--index-url`.
    pub name: String,
    /// Its value, if it takes one (may hold secrets: it cannot be
    /// printed, see [`Secret`]).
    pub value: Option<Secret>,
}

/// Everything an install command asks for.
#[derive(Debug, Clone, Default)]
pub struct RequirementSet {
    /// Requirements and constraints, in the order pip would read them.
    pub requirements: Vec<Requirement>,
    /// Global options from requirements files, in order.
    pub file_options: Vec<FileOption>,
}

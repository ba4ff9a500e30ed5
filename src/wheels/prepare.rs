//! The check before a fallthrough (and in `audit --check-wheels`): ask pip
//! what it would install, get the wheels once, read them, judge them
//! against the target's loader.

use super::pip::{Planned, Runner};
use super::WheelCheck;
use crate::guard::fallthrough::Child;
use crate::plan::Plan;
use std::path::PathBuf;

/// What the check found, and the files the install must use.
#[derive(Debug, Default)]
pub struct Prepared {
    /// What pip said it would install.
    pub planned: Vec<Planned>,
    /// One check per wheel read.
    pub checks: Vec<WheelCheck>,
    /// The target's loader, described.
    pub loader: Option<String>,
    /// Which loader it is.
    pub kind: Option<super::loader::LoaderKind>,
    /// Distributions pip would build or take from a directory (not
    /// checked before; the import check covers them).
    pub not_wheels: Vec<String>,
    /// Why the check is incomplete, when it is.
    pub notes: Vec<String>,
    /// Downloaded wheels (removed on drop).
    pub dir: Option<tempfile::TempDir>,
}

impl Prepared {
    /// Options that make the install use the files that were checked:
    /// `--no-index --find-links DIR` when wheels were downloaded.
    pub fn install_args(&self) -> Vec<String> {
        match &self.dir {
            Some(d) if self.planned.iter().all(|p| p.wheel) => vec![
                "--no-index".into(),
                format!("--find-links={}", d.path().display()),
            ],
            _ => Vec::new(),
        }
    }

    /// The wheels predicted not to load.
    pub fn unloadable(&self) -> impl Iterator<Item = &WheelCheck> {
        self.checks.iter().filter(|c| c.will_not_load())
    }

    /// The distributions pip would install, by name.
    pub fn dists(&self) -> Vec<String> {
        self.planned.iter().map(|p| p.name.clone()).collect()
    }
}

/// nixpkgs' attribute for a project, from the plan's resolutions.
pub fn nix_attr_in(plan: &Plan, project: &str) -> Option<String> {
    let want = crate::names::normalize(project);
    plan.entries
        .iter()
        .filter(|e| e.req.normalized.as_deref() == Some(want.as_str()))
        .find_map(|e| e.res.nix.as_ref().map(|n| n.attr.clone()))
}

/// Run the check for `child`. `user`: the guard's `--user` dry run (else
/// audit's `--ignore-installed`); `site_roots`: the target's site dirs.
pub fn prepare(
    child: &Child,
    plan: &Plan,
    user: bool,
    externally_managed: bool,
    depth: u32,
    site_roots: &[PathBuf],
) -> Prepared {
    let mut out = Prepared::default();
    let runner = Runner {
        child,
        user,
        externally_managed,
        depth,
    };
    match runner.report(!user) {
        Ok(p) => out.planned = p,
        Err(e) => {
            out.notes.push(format!(
                "could not ask pip what it would install, so no wheel was checked: {e}"
            ));
            return out;
        }
    }
    if out.planned.iter().any(|p| p.wheel && p.file.is_none()) {
        match tempfile::Builder::new()
            .prefix("pip-guard-wheels-")
            .tempdir()
        {
            Ok(dir) => {
                if let Err(e) = runner.fetch(&mut out.planned, dir.path()) {
                    out.notes
                        .push(format!("could not download the wheels: {e}"));
                }
                out.dir = Some(dir);
            }
            Err(e) => out
                .notes
                .push(format!("could not create a temporary directory: {e}")),
        }
    }
    out.not_wheels = out
        .planned
        .iter()
        .filter(|p| !p.wheel)
        .map(|p| p.name.clone())
        .collect();
    let loader = match super::loader_for(&child.python) {
        Ok(l) => l,
        Err(e) => {
            out.notes
                .push(format!("could not read the interpreter's ELF headers: {e}"));
            return out;
        }
    };
    out.loader = Some(loader.kind.describe());
    out.kind = Some(loader.kind.clone());
    let inputs: Vec<super::Input> = out
        .planned
        .iter()
        .filter_map(|p| {
            p.file.as_ref().map(|f| super::Input {
                path: f.clone(),
                project: Some(p.name.clone()),
                version: Some(p.version.clone()),
            })
        })
        .collect();
    let lookup = |name: &str| nix_attr_in(plan, name);
    out.checks = super::check(&inputs, &loader, site_roots, &lookup);
    out
}

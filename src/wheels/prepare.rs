//! The check before a fallthrough (and in `audit --check-wheels`): ask pip
//! what it would install, get the wheels once, read them, judge them
//! against the target's loader.

use super::pip::Planned;
use super::WheelCheck;
use crate::guard::pip_input::PipInput;
use crate::plan::Plan;
use std::path::{Path, PathBuf};

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
    /// Nothing when a download failed or pip would build something (an
    /// sdist's build dependencies need the index): then pip gets the
    /// command as it was.
    pub fn install_args(&self) -> Vec<String> {
        let complete = self.planned.iter().all(|p| p.wheel && p.file.is_some());
        match &self.dir {
            Some(d) if complete => vec![
                "--no-index".into(),
                format!("--find-links={}", d.path().display()),
            ],
            _ => Vec::new(),
        }
    }

    /// Point `child` at the checked files: add [`Prepared::install_args`]
    /// and drop the remote `--find-links` pages (from the command line and
    /// from the requirements file), which `--no-index` does not turn off
    /// and from which pip would fetch the same wheel again. Local
    /// `--find-links` directories stay. Returns whether it changed `child`.
    pub fn point_at_files(&self, child: &mut PipInput) -> bool {
        let extra = self.install_args();
        // Local projects go to a second pip run with the same options, and
        // building them needs the index (their build backend): leave the
        // command as it was.
        if extra.is_empty() || !child.projects.is_empty() {
            return false;
        }
        let remote = |v: &str| v.contains("://") && !v.starts_with("file:");
        child
            .args
            .retain(|a| a.strip_prefix("--find-links=").is_none_or(|v| !remote(v)));
        let mut text = String::new();
        for line in child.requirements.lines() {
            let t = line.trim_start();
            let value = t
                .strip_prefix("--find-links ")
                .or_else(|| t.strip_prefix("-f "))
                .or_else(|| t.strip_prefix("--find-links="))
                .map(|v| v.trim_matches(['\'', '"', ' ']));
            if value.is_some_and(remote) {
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        child.requirements = text;
        child.args.extend(extra);
        true
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
        .find_map(|e| e.res.nix.as_ref().map(|n| n.attr.to_string()))
}

/// Run the check for `input`, the pip input the install will use (the
/// guard: `Destination::User`, `report` None) or one built for a report
/// (audit, nixify: `Destination::Report(file)`, `report` that file).
/// `site_roots`: the target's site dirs.
pub fn prepare(
    env: &crate::settings::Env,
    input: &PipInput,
    plan: &Plan,
    report: Option<&Path>,
    depth: u32,
    site_roots: &[PathBuf],
) -> Prepared {
    let mut out = Prepared::default();
    if input.requirements.is_empty() {
        out.notes.push(
            "only local projects go to pip: their native code is checked after the install".into(),
        );
        return out;
    }
    match super::pip::report(input, report, depth) {
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
                if let Err(e) = super::pip::fetch(input, &mut out.planned, dir.path(), depth) {
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
    let loader = match super::loader_for(&input.python, env) {
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

/// `--check-wheels` for `audit` and `nixify`: the requirements that would
/// fall through, as pip input built for a report (`--dry-run
/// --ignore-installed --report FILE`: a fresh install, whatever this
/// machine has), checked against the target interpreter.
pub fn check_for_report(
    settings: &crate::settings::Settings,
    inv: &crate::invocation::Invocation,
    out: &crate::pipeline::Outcome,
) -> color_eyre::eyre::Result<Prepared> {
    let cwd = settings.cwd()?;
    use crate::guard::pip_input::{self, Destination, Request};
    use color_eyre::eyre;
    let Some(python) = out.target.python.clone() else {
        return Err(eyre::eyre!(crate::error::EnvError(
            "--check-wheels needs the target interpreter and its pip (set PIP_GUARD_PYTHON or pass --python)".into()
        )));
    };
    let d = crate::plan::decide(&out.plan, false);
    if d.pip.is_empty() {
        return Ok(Prepared::default());
    }
    let dir = tempfile::Builder::new()
        .prefix("pip-guard-report-")
        .tempdir()
        .map_err(|e| eyre::eyre!(crate::error::EnvError(format!("temporary directory: {e}"))))?;
    let report = dir.path().join("report.json");
    let input = pip_input::build(&Request {
        inv,
        set: &out.set,
        plan: &out.plan,
        fall: &d.pip,
        python: &python,
        cwd,
        destination: Destination::Report(report.clone()),
        carried: Vec::new(),
        deny: pip_input::deny_names(&out.policy),
        markers: &out.target.markers,
        env: &settings.env,
    })
    .map_err(|e| eyre::eyre!(e))?;
    Ok(prepare(
        &settings.env,
        &input,
        &out.plan,
        Some(&report),
        0,
        &[],
    ))
}

/// Add `--check-wheels`' findings to an audit's JSON value: each
/// requirement gets `wheels[]` (the wheels of its own project), and a
/// top-level `wheel_check` holds the loader, the dependencies' wheels and
/// any notes.
pub fn attach_json(v: &mut serde_json::Value, plan: &Plan, p: &Prepared) {
    let mut used = vec![false; p.checks.len()];
    if let Some(reqs) = v.get_mut("requirements").and_then(|r| r.as_array_mut()) {
        for (entry, req) in plan.entries.iter().zip(reqs.iter_mut()) {
            let mine: Vec<&WheelCheck> = p
                .checks
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    entry.req.normalized.is_some()
                        && c.project.as_deref().map(crate::names::normalize).as_deref()
                            == entry.req.normalized.as_deref()
                })
                .map(|(i, c)| {
                    used[i] = true;
                    c
                })
                .collect();
            if let Some(obj) = req.as_object_mut() {
                obj.insert(
                    "wheels".into(),
                    serde_json::to_value(&mine).unwrap_or_default(),
                );
            }
        }
    }
    let deps: Vec<&WheelCheck> = p
        .checks
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c)
        .collect();
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "wheel_check".into(),
            serde_json::json!({
                "loader": p.loader,
                "distributions": p.planned.iter().map(|d| serde_json::json!({
                    "name": d.name, "version": d.version, "wheel": d.wheel, "requested": d.requested,
                })).collect::<Vec<_>>(),
                "dependency_wheels": deps,
                "not_wheels": p.not_wheels,
                "notes": p.notes,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(name: &str, wheel: bool, file: Option<&str>) -> Planned {
        Planned {
            name: name.into(),
            version: "1.0".into(),
            url: format!("https://files.example/{name}-1.0-py3-none-any.whl"),
            requested: true,
            wheel,
            sha256: None,
            file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn the_install_reads_the_checked_files_only_when_all_are_there() {
        let dir = tempfile::tempdir().expect("tmp");
        let find = format!("--find-links={}", dir.path().display());
        let mut p = Prepared {
            planned: vec![
                planned("a", true, Some("/w/a.whl")),
                planned("b", true, Some("/d/b.whl")),
            ],
            dir: Some(dir),
            ..Prepared::default()
        };
        assert_eq!(p.install_args(), ["--no-index".to_string(), find]);
        p.planned[1].file = None; // its download failed
        assert!(p.install_args().is_empty());
        p.planned[1] = planned("c", false, None); // an sdist: pip builds it
        assert!(p.install_args().is_empty());
        p.planned.truncate(1);
        p.dir = None; // nothing downloaded: pip reads --find-links itself
        assert!(p.install_args().is_empty());
    }

    #[test]
    fn remote_find_links_pages_are_dropped_local_ones_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let find = format!("--find-links={}", dir.path().display());
        let p = Prepared {
            planned: vec![planned("a", true, Some("/tmp/x/a.whl"))],
            dir: Some(dir),
            ..Prepared::default()
        };
        let mut child = PipInput {
            python: "/usr/bin/python3".into(),
            args: vec![
                "--find-links=https://u:p@host/links/".into(),
                "--find-links=./wheels".into(),
                "--upgrade".into(),
            ],
            requirements:
                "# written by pip-guard\n--find-links https://host/x/\n-f /local/dir\na\n".into(),
            projects: String::new(),
            constraints: String::new(),
            env: vec![],
            unset: vec![],
        };
        assert!(p.point_at_files(&mut child));
        assert_eq!(
            child.args,
            [
                "--find-links=./wheels".to_string(),
                "--upgrade".into(),
                "--no-index".into(),
                find
            ]
        );
        assert_eq!(
            child.requirements,
            "# written by pip-guard\n-f /local/dir\na\n"
        );
        // With local projects (a second pip run that builds them), nothing changes.
        let mut with_projects = PipInput {
            projects: "-e ./proj\n".into(),
            ..child.clone()
        };
        let before = with_projects.clone();
        assert!(!p.point_at_files(&mut with_projects));
        assert_eq!(with_projects, before);
    }
}

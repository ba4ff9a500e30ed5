//! Splice each local project's declared dependencies into a
//! [`RequirementSet`], right after the project's own requirement.

use super::{Project, ProjectError};
use crate::error::InputError;
use crate::origin::{display_path, Origin};
use crate::requirements::fs::{abspath, Fs};
use crate::requirements::pipreq;
use crate::requirements::pystr::url_scheme;
use crate::requirements::reqfile::{make_requirement, NewRequirement};
use crate::requirements::{Kind, ProjectSummary, Requirement, RequirementSet, Via};
use std::path::{Path, PathBuf};

/// The local directory a path, editable or `file:` requirement names,
/// `None` for remote URLs. (`Some` for a missing path too: the reader says
/// what is wrong with it.)
pub fn local_path(req: &Requirement, cwd: &Path) -> Option<PathBuf> {
    if req.constraint || !matches!(req.kind, Kind::Path | Kind::Editable) {
        return None;
    }
    // A lock file's packages come with their locked dependencies.
    if let crate::origin::Origin::File { file, .. } = &req.origin {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| crate::requirements::pylock::is_pylock_filename(&n)) {
            return None;
        }
    }
    let url: &str = req.url()?;
    match url_scheme(url).as_deref() {
        Some("file") => Some(abspath(Path::new(&pipreq::url_path(url)), cwd)),
        Some(_) => None,
        None => Some(abspath(Path::new(url), cwd)),
    }
}

fn is_archive(p: &Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    [
        ".whl",
        ".zip",
        ".tar.gz",
        ".tgz",
        ".tar.bz2",
        ".tbz",
        ".tar.xz",
        ".txz",
        ".tar",
        ".tar.lz",
        ".tlz",
        ".tar.lzma",
    ]
    .iter()
    .any(|e| n.ends_with(e))
}

/// The error for a project file fault: `file:line`, with the column first
/// in the message; a missing or wrong directory at the requirement itself.
pub fn to_input_error(e: ProjectError, req: &Requirement, cwd: &Path) -> InputError {
    match e.line {
        Some(line) => {
            let col = e
                .column
                .map(|c| format!("column {c}: "))
                .unwrap_or_default();
            InputError::at(
                Origin::file(&e.file, line, cwd),
                format!("{col}{}", e.message),
            )
        }
        None => InputError::at(
            req.origin.clone(),
            format!("{}: {}", display_path(&e.file, cwd).display(), e.message),
        ),
    }
}

/// Read every local project in `set` and insert its dependencies after it.
pub fn expand(set: &mut RequirementSet, cwd: &Path, fs: &dyn Fs) -> Result<(), InputError> {
    // Nothing to expand (a requirements file of a million names): the set
    // stays as it is, without a copy.
    if !set
        .requirements
        .iter()
        .any(|r| local_path(r, cwd).is_some())
    {
        return Ok(());
    }
    let mut out: Vec<Requirement> = Vec::with_capacity(set.requirements.len());
    for mut req in std::mem::take(&mut set.requirements) {
        let Some(dir) = local_path(&req, cwd) else {
            out.push(req);
            continue;
        };
        if is_archive(&dir) && !fs.is_dir(&dir) {
            out.push(req);
            continue;
        }
        let project =
            super::read(&dir, req.extras(), fs).map_err(|e| to_input_error(e, &req, cwd))?;
        let deps = dependencies(&project, &req, cwd)?;
        req.set_project(Some(summary(&project, deps.len(), cwd)));
        out.push(req);
        out.extend(deps);
    }
    set.requirements = out;
    Ok(())
}

fn summary(p: &Project, count: usize, cwd: &Path) -> ProjectSummary {
    ProjectSummary {
        name: p.display_name(),
        declared_name: p.name.clone(),
        version: p.version.clone(),
        dir: if p.dir == cwd {
            PathBuf::from(".")
        } else {
            display_path(&p.dir, cwd)
        },
        metadata: p.source,
        requires_python: p.requires_python.clone(),
        build_backend: p.backend.clone(),
        dependencies: count,
        extras_missing: p.extras_missing.clone(),
        dynamic: p.dynamic.clone(),
    }
}

fn dependencies(
    p: &Project,
    req: &Requirement,
    cwd: &Path,
) -> Result<Vec<Requirement>, InputError> {
    let name = p.display_name();
    let mut included_from = vec![req.origin.clone()];
    included_from.extend(req.included_from.iter().cloned());
    let included_from = super::super::Chain::new(included_from);
    p.deps
        .iter()
        .chain(p.build.iter())
        .map(|d| {
            let origin = Origin::file(&d.file, d.line, cwd);
            let r = pipreq::from_req_string(&d.text)
                .map_err(|m| InputError::at(origin.clone(), m.to_string()))?;
            let mut r = make_requirement(NewRequirement {
                included_from: included_from.clone(),
                ..NewRequirement::new(r, origin, &d.text)
            });
            r.set_via(Some(Via {
                project: name.clone(),
                extra: d.extra.clone(),
                group: d.group.clone(),
                build: d.build,
                dependency_group: None,
            }));
            Ok(r)
        })
        .collect()
}

//! Walk an install command line in pip's order and gather every requirement.
//!
//! pip 26.3's `RequirementCommand.get_requirements` reads, in this order:
//! `-c` constraint files, positional arguments, `--group` dependency groups
//! (from `pyproject.toml`), `-e` editables, `-r` files (and `pylock.toml`
//! lock files given with `-r` or `--group`), then `--requirements-from-script`.
//! [`collect`] does the same, so the first error reported is the one pip
//! would report.

use super::fs::{abspath, Fs, RealFs};
use super::pipreq;
use super::pystr::py_strip;
use super::reqfile::{self, make_requirement, Ctx, NewRequirement};
use super::{groups, pylock, script, RequirementSet};
use crate::error::InputError;
use crate::invocation::Opt;
use crate::invocation::{Invocation, Item};
use crate::origin::{display_path, Origin};
use std::path::Path;

/// Gather every requirement an install command line asks for, reading
/// files from the real file system.
///
/// `cwd` is the directory pip would run in; `env` looks up environment
/// variables for `${VAR}` in requirements files.
pub fn collect(
    inv: &Invocation,
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RequirementSet, InputError> {
    collect_with(inv, cwd, env, &RealFs)
}

/// [`collect`] over any [`Fs`].
pub fn collect_with(
    inv: &Invocation,
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    fs: &dyn Fs,
) -> Result<RequirementSet, InputError> {
    collect_with_constraints(inv, cwd, env, fs, &[])
}

/// [`collect_with`], with constraint files named outside the command line
/// (pip's configuration), read first as pip reads them: pip extends the
/// configured list with the command line's.
pub fn collect_with_constraints(
    inv: &Invocation,
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    fs: &dyn Fs,
    extra_constraints: &[(String, Option<Origin>)],
) -> Result<RequirementSet, InputError> {
    let ctx = Ctx { cwd, fs, env };
    // Decide what to read, in which order (pure), then read it.
    let sources = Sources::of(inv, cwd)?;
    let mut out = RequirementSet::default();
    // 1. Constraints.
    for (value, at) in extra_constraints {
        reqfile::read_file(&ctx, value, true, at.clone(), &mut out)?;
    }
    for (value, index) in values(inv, Opt::Constraint) {
        reqfile::read_file(&ctx, value, true, Some(Origin::Arg(index)), &mut out)?;
    }
    // 2. Positional arguments.
    read_positionals(inv, cwd, fs, &mut out)?;
    // 3. Dependency groups from pyproject.toml files.
    read_project_groups(&sources.project_groups, cwd, fs, &mut out)?;
    // 4. Editables.
    for (value, index) in values(inv, Opt::Editable) {
        let r = pipreq::from_editable(value, cwd, fs)
            .map_err(|m| InputError::at(Origin::Arg(index), redact(&m)))?;
        let line = format!("-e {value}");
        out.requirements.push(make_requirement(NewRequirement {
            editable: true,
            ..NewRequirement::new(r, Origin::Arg(index), &line)
        }));
    }
    // 5. Requirements files and lock files.
    for source in &sources.files {
        match source {
            Source::File(value, index) => {
                reqfile::read_file(&ctx, value, false, Some(Origin::Arg(*index)), &mut out)?;
            }
            Source::Lock(i) => pylock::read(&sources.locks[*i], &ctx, &mut out)?,
        }
    }
    // 6. PEP 723 script metadata.
    read_script(inv, cwd, fs, &mut out)?;
    // Local projects: their declared dependencies, after each of them.
    super::project::expand::expand(&mut out, cwd, fs)?;
    check_whole(inv, &out)?;
    Ok(out)
}

/// The values of option `opt` on the command line, with their argument
/// index.
fn values(inv: &Invocation, opt: Opt) -> impl Iterator<Item = (&str, usize)> {
    inv.items.iter().filter_map(move |it| match it {
        Item::Opt {
            spec,
            value: Some(v),
            index,
            ..
        } if spec.id == opt => Some((v.as_str(), *index)),
        _ => None,
    })
}

/// A `-r` source, in the order pip reads them.
#[derive(Debug, PartialEq, Eq)]
enum Source {
    /// A requirements file: the value as written, its argument index.
    File(String, usize),
    /// A lock file: an index into [`Sources::locks`].
    Lock(usize),
}

/// What the command line asks pip to read beyond constraints, positionals,
/// editables and the script, decided before anything is read.
#[derive(Debug, Default)]
struct Sources {
    /// `-r` files and lock files, in pip's order.
    files: Vec<Source>,
    /// Each lock file once, with every extra and group asked of it (pip's
    /// `_collect_requirement_sources` merges them per file).
    locks: Vec<pylock::Request>,
    /// `--group [PATH:]NAME` of `pyproject.toml` files: (path, group,
    /// argument index).
    project_groups: Vec<(String, String, usize)>,
}

impl Sources {
    /// Decide the sources (pure): `-r` files and `--group` values in
    /// pip's order, lock files merged per file.
    fn of(inv: &Invocation, cwd: &Path) -> Result<Sources, InputError> {
        // `--group` values were checked when the command line was parsed
        // (pip's option callback, `invocation::values`): a path names a
        // local `pyproject.toml` or `pylock.toml`.
        let group_args =
            values(inv, Opt::Group).map(|(value, index)| match value.rsplit_once(':') {
                Some((p, g)) => (p.to_string(), g.to_string(), index),
                None => ("pyproject.toml".to_string(), value.to_string(), index),
            });
        let mut out = Sources::default();
        let requirement_sources =
            values(inv, Opt::Requirement).map(|(v, i)| (v.to_string(), None, i));
        let group_sources = group_args.map(|(p, g, i)| (p, Some(g), i));
        for (source, group, index) in requirement_sources.chain(group_sources).collect::<Vec<_>>() {
            let (file, extras) = pipreq::strip_extras(&source);
            if !pylock::is_pylock_filename(file) {
                match group {
                    None => out.files.push(Source::File(source.clone(), index)),
                    Some(g) => out.project_groups.push((source.clone(), g, index)),
                }
                continue;
            }
            let key = if reqfile::is_remote(file) {
                file.to_string()
            } else {
                abspath(Path::new(file), cwd).to_string_lossy().into_owned()
            };
            let at = match out.locks.iter().position(|l| l.key == key) {
                Some(p) => p,
                None => {
                    out.locks
                        .push(pylock::Request::new(key, file.to_string(), index));
                    out.files.push(Source::Lock(out.locks.len() - 1));
                    out.locks.len() - 1
                }
            };
            let extras = pipreq::parse_extras_list(extras)
                .map_err(|m| InputError::at(Origin::Arg(index), m.to_string()))?;
            let req = &mut out.locks[at];
            for e in extras {
                if !req.extras.contains(&e) {
                    req.extras.push(e);
                }
            }
            match group {
                None => req.include_default_groups = true,
                Some(g) => {
                    let g = crate::names::normalize(&g);
                    if !req.groups.contains(&g) {
                        req.groups.push(g);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Positional arguments, each one requirement.
fn read_positionals(
    inv: &Invocation,
    cwd: &Path,
    fs: &dyn Fs,
    out: &mut RequirementSet,
) -> Result<(), InputError> {
    for it in &inv.items {
        if let Item::Positional { index, value } = it {
            if py_strip(value).is_empty() {
                continue;
            }
            let r = pipreq::from_line(value, cwd, fs)
                .map_err(|m| InputError::at(Origin::Arg(*index), redact(&m)))?;
            out.requirements.push(make_requirement(NewRequirement::new(
                r,
                Origin::Arg(*index),
                value,
            )));
        }
    }
    Ok(())
}

/// Dependency groups of `pyproject.toml` files: every file is loaded
/// before any group is resolved, as pip does.
fn read_project_groups(
    project_groups: &[(String, String, usize)],
    cwd: &Path,
    fs: &dyn Fs,
    out: &mut RequirementSet,
) -> Result<(), InputError> {
    let mut resolvers: Vec<(String, groups::Resolver)> = Vec::new();
    for (path, _, index) in project_groups {
        if resolvers.iter().any(|(p, _)| p == path) {
            continue;
        }
        let full = abspath(Path::new(path), cwd);
        let r = groups::load(&full, &show(&full, cwd), fs)
            .map_err(|e| group_error(e, &full, cwd, *index))?;
        resolvers.push((path.clone(), r));
    }
    for (path, group, index) in project_groups {
        let full = abspath(Path::new(path), cwd);
        let Some((_, resolver)) = resolvers.iter_mut().find(|(p, _)| p == path) else {
            continue;
        };
        let reqs = resolver.resolve(group).map_err(|mut e| {
            e.message = format!(
                "[dependency-groups] resolution failed for '{group}' from '{}': {}",
                show(&full, cwd),
                e.message
            );
            group_error(e, &full, cwd, *index)
        })?;
        let project = super::project::declared_name(&full, fs);
        let chain = super::Chain::new(vec![Origin::Arg(*index)]);
        for g in reqs {
            let origin = Origin::file(&full, g.line, cwd);
            let r = pipreq::from_req_string(&g.text)
                .map_err(|m| InputError::at(origin.clone(), redact(&m)))?;
            let mut r = make_requirement(NewRequirement {
                included_from: chain.clone(),
                ..NewRequirement::new(r, origin, &g.text)
            });
            r.set_via(project.as_ref().map(|p| super::Via {
                project: p.clone(),
                extra: None,
                group: None,
                build: false,
                dependency_group: Some(super::groups::normalize_group(group)),
            }));
            out.requirements.push(r);
        }
    }
    Ok(())
}

/// `--requirements-from-script FILE` (once at most): its PEP 723
/// dependencies.
fn read_script(
    inv: &Invocation,
    cwd: &Path,
    fs: &dyn Fs,
    out: &mut RequirementSet,
) -> Result<(), InputError> {
    let scripts: Vec<(&str, usize)> = values(inv, Opt::RequirementsFromScript).collect();
    if let Some((_, index)) = scripts.get(1) {
        return Err(InputError::at(
            Origin::Arg(*index),
            "--requirements-from-script can only be given once",
        ));
    }
    let Some((value, index)) = scripts.first() else {
        return Ok(());
    };
    let full = abspath(Path::new(value), cwd);
    let meta = script::read(&full, &show(&full, cwd), fs).map_err(|e| {
        InputError::maybe_at(
            Some(match e.line {
                Some(l) => Origin::file(&full, l, cwd),
                None => Origin::Arg(*index),
            }),
            e.message,
        )
    })?;
    let chain = super::Chain::new(vec![Origin::Arg(*index)]);
    for d in meta.dependencies {
        let origin = Origin::file(&full, d.line, cwd);
        let r = pipreq::from_req_string(&d.text)
            .map_err(|m| InputError::at(origin.clone(), redact(&m)))?;
        out.requirements.push(make_requirement(NewRequirement {
            included_from: chain.clone(),
            ..NewRequirement::new(r, origin, &d.text)
        }));
    }
    Ok(())
}

/// What pip refuses of the whole once everything is read (pure): both
/// hash switches (from argv or from files), and constraints alone (they
/// install nothing).
fn check_whole(inv: &Invocation, out: &RequirementSet) -> Result<(), InputError> {
    let from_files = |n: &str| out.file_options.iter().any(|o| o.name == n);
    if (inv.has(Opt::RequireHashes) || from_files("--require-hashes"))
        && (inv.has(Opt::NoRequireHashes) || from_files("--no-require-hashes"))
    {
        return Err(InputError::new(
            "--require-hashes and --no-require-hashes are mutually exclusive",
        ));
    }
    let asks = inv.items.iter().any(|it| match it {
        Item::Positional { .. } => true,
        Item::Opt { spec, .. } => matches!(
            spec.long[0],
            "editable" | "requirement" | "group" | "requirements-from-script"
        ),
    });
    if !asks {
        return Err(InputError::new(
            "You must give at least one requirement to install: a name, a path or URL, \
             -r FILE, -e, --group or --requirements-from-script (-c only constrains)",
        ));
    }
    Ok(())
}

fn redact(e: impl std::fmt::Display) -> String {
    crate::redact::redact(&e.to_string()).into_owned()
}

fn show(path: &Path, cwd: &Path) -> String {
    display_path(path, cwd).display().to_string()
}

fn group_error(e: groups::GroupError, file: &Path, cwd: &Path, index: usize) -> InputError {
    InputError::maybe_at(
        Some(match e.line {
            Some(l) => Origin::file(file, l, cwd),
            None => Origin::Arg(index),
        }),
        e.message,
    )
}

#[cfg(test)]
mod tests {
    use super::super::fs::MemFs;
    use super::*;
    use crate::invocation::parse::Mode;
    use crate::invocation::parse_install;

    fn run(fs: &MemFs, args: &[&str]) -> Result<RequirementSet, InputError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let inv = parse_install(&args, Mode::Audit)?;
        collect_with(&inv, Path::new("/w"), &|_| None, fs)
    }

    fn origins(set: &RequirementSet) -> Vec<String> {
        set.requirements
            .iter()
            .map(|r| r.origin.to_string())
            .collect()
    }

    #[test]
    fn sources_are_decided_before_reading() {
        let args: Vec<String> = [
            "-r",
            "a.txt",
            "-r",
            "pylock.toml[x]",
            "--group",
            "dev",
            "--group",
            "./pylock.toml:test",
            "-r",
            "b.txt",
            "--group",
            "sub/pyproject.toml:lint",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let inv = parse_install(&args, Mode::Audit).expect("parses");
        let s = Sources::of(&inv, Path::new("/w")).expect("decides");
        // Files in pip's order (with the index of their option); one lock
        // file, however often it is named.
        assert_eq!(
            s.files,
            [
                Source::File("a.txt".into(), 0),
                Source::Lock(0),
                Source::File("b.txt".into(), 8)
            ]
        );
        assert_eq!(s.locks.len(), 1);
        let lock = &s.locks[0];
        assert_eq!(lock.key, "/w/pylock.toml");
        assert_eq!(lock.extras, ["x"]);
        assert_eq!(lock.groups, ["test"]);
        assert!(lock.include_default_groups, "named by -r");
        assert_eq!(
            s.project_groups,
            [
                ("pyproject.toml".to_string(), "dev".to_string(), 4),
                ("sub/pyproject.toml".to_string(), "lint".to_string(), 10)
            ]
        );
    }

    #[test]
    fn every_source_keeps_its_line_in_pip_order() {
        let mut fs = MemFs::new();
        fs.add("/w/r.txt", "\nfrom-file\n")
            .add("/w/c.txt", "c<2\n")
            .add("/w/s.py", "# /// script\n# dependencies = [\n#   \"from-script\",\n# ]\n# ///\n")
            .add("/w/pyproject.toml", "[dependency-groups]\ndev = [\n  \"from-group\",\n]\n")
            .add("/w/pylock.toml", "lock-version = '1.0'\ncreated-by = 'x'\n\n[[packages]]\nname = 'locked'\nversion = '1'\nsdist = {name = 'locked-1.tar.gz', url = 'https://x/l.tgz', hashes = {sha256 = '0'}}\n")
            .add("/w/proj/setup.py", "");
        let set = run(
            &fs,
            &[
                "-r",
                "r.txt",
                "--requirements-from-script",
                "s.py",
                "-e",
                "./proj",
                "--group",
                "dev",
                "pos",
                "-c",
                "c.txt",
                "-r",
                "pylock.toml",
            ],
        )
        .expect("test setup");
        assert_eq!(
            origins(&set),
            vec![
                "c.txt:1",
                "argument 9",
                "pyproject.toml:3",
                "argument 5",
                "proj/setup.py:1", // pip's default build requirement of a bare setup.py
                "r.txt:2",
                "pylock.toml:4",
                "s.py:3"
            ]
        );
        assert!(set.requirements[0].constraint);
        assert_eq!(set.requirements[3].kind, super::super::Kind::Editable);
        assert!(set.requirements[4].via().is_some_and(|v| v.build));
        assert_eq!(set.requirements[6].specifier, "==1");
    }

    #[test]
    fn group_and_script_errors_point_at_lines() {
        let mut fs = MemFs::new();
        fs.add(
            "/w/pyproject.toml",
            "[dependency-groups]\ndev = [\n  \"ok\",\n  \"bad>=>1\",\n]\n",
        )
        .add(
            "/w/s.py",
            "# /// script\n# dependencies = [\n#   \"fine\",\n#   \"nope>=>1\",\n# ]\n# ///\n",
        );
        assert_eq!(
            run(&fs, &["--group", "dev"])
                .unwrap_err()
                .origin
                .expect("test setup")
                .to_string(),
            "pyproject.toml:4"
        );
        assert_eq!(
            run(&fs, &["--requirements-from-script", "s.py"])
                .unwrap_err()
                .origin
                .expect("test setup")
                .to_string(),
            "s.py:4"
        );
        assert!(run(&fs, &["--group", "missing.toml:dev"]).is_err());
        assert!(run(&fs, &["-c", "x.txt"]).is_err()); // constraints alone ask for nothing
    }
}

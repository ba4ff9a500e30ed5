//! The last resort: `<target python> -m pip install --user
//! --break-system-packages`, with the user's own pass-on options and only
//! the requirements that fall through.
//!
//! Those requirements go into a temporary requirements file (mode 0600,
//! deleted when pip is done), each line with its per-requirement options,
//! after the global options of the files it came from (and of the files
//! that included those). Requirement sources of the command line (`-r`,
//! `-e`, `--group`, `--requirements-from-script`) are not passed on: the
//! file replaces them. Constraints are: `-c` as given, plus the files of
//! constraints that nested `-c` lines brought in.

use crate::error::EnvError;
use crate::exit::Exit;
use crate::invocation::options::Role;
use crate::invocation::{Invocation, Item};
use crate::origin::Origin;
use crate::plan::Plan;
use crate::requirements::{Requirement, RequirementSet};
use color_eyre::eyre::{self, WrapErr};
use std::path::{Component, Path, PathBuf};

/// Target options pip-guard decides itself, never passed on: the location
/// (`--user` and `--break-system-packages` are ours), the interpreter (we
/// run it), and `--dry-run` (handled before).
const OWN_TARGET: &[&str] = &[
    "user",
    "no-user",
    "break-system-packages",
    "python",
    "dry-run",
    "target",
    "root",
    "prefix",
];

/// The child pip to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// The interpreter: `<python> -m pip`.
    pub python: PathBuf,
    /// Arguments after `-m pip install`, before `-r <the temporary file>`.
    pub args: Vec<String>,
    /// The temporary requirements file's text (may hold secrets: never print).
    pub reqfile: String,
    /// Local projects whose dependencies pip-guard read (and planned one by
    /// one): installed after `reqfile`, in a second pip run with
    /// `--no-deps`, so pip fetches none of what Nix provides. Empty when
    /// there are none. Same options header as `reqfile`.
    pub projects: String,
    /// Constraints that keep denied projects out as dependencies
    /// ([`deny_constraints`]); passed as one more `-c` file when not empty.
    pub deny_constraints: String,
}

/// A constraints file that no version of a denied project satisfies: one
/// `NAME<0` line per `deny` pattern naming one project (no glob). pip then
/// fails to resolve rather than pull a denied project in as a dependency of
/// something the policy allows. (`<0` matches no version: not `0` itself,
/// not its pre-releases, and every other version is greater.) Glob patterns
/// cannot be written as constraints; the guard says so in the docs.
pub fn deny_constraints(policy: &crate::policy::Policy) -> String {
    if policy.mode == crate::policy::Mode::Off {
        return String::new();
    }
    let mut names: Vec<&str> = policy
        .deny
        .iter()
        .filter(|r| r.is_literal())
        .map(|r| r.normalized())
        .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = String::new();
    for n in names {
        out.push_str(n);
        out.push_str("<0\n");
    }
    out
}

/// An option in its canonical spelling (`--name` or `--name=value`).
fn canonical(long: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("--{long}={v}"),
        None => format!("--{long}"),
    }
}

/// Lexically normalized absolute path (no file system access).
fn lexical(cwd: &Path, p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in cwd.join(p).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Quote a value for a requirements-file option line (pip splits those
/// with `shlex.split`, POSIX rules).
fn shlex_quote(s: &str) -> String {
    crate::shell::sh_quote(s)
}

/// The files a requirement's line was read through: its own, then every
/// file that included it.
fn file_chain(r: &Requirement) -> Vec<&Path> {
    std::iter::once(&r.origin)
        .chain(r.included_from.iter())
        .filter_map(|o| match o {
            Origin::File { file, .. } => Some(file.as_path()),
            Origin::Arg(_) => None,
        })
        .collect()
}

/// One requirement as a requirements-file line.
fn req_line(r: &Requirement) -> String {
    let mut line = r.pip_line.replace(['\n', '\r'], " ");
    if r.editable && !line.starts_with('-') {
        line = format!("-e {line}");
    }
    for o in &r.options {
        line.push(' ');
        line.push_str(o);
    }
    line
}

/// Build the child: pure but for checking whether a relative `--find-links`
/// of a requirements file exists next to that file (pip's own rule).
pub fn build(
    inv: &Invocation,
    set: &RequirementSet,
    plan: &Plan,
    fall: &[usize],
    python: &Path,
    cwd: &Path,
) -> Child {
    let mut args = Vec::new();
    let mut constraint_files: Vec<PathBuf> = Vec::new();
    for item in &inv.items {
        let Item::Opt { spec, value, .. } = item else {
            continue;
        };
        let long = spec.long[0];
        let keep = match spec.role {
            Role::PassOn => true,
            Role::Source => long == "constraint",
            Role::Target => !OWN_TARGET.contains(&long),
            Role::Help => false,
        };
        if keep {
            args.push(canonical(long, value.as_deref()));
            if long == "constraint" {
                if let Some(v) = value {
                    constraint_files.push(lexical(cwd, Path::new(v)));
                }
            }
        }
    }
    // Constraints brought in by nested `-c` lines: pass their files too.
    for r in set.requirements.iter().filter(|r| r.constraint) {
        if let Origin::File { file, .. } = &r.origin {
            let abs = lexical(cwd, file);
            if !constraint_files.contains(&abs) {
                args.push(canonical("constraint", Some(&abs.to_string_lossy())));
                constraint_files.push(abs);
            }
        }
    }

    let reqs: Vec<&Requirement> = fall
        .iter()
        .filter_map(|&i| plan.entries.get(i))
        .map(|e| &e.req)
        .collect();
    let mut files: Vec<&Path> = Vec::new();
    for r in &reqs {
        for f in file_chain(r) {
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    let mut text =
        String::from("# written by pip-guard: the requirements that fall through to pip\n");
    for o in set.file_options.iter().filter(
        |o| matches!(&o.origin, Origin::File { file, .. } if files.contains(&file.as_path())),
    ) {
        let name = if o.name.starts_with('-') {
            o.name.clone()
        } else {
            format!("--{}", o.name)
        };
        match &o.value {
            None => text.push_str(&name),
            Some(v) => {
                let mut v = v.clone();
                if matches!(name.as_str(), "--find-links" | "-f") && !v.contains("://") {
                    if let Origin::File { file, .. } = &o.origin {
                        let beside = lexical(cwd, file)
                            .parent()
                            .map(|d| d.join(&v))
                            .filter(|p| p.exists());
                        if let Some(b) = beside {
                            v = b.to_string_lossy().into_owned();
                        }
                    }
                }
                text.push_str(&format!("{name} {}", shlex_quote(&v)));
            }
        }
        text.push('\n');
    }
    let header = text.clone();
    let mut projects = String::new();
    let mut others = 0;
    for r in reqs {
        let line = req_line(r);
        if read_statically(r) {
            projects.push_str(&line);
            projects.push('\n');
        } else {
            others += 1;
            text.push_str(&line);
            text.push('\n');
        }
    }
    if !projects.is_empty() {
        projects = format!("{header}{projects}");
        if others == 0 {
            text.clear();
        }
    }
    Child {
        python: python.to_path_buf(),
        args,
        reqfile: text,
        projects,
        deny_constraints: String::new(),
    }
}

/// A local project whose dependencies were all read (none dynamic): its
/// dependencies were planned one by one, so pip installs it with `--no-deps`.
fn read_statically(r: &Requirement) -> bool {
    r.project.as_ref().is_some_and(|p| {
        !p.dynamic.iter().any(|d| {
            d.what.contains("dependencies")
                || d.what.starts_with("dependency")
                || d.what.starts_with("group")
        })
    })
}

/// Run the child pip (then, for local projects, `pip install --no-deps`)
/// and wait; the temporary files are removed afterwards.
pub fn run(child: &Child, depth: u32) -> eyre::Result<Exit> {
    if !child.reqfile.is_empty() {
        let code = run_one(child, &child.reqfile, &[], depth)?;
        if code != Exit::External(0) || child.projects.is_empty() {
            return Ok(code);
        }
    }
    if child.projects.is_empty() {
        return Ok(Exit::External(0));
    }
    run_one(child, &child.projects, &["--no-deps"], depth)
}

/// Run the child pip once and wait; the temporary file is removed afterwards.
/// While pip runs, the guard ignores SIGINT and SIGQUIT (as `system(3)`
/// does) so that Ctrl-C stops pip and the guard still cleans up; pip gets
/// the default handlers back.
fn run_one(child: &Child, reqfile: &str, extra: &[&str], depth: u32) -> eyre::Result<Exit> {
    use std::io::Write;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut tmp = tempfile::Builder::new()
        .prefix("pip-guard-")
        .suffix(".txt")
        .tempfile()
        .wrap_err("could not create the temporary requirements file")?;
    // tempfile creates it 0600; say so explicitly in case that ever changes.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .wrap_err("could not restrict the temporary requirements file to 0600")?;
    }
    tmp.write_all(reqfile.as_bytes())
        .and_then(|_| tmp.flush())
        .wrap_err("could not write the temporary requirements file")?;

    let deny = if child.deny_constraints.is_empty() {
        None
    } else {
        let mut f = tempfile::Builder::new()
            .prefix("pip-guard-deny-")
            .suffix(".txt")
            .tempfile()
            .wrap_err("could not create the temporary constraints file")?;
        f.write_all(child.deny_constraints.as_bytes())
            .and_then(|_| f.flush())
            .wrap_err("could not write the temporary constraints file")?;
        Some(f)
    };

    let mut cmd = std::process::Command::new(&child.python);
    cmd.args(["-m", "pip", "install", "--user", "--break-system-packages"])
        .args(&child.args)
        .args(extra);
    if let Some(f) = &deny {
        cmd.arg("-c").arg(f.path());
    }
    cmd.arg("-r")
        .arg(tmp.path())
        .env(super::realpip::ACTIVE_VAR, (depth + 1).to_string());
    for v in super::sources::CHILD_ENV_REMOVE {
        cmd.env_remove(v);
    }
    // SAFETY: only async-signal-safe calls (signal) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    // SAFETY: setting dispositions to SIG_IGN has no preconditions.
    let old = unsafe {
        (
            libc::signal(libc::SIGINT, libc::SIG_IGN),
            libc::signal(libc::SIGQUIT, libc::SIG_IGN),
        )
    };
    let status = cmd.status();
    // SAFETY: restoring the dispositions saved above.
    unsafe {
        libc::signal(libc::SIGINT, old.0);
        libc::signal(libc::SIGQUIT, old.1);
    }
    let status = status.map_err(|e| {
        eyre::eyre!(EnvError(format!(
            "could not run {} -m pip: {e}",
            child.python.display()
        )))
    })?;
    drop(tmp);
    drop(deny);
    let code = match (status.code(), status.signal()) {
        (Some(c), _) => u8::try_from(c).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(1),
        _ => 1,
    };
    Ok(Exit::External(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shlex_quote("https://x/simple"), "https://x/simple");
        for w in ["a b", "it's", "x #y", "a\\b"] {
            assert_eq!(
                shlex::split(&shlex_quote(w)),
                Some(vec![w.to_string()]),
                "{w}"
            );
        }
    }

    #[test]
    fn denied_names_become_unsatisfiable_constraints() {
        use crate::policy::{Mode, Policy, Rule};
        let mut p = Policy::default();
        for pat in ["Made_Up.Pkg", "torch*", "made-up-pkg", "alpha", "a,b"] {
            p.deny
                .push(Rule::new(pat, None, "t:1", 1).expect("pattern"));
        }
        assert_eq!(deny_constraints(&p), "alpha<0\nmade-up-pkg<0\n");
        p.mode = Mode::Off;
        assert_eq!(deny_constraints(&p), "");
        assert_eq!(deny_constraints(&Policy::default()), "");
    }

    #[test]
    fn lexical_paths() {
        assert_eq!(
            lexical(Path::new("/w"), Path::new("./a/../c.txt")),
            PathBuf::from("/w/c.txt")
        );
        assert_eq!(
            lexical(Path::new("/w"), Path::new("/abs/c.txt")),
            PathBuf::from("/abs/c.txt")
        );
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;
    use crate::alternatives::Alternatives;
    use crate::invocation::parse::{parse_install, Mode};
    use crate::policy::Policy;
    use crate::render::guard::fixture;
    use crate::requirements::{FileOption, Kind};

    fn req(name: &str, origin: Origin, included_from: Vec<Origin>) -> Requirement {
        Requirement {
            origin,
            included_from,
            raw: name.into(),
            kind: Kind::Named,
            name: Some(name.into()),
            normalized: Some(crate::names::normalize(name)),
            extras: vec![],
            specifier: String::new(),
            specifiers: Default::default(),
            marker: None,
            pip_marker: None,
            url: None,
            editable: false,
            constraint: false,
            options: vec![],
            pip_line: name.into(),
            via: None,
            project: None,
        }
    }

    fn file(f: &str, line: usize) -> Origin {
        Origin::File {
            file: PathBuf::from(f),
            line,
        }
    }

    #[test]
    fn child_gets_pass_on_options_and_only_what_falls_through() {
        let cwd = tempfile::tempdir().expect("tmp");
        let cwd = cwd.path();
        std::fs::create_dir_all(cwd.join("sub/wheels")).expect("mkdir");
        let args: Vec<String> = [
            "-qUr",
            "req.txt",
            "-c",
            "./c.txt",
            "--index-url",
            "https://user:tok@example/simple",
            "--user",
            "--no-user",
            "--break-sys",
            "--python=/usr/bin/python3",
            "--dry-run",
            "--guard-yes",
            "-e",
            "./local",
            "extra-positional",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let inv = parse_install(&args, Mode::Guard).expect("parses");

        let mut frob = req(
            "frobnitz",
            file("sub/inner.txt", 2),
            vec![file("req.txt", 1)],
        );
        frob.options = vec!["--hash=sha256:abc".into()];
        frob.pip_line = "frobnitz @ https://user:tok@host/f.whl".into();
        let requests = req("requests", file("other.txt", 1), vec![]);
        let mut local = req("local", Origin::Arg(13), vec![]);
        local.kind = Kind::Path;
        local.editable = true;
        local.pip_line = "./local".into();
        let mut cons = req("numpy", file("sub/cons.txt", 1), vec![file("req.txt", 3)]);
        cons.constraint = true;
        cons.pip_line = "numpy<2".into();
        let set = RequirementSet {
            requirements: vec![frob, requests, local, cons],
            file_options: vec![
                FileOption {
                    origin: file("req.txt", 2),
                    name: "--extra-index-url".into(),
                    value: Some("https://x/simple".into()),
                },
                FileOption {
                    origin: file("sub/inner.txt", 1),
                    name: "--find-links".into(),
                    value: Some("wheels".into()),
                },
                FileOption {
                    origin: file("sub/inner.txt", 3),
                    name: "--pre".into(),
                    value: None,
                },
                FileOption {
                    origin: file("other.txt", 2),
                    name: "--no-index".into(),
                    value: None,
                },
            ],
        };
        let plan = Plan::build(
            &set,
            &fixture::target(),
            &fixture::index(&["requests"]),
            &Alternatives::embedded(),
            &Policy::default(),
        );
        let d = crate::plan::decide(&plan, false);
        assert_eq!(d.nix, [1], "requests is for Nix");
        assert_eq!(d.pip, [0, 2]);
        let child = build(
            &inv,
            &set,
            &plan,
            &d.pip,
            Path::new("/usr/bin/python3"),
            cwd,
        );

        let c_abs = cwd.join("c.txt").to_string_lossy().into_owned();
        let nested = cwd.join("sub/cons.txt").to_string_lossy().into_owned();
        assert_eq!(
            child.args,
            [
                "--quiet".to_string(),
                "--upgrade".into(),
                "--constraint=./c.txt".into(),
                "--index-url=https://user:tok@example/simple".into(),
                format!("--constraint={nested}"),
            ],
            "(c.txt is {c_abs})"
        );
        let lines: Vec<&str> = child.reqfile.lines().collect();
        let wheels = cwd.join("sub/wheels").to_string_lossy().into_owned();
        assert_eq!(
            &lines[1..],
            [
                "--extra-index-url https://x/simple".to_string(),
                format!("--find-links {wheels}"),
                "--pre".into(),
                "frobnitz @ https://user:tok@host/f.whl --hash=sha256:abc".into(),
                "-e ./local".into(),
            ],
            "{}",
            child.reqfile
        );
        assert!(!child.reqfile.contains("requests"));
        assert!(
            !child.reqfile.contains("--no-index"),
            "other.txt only fed Nix"
        );
    }

    #[test]
    fn a_read_project_goes_to_pip_last_and_without_its_dependencies() {
        let dir = tempfile::tempdir().expect("tmp");
        let cwd = dir.path();
        std::fs::create_dir_all(cwd.join("proj")).expect("mkdir");
        std::fs::write(
            cwd.join("proj/pyproject.toml"),
            "[project]\nname = \"p\"\nversion = \"1\"\ndependencies = [\"requests\", \"frobnitz\"]\n",
        )
        .expect("write");
        std::fs::write(cwd.join("r.txt"), "-f ./wheels\n-e ./proj\n").expect("write");
        let args: Vec<String> = ["-r", "r.txt"].iter().map(|s| s.to_string()).collect();
        let inv = parse_install(&args, Mode::Guard).expect("parses");
        let set = crate::requirements::collect::collect(&inv, cwd, &|_| None).expect("collects");
        let plan = crate::plan::Plan::build(
            &set,
            &fixture::target(),
            &fixture::index(&["requests", "setuptools"]),
            &Alternatives::embedded(),
            &Policy::default(),
        );
        let d = crate::plan::decide(&plan, false);
        let child = build(
            &inv,
            &set,
            &plan,
            &d.pip,
            Path::new("/usr/bin/python3"),
            cwd,
        );
        // First run: what Nix lacks (frobnitz), with the file's options.
        assert!(child.reqfile.contains("--find-links"), "{}", child.reqfile);
        assert!(
            child.reqfile.lines().any(|l| l == "frobnitz"),
            "{}",
            child.reqfile
        );
        assert!(!child.reqfile.contains("proj"), "{}", child.reqfile);
        assert!(
            !child.reqfile.contains("requests"),
            "Nix has it: {}",
            child.reqfile
        );
        // Second run (--no-deps): the project, with the same options.
        assert!(
            child.projects.contains("--find-links"),
            "{}",
            child.projects
        );
        assert!(
            child.projects.lines().any(|l| l == "-e ./proj"),
            "{}",
            child.projects
        );
        assert!(!child.projects.contains("frobnitz"), "{}", child.projects);
        // Only the project: no first run.
        let only: Vec<usize> = d
            .pip
            .iter()
            .copied()
            .filter(|&i| plan.entries[i].req.project.is_some())
            .collect();
        let child = build(&inv, &set, &plan, &only, Path::new("/usr/bin/python3"), cwd);
        assert!(child.reqfile.is_empty());
        assert!(child.projects.contains("-e ./proj"));
    }
}

//! Everything the guard hands to pip, built in one place from validated
//! names and vetted options only.
//!
//! The pip the guard starts reads nothing the guard did not plan:
//!
//! - it runs as `<the judged python> -m pip install --isolated …`, with
//!   `PIP_CONFIG_FILE=/dev/null` and every `PIP_*` variable but the guard's
//!   own removed from its environment. (`--isolated` alone skips the
//!   variables and the user's config files, but pip 26.3 still reads the
//!   site files, `/etc/pip.conf` and `<sys.prefix>/pip.conf`, and
//!   `PIP_CONFIG_FILE`; `PIP_CONFIG_FILE=/dev/null` turns every file off.)
//! - the user's requirement sources (`-r`, `-e`, `--group`,
//!   `--requirements-from-script`) and constraint files (`-c`, nested `-c`,
//!   `PIP_CONSTRAINT`, a configured `constraint`) are never passed on: pip
//!   gets one requirements file with the requirements that fall through and
//!   one constraints file written by the guard, whose lines are built from
//!   the parsed names, specifiers and URLs — a `-r` inside a constraints
//!   file was planned as the requirements it is, and never reaches pip as a
//!   file to read;
//! - the policy's denied projects are `NAME<0` lines of that constraints
//!   file, from names validated as PEP 508 names;
//! - options are the user's pass-on options re-spelled canonically
//!   (`--name=value`: one argument each, so a value never becomes an
//!   option), the vetted settings of pip's configuration
//!   ([`super::sources::Config::carried`]) and the location the guard
//!   decided (`--user --break-system-packages`, or the vetted `--target`,
//!   `--prefix`, `--root`).
//!
//! The child also gets `PYTHONSAFEPATH=1` and no `PYTHONPATH`, so that the
//! `pip` module that runs is the interpreter's own, not a `pip/` directory
//! in the working directory.
//!
//! [`build`] is pure; [`PipInput::write`] creates the two temporary files
//! (mode 0600) and the [`std::process::Command`].

use super::sources::Location;
use crate::error::InputError;
use crate::invocation::options::Role;
use crate::invocation::{Invocation, Item};
use crate::origin::Origin;
use crate::plan::Plan;
use crate::requirements::{Kind, Requirement, RequirementSet};
use std::path::{Component, Path, PathBuf};

/// Target options the guard decides itself, never passed on from the
/// command line: the location, the interpreter (the guard runs it), the
/// isolation (always on), and `--dry-run` (handled before).
const OWN: &[&str] = &[
    "user",
    "no-user",
    "break-system-packages",
    "python",
    "dry-run",
    "target",
    "root",
    "prefix",
    "isolated",
];

/// Options pip also takes as lines of a requirements file: configured ones
/// are written there (mode 0600), not on the command line.
const IN_FILE: &[&str] = &[
    "--index-url",
    "--extra-index-url",
    "--find-links",
    "--trusted-host",
    "--no-index",
    "--pre",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
];

/// Where pip installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The user site: `--user --break-system-packages`.
    User,
    /// `--target`/`--prefix`/`--root` with a vetted directory.
    Elsewhere(Location),
    /// Nowhere: `--dry-run --report FILE` (for inspecting what pip would
    /// install; the file is the caller's).
    Report(PathBuf),
}

/// What to build pip's input from.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The parsed install command line (for its pass-on options).
    pub inv: &'a Invocation,
    /// Everything read (for file options and constraints).
    pub set: &'a RequirementSet,
    /// The plan.
    pub plan: &'a Plan,
    /// Indices into `plan.entries` of the requirements that go to pip.
    pub fall: &'a [usize],
    /// The interpreter the guard judged: pip runs under it.
    pub python: &'a Path,
    /// The working directory (relative paths are made absolute).
    pub cwd: &'a Path,
    /// Where pip installs.
    pub destination: Destination,
    /// Vetted settings from pip's configuration (`--index-url=…`).
    pub carried: Vec<String>,
    /// Projects no version of which may be installed (validated names).
    pub deny: Vec<String>,
    /// The judged interpreter's markers (constraint markers are decided
    /// here, not written).
    pub markers: &'a pep508_rs::MarkerEnvironment,
    /// The guard's environment (what pip would inherit).
    pub env: &'a crate::settings::Env,
}

/// The child pip, fully built. `requirements` and `constraints` may hold
/// secrets (index credentials): never print them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipInput {
    /// The interpreter: `<python> -m pip`.
    pub python: PathBuf,
    /// Arguments after `-m pip`, before `-c <constraints> -r <requirements>`.
    pub args: Vec<String>,
    /// The requirements file's text (empty: no first run, only `projects`).
    pub requirements: String,
    /// Local projects whose dependencies pip-guard read and planned one by
    /// one: installed after `requirements`, in a second pip run with
    /// `--no-deps`, so pip fetches none of what Nix provides. Same options
    /// header as `requirements`; empty when there are none.
    pub projects: String,
    /// The constraints file's text (the user's constraints, then the deny lines).
    pub constraints: String,
    /// Variables set for the child (a configured proxy; may hold secrets).
    pub env: Vec<(String, String)>,
    /// Variables of the guard's environment the child must not inherit
    /// ([`env_to_remove`]).
    pub unset: Vec<std::ffi::OsString>,
}

/// The temporary files of a [`PipInput`], removed when dropped.
pub struct Written {
    /// The command to run.
    pub command: std::process::Command,
    /// The requirements file.
    pub requirements: tempfile::NamedTempFile,
    /// The constraints file.
    pub constraints: tempfile::NamedTempFile,
}

/// Whether `name` is a valid project name (PEP 508:
/// `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, case-insensitive).
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// The `NAME<0` constraints for the policy's literal `deny` patterns (a
/// glob cannot be a constraint): validated names only.
pub fn deny_names(policy: &crate::policy::Policy) -> Vec<String> {
    if policy.mode == crate::policy::Mode::Off {
        return Vec::new();
    }
    let mut names: Vec<String> = policy
        .deny
        .iter()
        .filter(|r| r.is_literal())
        .map(|r| r.normalized().to_string())
        .filter(|n| is_valid_name(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// An option in its canonical spelling (`--name` or `--name=value`).
fn canonical(long: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("--{long}={v}"),
        None => format!("--{long}"),
    }
}

/// Lexically normalized absolute path (no file system access).
pub fn lexical(cwd: &Path, p: &Path) -> PathBuf {
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
            Origin::File { file, .. } => Some(&**file),
            Origin::Arg(_) => None,
        })
        .collect()
}

/// One requirement as a requirements-file line.
fn req_line(r: &Requirement) -> String {
    let mut line = r.pip_line().expose().replace(['\n', '\r'], " ");
    if r.editable() && !line.starts_with('-') {
        line = format!("-e {line}");
    }
    for o in r.options() {
        line.push(' ');
        line.push_str(o);
    }
    line
}

/// A local project whose dependencies were all read (none dynamic): its
/// dependencies were planned one by one, so pip installs it with `--no-deps`.
fn read_statically(r: &Requirement) -> bool {
    r.project().is_some_and(|p| {
        !p.dynamic.iter().any(|d| {
            d.what.contains("dependencies")
                || d.what.starts_with("dependency")
                || d.what.starts_with("group")
        })
    })
}

/// A specifier as the grammar joined it (`>=1,<2`): version characters only.
fn valid_specifier(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || ".*+!_,<>=~-".contains(c))
}

/// One constraint as a constraints-file line, built from its parsed parts:
/// `name<spec>` for a named one, `name @ URL` for a direct reference. Its
/// marker is decided here for the target (a false marker drops the line),
/// so no marker text is written. Errors for anything that is not a plain
/// constraint (pip refuses unnamed and editable constraints too).
pub fn constraint_line(
    r: &Requirement,
    env: &pep508_rs::MarkerEnvironment,
) -> Result<Option<String>, InputError> {
    let at = || r.origin.clone();
    let Some(name) = r.normalized.as_deref().filter(|n| is_valid_name(n)) else {
        return Err(InputError::at(
            at(),
            "a constraint must name a project (pip refuses unnamed constraints)",
        ));
    };
    if r.editable() {
        return Err(InputError::at(
            at(),
            "editable requirements are not allowed as constraints",
        ));
    }
    if r.applies(env) == Ok(false) {
        return Ok(None);
    }
    match r.kind {
        Kind::Named => {
            if !valid_specifier(&r.specifier) {
                return Err(InputError::at(
                    at(),
                    "unexpected characters in a version specifier",
                ));
            }
            Ok(Some(format!("{name}{}", r.specifier)))
        }
        Kind::Url | Kind::Path | Kind::Editable => {
            // pip_line is the requirement as parsed, options split off; its
            // URL is what follows `@`, up to a marker.
            let line = r.pip_line().expose().replace(['\n', '\r'], " ");
            let url = line
                .split_once('@')
                .map(|(_, u)| u.split(';').next().unwrap_or("").trim())
                .filter(|u| !u.is_empty() && !u.chars().any(char::is_whitespace));
            match url {
                Some(u) if !u.starts_with('-') => Ok(Some(format!("{name} @ {u}"))),
                _ => Err(InputError::at(
                    at(),
                    "a direct-reference constraint must be written `name @ URL`",
                )),
            }
        }
    }
}

/// Build pip's input (pure but for checking whether a relative
/// `--find-links` of a requirements file exists next to that file, pip's
/// own rule). Errors only for a constraint pip-guard cannot write as a
/// plain line. The phases, in order: pip's command line, the carried
/// configuration, the requirements files' options, the requirements (and
/// local projects), the constraints, the child's environment.
pub fn build(req: &Request<'_>) -> Result<PipInput, InputError> {
    let mut args = destination_args(req);
    let carried = split_carried(req);
    args.extend(carried.args);
    args.extend(pass_on_args(req.inv));
    let reqs: Vec<&Requirement> = req
        .fall
        .iter()
        .filter_map(|&i| req.plan.entries.get(i))
        .map(|e| &e.req)
        .filter(|r| !r.constraint)
        .collect();
    let constraints: Vec<&Requirement> = req
        .set
        .requirements
        .iter()
        .filter(|r| r.constraint)
        .collect();
    let mut header =
        String::from("# written by pip-guard: the requirements that fall through to pip\n");
    for l in carried.file_lines {
        header.push_str(&l);
        header.push('\n');
    }
    header.push_str(&file_options(req, &reqs, &constraints));
    let (requirements, projects) = requirement_files(&header, &reqs);
    Ok(PipInput {
        python: req.python.to_path_buf(),
        args,
        requirements,
        projects,
        constraints: constraints_file(&constraints, &req.deny, req.markers)?,
        env: carried.env,
        unset: env_to_remove(req.env.iter().map(|(k, _)| k.to_os_string()))
            .into_iter()
            .filter(|k| k != "PIP_CONFIG_FILE")
            .collect(),
    })
}

/// `install --isolated` and what the destination adds.
fn destination_args(req: &Request<'_>) -> Vec<String> {
    let mut args = vec!["install".to_string(), "--isolated".to_string()];
    match &req.destination {
        Destination::User => {
            args.push("--user".into());
            args.push("--break-system-packages".into());
        }
        Destination::Elsewhere(loc) => {
            let dir = lexical(req.cwd, Path::new(loc.dir()));
            args.push(canonical(loc.option(), Some(&dir.to_string_lossy())));
            // There the guard decides nothing before pip: a dry run stays one.
            if req.inv.has(crate::invocation::Opt::DryRun) {
                args.push("--dry-run".into());
            }
        }
        Destination::Report(file) => {
            args.push("--dry-run".into());
            args.push("--ignore-installed".into());
            args.push(canonical("report", Some(&file.to_string_lossy())));
        }
    }
    args
}

/// Where each vetted setting of pip's configuration goes.
struct Carried {
    /// On pip's command line.
    args: Vec<String>,
    /// In the 0600 requirements file (the options a requirements file
    /// takes: an index URL may hold a token).
    file_lines: Vec<String>,
    /// In the child's environment (a proxy, which may hold a password).
    env: Vec<(String, String)>,
}

/// Settings from pip's configuration may hold credentials (an index URL
/// with a token, a proxy with a password): they go where pip's own
/// configuration kept them out of `ps` — the 0600 requirements file for
/// the options a requirements file takes, the environment for the proxy —
/// and only the rest on the command line.
fn split_carried(req: &Request<'_>) -> Carried {
    let mut out = Carried {
        args: Vec::new(),
        file_lines: Vec::new(),
        env: Vec::new(),
    };
    for opt in &req.carried {
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (opt.as_str(), None),
        };
        if IN_FILE.contains(&name) {
            out.file_lines.push(match value {
                // A relative path from the configuration is relative to
                // the working directory, not to the temporary file.
                Some(v) if name == "--find-links" && !v.contains("://") => format!(
                    "{name} {}",
                    shlex_quote(&lexical(req.cwd, Path::new(v)).to_string_lossy())
                ),
                Some(v) => format!("{name} {}", shlex_quote(v)),
                None => name.to_string(),
            });
        } else if let ("--proxy", Some(v)) = (name, value) {
            for var in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"] {
                out.env.push((var.to_string(), v.to_string()));
            }
        } else {
            out.args.push(opt.clone());
        }
    }
    out
}

/// The command line's options that pip gets as written (canonical
/// spelling): pass-on and target options, not sources, help or
/// pip-guard's own.
fn pass_on_args(inv: &Invocation) -> Vec<String> {
    inv.items
        .iter()
        .filter_map(|item| {
            let Item::Opt { spec, value, .. } = item else {
                return None;
            };
            let long = spec.long[0];
            let keep = match spec.role {
                Role::PassOn | Role::Target => !OWN.contains(&long),
                Role::Source | Role::Help => false,
            };
            keep.then(|| canonical(long, value.as_deref()))
        })
        .collect()
}

/// The file options (-i, -f, --pre, …) of every file pip would have read
/// for these requirements and constraints, one per line. A relative
/// `--find-links` is made absolute beside its file when it exists there
/// (pip's rule), else left relative to the working directory.
fn file_options(req: &Request<'_>, reqs: &[&Requirement], constraints: &[&Requirement]) -> String {
    let mut files: Vec<&Path> = Vec::new();
    for r in reqs.iter().chain(constraints.iter()) {
        for f in file_chain(r) {
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    let mut text = String::new();
    for o in req
        .set
        .file_options
        .iter()
        .filter(|o| matches!(&o.origin, Origin::File { file, .. } if files.contains(&&**file)))
    {
        let name = if o.name.starts_with('-') {
            o.name.clone()
        } else {
            format!("--{}", o.name)
        };
        match &o.value {
            None => text.push_str(&name),
            Some(v) => {
                let mut v = v.expose().to_string();
                if matches!(name.as_str(), "--find-links" | "-f") && !v.contains("://") {
                    if let Origin::File { file, .. } = &o.origin {
                        let beside = lexical(req.cwd, file)
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
    text
}

/// The two requirements files, each starting with `header`: the first run
/// (everything but the local projects pip-guard read statically; empty
/// when there is nothing else), and the second run's local projects
/// (empty when there are none).
fn requirement_files(header: &str, reqs: &[&Requirement]) -> (String, String) {
    let mut text = header.to_string();
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
    (text, projects)
}

/// The constraints file: the user's constraints (markers decided for the
/// judged interpreter), then `NAME<0` for each denied project with a
/// valid name.
fn constraints_file(
    constraints: &[&Requirement],
    deny: &[String],
    markers: &pep508_rs::MarkerEnvironment,
) -> Result<String, InputError> {
    let mut cons = String::from("# written by pip-guard: constraints\n");
    for r in constraints {
        if let Some(line) = constraint_line(r, markers)? {
            cons.push_str(&line);
            cons.push('\n');
        }
    }
    for n in deny {
        if is_valid_name(n) {
            cons.push_str(n);
            cons.push_str("<0\n");
        }
    }
    Ok(cons)
}

/// Variables the child's environment must not carry: pip's own settings
/// (`PIP_*`, which `--isolated` ignores anyway; removed so that nothing pip
/// starts in turn reads them), except the guard's own `PIP_GUARD_*`.
pub fn env_to_remove(
    vars: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    vars.into_iter()
        .filter(|k| {
            k.to_str()
                .is_some_and(|k| k.starts_with("PIP_") && !k.starts_with("PIP_GUARD_"))
                || k.to_str().is_none()
        })
        .collect()
}

impl PipInput {
    /// Write the two temporary files (mode 0600) and build the command:
    /// `<python> -m pip <args> -c <constraints> -r <requirements>`.
    pub fn write(&self, depth: u32) -> std::io::Result<Written> {
        self.write_run(&self.requirements, &[], depth)
    }

    /// [`PipInput::write`] for the second run: the `projects` file, with
    /// `--no-deps`.
    pub fn write_projects(&self, depth: u32) -> std::io::Result<Written> {
        self.write_run(&self.projects, &["--no-deps"], depth)
    }

    fn write_run(&self, text: &str, extra: &[&str], depth: u32) -> std::io::Result<Written> {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let file = |prefix: &str, text: &str| -> std::io::Result<tempfile::NamedTempFile> {
            let mut f = tempfile::Builder::new()
                .prefix(prefix)
                .suffix(".txt")
                .permissions(std::fs::Permissions::from_mode(0o600))
                .tempfile()?;
            f.write_all(text.as_bytes())?;
            f.flush()?;
            Ok(f)
        };
        let requirements = file("pip-guard-", text)?;
        let constraints = file("pip-guard-constraints-", &self.constraints)?;
        let mut command = std::process::Command::new(&self.python);
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
            .args(["-m", "pip"])
            .args(&self.args)
            .args(extra)
            .arg("-c")
            .arg(constraints.path())
            .arg("-r")
            .arg(requirements.path())
            .env(super::realpip::ACTIVE_VAR, (depth + 1).to_string())
            .env("PIP_CONFIG_FILE", "/dev/null")
            // The pip that runs is the judged interpreter's own: not a `pip`
            // directory in the working directory (`-m` puts the cwd first on
            // sys.path unless PYTHONSAFEPATH, Python 3.11+), not one from
            // PYTHONPATH (the probe ran without it too).
            .env("PYTHONSAFEPATH", "1")
            .env_remove("PYTHONPATH");
        for k in &self.unset {
            command.env_remove(k);
        }
        Ok(Written {
            command,
            requirements,
            constraints,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alternatives::Alternatives;
    use crate::invocation::parse::{parse_install, Mode};
    use crate::policy::{Policy, Rule};
    use crate::render::guard::fixture;
    use crate::requirements::FileOption;

    fn req(name: &str, origin: Origin, included_from: Vec<Origin>) -> Requirement {
        Requirement::new(crate::requirements::Parts {
            origin,
            included_from: included_from.into(),
            raw: name.into(),
            kind: Kind::Named,
            name: Some(name.into()),
            specifier: Default::default(),
            marker: None,
            constraint: false,
            extras: vec![],
            url: None,
            options: vec![],
            pip_line: name.into(),
        })
    }

    fn file(f: &str, line: usize) -> Origin {
        Origin::File {
            file: PathBuf::from(f).into(),
            line,
        }
    }

    #[test]
    fn names() {
        for ok in ["a", "A1", "made-up-pkg", "ruamel.yaml", "x_y"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-x",
            "-rpwned",
            "a,b",
            "x-",
            "[--z]",
            "a b",
            "made-up-pkg!",
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn denied_names_are_validated() {
        let mut p = Policy::default();
        for pat in ["Made_Up.Pkg", "torch*", "made-up-pkg", "alpha"] {
            p.deny
                .push(Rule::new(pat, None, "t:1", 1).expect("pattern"));
        }
        assert_eq!(deny_names(&p), ["alpha", "made-up-pkg"]);
        p.mode = crate::policy::Mode::Off;
        assert!(deny_names(&p).is_empty());
    }

    #[test]
    fn constraints_are_rebuilt_from_parsed_parts() {
        let env = fixture::target().markers;
        let mut c = req("NumPy", file("c.txt", 1), vec![]);
        c.constraint = true;
        c.specifier = "<2,>=1".into();
        c.set_pip_line("NumPy <2, >=1 --hash=x");
        assert_eq!(
            constraint_line(&c, &env).expect("ok").as_deref(),
            Some("numpy<2,>=1")
        );
        let mut u = req("frob", file("c.txt", 2), vec![]);
        u.kind = Kind::Url;
        u.set_pip_line("frob @ https://h/f.whl ; python_version > '3'");
        assert_eq!(
            constraint_line(&u, &env).expect("ok").as_deref(),
            Some("frob @ https://h/f.whl")
        );
        let mut unnamed = req("x", file("c.txt", 3), vec![]);
        unnamed.normalized = None;
        assert!(constraint_line(&unnamed, &env).is_err());
    }

    #[test]
    fn only_planned_input_reaches_pip() {
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
            "--isolated",
            "--target",
            "/t",
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
        frob.set_options(vec!["--hash=sha256:abc".into()]);
        frob.set_pip_line("frobnitz @ https://user:tok@host/f.whl");
        let requests = req("requests", file("other.txt", 1), vec![]);
        let mut cons = req("numpy", file("c.txt", 1), vec![]);
        cons.constraint = true;
        cons.specifier = "<2".into();
        cons.set_pip_line("numpy<2");
        let set = RequirementSet {
            requirements: vec![frob, requests, cons],
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
                    origin: file("c.txt", 2),
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
        let target = fixture::target();
        let plan = Plan::build(
            &set,
            &target,
            &fixture::index(&["requests"]),
            &Alternatives::embedded(),
            &Policy::default(),
        );
        let input = build(&Request {
            env: &crate::settings::Env::default(),
            inv: &inv,
            set: &set,
            plan: &plan,
            fall: &[0],
            python: Path::new("/usr/bin/python3"),
            cwd,
            destination: Destination::User,
            carried: vec![
                "--timeout=5".into(),
                "--index-url=https://u:secret@corp/simple".into(),
                "--proxy=http://u:pw@proxy:3128".into(),
            ],
            deny: vec!["made-up-pkg".into(), "-rpwned".into()],
            markers: &target.markers,
        })
        .expect("builds");
        assert_eq!(
            input.args,
            [
                "install",
                "--isolated",
                "--user",
                "--break-system-packages",
                "--timeout=5",
                "--quiet",
                "--upgrade",
                "--index-url=https://user:tok@example/simple",
            ]
        );
        assert!(
            !input
                .args
                .iter()
                .any(|a| a.contains("secret") || a.contains("pw@")),
            "configured credentials stay off the command line: {:?}",
            input.args
        );
        assert!(input.env.contains(&(
            "https_proxy".to_string(),
            "http://u:pw@proxy:3128".to_string()
        )));
        let wheels = cwd.join("sub/wheels").to_string_lossy().into_owned();
        let lines: Vec<&str> = input.requirements.lines().skip(1).collect();
        assert_eq!(
            lines,
            [
                "--index-url https://u:secret@corp/simple".to_string(),
                "--extra-index-url https://x/simple".to_string(),
                format!("--find-links {wheels}"),
                "--pre".into(),
                "frobnitz @ https://user:tok@host/f.whl --hash=sha256:abc".into(),
            ]
        );
        let cons: Vec<&str> = input.constraints.lines().skip(1).collect();
        assert_eq!(
            cons,
            ["numpy<2", "made-up-pkg<0"],
            "an invalid name is never written"
        );

        let elsewhere = build(&Request {
            env: &crate::settings::Env::default(),
            inv: &inv,
            set: &set,
            plan: &plan,
            fall: &[0],
            python: Path::new("/usr/bin/python3"),
            cwd,
            destination: Destination::Elsewhere(Location::Target("t".into())),
            carried: vec![],
            deny: vec![],
            markers: &target.markers,
        })
        .expect("builds");
        let t = cwd.join("t").to_string_lossy().into_owned();
        assert_eq!(
            elsewhere.args[..4],
            [
                "install".to_string(),
                "--isolated".into(),
                format!("--target={t}"),
                "--dry-run".into(),
            ],
            "the command line's --dry-run holds for an install elsewhere"
        );
    }

    #[test]
    fn a_report_run_installs_nothing() {
        let args: Vec<String> = ["--user", "-q", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let inv = parse_install(&args, Mode::Guard).expect("parses");
        let set = RequirementSet::default();
        let target = fixture::target();
        let plan = Plan::build(
            &set,
            &target,
            &fixture::index(&[]),
            &Alternatives::embedded(),
            &Policy::default(),
        );
        let input = build(&Request {
            env: &crate::settings::Env::default(),
            inv: &inv,
            set: &set,
            plan: &plan,
            fall: &[],
            python: Path::new("/usr/bin/python3"),
            cwd: Path::new("/w"),
            destination: Destination::Report(PathBuf::from("/tmp/r.json")),
            carried: vec![],
            deny: vec!["torch".into()],
            markers: &target.markers,
        })
        .expect("builds");
        assert_eq!(
            input.args,
            [
                "install",
                "--isolated",
                "--dry-run",
                "--ignore-installed",
                "--report=/tmp/r.json",
                "--quiet"
            ]
        );
        assert!(input.constraints.ends_with("torch<0\n"));
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
        let target = fixture::target();
        let plan = Plan::build(
            &set,
            &target,
            &fixture::index(&["requests", "setuptools"]),
            &Alternatives::embedded(),
            &Policy::default(),
        );
        let d = crate::plan::decide(&plan, false);
        let request = |fall: &[usize]| {
            build(&Request {
                env: &crate::settings::Env::default(),
                inv: &inv,
                set: &set,
                plan: &plan,
                fall,
                python: Path::new("/usr/bin/python3"),
                cwd,
                destination: Destination::User,
                carried: vec![],
                deny: vec![],
                markers: &target.markers,
            })
            .expect("builds")
        };
        let input = request(&d.pip);
        // First run: what Nix lacks (frobnitz), with the file's options.
        assert!(
            input.requirements.contains("--find-links"),
            "{}",
            input.requirements
        );
        assert!(
            input.requirements.lines().any(|l| l == "frobnitz"),
            "{}",
            input.requirements
        );
        assert!(
            !input.requirements.contains("proj"),
            "{}",
            input.requirements
        );
        assert!(!input.requirements.contains("requests"), "Nix has it");
        // Second run (--no-deps): the project, with the same options.
        assert!(
            input.projects.contains("--find-links"),
            "{}",
            input.projects
        );
        assert!(
            input.projects.lines().any(|l| l == "-e ./proj"),
            "{}",
            input.projects
        );
        assert!(!input.projects.contains("frobnitz"), "{}", input.projects);
        // Only the project: no first run.
        let only: Vec<usize> = d
            .pip
            .iter()
            .copied()
            .filter(|&i| plan.entries[i].req.project().is_some())
            .collect();
        let input = request(&only);
        assert!(input.requirements.is_empty());
        assert!(input.projects.contains("-e ./proj"));
    }

    #[test]
    fn child_environment() {
        let vars = [
            "PIP_REQUIREMENT",
            "PIP_GUARD_POLICY",
            "PATH",
            "PIP_CONSTRAINT",
        ]
        .map(std::ffi::OsString::from);
        assert_eq!(
            env_to_remove(vars),
            ["PIP_REQUIREMENT", "PIP_CONSTRAINT"].map(std::ffi::OsString::from)
        );
    }
}

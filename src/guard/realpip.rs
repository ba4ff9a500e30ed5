//! Find the real pip, and run it by `exec`.
//!
//! The real pip is, in order: `PIP_GUARD_REAL_PIP` (a path, or a name looked
//! up on PATH); else the first `pip`/`pip3`/`pip3.N` on PATH (the name we
//! were called by first) that is not pip-guard itself — compared by
//! canonical path and by inode, so a symlink or hard link to the guard is
//! skipped; else `python3 -m pip` (`python3.N` for `pip3.N` when present).
//!
//! Every child gets `PIP_GUARD_ACTIVE=<depth>`. A guard that starts with a
//! depth of [`MAX_DEPTH`] or more, or that would exec its own binary, stops
//! with a loop error (exit 4) instead of hanging.

use crate::error::EnvError;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The variable carried to every child.
pub const ACTIVE_VAR: &str = "PIP_GUARD_ACTIVE";

/// Guards nested this deep are a loop (a wrapper script that calls the
/// guard again, say). Legitimate nesting (pip running a build that calls
/// `pip`) stays well below it.
pub const MAX_DEPTH: u32 = 4;

/// How to run the real pip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealPip {
    /// A pip executable.
    Program(PathBuf),
    /// `<python> -m pip`.
    Module(PathBuf),
}

impl RealPip {
    /// The program to start and the arguments before pip's own.
    pub fn command_prefix(&self) -> (OsString, Vec<OsString>) {
        match self {
            RealPip::Program(p) => (p.clone().into_os_string(), Vec::new()),
            RealPip::Module(py) => (
                py.clone().into_os_string(),
                vec![OsString::from("-m"), OsString::from("pip")],
            ),
        }
    }

    /// The interpreter this pip installs into, when it can be told without
    /// running anything: the `-m pip` python, or a script's `#!` line
    /// (`#!/usr/bin/env NAME` looks NAME up in `path`).
    pub fn interpreter(&self, path: Option<&OsStr>) -> Option<PathBuf> {
        match self {
            RealPip::Module(py) => Some(py.clone()),
            RealPip::Program(p) => shebang_python(p, path),
        }
    }
}

impl std::fmt::Display for RealPip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RealPip::Program(p) => write!(f, "{}", p.display()),
            RealPip::Module(py) => write!(f, "{} -m pip", py.display()),
        }
    }
}

/// What the search looks at (the process environment, made explicit).
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `PIP_GUARD_REAL_PIP`.
    pub real_pip: Option<OsString>,
    /// `PATH`.
    pub path: Option<OsString>,
    /// pip-guard's own executable.
    pub self_exe: Option<PathBuf>,
}

impl Env {
    /// From the process's settings.
    pub fn from_settings(settings: &crate::settings::Settings) -> Env {
        Env {
            real_pip: settings
                .env
                .nonempty_os("PIP_GUARD_REAL_PIP")
                .map(OsString::from),
            path: settings.path().map(OsString::from),
            self_exe: settings.self_exe.clone(),
        }
    }
}

/// The nesting depth we were started at (`PIP_GUARD_ACTIVE`; a value that
/// is set but not a number counts as 1).
pub fn incoming_depth(var: Option<&OsStr>) -> u32 {
    match var {
        None => 0,
        Some(v) if v.is_empty() => 0,
        Some(v) => v.to_str().and_then(|s| s.parse().ok()).unwrap_or(1),
    }
}

/// Stop if the depth says we are looping.
pub fn check_depth(depth: u32) -> Result<(), EnvError> {
    if depth >= MAX_DEPTH {
        return Err(EnvError(format!(
            "pip-guard is calling itself in a loop ({ACTIVE_VAR}={depth}): the `pip` it runs \
             leads back to pip-guard. Set PIP_GUARD_REAL_PIP to the real pip \
             (e.g. /usr/bin/pip3) or fix PATH."
        )));
    }
    Ok(())
}

/// Identity of a file: canonical path and (device, inode).
fn identity(p: &Path) -> Option<(PathBuf, (u64, u64))> {
    use std::os::unix::fs::MetadataExt;
    let canon = std::fs::canonicalize(p).ok()?;
    let m = std::fs::metadata(&canon).ok()?;
    Some((canon, (m.dev(), m.ino())))
}

fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The pip names to look for, the one we were called by first.
pub fn candidate_names(argv0: &str) -> Vec<String> {
    let mut names = vec![argv0.to_string()];
    for n in ["pip", "pip3"] {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    }
    names
}

/// Look `name` up on `path`, skipping files that are `self_id`.
fn which_not_self(
    name: &str,
    path: Option<&OsStr>,
    self_id: Option<&(PathBuf, (u64, u64))>,
) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .filter(|p| is_executable_file(p))
        .find(|p| match (self_id, identity(p)) {
            (Some(me), Some(it)) => me.0 != it.0 && me.1 != it.1,
            _ => true,
        })
}

/// Find the real pip for a guard called as `argv0`.
pub fn locate(argv0: &str, env: &Env) -> Result<RealPip, EnvError> {
    let self_id = env.self_exe.as_deref().and_then(identity);
    if let Some(v) = &env.real_pip {
        let p = Path::new(v);
        let found = if p.components().count() > 1 || p.is_absolute() {
            Some(p.to_path_buf()).filter(|p| is_executable_file(p))
        } else {
            crate::target::which(&p.to_string_lossy(), env.path.as_deref())
        };
        let Some(found) = found else {
            return Err(EnvError(format!(
                "PIP_GUARD_REAL_PIP={} is not an executable file",
                p.display()
            )));
        };
        if let (Some(me), Some(it)) = (&self_id, identity(&found)) {
            if me.0 == it.0 || me.1 == it.1 {
                return Err(EnvError(format!(
                    "PIP_GUARD_REAL_PIP={} is pip-guard itself: that would loop. \
                     Point it at the real pip (e.g. /usr/bin/pip3) or unset it.",
                    p.display()
                )));
            }
        }
        return Ok(RealPip::Program(found));
    }
    for name in candidate_names(argv0) {
        if let Some(p) = which_not_self(&name, env.path.as_deref(), self_id.as_ref()) {
            return Ok(RealPip::Program(p));
        }
    }
    let mut pythons = Vec::new();
    if let Some(ver) = argv0.strip_prefix("pip3.") {
        pythons.push(format!("python3.{ver}"));
    }
    pythons.push("python3".to_string());
    for py in pythons {
        if let Some(p) = crate::target::which(&py, env.path.as_deref()) {
            return Ok(RealPip::Module(p));
        }
    }
    Err(EnvError(format!(
        "no real pip found: no {} on PATH other than pip-guard, and no python3. \
         Set PIP_GUARD_REAL_PIP to the real pip.",
        candidate_names(argv0).join("/")
    )))
}

/// The Python a pip script runs under, from its `#!` line: `#!/usr/bin/python3`,
/// `#!/usr/bin/env python3`, or pip's `/bin/sh` trampoline for long paths
/// (`'''exec' "/long/path/python" "$0" "$@"`). `None` for anything else
/// (a binary, a pyenv shim, …).
pub fn shebang_python(script: &Path, path: Option<&OsStr>) -> Option<PathBuf> {
    shebang_python_depth(script, path, 0)
}

/// The program a Nix `makeWrapper` script hands over to:
/// `exec -a "$0" "/nix/store/…/bin/.pip-wrapped"  "$@"`.
fn wrapped_program(text: &str) -> Option<PathBuf> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("exec "))
        .flat_map(|l| l.split('"').skip(1).step_by(2))
        .find(|q| q.starts_with('/'))
        .map(PathBuf::from)
}

fn shebang_python_depth(script: &Path, path: Option<&OsStr>, depth: u8) -> Option<PathBuf> {
    use std::io::Read;
    let mut head = [0u8; 2];
    let mut f = std::fs::File::open(script).ok()?;
    f.read_exact(&mut head).ok()?;
    if &head != b"#!" {
        return None; // a binary: do not read it
    }
    // Scripts are small; a wrapper's exports can run to a few kB.
    let mut rest = Vec::new();
    f.take(64 * 1024).read_to_end(&mut rest).ok()?;
    let text = format!("#!{}", String::from_utf8_lossy(&rest));
    let text = text.as_str();
    let mut lines = text.lines();
    let first = lines.next()?.strip_prefix("#!")?.trim();
    let mut parts = first.split_whitespace();
    let prog = parts.next()?;
    let looks_python = |p: &str| {
        Path::new(p)
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("python"))
    };
    if prog.ends_with("/env") {
        let name = parts.find(|a| !a.starts_with('-'))?;
        return if looks_python(name) {
            crate::target::which(name, path)
        } else {
            None
        };
    }
    if looks_python(prog) {
        return Some(PathBuf::from(prog));
    }
    if prog == "/bin/sh" {
        if let Some(rest) = lines.next().and_then(|l| l.strip_prefix("'''exec' \"")) {
            let end = rest.find('"')?;
            let py = &rest[..end];
            return looks_python(py).then(|| PathBuf::from(py));
        }
    }
    let shell = Path::new(prog)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "sh" || n == "bash");
    if shell && depth < 2 {
        return wrapped_program(text).and_then(|p| shebang_python_depth(&p, path, depth + 1));
    }
    None
}

/// Replace this process with the real pip and `args`. Returns only if the
/// exec failed.
pub fn exec(real: &RealPip, args: &[OsString], depth: u32) -> EnvError {
    use std::os::unix::process::CommandExt;
    let (prog, prefix) = real.command_prefix();
    let err = std::process::Command::new(&prog)
        .args(prefix)
        .args(args)
        .env(ACTIVE_VAR, (depth + 1).to_string())
        .exec();
    EnvError(format!("could not run the real pip ({real}): {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn exe(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        p
    }

    #[test]
    fn depth() {
        assert_eq!(incoming_depth(None), 0);
        assert_eq!(incoming_depth(Some(OsStr::new("2"))), 2);
        assert_eq!(incoming_depth(Some(OsStr::new("yes"))), 1);
        assert!(check_depth(MAX_DEPTH - 1).is_ok());
        assert!(check_depth(MAX_DEPTH).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(candidate_names("pip3.11"), ["pip3.11", "pip", "pip3"]);
        assert_eq!(candidate_names("pip"), ["pip", "pip3"]);
    }

    #[test]
    fn skips_itself_on_path() {
        let t = tempfile::tempdir().expect("tmp");
        let guard_dir = t.path().join("guard");
        let real_dir = t.path().join("real");
        std::fs::create_dir_all(&guard_dir).expect("mkdir");
        std::fs::create_dir_all(&real_dir).expect("mkdir");
        let me = exe(t.path(), "pip-guard", "#!/bin/sh\n");
        symlink(&me, guard_dir.join("pip")).expect("symlink");
        std::fs::hard_link(&me, guard_dir.join("pip3")).expect("hard link");
        let real = exe(&real_dir, "pip3", "#!/usr/bin/python3\n");
        let env = Env {
            real_pip: None,
            path: Some(std::env::join_paths([&guard_dir, &real_dir]).expect("join")),
            self_exe: Some(me.clone()),
        };
        assert_eq!(locate("pip", &env), Ok(RealPip::Program(real.clone())));
        assert_eq!(
            RealPip::Program(real).interpreter(None),
            Some(PathBuf::from("/usr/bin/python3"))
        );
        // Only the guard on PATH, plus a python3: `python3 -m pip`.
        let py = exe(&real_dir, "python3", "");
        std::fs::remove_file(real_dir.join("pip3")).expect("rm");
        assert_eq!(locate("pip", &env), Ok(RealPip::Module(py)));
        // The explicit variable pointing at the guard is a loop.
        let env = Env {
            real_pip: Some(guard_dir.join("pip").into_os_string()),
            ..env
        };
        assert!(locate("pip", &env).is_err());
    }

    #[test]
    fn shebang_forms() {
        let t = tempfile::tempdir().expect("tmp");
        let a = exe(t.path(), "a", "#!/opt/py/bin/python3.12\nimport sys\n");
        assert_eq!(
            shebang_python(&a, None),
            Some(PathBuf::from("/opt/py/bin/python3.12"))
        );
        let b = exe(
            t.path(),
            "b",
            "#!/bin/sh\n'''exec' \"/very/long/venv/bin/python\" \"$0\" \"$@\"\n' '''\n",
        );
        assert_eq!(
            shebang_python(&b, None),
            Some(PathBuf::from("/very/long/venv/bin/python"))
        );
        let c = exe(t.path(), "c", "#!/usr/bin/env bash\nexec pyenv\n");
        assert_eq!(shebang_python(&c, None), None);
        // A Nix makeWrapper script around the real pip script.
        let inner = exe(
            t.path(),
            ".pip-wrapped",
            "#!/nix/store/x-python3-3.12.4/bin/python3.12\n",
        );
        let wrapper = exe(
            t.path(),
            "pip",
            &format!(
                "#! /nix/store/y-bash-5.2/bin/bash -e\nexport PATH='/x'${{PATH:+':'}}$PATH\nexec -a \"$0\" \"{}\"  \"$@\"\n",
                inner.display()
            ),
        );
        assert_eq!(
            shebang_python(&wrapper, None),
            Some(PathBuf::from("/nix/store/x-python3-3.12.4/bin/python3.12"))
        );
    }
}

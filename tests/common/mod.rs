//! Shared test support: a sealed environment to run the built `pip-guard`
//! binary in, path filters, and the prerequisites installed by `tests/setup.sh`.
//!
//! Use it from an integration test with `mod common;`:
//!
//! ```ignore
//! mod common;
//! use common::TestEnv;
//!
//! #[test]
//! fn audit_reads_a_file() {
//!     let env = TestEnv::new();
//!     env.write("req.txt", "requests\n");
//!     let out = env.pip_guard(["audit", "-r", "req.txt"]).run().success();
//!     assert!(out.stdout.contains("requests"));
//! }
//! ```
//!
//! Every test gets a fresh temporary directory with `home/` (HOME, XDG_*
//! dirs, PYTHONUSERBASE under it) and `work/` (the command's cwd). The
//! child's environment is the test process's minus every `PIP_*` and
//! `PIP_GUARD_*` variable (and `VIRTUAL_ENV`, `PYTHONPATH`). On failure
//! [`Run`] prints the command, cwd, a listing of the temp dir and the output.
#![allow(dead_code)]

pub mod native;
pub mod pty;
pub mod wheel;

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `pip-guard` binary cargo built for this test run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pip-guard"))
}

/// Whether a missing prerequisite is a failure: under CI (`CI=true`) and
/// under `tests/run` (which exports `PIP_GUARD_TESTS_STRICT=1` after
/// installing every prerequisite).
pub fn strict() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
        || std::env::var("PIP_GUARD_TESTS_STRICT").as_deref() == Ok("1")
}

/// Kept for the tests that ask whether they run under CI.
pub fn in_ci() -> bool {
    strict()
}

/// The file in which this `cargo test` run records its skipped tests: one
/// per parent process (cargo or nextest), read by `tests/zz_skipped.rs`,
/// which runs last and prints the count.
pub fn skip_log() -> PathBuf {
    // SAFETY: getppid has no preconditions and cannot fail.
    let ppid = unsafe { libc::getppid() };
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("skipped-{ppid}.log"))
}

/// A prerequisite is missing: fail under [`strict`] (naming `tests/setup.sh`),
/// else record the skip and return `None`. The skip is visible however the
/// tests run: one line written straight to stderr (libtest does not capture
/// it), and one line in [`skip_log`], which `tests/zz_skipped.rs` counts.
/// Every skip in the suite goes through here.
pub fn missing<T>(what: &str) -> Option<T> {
    let msg =
        format!("{what} is missing: run tests/setup.sh (it installs every test prerequisite)");
    if strict() {
        panic!("{msg}");
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_string();
    let line = format!("SKIPPED {test}: {msg}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skip_log())
    {
        let _ = f.write_all(line.as_bytes());
    }
    None
}

/// The pinned-pip test virtualenv's python: `$PIP_GUARD_TEST_VENV/bin/python`,
/// else `<repo>/.venv-test/bin/python`. `None` (test skipped) when absent
/// outside CI; a panic naming `tests/setup.sh` under `CI=true`.
pub fn venv_python() -> Option<PathBuf> {
    let venv = std::env::var_os("PIP_GUARD_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-test"));
    let py = venv.join("bin").join("python");
    if py.is_file() {
        Some(py)
    } else {
        missing(&format!("the pip==26.3 test venv ({})", py.display()))
    }
}

/// A program on PATH (e.g. `zsh`, `fish`, `nix-instantiate`), with the same
/// skip/fail rule as [`venv_python`].
pub fn require(program: &str) -> Option<PathBuf> {
    match which(program) {
        Some(p) => Some(p),
        None => missing(&format!("`{program}`")),
    }
}

/// Look a program up on PATH, without running it.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Whether an inherited variable is removed from every test command:
/// `PIP_*` (pip's config, and so `PIP_GUARD_*`), and what selects another
/// Python environment (`VIRTUAL_ENV`, `PYTHONPATH`, `PYTHONHOME`, `CONDA_PREFIX`).
pub fn sealed_out(name: &str) -> bool {
    name.starts_with("PIP_")
        || matches!(
            name,
            "VIRTUAL_ENV" | "PYTHONPATH" | "PYTHONHOME" | "CONDA_PREFIX"
        )
}

/// A sealed temporary environment for one test.
pub struct TestEnv {
    tmp: tempfile::TempDir,
    /// `<tmp>/home`: HOME; the XDG dirs and PYTHONUSERBASE live under it.
    pub home: PathBuf,
    /// `<tmp>/work`: the cwd of commands run with [`TestEnv::cmd`].
    pub cwd: PathBuf,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    /// A fresh environment with `home/` and `work/` created.
    pub fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("pip-guard-test")
            .tempdir()
            .expect("create a temp dir");
        let root = tmp.path().canonicalize().expect("canonical temp dir");
        let home = root.join("home");
        let cwd = root.join("work");
        for d in [
            home.clone(),
            cwd.clone(),
            home.join(".config"),
            home.join(".cache"),
            home.join(".local/share"),
            home.join(".local/state"),
        ] {
            std::fs::create_dir_all(&d).expect("create test dirs");
        }
        TestEnv { tmp, home, cwd }
    }

    /// The temp dir's root (canonical).
    pub fn root(&self) -> PathBuf {
        self.home.parent().expect("home has a parent").to_path_buf()
    }

    /// The user base pip `--user` installs into (`PYTHONUSERBASE`).
    pub fn user_base(&self) -> PathBuf {
        self.home.join(".local")
    }

    /// XDG config dir (`$XDG_CONFIG_HOME`).
    pub fn config_dir(&self) -> PathBuf {
        self.home.join(".config")
    }

    /// XDG cache dir (`$XDG_CACHE_HOME`).
    pub fn cache_dir(&self) -> PathBuf {
        self.home.join(".cache")
    }

    /// A path relative to the working directory.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.cwd.join(rel)
    }

    /// Write a file relative to the working directory (parents created).
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent dirs");
        }
        std::fs::write(&p, contents).expect("write test file");
        p
    }

    /// Replace the temp dir's path with `[TMP]` (so `[TMP]/home/...`, `[TMP]/work/...`).
    pub fn filter(&self, s: &str) -> String {
        let root = self.root();
        let mut out = s.replace(&*root.to_string_lossy(), "[TMP]");
        // The un-canonicalized form too (e.g. when TMPDIR goes through a symlink).
        let raw = self.tmp.path().to_string_lossy();
        if raw != root.to_string_lossy() {
            out = out.replace(&*raw, "[TMP]");
        }
        out
    }

    /// The environment every command gets (on top of the inherited one, minus `PIP_*`).
    pub fn vars(&self) -> Vec<(OsString, OsString)> {
        let h = &self.home;
        vec![
            ("HOME".into(), h.into()),
            ("XDG_CONFIG_HOME".into(), h.join(".config").into()),
            ("XDG_CACHE_HOME".into(), h.join(".cache").into()),
            ("XDG_DATA_HOME".into(), h.join(".local/share").into()),
            ("XDG_STATE_HOME".into(), h.join(".local/state").into()),
            ("PYTHONUSERBASE".into(), self.user_base().into()),
            ("NO_COLOR".into(), "1".into()),
            ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
        ]
    }

    /// A command for any program, sealed in this environment, cwd = [`TestEnv::cwd`].
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Cmd {
        let mut c = Command::new(program.as_ref());
        for (k, _) in std::env::vars_os() {
            if sealed_out(&k.to_string_lossy()) {
                c.env_remove(&k);
            }
        }
        c.envs(self.vars());
        c.current_dir(&self.cwd);
        Cmd {
            cmd: c,
            stdin: None,
            root: self.root(),
        }
    }

    /// The built `pip-guard` binary with `args`.
    pub fn pip_guard<I, S>(&self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = self.cmd(bin());
        c.args(args);
        c
    }
}

/// A command to run; build it like `std::process::Command`.
pub struct Cmd {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    root: PathBuf,
}

impl Cmd {
    /// Add one argument.
    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Self {
        self.cmd.arg(a);
        self
    }
    /// Add arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }
    /// Set a variable.
    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut Self {
        self.cmd.env(k, v);
        self
    }
    /// Remove a variable.
    pub fn env_remove(&mut self, k: impl AsRef<OsStr>) -> &mut Self {
        self.cmd.env_remove(k);
        self
    }
    /// Run in another directory.
    pub fn current_dir(&mut self, d: impl AsRef<Path>) -> &mut Self {
        self.cmd.current_dir(d);
        self
    }
    /// Feed this to stdin (default: stdin is closed / `/dev/null`).
    pub fn stdin(&mut self, data: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(data.into());
        self
    }

    /// A description of the command for failure reports.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = write!(s, "{}", self.cmd.get_program().to_string_lossy());
        for a in self.cmd.get_args() {
            let _ = write!(s, " {:?}", a.to_string_lossy());
        }
        s
    }

    /// Run to completion and capture the output. Panics only if it cannot start.
    pub fn run(&mut self) -> Run {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.describe()));
        if let Some(data) = self.stdin.take() {
            let mut si = child.stdin.take().expect("piped stdin");
            // The child may exit without reading: ignore a broken pipe.
            let _ = si.write_all(&data);
        }
        let out = child.wait_with_output().expect("wait for child");
        Run {
            command: self.describe(),
            cwd: self
                .cmd
                .get_current_dir()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            root: self.root.clone(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The result of a [`Cmd`]; the assertion helpers print a full report on failure.
#[derive(Debug, Clone)]
pub struct Run {
    /// The command line as run.
    pub command: String,
    /// Its working directory.
    pub cwd: PathBuf,
    root: PathBuf,
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Run {
    /// Everything a failing test should show: command, cwd, listing, output.
    pub fn report(&self) -> String {
        format!(
            "command: {}\ncwd: {}\nexit: {:?}\n--- files under {} ---\n{}--- stdout ---\n{}\n--- stderr ---\n{}\n",
            self.command,
            self.cwd.display(),
            self.code,
            self.root.display(),
            listing(&self.root),
            self.stdout,
            self.stderr
        )
    }

    /// Assert exit code 0.
    #[track_caller]
    pub fn success(self) -> Self {
        self.code(0)
    }

    /// Assert an exact exit code.
    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        if self.code != Some(expected) {
            panic!("expected exit code {expected}\n{}", self.report());
        }
        self
    }

    /// Assert a non-zero exit code.
    #[track_caller]
    pub fn failure(self) -> Self {
        if self.code == Some(0) {
            panic!("expected a failure\n{}", self.report());
        }
        self
    }

    /// Panic with the full report and a message (for custom assertions).
    #[track_caller]
    pub fn fail(&self, why: &str) -> ! {
        panic!("{why}\n{}", self.report());
    }
}

/// A recursive listing of `dir` (relative paths, sizes), at most 200 entries.
pub fn listing(dir: &Path) -> String {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if out.len() >= 200 {
                return;
            }
            let p = e.path();
            let rel = p.strip_prefix(base).unwrap_or(&p).display().to_string();
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    out.push(format!("{rel}/"));
                    walk(base, &p, out);
                }
                Ok(t) if t.is_symlink() => {
                    let to = std::fs::read_link(&p).unwrap_or_default();
                    out.push(format!("{rel} -> {}", to.display()));
                }
                _ => {
                    let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                    out.push(format!("{rel} ({len} bytes)"));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    let mut s = out.join("\n");
    if out.len() >= 200 {
        s.push_str("\n… (listing cut at 200 entries)");
    }
    s.push('\n');
    s
}

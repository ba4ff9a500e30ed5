//! The sandbox every end-to-end test of the guard in front of Debian's
//! externally-managed `/usr/bin/python3` (and its pip) runs in: hand-built
//! wheels in a `--find-links` directory, a temporary `PYTHONUSERBASE`, the
//! guard symlinked as `pip`, `pip3` and `pip3.11` first on PATH, and HOME /
//! XDG dirs (so the audit log) in the temp dir. Used by guard_e2e,
//! enforce_bypass, audit_log_concurrent_guard and secrets; needs `mod common;`
//! next to `mod debian;`.
//!
//! Prerequisites (tests/setup.sh): Debian's python3 with python3-pip.
//! Missing → skipped, or failed under `CI=true`.
#![allow(dead_code)]

use super::common::{self, wheel::Wheel};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Debian's interpreter: externally managed (PEP 668).
pub const PY: &str = "/usr/bin/python3";
/// Debian's pip.
pub const REAL_PIP: &str = "/usr/bin/pip";
/// The made-up project every bypass test tries to smuggle in (denied).
pub const DENIED: &str = "made-up-pkg";
/// Its import name.
pub const DENIED_MODULE: &str = "made_up_pkg";
/// A made-up project nothing denies (the control).
pub const OTHER: &str = "made-up-other";
/// Its import name.
pub const OTHER_MODULE: &str = "made_up_other";
/// How long one guard (or pip) run may take.
pub const LONG: Duration = Duration::from_secs(120);

/// The policy of most tests: enforce, pip-tier fallthrough allowed (so a
/// made-up package that is not denied WOULD be installed, with no yes),
/// `made-up-pkg` denied with a reason, the embedded index.
pub const ENFORCE_POLICY: &str = r#"mode = "enforce"
allow_pip_fallback = true
deny = [{ pattern = "made-up-pkg", reason = "made up for the bypass tests" }]

[index]
source = "embedded"
"#;

/// The reason `ENFORCE_POLICY` gives.
pub const DENY_REASON: &str = "made up for the bypass tests";

/// Debian's externally-managed python3 and its pip are there.
pub fn prerequisites() -> bool {
    if !Path::new(PY).is_file() || !Path::new(REAL_PIP).is_file() {
        return common::missing::<()>("Debian's /usr/bin/python3 with python3-pip").is_some();
    }
    let em = Command::new(PY)
        .args([
            "-c",
            "import sysconfig, os; print(os.path.isfile(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "True")
        .unwrap_or(false);
    if !em {
        return common::missing::<()>("an EXTERNALLY-MANAGED /usr/bin/python3 (Debian 12)")
            .is_some();
    }
    true
}

/// A sealed environment around the guard.
pub struct Sandbox {
    /// The temp dir, HOME and work dir (removed on drop).
    env: common::TestEnv,
    /// The temp dir (canonical).
    pub root: PathBuf,
    /// HOME; XDG dirs below it.
    pub home: PathBuf,
    /// The guard as `pip`, `pip3`, `pip3.11`; first on PATH.
    pub bin: PathBuf,
    /// The `--find-links` directory.
    pub wheels: PathBuf,
    /// The working directory.
    pub work: PathBuf,
    /// `PYTHONUSERBASE`: must stay empty whenever the guard blocks.
    pub userbase: PathBuf,
}

impl Sandbox {
    /// A fresh sandbox with the wheels of `made-up-pkg`, `made-up-other`
    /// and a fake `requests` 99.0 (named like a nixpkgs package). `None`
    /// when the prerequisites are missing (outside CI).
    pub fn new() -> Option<Sandbox> {
        let sb = Sandbox::empty()?;
        for (name, version) in [(DENIED, "1.0"), (OTHER, "1.0"), ("requests", "99.0")] {
            sb.add_wheel(name, version);
        }
        Some(sb)
    }

    /// A fresh sandbox with an empty wheel directory. `None` when the
    /// prerequisites are missing (outside CI).
    pub fn empty() -> Option<Sandbox> {
        if !prerequisites() {
            return None;
        }
        let env = common::TestEnv::new();
        let root = env.root();
        let bin = root.join("bin");
        let wheels = root.join("wheels");
        // Outside HOME (unlike `TestEnv::user_base`), so that only installs
        // land there, never the audit log.
        let userbase = root.join("userbase");
        for d in [&bin, &wheels, &root.join("tmp")] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        for name in ["pip", "pip3", "pip3.11"] {
            std::os::unix::fs::symlink(common::bin(), bin.join(name)).expect("symlink");
        }
        Some(Sandbox {
            root,
            home: env.home.clone(),
            bin,
            wheels,
            work: env.cwd.clone(),
            userbase,
            env,
        })
    }

    /// Put a pure-Python wheel of `name` in the `--find-links` directory:
    /// one module (`-` → `_`) with `ANSWER = 42` and the `PIP_GUARD_FAKE`
    /// marker [`Sandbox::imports`] looks for.
    pub fn add_wheel(&self, name: &str, version: &str) {
        let module = name.replace('-', "_");
        Wheel::new(name, version)
            .module(
                &format!("{module}/__init__.py"),
                "PIP_GUARD_FAKE = True\nANSWER = 42\n",
            )
            .write_to(&self.wheels);
    }

    /// Write a file relative to the working directory.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.work.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Write `.pip-guard.toml` in the working directory.
    pub fn project_policy(&self, text: &str) {
        self.write(".pip-guard.toml", text);
    }

    /// A command sealed in this sandbox: what [`common::sealed_out`] names
    /// (PIP_*, PIP_GUARD_*, VIRTUAL_ENV, PYTHONPATH, …) and CI removed;
    /// [`common::TestEnv::vars`] (HOME, XDG dirs, NO_COLOR, …) set, with
    /// PYTHONUSERBASE moved to [`Sandbox::userbase`]; PATH = our bin,
    /// /usr/bin, /bin.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        for (k, _) in std::env::vars_os() {
            if common::sealed_out(&k.to_string_lossy()) || k == "CI" {
                c.env_remove(&k);
            }
        }
        let path =
            std::env::join_paths([self.bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")])
                .expect("PATH");
        c.envs(self.env.vars())
            .env("PYTHONUSERBASE", &self.userbase)
            .env("PATH", path)
            .env("TMPDIR", self.root.join("tmp"))
            .env("USER", "tester")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_CACHE_DIR", "1")
            .current_dir(&self.work)
            .stdin(Stdio::null());
        c
    }

    /// `NAME ARGS` where NAME is one of the guard's symlinks (`pip`,
    /// `pip3`, `pip3.11`), with `PIP_GUARD_PYTHON` set to Debian's python3.
    pub fn entry(&self, name: &str, args: &[&str]) -> Command {
        let mut c = self.cmd(self.bin.join(name));
        c.args(args).env("PIP_GUARD_PYTHON", PY);
        c
    }

    /// `pip ARGS` through the guard.
    pub fn pip(&self, args: &[&str]) -> Command {
        self.entry("pip", args)
    }

    /// `ARGS` through Debian's real pip (no guard).
    pub fn real_pip(&self, args: &[&str]) -> Command {
        let mut c = self.cmd(REAL_PIP);
        c.args(args);
        c
    }

    /// `--no-index --find-links <wheels>`.
    pub fn find_links(&self) -> Vec<String> {
        vec![
            "--no-index".into(),
            "--find-links".into(),
            self.wheels.to_string_lossy().into_owned(),
        ]
    }

    /// `install --no-index --find-links <wheels> EXTRA…` as owned strings.
    pub fn install_args(&self, extra: &[&str]) -> Vec<String> {
        let mut a = vec!["install".to_string()];
        a.extend(self.find_links());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    /// The user site-packages under `PYTHONUSERBASE` (Debian 12's Python 3.11).
    pub fn user_site(&self) -> PathBuf {
        self.userbase.join("lib/python3.11/site-packages")
    }

    /// Whether an entry of the user site's top level contains `needle`
    /// (lowercased names).
    pub fn user_site_has(&self, needle: &str) -> bool {
        std::fs::read_dir(self.user_site())
            .map(|rd| {
                rd.filter_map(Result::ok).any(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .to_lowercase()
                        .contains(needle)
                })
            })
            .unwrap_or(false)
    }

    /// Where `module` imports from with this sandbox's user site (its
    /// `__file__`), `None` when it does not import.
    pub fn imported_from(&self, module: &str) -> Option<String> {
        let out = self
            .cmd(PY)
            .args(["-c", &format!("import {module}; print({module}.__file__)")])
            .output()
            .expect("python3");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Every file under `PYTHONUSERBASE` (empty when nothing was installed).
    pub fn userbase_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.userbase, &self.userbase, &mut out);
        out
    }

    /// Whether `module` imports with this sandbox's user site, and the
    /// `PIP_GUARD_FAKE` marker of our wheels is set (so Debian's own copy
    /// of a real package does not count).
    pub fn imports(&self, module: &str) -> bool {
        let code = format!(
            "import sys, {module}; sys.exit(0 if getattr({module}, 'PIP_GUARD_FAKE', False) else 1)"
        );
        self.cmd(PY)
            .args(["-c", &code])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// The default audit log (XDG state dir).
    pub fn audit_log(&self) -> PathBuf {
        self.home.join(".local/state/pip-guard/audit.log")
    }

    /// The audit log's records (each line must parse).
    pub fn records(&self) -> Vec<Value> {
        read_records(&self.audit_log())
    }

    /// Nothing was installed: the user base holds no file and neither
    /// made-up module (nor the fake `requests`) imports.
    #[track_caller]
    pub fn assert_nothing_installed(&self, what: &str, o: &Output) {
        let files = self.userbase_files();
        assert!(
            files.is_empty(),
            "{what}: something was installed into PYTHONUSERBASE: {files:?}\n{}",
            show(o)
        );
        for m in [DENIED_MODULE, OTHER_MODULE, "requests"] {
            assert!(!self.imports(m), "{what}: `import {m}` works\n{}", show(o));
        }
    }

    /// The run was blocked: exit 1, `reason` on stderr, nothing installed,
    /// and one more `blocked` record in the audit log.
    #[track_caller]
    pub fn assert_blocked(&self, what: &str, o: &Output, reason: &str, records_before: usize) {
        assert_eq!(o.status.code(), Some(1), "{what}: exit 1\n{}", show(o));
        assert!(
            flat(&String::from_utf8_lossy(&o.stderr)).contains(&flat(reason)),
            "{what}: the reason `{reason}` is shown\n{}",
            show(o)
        );
        self.assert_nothing_installed(what, o);
        let records = self.records();
        assert_eq!(
            records.len(),
            records_before + 1,
            "{what}: one audit record\n{}",
            show(o)
        );
        let last = records.last().expect("a record");
        assert_eq!(last["action"], "blocked", "{what}: {last}");
        assert!(
            last["requirements"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["verdict"] == "block")),
            "{what}: a blocked requirement is logged: {last}"
        );
    }
}

/// Words joined by one space (the guard wraps its text at 80 columns).
pub fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse a JSON Lines audit log; a torn or malformed line fails the test.
pub fn read_records(path: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the log ends mid-line"
    );
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("audit log line {} is not JSON ({e}): {l}", i + 1))
        })
        .collect()
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(base, &p, out);
        } else {
            out.push(p.strip_prefix(base).unwrap_or(&p).display().to_string());
        }
    }
}

/// Run with a timeout (a hang is a failure, not a stuck test run).
pub fn run(mut c: Command, timeout: Duration) -> Output {
    let desc = format!("{c:?}");
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {desc}: {e}"));
    // Drain the pipes in threads so a chatty child cannot block on them.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut so, &mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut se, &mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            panic!("{desc} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
    }
}

/// The output of a run, for failure messages.
pub fn show(o: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

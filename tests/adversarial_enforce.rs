//! Adversarial suite for "nothing unplanned reaches pip; one interpreter;
//! everything handed to pip is built from validated names" (issue 10 items
//! 1, 2, 3, 4, 12, 13, 16; issue 14 items 1 and 6).
//!
//! Every test makes the real attempt: Debian's externally-managed
//! `/usr/bin/python3` and its pip, wheels built in the test in a
//! `--find-links` directory, a temporary HOME and `PYTHONUSERBASE`, the
//! guard linked as `pip`/`pip3`/`pip3.11`, and a **locked system policy**
//! (`PIP_GUARD_SYSTEM_POLICY`: enforce, pip fallback allowed, `made-up-pkg`
//! and `torch*` denied). Afterwards the user site (or the target directory)
//! is checked for what got in.
//!
//! Covered:
//! - 10.1 a `-r` inside a constraints file (`-c`, `PIP_CONSTRAINT`,
//!   pip.conf `[install] constraint`) is planned, and never read by pip;
//! - 10.2 pip.conf `[DEFAULT] requirement` with an empty `[install]`, an
//!   indented `requirement` line, in the XDG, legacy and `PIP_CONFIG_FILE`
//!   files: refused, nothing installed; a configured `python` refused; the
//!   INI reading compared with Python's `configparser` (the oracle);
//! - nothing unplanned: the child pip reads no configuration file, and a
//!   `pip/` directory in the working directory is not what runs;
//! - 10.3 one interpreter: `PIP_GUARD_PYTHON` at a venv with `--user
//!   --break-system-packages`, `pip --python <venv>`, and `python3 -m pip`
//!   through the bash integration with a pip-less venv first on PATH, and a
//!   venv whose own `pip.conf` says `user = true`;
//! - 10.4 `--target`, `PIP_TARGET`, `--prefix`: a denied dependency of an
//!   allowed project does not come in;
//! - 10.12 a hand-edited target cache (`"virtualenv": true`) is not trusted;
//! - 10.13 SIGTERM and SIGHUP during the fallthrough: forwarded to pip,
//!   waited for, temporary files removed, exit 128+N, no pip left running;
//! - 10.16 pip's own exit 3 (`PIP_REQUIRE_VIRTUALENV=1`) is not the guard's 3;
//! - 14.1 policy patterns that are not names (`-rpwned`, `-x`,
//!   `made-up-pkg!`, `a,b`, `[--z]`): `policy check` exits 2 with
//!   `file:line:col`, and `-rpwned` cannot make pip read `$TMPDIR/pwned<0`;
//! - 14.6 a 500 KB pattern, `PIP_GUARD_NIX_TIMEOUT=1e20`, `--timeout 1e20`:
//!   exit 2 and a short message, no panic;
//! - an environment variable that is not UTF-8 (any name, or a `PIP_*`
//!   setting that adds requirements): no abort; the install is planned, and
//!   the setting is refused.
//!
//! Each test failed before the change that fixed its class.

mod common;
mod debian;

use common::wheel::Wheel;
use debian::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The locked system policy of every test.
const LOCKED: &str = r#"locked = true
mode = "enforce"
allow_pip_fallback = true
deny = [
  { pattern = "made-up-pkg", reason = "locked by the admin" },
  { pattern = "torch*", reason = "no torch here" },
]

[index]
source = "embedded"
"#;

const LOCK_REASON: &str = "locked by the admin";

/// Extra environment variables of one attempt.
type Vars<'a> = Vec<(&'a str, &'a str)>;

/// A sandbox with the locked system policy written; returns its path.
fn locked_sandbox() -> Option<(Sandbox, String)> {
    let sb = Sandbox::new()?;
    let system = sb.root.join("etc/policy.toml");
    std::fs::create_dir_all(system.parent().expect("parent")).expect("mkdir");
    std::fs::write(&system, LOCKED).expect("write");
    Some((sb, system.to_string_lossy().into_owned()))
}

fn args_ref(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `pip ARGS` through the guard under the locked policy.
fn pip(sb: &Sandbox, system: &str, args: &[String]) -> Command {
    let mut c = sb.pip(&args_ref(args));
    c.env("PIP_GUARD_SYSTEM_POLICY", system);
    c
}

/// Neither the denied project nor the fake `requests` got in.
#[track_caller]
fn nothing_denied_got_in(sb: &Sandbox, what: &str, o: &Output) {
    for m in [DENIED_MODULE, "requests", "torchy"] {
        assert!(!sb.imports(m), "{what}: `import {m}` works\n{}", show(o));
    }
    assert!(
        !sb.user_site_has("made_up_pkg") && !sb.user_site_has("torchy"),
        "{what}: {:?}\n{}",
        sb.userbase_files(),
        show(o)
    );
}

/// A virtualenv without pip that sees the system site packages (and so,
/// with `--user`, installs into the very user site the system Python reads).
fn pipless_venv(sb: &Sandbox) -> PathBuf {
    let dir = sb.root.join("venv");
    let o = sb
        .cmd(PY)
        .args(["-m", "venv", "--without-pip", "--system-site-packages"])
        .arg(&dir)
        .output()
        .expect("python3 -m venv");
    assert!(o.status.success(), "venv: {}", show(&o));
    dir
}

// ---------------------------------------------------------------- 10.1 ---

#[test]
fn a_constraints_file_cannot_smuggle_requirements() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    sb.write("c.txt", "-r evil.txt\n");
    sb.write("evil.txt", &format!("{DENIED}\nrequests\n"));
    let c_abs = sb.work.join("c.txt").to_string_lossy().into_owned();
    let conf = sb.write("pip.conf", &format!("[install]\nconstraint = {c_abs}\n"));
    let conf = conf.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, Vars, &str)> = vec![
        (vec!["-c", "c.txt", OTHER], vec![], "-c"),
        (
            vec![OTHER],
            vec![("PIP_CONSTRAINT", "c.txt")],
            "PIP_CONSTRAINT",
        ),
        (
            vec![OTHER],
            vec![("PIP_CONFIG_FILE", &conf)],
            "pip.conf constraint",
        ),
    ];
    for (extra, vars, what) in cases {
        let before = sb.records().len();
        let mut c = pip(&sb, &system, &sb.install_args(&extra));
        c.envs(vars.iter().copied());
        let o = run(c, LONG);
        assert_eq!(o.status.code(), Some(1), "{what}: exit 1\n{}", show(&o));
        let err = flat(&String::from_utf8_lossy(&o.stderr));
        assert!(
            err.contains(LOCK_REASON),
            "{what}: the deny is shown\n{}",
            show(&o)
        );
        nothing_denied_got_in(&sb, what, &o);
        // The audit line names what the constraints file brought in.
        let rec = sb.records().pop().expect("a record");
        assert_eq!(sb.records().len(), before + 1, "{what}");
        let names: Vec<&str> = rec["requirements"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            names.contains(&DENIED) && names.contains(&"requests"),
            "{what}: {rec}"
        );
    }
}

// ------------------------------------------------- the environment ---

#[test]
fn a_variable_that_is_not_utf8_is_no_crash_and_no_way_in() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    // Any variable: the guard once aborted here (exit 134) reading the
    // environment for pip's settings.
    let mut c = pip(&sb, &system, &sb.install_args(&[OTHER]));
    c.env("PG_NOT_UTF8", OsStr::from_bytes(b"caf\xe9"));
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "allowed: installed\n{}", show(&o));
    assert!(sb.imports(OTHER_MODULE), "{}", show(&o));
    // A pip setting that adds requirements, spelt with a byte that is not
    // UTF-8: refused like any other, nothing installed.
    let evil = sb.write("evil.txt", &format!("{DENIED}\n"));
    let mut bytes = evil.as_os_str().as_bytes().to_vec();
    bytes.extend_from_slice(b"\xff");
    std::fs::copy(&evil, OsStr::from_bytes(&bytes)).expect("copy");
    let mut c = pip(&sb, &system, &sb.install_args(&["requests"]));
    c.env("PIP_REQUIREMENT", OsStr::from_bytes(&bytes));
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(2), "refused\n{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("PIP_REQUIREMENT"),
        "{}",
        show(&o)
    );
    nothing_denied_got_in(&sb, "PIP_REQUIREMENT not UTF-8", &o);
}

// ---------------------------------------------------------------- 10.2 ---

#[test]
fn pip_configuration_cannot_add_requirements() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    let evil = sb.write("evil.txt", &format!("{DENIED}\n"));
    let evil = evil.to_string_lossy().into_owned();
    let bodies = [
        format!("[DEFAULT]\nrequirement = {evil}\n[install]\n"),
        format!("[install]\n  requirement = {evil}\n"),
        format!("[global]\nRequirement: {evil}\n"),
        format!("[DEFAULT]\neditable = {}\n[global]\n", sb.work.display()),
    ];
    let xdg = sb.home.join(".config/pip/pip.conf");
    let legacy = sb.home.join(".pip/pip.conf");
    let env_file = sb.root.join("env-pip.conf");
    for body in &bodies {
        for file in [&xdg, &legacy, &env_file] {
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, body).expect("write");
            let mut c = pip(&sb, &system, &sb.install_args(&[OTHER]));
            if file == &env_file {
                c.env("PIP_CONFIG_FILE", file);
            }
            let o = run(c, LONG);
            let what = format!("{} with {body:?}", file.display());
            assert_eq!(o.status.code(), Some(2), "{what}: refused\n{}", show(&o));
            let err = flat(&String::from_utf8_lossy(&o.stderr));
            assert!(
                err.contains("adds requirements") && err.contains(&file.display().to_string()),
                "{what}: names the file\n{}",
                show(&o)
            );
            sb.assert_nothing_installed(&what, &o);
            std::fs::remove_file(file).expect("rm");
        }
    }
    // A configured interpreter: pip would re-run itself under it.
    let venv = pipless_venv(&sb);
    std::fs::write(
        &env_file,
        format!(
            "[global]\npython = {}\n",
            venv.join("bin/python3").display()
        ),
    )
    .expect("write");
    let mut c = pip(
        &sb,
        &system,
        &sb.install_args(&["--user", "--break-system-packages", DENIED]),
    );
    c.env("PIP_CONFIG_FILE", &env_file);
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        flat(&String::from_utf8_lossy(&o.stderr)).contains("configuration sets python"),
        "{}",
        show(&o)
    );
    sb.assert_nothing_installed("[global] python", &o);
    std::fs::remove_file(&env_file).expect("rm");
    // The control: without the configuration, the allowed project installs.
    let o = run(pip(&sb, &system, &sb.install_args(&[OTHER])), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(sb.imports(OTHER_MODULE), "{}", show(&o));
}

/// The fallthrough's pip reads no configuration file at all: a
/// `PIP_CONFIG_FILE` whose `[install] report` points into a missing
/// directory (pip would fail writing it, before installing) is not read by
/// the pip the guard starts, and the guard says what it did not pass on.
#[test]
fn the_child_pip_reads_no_configuration() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    let report = sb.root.join("no/such/dir/report.json");
    let conf = sb.write(
        "other.conf",
        &format!("[install]\nreport = {}\n", report.display()),
    );
    // The control: Debian's pip, reading it, fails.
    let mut c = sb.real_pip(&args_ref(&sb.install_args(&[
        "--user",
        "--break-system-packages",
        OTHER,
    ])));
    c.env("PIP_CONFIG_FILE", &conf);
    let o = run(c, LONG);
    assert_ne!(o.status.code(), Some(0), "pip reads it\n{}", show(&o));
    sb.assert_nothing_installed("the real pip with the report setting", &o);
    // Through the guard: pip does not read it.
    let mut c = pip(&sb, &system, &sb.install_args(&[OTHER]));
    c.env("PIP_CONFIG_FILE", &conf);
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(sb.imports(OTHER_MODULE), "{}", show(&o));
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(err.contains("not used: report"), "{}", show(&o));
}

/// A `pip` package in the working directory (a cloned repository, say) is
/// not what `<python> -m pip` runs for the fallthrough.
#[test]
fn a_pip_directory_in_the_working_directory_is_not_run() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    let marker = sb.root.join("shadow-ran");
    sb.write("pip/__init__.py", "");
    sb.write(
        "pip/__main__.py",
        &format!("open({:?}, 'w').write('ran')\n", marker.to_string_lossy()),
    );
    let o = run(pip(&sb, &system, &sb.install_args(&[OTHER])), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(!marker.exists(), "the cwd's pip/ ran\n{}", show(&o));
    assert!(sb.imports(OTHER_MODULE), "{}", show(&o));
}

// ---------------------------------------------------------------- 10.3 ---

#[test]
fn the_judged_interpreter_is_the_one_pip_installs_into() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    let venv = pipless_venv(&sb);
    let vpy = venv.join("bin/python3").to_string_lossy().into_owned();
    let ub = ["--user", "--break-system-packages", DENIED];
    // PIP_GUARD_PYTHON at the venv, --user --break-system-packages.
    let before = sb.records().len();
    let mut c = pip(&sb, &system, &sb.install_args(&ub));
    c.env("PIP_GUARD_PYTHON", &vpy);
    let o = run(c, LONG);
    sb.assert_blocked("PIP_GUARD_PYTHON=<venv> --user", &o, LOCK_REASON, before);
    // pip --python <venv> install --user …
    let before = sb.records().len();
    let mut a = vec!["--python".to_string(), vpy.clone()];
    a.extend(sb.install_args(&ub));
    let o = run(pip(&sb, &system, &a), LONG);
    sb.assert_blocked("pip --python <venv>", &o, LOCK_REASON, before);
    // The control: `pip --python <pip-less venv> install` into the venv
    // itself is pip's own business (pip runs itself under that python).
    let mut a = vec!["--python".to_string(), vpy.clone()];
    a.extend(sb.install_args(&[DENIED]));
    let o = run(pip(&sb, &system, &a), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    sb.assert_nothing_installed("pip --python <venv> into the venv", &o);
    let in_venv = venv
        .join("lib/python3.11/site-packages")
        .join(DENIED_MODULE);
    assert!(in_venv.is_dir(), "installed into the venv\n{}", show(&o));
    // Uninstalled by hand (module and dist-info) for the checks below.
    let site = venv.join("lib/python3.11/site-packages");
    for e in std::fs::read_dir(&site)
        .expect("site")
        .filter_map(Result::ok)
    {
        if e.file_name().to_string_lossy().starts_with(DENIED_MODULE) {
            std::fs::remove_dir_all(e.path()).expect("rm");
        }
    }
    // The venv's own pip.conf says `user = true`: pip would install into
    // the user site from the venv. Planned, so blocked.
    std::fs::write(venv.join("pip.conf"), "[install]\nuser = true\n").expect("write");
    let before = sb.records().len();
    let mut c = pip(
        &sb,
        &system,
        &sb.install_args(&["--break-system-packages", DENIED]),
    );
    c.env("PIP_GUARD_PYTHON", &vpy);
    let o = run(c, LONG);
    sb.assert_blocked("<venv>/pip.conf user = true", &o, LOCK_REASON, before);
    std::fs::remove_file(venv.join("pip.conf")).expect("rm");
    // The shell integration, a pip-less venv first on PATH, python3 -m pip.
    let init = run(
        {
            let mut c = sb.cmd(common::bin());
            c.args(["init", "bash"]);
            c
        },
        LONG,
    );
    assert_eq!(init.status.code(), Some(0), "{}", show(&init));
    let snippet = sb.root.join("snippet.bash");
    std::fs::write(&snippet, &init.stdout).expect("write snippet");
    let fl = sb.find_links().join(" ");
    for flags in ["--user --break-system-packages", ""] {
        let script = format!(
            "source {}\nexport PATH={}/bin:$PATH\npython3 -m pip install {fl} --guard-yes {flags} {DENIED}\n",
            snippet.display(),
            venv.display()
        );
        let mut c = sb.cmd("/bin/bash");
        c.args(["--norc", "--noprofile", "-c", &script])
            .env("PIP_GUARD_SYSTEM_POLICY", &system);
        let o = run(c, LONG);
        sb.assert_nothing_installed(&format!("venv python3 -m pip {flags}"), &o);
        if flags.is_empty() {
            // Into the venv itself (not the guard's business): pip runs
            // under the venv's python (the system pip module, which the
            // venv sees), and the package lands in the venv, nowhere else.
            assert_eq!(o.status.code(), Some(0), "{}", show(&o));
            assert!(
                venv.join("lib/python3.11/site-packages")
                    .join(DENIED_MODULE)
                    .is_dir(),
                "installed into the venv\n{}",
                show(&o)
            );
        } else {
            assert_eq!(o.status.code(), Some(1), "{}", show(&o));
            assert!(
                flat(&String::from_utf8_lossy(&o.stderr)).contains(LOCK_REASON),
                "{}",
                show(&o)
            );
        }
    }
}

// ---------------------------------------------------------------- 10.4 ---

#[test]
fn installs_elsewhere_get_the_deny_constraints() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    Wheel::new("innocent-pkg", "1.0")
        .module("innocent_pkg/__init__.py", "PIP_GUARD_FAKE = True\n")
        .requires("Made_Up.Pkg>=1")
        .write_to(&sb.wheels);
    let dir = sb.root.join("elsewhere");
    let d = dir.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, Vars)> = vec![
        (vec!["--target", &d, "innocent-pkg"], vec![]),
        (vec!["innocent-pkg"], vec![("PIP_TARGET", &d)]),
        (vec!["--prefix", &d, "innocent-pkg"], vec![]),
        (vec!["--root", &d, "innocent-pkg"], vec![]),
    ];
    for (extra, vars) in cases {
        let mut c = pip(&sb, &system, &sb.install_args(&extra));
        c.envs(vars.iter().copied());
        let o = run(c, LONG);
        let what = format!("{extra:?} {vars:?}");
        assert_ne!(
            o.status.code(),
            Some(0),
            "{what}: pip must fail\n{}",
            show(&o)
        );
        let mut found = Vec::new();
        walk(&dir, &mut found);
        assert!(
            !found.iter().any(|f| f.contains("made_up_pkg")),
            "{what}: the denied dependency got in: {found:?}\n{}",
            show(&o)
        );
        nothing_denied_got_in(&sb, &what, &o);
        let _ = std::fs::remove_dir_all(&dir);
    }
    // The control: an allowed project with no denied dependency installs.
    let o = run(
        pip(&sb, &system, &sb.install_args(&["--target", &d, OTHER])),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(dir.join(OTHER_MODULE).join("__init__.py").is_file());
}

fn walk(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        out.push(p.to_string_lossy().into_owned());
        if p.is_dir() {
            walk(&p, out);
        }
    }
}

// --------------------------------------------------------------- 10.12 ---

#[test]
fn a_hand_edited_target_cache_is_not_trusted() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    let args = sb.install_args(&["--user", "--break-system-packages", DENIED]);
    let before = sb.records().len();
    let o = run(pip(&sb, &system, &args), LONG);
    sb.assert_blocked("first run (fills the cache)", &o, LOCK_REASON, before);
    let targets = sb.home.join(".cache/pip-guard/targets");
    let files: Vec<PathBuf> = std::fs::read_dir(&targets)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(
        !files.is_empty(),
        "the probe is cached in {}",
        targets.display()
    );
    for what in ["virtualenv", "not externally managed"] {
        for f in &files {
            let text = std::fs::read_to_string(f).expect("read cache");
            let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
            if what == "virtualenv" {
                v["virtualenv"] = serde_json::Value::Bool(true);
            } else {
                v["externally_managed"] = serde_json::Value::Null;
                v["stdlib"] = serde_json::Value::String("/tmp".into());
            }
            std::fs::write(f, serde_json::to_vec(&v).expect("json")).expect("write cache");
        }
        let before = sb.records().len();
        let o = run(pip(&sb, &system, &args), LONG);
        sb.assert_blocked(&format!("cache says {what}"), &o, LOCK_REASON, before);
    }
}

// --------------------------------------------------------------- 10.13 ---

/// A local project whose build backend writes its parent's pid (pip's) to
/// `started`, then waits for that parent to go away (at most 60 s).
fn slow_project(sb: &Sandbox) -> PathBuf {
    let dir = sb.work.join("slow");
    sb.write(
        "slow/pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n\n\
         [project]\nname = \"made-up-slow\"\nversion = \"1.0\"\n",
    );
    sb.write(
        "slow/backend.py",
        &format!(
            r#"import os, time
def _wait():
    # pyproject_hooks runs the hook in a child of pip.
    with open({started:?} + ".tmp", "w") as f:
        f.write(str(os.getppid()))
    os.rename({started:?} + ".tmp", {started:?})
    parent = os.getppid()
    for _ in range(600):
        if os.getppid() != parent:
            break
        time.sleep(0.1)
    raise SystemExit(1)
def get_requires_for_build_wheel(config_settings=None):
    _wait()
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _wait()
"#,
            started = sb.root.join("started").to_string_lossy()
        ),
    );
    dir
}

#[test]
fn sigterm_and_sighup_during_the_fallthrough_leave_nothing_behind() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    // The locked policy blocks an unnamed local project; a project policy
    // cannot loosen it, so this test runs with its own system layer.
    std::fs::write(
        &system,
        "mode = \"advise\"\n\n[index]\nsource = \"embedded\"\n",
    )
    .expect("write");
    slow_project(&sb);
    let tmp = sb.root.join("tmp");
    let started = sb.root.join("started");
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let _ = std::fs::remove_file(&started);
        let mut c = pip(&sb, &system, &sb.install_args(&["--guard-yes", "./slow"]));
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("start the guard");
        let t0 = Instant::now();
        while !started.is_file() {
            assert!(
                t0.elapsed() < Duration::from_secs(120),
                "pip never reached the build backend"
            );
            if let Ok(Some(st)) = child.try_wait() {
                panic!("the guard ended early: {st:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let pip_pid: i32 = std::fs::read_to_string(&started)
            .expect("pid")
            .trim()
            .parse()
            .expect("a pid");
        let leftovers = || -> Vec<String> {
            std::fs::read_dir(&tmp)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| n.starts_with("pip-guard-"))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(
            !leftovers().is_empty(),
            "the temporary files exist while pip runs"
        );
        let guard_pid = i32::try_from(child.id()).expect("pid");
        // SAFETY: signalling the child we started.
        unsafe {
            libc::kill(guard_pid, sig);
        }
        let t0 = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if t0.elapsed() > LONG {
                let _ = child.kill();
                panic!("the guard did not end after signal {sig}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        assert_eq!(status.code(), Some(code), "signal {sig}: exit 128+N\n{err}");
        // pip is gone: the guard waited for it.
        let alive = Path::new(&format!("/proc/{pip_pid}")).exists()
            && std::fs::read_to_string(format!("/proc/{pip_pid}/stat"))
                .map(|s| !s.contains(") Z "))
                .unwrap_or(false);
        assert!(
            !alive,
            "signal {sig}: pip ({pip_pid}) is still running\n{err}"
        );
        assert!(leftovers().is_empty(), "signal {sig}: {:?}", leftovers());
        sb.assert_nothing_installed(
            &format!("signal {sig}"),
            &Output {
                status,
                stdout: Vec::new(),
                stderr: err.into_bytes(),
            },
        );
    }
}

// --------------------------------------------------------------- 10.16 ---

#[test]
fn pips_own_exit_3_is_not_the_guards_3() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    // pip refuses outside a virtualenv: its VIRTUALENV_NOT_FOUND, 3.
    let mut c = pip(&sb, &system, &sb.install_args(&[OTHER]));
    c.env("PIP_REQUIRE_VIRTUALENV", "1");
    let o = run(c, LONG);
    assert_eq!(
        o.status.code(),
        Some(103),
        "pip's 3 is reported as 103\n{}",
        show(&o)
    );
    sb.assert_nothing_installed("PIP_REQUIRE_VIRTUALENV", &o);
    // The guard's own 3: a fallthrough not confirmed (advise, no yes).
    std::fs::write(
        &system,
        "mode = \"advise\"\n\n[index]\nsource = \"embedded\"\n",
    )
    .expect("write");
    let o = run(pip(&sb, &system, &sb.install_args(&[OTHER])), LONG);
    assert_eq!(o.status.code(), Some(3), "{}", show(&o));
    sb.assert_nothing_installed("not confirmed", &o);
}

// ---------------------------------------------------------------- 14.1 ---

#[test]
fn policy_patterns_that_are_not_names_are_refused() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    for bad in ["-rpwned", "-x", "made-up-pkg!", "a,b", "[--z]"] {
        sb.project_policy(&format!(
            "mode = \"enforce\"\ndeny = [\n  \"ok\",\n  \"{bad}\",\n]\n"
        ));
        let mut c = sb.cmd(common::bin());
        c.args(["policy", "check"]);
        let o = run(c, LONG);
        assert_eq!(o.status.code(), Some(2), "{bad}: exit 2\n{}", show(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(".pip-guard.toml:4:3:"),
            "{bad}: file:line:col\n{}",
            show(&o)
        );
    }
    // The attack: `-rpwned` written as `-rpwned<0` into the deny
    // constraints would make pip read `$TMPDIR/pwned<0`.
    Wheel::new("torchy", "1.0")
        .module("torchy/__init__.py", "PIP_GUARD_FAKE = True\n")
        .write_to(&sb.wheels);
    std::fs::write(sb.root.join("tmp/pwned<0"), "torchy\n").expect("write");
    sb.project_policy("deny = [\"-rpwned\"]\n");
    let o = run(pip(&sb, &system, &sb.install_args(&[OTHER])), LONG);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    nothing_denied_got_in(&sb, "-rpwned", &o);
    sb.assert_nothing_installed("-rpwned", &o);
}

// ---------------------------------------------------------------- 14.6 ---

#[test]
fn big_numbers_and_big_patterns_are_input_errors() {
    let Some((sb, system)) = locked_sandbox() else {
        return;
    };
    let check = |o: &Output, what: &str| {
        assert_eq!(o.status.code(), Some(2), "{what}: exit 2\n{}", show(o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{what}: {err:.2000}");
    };
    sb.project_policy(&format!("deny = [\"{}\"]\n", "a".repeat(500 * 1024)));
    let o = run(
        {
            let mut c = sb.cmd(common::bin());
            c.args(["policy", "check"]);
            c
        },
        LONG,
    );
    check(&o, "500 KB pattern");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("at most 200"),
        "{:.300}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_file(sb.work.join(".pip-guard.toml")).expect("rm");
    let mut c = pip(&sb, &system, &sb.install_args(&[OTHER]));
    c.env("PIP_GUARD_NIX_TIMEOUT", "1e20");
    let o = run(c, LONG);
    check(&o, "PIP_GUARD_NIX_TIMEOUT=1e20");
    sb.assert_nothing_installed("PIP_GUARD_NIX_TIMEOUT", &o);
    let mut c = sb.cmd(common::bin());
    c.args(["index", "update", "--timeout", "1e20"]);
    check(&run(c, LONG), "--timeout 1e20");
}

// ---------------------------------------------- 10.2, the INI oracle ---

/// pip's configuration files are read as Python's `configparser` (pip's
/// `RawConfigParser` with its key normalization) reads them: every case
/// below is compared with Debian's Python.
#[test]
fn pip_config_files_are_read_as_configparser_reads_them() {
    if !prerequisites() {
        return;
    }
    let cases = [
        "[install]\nrequirement = a.txt\n",
        "[DEFAULT]\nrequirement = evil.txt\n[install]\n",
        "[DEFAULT]\nrequirement = evil.txt\n[global]\nrequirement = own.txt\n[freeze]\n",
        "[install]\n  requirement = evil.txt\n",
        "[install]\nfind-links = a\n   requirement = b\n",
        "[install]\nfind-links = a\n\n  more\n# c\n  last\n",
        "[install]\r\nREQUIREMENTS_FROM_SCRIPT: s.py\r\n",
        "[install] trailing\nuser=1\n; comment\n\tx = y\n",
        "[global]\n--Index_URL = https://x\n[install]\nno-index=\n",
        "[install]\nrequirement = a\n  ; not a comment inside\n",
        "[Install]\nrequirement = a\n",
        "requirement = a\n",
        "[install]\nuser = 1\nUSER = 0\n",
        "[install]\nno delimiter\n",
        "[install]\n= value\n",
        "[a]\n[a]\n",
    ];
    let script = r#"
import configparser, json, sys
class P(configparser.RawConfigParser):
    def optionxform(self, s):
        s = s.lower().replace("_", "-")
        return s[2:] if s.startswith("--") else s
out = []
for text in json.load(sys.stdin):
    p = P()
    try:
        p.read_string(text)
        out.append([[s, k, v] for s in p.sections() for k, v in p.items(s)])
    except configparser.Error:
        out.append(None)
print(json.dumps(out))
"#;
    let mut child = Command::new(PY)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let input = serde_json::to_vec(&cases).expect("json");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &input).expect("write");
    let out = child.wait_with_output().expect("python3");
    let oracle: Vec<Option<Vec<(String, String, String)>>> =
        serde_json::from_slice(&out.stdout).expect("oracle json");
    for (text, want) in cases.iter().zip(oracle) {
        let got = pip_guard::guard::sources::parse_ini(text)
            .ok()
            .map(|entries| {
                let mut v: Vec<(String, String, String)> = entries
                    .into_iter()
                    .map(|e| (e.section, e.key, e.value))
                    .collect();
                v.sort();
                v
            });
        let want = want.map(|mut v| {
            v.sort();
            v
        });
        assert_eq!(got, want, "{text:?}");
    }
}

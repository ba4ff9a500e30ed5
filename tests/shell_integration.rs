//! The shell snippets in real bash, zsh and fish, started without rc files.
//!
//! Each shell sources the snippet twice (both as `pip-guard init SHELL`
//! output and as the file in `shell/`), then runs pip and python command
//! lines. pip-guard appends every argv it receives to `PIP_GUARD_TRACE`, so
//! the tests see exactly which calls reached the guard and with which
//! arguments; `PIP_GUARD_REAL_PIP` and a fake `pip` first on PATH make sure
//! nothing reaches a real pip (no network, nothing installed).

mod common;

use common::TestEnv;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug)]
enum Sh {
    Bash,
    Zsh,
    Fish,
}

impl Sh {
    fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }
    /// The shell with no rc files, running `script`.
    fn argv(self, script: &str) -> Vec<String> {
        let mut v: Vec<String> = match self {
            Sh::Bash => vec!["bash".into(), "--norc".into(), "--noprofile".into()],
            Sh::Zsh => vec!["zsh".into(), "-f".into()],
            Sh::Fish => vec!["fish".into(), "--no-config".into()],
        };
        v.push("-c".into());
        v.push(script.into());
        v
    }
    /// Source `pip-guard init SHELL` output.
    fn eval_init(self, bin: &Path) -> String {
        let bin = bin.display();
        match self {
            Sh::Fish => format!("'{bin}' init fish | source"),
            _ => format!("eval \"$('{bin}' init {})\"", self.name()),
        }
    }
    /// Source the file in shell/.
    fn source_file(self) -> String {
        format!(
            "source '{}'",
            common::repo_root()
                .join(format!("shell/pip-guard.{}", self.name()))
                .display()
        )
    }
}

/// A sealed environment with a fake `pip` first on PATH (prints `REAL-PIP
/// ARGS`), `pip-guard` on PATH (for sourcing the files), and the trace file.
struct Setup {
    env: TestEnv,
    path: String,
    trace: PathBuf,
    fake_pip: PathBuf,
}

fn setup() -> Setup {
    let env = TestEnv::new();
    let bin_dir = env.root().join("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    let fake_pip = bin_dir.join("pip");
    std::fs::write(&fake_pip, "#!/bin/sh\necho \"REAL-PIP $*\"\n").expect("fake pip");
    set_exec(&fake_pip);
    std::os::unix::fs::symlink(common::bin(), bin_dir.join("pip-guard")).expect("symlink");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let trace = env.root().join("trace.jsonl");
    Setup {
        env,
        path,
        trace,
        fake_pip,
    }
}

fn set_exec(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut perm = std::fs::metadata(p).expect("stat").permissions();
    perm.set_mode(0o755);
    std::fs::set_permissions(p, perm).expect("chmod");
}

impl Setup {
    fn run(&self, sh: Sh, script: &str) -> common::Run {
        let argv = sh.argv(script);
        let mut cmd = self.env.cmd(&argv[0]);
        cmd.args(&argv[1..])
            .env("PATH", &self.path)
            .env("PIP_GUARD_TRACE", &self.trace)
            .env("PIP_GUARD_REAL_PIP", &self.fake_pip);
        cmd.run()
    }

    /// The trace lines, as (argv without argv[0], python).
    fn traces(&self) -> Vec<(Vec<String>, Option<String>)> {
        let text = std::fs::read_to_string(&self.trace).unwrap_or_default();
        let _ = std::fs::remove_file(&self.trace);
        text.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("trace line is JSON");
                let argv: Vec<String> = v["argv"]
                    .as_array()
                    .expect("argv")
                    .iter()
                    .skip(1)
                    .map(|a| a.as_str().unwrap_or_default().to_string())
                    .collect();
                (argv, v["python"].as_str().map(str::to_string))
            })
            .collect()
    }

    /// `program` looked up on the PATH the shell gets.
    fn which(&self, program: &str) -> Option<String> {
        std::env::split_paths(&self.path)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    }
}

fn shell_available(sh: Sh) -> bool {
    common::require(sh.name()).is_some()
}

/// Commands run after sourcing, and what the guard must receive from each
/// (`None`: the call must not reach the guard).
/// What the guard must receive: argv after argv[0], and `PIP_GUARD_PYTHON`.
type Expected = Option<(Vec<&'static str>, Option<String>)>;

fn cases(s: &Setup) -> Vec<(&'static str, Expected)> {
    let py3 = s.which("python3");
    let py311 = s.which("python3.11");
    let mut v = vec![
        (
            "pip install --dry-run requests",
            Some((vec!["pip", "install", "--dry-run", "requests"], None)),
        ),
        (
            "pip3 install --dry-run requests",
            Some((vec!["pip3", "install", "--dry-run", "requests"], None)),
        ),
        (
            "pip3.11 install --dry-run requests",
            Some((vec!["pip3.11", "install", "--dry-run", "requests"], None)),
        ),
        (
            "python3 -m pip install --dry-run requests",
            Some((vec!["pip", "install", "--dry-run", "requests"], py3.clone())),
        ),
        (
            "python3 -I -m pip list",
            Some((vec!["pip", "list"], py3.clone())),
        ),
        (
            "python3 -Impip --version",
            Some((vec!["pip", "--version"], py3.clone())),
        ),
        (
            "python3 -W ignore -X dev -m pip check",
            Some((vec!["pip", "check"], py3.clone())),
        ),
        (
            "pip install 'with space' \"it's\" '$HOME' '*' 'a\"b' ''",
            Some((
                vec![
                    "pip",
                    "install",
                    "with space",
                    "it's",
                    "$HOME",
                    "*",
                    "a\"b",
                    "",
                ],
                None,
            )),
        ),
        ("python3 -c 'print(1)'", None),
        (
            "python3 -c 'import sys; print(sys.argv[1:])' -m pip 'x y'",
            None,
        ),
        ("python3 -Wignore -mjson.tool --help >/dev/null", None),
        ("command pip --version", None),
    ];
    if py311.is_some() {
        v.push((
            "python3.11 -m pip --version",
            Some((vec!["pip", "--version"], py311)),
        ));
    }
    v
}

fn check_routing(sh: Sh, source: &str) {
    let s = setup();
    let cases = cases(&s);
    let mut script = format!("{source}\n{source}\n");
    for (cmd, _) in &cases {
        script.push_str(cmd);
        script.push('\n');
    }
    let run = s.run(sh, &script);
    let traces = s.traces();
    let expected: Vec<(Vec<String>, Option<String>)> = cases
        .iter()
        .filter_map(|(_, e)| e.clone())
        .map(|(argv, py)| (argv.iter().map(|a| a.to_string()).collect(), py))
        .collect();
    if traces != expected {
        run.fail(&format!(
            "{sh:?} ({source}): the guard received\n{traces:#?}\nexpected\n{expected:#?}"
        ));
    }
    // The calls that bypass the guard ran for real.
    if !run.stdout.lines().any(|l| l == "1") {
        run.fail("python3 -c 'print(1)' did not print 1");
    }
    if !run.stdout.contains("['-m', 'pip', 'x y']") {
        run.fail("python3 -c … -m pip 'x y' did not get its arguments");
    }
    if !run.stdout.contains("REAL-PIP --version") {
        run.fail("command pip --version did not run the real pip");
    }
}

#[test]
fn bash_routes_pip_and_python_dash_m_pip() {
    if !shell_available(Sh::Bash) {
        return;
    }
    check_routing(Sh::Bash, &Sh::Bash.eval_init(&common::bin()));
    check_routing(Sh::Bash, &Sh::Bash.source_file());
}

#[test]
fn zsh_routes_pip_and_python_dash_m_pip() {
    if !shell_available(Sh::Zsh) {
        return;
    }
    check_routing(Sh::Zsh, &Sh::Zsh.eval_init(&common::bin()));
    check_routing(Sh::Zsh, &Sh::Zsh.source_file());
}

#[test]
fn fish_routes_pip_and_python_dash_m_pip() {
    if !shell_available(Sh::Fish) {
        return;
    }
    check_routing(Sh::Fish, &Sh::Fish.eval_init(&common::bin()));
    check_routing(Sh::Fish, &Sh::Fish.source_file());
}

#[test]
fn sourcing_is_silent_idempotent_and_exports_the_shell() {
    for sh in [Sh::Bash, Sh::Zsh, Sh::Fish] {
        if !shell_available(sh) {
            continue;
        }
        let s = setup();
        for source in [sh.eval_init(&common::bin()), sh.source_file()] {
            let script = format!("{source}\n{source}\n{source}\n");
            let run = s.run(sh, &script);
            if run.code != Some(0) || !run.stdout.is_empty() || !run.stderr.is_empty() {
                run.fail(&format!("{sh:?}: sourcing must print nothing and succeed"));
            }
            // Sourced three times, one call still reaches the guard once.
            let run = s.run(
                sh,
                &format!("{script}pip --version\necho $PIP_GUARD_SHELL\n"),
            );
            let traces = s.traces();
            if traces.len() != 1 || traces[0].0 != ["pip", "--version"] {
                run.fail(&format!("{sh:?}: one pip call gave traces {traces:?}"));
            }
            if !run.stdout.ends_with(&format!("{}\n", sh.name())) {
                run.fail(&format!("{sh:?}: PIP_GUARD_SHELL not exported"));
            }
        }
    }
}

#[test]
fn init_prints_the_file_with_the_absolute_path() {
    let env = TestEnv::new();
    let exe = common::bin().canonicalize().expect("canonical bin");
    for sh in [Sh::Bash, Sh::Zsh, Sh::Fish] {
        let out = env.pip_guard(["init", sh.name()]).run().success();
        let file = std::fs::read_to_string(
            common::repo_root().join(format!("shell/pip-guard.{}", sh.name())),
        )
        .expect("read shell file");
        // Same text as the file but the one line that locates pip-guard.
        let differing: Vec<(&str, &str)> = out
            .stdout
            .lines()
            .zip(file.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(out.stdout.lines().count(), file.lines().count());
        assert_eq!(differing.len(), 1, "{sh:?}: {differing:?}");
        assert!(
            differing[0].0.contains(&*exe.to_string_lossy()),
            "{sh:?}: {:?} does not name {}",
            differing[0].0,
            exe.display()
        );
        assert!(!out.stdout.contains("pip-guard:bin"));
    }
}

#[test]
fn without_pip_guard_the_functions_refuse_and_name_the_escape_hatch() {
    for sh in [Sh::Bash, Sh::Zsh, Sh::Fish] {
        if !shell_available(sh) {
            continue;
        }
        let s = setup();
        // PATH without pip-guard: the sourced file finds nothing.
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::env::split_paths(&path).filter(|d| !d.join("pip-guard").exists());
        let path = std::env::join_paths(dirs).expect("join PATH");
        let argv = sh.argv(&format!("{}\npip install x", sh.source_file()));
        let run = s.env.cmd(&argv[0]).args(&argv[1..]).env("PATH", path).run();
        if run.code != Some(127) || !run.stderr.contains("command pip") {
            run.fail(&format!("{sh:?}: expected exit 127 naming `command pip`"));
        }
    }
}

#[test]
fn snippets_pass_static_checks() {
    let env = TestEnv::new();
    for (sh, checker, args) in [
        (Sh::Bash, "shellcheck", &["-s", "bash"][..]),
        (Sh::Zsh, "zsh", &["-n"][..]),
        (Sh::Fish, "fish", &["--no-execute"][..]),
    ] {
        if common::require(checker).is_none() {
            continue;
        }
        let rendered = env.pip_guard(["init", sh.name()]).run().success().stdout;
        let rendered_path = env.write(format!("rendered.{}", sh.name()), rendered);
        let file = common::repo_root().join(format!("shell/pip-guard.{}", sh.name()));
        for target in [file, rendered_path] {
            env.cmd(checker).args(args).arg(&target).run().success();
        }
    }
}

/// Issue 14.10: pip-guard installed under a path that is not UTF-8 — `init`
/// writes the path's own bytes (quoted), never U+FFFD, and the sourced
/// snippet really calls that binary in bash, zsh and fish.
#[test]
fn init_keeps_a_non_utf8_install_path() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let name = std::ffi::OsStr::from_bytes(b"bin-\xff\xfe it's");
    let dir = env.root().join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let exe = dir.join("pip-guard");
    // A real file (current_exe() resolves symlinks): a hard link, else a copy.
    if std::fs::hard_link(common::bin(), &exe).is_err() {
        std::fs::copy(common::bin(), &exe).expect("copy the binary");
    }
    for sh in [Sh::Bash, Sh::Zsh, Sh::Fish] {
        let Some(shell) = common::require(sh.name()) else {
            continue;
        };
        let out = std::process::Command::new(&exe)
            .args(["init", sh.name()])
            .output()
            .expect("init");
        assert!(out.status.success(), "{sh:?}: {out:?}");
        let snippet = out.stdout;
        assert!(
            snippet.windows(3).all(|w| w != "\u{FFFD}".as_bytes()),
            "{sh:?}: U+FFFD written"
        );
        assert!(
            snippet.windows(4).any(|w| w == b"\xff\xfe i"),
            "{sh:?}: the path's bytes are not in the snippet"
        );
        let file = env.root().join(format!("snippet.{}", sh.name()));
        std::fs::write(&file, &snippet).expect("write snippet");
        let trace = env.root().join(format!("trace-{}.jsonl", sh.name()));
        let script = format!("source '{}'\npip --version\n", file.display());
        let argv = sh.argv(&script);
        let r = env
            .cmd(&shell)
            .args(&argv[1..])
            .env("PIP_GUARD_TRACE", &trace)
            .env("PATH", "/usr/bin:/bin")
            .run();
        let t = std::fs::read_to_string(&trace).unwrap_or_default();
        assert!(
            t.contains("--version"),
            "{sh:?}: the snippet did not call the binary\n{}",
            r.report()
        );
    }
}

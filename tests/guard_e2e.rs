//! The guard end to end, with real parts and no network: Debian's
//! `/usr/bin/python3` (externally managed, with Debian's pip) is the target,
//! a pure-Python wheel of a made-up project is built in the test, pip runs
//! with `--no-index --find-links`, installs go to a temporary
//! `PYTHONUSERBASE`, and the guard is symlinked as `pip` first on PATH
//! (the shared sandbox of `tests/debian`).
//!
//! Prerequisites (tests/setup.sh): Debian's python3 with python3-pip and
//! python3-venv, `script` (util-linux). Missing → skipped, or failed under CI.

mod common;
mod debian;

use common::pty;
use debian::{run, show, Sandbox, LONG, PY};
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// A project name no index will ever know.
const PKG: &str = "pgtest-frobnitz";
const MODULE: &str = "pgtest_frobnitz";

/// The Debian sandbox with one wheel in its `--find-links` directory: the
/// made-up `PKG` 1.0. `None` when the prerequisites are missing (outside CI).
fn sandbox() -> Option<Sandbox> {
    let env = Sandbox::empty()?;
    env.add_wheel(PKG, "1.0");
    Some(env)
}

#[test]
fn a_nixpkgs_requirement_is_not_installed() {
    let Some(env) = sandbox() else { return };
    let mut args = vec!["install", "--guard-index", "embedded", "requests"];
    let fl = env.find_links();
    args.extend(fl.iter().map(String::as_str));
    let o = run(env.pip(&args), LONG);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "held back for Nix: exit 1\n{}",
        show(&o)
    );
    assert!(err.contains("python3Packages.requests"), "{}", show(&o));
    assert!(
        err.contains("(python3.withPackages (ps: with ps; [ requests ]))"),
        "{}",
        show(&o)
    );
    assert!(
        err.contains("nix-shell -p 'python3.withPackages"),
        "{}",
        show(&o)
    );
    assert!(
        err.contains("To install Python packages system-wide"),
        "PEP 668 text\n{}",
        show(&o)
    );
    assert!(
        !env.user_site_has("requests"),
        "requests must not be installed"
    );
    assert!(o.stdout.is_empty(), "messages go to stderr\n{}", show(&o));
}

#[test]
fn a_made_up_package_needs_a_yes() {
    let Some(env) = sandbox() else { return };
    let fl = env.find_links();
    let mut args = vec!["install"];
    args.extend(fl.iter().map(String::as_str));
    args.push(PKG);

    // No terminal, no flag: explained, not installed, exit 3.
    let o = run(env.pip(&args), LONG);
    assert_eq!(o.status.code(), Some(3), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("4. pip --user --break-system-packages"),
        "{}",
        show(&o)
    );
    assert!(err.contains("--guard-yes"), "{}", show(&o));
    assert_eq!(env.imported_from(MODULE), None, "installed without a yes");

    // --dry-run never installs: nothing held back → 0.
    let mut dry = args.clone();
    dry.push("--dry-run");
    let o = run(env.pip(&dry), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(env.imported_from(MODULE), None, "installed by --dry-run");

    // PIP_GUARD_YES=0 is not a yes.
    let mut c = env.pip(&args);
    c.env("PIP_GUARD_YES", "0");
    assert_eq!(run(c, LONG).status.code(), Some(3));

    // --guard-yes: pip installs it into the user site; it imports from there.
    let mut yes = args.clone();
    yes.push("--guard-yes");
    let o = run(env.pip(&yes), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let from = env
        .imported_from(MODULE)
        .unwrap_or_else(|| panic!("not importable\n{}", show(&o)));
    assert!(
        from.starts_with(&env.userbase.to_string_lossy().into_owned()),
        "imported from {from}, not the user site"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("dependencies that nixpkgs provides"),
        "{}",
        show(&o)
    );
    // The temporary requirements file is gone.
    let leftovers: Vec<_> = std::fs::read_dir(env.root.join("tmp"))
        .expect("tmp dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("pip-guard-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary requirements file left behind"
    );
}

#[test]
fn pip_guard_yes_env_confirms() {
    let Some(env) = sandbox() else { return };
    let fl = env.find_links();
    let mut args = vec!["install", "-q"];
    args.extend(fl.iter().map(String::as_str));
    args.push(PKG);
    let mut c = env.pip(&args);
    c.env("PIP_GUARD_YES", "1");
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(env.imported_from(MODULE).is_some());
    // -q shortens the explanation: no PEP 668 text, no why.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("EXTERNALLY-MANAGED") && !err.contains("Why:"),
        "{}",
        show(&o)
    );
}

/// The end of the guard's question.
const PROMPT: &[u8] = b"with pip --user --break-system-packages? [y/N] ";

/// `pip install --find-links … ARGS` through the guard on a real pty,
/// with `PIP_GUARD_PYTHON` set to Debian's python3.
fn guard_on_pty(env: &Sandbox, args: &[&str]) -> pty::Pty {
    let fl = env.find_links();
    let mut all: Vec<&str> = vec!["install"];
    all.extend(fl.iter().map(String::as_str));
    all.extend(args);
    pty::Pty::spawn(env.pip(&all))
}

/// A real prompt on a terminal: the answer is typed once the prompt is
/// drawn, as a user would.
fn prompt_through_pty(answer: &str) -> Option<(Sandbox, ExitStatus, String)> {
    let env = sandbox()?;
    let mut t = guard_on_pty(&env, &[PKG]);
    assert!(
        t.wait_for(PROMPT),
        "no prompt:\n{}",
        String::from_utf8_lossy(&t.screen())
    );
    t.send(answer.as_bytes());
    let (status, screen) = t.finish();
    Some((env, status, String::from_utf8_lossy(&screen).into_owned()))
}

#[test]
fn a_prompt_answered_yes_installs() {
    let Some((env, status, out)) = prompt_through_pty("y\n") else {
        return;
    };
    assert!(out.contains("[y/N]"), "{out}");
    // The question names what pip would install.
    assert!(out.contains(&format!("Install {PKG} with pip")), "{out}");
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(
        env.imported_from(MODULE).is_some(),
        "not installed after yes\n{out}"
    );
}

#[test]
fn a_prompt_answered_no_installs_nothing() {
    let Some((env, status, out)) = prompt_through_pty("n\n") else {
        return;
    };
    assert!(out.contains("[y/N]"), "{out}");
    assert!(out.contains("declined"), "{out}");
    assert_eq!(status.code(), Some(3), "{out}");
    assert_eq!(env.imported_from(MODULE), None);
}

/// Issue 14.2: a `y` typed before the prompt is drawn (type-ahead, or a
/// paste that ran on) is discarded, not taken as the answer.
#[test]
fn input_typed_before_the_prompt_is_not_the_answer() {
    let Some(env) = sandbox() else {
        return;
    };
    let mut t = guard_on_pty(&env, &[PKG]);
    t.send(b"y\n");
    assert!(
        t.wait_for(PROMPT),
        "no prompt:\n{}",
        String::from_utf8_lossy(&t.screen())
    );
    t.send(b"n\n");
    let (status, screen) = t.finish();
    let out = String::from_utf8_lossy(&screen);
    assert_eq!(status.code(), Some(3), "the early y was taken:\n{out}");
    assert!(out.contains("declined"), "{out}");
    assert_eq!(env.imported_from(MODULE), None, "installed:\n{out}");
    let records = env.records();
    assert_eq!(
        records.last().map(|r| r["action"].clone()),
        Some("declined".into()),
        "{records:?}"
    );
}

/// Issue 14.2: a requirements-file marker that draws a fake prompt and
/// conceals the real one (erase line, cursor moves, SGR 8) reaches the
/// pty escaped; the real question comes after a reset, alone on its line,
/// and names the project.
#[test]
fn a_hostile_marker_cannot_draw_a_fake_prompt() {
    let Some(env) = sandbox() else {
        return;
    };
    let hostile = "\x1b[2K\x1b[GProceed?\x1b[C[y/N]\x1b[C\x1b[8m";
    env.write(
        "req.txt",
        &format!("{PKG} ; platform_release != \"{hostile}\"\n"),
    );
    // Without colour (NO_COLOR, the sandbox's default) and with it (a
    // colour terminal: pip-guard's own styles are drawn too).
    for colour in [false, true] {
        let fl = env.find_links();
        let mut args: Vec<&str> = vec!["install"];
        args.extend(fl.iter().map(String::as_str));
        args.extend(["-r", "req.txt"]);
        let mut c = env.pip(&args);
        if colour {
            c.env_remove("NO_COLOR").env("TERM", "xterm-256color");
        }
        let mut t = pty::Pty::spawn(c);
        assert!(
            t.wait_for(PROMPT),
            "no prompt:\n{}",
            String::from_utf8_lossy(&t.screen())
        );
        let drawn = t.screen();
        t.send(b"n\n");
        let (status, _) = t.finish();
        let out = String::from_utf8_lossy(&drawn);
        for raw in ["\x1b[8m", "\x1b[2K", "\x1b[G", "\x1b[C"] {
            assert!(!out.contains(raw), "{raw:?} reached the terminal:\n{out:?}");
        }
        // Every escape sequence drawn is one of pip-guard's own styles
        // (bold, dim, red, green, yellow, reset) or the prompt's erase-line.
        let own = [
            "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[K",
        ];
        let mut rest: &str = &out;
        let mut styled = false;
        while let Some(i) = rest.find('\x1b') {
            rest = &rest[i..];
            let seq = own.iter().find(|q| rest.starts_with(**q));
            assert!(
                seq.is_some(),
                "colour={colour}: a foreign sequence: {:?}",
                &rest[..rest.len().min(12)]
            );
            styled |= seq.is_some_and(|q| *q != "\x1b[0m" && *q != "\x1b[K");
            rest = &rest[1..];
        }
        assert_eq!(
            styled, colour,
            "colour={colour}: styles drawn: {styled}\n{out:?}"
        );
        // No style outlives its line: a styled line ends with a reset.
        for line in out.split("\r\n") {
            if line.contains('\x1b') && !line.contains("[y/N]") {
                assert!(line.ends_with("\x1b[0m"), "a style is left open: {line:?}");
            }
        }
        assert!(
            out.contains(r"\e[2K\e[GProceed?\e[C[y"),
            "the marker is not shown escaped:\n{out:?}"
        );
        let question =
            format!("\x1b[0m\r\x1b[KInstall {PKG} with pip --user --break-system-packages? [y/N] ");
        assert!(
            out.ends_with(&question),
            "the question is not the last thing drawn after a reset:\n{out:?}"
        );
        assert_eq!(status.code(), Some(3), "{out}");
        assert_eq!(env.imported_from(MODULE), None);
    }
}

/// Issue 14.10: Ctrl-C at the prompt installs nothing, exits 130 and
/// writes a `declined` audit record.
#[test]
fn ctrl_c_at_the_prompt_is_logged_as_declined() {
    let Some(env) = sandbox() else {
        return;
    };
    let before = env.records().len();
    let mut t = guard_on_pty(&env, &[PKG]);
    assert!(
        t.wait_for(PROMPT),
        "no prompt:\n{}",
        String::from_utf8_lossy(&t.screen())
    );
    t.send(b"\x03");
    let (status, screen) = t.finish();
    let out = String::from_utf8_lossy(&screen);
    assert_eq!(status.code(), Some(130), "{out}");
    assert!(out.contains("Nothing installed: interrupted"), "{out}");
    assert_eq!(env.imported_from(MODULE), None);
    let records = env.records();
    assert_eq!(records.len(), before + 1, "{records:?}");
    assert_eq!(records[before]["action"], "declined", "{records:?}");
}

/// Same stdout and exit code as the real pip.
fn same(env: &Sandbox, args: &[&str]) {
    let g = run(env.pip(args), LONG);
    let r = run(env.real_pip(args), LONG);
    assert_eq!(
        (g.status.code(), String::from_utf8_lossy(&g.stdout)),
        (r.status.code(), String::from_utf8_lossy(&r.stdout)),
        "pip {args:?} through the guard differs from the real pip\nguard: {}\nreal: {}",
        show(&g),
        show(&r)
    );
}

#[test]
fn other_commands_are_pips_own() {
    let Some(env) = sandbox() else { return };
    same(&env, &["--version"]);
    same(&env, &["list"]);
    same(&env, &["show", "pip"]);
    same(&env, &["show", "no-such-project-pgtest"]); // exit 1
    same(&env, &["frobnicate"]); // unknown command: pip's error
                                 // uninstall: install with the real pip, uninstall through the guard;
                                 // then the same with the real pip both times. Debian's pip refuses to
                                 // uninstall without --break-system-packages (PEP 668): same refusal.
    let fl = env.find_links();
    let mut install = vec!["install", "--user", "--break-system-packages"];
    install.extend(fl.iter().map(String::as_str));
    install.push(PKG);
    let o = run(env.real_pip(&install), LONG);
    assert!(o.status.success(), "{}", show(&o));
    same(&env, &["uninstall", "-y", PKG]);
    let uninstall = ["uninstall", "-y", "--break-system-packages", PKG];
    let g = run(env.pip(&uninstall), LONG);
    assert_eq!(
        env.imported_from(MODULE),
        None,
        "uninstalled through the guard\n{}",
        show(&g)
    );
    let o = run(env.real_pip(&install), LONG);
    assert!(o.status.success(), "{}", show(&o));
    let r = run(env.real_pip(&uninstall), LONG);
    assert_eq!(
        (g.status.code(), String::from_utf8_lossy(&g.stdout)),
        (r.status.code(), String::from_utf8_lossy(&r.stdout)),
        "uninstall differs\nguard: {}\nreal: {}",
        show(&g),
        show(&r)
    );
    assert!(String::from_utf8_lossy(&g.stdout).contains("Successfully uninstalled"));
}

#[test]
fn never_execs_itself() {
    let Some(env) = sandbox() else { return };
    let real = run(env.real_pip(&["--version"]), LONG);

    // First on PATH as pip, PIP_GUARD_REAL_PIP unset: the next pip on PATH.
    let o = run(env.pip(&["--version"]), Duration::from_secs(30));
    assert_eq!(o.stdout, real.stdout, "{}", show(&o));

    // A PATH where the only pip is the guard: `python3 -m pip`.
    let pydir = env.root.join("pyonly");
    std::fs::create_dir_all(&pydir).expect("mkdir");
    std::os::unix::fs::symlink(PY, pydir.join("python3")).expect("symlink");
    let mut c = env.pip(&["--version"]);
    c.env(
        "PATH",
        std::env::join_paths([&env.bin, &pydir]).expect("PATH"),
    );
    let o = run(c, Duration::from_secs(30));
    let mut m = env.cmd(PY);
    m.args(["-m", "pip", "--version"]);
    let m = run(m, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(o.stdout, m.stdout, "{}", show(&o));

    // PIP_GUARD_REAL_PIP pointing at the guard: a loop error, fast.
    let start = Instant::now();
    let mut c = env.pip(&["--version"]);
    c.env("PIP_GUARD_REAL_PIP", env.bin.join("pip"));
    let o = run(c, Duration::from_secs(10));
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("loop"),
        "{}",
        show(&o)
    );
    assert!(start.elapsed() < Duration::from_secs(2));

    // A wrapper script that calls the guard again: stopped by the depth
    // carried in PIP_GUARD_ACTIVE, fast.
    let wrapdir = env.root.join("wrap");
    std::fs::create_dir_all(&wrapdir).expect("mkdir");
    let wrapper = wrapdir.join("pip3");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec {} pip \"$@\"\n", common::bin().display()),
    )
    .expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let start = Instant::now();
    let mut c = env.cmd(&wrapper);
    c.arg("--version").env(
        "PATH",
        std::env::join_paths([&env.bin, &wrapdir]).expect("PATH"),
    );
    let o = run(c, Duration::from_secs(10));
    assert_eq!(o.status.code(), Some(4), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("PIP_GUARD_ACTIVE"),
        "{}",
        show(&o)
    );
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn installs_that_are_not_externally_managed_pass_through() {
    let Some(env) = sandbox() else { return };
    let fl = env.find_links();
    // --target: not the externally managed environment; no prompt, no yes.
    let target = env.root.join("target-dir");
    let t = target.to_string_lossy().into_owned();
    let mut args = vec!["install", "-q", "--target", &t];
    args.extend(fl.iter().map(String::as_str));
    args.push(PKG);
    let o = run(env.pip(&args), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(
        target.join(MODULE).join("__init__.py").is_file(),
        "{}",
        show(&o)
    );
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("pip-guard"),
        "{}",
        show(&o)
    );

    // An active virtualenv: its pip comes first on PATH, its Python is the
    // target (read from the pip script's #! line), the install goes through.
    let venv = env.root.join("venv");
    let st = env
        .cmd(PY)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("venv");
    if !st.success() {
        common::missing::<()>("python3-venv");
        return;
    }
    let mut c = env.cmd(env.bin.join("pip"));
    let mut args = vec!["install", "-q"];
    args.extend(fl.iter().map(String::as_str));
    args.push(PKG);
    c.args(&args).env("VIRTUAL_ENV", &venv).env(
        "PATH",
        std::env::join_paths([env.bin.clone(), venv.join("bin"), "/usr/bin".into()]).expect("PATH"),
    );
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let check = env
        .cmd(venv.join("bin/python"))
        .args(["-c", &format!("import {MODULE}")])
        .status()
        .expect("venv python");
    assert!(check.success(), "installed into the venv");
    assert_eq!(env.imported_from(MODULE), None, "not into the user site");
}

#[test]
fn requirement_sources_in_the_environment_are_refused() {
    let Some(env) = sandbox() else { return };
    std::fs::write(env.work.join("sneaky.txt"), format!("{PKG}\n")).expect("write");
    let fl = env.find_links();
    let mut args = vec!["install", "--guard-yes"];
    args.extend(fl.iter().map(String::as_str));
    args.push("requests");
    let mut c = env.pip(&args);
    c.env("PIP_REQUIREMENT", "sneaky.txt");
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("PIP_REQUIREMENT"),
        "{}",
        show(&o)
    );
    assert_eq!(env.imported_from(MODULE), None);
}

#[test]
fn a_malformed_requirement_is_an_error() {
    let Some(env) = sandbox() else { return };
    let o = run(
        env.pip(&["install", "--guard-yes", "pgtest-frobnitz>>1"]),
        LONG,
    );
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert_eq!(env.imported_from(MODULE), None);
}

/// No flag, variable or entry point gets an unconfirmed install past the
/// guard (design: "things that must never happen").
#[test]
fn no_spelling_gets_past_the_guard() {
    let Some(env) = sandbox() else { return };
    std::fs::write(env.work.join("req.txt"), format!("{PKG}\n")).expect("write");
    let fl = env.find_links();
    let with = |extra: &[&str]| {
        let mut a: Vec<String> = vec!["install".into()];
        a.extend(fl.iter().cloned());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    /// (entry point, arguments, extra variables)
    type Case<'a> = (String, Vec<String>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "pip".into(),
            with(&["--break-system-packages", PKG]),
            vec![],
        ),
        ("pip".into(), with(&["--break-sys", "--user", PKG]), vec![]),
        (
            "pip".into(),
            with(&[PKG]),
            vec![("PIP_BREAK_SYSTEM_PACKAGES", "1")],
        ),
        (
            "pip".into(),
            with(&["--break-system-packages", "-r", "req.txt"]),
            vec![],
        ),
        ("pip3.11".into(), with(&["PgTest_Frobnitz"]), vec![]),
        ("pip3".into(), with(&["pgtest.frobnitz==1.0"]), vec![]),
    ];
    for (name, args, vars) in cases {
        let mut c = env.cmd(env.bin.join(&name));
        c.args(&args).env("PIP_GUARD_PYTHON", PY);
        for (k, v) in &vars {
            c.env(k, v);
        }
        let o = run(c, LONG);
        assert_eq!(
            env.imported_from(MODULE),
            None,
            "{name} {args:?} {vars:?} installed it\n{}",
            show(&o)
        );
        assert_eq!(
            o.status.code(),
            Some(3),
            "{name} {args:?} {vars:?}\n{}",
            show(&o)
        );
    }
}

/// Issue 10.17: the `pip-guard nixify …` hint for a requirements file whose
/// name holds spaces is printed whole on its own line (never wrapped
/// inside its quotes), and `sh` reads its arguments back exactly.
#[test]
fn the_nixify_hint_keeps_a_quoted_file_name_whole() {
    let Some(env) = sandbox() else {
        return;
    };
    let file = "my requirements file.txt";
    env.write(
        file,
        "patched-lib @ git+https://git.example.org/patched-lib@v1.2\n",
    );
    let o = run(env.pip(&["install", "-r", file]), LONG);
    let err = String::from_utf8_lossy(&o.stderr);
    let line = err
        .lines()
        .find(|l| l.trim_start().starts_with("pip-guard nixify"))
        .unwrap_or_else(|| panic!("no nixify hint:\n{}", show(&o)));
    let cmd = line
        .trim()
        .strip_suffix(" > flake.nix && nix develop")
        .unwrap_or_else(|| panic!("the hint is cut: {line:?}\n{}", show(&o)));
    let args = cmd.strip_prefix("pip-guard nixify ").expect("prefix");
    let sh = std::process::Command::new("sh")
        .args(["-c", &format!("printf '%s\\n' {args}")])
        .output()
        .expect("sh");
    assert_eq!(
        String::from_utf8_lossy(&sh.stdout),
        format!("-r\n{file}\n"),
        "{line:?}"
    );
    assert_eq!(env.imported_from("patched_lib"), None);
}

/// Issue 14.10: `PIP_GUARD_YES=y` is a documented yes (docs/guard.md), and
/// `PIP_GUARD_YES=no` is not.
#[test]
fn pip_guard_yes_takes_the_documented_values() {
    let Some(env) = sandbox() else {
        return;
    };
    let fl = env.find_links();
    let mut args: Vec<&str> = vec!["install"];
    args.extend(fl.iter().map(String::as_str));
    args.push(PKG);
    let mut c = env.pip(&args);
    c.env("PIP_GUARD_YES", "no");
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(3), "{}", show(&o));
    assert_eq!(env.imported_from(MODULE), None);
    let mut c = env.pip(&args);
    c.env("PIP_GUARD_YES", "y");
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(env.imported_from(MODULE).is_some(), "{}", show(&o));
}

/// Issue 14.10: the project policy is found from the logical working
/// directory. In a subdirectory that is a symlink to elsewhere (`cd
/// proj/data`), a shell's `$PWD` still names the project: its deny holds
/// for `audit` and for the guard (nothing installed); a `$PWD` that names
/// another directory is ignored.
#[test]
fn a_symlinked_subdirectory_keeps_the_project_policy() {
    let Some(env) = sandbox() else {
        return;
    };
    let proj = env.work.join("proj");
    let elsewhere = env.root.join("elsewhere");
    std::fs::create_dir_all(proj.join(".git")).expect("mkdir");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::write(
        proj.join(".pip-guard.toml"),
        format!("mode = \"enforce\"\ndeny = [\"{PKG}\"]\n[index]\nsource = \"embedded\"\n"),
    )
    .expect("policy");
    let data = proj.join("data");
    std::os::unix::fs::symlink(&elsewhere, &data).expect("symlink");
    let fl = env.find_links();
    let mut args: Vec<&str> = vec!["install"];
    args.extend(fl.iter().map(String::as_str));
    args.push(PKG);
    args.push("--guard-yes");

    let audit = |pwd: &Path| {
        let mut c = env.cmd(common::bin());
        c.args(["audit", PKG])
            .env("PIP_GUARD_PYTHON", PY)
            .env("PWD", pwd)
            .current_dir(&data);
        run(c, LONG)
    };
    let o = audit(&data);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("denied"),
        "{}",
        show(&o)
    );
    // A PWD that is not this directory is not believed.
    let o = audit(&env.work);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    let mut c = env.pip(&args);
    c.env("PWD", &data).current_dir(&data);
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(env.imported_from(MODULE), None, "{}", show(&o));
}

//! What people read, under review: every human-facing output (the guard's
//! explanation, audit text/markdown/github, explain, nixify, doctor, policy
//! show/check, errors) is a snapshot (`tests/snapshots/*.snap`, insta). A
//! change of wording, layout or content shows as a diff in review; accept it
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test
//! snapshots`) once it is the change you meant. Under CI a mismatch fails.
//!
//! Every case is pinned to the embedded snapshot and a given Python version,
//! so the text does not depend on the machine's nix or caches; paths of the
//! temporary directory read `[TMP]`.

mod common;

use common::TestEnv;

/// Run `pip-guard ARGS` in `env` (cwd = the repository's `examples/`
/// copied in) and return what a person sees: the exit code, stdout and
/// stderr, temp paths filtered.
fn seen(env: &TestEnv, args: &[&str]) -> String {
    seen_with(env, args, &[])
}

/// [`seen`] with extra environment variables. Every case runs with Debian's
/// python3 as the target and a PATH of /usr/bin and /bin, so that neither
/// the developer's nor CI's own tools show up in the text.
fn seen_with(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> String {
    let mut cmd = env.pip_guard(args);
    cmd.env("PIP_GUARD_INDEX", "embedded")
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .env("PATH", "/usr/bin:/bin")
        .env("NIX_PATH", "")
        .env("COLUMNS", "80")
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PIP_GUARD_SHELL");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let run = cmd.run();
    let mut out = format!("exit: {:?}\n", run.code);
    if !run.stdout.is_empty() {
        out.push_str("--- stdout\n");
        out.push_str(&env.filter(&run.stdout));
    }
    if !run.stderr.is_empty() {
        out.push_str("--- stderr\n");
        out.push_str(&env.filter(&run.stderr));
    }
    out
}

/// A test environment with the repository's examples in its working directory.
fn with_examples() -> TestEnv {
    let env = TestEnv::new();
    let src = common::repo_root().join("examples");
    let st = std::process::Command::new("cp")
        .arg("-r")
        .arg(&src)
        .arg(env.path("examples"))
        .status()
        .expect("cp -r examples");
    assert!(st.success());
    env
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    // pip-guard's own version moves with every release.
    s.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
    s
}

macro_rules! snap {
    ($name:literal, $text:expr) => {
        settings().bind(|| insta::assert_snapshot!($name, $text));
    };
}

const PY: &[&str] = &["--python-version", "3.12"];

fn audit(env: &TestEnv, format: &str) -> String {
    let mut args = vec!["audit", "--format", format, "--index", "embedded"];
    args.extend_from_slice(PY);
    args.extend_from_slice(&["-r", "examples/requirements.txt"]);
    seen(env, &args)
}

#[test]
fn audit_text() {
    let env = with_examples();
    snap!("audit_text", audit(&env, "text"));
}

#[test]
fn audit_markdown() {
    let env = with_examples();
    snap!("audit_markdown", audit(&env, "markdown"));
}

#[test]
fn audit_github() {
    let env = with_examples();
    snap!("audit_github", audit(&env, "github"));
}

#[test]
fn explain_a_package_with_a_native_alternative() {
    let env = with_examples();
    snap!(
        "explain_openai_whisper",
        seen(&env, &["explain", "--index", "embedded", "openai-whisper"])
    );
}

#[test]
fn explain_a_package_nixpkgs_lacks() {
    let env = with_examples();
    snap!(
        "explain_unknown",
        seen(&env, &["explain", "--index", "embedded", "made-up-pkg"])
    );
}

#[test]
fn nixify_the_example() {
    let env = with_examples();
    let mut args = vec!["nixify", "--index", "embedded"];
    args.extend_from_slice(PY);
    args.extend_from_slice(&["-r", "examples/requirements.txt"]);
    snap!("nixify_example", seen(&env, &args));
}

#[test]
fn errors_on_bad_input() {
    let env = with_examples();
    let mut out = String::new();
    for args in [
        &["audit", "-r", "examples/broken/requirements.txt"][..],
        &["audit", "-r", "examples/broken/missing-include.txt"][..],
        &["audit", "-r", "no-such-file.txt"][..],
        &["audit", "requests>=="][..],
        &["audit", "--format", "yaml", "requests"][..],
    ] {
        out.push_str(&format!("$ pip-guard {}\n", args.join(" ")));
        out.push_str(&seen(&env, args));
        out.push('\n');
    }
    snap!("errors", out);
}

#[test]
fn policy_show_and_check() {
    let env = with_examples();
    let mut out = String::new();
    out.push_str("$ PIP_GUARD_POLICY=examples/policy/team.toml pip-guard policy show\n");
    out.push_str(&seen_with(
        &env,
        &["policy", "show"],
        &[("PIP_GUARD_POLICY", "examples/policy/team.toml")],
    ));
    out.push('\n');
    out.push_str("$ pip-guard policy check examples/policy/broken.toml\n");
    out.push_str(&seen(
        &env,
        &["policy", "check", "examples/policy/broken.toml"],
    ));
    snap!("policy", out);
}

/// The guard's explanation on Debian's externally managed python3, for a
/// package Nix covers and one it does not (`--dry-run`: nothing installs).
#[test]
fn guard_explanation() {
    if !std::path::Path::new("/usr/bin/python3").exists() {
        let _: Option<()> = common::missing("Debian's /usr/bin/python3");
        return;
    }
    let env = with_examples();
    snap!(
        "guard_explanation",
        seen(
            &env,
            &["pip", "install", "--dry-run", "requests", "made-up-pkg"]
        )
    );
}

/// `doctor` reads the machine: versions and paths are filtered, the
/// structure and wording are what is under review.
#[test]
fn doctor() {
    let env = with_examples();
    let text = seen(&env, &["doctor"]);
    let mut s = settings();
    s.add_filter(r"Python 3\.\d+(\.\d+)?", "Python [VER]");
    s.add_filter(r"pip \d+(\.\d+)*", "pip [VER]");
    s.add_filter(
        r"/nix/store/[a-z0-9]{32}-[^\s/]+",
        "/nix/store/[HASH]-[NAME]",
    );
    // Which manylinux libraries the machine has varies (libGL, X11, glib
    // come and go with desktop packages); the old ncurses5 ones are missing
    // everywhere, so the check's status does not.
    s.add_filter(
        r"\d+ of \d+ common manylinux libraries cannot be loaded: .*",
        "[N] of [M] common manylinux libraries cannot be loaded: [LIBS]",
    );
    s.add_filter(r"(?m)^      \| (LD_LIBRARY_PATH = |lib\S+ \().*\n", "");
    s.bind(|| insta::assert_snapshot!("doctor", text));
}

/// A local project (`examples/project`): the guard's explanation of
/// `pip install -e .[dev]` (each dependency with its tier, the dev shell
/// that brings them together; `--dry-run`: nothing installs), the audit and
/// the project's flake.
#[test]
fn a_local_project() {
    if !std::path::Path::new("/usr/bin/python3").exists() {
        let _: Option<()> = common::missing("Debian's /usr/bin/python3");
        return;
    }
    let env = with_examples();
    let mut out = String::new();
    for args in [
        &["pip", "install", "--dry-run", "-e", "examples/project[dev]"][..],
        &["audit", "-e", "examples/project[dev]"][..],
        &["nixify", "-e", "examples/project[dev]"][..],
    ] {
        out.push_str(&format!("$ pip-guard {}\n", args.join(" ")));
        out.push_str(&seen(&env, args));
        out.push('\n');
    }
    snap!("project", out);
}

//! Checks of the shared test support itself (tests/common): the sealed
//! environment, the `[TMP]` filter, the failure report, and that a wheel
//! built by hand installs with the pinned pip and imports.

mod common;

use common::wheel::Wheel;
use common::TestEnv;

#[test]
fn environment_is_sealed() {
    let env = TestEnv::new();
    let out = env
        .cmd("sh")
        .args(["-c", "env; pwd"])
        .env("PIP_GUARD_SHOULD_BE_SET", "yes")
        .run()
        .success();
    let home = env.home.to_string_lossy().into_owned();
    assert!(
        out.stdout.contains(&format!("HOME={home}\n")),
        "{}",
        out.report()
    );
    assert!(out
        .stdout
        .contains(&format!("PYTHONUSERBASE={home}/.local\n")));
    assert!(out
        .stdout
        .contains(&format!("XDG_CONFIG_HOME={home}/.config\n")));
    assert!(out.stdout.ends_with(&format!("{}\n", env.cwd.display())));
    // Variables a test sets explicitly survive; inherited PIP_* do not.
    assert!(out.stdout.contains("PIP_GUARD_SHOULD_BE_SET=yes"));
    for line in out.stdout.lines() {
        let name = line.split('=').next().unwrap_or("");
        assert!(
            !name.starts_with("PIP_") || name == "PIP_GUARD_SHOULD_BE_SET",
            "leaked {line}"
        );
    }
}

#[test]
fn inherited_pip_variables_are_removed() {
    for name in [
        "PIP_INDEX_URL",
        "PIP_GUARD_TRACE",
        "VIRTUAL_ENV",
        "PYTHONPATH",
    ] {
        assert!(common::sealed_out(name), "{name}");
    }
    for name in ["PATH", "CI", "PIPX_HOME", "HOME"] {
        assert!(!common::sealed_out(name), "{name}");
    }
    // tests/run exports PIP_GUARD_TEST_VENV: the child must not see it.
    if std::env::var_os("PIP_GUARD_TEST_VENV").is_some() {
        let env = TestEnv::new();
        let out = env.cmd("env").run().success();
        assert!(
            !out.stdout.contains("PIP_GUARD_TEST_VENV="),
            "{}",
            out.report()
        );
    }
}

#[test]
fn tmp_filter_and_report() {
    let env = TestEnv::new();
    env.write("sub/file.txt", "hello");
    let p = env.path("sub/file.txt");
    assert_eq!(
        env.filter(&format!("at {}:3", p.display())),
        "at [TMP]/work/sub/file.txt:3"
    );
    let run = env
        .cmd("sh")
        .args(["-c", "echo out; echo err >&2; exit 3"])
        .run();
    assert_eq!(run.code, Some(3));
    let report = run.clone().report();
    assert!(report.contains("work/sub/file.txt (5 bytes)"), "{report}");
    assert!(report.contains("--- stdout ---\nout\n"), "{report}");
    assert!(report.contains("--- stderr ---\nerr\n"), "{report}");
    let caught = std::panic::catch_unwind(|| run.success());
    assert!(caught.is_err(), "success() must panic on exit 3");
}

#[test]
fn stdin_is_fed_or_closed() {
    let env = TestEnv::new();
    let out = env.cmd("cat").stdin("abc").run().success();
    assert_eq!(out.stdout, "abc");
    let out = env.cmd("cat").run().success();
    assert_eq!(out.stdout, "");
}

#[test]
fn hand_built_wheel_installs_and_imports() {
    let Some(py) = common::venv_python() else {
        return;
    };
    let env = TestEnv::new();
    let wheels = env.path("wheels");
    let whl = Wheel::new("made-up-pkg", "1.2.3")
        .module("made_up_pkg/__init__.py", "ANSWER = 42\n")
        .write_to(&wheels);
    assert!(whl.ends_with("made_up_pkg-1.2.3-py3-none-any.whl"));
    let target = env.path("site");
    env.cmd(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg("--find-links")
        .arg(&wheels)
        .arg("--target")
        .arg(&target)
        .arg("made-up-pkg==1.2.3")
        .run()
        .success();
    let out = env
        .cmd(&py)
        .args(["-c", "import made_up_pkg; print(made_up_pkg.ANSWER)"])
        .env("PYTHONPATH", &target)
        .run()
        .success();
    assert_eq!(out.stdout.trim(), "42");
    // The RECORD pip wrote lists the module with its hash.
    let record = std::fs::read_to_string(target.join("made_up_pkg-1.2.3.dist-info/RECORD"))
        .expect("RECORD installed");
    assert!(
        record.contains("made_up_pkg/__init__.py,sha256="),
        "{record}"
    );
}

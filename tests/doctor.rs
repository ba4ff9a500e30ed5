//! `pip-guard doctor` on machines set up in a temporary HOME: each failing
//! condition is created for real (PATH, PYTHONPATH, library variables, a
//! user site with packages, pip on PATH) with Debian's externally-managed
//! /usr/bin/python3 as the interpreter, and must be reported.

mod common;

use common::{Run, TestEnv};
use serde_json::Value;
use std::path::{Path, PathBuf};

const DEBIAN_PYTHON: &str = "/usr/bin/python3";

struct Machine {
    env: TestEnv,
    bin: PathBuf,
    user_site: PathBuf,
}

/// A temp HOME and a bin dir holding `python3` → Debian's python3.
fn machine() -> Option<Machine> {
    if !Path::new(DEBIAN_PYTHON).is_file() {
        return common::missing("Debian's /usr/bin/python3 (python3 package)");
    }
    let env = TestEnv::new();
    let bin = env.root().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::os::unix::fs::symlink(DEBIAN_PYTHON, bin.join("python3")).expect("symlink python3");
    let out = env
        .cmd(DEBIAN_PYTHON)
        .args(["-c", "import site; print(site.getusersitepackages())"])
        .run()
        .success();
    let user_site = PathBuf::from(out.stdout.trim());
    assert!(
        user_site.starts_with(&env.home),
        "user site {} outside the temp HOME",
        user_site.display()
    );
    Some(Machine {
        env,
        bin,
        user_site,
    })
}

impl Machine {
    fn path_with(&self, extra: &[&Path]) -> String {
        let mut dirs: Vec<String> = extra.iter().map(|p| p.display().to_string()).collect();
        dirs.push(self.bin.display().to_string());
        dirs.push("/usr/bin".into());
        dirs.push("/bin".into());
        dirs.join(":")
    }

    fn doctor(&self, path: &str, vars: &[(&str, &str)], format: &str) -> Run {
        let mut cmd = self.env.pip_guard(["doctor", "--format", format]);
        cmd.env("PATH", path)
            .env_remove("LD_LIBRARY_PATH")
            .env_remove("DYLD_LIBRARY_PATH")
            .env_remove("DYLD_FALLBACK_LIBRARY_PATH")
            .env_remove("PIP_GUARD_SHELL");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.run()
    }

    fn install_dist(&self, dir_name: &str, name: &str) {
        let d = self.user_site.join(dir_name);
        std::fs::create_dir_all(&d).expect("dist-info dir");
        std::fs::write(
            d.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\nbody\n"),
        )
        .expect("METADATA");
    }
}

/// The check with `id` from doctor's JSON.
fn check<'a>(run: &Run, json: &'a Value, id: &str) -> &'a Value {
    json["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| run.fail(&format!("no check {id}")))
}

fn parse(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| run.fail(&format!("not JSON: {e}")))
}

fn expect(run: &Run, json: &Value, id: &str, status: &str, needle: &str) {
    let c = check(run, json, id);
    let text = c.to_string();
    if c["status"] != status || !text.contains(needle) {
        run.fail(&format!(
            "check {id}: expected {status} mentioning {needle:?}, got {c:#}"
        ));
    }
}

/// Does the embedded index know `name`? (Asked through the product itself.)
fn index_knows(env: &TestEnv, name: &str) -> Option<String> {
    let out = env
        .pip_guard(["audit", "--format", "json", "--index", "embedded", name])
        .run();
    let v: Value = serde_json::from_str(&out.stdout).ok()?;
    v["requirements"][0]["nix"]["attr"]
        .as_str()
        .map(str::to_string)
}

#[test]
fn a_badly_set_up_machine_gets_every_problem_reported() {
    let Some(m) = machine() else {
        return;
    };
    m.install_dist("requests-2.31.0.dist-info", "requests");
    m.install_dist("made_up_pkg_zz-1.0.dist-info", "made-up-pkg-zz");
    let user_site = m.user_site.display().to_string();
    let run = m.doctor(
        &m.path_with(&[]),
        &[
            ("PYTHONPATH", &format!("/opt/elsewhere:{user_site}")),
            ("LD_LIBRARY_PATH", "/opt/lib"),
            ("DYLD_LIBRARY_PATH", "/opt/dyld"),
        ],
        "json",
    );
    let run = run.code(1);
    let j = parse(&run);
    assert_eq!(j["schema"], "pip-guard.doctor/v1");
    expect(
        &run,
        &j,
        "python-from-nix",
        "warn",
        "not from the Nix store",
    );
    // Debian's marker, quoted.
    let marker = std::fs::read_to_string("/usr/lib/python3.11/EXTERNALLY-MANAGED")
        .ok()
        .or_else(|| {
            let stdlib = m
                .env
                .cmd(DEBIAN_PYTHON)
                .args([
                    "-c",
                    "import sysconfig; print(sysconfig.get_path('stdlib'))",
                ])
                .run()
                .stdout;
            std::fs::read_to_string(Path::new(stdlib.trim()).join("EXTERNALLY-MANAGED")).ok()
        });
    let c = check(&run, &j, "externally-managed");
    if let Some(marker) = marker {
        assert_eq!(c["status"], "ok", "{c:#}");
        let first = c["detail"][0].as_str().unwrap_or("?");
        assert!(
            marker.contains(first.trim()),
            "detail {first:?} not from the marker"
        );
    }
    let user_bin = m.env.user_base().join("bin");
    expect(
        &run,
        &j,
        "user-bin-on-path",
        "fail",
        &user_bin.display().to_string(),
    );
    expect(&run, &j, "redundant-pythonpath", "warn", &user_site);
    expect(
        &run,
        &j,
        "library-path-vars",
        "warn",
        "LD_LIBRARY_PATH=/opt/lib",
    );
    expect(
        &run,
        &j,
        "library-path-vars",
        "warn",
        "DYLD_LIBRARY_PATH=/opt/dyld",
    );
    let shadow = check(&run, &j, "user-site-shadows-nix");
    assert!(!shadow.to_string().contains("made-up-pkg-zz"), "{shadow:#}");
    match index_knows(&m.env, "requests") {
        Some(attr) => expect(
            &run,
            &j,
            "user-site-shadows-nix",
            "warn",
            &format!("requests: {attr}"),
        ),
        None => eprintln!("embedded index does not know requests: shadowing check not exercised"),
    }
    expect(&run, &j, "pip-is-guarded", "fail", "not pip-guard");
    assert_eq!(j["summary"]["fail"], 2, "{:#}", j["summary"]);

    // The same in text: one line per check, the advice under it.
    let text = m
        .doctor(
            &m.path_with(&[]),
            &[("LD_LIBRARY_PATH", "/opt/lib")],
            "text",
        )
        .code(1);
    for needle in [
        "fail  ",
        "is not on PATH",
        "home.sessionPath",
        "warn  LD_LIBRARY_PATH set",
        "failure(s)",
    ] {
        if !text.stdout.contains(needle) {
            text.fail(&format!("text output lacks {needle:?}"));
        }
    }
}

#[test]
fn a_well_set_up_machine_passes() {
    let Some(m) = machine() else {
        return;
    };
    // pip on PATH is a symlink to pip-guard, the user bin is on PATH.
    std::os::unix::fs::symlink(common::bin(), m.bin.join("pip")).expect("symlink pip");
    let user_bin = m.env.user_base().join("bin");
    let run = m.doctor(&m.path_with(&[&user_bin]), &[], "json").success();
    let j = parse(&run);
    for id in [
        "externally-managed",
        "user-bin-on-path",
        "redundant-pythonpath",
        "library-path-vars",
        "user-site-shadows-nix",
        "pip-is-guarded",
    ] {
        let c = check(&run, &j, id);
        if c["status"] != "ok" {
            run.fail(&format!("{id} is not ok: {c:#}"));
        }
    }
    assert_eq!(j["summary"]["fail"], 0);
}

/// Issue 14.8: `PIP_GUARD_SHELL` alone (what a child shell inherits) is
/// not proof that pip is routed.
#[test]
fn the_shell_variable_alone_is_not_proof() {
    let Some(m) = machine() else {
        return;
    };
    let run = m.doctor(&m.path_with(&[]), &[("PIP_GUARD_SHELL", "fish")], "json");
    let j = parse(&run);
    expect(&run, &j, "pip-is-guarded", "fail", "parent shell");
}

/// Issue 14.8, in real shells: `pip-guard doctor` run from a shell that
/// sourced `pip-guard init` says pip is routed; after `unset -f pip`
/// (`unfunction`, `functions -e`), from a child shell (`bash -c`), or with
/// an alias defined before the init line, it says it is not.
#[test]
fn doctor_asks_the_shell_what_pip_is() {
    let Some(m) = machine() else {
        return;
    };
    std::os::unix::fs::symlink(common::bin(), m.bin.join("pip-guard")).expect("symlink");
    let doctor = "pip-guard doctor --format json";
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        // shell, before init, after init, status, needle
        ("bash", "", "", "ok", "checked in this shell"),
        (
            "bash",
            "",
            "unset -f pip",
            "fail",
            "not the guard's function",
        ),
        ("bash", "", "bash -c", "fail", "parent shell"),
        (
            "bash",
            "shopt -s expand_aliases; alias pip=/usr/bin/pip",
            "",
            "fail",
            "alias",
        ),
        ("zsh", "", "", "ok", "checked in this shell"),
        (
            "zsh",
            "",
            "unfunction pip",
            "fail",
            "not the guard's function",
        ),
        ("zsh", "", "zsh -c", "fail", "parent shell"),
        ("zsh", "alias pip=/usr/bin/pip", "", "fail", "alias"),
        ("fish", "", "", "ok", "checked in this shell"),
        (
            "fish",
            "",
            "functions -e pip",
            "fail",
            "not the guard's function",
        ),
        ("fish", "", "fish -c", "fail", "parent shell"),
    ];
    for (shell, before, after, status, needle) in cases {
        let Some(path) = common::require(shell) else {
            continue;
        };
        let init = match *shell {
            "fish" => "pip-guard init fish | source".to_string(),
            sh => format!("eval \"$(pip-guard init {sh})\""),
        };
        let last = if after.ends_with(" -c") {
            let flags = match *shell {
                "bash" => "--norc --noprofile -c",
                "zsh" => "-f -c",
                _ => "--no-config -c",
            };
            format!("{shell} {flags} '{doctor}'")
        } else {
            format!("{after}\n{doctor}")
        };
        let script = format!("{before}\n{init}\n{last}\n");
        let mut c = m.env.cmd(&path);
        match *shell {
            "bash" => c.args(["--norc", "--noprofile", "-c", &script]),
            "zsh" => c.args(["-f", "-c", &script]),
            _ => c.args(["--no-config", "-c", &script]),
        };
        let run = c
            .env("PATH", m.path_with(&[]))
            .env_remove("PIP_GUARD_SHELL")
            .env_remove("PIP_GUARD_PIP_TYPE")
            .run();
        let j = parse(&run);
        let what = format!("{shell}: {before:?} init {after:?}");
        let c = check(&run, &j, "pip-is-guarded");
        assert!(
            c["status"] == *status && c.to_string().contains(needle),
            "{what}: expected {status} mentioning {needle:?}, got {c:#}"
        );
    }
}

#[test]
fn no_python_at_all_fails() {
    let env = TestEnv::new();
    let empty = env.root().join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let run = env
        .pip_guard(["doctor", "--format", "json"])
        .env("PATH", &empty)
        .run()
        .code(1);
    let j = parse(&run);
    expect(&run, &j, "python-from-nix", "fail", "no python3 found");
}

#[test]
fn doctor_refuses_formats_it_has_not() {
    let env = TestEnv::new();
    env.pip_guard(["doctor", "--format", "markdown"])
        .run()
        .code(2);
}

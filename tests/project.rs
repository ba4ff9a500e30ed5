//! `pip install .` / `-e .[dev]`: a local project's own dependencies.
//!
//! - `audit -e .[dev]` lists every declared dependency with its line in
//!   `pyproject.toml`, `via` the project, the extras and build system;
//! - bad input (malformed TOML, a non-string dependency, an invalid PEP 508
//!   string, a missing directory, a path that is a file) exits 2 naming
//!   file, line and column;
//! - `nixify --output` writes a flake that `nix-instantiate --parse`
//!   accepts and that evaluates against a fake nixpkgs
//!   (`tests/nix/project-eval.nix`) to the shell and package expected;
//! - through the guard on Debian's externally-managed python3, `pip install
//!   -e .[dev]` installs nothing Nix covers, only what it lacks, and the
//!   project itself with `--no-deps`.

mod common;
mod debian;

use common::TestEnv;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const PYPROJECT: &str = r#"[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "demo-app"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = [
  "requests>=2",
  "numpy",
  "made-up-other>=1",
  "pywin32; sys_platform == 'win32'",
]

[project.optional-dependencies]
dev = ["pytest"]
docs = ["sphinx-made-up"]
"#;

fn write_project(dir: &Path, pyproject: &str) {
    std::fs::create_dir_all(dir.join("demo_app")).expect("mkdir");
    std::fs::write(dir.join("pyproject.toml"), pyproject).expect("write");
    std::fs::write(dir.join("demo_app/__init__.py"), "ANSWER = 42\n").expect("write");
}

fn audit_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut a = vec!["audit", "--index", "embedded", "--format", "json"];
    a.extend_from_slice(args);
    let run = env.pip_guard(a).run().success();
    serde_json::from_str(&run.stdout).expect("JSON")
}

#[test]
fn audit_lists_the_projects_dependencies_with_their_lines() {
    let env = TestEnv::new();
    write_project(&env.cwd, PYPROJECT);
    let v = audit_json(&env, &["-e", ".[dev]"]);
    let reqs = v["requirements"].as_array().expect("requirements");
    let rows: Vec<(String, Value, String, Value)> = reqs
        .iter()
        .map(|r| {
            (
                r["raw"].as_str().unwrap_or("").to_string(),
                r["origin"].clone(),
                r["tier"].as_str().unwrap_or("").to_string(),
                r["via"].clone(),
            )
        })
        .collect();
    let line = |n: u64| serde_json::json!({"file": "pyproject.toml", "line": n});
    assert_eq!(rows[0].0, "-e .[dev]");
    assert_eq!(rows[0].2, "dev-shell");
    assert_eq!(reqs[0]["project"]["name"], "demo-app");
    assert_eq!(reqs[0]["project"]["metadata"], "pyproject");
    assert_eq!(reqs[0]["project"]["requires_python"], ">=3.8");
    assert_eq!(reqs[0]["project"]["dependencies"], 6);
    let want: Vec<(&str, Value, &str)> = vec![
        ("requests>=2", line(10), "nixpkgs"),
        ("numpy", line(11), "nixpkgs"),
        ("made-up-other>=1", line(12), "pip"),
        ("pywin32; sys_platform == 'win32'", line(13), "skipped"),
        ("pytest", line(17), "nixpkgs"),
        ("setuptools>=61", line(2), "nixpkgs"),
    ];
    let got: Vec<(&str, Value, &str)> = rows[1..]
        .iter()
        .map(|(r, o, t, _)| (r.as_str(), o.clone(), t.as_str()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(rows[1].3["project"], "demo-app");
    assert_eq!(rows[5].3["extra"], "dev");
    assert_eq!(rows[6].3["build"], true);
    // The docs extra was not asked: sphinx-made-up is not there.
    assert!(!rows.iter().any(|r| r.0.contains("sphinx")));
    // The same project through a requirements file and a file: URL.
    env.write("reqs.txt", "./\n");
    let v = audit_json(&env, &["-r", "reqs.txt"]);
    assert_eq!(v["requirements"].as_array().map(Vec::len), Some(6));
    let url = format!("file://{}", env.cwd.display());
    let v = audit_json(&env, &[&url]);
    assert_eq!(v["requirements"][1]["raw"], "requests>=2");
}

#[test]
fn dynamic_dependencies_are_said_with_pips_command() {
    let env = TestEnv::new();
    write_project(
        &env.cwd,
        "[project]\nname = \"dyn\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
    );
    let v = audit_json(&env, &["."]);
    let r = &v["requirements"][0];
    assert_eq!(r["project"]["dynamic"][0]["what"], "dependencies");
    let reasons = r["reasons"].to_string();
    assert!(
        reasons.contains("python3 -m pip install --dry-run --quiet --no-deps --report - ."),
        "{reasons}"
    );
}

#[test]
fn bad_projects_exit_2_naming_file_line_and_column() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[project\nname = \"x\"\n",
            "pyproject.toml:1: column",
            "invalid TOML",
        ),
        (
            "[project]\nname = \"x\"\ndependencies = [\"ok\", 42]\n",
            "pyproject.toml:3: column 23:",
            "must be a string",
        ),
        (
            "[project]\nname = \"x\"\ndependencies = [\n  \"bad>=>1\",\n]\n",
            "pyproject.toml:4: column 7:",
            "invalid requirement",
        ),
    ];
    for (text, at, what) in cases {
        let env = TestEnv::new();
        write_project(&env.cwd.join("p"), text);
        let run = env
            .pip_guard(["audit", "--index", "embedded", "-e", "./p"])
            .run()
            .code(2);
        let want = format!("p/{at}");
        assert!(run.stderr.contains(&want), "{want}\n{}", run.report());
        assert!(run.stderr.contains(what), "{what}\n{}", run.report());
    }
    let env = TestEnv::new();
    env.write("notes.txt", "x\n");
    // A file: URL to a missing directory, and to a file.
    for (arg, what) in [
        (
            format!("file://{}/missing", env.cwd.display()),
            "no such directory",
        ),
        (
            format!("file://{}/notes.txt", env.cwd.display()),
            "is a file",
        ),
    ] {
        let run = env
            .pip_guard(["audit", "--index", "embedded", arg.as_str()])
            .run()
            .code(2);
        assert!(run.stderr.contains(what), "{what}\n{}", run.report());
        assert!(run.stderr.contains("argument 1"), "{}", run.report());
    }
    // A path that is a file, and a missing one: pip's own errors.
    for arg in ["./notes.txt", "./missing"] {
        let run = env
            .pip_guard(["audit", "--index", "embedded", arg])
            .run()
            .code(2);
        assert!(run.stderr.contains("argument 1"), "{}", run.report());
    }
}

fn nix_eval(nix: &Path, flake: &Path) -> Value {
    let out = Command::new(nix)
        .args(["--eval", "--strict", "--json"])
        .arg(common::repo_root().join("tests/nix/project-eval.nix"))
        .arg("--arg")
        .arg("flake")
        .arg(flake)
        .output()
        .expect("nix-instantiate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn nix_parse(nix: &Path, flake: &Path) {
    let out = Command::new(nix)
        .arg("--parse")
        .arg(flake)
        .output()
        .expect("nix-instantiate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn nixify_writes_a_flake_for_the_project() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let env = TestEnv::new();
    write_project(&env.cwd, PYPROJECT);
    let flake = env.cwd.join("flake.nix");
    env.pip_guard([
        "nixify",
        "--index",
        "embedded",
        "--output",
        "flake.nix",
        "-e",
        ".[dev]",
    ])
    .run()
    .success();
    nix_parse(&nix, &flake);
    let v = nix_eval(&nix, &flake);
    assert_eq!(
        v["python"],
        serde_json::json!(["numpy", "pytest", "requests", "setuptools"])
    );
    let hook = v["shellHook"].as_str().unwrap_or("");
    assert!(hook.contains("venv --system-site-packages .venv"), "{hook}");
    assert!(
        hook.contains("pip install --quiet --no-deps --no-build-isolation -e '.[dev]'"),
        "{hook}"
    );
    assert!(
        hook.contains("pip install --quiet 'made-up-other>=1'"),
        "{hook}"
    );
    assert!(!hook.contains("requests"), "Nix provides requests: {hook}");
    // made-up-other keeps it from building as a package: a comment says so.
    assert_eq!(v["package"], Value::Null);
    let text = std::fs::read_to_string(&flake).expect("read");
    assert!(
        text.contains("# No packages.default (buildPythonPackage) for demo-app:\n      #   nixpkgs lacks made-up-other>=1\n"),
        "{text}"
    );

    // An existing file is not overwritten without --force.
    std::fs::write(&flake, "keep me\n").expect("write");
    let run = env
        .pip_guard(["nixify", "--index", "embedded", "-o", "flake.nix", "."])
        .run()
        .code(2);
    assert!(run.stderr.contains("--force"), "{}", run.report());
    assert_eq!(std::fs::read_to_string(&flake).expect("read"), "keep me\n");

    // Every runtime dependency in nixpkgs: a buildPythonPackage package.
    write_project(
        &env.cwd,
        &PYPROJECT.replace("  \"made-up-other>=1\",\n", ""),
    );
    env.pip_guard([
        "nixify",
        "--index",
        "embedded",
        "-o",
        "flake.nix",
        "--force",
        "-e",
        ".[dev]",
    ])
    .run()
    .success();
    nix_parse(&nix, &flake);
    let v = nix_eval(&nix, &flake);
    let p = &v["package"];
    assert_eq!(p["_builtBy"], "buildPythonPackage");
    assert_eq!(p["pname"], "demo-app");
    assert_eq!(p["version"], "0.1.0");
    assert_eq!(p["pyproject"], true);
    assert_eq!(p["srcType"], "path");
    assert_eq!(p["build-system"], serde_json::json!(["setuptools"]));
    assert_eq!(p["dependencies"], serde_json::json!(["numpy", "requests"]));
    assert_eq!(
        p["optional-dependencies"],
        serde_json::json!({"dev": ["pytest"]})
    );
}

#[test]
fn guard_installs_only_what_nix_lacks_and_the_project_without_deps() {
    let Some(sb) = debian::Sandbox::new() else {
        return;
    };
    // Debian's setuptools builds it (no network: no build isolation).
    write_project(&sb.work, PYPROJECT);
    let mut args = sb.install_args(&[
        "--guard-index",
        "embedded",
        "--guard-yes",
        "--no-build-isolation",
        "-e",
        ".[dev]",
    ]);
    args.remove(0);
    let mut full = vec!["install".to_string()];
    full.extend(args);
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    let o = debian::run(sb.pip(&refs), debian::LONG);
    let err = debian::flat(&String::from_utf8_lossy(&o.stderr));
    let show = debian::show(&o);
    // Each dependency with its tier.
    for needle in [
        "requests>=2 (pyproject.toml:10, demo-app) 1. Nix package:",
        "numpy (pyproject.toml:11, demo-app) 1. Nix package:",
        "made-up-other>=1 (pyproject.toml:12, demo-app) 4. pip",
        "pytest (pyproject.toml:17, demo-app[dev]) 1. Nix package:",
        "setuptools>=61 (pyproject.toml:2, build requirement of demo-app)",
        "The dev shell for demo-app:",
        "pip install --no-deps --no-build-isolation -e '.[dev]' && pip install 'made-up-other>=1'",
    ] {
        assert!(err.contains(needle), "{needle}\n{show}");
    }
    assert!(
        err.contains("withPackages (ps: with ps; [ numpy pytest requests setuptools ])"),
        "a dev shell with them\n{show}"
    );
    // Held back for Nix: exit 1 once pip succeeded.
    assert_eq!(o.status.code(), Some(1), "{show}");
    // Nothing Nix covers is in the user site; what it lacks is; the project
    // is installed (editable) without its dependencies.
    assert!(
        sb.imports(debian::OTHER_MODULE),
        "made-up-other installed\n{show}"
    );
    assert!(
        !sb.imports("requests"),
        "the fake requests 99.0 was installed\n{show}"
    );
    assert!(!sb.user_site_has("requests"), "{show}");
    assert!(!sb.user_site_has("numpy"), "{show}");
    assert!(!sb.user_site_has("pytest"), "{show}");
    assert!(sb.user_site_has("demo_app"), "the project\n{show}");
}

#[test]
fn nixify_escapes_what_a_marker_string_may_hold() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let env = TestEnv::new();
    // A marker string may hold `${`, `''`, `$(…)` and quotes: valid PEP 508.
    let dep = r#"made-up-other>=1; platform_release != "${HOME}''$(id)'x""#;
    let pyproject = format!(
        "[project]\nname = 'we${{ird}}\"name'\nversion = \"1\"\ndependencies = [\n  '''{dep}''',\n  \"requests\",\n]\n"
    );
    write_project(&env.cwd, &pyproject);
    env.pip_guard(["nixify", "--index", "embedded", "-o", "flake.nix", "."])
        .run()
        .success();
    let flake = env.cwd.join("flake.nix");
    nix_parse(&nix, &flake);
    let v = nix_eval(&nix, &flake);
    // No [build-system]: pip's default build requirement, setuptools.
    assert_eq!(v["python"], serde_json::json!(["requests", "setuptools"]));
    // The hook hands the requirement to pip as one shell word, unchanged.
    let hook = v["shellHook"].as_str().unwrap_or("");
    let line = hook
        .lines()
        .find(|l| l.starts_with("pip install --quiet ") && l.contains("made-up-other"))
        .unwrap_or_else(|| panic!("{hook}"));
    let words = Command::new("bash")
        .arg("-c")
        .arg(format!("f() {{ printf '%s' \"${{@: -1}}\"; }}; f {line}"))
        .output()
        .expect("bash");
    assert_eq!(String::from_utf8_lossy(&words.stdout), dep, "{line}");
}

#[test]
fn guard_stops_on_a_bad_pyproject_with_nothing_installed() {
    let Some(sb) = debian::Sandbox::new() else {
        return;
    };
    write_project(
        &sb.work,
        "[project]\nname = \"x\"\ndependencies = [\"made-up-other\", 7]\n",
    );
    let mut args = sb.install_args(&["--guard-index", "embedded", "--guard-yes", "-e", "."]);
    args.remove(0);
    let mut full = vec!["install".to_string()];
    full.extend(args);
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    let o = debian::run(sb.pip(&refs), debian::LONG);
    assert_eq!(o.status.code(), Some(2), "{}", debian::show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pyproject.toml:3: column 34:") && err.contains("must be a string"),
        "{}",
        debian::show(&o)
    );
    sb.assert_nothing_installed("a bad pyproject.toml", &o);
}

#[test]
fn nixify_installs_a_dynamic_project_with_its_dependencies() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let env = TestEnv::new();
    write_project(
        &env.cwd.join("dyn"),
        "[project]\nname = \"dyn\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
    );
    // A named requirement next to it, which nixpkgs lacks: pip adds it too.
    env.pip_guard([
        "nixify",
        "--index",
        "embedded",
        "-o",
        "flake.nix",
        "-e",
        "./dyn",
        "made-up-x>=2",
        "requests",
    ])
    .run()
    .success();
    let flake = env.cwd.join("flake.nix");
    nix_parse(&nix, &flake);
    let v = nix_eval(&nix, &flake);
    let hook = v["shellHook"].as_str().unwrap_or("");
    // pip resolves a dynamic project's dependencies itself: no --no-deps.
    assert!(
        hook.contains("pip install --quiet --no-build-isolation -e ./dyn\n"),
        "{hook}"
    );
    assert!(
        hook.contains("pip install --quiet 'made-up-x>=2'\n"),
        "{hook}"
    );
    assert_eq!(v["python"], serde_json::json!(["requests", "setuptools"]));
    assert_eq!(v["package"], Value::Null);
    let text = std::fs::read_to_string(&flake).expect("read");
    assert!(text.contains("its dependencies are dynamic"), "{text}");
}

#[test]
fn requires_python_is_checked_against_the_target() {
    let env = TestEnv::new();
    write_project(
        &env.cwd,
        "[project]\nname = \"new\"\nversion = \"1\"\nrequires-python = \">=3.99\"\n",
    );
    let v = audit_json(
        &env,
        &[".", "--python-version", "3.12", "--only-binary", ":all:"],
    );
    let reasons = v["requirements"][0]["reasons"].to_string();
    assert!(
        reasons.contains("requires-python >=3.99 excludes the target's Python 3.12"),
        "{reasons}"
    );
    write_project(
        &env.cwd,
        "[project]\nname = \"new\"\nversion = \"1\"\nrequires-python = \">=3.8\"\n",
    );
    let v = audit_json(
        &env,
        &[".", "--python-version", "3.12", "--only-binary", ":all:"],
    );
    assert!(!v["requirements"][0]["reasons"]
        .to_string()
        .contains("excludes"));
}

#[test]
fn group_requirements_name_the_project() {
    let env = TestEnv::new();
    write_project(
        &env.cwd,
        &format!("{PYPROJECT}\n[dependency-groups]\nlint = [\"black\", \"made-up-lint\"]\n"),
    );
    let v = audit_json(&env, &["-e", ".", "--group", "lint"]);
    let reqs = v["requirements"].as_array().expect("requirements");
    let lint: Vec<(&str, &Value)> = reqs
        .iter()
        .filter(|r| r["via"]["dependency_group"] == "lint")
        .map(|r| (r["raw"].as_str().unwrap_or(""), &r["origin"]))
        .collect();
    assert_eq!(
        lint,
        vec![
            (
                "black",
                &serde_json::json!({"file": "pyproject.toml", "line": 21})
            ),
            (
                "made-up-lint",
                &serde_json::json!({"file": "pyproject.toml", "line": 21})
            ),
        ]
    );
    assert!(reqs
        .iter()
        .filter(|r| r["via"]["dependency_group"] == "lint")
        .all(|r| r["via"]["project"] == "demo-app"));
    // nixify: the group's Nix-covered requirement in the shell, the one
    // nixpkgs lacks from pip; neither in the package.
    let Some(_) = common::which("nix-instantiate") else {
        return;
    };
    let run = env
        .pip_guard([
            "nixify", "--index", "embedded", "-e", ".", "--group", "lint",
        ])
        .run()
        .success();
    assert!(
        run.stdout
            .contains("pip install --quiet 'made-up-other>=1' made-up-lint"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("              pkgs.black\n"),
        "{}",
        run.stdout
    );
}

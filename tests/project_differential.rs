//! pip is the oracle for what a local project declares: for every project
//! of `tests/projects/` (hatchling, setuptools with `[project]`, setuptools
//! with `setup.cfg`, flit, poetry-core, pdm-backend; extras, a
//! self-referencing extra, markers, `requires-python`, dependency groups,
//! Poetry's caret/tilde/`python` constraints), the dependencies pip-guard
//! reads without building anything must be the ones in the `requires_dist`
//! that pip 26.3 reports after the real backend built the metadata:
//!
//!   pip install --dry-run --report - --no-deps --no-build-isolation --no-index <copy of the project>
//!
//! run by `.venv-backends/bin/python` (tests/setup.sh installs pip and the
//! pinned backends there). `tests/project_oracle/compare.py` compares, per
//! extra asked and per environment of a grid, the requirements that apply
//! (name, extras, specifier set, URL).
//!
//! Differences, by design, left out of the comparison:
//! - `[build-system] requires` and Poetry's `[tool.poetry.group.*]`: pip-guard
//!   lists them (for the dev shell; `via.build` / `via.group`), but they are
//!   not metadata: pip's `requires_dist` never has them;
//! - `[dependency-groups]`: not metadata either (read only with `--group`,
//!   tested against pip in tests/pip_differential.rs).
//!
//! Zero differences otherwise.

mod common;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn backends_python() -> Option<PathBuf> {
    let venv = std::env::var_os("PIP_GUARD_BACKENDS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo_root().join(".venv-backends"));
    let py = venv.join("bin/python");
    if py.is_file() {
        Some(py)
    } else {
        common::missing(&format!(
            "the build-backends venv ({}; tests/setup.sh creates it)",
            py.display()
        ))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

fn sealed(mut c: Command) -> Command {
    for (k, _) in std::env::vars_os() {
        if common::sealed_out(&k.to_string_lossy()) {
            c.env_remove(&k);
        }
    }
    c.env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_CACHE_DIR", "1");
    c
}

/// pip's report for the project: its metadata.
fn pip_metadata(py: &Path, dir: &Path) -> Value {
    let out = sealed(Command::new(py))
        .args([
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--report",
            "-",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
        ])
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .expect("pip");
    assert!(
        out.status.success(),
        "pip failed for {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("pip's report");
    v["install"][0]["metadata"].clone()
}

/// pip-guard's reading of the project with `extra` asked: the project's
/// entry and its dependencies' strings (build and group entries left out).
fn guard_reading(env: &common::TestEnv, dir: &Path, extra: &str) -> (Value, Vec<String>) {
    let arg = if extra.is_empty() {
        dir.display().to_string()
    } else {
        format!("{}[{extra}]", dir.display())
    };
    let run = env
        .pip_guard(["audit", "--index", "embedded", "--format", "json", &arg])
        .run();
    assert!(
        run.code == Some(0) || run.code == Some(1),
        "{}",
        run.report()
    );
    let v: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let reqs = v["requirements"].as_array().cloned().unwrap_or_default();
    let project = reqs[0]["project"].clone();
    let deps = reqs[1..]
        .iter()
        .filter(|r| r["via"]["build"] == false && r["via"]["group"].is_null())
        .map(|r| r["raw"].as_str().unwrap_or("").to_string())
        .collect();
    (project, deps)
}

#[test]
fn every_project_reads_as_pip_builds_it() {
    let Some(py) = backends_python() else { return };
    let env = common::TestEnv::new();
    let corpus = common::repo_root().join("tests/projects");
    let mut names: Vec<String> = std::fs::read_dir(&corpus)
        .expect("tests/projects")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "flit",
            "hatch",
            "pdm",
            "poetry",
            "setuptools-cfg",
            "setuptools-pyproject"
        ]
    );
    let mut failures = Vec::new();
    for name in &names {
        let dir = env.cwd.join(name);
        copy_dir(&corpus.join(name), &dir);
        let meta = pip_metadata(&py, &dir);
        let extras: Vec<String> = meta["provides_extra"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        assert!(!extras.is_empty(), "{name}: the corpus asks for extras");
        let mut guard = serde_json::Map::new();
        let mut project = Value::Null;
        for x in std::iter::once(String::new()).chain(extras.iter().cloned()) {
            let (p, deps) = guard_reading(&env, &dir, &x);
            assert!(
                p["dynamic"].as_array().is_some_and(|d| d.is_empty()),
                "{name}: read statically: {p}"
            );
            project = p;
            guard.insert(x, json!(deps));
        }
        let input = json!({
            "name": meta["name"],
            "requires_dist": meta["requires_dist"].as_array().cloned().unwrap_or_default(),
            "provides_extra": extras,
            "requires_python": {"pip": meta["requires_python"], "guard": project["requires_python"]},
            "guard": guard,
        });
        let mut child = sealed(Command::new(&py))
            .arg(common::repo_root().join("tests/project_oracle/compare.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin
                .write_all(input.to_string().as_bytes())
                .expect("write");
        }
        let out = child.wait_with_output().expect("compare.py");
        assert!(
            out.status.success(),
            "compare.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let diff = String::from_utf8_lossy(&out.stdout).into_owned();
        if !diff.trim().is_empty() {
            failures.push(format!("{name}:\n{diff}"));
        }
    }
    assert!(
        failures.is_empty(),
        "differences from pip:\n{}",
        failures.join("\n")
    );
}

/// Poetry's groups are not metadata, so pip cannot be the oracle: poetry-core
/// is (`Factory().create_poetry(…)`, each group's `to_pep_508()`), run from
/// the same backends venv. The group requirements pip-guard lists
/// (`via.group`) must apply, name for name and specifier for specifier,
/// wherever poetry-core's do.
#[test]
fn poetry_groups_read_as_poetry_core_reads_them() {
    let Some(py) = backends_python() else { return };
    let env = common::TestEnv::new();
    let dir = env.cwd.join("poetry");
    copy_dir(&common::repo_root().join("tests/projects/poetry"), &dir);
    let script = "import json, sys\n\
                  from poetry.core.factory import Factory\n\
                  p = Factory().create_poetry(sys.argv[1]).package\n\
                  print(json.dumps({g: [d.to_pep_508() for d in p.dependency_group(g).dependencies] \
                  for g in p.dependency_group_names(include_optional=True) if g != 'main'}))\n";
    let out = sealed(Command::new(&py))
        .args(["-c", script])
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let groups: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(groups.as_object().map(|g| g.len()), Some(2), "{groups}");
    let run = env
        .pip_guard([
            "audit",
            "--index",
            "embedded",
            "--format",
            "json",
            &dir.display().to_string(),
        ])
        .run();
    let v: Value = serde_json::from_str(&run.stdout).expect("JSON");
    for (g, want) in groups.as_object().into_iter().flatten() {
        let got: Vec<String> = v["requirements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["via"]["group"] == *g)
            .map(|r| r["raw"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(!got.is_empty(), "group {g}: {}", run.report());
        let input = json!({
            "name": "poetry-demo",
            "requires_dist": want,
            "provides_extra": [],
            "requires_python": {"pip": null, "guard": null},
            "guard": {"": got},
        });
        let mut child = sealed(Command::new(&py))
            .arg(common::repo_root().join("tests/project_oracle/compare.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin
                .write_all(input.to_string().as_bytes())
                .expect("write");
        }
        let out = child.wait_with_output().expect("compare.py");
        assert!(out.status.success());
        let diff = String::from_utf8_lossy(&out.stdout);
        assert!(
            diff.trim().is_empty(),
            "group {g}: differences from poetry-core:\n{diff}"
        );
    }
}

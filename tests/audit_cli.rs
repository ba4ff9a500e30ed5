//! `pip-guard audit` as a user and CI see it: the JSON schema promised in
//! docs/schema.md, exit codes, formats, pipes, colour, secrets.

mod common;
use common::TestEnv;
use serde_json::Value;

/// Field names listed in the `requirements[]` table of docs/schema.md.
fn documented_requirement_fields() -> Vec<String> {
    let doc = std::fs::read_to_string(common::repo_root().join("docs/schema.md"))
        .expect("docs/schema.md");
    let table = doc
        .split("## `requirements[]`")
        .nth(1)
        .expect("requirements section");
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(String::from)
        .collect()
}

fn audit_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["audit", "--format", "json", "--index", "embedded"];
    all.extend_from_slice(args);
    let run = env.pip_guard(&all).run();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| run.fail(&format!("not JSON: {e}")))
}

#[test]
fn json_has_every_documented_field_with_its_type() {
    let env = TestEnv::new();
    let v = audit_json(
        &env,
        &[
            "numpy>=1.26; python_version >= \"3.9\"",
            "pywin32 ; sys_platform == 'win32'",
        ],
    );
    assert_eq!(v["schema"], "pip-guard.audit/v1");
    assert_eq!(v["tool"]["name"], "pip-guard");
    for key in [
        "python_version",
        "platform",
        "package_set",
        "externally_managed",
        "virtualenv",
    ] {
        assert!(!v["target"][key].is_null(), "target.{key} missing: {v}");
    }
    for key in ["source", "nixpkgs", "date", "packages"] {
        assert!(!v["index"][key].is_null(), "index.{key} missing");
    }
    assert!(v["policy"]["mode"].is_string());
    let fields = documented_requirement_fields();
    assert!(
        fields.len() >= 17,
        "docs/schema.md table too short: {fields:?}"
    );
    let reqs = v["requirements"].as_array().expect("requirements array");
    assert_eq!(reqs.len(), 2);
    for r in reqs {
        let obj = r.as_object().expect("object");
        for f in &fields {
            assert!(
                obj.contains_key(f),
                "field {f} documented but missing in {r}"
            );
        }
    }
    let numpy = &reqs[0];
    assert_eq!(numpy["origin"]["arg"], 0);
    assert_eq!(numpy["specifier"], ">=1.26");
    assert_eq!(numpy["marker"], "python_full_version >= '3.9'");
    assert_eq!(numpy["applies"], true);
    let pywin = &reqs[1];
    assert_eq!(
        pywin["applies"], false,
        "win32 marker is false on a Linux target"
    );
    assert_eq!(pywin["tier"], "skipped");
    assert_eq!(pywin["verdict"], "allow");
    let s = &v["summary"];
    assert_eq!(s["total"], 2);
    assert_eq!(s["skipped"], 1);
    let sum: u64 = ["nixpkgs", "native", "dev_shell", "pip", "skipped"]
        .iter()
        .map(|k| s[*k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(sum, 2, "tiers add up to total");
}

#[test]
fn platform_and_python_version_flags_change_marker_truth() {
    let env = TestEnv::new();
    let v = audit_json(
        &env,
        &[
            "--platform",
            "macosx_14_0_arm64",
            "--python-version",
            "3.13",
            "appnope; sys_platform == 'darwin'",
            "tomli; python_version < '3.11'",
        ],
    );
    assert_eq!(v["target"]["platform"], "darwin");
    assert_eq!(v["target"]["python_version"], "3.13");
    // Not a Nix-store Python: nixpkgs' default set, whatever the version.
    assert_eq!(v["target"]["package_set"], "python3Packages");
    assert_eq!(v["requirements"][0]["applies"], true);
    assert_eq!(v["requirements"][1]["applies"], false);
}

#[test]
fn usage_errors_exit_2_with_the_argument() {
    let env = TestEnv::new();
    let run = env.pip_guard(["audit", "--no-such-flag"]).run().code(2);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.report());
    let run = env.pip_guard(["audit", "foo>=>1"]).run().code(2);
    assert!(run.stderr.contains("argument 1"), "{}", run.report());
    let run = env
        .pip_guard(["audit", "--format", "yaml", "x"])
        .run()
        .code(2);
    assert!(run.stderr.contains("yaml"), "{}", run.report());
}

#[test]
fn closed_pipe_is_not_an_error() {
    let env = TestEnv::new();
    let reqs: String = (0..3000).map(|i| format!("pkg-{i}>=1.0\n")).collect();
    env.write("big.txt", reqs);
    let script = format!(
        "'{}' audit --index embedded -r big.txt | head -n 1; echo \"status=${{PIPESTATUS[0]}}\"",
        common::bin().display()
    );
    let run = env.cmd("bash").args(["-c", &script]).run().success();
    assert!(run.stdout.contains("status=0"), "{}", run.report());
    assert!(!run.stderr.contains("error"), "{}", run.report());
}

#[test]
fn no_colour_when_not_a_terminal() {
    let env = TestEnv::new();
    let run = env
        .pip_guard(["audit", "--index", "embedded", "requests"])
        .env_remove("NO_COLOR")
        .run()
        .success();
    assert!(
        !run.stdout.contains('\x1b'),
        "escape codes in piped output:\n{}",
        run.stdout
    );
}

#[test]
fn secrets_never_reach_any_format() {
    let env = TestEnv::new();
    env.write(
        "req.txt",
        "--extra-index-url https://alice:s3cretTOKEN@pypi.corp.example/simple\nprivpkg @ https://bob:hunter2TOKEN@files.corp.example/privpkg-1.0.tar.gz\nrequests\n",
    );
    for format in ["text", "json", "markdown", "github"] {
        let run = env
            .pip_guard([
                "audit",
                "--index",
                "embedded",
                "--format",
                format,
                "--index-url",
                "https://carol:xyzzyTOKEN@pypi.corp.example/simple",
                "-r",
                "req.txt",
                "other @ git+https://dave:ghpTOKEN@github.example/o/r.git",
            ])
            .run();
        let all = format!("{}{}", run.stdout, run.stderr);
        for secret in [
            "s3cretTOKEN",
            "hunter2TOKEN",
            "xyzzyTOKEN",
            "ghpTOKEN",
            "alice",
            "bob:",
            "carol",
            "dave",
        ] {
            assert!(
                !all.contains(secret),
                "{format}: {secret} leaked:\n{}",
                run.report()
            );
        }
    }
}

/// `--format github` prints workflow commands GitHub can parse:
/// `::LEVEL file=F,line=N,title=T::message`, every property comma-separated
/// (a missing comma before `title` makes GitHub drop the line number).
#[test]
fn github_annotations_have_comma_separated_properties() {
    let env = TestEnv::new();
    env.write("req.txt", "# deps\nrequests\n");
    let run = env
        .pip_guard([
            "audit", "--index", "embedded", "--format", "github", "-r", "req.txt", "numpy",
        ])
        .run();
    assert_eq!(run.code, Some(0), "{}", run.report());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l
            .starts_with("::warning file=req.txt,line=2,title=pip-guard::requests (nixpkgs): ")),
        "{}",
        run.report()
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning title=pip-guard::numpy (nixpkgs): ")),
        "an argument has no file property:\n{}",
        run.report()
    );
}

/// `PIP_GUARD_CACHE_DIR` moves all of pip-guard's cache: the interpreter
/// probes (`targets/`) follow it like the index cache, and nothing is
/// written to the XDG cache dir.
#[test]
fn the_cache_dir_override_moves_every_cache() {
    let Some(python) = common::require("python3") else {
        return;
    };
    let env = TestEnv::new();
    let moved = env.root().join("moved-cache");
    env.pip_guard(["audit", "--index", "embedded", "requests"])
        .env("PIP_GUARD_PYTHON", &python)
        .env("PIP_GUARD_CACHE_DIR", &moved)
        .run()
        .success();
    let probes: Vec<_> = std::fs::read_dir(moved.join("targets"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(probes.len(), 1, "one probe cached: {probes:?}");
    assert!(
        !env.cache_dir().join("pip-guard").exists(),
        "nothing in the XDG cache dir: {}",
        common::listing(&env.cache_dir())
    );
    // Without the override, the XDG cache dir is used.
    env.pip_guard(["audit", "--index", "embedded", "requests"])
        .env("PIP_GUARD_PYTHON", &python)
        .run()
        .success();
    assert!(env.cache_dir().join("pip-guard/targets").is_dir());
}

//! Answers that are right for today's nixpkgs (issue 11), through the real
//! binary: the default Python set (and a policy's own, with its caveat), a
//! Nix-store Python's own set, the standard-library tier, unevaluable
//! specifiers, CUDA requests, renamed projects, applications only when the
//! index knows them, and the staleness note. The nix source is the real
//! `nix-instantiate` over `tests/fixtures/nixpkgs`.

mod common;
use common::TestEnv;
use pip_guard::index::cache::{encode, Entry, Header, TOPLEVEL};
use pip_guard::index::channel::cache_path;
use pip_guard::index::time::now_unix;
use serde_json::Value;

fn fixture_nix_path() -> String {
    let f = common::repo_root()
        .join("tests/fixtures/nixpkgs")
        .canonicalize()
        .expect("fixture");
    format!("nixpkgs={}", f.display())
}

fn json(env: &TestEnv, index: &str, extra: &[(&str, &str)], args: &[&str]) -> Value {
    let mut all = vec!["audit", "--format", "json", "--index", index];
    all.extend_from_slice(args);
    let mut c = env.pip_guard(&all);
    c.env("NIX_PATH", fixture_nix_path());
    for (k, v) in extra {
        c.env(k, v);
    }
    let run = c.run();
    if std::env::var_os("DBG").is_some() {
        eprintln!("{}", run.report());
    }
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| run.fail(&format!("not JSON: {e}")))
}

fn req<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["requirements"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["normalized"] == name))
        .unwrap_or_else(|| panic!("no {name} in {v:#}"))
}

#[test]
fn the_default_set_everywhere_and_a_policy_set_with_its_caveat() {
    let env = TestEnv::new();
    let v = json(&env, "embedded", &[], &["requests"]);
    assert_eq!(v["target"]["package_set"], "python3Packages");
    assert_eq!(
        req(&v, "requests")["nix"]["attr"],
        "python3Packages.requests"
    );
    // A forced source is no surprise: no note.
    assert_eq!(v["notes"], serde_json::json!([]), "{v:#}");
    // nixify and explain use the same interpreter.
    let run = env
        .pip_guard(["nixify", "--index", "embedded", "requests"])
        .run()
        .success();
    assert!(
        run.stdout.contains("pkgs.python3.withPackages"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("nixos-25.11"), "{}", run.stdout);
    let run = env
        .pip_guard(["explain", "--index", "embedded", "requests"])
        .run()
        .success();
    assert!(
        run.stdout.contains("python3.withPackages"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("python311"), "{}", run.stdout);

    // A policy naming a set keeps it, and says the binary cache may lack it.
    env.write("policy.toml", "package_set = \"python312Packages\"\n");
    let v = json(
        &env,
        "embedded",
        &[],
        &["--policy", "policy.toml", "requests"],
    );
    assert_eq!(v["target"]["package_set"], "python312Packages");
    assert_eq!(
        req(&v, "requests")["nix"]["attr"],
        "python312Packages.requests"
    );
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("not this nixpkgs' default Python set"),
        "{notes}"
    );
    assert!(notes.contains("python313Packages"), "{notes}");
    assert!(notes.contains("binary cache"), "{notes}");
    let run = env
        .pip_guard([
            "audit",
            "--index",
            "embedded",
            "--policy",
            "policy.toml",
            "requests",
        ])
        .run();
    assert_eq!(
        run.stdout.matches("binary cache").count(),
        1,
        "{}",
        run.stdout
    );
}

#[test]
fn a_nix_store_python_gets_its_own_set() {
    let env = TestEnv::new();
    // Debian's interpreter itself (a pyenv shim on PATH would exec another).
    let python = std::path::PathBuf::from("/usr/bin/python3");
    if !python.is_file() && common::require("/usr/bin/python3").is_none() {
        return;
    }
    // A store of our own (NIX_STORE_DIR, as Nix reads it) holding a Python.
    let store = env.root().join("store");
    let bin = store.join("0000000000000000000000000000000a-python3-3.11.2/bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(&python, bin.join("python3")).expect("symlink");
    let exe = bin.join("python3");
    let v = json(
        &env,
        "embedded",
        &[
            ("NIX_STORE_DIR", store.to_str().expect("utf-8")),
            ("PIP_GUARD_PYTHON", exe.to_str().expect("utf-8")),
        ],
        &["requests"],
    );
    let ver = v["target"]["python_version"]
        .as_str()
        .unwrap_or("")
        .replace('.', "");
    assert_eq!(
        v["target"]["package_set"],
        format!("python{ver}Packages"),
        "{v:#}"
    );
}

#[test]
fn the_standard_library_is_nothing_to_install_and_never_blocked() {
    let env = TestEnv::new();
    env.write(
        "strict.toml",
        "mode = \"enforce\"\nallow_pip_fallback = false\ndeny = [{ pattern = \"*\", reason = \"no pip\" }]\n",
    );
    let v = json(
        &env,
        "embedded",
        &[],
        &[
            "--policy",
            "strict.toml",
            "typing",
            "enum34",
            "uuid",
            "argparse",
            "asyncio",
            "requests",
        ],
    );
    for n in ["typing", "enum34", "uuid", "argparse", "asyncio"] {
        let r = req(&v, n);
        assert_eq!(r["tier"], "skipped", "{n}: {r:#}");
        assert_eq!(r["skip_reason"], "stdlib", "{n}");
        assert_eq!(r["verdict"], "allow", "{n}");
        assert!(r["nix"].is_null(), "{n}");
        assert!(
            r["reasons"][0]
                .as_str()
                .unwrap_or("")
                .contains("standard library"),
            "{n}"
        );
    }
    // A marker-skipped one says so differently.
    let v = json(&env, "embedded", &[], &["pywin32; sys_platform == 'win32'"]);
    assert_eq!(req(&v, "pywin32")["skip_reason"], "marker");
    // Never in a snippet.
    let run = env
        .pip_guard([
            "nixify", "--index", "embedded", "typing", "enum34", "requests",
        ])
        .run()
        .success();
    assert!(run.stdout.contains("requests"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("typing") && !run.stdout.contains("enum34"),
        "{}",
        run.stdout
    );
}

#[test]
fn unevaluable_specifiers_and_local_labels_as_pip_compares_them() {
    if common::require("nix-instantiate").is_none() {
        return;
    }
    let env = TestEnv::new();
    let v = json(
        &env,
        "nix",
        &[],
        &[
            "requests===foobar",
            "numpy===2.2.6",
            "torch==2.7.1+cu128",
            "black>=25",
            "odd-version>=1",
        ],
    );
    // `===` compares text, as pip does (packaging: SpecifierSet("===foobar")
    // does not contain 2.32.3): never `true`.
    let r = req(&v, "requests");
    assert_eq!(r["nix"]["satisfies"], false, "{r:#}");
    // pip is the oracle: its packaging says the same for each clause.
    if let Some(py) = common::venv_python() {
        let out = std::process::Command::new(py)
            .args([
                "-c",
                "from pip._vendor.packaging.specifiers import SpecifierSet as S; \
                 print(S('===foobar').contains('2.32.3'), S('===2.2.6').contains('2.2.6'), \
                 S('==2.7.1+cu128').contains('2.7.1'))",
            ])
            .output()
            .expect("run the pinned pip's python");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "False True False"
        );
    }
    assert_eq!(
        req(&v, "numpy")["nix"]["satisfies"],
        true,
        "=== compares the text"
    );
    // A version pip cannot parse cannot be compared: null, with a reason.
    let o = req(&v, "odd-version");
    assert!(o["nix"]["satisfies"].is_null(), "{o:#}");
    assert!(
        o["reasons"].to_string().contains("not a PEP 440 version"),
        "{o:#}"
    );
    let t = req(&v, "torch");
    // pip: a local label in the specifier must match; nixpkgs' 2.7.1 has none.
    assert_eq!(t["nix"]["satisfies"], false, "{t:#}");
    assert!(
        t["nix"]["compared"]
            .as_str()
            .unwrap_or("")
            .contains("+cu128"),
        "{t:#}"
    );
    assert_eq!(t["cuda"]["asked_by"], "+cu128");
    assert_eq!(t["cuda"]["nixpkgs"], "python3Packages.torchWithCuda");
    assert!(
        t["cuda"]["note"]
            .as_str()
            .unwrap_or("")
            .contains("cudaSupport"),
        "{t:#}"
    );
    assert_eq!(req(&v, "black")["nix"]["satisfies"], true);
}

#[test]
fn a_pytorch_cuda_index_and_nvidia_wheels() {
    let env = TestEnv::new();
    env.write(
        "req.txt",
        "--extra-index-url https://download.pytorch.org/whl/cu128\ntorch\nnvidia-cudnn-cu12\nnvidia-cublas-cu11\nrequests\n",
    );
    let v = json(&env, "embedded", &[], &["-r", "req.txt"]);
    let t = req(&v, "torch");
    assert_eq!(
        t["cuda"]["asked_by"], "index https://download.pytorch.org/whl/cu128",
        "{t:#}"
    );
    let n = req(&v, "nvidia-cudnn-cu12");
    assert_eq!(n["nix"]["attr"], "cudaPackages.cudnn", "{n:#}");
    assert_eq!(n["tier"], "nixpkgs");
    let old = req(&v, "nvidia-cublas-cu11");
    assert!(old["cuda"]["nixpkgs"].is_null());
    assert!(
        old["cuda"]["note"]
            .as_str()
            .unwrap_or("")
            .contains("CUDA 11"),
        "{old:#}"
    );
    // The same from the command line.
    let v = json(
        &env,
        "embedded",
        &[],
        &[
            "--index-url",
            "https://download.pytorch.org/whl/cu121",
            "torch",
        ],
    );
    assert_eq!(
        req(&v, "torch")["cuda"]["asked_by"],
        "index https://download.pytorch.org/whl/cu121"
    );
    // The text report and the guard say it too.
    let run = env
        .pip_guard(["audit", "--index", "embedded", "torch==2.7.0+cu128"])
        .run();
    assert!(
        run.stdout
            .contains("CUDA build asked (+cu128): nixpkgs' way is python3Packages.torchWithCuda"),
        "{}",
        run.stdout
    );
    let run = env
        .pip_guard(["pip", "install", "--dry-run", "torch==2.7.0+cu128"])
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .run();
    assert!(
        run.stderr.contains("CUDA build asked (+cu128)"),
        "{}",
        run.report()
    );
    // A hostile index URL reaches the terminal escaped, in the report and the guard.
    env.write(
        "evil.txt",
        "--extra-index-url https://evil.example/\x1b]0;pwn\x07/whl/cu128\ntorch\n",
    );
    let run = env
        .pip_guard(["audit", "--index", "embedded", "-r", "evil.txt"])
        .run();
    assert!(
        run.stdout
            .contains("CUDA build asked (index https://evil.example/"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains('\x1b') && !run.stdout.contains('\x07'),
        "{:?}",
        run.stdout
    );
    let run = env
        .pip_guard(["pip", "install", "--dry-run", "-r", "evil.txt"])
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .run();
    assert!(run.stderr.contains("CUDA build asked"), "{}", run.report());
    assert!(
        !run.stderr.contains('\x1b') && !run.stderr.contains('\x07'),
        "{:?}",
        run.stderr
    );
    // Without the CUDA index, nothing about CUDA.
    let v = json(&env, "embedded", &[], &["torch"]);
    assert!(req(&v, "torch")["cuda"].is_null());
}

#[test]
fn renamed_projects_and_applications_the_index_knows() {
    let env = TestEnv::new();
    let v = json(
        &env,
        "embedded",
        &[],
        &["strawberry-graphql-django", "get-mac", "ty", "black"],
    );
    assert_eq!(
        req(&v, "strawberry-graphql-django")["nix"]["attr"],
        "python3Packages.strawberry-django"
    );
    assert_eq!(req(&v, "get-mac")["nix"]["attr"], "python3Packages.getmac");
    // ty: an application the embedded snapshot cannot show: not offered.
    assert!(req(&v, "ty")["nix"].is_null(), "{v:#}");
    assert_eq!(req(&v, "black")["nix"]["app"], "black");
    if common::require("nix-instantiate").is_none() {
        return;
    }
    // The user's nixpkgs has swig and uwsgi at the top level, not ty.
    let v = json(&env, "nix", &[], &["swig", "uwsgi", "ty"]);
    assert_eq!(req(&v, "swig")["nix"]["attr"], "swig", "{v:#}");
    assert_eq!(req(&v, "uwsgi")["nix"]["app"], "uwsgi");
    assert!(req(&v, "ty")["nix"].is_null(), "{v:#}");
}

/// A channel cache with `python3` at the top level and its versioned set.
fn write_channel(dir: &std::path::Path, listing_date: &str) {
    let header = Header {
        channel: "nixos-25.11".into(),
        url: "https://channels.nixos.org/nixos-25.11/packages.json.br".into(),
        fetched: now_unix(),
        revision: "0123456789ab".into(),
        date: listing_date.into(),
        packages: 120_000,
        ..Header::default()
    };
    // A plausible set (pip-guard refuses a listing with too few attrs).
    let mut py: Vec<Entry> = (0..4_000)
        .map(|i| Entry {
            attr: format!("pkg{i:05}"),
            pname: None,
            version: Some("1.0".into()),
        })
        .collect();
    py.push(Entry {
        attr: "requests".into(),
        pname: None,
        version: Some("2.32.5".into()),
    });
    let top = vec![Entry {
        attr: "python3".into(),
        pname: None,
        version: Some("3.13.9".into()),
    }];
    let bytes = encode(
        &header,
        &mut [
            ("python313Packages".to_string(), py),
            (TOPLEVEL.to_string(), top),
        ],
    );
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(cache_path(dir), bytes).expect("write cache");
}

#[test]
fn staleness_is_said_once_with_the_fix() {
    let env = TestEnv::new();
    // auto without nix and without a listing: the embedded snapshot.
    let run = env
        .pip_guard(["audit", "requests", "numpy"])
        .env("NIX_PATH", "")
        .run();
    assert_eq!(
        run.stdout.matches("pip-guard index update").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("snapshot built into pip-guard"),
        "{}",
        run.stdout
    );
    // A listing older than max_age_days (30 by default).
    let cache = env.cache_dir().join("pip-guard/index");
    write_channel(&cache, "2025-11-01T00:00:00Z");
    let run = env
        .pip_guard(["audit", "requests"])
        .env("NIX_PATH", "")
        .run();
    assert!(run.stdout.contains("index: channel"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("days old (older than max_age_days = 30)"),
        "{}",
        run.stdout
    );
    // python3Packages is the listing's python3 set.
    assert!(
        run.stdout.contains("python3Packages.requests 2.32.5"),
        "{}",
        run.stdout
    );
    // A fresh listing: no note.
    let today = pip_guard::index::time::rfc3339(now_unix());
    write_channel(&cache, &today);
    let run = env
        .pip_guard(["audit", "requests"])
        .env("NIX_PATH", "")
        .run();
    assert!(!run.stdout.contains("index update"), "{}", run.stdout);
}

/// The guard: a standard-library name is nothing to install, so pip is
/// never started for it, and it is never among what falls through.
#[test]
fn the_guard_never_sends_the_standard_library_to_pip() {
    let env = TestEnv::new();
    // Only standard-library names, with a yes: nothing for pip (exit 0, no
    // fallthrough line).
    let run = env
        .pip_guard(["pip", "install", "typing", "enum34"])
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .env("PIP_GUARD_YES", "1")
        .run();
    assert_eq!(run.code, Some(0), "{}", run.report());
    assert!(run.stderr.contains("standard library"), "{}", run.report());
    assert!(!run.stderr.contains("For pip --user"), "{}", run.report());
    // Next to a made-up name, only that name falls through.
    let run = env
        .pip_guard(["pip", "install", "--dry-run", "typing", "made-up-thing-zz"])
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .run();
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("For pip --user"))
        .unwrap_or_else(|| run.fail("no fallthrough line"));
    assert!(
        line.contains("made-up-thing-zz") && !line.contains("typing"),
        "{line}"
    );
}

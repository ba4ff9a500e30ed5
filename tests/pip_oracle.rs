//! pip's own option parser is the oracle for pip-guard's grammar.
//!
//! `tests/pip_oracle/options.py`, run by the pinned pip (26.3, in the test
//! venv from `tests/setup.sh`), introspects pip's parsers and parses argv
//! vectors with them. These tests fail when:
//! - pip-guard's option table differs from pip's (names, aliases, short
//!   spelling, takes-value, dest, choices, int/float types);
//! - pip-guard parses an argv differently: other options in another order,
//!   other values, other positional arguments, or an error where pip has
//!   none (or none where pip has one, or another message);
//! - the same holds for pip's top-level `pip [general options] COMMAND`;
//! - pip-guard's value checks (int, float, --python-version, ISO datetimes)
//!   accept a different set of strings than Python does.

mod common;

use pip_guard::invocation::options::{global_options, OptSpec, INSTALL_OPTIONS};
use pip_guard::invocation::parse::Mode;
use pip_guard::invocation::values::{self, Check};
use pip_guard::invocation::{parse_install, split_command, Item};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Run the oracle script in `mode` with `input` as JSON on stdin.
fn oracle(py: &Path, mode: &str, input: &Value) -> Value {
    let script = common::repo_root().join("tests/pip_oracle/options.py");
    let mut child = Command::new(py)
        .arg(&script)
        .arg(mode)
        .env_remove("PYTHONPATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the pip oracle");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write oracle input");
    let out = child.wait_with_output().expect("oracle runs");
    assert!(
        out.status.success(),
        "oracle {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle prints JSON")
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// One of our table entries in the oracle's shape.
fn ours(spec: &OptSpec) -> Value {
    json!({
        "short": spec.short.map(|c| vec![c.to_string()]).unwrap_or_default(),
        "long": spec.long,
        "takes_value": spec.takes_value,
        "dest": spec.dest,
    })
}

fn theirs(o: &Value) -> Value {
    json!({
        "short": o["short"],
        "long": o["long"],
        "takes_value": o["takes_value"],
        "dest": o["dest"],
    })
}

#[test]
fn option_tables_match_pip() {
    let Some(py) = common::venv_python() else {
        return;
    };
    let table = oracle(&py, "table", &json!(null));
    let pip_install = table["install"].as_array().expect("install table");
    let pip_global = table["global"].as_array().expect("global table");

    assert_eq!(pip_install.len(), 77, "pip 26.3 has 77 install options");
    let with_value = pip_install
        .iter()
        .filter(|o| o["takes_value"] == json!(true))
        .count();
    assert_eq!(with_value, 42, "pip 26.3: 42 install options take a value");

    let mut diffs = Vec::new();
    let ours_install: Vec<&OptSpec> = INSTALL_OPTIONS.iter().collect();
    let ours_global: Vec<&OptSpec> = global_options().collect();
    for (name, pip, ours_t) in [
        ("install", pip_install, &ours_install),
        ("global", pip_global, &ours_global),
    ] {
        if pip.len() != ours_t.len() {
            diffs.push(format!(
                "{name}: pip has {} options, pip-guard {}",
                pip.len(),
                ours_t.len()
            ));
        }
        for (i, (p, o)) in pip.iter().zip(ours_t.iter()).enumerate() {
            if theirs(p) != ours(o) {
                diffs.push(format!(
                    "{name}[{i}]: pip {} vs pip-guard {}",
                    theirs(p),
                    ours(o)
                ));
            }
            // The value checks made while parsing.
            let check = values::check_for(o);
            let expected = match (p["type"].as_str(), p["choices"].as_array()) {
                (_, Some(choices)) => {
                    let c: Vec<&str> = choices.iter().filter_map(Value::as_str).collect();
                    match check {
                        Check::Choice(ours_c) if ours_c == c.as_slice() => None,
                        other => Some(format!("choices {c:?}, pip-guard checks {other:?}")),
                    }
                }
                (Some("int"), None) if check != Check::Int => {
                    Some(format!("int, pip-guard checks {check:?}"))
                }
                (Some("float"), None) if check != Check::Float => {
                    Some(format!("float, pip-guard checks {check:?}"))
                }
                _ => None,
            };
            if let Some(e) = expected {
                diffs.push(format!("{name}[{i}] --{}: pip: {e}", o.long[0]));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "pip-guard's option table differs from pip 26.3's (fix src/invocation/options.rs or values.rs):\n{}",
        diffs.join("\n")
    );
}

/// Install command lines, every spelling pip accepts and the ones it rejects.
const INSTALL_CORPUS: &[&[&str]] = &[
    &["requests"],
    &["requests", "numpy>=1.26", "pandas[excel]==2.*"],
    &["-rreq.txt"],
    &["-r", "req.txt"],
    &["--requirement", "req.txt"],
    &["--requirement=req.txt"],
    &["--requirement="],
    &["--req=req.txt"],
    &["--requ", "req.txt"],
    &["--requirements-from-script", "s.py"],
    &["--requirements", "s.py"],
    &["-c", "c.txt", "-cc2.txt", "--constraint=c3.txt"],
    &["--con", "c.txt"],
    &["-qqUr", "f.txt"],
    &["-qqUrf.txt", "x"],
    &["-Uq", "-r", "a", "-r", "b"],
    &["-vvv", "x"],
    &["-qv", "--verbose", "x"],
    &["--", "-notanoption", "--user"],
    &["x", "--", "-r", "y"],
    &["--user", "--", "--"],
    &["-r", "-weird.txt"],
    &["-r", "--user"],
    &["-r", "--"],
    &["--requirement", "-"],
    &["-"],
    &["--user=1"],
    &["--user="],
    &["--no-c"],
    &["--no-cache"],
    &["--no-col"],
    &["--no-com"],
    &["--no-dep"],
    &["--no-deps", "x"],
    &["--no-dependencies", "x"],
    &["--break-sys", "x"],
    &["--break-system-packages", "x"],
    &["--break", "x"],
    &["--b", "x"],
    &["--frobnicate"],
    &["--frobnicate=1"],
    &["-Z"],
    &["-qZ"],
    &["-é"],
    &["---user"],
    &["--=x"],
    &["-e", "."],
    &["-e."],
    &["-egit+https://example.org/repo.git#egg=x"],
    &["--editable=./proj"],
    &["--edit", "./proj"],
    &["-e"],
    &["--group", "dev"],
    &["--group=pyproject.toml:dev"],
    &["--group", "sub/pyproject.toml:test"],
    &["--group", "pylock.toml:ci"],
    &["--group", "pylock.ci.toml:ci"],
    &["--group", "setup.cfg:dev"],
    &["--group", ":dev"],
    &["--group", "https://x/pylock.toml:dev"],
    &["-i", "https://pypi.example/simple", "x"],
    &["-ihttps://pypi.example/simple", "x"],
    &["--index-url", "u", "--extra-index-url", "v", "--extra", "w"],
    &["--pypi-url", "u"],
    &["--inde", "u"],
    &["--index", "u"],
    &["--no-index", "-f", "./wheels", "--find-links=./more", "x"],
    &["--target", "/tmp/t", "-t/tmp/u", "x"],
    &["--prefix", "/p", "--root", "/r", "x"],
    &[
        "--platform",
        "macosx_14_0_arm64",
        "--python-version",
        "3.12",
        "x",
    ],
    &["--python-version", "312"],
    &["--python-version", "3"],
    &["--python-version", ""],
    &["--python-version", "3.x"],
    &["--python-version", "3.1.2.4"],
    &["--implementation", "cp", "--abi", "cp312"],
    &["--only-binary", ":all:", "--no-binary", "numpy,scipy"],
    &["--no-binary", "-x"],
    &["--no-binary=-x"],
    &["--only-binary", "--user"],
    &["--all-releases", "x", "--only-final", ":all:"],
    &["--only-final", "-x"],
    &["--refresh-package", "Foo_Bar"],
    &["--refresh-package", "-x"],
    &["-C", "key=val", "--config-settings", "k2=v2"],
    &["-Ckey=val"],
    &["-C", "novalue"],
    &["--config-settings=novalue"],
    &["--progress-bar", "off"],
    &["--progress-bar=sometimes"],
    &["--progress", "raw"],
    &["--upgrade-strategy", "eager", "-U", "x"],
    &["--upgrade-strategy", "lazy"],
    &["--root-user-action", "ignore"],
    &["--keyring-provider", "subprocess"],
    &["--keyring-provider", "magic"],
    &["--exists-action", "w", "--exists-action", "i"],
    &["--exists-action", "x"],
    &["--use-feature", "truststore"],
    &["--use-feature", "magic"],
    &["--use-deprecated", "legacy-resolver"],
    &["--retries", "3", "--resume-retries=0x10"],
    &["--retries", "many"],
    &["--retries", "08"],
    &["--retries", " 7 "],
    &["--timeout", "1.5"],
    &["--timeout", "inf"],
    &["--timeout", "soon"],
    &["--default-timeout=30"],
    &["--uploaded-prior-to", "P3D"],
    &["--uploaded-prior-to", "2023-01-01"],
    &["--uploaded-prior-to", "2023-01-01T00:00:00Z"],
    &["--uploaded-prior-to", "yesterday"],
    &["--uploaded-prior-to", "P3W"],
    &["--hash", "sha256:abc"],
    &["--log", "pip.log", "--log-file", "a", "--local-log=b", "x"],
    &["--log"],
    &["--src", "/tmp/src", "-e", "."],
    &["--source-dir", "/tmp/src"],
    &["--sourc", "/tmp/src"],
    &["--report", "-", "--dry-run", "x"],
    &["--dry", "x"],
    &[
        "--isolated",
        "--no-input",
        "--disable-pip-version-check",
        "x",
    ],
    &["--python", "/usr/bin/python3", "x"],
    &["--require-venv", "--require-virtualenv", "x"],
    &[
        "--cert",
        "c.pem",
        "--client-cert",
        "k.pem",
        "--proxy",
        "http://p:3128",
    ],
    &["--trusted-host", "h1", "--trusted-host=h2"],
    &["--cache-dir", "/c", "--no-cache-dir"],
    &["--no-cache-dir=1"],
    &["-h"],
    &["--help", "--frobnicate"],
    &["-qh"],
    &["--frobnicate", "-h"],
    &["--hel"],
    &["-r", "-h"],
    &[
        "--pre",
        "--prefer-binary",
        "--no-clean",
        "--compile",
        "--no-compile",
    ],
    &["--user", "--no-user", "x"],
    &["--force-reinstall", "-I", "--ignore-requires-python", "x"],
    &[
        "--no-build-isolation",
        "--use-pep517",
        "--check-build-dependencies",
    ],
    &[
        "--no-warn-script-location",
        "--no-warn-conflicts",
        "--require-hashes",
    ],
    &["--no-require-hashes", "--only-deps", "x"],
    &["--build-constraint", "b.txt"],
    &[
        "./local/dir",
        "pkg.whl",
        "https://x/y.tar.gz",
        "name @ https://x/z.zip",
    ],
    &["x; python_version < '3.9'", "y[extra1,extra2]>=1,<2"],
    &["with space", "$HOME", "*", "'quoted'"],
    &["--no-color", "--no-python-version-warning", "--debug", "x"],
];

fn events_of(items: &[Item]) -> (Vec<Value>, Vec<String>) {
    let mut events = Vec::new();
    let mut args = Vec::new();
    for it in items {
        match it {
            Item::Opt { spec, value, .. } => {
                events.push(json!([format!("--{}", spec.long[0]), value]));
            }
            Item::Positional { value, .. } => args.push(value.clone()),
        }
    }
    (events, args)
}

#[test]
fn install_command_lines_agree_with_pip() {
    let Some(py) = common::venv_python() else {
        return;
    };
    assert!(INSTALL_CORPUS.len() >= 60);
    let input: Vec<Vec<String>> = INSTALL_CORPUS.iter().map(|a| strs(a)).collect();
    let results = oracle(&py, "install", &json!(input));
    let results = results.as_array().expect("a list");
    assert_eq!(results.len(), input.len());
    let mut diffs = Vec::new();
    for (argv, pip) in input.iter().zip(results) {
        for mode in [Mode::Audit, Mode::Guard] {
            let got = parse_install(argv, mode);
            let outcome = pip["outcome"].as_str().unwrap_or("?");
            let problem = match (outcome, &got) {
                ("error", Err(e)) => {
                    let theirs = pip["message"].as_str().unwrap_or("");
                    // pip adds Python's own reason to a bad datetime: compare the start.
                    let same = e.message == theirs
                        || (e.message.starts_with("--uploaded-prior-to error")
                            && theirs.starts_with("--uploaded-prior-to error"));
                    (!same).then(|| format!("message: pip {theirs:?}, pip-guard {:?}", e.message))
                }
                ("error", Ok(inv)) => Some(format!("pip errors, pip-guard parsed {inv:?}")),
                (_, Err(e)) => Some(format!("pip parses ({outcome}), pip-guard errors: {e}")),
                (_, Ok(inv)) => {
                    let (events, args) = events_of(&inv.items);
                    let pip_events = pip["events"].as_array().cloned().unwrap_or_default();
                    let help = inv.has(pip_guard::invocation::Opt::Help);
                    if events != pip_events {
                        Some(format!("options: pip {pip_events:?}, pip-guard {events:?}"))
                    } else if (outcome == "help") != help {
                        Some(format!("help: pip {outcome}, pip-guard help={help}"))
                    } else if outcome == "ok" && json!(args) != pip["args"] {
                        Some(format!("args: pip {}, pip-guard {args:?}", pip["args"]))
                    } else {
                        None
                    }
                }
            };
            if let Some(p) = problem {
                diffs.push(format!("{argv:?} ({mode:?}): {p}"));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "pip-guard parses {} of {} install command lines differently from pip 26.3:\n{}",
        diffs.len(),
        input.len() * 2,
        diffs.join("\n")
    );
}

/// `pip …` command lines for the top-level split.
const TOPLEVEL_CORPUS: &[&[&str]] = &[
    &[],
    &["install", "requests"],
    &["install"],
    &["-v", "install", "--user", "x"],
    &["--isolated", "--no-input", "install", "-r", "r.txt"],
    &["-V"],
    &["--version"],
    &["--vers"],
    &["--ver"],
    &["-V", "install", "x"],
    &["--version", "frob"],
    &["-h"],
    &["--help", "install"],
    &["-vh"],
    &["help"],
    &["help", "install"],
    &["list"],
    &["--quiet", "show", "pip"],
    &["uninstall", "-y", "x"],
    &["frob"],
    &["instal", "x"],
    &["--user", "install", "x"],
    &["--frob", "install"],
    &["--python", "/usr/bin/python3", "install", "x"],
    &["--python=/usr/bin/python3", "list"],
    &["--python", "py", "frob"],
    &["--log", "install", "install", "x"],
    &["--log", "list", "install", "x"],
    &["--", "install", "x"],
    &["-q", "--", "list"],
    &["--cache-dir=/c", "download", "x"],
    &["--no-cache-dir", "install", "x"],
    &["--no-c", "install"],
    &["--timeout", "x", "install"],
    &["--timeout", "5", "install"],
    &["--exists-action", "q", "install"],
    &["-vvq", "freeze"],
    &["--log"],
    &["install", "--version"],
    &["wheel", "-w", "d", "x"],
    &["config", "list"],
    &["cache", "dir"],
    &["index", "versions", "x"],
    &["completion", "--bash"],
    &["debug"],
    &["inspect"],
    &["lock", "x"],
    &["hash", "f.whl"],
    &["check"],
    &["search", "x"],
];

#[test]
fn top_level_command_lines_agree_with_pip() {
    let Some(py) = common::venv_python() else {
        return;
    };
    let input: Vec<Vec<String>> = TOPLEVEL_CORPUS.iter().map(|a| strs(a)).collect();
    let results = oracle(&py, "toplevel", &json!(input));
    let results = results.as_array().expect("a list");
    let mut diffs = Vec::new();
    for (argv, pip) in input.iter().zip(results) {
        let got = split_command(argv);
        let outcome = pip["outcome"].as_str().unwrap_or("?");
        let problem = match (outcome, &got) {
            ("error", Err(e)) => (pip["message"].as_str() != Some(e.message.as_str()))
                .then(|| format!("message: pip {}, pip-guard {:?}", pip["message"], e.message)),
            ("error", Ok(t)) => Some(format!("pip errors, pip-guard split {t:?}")),
            (_, Err(e)) => Some(format!("pip: {outcome}, pip-guard errors: {e}")),
            (_, Ok(t)) => {
                let (events, _) = events_of(&t.general);
                let pip_events = pip["events"].as_array().cloned().unwrap_or_default();
                let ours = if t.help() {
                    "help"
                } else if t.version() {
                    "version"
                } else if t.command.is_none() {
                    "help"
                } else {
                    "command"
                };
                if events != pip_events {
                    Some(format!("general: pip {pip_events:?}, pip-guard {events:?}"))
                } else if ours != outcome {
                    Some(format!("outcome: pip {outcome}, pip-guard {ours}"))
                } else if outcome == "command"
                    && (json!(t.command) != pip["command"] || json!(t.rest) != pip["rest"])
                {
                    Some(format!(
                        "command: pip {} {}, pip-guard {:?} {:?}",
                        pip["command"], pip["rest"], t.command, t.rest
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(p) = problem {
            diffs.push(format!("{argv:?}: {p}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "pip-guard splits {} of {} pip command lines differently from pip 26.3:\n{}",
        diffs.len(),
        input.len(),
        diffs.join("\n")
    );
}

#[test]
fn value_conversions_agree_with_python() {
    let Some(py) = common::venv_python() else {
        return;
    };
    let ints = [
        "0", "7", "-7", "+7", " 7 ", "007", "08", "010", "0x1F", "0X1f", "0x", "0b101", "0b",
        "0B2", "0o17", "1_000", "1__000", "_1", "1_", "0x_1f", "1.0", "",
        "abc",
        // Deliberate difference (src/invocation/values.rs): non-ASCII digits like "١٢".
    ];
    let floats = [
        "1",
        "1.5",
        "-1.5",
        "+.5",
        "5.",
        "1e3",
        "1E-3",
        "inf",
        "-Infinity",
        "nan",
        "1_0.5",
        "1__0",
        "_1",
        "",
        " 2.5 ",
        "0x10",
        "1.5.5",
        "e3",
        "1e",
        ".",
    ];
    let versions = [
        "", "3", "37", "312", "3.12", "3.12.1", "3.1.2.4", "3.x", "a", "3..1", "3.-1",
    ];
    let datetimes = [
        "2023-01-01",
        "20230101",
        "2023-01-01T00:00:00Z",
        "2023-01-01T00:00:00",
        "2023-01-01 10:20",
        "2023-01-01T10",
        "2023-01-01T1020",
        "2023-01-01T102030",
        "2023-01-01T10:20:30.123",
        "2023-01-01T10:20:30,123456",
        "2023-01-01T10:20:30.1234567",
        "2023-01-01T10:20:30+02:00",
        "2023-01-01T10:20:30-0530",
        "2023-01-01T10:20:30+02",
        "2023-01-01T10:20:30Zjunk",
        "2023-01-01x10:20",
        "2024-02-29",
        "2023-02-29",
        "2023-13-01",
        "2023-00-10",
        "2023-W01",
        "2023-W01-7",
        "2023W017",
        "2023-W53",
        "2020-W53",
        "2023-01",
        "2023",
        "yesterday",
        "2023-01-01T25:00",
        "2023-01-01T10:61",
        "0000-01-01",
        "2023-01-01T",
    ];
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    pairs.extend(ints.iter().map(|v| ("int", *v)));
    pairs.extend(floats.iter().map(|v| ("float", *v)));
    pairs.extend(versions.iter().map(|v| ("python_version", *v)));
    pairs.extend(datetimes.iter().map(|v| ("datetime", *v)));
    let results = oracle(&py, "values", &json!(pairs));
    let results = results.as_array().expect("a list");
    let mut diffs = Vec::new();
    for ((kind, v), pip) in pairs.iter().zip(results) {
        let ours = match *kind {
            "int" => values::py_int(v).is_some(),
            "float" => values::py_float(v).is_some(),
            "python_version" => values::python_version(v).is_ok(),
            _ => values::iso_datetime(v),
        };
        if json!(ours) != *pip {
            diffs.push(format!("{kind} {v:?}: Python {pip}, pip-guard {ours}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "value checks differ from Python's:\n{}",
        diffs.join("\n")
    );
}

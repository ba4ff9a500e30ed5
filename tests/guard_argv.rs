//! The guard's top-level split (`pip [general options] COMMAND args`)
//! against pip 26.3's own `parse_command`, case by case: the guard must see
//! `install` exactly when pip would run it, with the same arguments.
//! Needs the pinned-pip venv of tests/setup.sh.

mod common;

use pip_guard::invocation::toplevel::split_command as split;
use std::io::Write;
use std::process::{Command, Stdio};

const ORACLE: &str = r#"
import contextlib, io, json, sys
from pip._internal.cli.main_parser import parse_command
from pip._internal.exceptions import CommandError
out = []
for args in json.load(sys.stdin):
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            name, rest = parse_command(list(args))
        out.append({"ok": [name, rest]})
    except CommandError as e:
        out.append({"unknown": str(e)})
    except SystemExit as e:
        out.append({"exit": e.code if isinstance(e.code, int) else (0 if e.code is None else 1)})
print(json.dumps(out))
"#;

/// General options whose values pip checks while parsing (types, choices).
const VALUE_CHECKED: &[&str] = &[
    "--ret",
    "--tim",
    "--default-timeout",
    "--res",
    "--exi",
    "--key",
    "--use",
];

fn cases() -> Vec<Vec<String>> {
    let fixed: &[&[&str]] = &[
        &[],
        &["install", "x"],
        &["install"],
        &["list"],
        &["help"],
        &["help", "install"],
        &["--version"],
        &["-V"],
        &["--vers"],
        &["-V", "install", "x"],
        &["-h"],
        &["--help", "install"],
        &["install", "--help"],
        &["-v", "install", "x"],
        &["-vvq", "install", "x"],
        &["-qV", "list"],
        &["--python", "/usr/bin/python3", "install", "x"],
        &["--python=/usr/bin/python3", "install", "x"],
        &["--pyth", "/p", "install", "x"],
        &["--log", "install", "install", "x"],
        &["--log", "install", "list"],
        &["--log-file=l.txt", "install", "x"],
        &["--lo", "x", "install"],
        &["--local-log", "f", "install"],
        &["--no-c", "install"],
        &["--no-cache-dir", "install", "x"],
        &["--no-cache", "install", "x"],
        &["--isolated", "install", "x"],
        &["--isolated=1", "install"],
        &["--python"],
        &["--timeout", "5", "--retries", "1", "install", "x"],
        &["--default-timeout=5", "install", "x"],
        &[
            "--exists-action",
            "w",
            "--trusted-host",
            "h",
            "install",
            "x",
        ],
        &[
            "--cert",
            "c",
            "--client-cert",
            "c",
            "--cache-dir",
            "d",
            "install",
        ],
        &[
            "--use-feature",
            "truststore",
            "--use-deprecated",
            "x",
            "install",
        ],
        &[
            "--keyring-provider",
            "auto",
            "--proxy",
            "p",
            "--no-proxy-env",
            "install",
        ],
        &[
            "--resume-retries",
            "3",
            "--no-input",
            "--no-color",
            "install",
            "x",
        ],
        &[
            "--disable-pip-version-check",
            "--no-python-version-warning",
            "install",
        ],
        &[
            "--require-venv",
            "--require-virtualenv",
            "--debug",
            "install",
            "x",
        ],
        &["--", "install", "x"],
        &["--", "list"],
        &["-", "install"],
        &["-r", "req.txt", "install"],
        &["-x", "install"],
        &["--frobnicate", "install"],
        &["instal", "x"],
        &["INSTALL", "x"],
        &["frobnicate"],
        &["install", "install"],
        &["download", "install"],
        &["--guard-yes", "install", "x"],
        &["install", "--guard-yes", "x"],
        &["-v", "--", "install"],
        &["--log", "--", "install"],
        &["-vV"],
    ];
    let mut v: Vec<Vec<String>> = fixed
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    // Every general option, in every spelling, before install.
    let opts: &[(&str, bool)] = &[
        ("debug", false),
        ("isolated", false),
        ("require-virtualenv", false),
        ("python", true),
        ("verbose", false),
        ("quiet", false),
        ("log", true),
        ("no-input", false),
        ("keyring-provider", true),
        ("proxy", true),
        ("no-proxy-env", false),
        ("retries", true),
        ("timeout", true),
        ("exists-action", true),
        ("trusted-host", true),
        ("cert", true),
        ("client-cert", true),
        ("cache-dir", true),
        ("no-cache-dir", false),
        ("disable-pip-version-check", false),
        ("no-color", false),
        ("no-python-version-warning", false),
        ("use-feature", true),
        ("use-deprecated", true),
        ("resume-retries", true),
    ];
    for (name, takes) in opts {
        for len in [name.len(), (name.len() * 2).div_ceil(3), 3] {
            let abbrev = &name[..len.min(name.len())];
            if *takes {
                v.push(vec![format!("--{abbrev}"), "install".into(), "x".into()]);
                v.push(vec![format!("--{abbrev}=v"), "install".into(), "x".into()]);
                v.push(vec![format!("--{abbrev}"), "v".into(), "install".into()]);
            } else {
                v.push(vec![format!("--{abbrev}"), "install".into(), "x".into()]);
                v.push(vec![format!("--{abbrev}=v"), "install".into()]);
            }
        }
    }
    v
}

#[test]
fn split_agrees_with_pips_parse_command() {
    let Some(py) = common::venv_python() else {
        return;
    };
    let cases = cases();
    // `--python` makes parse_command re-run pip under that interpreter
    // unless this is set: the oracle must only parse.
    let mut child = Command::new(&py)
        .args(["-c", ORACLE])
        .env("_PIP_RUNNING_IN_SUBPROCESS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the venv python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&cases).expect("json").as_bytes())
        .expect("write cases");
    let out = child.wait_with_output().expect("oracle output");
    assert!(out.status.success(), "the pip oracle failed");
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("oracle json");
    assert_eq!(answers.len(), cases.len());
    let mut installs = 0;
    for (case, pip) in cases.iter().zip(&answers) {
        let ours = split(case);
        if let Some(ok) = pip.get("ok") {
            let name = ok[0].as_str().expect("name");
            let rest: Vec<String> = serde_json::from_value(ok[1].clone()).expect("args");
            let t = ours.unwrap_or_else(|e| panic!("{case:?}: pip runs {name}, we fail: {e}"));
            assert_eq!(t.command.as_deref(), Some(name), "{case:?}");
            assert!(!t.version() && !t.help(), "{case:?}: pip runs {name}");
            assert_eq!(t.rest, rest, "{case:?}");
            installs += usize::from(name == "install");
        } else if pip.get("unknown").is_some() {
            assert!(
                ours.is_err(),
                "{case:?}: pip says unknown command, we: {ours:?}"
            );
        } else {
            let code = pip["exit"].as_i64().expect("exit code");
            match ours {
                Ok(t) if code == 0 => {
                    assert!(
                        t.command.as_deref() != Some("install"),
                        "{case:?}: pip prints and exits, we see install"
                    );
                    assert!(
                        t.version()
                            || t.help()
                            || t.command.is_none()
                            || t.command.as_deref() == Some("help"),
                        "{case:?}: pip prints and exits, we see {t:?}"
                    );
                }
                // pip refuses a value of a typed option (`--retries v`,
                // `--use-deprecated x`): the split does not check values;
                // the guard hands such an install to pip, which refuses it
                // the same way. Nothing is installed either way.
                Ok(t) => assert!(
                    VALUE_CHECKED
                        .iter()
                        .any(|o| case.iter().any(|a| a.starts_with(o))),
                    "{case:?}: pip fails ({code}), we accept it: {t:?}"
                ),
                Err(e) => assert_ne!(code, 0, "{case:?}: pip accepts it, we fail: {e}"),
            }
        }
    }
    assert!(installs > 40, "only {installs} install cases");
}

//! A credential in a URL (`https://user:token@host/…`) appears in no output
//! format, no audit log line and no error message (issue 5; design "things
//! that must never happen").
//!
//! Three places a token hides: `--index-url` on the command line, a `-r`
//! file's `--extra-index-url`, and a `name @ https://user:tok@host/…`
//! requirement (plus a token-only `git+https://tok@host` and a nested file's
//! `--find-links`), and signed-URL query parameters (`?access_token=`,
//! `X-Amz-Credential`, `X-Amz-Signature`, `X-Goog-Signature`, `password=`:
//! issue 10.14). Every command's stdout and stderr, and every audit log
//! line, are searched for each token; each output must show the redacted
//! form `****@` somewhere, so a test that printed nothing cannot pass.

mod common;
mod debian;

use debian::{run, show, Sandbox, LONG};
use std::process::Output;

/// The tokens: each must never appear anywhere.
const TOKENS: &[&str] = &[
    "TOKalice1",
    "TOKbob2",
    "TOKcarol3",
    "TOKdave4",
    "TOKerin5",
    "TOKfrank6",
    "TOKgrace7",
    "TOKheidi8",
    "TOKivan9",
    "TOKjudy10",
    "TOKmallory11",
];

const INDEX: &str = "https://alice:TOKalice1@pypi.example/simple";
const DIRECT: &str = "secretpkg @ https://carol:TOKcarol3@files.example/secretpkg-1.0.tar.gz";
const VCS: &str = "vcspkg @ git+https://TOKdave4@git.example/o/vcspkg.git@v1";

fn requirements(sb: &Sandbox) {
    sb.write(
        "requirements.txt",
        "--extra-index-url https://bob:TOKbob2@extra.example/simple\n\
         requests\n\
         secretpkg @ https://carol:TOKcarol3@files.example/secretpkg-1.0.tar.gz\n\
         -r nested/more.txt\n",
    );
    sb.write(
        "nested/more.txt",
        "--find-links https://erin:TOKerin5@links.example/wheels/\n\
         vcspkg @ git+https://TOKdave4@git.example/o/vcspkg.git@v1\n\
         made-up-pkg\n\
         --extra-index-url https://extra2.example/simple?access_token=TOKgrace7\n\
         signedpkg @ https://bucket.s3.example/signedpkg-1.0.tar.gz?X-Amz-Credential=TOKheidi8&X-Amz-Signature=TOKivan9&X-Amz-Date=20240101\n\
         gcspkg @ https://storage.example/gcspkg-1.0.tar.gz?X-Goog-Signature=TOKjudy10&password=TOKmallory11\n",
    );
}

/// No token in stdout or stderr, and `seen` there (so the command did
/// report on the line that holds the secret: a test that printed nothing
/// cannot pass).
#[track_caller]
fn clean(what: &str, o: &Output, seen: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for t in TOKENS {
        assert!(!all.contains(t), "{what}: `{t}` leaked\n{}", show(o));
    }
    assert!(all.contains(seen), "{what}: `{seen}` is shown\n{}", show(o));
}

/// No token in the audit log; every line parses.
#[track_caller]
fn clean_log(sb: &Sandbox) {
    let text = std::fs::read_to_string(sb.audit_log()).unwrap_or_default();
    for t in TOKENS {
        assert!(!text.contains(t), "`{t}` in the audit log:\n{text}");
    }
    let records = sb.records();
    assert!(!records.is_empty(), "the runs were logged");
    assert!(text.contains("****@"), "{text}");
}

fn guard_cmd(sb: &Sandbox, args: &[&str]) -> std::process::Command {
    let mut c = sb.cmd(common::bin());
    c.args(args).env("PIP_GUARD_PYTHON", debian::PY);
    c
}

#[test]
fn audit_in_every_format() {
    let Some(sb) = Sandbox::new() else { return };
    requirements(&sb);
    for format in ["text", "json", "markdown", "github"] {
        let o = run(
            guard_cmd(
                &sb,
                &[
                    "audit",
                    "--index",
                    "embedded",
                    "--index-url",
                    INDEX,
                    "-r",
                    "requirements.txt",
                    DIRECT,
                    VCS,
                    "--format",
                    format,
                ],
            ),
            LONG,
        );
        assert!(
            matches!(o.status.code(), Some(0) | Some(1)),
            "audit --format {format}\n{}",
            show(&o)
        );
        // JSON carries `raw` and `url`: the URLs are there, redacted.
        let seen = if format == "json" {
            "****@"
        } else {
            "secretpkg"
        };
        clean(&format!("audit --format {format}"), &o, seen);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("secretpkg"), "{format}: {out}");
        assert!(out.contains("vcspkg"), "{format}: {out}");
    }
    // The same with a policy that blocks (denied reasons, github errors).
    sb.project_policy(
        "mode = \"enforce\"\ndeny = [\"secretpkg\"]\n[index]\nsource = \"embedded\"\n",
    );
    for format in ["text", "json", "markdown", "github"] {
        let o = run(
            guard_cmd(
                &sb,
                &[
                    "audit",
                    "-i",
                    INDEX,
                    "-r",
                    "requirements.txt",
                    "--format",
                    format,
                ],
            ),
            LONG,
        );
        assert_eq!(o.status.code(), Some(1), "{}", show(&o));
        clean(
            &format!("blocking audit --format {format}"),
            &o,
            "secretpkg",
        );
    }
}

#[test]
fn explain_and_nixify() {
    let Some(sb) = Sandbox::new() else { return };
    requirements(&sb);
    for format in ["text", "json", "markdown", "github"] {
        for req in [DIRECT, VCS] {
            let o = run(
                guard_cmd(
                    &sb,
                    &["explain", "--index", "embedded", "--format", format, req],
                ),
                LONG,
            );
            assert_eq!(o.status.code(), Some(0), "{}", show(&o));
            let seen = if format == "json" { "****@" } else { "pkg" };
            clean(&format!("explain --format {format} {req}"), &o, seen);
        }
    }
    let o = run(
        guard_cmd(
            &sb,
            &[
                "nixify",
                "--index",
                "embedded",
                "--index-url",
                INDEX,
                "-r",
                "requirements.txt",
                DIRECT,
            ],
        ),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    clean("nixify", &o, "secretpkg");
}

/// The guard's explanation and decision (a dry run and blocked runs: in
/// enforce mode every one of these requirements is blocked, so pip is never
/// started) and its audit log lines.
#[test]
fn the_guard_and_its_audit_log() {
    let Some(sb) = Sandbox::new() else { return };
    requirements(&sb);
    sb.project_policy(
        "mode = \"enforce\"\ndeny = [\"made-up-pkg\"]\n[index]\nsource = \"embedded\"\n",
    );
    let trace = sb.root.join("trace.jsonl");
    for extra in [&["--dry-run"][..], &["--guard-yes"], &["-q", "--guard-yes"]] {
        let mut args = vec![
            "install",
            "--index-url",
            INDEX,
            "-r",
            "requirements.txt",
            DIRECT,
        ];
        args.extend(extra);
        let mut c = sb.pip(&args);
        c.env("PIP_GUARD_TRACE", &trace);
        let o = run(c, LONG);
        assert_eq!(o.status.code(), Some(1), "{args:?}\n{}", show(&o));
        // The requirement as written, shown redacted.
        clean(&format!("pip {args:?}"), &o, "****@");
    }
    clean_log(&sb);
    let actions: Vec<String> = sb
        .records()
        .iter()
        .map(|r| r["action"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(actions, ["dry-run", "blocked", "blocked"]);
    // The diagnostic trace of argv (PIP_GUARD_TRACE) is a file too.
    let t = std::fs::read_to_string(&trace).expect("trace written");
    for tok in TOKENS {
        assert!(!t.contains(tok), "`{tok}` in the trace file:\n{t}");
    }
}

/// Errors on lines and arguments that carry a credential.
#[test]
fn error_messages() {
    let Some(sb) = Sandbox::new() else { return };
    sb.write(
        "bad-marker.txt",
        "--index-url https://bob:TOKbob2@extra.example/simple\n\
         secretpkg @ https://carol:TOKcarol3@files.example/s-1.0.tar.gz ; python_version >>> \"3\"\n",
    );
    sb.write(
        "bad-spec.txt",
        "-i https://alice:TOKalice1@pypi.example/simple\nok-pkg\nsecretpkg>>1 ; extra == 'https://frank:TOKfrank6@x.example/'\n",
    );
    let bad_arg =
        "secretpkg @ https://carol:TOKcarol3@files.example/s.tar.gz ; python_version >>> \"3\"";
    // (arguments, what the error must show)
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-r", "bad-marker.txt"], "bad-marker.txt:2"),
        (vec!["-r", "bad-spec.txt"], "bad-spec.txt:3"),
        (vec!["--index-url", INDEX, bad_arg], "****@files.example"),
        (
            vec!["-r", "https://erin:TOKerin5@host.example/req.txt"],
            "****@host.example/req.txt",
        ),
        (
            vec![
                "-c",
                "https://erin:TOKerin5@host.example/constraints.txt",
                "requests",
            ],
            "****@host.example/constraints.txt",
        ),
        (
            vec!["--guard-index", "https://frank:TOKfrank6@x.example/"],
            "****@x.example",
        ),
    ];
    for (case, seen) in cases {
        // As `pip install` through the guard, and as `pip-guard audit`.
        let mut install = vec!["install"];
        install.extend(case.iter().copied());
        let o = run(sb.pip(&install), LONG);
        assert_eq!(o.status.code(), Some(2), "pip {install:?}\n{}", show(&o));
        clean(&format!("pip {install:?}"), &o, seen);
        if case[0] == "--guard-index" {
            continue;
        }
        let mut audit = vec!["audit", "--index", "embedded"];
        audit.extend(case.iter().copied());
        let o = run(guard_cmd(&sb, &audit), LONG);
        assert_eq!(o.status.code(), Some(2), "{audit:?}\n{}", show(&o));
        clean(&format!("{audit:?}"), &o, seen);
    }
    // A usage error from pip-guard's own command line (clap).
    let o = run(
        guard_cmd(
            &sb,
            &["audit", "--format", "https://frank:TOKfrank6@x.example/"],
        ),
        LONG,
    );
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    clean("audit --format URL", &o, "****@x.example");
    // Nothing was installed, and nothing was logged for bad input.
    assert!(sb.userbase_files().is_empty());
}

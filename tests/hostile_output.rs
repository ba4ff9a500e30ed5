//! One hostile corpus through every format and every command (issue 14,
//! "one output layer escapes for its sink"; issue 10 item 7).
//!
//! Each line of `tests/fixtures/hostile.txt` (ESC sequences that erase,
//! move the cursor or conceal, OSC 8 links and OSC 52 clipboard writes,
//! BEL, C1 CSI, DEL, bidi overrides and invisible characters, GitHub
//! workflow commands — `::add-mask::`, an indented one, `::stop-commands::`,
//! `##[error]`, one behind a CR, and a deny reason the guard wraps so that
//! `::stop-commands::` starts an indented line —, HTML, Markdown links,
//! pipes and backticks) is put where a user or a server can put text: a marker in a
//! requirements file, the file's name, a deny reason, an invalid
//! requirement (command line and file), a policy file's bad line. Then
//! `audit` in all four formats, `explain` (text, JSON), `nixify`, the
//! guard's explanation (`pip install`, blocked), `policy check`, and the
//! errors run on the real Debian python, with and without
//! `GITHUB_ACTIONS=true`. Every output is checked for what a terminal, the
//! GitHub runner or a Markdown renderer would interpret:
//!
//! - no control character but `\n`, no bidi or invisible format character;
//! - no line that the runner reads as a workflow command (after trimming
//!   white space: `::`; anywhere: `##[`) — except, in `--format github`,
//!   pip-guard's own `::error`/`::warning` lines;
//! - Markdown table rows keep their five columns, hold no raw `<`/`>`, no
//!   unescaped `[`, `` ` `` or `|`.
//!
//! And each output must show the hostile text's visible marker
//! (`hostile-…`, `Proceed`, …) or the escaped form, so a command that
//! printed nothing cannot pass.

mod common;
mod debian;

use debian::{run, show, Sandbox, LONG};
use std::process::{Command, Output};

fn corpus() -> Vec<String> {
    let text = std::fs::read_to_string(common::repo_root().join("tests/fixtures/hostile.txt"))
        .expect("tests/fixtures/hostile.txt");
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Whether a terminal would interpret `c` (the escape layer's set).
fn hostile_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}')
}

/// The zero-width space the GitHub escape inserts: allowed on stdout and
/// stderr only where it breaks a workflow command.
const ZWSP: char = '\u{200B}';

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Markdown,
    Github,
}

/// Check one stream; `github` says whether the runner reads it.
#[track_caller]
fn check_stream(what: &str, text: &str, format: Format, github: bool, o: &Output) {
    for (i, c) in text.char_indices() {
        if c == ZWSP {
            // Only as the escape layer's break: `:\u{200b}:` or `##\u{200b}[`.
            let before = &text[..i];
            let after = &text[i + c.len_utf8()..];
            assert!(
                (before.ends_with(':') && after.starts_with(':'))
                    || (before.ends_with("##") && after.starts_with('[')),
                "{what}: a raw U+200B\n{}",
                show(o)
            );
            continue;
        }
        assert!(
            !hostile_char(c),
            "{what}: raw {c:?} reached the output\n{text:?}\n{}",
            show(o)
        );
    }
    if github || format == Format::Github {
        for line in text.split('\n') {
            assert!(!line.contains("##["), "{what}: `##[` in {line:?}");
            let t = line.trim_start();
            if t.starts_with("::") {
                let ours = format == Format::Github
                    && (t.starts_with("::error ") || t.starts_with("::warning "))
                    && line == t;
                assert!(ours, "{what}: a workflow command: {line:?}\n{}", show(o));
            }
        }
    }
    if format == Format::Markdown {
        for line in text.lines().filter(|l| l.starts_with('|')) {
            // Inside a code span (between unescaped backticks) text is
            // literal; outside, `<`/`>` would be HTML and `[`/`]` a link.
            let b = line.as_bytes();
            let mut pipes = 0;
            let mut in_code = false;
            for (i, ch) in b.iter().enumerate() {
                let escaped = b[..i].iter().rev().take_while(|c| **c == b'\\').count() % 2 == 1;
                match ch {
                    b'`' if !escaped || in_code => in_code = !in_code,
                    b'|' if !escaped => pipes += 1,
                    b'<' | b'>' if !in_code => panic!("{what}: raw HTML in {line:?}"),
                    b'[' | b']' if !escaped && !in_code => {
                        panic!("{what}: unescaped bracket in {line:?}")
                    }
                    _ => {}
                }
            }
            assert_eq!(pipes, 6, "{what}: the row's columns changed: {line:?}");
            assert!(!in_code, "{what}: an unbalanced backtick in {line:?}");
        }
    }
}

#[track_caller]
fn check(what: &str, o: &Output, format: Format, github: bool, seen: &[&str]) {
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    check_stream(&format!("{what} (stdout)"), &out, format, github, o);
    // stderr is always text for people.
    check_stream(&format!("{what} (stderr)"), &err, Format::Text, github, o);
    let all = format!("{out}{err}");
    assert!(
        seen.iter().any(|s| all.contains(s)),
        "{what}: none of {seen:?} is shown\n{}",
        show(o)
    );
}

/// What must be visible of hostile line `h` (its words, or its escaped
/// form), so an output that dropped it cannot pass.
fn visible(h: &str) -> Vec<String> {
    let mut v: Vec<String> = h
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| w.len() >= 3)
        .map(String::from)
        .collect();
    v.push("\\e".into());
    v.push("\\u{".into());
    v.push(h.to_string());
    v.push(h.replace('|', "\\|"));
    v
}

fn guard(sb: &Sandbox, github: bool, args: &[&str]) -> Command {
    let mut c = sb.cmd(common::bin());
    c.args(args).env("PIP_GUARD_PYTHON", debian::PY);
    if github {
        c.env("GITHUB_ACTIONS", "true");
    } else {
        c.env_remove("GITHUB_ACTIONS");
    }
    c
}

/// Whether `v` holds the string `s` anywhere.
fn has_string(v: &serde_json::Value, s: &str) -> bool {
    match v {
        serde_json::Value::String(x) => x == s,
        serde_json::Value::Array(a) => a.iter().any(|x| has_string(x, s)),
        serde_json::Value::Object(o) => o.values().any(|x| has_string(x, s)),
        _ => false,
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The hostile text as a marker, a file name and a deny reason, through
/// audit (4 formats), explain, nixify and the guard.
#[test]
fn every_format_and_command_escapes_the_corpus() {
    let Some(sb) = Sandbox::new() else { return };
    for (n, h) in corpus().iter().enumerate() {
        // A CR ends a requirements line for pip (the marker line splits)
        // and a backslash before the closing quote is refused by the
        // marker grammar: those are invalid requirements (exit 2), their
        // error messages checked the same way.
        // So does ` #`: it starts a comment, cutting the marker.
        let valid = !h.contains(['\r', '\\']) && !h.contains(" #");
        let file = format!("req-{n}-{}.txt", h.replace(['/', '\r'], "_"));
        let line = format!("{} ; platform_release != \"{h}\"\n", debian::DENIED);
        sb.write(&file, &line);
        sb.project_policy(&format!(
            "mode = \"enforce\"\ndeny = [{{ pattern = \"{}\", reason = {} }}]\n\
             [index]\nsource = \"embedded\"\n",
            debian::DENIED,
            toml_string(h)
        ));
        let seen = visible(h);
        let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
        for github in [false, true] {
            for (format, name) in [
                (Format::Text, "text"),
                (Format::Json, "json"),
                (Format::Markdown, "markdown"),
                (Format::Github, "github"),
            ] {
                let o = run(
                    guard(&sb, github, &["audit", "-r", &file, "--format", name]),
                    LONG,
                );
                let what = format!("audit --format {name} [{n}] gh={github}");
                let expected = if valid { 1 } else { 2 };
                assert_eq!(o.status.code(), Some(expected), "{what}\n{}", show(&o));
                check(&what, &o, format, github, &seen);
            }
            for (format, name) in [(Format::Text, "text"), (Format::Json, "json")] {
                let req = format!("made-up-other ; platform_release != \"{h}\"");
                let o = run(
                    guard(
                        &sb,
                        github,
                        &["explain", "--index", "embedded", "--format", name, &req],
                    ),
                    LONG,
                );
                let what = format!("explain --format {name} [{n}] gh={github}");
                // On the command line ` #` is no comment.
                let expected = if h.contains('\\') { 2 } else { 0 };
                assert_eq!(o.status.code(), Some(expected), "{what}\n{}", show(&o));
                check(&what, &o, format, github, &seen);
            }
            for (format, name) in [(Format::Text, "text"), (Format::Json, "json")] {
                let o = run(
                    guard(&sb, github, &["policy", "show", "--format", name]),
                    LONG,
                );
                let what = format!("policy show --format {name} [{n}] gh={github}");
                assert_eq!(o.status.code(), Some(0), "{what}\n{}", show(&o));
                check(&what, &o, format, github, &["deny", "made-up-pkg"]);
                if format == Format::Json {
                    // The escaping changed the spelling, not the value.
                    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
                        .unwrap_or_else(|e| panic!("{what}: not JSON: {e}\n{}", show(&o)));
                    assert!(has_string(&v, h), "{what}: the reason is not kept\n{v:#}");
                }
            }
            let o = run(guard(&sb, github, &["nixify", "-r", &file]), LONG);
            check(
                &format!("nixify [{n}] gh={github}"),
                &o,
                Format::Text,
                github,
                &["nixpkgs", "error"],
            );
            // The guard: blocked by the deny, its explanation on stderr.
            let mut c = sb.pip(&["install", "-r", &file]);
            if github {
                c.env("GITHUB_ACTIONS", "true");
            }
            let o = run(c, LONG);
            let what = format!("pip install [{n}] gh={github}");
            let expected = if valid { 1 } else { 2 };
            assert_eq!(o.status.code(), Some(expected), "{what}\n{}", show(&o));
            check(&what, &o, Format::Text, github, &seen);
            sb.assert_nothing_installed(&what, &o);
        }
    }
}

/// Errors: an invalid requirement (command line and file, with the line
/// quoted), a policy file whose bad line holds the text (TOML snippet and
/// caret), and clap's usage error quoting a bad value.
#[test]
fn errors_escape_the_corpus() {
    let Some(sb) = Sandbox::new() else { return };
    for (n, h) in corpus().iter().enumerate() {
        let mut seen = visible(h);
        seen.push("error: ".into());
        let seen: Vec<&str> = seen.iter().map(String::as_str).collect();
        // `==` first: never a valid requirement, whatever follows.
        let invalid = format!("=={h}");
        let bad = format!("bad-{n}.txt");
        sb.write(&bad, &format!("made-up-other\n{invalid}\n"));
        sb.write(&format!("policy-{n}.toml"), &format!("mode = \"{h}\"\n"));
        for github in [false, true] {
            for args in [
                vec!["audit", "--index", "embedded", invalid.as_str()],
                // `--format github`: the error lands in the Actions log too.
                vec![
                    "audit",
                    "--format",
                    "github",
                    "--index",
                    "embedded",
                    invalid.as_str(),
                ],
                vec![
                    "audit",
                    "--index",
                    "embedded",
                    "-r",
                    bad.as_str(),
                    "--format",
                    "github",
                ],
                vec!["audit", "--index", "embedded", "-r", bad.as_str()],
                vec!["explain", "--index", "embedded", invalid.as_str()],
                vec!["nixify", "--index", "embedded", invalid.as_str()],
            ] {
                let o = run(guard(&sb, github, &args), LONG);
                let what = format!("{args:?} [{n}] gh={github}");
                assert_eq!(o.status.code(), Some(2), "{what}\n{}", show(&o));
                let gh = github || args.contains(&"github");
                check(&what, &o, Format::Text, gh, &seen);
            }
            let policy = format!("policy-{n}.toml");
            let o = run(guard(&sb, github, &["policy", "check", &policy]), LONG);
            let what = format!("policy check [{n}] gh={github}");
            assert_eq!(o.status.code(), Some(2), "{what}\n{}", show(&o));
            check(&what, &o, Format::Text, github, &seen);
            let o = run(guard(&sb, github, &["audit", "--format", h]), LONG);
            let what = format!("clap error [{n}] gh={github}");
            assert_eq!(o.status.code(), Some(2), "{what}\n{}", show(&o));
            check(&what, &o, Format::Text, github, &["invalid value"]);
            // The guard's own error for a bad line (nothing installed).
            let o = run(sb.pip(&["install", "-r", &bad]), LONG);
            let what = format!("pip install -r bad [{n}]");
            assert_eq!(o.status.code(), Some(2), "{what}\n{}", show(&o));
            check(&what, &o, Format::Text, false, &seen);
            sb.assert_nothing_installed(&what, &o);
        }
    }
}

/// Issue 10.7: an interpreter's `EXTERNALLY-MANAGED` message, which the
/// guard quotes, holding ESC sequences, a bidi override and workflow
/// commands (one on a continuation line, which the guard prints indented).
/// The interpreter is a copy of Debian's python3 in a temporary prefix whose
/// stdlib is symlinked, with its own `EXTERNALLY-MANAGED` file.
#[test]
fn an_externally_managed_message_is_escaped() {
    let Some(sb) = Sandbox::new() else { return };
    let real = std::fs::canonicalize(debian::PY).expect("python3");
    let prefix = sb.root.join("fakepy");
    let stdlib_name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .expect("python3.X");
    let stdlib = prefix.join("lib").join(&stdlib_name);
    std::fs::create_dir_all(prefix.join("bin")).expect("mkdir");
    std::fs::create_dir_all(&stdlib).expect("mkdir");
    let python = prefix.join("bin/python3");
    std::fs::copy(&real, &python).expect("copy python");
    let real_stdlib = std::path::Path::new("/usr/lib").join(&stdlib_name);
    for e in std::fs::read_dir(&real_stdlib).expect("stdlib") {
        let e = e.expect("entry");
        if e.file_name() != "EXTERNALLY-MANAGED" {
            std::os::unix::fs::symlink(e.path(), stdlib.join(e.file_name())).expect("symlink");
        }
    }
    std::fs::write(
        stdlib.join("EXTERNALLY-MANAGED"),
        "[externally-managed]\nError=Do not \x1b[2K\x1b[8mhide \u{202e}gnp.exe ##[error]boom\n  ::add-mask::second-line\n",
    )
    .expect("EXTERNALLY-MANAGED");
    for github in [false, true] {
        let mut c = sb.cmd(sb.bin.join("pip"));
        c.args(["install", debian::OTHER])
            .env("PIP_GUARD_PYTHON", &python);
        if github {
            c.env("GITHUB_ACTIONS", "true");
        }
        let o = run(c, LONG);
        let what = format!("EXTERNALLY-MANAGED gh={github}");
        assert_eq!(o.status.code(), Some(3), "{what}\n{}", show(&o));
        check(&what, &o, Format::Text, github, &["\\e[8mhide"]);
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("second-line"),
            "{what}: the message is not quoted\n{}",
            show(&o)
        );
        sb.assert_nothing_installed(&what, &o);
    }
}

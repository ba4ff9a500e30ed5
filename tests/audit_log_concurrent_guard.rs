//! 200 real guard processes at once, all appending to one audit log:
//! exactly 200 well-formed JSON lines, none torn, none lost, each with the
//! fields issue 5 lists, secrets redacted.
//!
//! Half the runs are blocked by a deny rule, half are `--dry-run`s that
//! hold a nixpkgs requirement back: neither starts pip, so 200 of them take
//! a few seconds (Debian's python3 is the target; see `debian`).

mod common;
mod debian;

use debian::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

const RUNS: usize = 200;

const POLICY: &str = r#"mode = "advise"
deny = [{ pattern = "made-up-pkg", reason = "made up for the concurrency test" }]

[index]
source = "embedded"
"#;

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` with plausible ranges.
fn is_rfc3339_utc_millis(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 24 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
    digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..23)
        && b[23] == b'Z'
        && (1..=12).contains(&num(5..7))
        && (1..=31).contains(&num(8..10))
        && num(11..13) < 24
        && num(14..16) < 60
        && num(17..19) < 61
}

fn secret(i: usize) -> String {
    format!("s3cr3t-{i:03}-tok")
}

#[test]
fn two_hundred_concurrent_guard_runs_write_two_hundred_whole_lines() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(POLICY);
    let log = sb.audit_log();

    // Warm the interpreter probe cache. A dry run that holds nothing back
    // is not logged.
    let warm = run(sb.pip(&["install", "--dry-run", OTHER]), LONG);
    assert_eq!(warm.status.code(), Some(0), "{}", show(&warm));
    assert!(
        !log.exists(),
        "a dry run holding nothing back is not logged"
    );

    let start = Instant::now();
    let mut children = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let index = format!("https://user:{}@pypi.invalid/simple", secret(i));
        let args: Vec<String> = if i % 2 == 0 {
            vec![
                "install".into(),
                "-i".into(),
                index,
                format!("made-up-pkg==1.{i}"),
            ]
        } else {
            vec![
                "install".into(),
                "--dry-run".into(),
                format!("--index-url={index}"),
                "requests".into(),
                format!("made-up-other==1.{i}"),
            ]
        };
        let mut c = sb.pip(&args.iter().map(String::as_str).collect::<Vec<_>>());
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        children.push((i, c.spawn().expect("spawn the guard")));
    }
    for (i, child) in children {
        let o = child.wait_with_output().expect("wait");
        // Blocked, or a dry run that held requests back for Nix: both 1.
        assert_eq!(
            o.status.code(),
            Some(1),
            "run {i}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains(&secret(i)), "run {i} printed its secret");
        assert!(!err.contains("warning"), "run {i}: {err}");
    }
    let took = start.elapsed();
    eprintln!("{RUNS} concurrent guard runs took {took:?}");

    let text = std::fs::read_to_string(&log).expect("the log exists");
    assert!(text.ends_with('\n'), "the last line is whole");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), RUNS, "exactly one line per run");
    for i in 0..RUNS {
        assert!(!text.contains(&secret(i)), "secret {i} in the log");
    }
    let records: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("line {} is torn or malformed ({e}): {l}", n + 1))
        })
        .collect();

    let mut raws = BTreeSet::new();
    let mut pids = BTreeSet::new();
    let work = sb.work.to_string_lossy().into_owned();
    for r in &records {
        assert_eq!(r["schema"], "pip-guard.log/v1", "{r}");
        let time = r["time"].as_str().unwrap_or("");
        assert!(is_rfc3339_utc_millis(time), "time {time:?} in {r}");
        assert_eq!(r["user"], "tester", "{r}");
        assert!(r["host"].as_str().is_some_and(|h| !h.is_empty()), "{r}");
        assert_eq!(r["cwd"], work.as_str(), "{r}");
        assert_eq!(r["mode"], "advise", "{r}");
        pids.insert(r["pid"].as_u64().expect("pid"));
        let argv: Vec<&str> = r["argv"]
            .as_array()
            .expect("argv")
            .iter()
            .map(|a| a.as_str().expect("argv strings"))
            .collect();
        assert!(argv.len() >= 4 && argv[1] == "install", "{r}");
        assert!(
            argv.iter()
                .any(|a| a.contains("https://****@pypi.invalid/simple")),
            "the index URL is there, redacted: {r}"
        );
        let reqs = r["requirements"].as_array().expect("requirements");
        for q in reqs {
            for field in ["origin", "raw", "name", "tier", "verdict"] {
                assert!(q.get(field).is_some(), "{field} missing in {q}");
            }
        }
        match r["action"].as_str() {
            Some("blocked") => {
                assert_eq!(reqs.len(), 1, "{r}");
                assert_eq!(reqs[0]["name"], "made-up-pkg");
                assert_eq!(reqs[0]["tier"], "pip");
                assert_eq!(reqs[0]["verdict"], "block");
                raws.insert(reqs[0]["raw"].as_str().expect("raw").to_string());
            }
            Some("dry-run") => {
                assert_eq!(reqs.len(), 2, "{r}");
                assert_eq!(reqs[0]["name"], "requests");
                assert_eq!(reqs[0]["tier"], "nixpkgs");
                assert_eq!(reqs[0]["verdict"], "warn");
                assert_eq!(reqs[1]["tier"], "pip");
                assert_eq!(reqs[1]["verdict"], "allow");
                raws.insert(reqs[1]["raw"].as_str().expect("raw").to_string());
            }
            other => panic!("unexpected action {other:?} in {r}"),
        }
    }
    assert_eq!(pids.len(), RUNS, "one line from each process");
    let expected: BTreeSet<String> = (0..RUNS)
        .map(|i| {
            if i % 2 == 0 {
                format!("made-up-pkg==1.{i}")
            } else {
                format!("made-up-other==1.{i}")
            }
        })
        .collect();
    assert_eq!(raws, expected, "every run's requirement, once");
    assert!(
        took < Duration::from_secs(120),
        "{RUNS} blocked runs took {took:?}"
    );
}

#[test]
fn an_unwritable_log_is_a_warning_with_the_record_never_a_failure() {
    let Some(sb) = Sandbox::new() else { return };
    // The log's directory is a file: appending cannot work.
    let state = sb.home.join(".local/state");
    std::fs::create_dir_all(&state).expect("mkdir");
    std::fs::write(state.join("pip-guard"), "not a directory").expect("write");
    sb.project_policy(POLICY);
    let before = std::fs::read(state.join("pip-guard")).expect("read");
    let o = run(
        sb.pip(&[
            "install",
            "-i",
            "https://me:hunter2@pypi.invalid/simple",
            "made-up-pkg",
        ]),
        LONG,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "blocked, as without a log\n{}",
        show(&o)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pip-guard: warning: cannot append to the audit log"),
        "{}",
        show(&o)
    );
    // The record is on stderr, whole and redacted.
    let line = err
        .lines()
        .find(|l| l.starts_with("{\"schema\":\"pip-guard.log/v1\""))
        .unwrap_or_else(|| panic!("the record is printed\n{}", show(&o)));
    let v: Value = serde_json::from_str(line).expect("the record is JSON");
    assert_eq!(v["action"], "blocked");
    assert!(!err.contains("hunter2"), "{}", show(&o));
    assert_eq!(
        std::fs::read(state.join("pip-guard")).expect("read"),
        before,
        "nothing was written over the obstacle"
    );
}

#[test]
fn a_disabled_log_gets_nothing_and_passthrough_never_logs() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(&format!("{POLICY}\n[audit_log]\nenabled = false\n"));
    let o = run(sb.pip(&["install", "made-up-pkg"]), LONG);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(!sb.audit_log().exists(), "disabled: no log");

    sb.project_policy(POLICY);
    // Commands other than install go straight to pip: no plan, no log.
    for args in [&["--version"][..], &["list"], &["show", "pip"]] {
        let o = run(sb.pip(args), LONG);
        assert_eq!(o.status.code(), Some(0), "{args:?}\n{}", show(&o));
    }
    // An install that is not into the externally-managed Python (--target)
    // is passed through as well.
    let target = sb.root.join("target-dir");
    let mut args = vec![
        "install".to_string(),
        "-q".into(),
        "--target".into(),
        target.to_string_lossy().into_owned(),
    ];
    args.extend(sb.find_links());
    args.push(OTHER.into());
    let o = run(
        sb.pip(&args.iter().map(String::as_str).collect::<Vec<_>>()),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(!sb.audit_log().exists(), "passthrough never logs");
}

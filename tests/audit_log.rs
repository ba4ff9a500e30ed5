//! The audit log: concurrent appends from separate processes stay whole,
//! nothing is truncated, secrets never reach it, and a log that cannot be
//! written is a warning that still carries the record.
//!
//! Writers are separate processes: this test binary runs itself with
//! `AL_CHILD_LOG` set (see `child`).

use pip_guard::audit_log::{self, Action, LoggedRequirement, Record};
use pip_guard::origin::Origin;
use pip_guard::policy::{AuditLogSettings, Mode, Verdict};
use pip_guard::resolve::Tier;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cr3t-T0KEN-value";
/// Big enough that a line could never go out in one write by accident:
/// well over PIPE_BUF (4096) and a typical page.
const PAD: usize = 48 * 1024;

fn record(id: &str) -> Record {
    let argv: Vec<String> = [
        "pip",
        "install",
        "--index-url",
        &format!("https://user:{TOKEN}@pypi.example/simple"),
        &format!("--extra-index-url=https://{TOKEN}@extra.example/simple"),
        &format!("pkg @ https://me:{TOKEN}@files.example/pkg-1.0.whl"),
        &format!("marker-{id}"),
        &"x".repeat(PAD),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Record::new(
        &pip_guard::settings::Env::default(),
        &argv,
        Path::new("/work/proj"),
        Mode::Enforce,
        vec![".pip-guard.toml".into()],
        vec![
            LoggedRequirement {
                origin: Origin::File {
                    file: std::path::Path::new("requirements.txt").into(),
                    line: 3,
                },
                raw: format!("pkg @ https://me:{TOKEN}@files.example/pkg-1.0.whl"),
                name: Some("pkg".into()),
                tier: Tier::DevShell,
                verdict: Verdict::Block,
            },
            LoggedRequirement {
                origin: Origin::Arg(4),
                raw: format!("marker-{id}"),
                name: Some(format!("marker-{id}")),
                tier: Tier::Pip,
                verdict: Verdict::Allow,
            },
        ],
        Action::Blocked,
    )
}

/// Child mode: wait for the go file, append one record, exit.
#[test]
fn child() {
    let Ok(log) = std::env::var("AL_CHILD_LOG") else {
        return;
    };
    let id = std::env::var("AL_CHILD_ID").unwrap_or_default();
    if let Ok(go) = std::env::var("AL_CHILD_GO") {
        let start = Instant::now();
        while !Path::new(&go).exists() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let ok = audit_log::append_or_warn(Path::new(&log), &record(&id));
    std::process::exit(if ok { 0 } else { 7 });
}

fn spawn_child(log: &Path, id: usize, go: Option<&Path>) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1", "-q"])
        .env("AL_CHILD_LOG", log)
        .env("AL_CHILD_ID", id.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if let Some(go) = go {
        cmd.env("AL_CHILD_GO", go);
    }
    cmd.spawn().expect("spawn the test binary")
}

#[test]
fn two_hundred_concurrent_writers_leave_two_hundred_whole_lines() {
    const N: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("state/pip-guard/audit.log");
    let go = dir.path().join("go");
    // A line from before must survive: the log is never truncated.
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, "{\"earlier\":true}\n").unwrap();

    let children: Vec<_> = (0..N).map(|i| spawn_child(&log, i, Some(&go))).collect();
    // Let them all start and wait on the go file, then release them at once.
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(&go, "").unwrap();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer {i}: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        N + 1,
        "expected {N} lines after the earlier one"
    );
    assert_eq!(lines[0], "{\"earlier\":true}");
    let mut ids = std::collections::BTreeSet::new();
    let mut pids = std::collections::BTreeSet::new();
    for (n, line) in lines[1..].iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is torn ({e}): {}…", n + 2, &line[..200]));
        assert_eq!(v["schema"], "pip-guard.log/v1");
        assert_eq!(v["argv"][7].as_str().unwrap().len(), PAD, "line {}", n + 2);
        let marker = v["argv"][6].as_str().unwrap().to_string();
        assert!(ids.insert(marker.clone()), "duplicate {marker}");
        pids.insert(v["pid"].as_u64().unwrap());
        assert!(!line.contains(TOKEN));
    }
    assert_eq!(ids.len(), N);
    assert_eq!(pids.len(), N, "each line from its own process");
}

#[test]
fn a_record_has_every_field_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("new/dir/audit.log");
    audit_log::append(&log, &record("one")).unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(TOKEN), "token leaked into the log");
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let time = v["time"].as_str().unwrap();
    assert!(
        time.len() == 24 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );
    for key in ["user", "host", "cwd"] {
        assert!(!v[key].as_str().unwrap().is_empty(), "{key}");
    }
    assert_eq!(v["pid"], std::process::id());
    assert_eq!(v["action"], "blocked");
    assert_eq!(v["mode"], "enforce");
    assert_eq!(v["argv"][3], "https://****@pypi.example/simple");
    assert_eq!(
        v["argv"][4],
        "--extra-index-url=https://****@extra.example/simple"
    );
    let r = &v["requirements"][0];
    assert_eq!(r["origin"]["file"], "requirements.txt");
    assert_eq!(r["origin"]["line"], 3);
    assert_eq!(r["tier"], "dev-shell");
    assert_eq!(r["verdict"], "block");
    assert_eq!(r["raw"], "pkg @ https://****@files.example/pkg-1.0.whl");
    assert_eq!(v["requirements"][1]["origin"]["arg"], 4);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the log holds command lines: owner only");
        let mode = std::fs::metadata(log.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700);
    }
}

#[test]
fn an_unwritable_log_is_a_warning_with_the_record() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the log's directory should be.
    let blocker = dir.path().join("state");
    std::fs::write(&blocker, "not a dir").unwrap();
    let log: PathBuf = blocker.join("audit.log");
    let out = spawn_child(&log, 5, None).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 7 is the child's "append_or_warn returned false": no panic (101).
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains("pip-guard: warning: cannot append to the audit log"),
        "{stderr}"
    );
    assert!(stderr.contains(&log.display().to_string()), "{stderr}");
    // Not a silent loss: the record itself is on stderr, redacted.
    let json_line = stderr
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("the record on stderr");
    let v: serde_json::Value = serde_json::from_str(json_line).unwrap();
    assert_eq!(v["argv"][6], "marker-5");
    assert!(!stderr.contains(TOKEN));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a dir");
}

#[test]
fn a_disabled_log_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let off = AuditLogSettings {
        enabled: false,
        path: Some(path.clone()),
    };
    assert!(!audit_log::log(
        &pip_guard::settings::Settings::default(),
        &off,
        &record("x")
    ));
    assert!(!path.exists());
    let on = AuditLogSettings {
        enabled: true,
        path: Some(path.clone()),
    };
    assert!(audit_log::log(
        &pip_guard::settings::Settings::default(),
        &on,
        &record("y")
    ));
    assert!(audit_log::log(
        &pip_guard::settings::Settings::default(),
        &on,
        &record("z")
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2);
}

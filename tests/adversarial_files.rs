//! Adversarial files (issue 10 items 6, 8, 9, 15): every file pip-guard
//! reads or appends to is what it claims to be.
//!
//! Covered, each by a real attempt with the built binary (or the library's
//! own append path in a child process) and a check of what happened:
//!
//! - a `.pip-guard.toml` symlinked to `/proc/self/environ`: `policy check`
//!   exits 2 and prints no byte of the environment (a `GITHUB_TOKEN`-like
//!   variable is set);
//! - a policy file that is `/dev/zero`, `/dev/stdin` (an open, silent pipe)
//!   or a FIFO: refused at once (exit 2), no hang, no memory blow-up (the
//!   child runs under a 1 GiB address-space limit);
//! - a requirements file that is a FIFO or `/dev/zero`: refused (exit 2);
//! - a policy error quotes at most the offending line, cut and escaped: a
//!   100 KB line with a secret at its end and an ESC in it;
//! - the audit log at a FIFO path: no hang, the record goes to stderr; a
//!   symlinked log is not followed (the target is untouched); on a full disk
//!   (RLIMIT_FSIZE in a child) no partial line stays and the next record is
//!   not glued to anything;
//! - a locked policy file that is world-writable or owned by another
//!   non-root user is refused (exit 2), as sudo refuses such a sudoers.

mod common;

use common::TestEnv;
use pip_guard::audit_log::{self, Action, Record};
use pip_guard::policy::Mode;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "ghp_SeCrEt0123456789abcdefTOKEN";

/// What a bounded run produced.
#[derive(Debug)]
struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run the built binary sealed in `env`, with a 1 GiB address-space limit,
/// and kill it if it has not finished after 30 s (a hang is a failure).
fn run_bounded(env: &TestEnv, args: &[&str], extra: &[(&str, &str)], stdin: Stdio) -> Out {
    let mut c = Command::new(common::bin());
    for (k, _) in std::env::vars_os() {
        if common::sealed_out(&k.to_string_lossy()) {
            c.env_remove(&k);
        }
    }
    c.envs(env.vars())
        .envs(extra.iter().map(|(k, v)| (*k, *v)))
        .current_dir(&env.cwd)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        c.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let mut child = c.spawn().expect("start pip-guard");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pip-guard {args:?} hung (killed after 30 s)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[test]
fn a_project_file_linked_to_proc_environ_prints_no_environment() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink("/proc/self/environ", env.path(".pip-guard.toml")).expect("symlink");
    let o = run_bounded(
        &env,
        &["policy", "check"],
        &[("GITHUB_TOKEN", SECRET)],
        Stdio::null(),
    );
    assert_eq!(o.code, Some(2), "{o:#?}");
    assert!(
        !o.stdout.contains(SECRET) && !o.stderr.contains(SECRET),
        "{o:#?}"
    );
    assert!(!o.stderr.contains("HOME="), "no environment at all: {o:#?}");
    assert!(o.stderr.contains("procfs"), "says why: {o:#?}");
    // `policy show` and an audit read the same layer the same way.
    for args in [&["policy", "show"][..], &["audit", "x"][..]] {
        let o = run_bounded(&env, args, &[("GITHUB_TOKEN", SECRET)], Stdio::null());
        assert_eq!(o.code, Some(2), "{args:?}: {o:#?}");
        assert!(!o.stderr.contains(SECRET), "{args:?}: {o:#?}");
    }
}

#[test]
fn policy_files_that_are_devices_pipes_or_fifos_are_refused_at_once() {
    let env = TestEnv::new();
    let fifo = env.path("policy.fifo");
    mkfifo(&fifo);
    let fifo_s = fifo.display().to_string();
    for (path, says) in [
        ("/dev/zero", "character device"),
        ("/dev/stdin", "FIFO"),
        (fifo_s.as_str(), "FIFO"),
    ] {
        for (how, args, extra) in [
            (
                "PIP_GUARD_POLICY",
                vec!["policy", "show"],
                vec![("PIP_GUARD_POLICY", path)],
            ),
            ("policy check", vec!["policy", "check", path], vec![]),
            (
                "audit --policy",
                vec!["audit", "--policy", path, "x"],
                vec![],
            ),
        ] {
            // stdin: a pipe that stays open and silent, as a stuck producer.
            let o = run_bounded(&env, &args, &extra, Stdio::piped());
            assert_eq!(o.code, Some(2), "{path} via {how}: {o:#?}");
            assert!(o.stderr.contains(says), "{path} via {how}: {o:#?}");
        }
    }
}

#[test]
fn requirement_files_that_are_fifos_or_devices_are_refused() {
    let env = TestEnv::new();
    let fifo = env.path("req.fifo");
    mkfifo(&fifo);
    for path in ["req.fifo", "/dev/zero"] {
        let o = run_bounded(
            &env,
            &["audit", "--index", "embedded", "-r", path],
            &[],
            Stdio::null(),
        );
        assert_eq!(o.code, Some(2), "{path}: {o:#?}");
        assert!(o.stderr.contains("not a regular file"), "{path}: {o:#?}");
    }
}

#[test]
fn policy_errors_quote_one_cut_escaped_line() {
    let env = TestEnv::new();
    let long = format!(
        "mode = \"enforce\"\nbad = \"\u{1b}]0;pwned\u{7}{}{SECRET}\"\n",
        "x".repeat(100_000)
    );
    env.write("p.toml", long);
    let o = run_bounded(&env, &["policy", "check", "p.toml"], &[], Stdio::null());
    assert_eq!(o.code, Some(2), "{o:#?}");
    assert!(
        o.stderr.contains("p.toml:2:"),
        "names file and line: {o:#?}"
    );
    assert!(!o.stderr.contains(SECRET), "the line is cut: {o:#?}");
    assert!(!o.stderr.contains('\u{1b}'), "ESC is escaped: {o:#?}");
    assert!(o.stderr.contains("\\e]0;pwned"), "shown escaped: {o:#?}");
    assert!(o.stderr.len() < 2_000, "{} bytes of error", o.stderr.len());
}

#[test]
fn locked_policies_others_can_write_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let p = env.write(
        "locked.toml",
        "mode = \"enforce\"\ndeny = [\"torch*\"]\nlocked = true\n",
    );
    let show = |env: &TestEnv| {
        run_bounded(
            env,
            &["policy", "show"],
            &[("PIP_GUARD_SYSTEM_POLICY", "locked.toml")],
            Stdio::null(),
        )
    };
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let o = show(&env);
    assert_eq!(o.code, Some(0), "a safe lock is accepted: {o:#?}");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let o = show(&env);
    assert_eq!(o.code, Some(2), "{o:#?}");
    assert!(o.stderr.contains("writable by every user"), "{o:#?}");
    // The guard's own pipeline refuses it too: nothing is planned.
    let o = run_bounded(
        &env,
        &["audit", "--index", "embedded", "torchvision"],
        &[("PIP_GUARD_SYSTEM_POLICY", "locked.toml")],
        Stdio::null(),
    );
    assert_eq!(o.code, Some(2), "{o:#?}");
    // Owned by another non-root user (needs root to chown).
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&p, Some(65534), Some(65534)).expect("chown nobody");
        let o = show(&env);
        assert_eq!(o.code, Some(2), "{o:#?}");
        assert!(o.stderr.contains("owned by uid 65534"), "{o:#?}");
        // An unlocked file of another user is only a layer, not refused.
        std::fs::write(&p, "mode = \"enforce\"\n").expect("rewrite");
        assert_eq!(show(&env).code, Some(0));
    } else {
        eprintln!("not root: the other-owner case needs chown and is skipped");
    }
}

fn record(tag: &str) -> Record {
    Record::new(
        &pip_guard::settings::Env::default(),
        &["pip".into(), "install".into(), tag.into()],
        Path::new("/work"),
        Mode::Enforce,
        vec![],
        vec![],
        Action::Blocked,
    )
}

/// Child mode: append one record to `AF_LOG` (under the file size limit
/// `AF_FSIZE`, with SIGXFSZ ignored, like a full disk), exit 0 if it landed.
#[test]
fn child() {
    let Ok(log) = std::env::var("AF_LOG") else {
        return;
    };
    let tag = std::env::var("AF_TAG").unwrap_or_default();
    let ok = audit_log::append_or_warn(Path::new(&log), &record(&tag));
    std::process::exit(if ok { 0 } else { 7 });
}

fn append_in_child(log: &Path, tag: &str, fsize: Option<u64>) -> (bool, String) {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1", "-q"])
        .env("AF_LOG", log)
        .env("AF_TAG", tag)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(limit) = fsize {
        // SAFETY: signal and setrlimit are async-signal-safe.
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
                Ok(())
            });
        }
    }
    let out = cmd.output().expect("run the child");
    (
        out.status.code() == Some(0),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_full_disk_leaves_no_partial_line_and_the_next_record_stands_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.log");
    std::fs::write(&log, "{\"earlier\":true}\n").expect("seed");
    let before = std::fs::read(&log).expect("read");
    // Room for a few more bytes only: the record cannot fit.
    let (ok, stderr) = append_in_child(&log, "full-disk", Some(before.len() as u64 + 40));
    assert!(!ok, "the append must fail: {stderr}");
    assert!(
        stderr.contains("full-disk"),
        "the record is on stderr: {stderr}"
    );
    assert_eq!(
        std::fs::read(&log).expect("read"),
        before,
        "no partial line is left"
    );
    let (ok, stderr) = append_in_child(&log, "after", None);
    assert!(ok, "{stderr}");
    let text = std::fs::read_to_string(&log).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for l in &lines {
        serde_json::from_str::<serde_json::Value>(l).expect("every line is JSON");
    }
    assert!(lines[1].contains("\"after\""));
}

#[test]
fn an_unterminated_line_does_not_swallow_the_next_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.log");
    std::fs::write(&log, "{\"crashed\":tr").expect("seed");
    assert!(audit_log::append_or_warn(&log, &record("next")));
    let text = std::fs::read_to_string(&log).expect("read");
    let last = text.lines().last().expect("a line");
    let v: serde_json::Value = serde_json::from_str(last).expect("the new record is whole");
    assert_eq!(v["argv"][2], "next");
}

#[test]
fn an_audit_log_that_is_a_fifo_does_not_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.log");
    mkfifo(&log);
    // No reader: the non-blocking open fails at once. In a thread, so a
    // hang fails the test instead of stopping it.
    let (tx, rx) = std::sync::mpsc::channel();
    let l = log.clone();
    std::thread::spawn(move || {
        let _ = tx.send(audit_log::append_or_warn(&l, &record("fifo")));
    });
    let landed = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("append_or_warn hung on a FIFO");
    assert!(!landed);
    // With a reader holding it open, it is still refused (not a regular file).
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&log)
        .expect("open the FIFO for reading");
    let (tx, rx) = std::sync::mpsc::channel();
    let l = log.clone();
    std::thread::spawn(move || {
        let _ = tx.send(audit_log::append_or_warn(&l, &record("fifo2")));
    });
    assert!(!rx.recv_timeout(Duration::from_secs(30)).expect("no hang"));
    let mut buf = [0u8; 64];
    let n = std::io::Read::read(&mut &reader, &mut buf).unwrap_or(0);
    assert_eq!(n, 0, "nothing was written into the FIFO");
}

use std::os::unix::fs::OpenOptionsExt;

#[test]
fn a_symlinked_audit_log_is_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target: PathBuf = dir.path().join("victim");
    std::fs::write(&target, "precious\n").expect("seed");
    let log = dir.path().join("audit.log");
    std::os::unix::fs::symlink(&target, &log).expect("symlink");
    let (ok, stderr) = append_in_child(&log, "via-link", None);
    assert!(!ok);
    assert!(stderr.contains("symbolic link"), "warns: {stderr}");
    assert!(
        stderr.contains("via-link"),
        "the record is on stderr: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "precious\n"
    );
}

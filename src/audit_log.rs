//! The audit log: one JSON line per block or fallthrough (see
//! `docs/audit-log.md`).
//!
//! Appends are atomic under concurrency: the file is opened with
//! `O_APPEND`, an exclusive lock is taken, the whole line goes out in one
//! `write_all`, and the lock is released. The log is never truncated or
//! rewritten. A log that cannot be written is a warning on stderr that
//! carries the record itself: never a crash, never a silent loss.

use crate::origin::Origin;
use crate::plan::Plan;
use crate::policy::{AuditLogSettings, Mode, Verdict};
use crate::redact::redact;
use crate::requirements::Requirement;
use crate::resolve::Tier;
use crate::settings::{Env, Settings};
use serde::Serialize;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The `schema` field of every line.
pub const SCHEMA: &str = "pip-guard.log/v1";

/// How long to wait for another writer's lock before writing anyway
/// (`O_APPEND` keeps a single write whole even then).
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// What the guard finally did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Nothing was installed: the policy blocked at least one requirement.
    Blocked,
    /// The requirements went to the real pip.
    Fallthrough,
    /// The user answered no at the confirmation prompt.
    Declined,
    /// `--dry-run`: nothing was to be installed.
    DryRun,
    /// After a fallthrough: the installed distributions' modules were
    /// imported (`imports` holds the results).
    ImportCheck,
}

impl Action {
    /// The log spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Blocked => "blocked",
            Action::Fallthrough => "fallthrough",
            Action::Declined => "declined",
            Action::DryRun => "dry-run",
            Action::ImportCheck => "import-check",
        }
    }
}

/// One requirement as logged.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequirement {
    /// Where it was written.
    pub origin: Origin,
    /// The requirement as written (redacted).
    pub raw: String,
    /// The PEP 503 name, when it has one.
    pub name: Option<String>,
    /// Its tier.
    pub tier: Tier,
    /// The policy's verdict.
    pub verdict: Verdict,
}

impl LoggedRequirement {
    /// From a collected requirement and its tier and verdict.
    pub fn new(req: &Requirement, tier: Tier, verdict: Verdict) -> LoggedRequirement {
        LoggedRequirement {
            origin: req.origin.clone(),
            raw: redact(&req.raw).into_owned(),
            name: req.normalized.as_deref().map(str::to_string),
            tier,
            verdict,
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    /// The login name (`$USER`, `$LOGNAME`), or `uid N`.
    pub user: String,
    /// The numeric user id (Unix), for when `$USER` lies.
    pub uid: Option<u32>,
    /// The host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
    /// The working directory.
    pub cwd: String,
    /// The command line, secrets redacted.
    pub argv: Vec<String>,
    /// The policy mode in force.
    pub mode: Mode,
    /// The policy files that contributed.
    pub policy: Vec<String>,
    /// Each requirement with its tier and verdict.
    pub requirements: Vec<LoggedRequirement>,
    /// What the guard finally did.
    pub action: Action,
    /// `import-check`: each module imported after the install.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imports: Option<Vec<crate::wheels::imports::Import>>,
    /// `import-check`: why the check itself failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_error: Option<String>,
}

impl Record {
    /// A record stamped now, for this user, host and process. `argv` is
    /// redacted here.
    pub fn new(
        env: &Env,
        argv: &[String],
        cwd: &Path,
        mode: Mode,
        policy: Vec<String>,
        requirements: Vec<LoggedRequirement>,
        action: Action,
    ) -> Record {
        Record {
            schema: SCHEMA,
            time: rfc3339(SystemTime::now()),
            user: user_name(env),
            uid: uid(),
            host: host_name(env),
            pid: std::process::id(),
            cwd: redact(&cwd.to_string_lossy()).into_owned(),
            argv: argv.iter().map(|a| redact(a).into_owned()).collect(),
            mode,
            policy,
            requirements,
            action,
            imports: None,
            import_error: None,
        }
    }

    /// A record for a guard run: mode, policy files and every requirement
    /// with its tier and verdict come from the plan.
    pub fn for_plan(env: &Env, argv: &[String], cwd: &Path, plan: &Plan, action: Action) -> Record {
        let requirements = plan
            .entries
            .iter()
            .map(|e| LoggedRequirement::new(&e.req, e.res.tier, e.verdict))
            .collect();
        Record::new(
            env,
            argv,
            cwd,
            plan.policy_mode,
            plan.policy_sources.clone(),
            requirements,
            action,
        )
    }

    /// The JSON line, newline included. Redacted once more as a whole, so a
    /// secret that slipped into any field still never reaches the file.
    pub fn to_line(&self) -> String {
        // Serializing plain strings, enums and numbers cannot fail; fall back
        // to a minimal line rather than losing the event.
        let json = serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                r#"{{"schema":"{SCHEMA}","time":"{}","action":"{}","error":{:?}}}"#,
                self.time,
                self.action.as_str(),
                e.to_string()
            )
        });
        let mut line = redact(&json).into_owned();
        line.push('\n');
        line
    }
}

/// The default log file: `audit.log` in the XDG state dir
/// (`$XDG_STATE_HOME/pip-guard/`), else `~/.local/state/pip-guard/`.
pub fn default_path(settings: &Settings) -> Option<PathBuf> {
    settings.dirs.state.as_ref().map(|d| d.join("audit.log"))
}

/// Why a line could not be appended.
#[derive(Debug)]
pub struct AppendError {
    /// The log file.
    pub path: PathBuf,
    /// What failed.
    pub source: std::io::Error,
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot append to the audit log {}: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for AppendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Append one record as one line. Creates the directory (0700) and the
/// file (0600) when missing; never truncates.
pub fn append(path: &Path, record: &Record) -> Result<(), AppendError> {
    append_line(path, &record.to_line())
}

fn append_line(path: &Path, line: &str) -> Result<(), AppendError> {
    let err = |source| AppendError {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir).map_err(err)?;
        }
    }
    let mut opts = OpenOptions::new();
    opts.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
        // Never follow a symlink at the log's path, never block on a FIFO
        // (no reader: ENXIO at once), never take a terminal as ours.
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let refused = |e: crate::safefile::FileError| {
        err(std::io::Error::other(match e {
            crate::safefile::FileError::Io(io) => io.to_string(),
            other => format!("{other}"),
        }))
    };
    let mut file = opts
        .open(path)
        .map_err(|e| refused(crate::safefile::FileError::from(e)))?;
    crate::safefile::check_regular(&file).map_err(refused)?;
    let locked = lock(&file);
    if !locked {
        crate::output::eprintln(&format!(
            "pip-guard: warning: the audit log {} stayed locked for {}s; appending without the lock",
            path.display(),
            LOCK_WAIT.as_secs()
        ));
    }
    // Under the lock nobody else appends: if the line does not go out whole
    // (disk full, file size limit), cut the file back to where it was, so
    // no partial line stays and the next record starts on a line of its own.
    let before = file.metadata().map(|m| m.len()).ok();
    // A line left unterminated by an older writer (a crash) does not swallow
    // this record: start on a fresh line.
    let mut out = std::borrow::Cow::Borrowed(line);
    #[cfg(unix)]
    if let Some(len) = before.filter(|&l| l > 0 && locked) {
        let mut last = [0u8; 1];
        if std::os::unix::fs::FileExt::read_at(&file, &mut last, len - 1).ok() == Some(1)
            && last[0] != b'\n'
        {
            out = std::borrow::Cow::Owned(format!("\n{line}"));
        }
    }
    let written = file.write_all(out.as_bytes()).map_err(err);
    if written.is_err() && locked {
        if let Some(len) = before {
            let _ = file.set_len(len);
        }
    }
    if locked {
        // Closing the file releases the lock too; an unlock error is moot.
        let _ = file.unlock();
    }
    written
}

/// Take the exclusive lock, waiting at most [`LOCK_WAIT`].
fn lock(file: &File) -> bool {
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return true,
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => return false,
        }
    }
}

/// Append, or say on stderr why not — with the record itself, so the event
/// is not lost. Returns whether the line reached the file.
pub fn append_or_warn(path: &Path, record: &Record) -> bool {
    let line = record.to_line();
    match append_line(path, &line) {
        Ok(()) => true,
        Err(e) => {
            let _ = crate::output::print(
                crate::output::Stream::Stderr,
                crate::output::Kind::Text,
                &format!("pip-guard: warning: {e}; the record was:\n{line}"),
            );
            false
        }
    }
}

/// Log a record as the policy's `[audit_log]` says: nothing when disabled,
/// the configured or default path otherwise. Returns whether it was written.
pub fn log(process: &Settings, settings: &AuditLogSettings, record: &Record) -> bool {
    if !settings.enabled {
        return false;
    }
    match settings.path.clone().or_else(|| default_path(process)) {
        Some(path) => append_or_warn(&path, record),
        None => {
            let _ = crate::output::print(
                crate::output::Stream::Stderr,
                crate::output::Kind::Text,
                &format!(
                    "pip-guard: warning: no home directory, so no audit log; the record was:\n{}",
                    record.to_line()
                ),
            );
            false
        }
    }
}

/// RFC 3339 in UTC with milliseconds, e.g. `2025-03-01T12:00:00.123Z`.
pub fn rfc3339(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%S.%3fZ")
        .to_string()
}

fn user_name(env: &Env) -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| env.nonempty(v))
        .map(String::from)
        .or_else(|| uid().map(|u| format!("uid {u}")))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(unix)]
fn uid() -> Option<u32> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    Some(unsafe { libc::geteuid() })
}

#[cfg(not(unix))]
fn uid() -> Option<u32> {
    None
}

#[cfg(unix)]
fn host_name(env: &Env) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most
    // that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        if let Ok(s) = std::str::from_utf8(&buf[..end]) {
            if !s.is_empty() {
                return s.to_string();
            }
        }
    }
    env.get("HOSTNAME").unwrap_or("unknown").to_string()
}

#[cfg(not(unix))]
fn host_name(env: &Env) -> String {
    env.get("COMPUTERNAME").unwrap_or("unknown").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        let at = |s: u64, ms: u64| {
            rfc3339(std::time::UNIX_EPOCH + Duration::from_secs(s) + Duration::from_millis(ms))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        // 2000-02-29 (leap day of a century leap year) 12:34:56.789
        assert_eq!(at(951_827_696, 789), "2000-02-29T12:34:56.789Z");
        // 2024-12-31T23:59:59Z
        assert_eq!(at(1_735_689_599, 0), "2024-12-31T23:59:59.000Z");
        // 2100-03-01 (2100 is not a leap year)
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn line_is_one_redacted_json_object() {
        let r = Record::new(
            &Env::default(),
            &[
                "pip".into(),
                "install".into(),
                "--index-url=https://me:s3cret@pypi.example/simple".into(),
                "x".into(),
            ],
            Path::new("/tmp"),
            Mode::Enforce,
            vec![".pip-guard.toml".into()],
            vec![],
            Action::Blocked,
        );
        let line = r.to_line();
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        assert!(!line.contains("s3cret"));
        let v: serde_json::Value = serde_json::from_str(&line).expect("test setup");
        assert_eq!(v["action"], "blocked");
        assert_eq!(v["mode"], "enforce");
        assert_eq!(v["argv"][2], "--index-url=https://****@pypi.example/simple");
    }
}

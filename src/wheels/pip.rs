//! Asking the real pip what it would install (`install --dry-run --report`,
//! pip ≥ 22.2) for exactly the command the fallthrough will run, and getting
//! those files once.
//!
//! - The report is written to a temporary file (not `--report -`), so that
//!   a user's `-v` cannot mix pip's log into it.
//! - The guard's dry run keeps `--user` and no `--ignore-installed`: the
//!   report lists what this install would really add to the user site.
//!   `audit --check-wheels` adds `--ignore-installed`: CI audits a fresh
//!   install, whatever the auditing machine has.
//! - Files: a `file://` wheel (a `--find-links` directory, a local path) is
//!   read where it is; an `http(s)://` wheel is fetched once with `pip
//!   download --no-deps` (the same index, auth and TLS options, each line
//!   pinned to the URL and hash the report gave) into a temporary
//!   directory, which the install then reads with `--no-index
//!   --find-links DIR`: pip resolves the same requirements again, offline,
//!   from the files that were checked.

use crate::guard::pip_input::PipInput;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One distribution pip would install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.version`.
    pub version: String,
    /// `download_info.url` (may name a private index: redact before printing).
    pub url: String,
    /// Asked for directly (not a dependency).
    pub requested: bool,
    /// A wheel archive (not an sdist, directory or VCS checkout).
    pub wheel: bool,
    /// `sha256` from the report, when given.
    pub sha256: Option<String>,
    /// The wheel on disk, once known.
    pub file: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    install: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    download_info: DownloadInfo,
    #[serde(default)]
    requested: bool,
    metadata: Metadata,
}

#[derive(Deserialize)]
struct DownloadInfo {
    url: String,
    archive_info: Option<ArchiveInfo>,
}

#[derive(Deserialize)]
struct ArchiveInfo {
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    hash: Option<String>,
}

#[derive(Deserialize)]
struct Metadata {
    name: String,
    version: String,
}

/// Why pip could not say what it would install, or fetch it.
#[derive(Debug, thiserror::Error)]
pub enum PipError {
    /// pip's report is not JSON of the expected shape.
    #[error("pip's report is not what pip ≥ 22.2 writes: {0}")]
    BadReport(serde_json::Error),
    /// No temporary directory for the report.
    #[error("could not create a temporary directory: {0}")]
    TempDir(std::io::Error),
    /// Only local projects: nothing to ask pip about.
    #[error("nothing for pip to resolve")]
    NothingToResolve,
    /// pip's input files could not be written.
    #[error("could not write pip's input: {0}")]
    WriteInput(std::io::Error),
    /// pip could not be started.
    #[error("could not run {} -m pip: {error}", .python.display())]
    Spawn {
        /// The interpreter.
        python: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// pip ran and failed.
    #[error("pip {what} failed ({status}): {tail}")]
    Failed {
        /// The pip command (`install --dry-run`, `download`).
        what: &'static str,
        /// pip's exit status.
        status: std::process::ExitStatus,
        /// The last lines of pip's stderr, secrets redacted.
        tail: String,
    },
    /// pip succeeded but its report cannot be read.
    #[error("pip wrote no report: {0}")]
    NoReport(std::io::Error),
}

/// Parse pip's installation report.
pub fn parse_report(json: &str) -> Result<Vec<Planned>, PipError> {
    let r: Report = serde_json::from_str(json).map_err(PipError::BadReport)?;
    Ok(r.install
        .into_iter()
        .map(|i| {
            let path = i.download_info.url.split(['#', '?']).next().unwrap_or("");
            let wheel = i.download_info.archive_info.is_some() && path.ends_with(".whl");
            let sha256 = i.download_info.archive_info.and_then(|a| {
                a.hashes.get("sha256").cloned().or_else(|| {
                    a.hash
                        .and_then(|h| h.strip_prefix("sha256=").map(String::from))
                })
            });
            let file = url::Url::parse(&i.download_info.url)
                .ok()
                .filter(|u| u.scheme() == "file")
                .and_then(|u| u.to_file_path().ok())
                .filter(|_| wheel);
            Planned {
                name: i.metadata.name,
                version: i.metadata.version,
                url: i.download_info.url,
                requested: i.requested,
                wheel,
                sha256,
                file,
            }
        })
        .collect())
}

/// Run `input` (the fallthrough's own pip input, built by
/// [`crate::guard::pip_input`]) as a dry run and read pip's report. When
/// `report` is `None`, `--dry-run --report TMP` is added (the guard: the
/// same `--user` install, no `--ignore-installed`); `Some(file)`: `input`
/// was built with `Destination::Report(file)` (audit, nixify).
pub fn report(
    input: &PipInput,
    report: Option<&Path>,
    depth: u32,
) -> Result<Vec<Planned>, PipError> {
    let dir = tempfile::Builder::new()
        .prefix("pip-guard-report-")
        .tempdir()
        .map_err(PipError::TempDir)?;
    let mut input = input.clone();
    let file = match report {
        Some(f) => f.to_path_buf(),
        None => {
            let f = dir.path().join("report.json");
            input.args.push("--dry-run".into());
            input.args.push(format!("--report={}", f.display()));
            f
        }
    };
    input.args.push("--quiet".into());
    let mut cmd = if input.requirements.is_empty() {
        return Err(PipError::NothingToResolve);
    } else {
        input.write(depth).map_err(PipError::WriteInput)?
    };
    run(&mut cmd.command, &input.python, "install --dry-run")?;
    let text = std::fs::read_to_string(&file).map_err(PipError::NoReport)?;
    parse_report(&text)
}

fn run(cmd: &mut Command, python: &Path, what: &'static str) -> Result<(), PipError> {
    let out = cmd
        .stdin(Stdio::null())
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .map_err(|error| PipError::Spawn {
            python: python.to_path_buf(),
            error,
        })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let last: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = last[last.len().saturating_sub(6)..].join("\n");
    Err(PipError::Failed {
        what,
        status: out.status,
        tail: crate::redact::redact(&tail).into_owned(),
    })
}

/// Download the remote wheels of `planned` into `dir` (once) with `pip
/// download --no-deps`: the requirements file's option lines (index,
/// find-links, TLS: they may hold credentials, so they stay in a 0600
/// file), the download options of `input.args`, one line per wheel pinned
/// to the URL and hash pip reported. Sets each one's `file`.
pub fn fetch(
    input: &PipInput,
    planned: &mut [Planned],
    dir: &Path,
    depth: u32,
) -> Result<(), PipError> {
    let remote: Vec<usize> = (0..planned.len())
        .filter(|&i| planned[i].wheel && planned[i].file.is_none())
        .collect();
    if remote.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    for line in input.requirements.lines() {
        let t = line.trim_start();
        if t.starts_with('-') && !t.starts_with("-e") && !t.starts_with("--editable") {
            text.push_str(line);
            text.push('\n');
        }
    }
    for &i in &remote {
        let p = &planned[i];
        text.push_str(&format!("{} @ {}", p.name, p.url.replace(['\n', '\r'], "")));
        if let Some(h) = &p.sha256 {
            text.push_str(&format!(" --hash=sha256:{h}"));
        }
        text.push('\n');
    }
    let mut dl = input.clone();
    dl.args = ["download", "--no-deps", "--isolated", "--quiet"]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--dest={}", dir.display())])
        .chain(input.args.iter().filter(|a| download_option(a)).cloned())
        .collect();
    dl.requirements = text;
    dl.constraints = String::new();
    let mut w = dl.write(depth).map_err(PipError::WriteInput)?;
    run(&mut w.command, &input.python, "download")?;
    let got: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    for &i in &remote {
        let p = &mut planned[i];
        let want = (crate::names::normalize(&p.name), p.version.clone());
        p.file = got
            .iter()
            .find(|f| wheel_name_version(f).as_ref() == Some(&want))
            .cloned();
    }
    Ok(())
}

/// The normalized project name and version of a wheel file name
/// (`{name}-{version}-….whl`).
fn wheel_name_version(f: &Path) -> Option<(String, String)> {
    let n = f.file_name()?.to_str()?.strip_suffix(".whl")?;
    let mut parts = n.split('-');
    let name = parts.next()?;
    let version = parts.next()?;
    Some((crate::names::normalize(name), version.to_string()))
}

/// Whether a canonical `--long[=value]` install option is one `pip
/// download` takes and that matters for fetching.
fn download_option(arg: &str) -> bool {
    const OK: &[&str] = &[
        "index-url",
        "extra-index-url",
        "no-index",
        "find-links",
        "pre",
        "trusted-host",
        "cert",
        "client-cert",
        "proxy",
        "timeout",
        "retries",
        "keyring-provider",
        "isolated",
        "cache-dir",
        "no-cache-dir",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "only-binary",
        "no-binary",
        "prefer-binary",
        "use-feature",
        "use-deprecated",
    ];
    let long = arg
        .strip_prefix("--")
        .map(|a| a.split('=').next().unwrap_or(a))
        .unwrap_or("");
    OK.contains(&long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_items() {
        let json = r#"{"version":"1","pip_version":"23.0.1","install":[
          {"download_info":{"url":"file:///tmp/w%20x/a_b-1.0-cp311-cp311-linux_x86_64.whl",
            "archive_info":{"hash":"sha256=abc","hashes":{"sha256":"abc"}}},
           "is_direct":false,"requested":true,"metadata":{"name":"a-b","version":"1.0"}},
          {"download_info":{"url":"https://files.example/c-2.0.tar.gz","archive_info":{"hash":"sha256=def"}},
           "requested":false,"metadata":{"name":"c","version":"2.0"}},
          {"download_info":{"url":"file:///src/d","dir_info":{"editable":true}},
           "requested":true,"metadata":{"name":"d","version":"0.1"}}]}"#;
        let p = parse_report(json).expect("parses");
        assert_eq!(p.len(), 3);
        assert!(p[0].wheel && p[0].requested);
        assert_eq!(
            p[0].file.as_deref(),
            Some(Path::new("/tmp/w x/a_b-1.0-cp311-cp311-linux_x86_64.whl"))
        );
        assert_eq!(p[0].sha256.as_deref(), Some("abc"));
        assert!(!p[1].wheel, "an sdist");
        assert_eq!(p[1].sha256.as_deref(), Some("def"));
        assert!(!p[2].wheel && p[2].file.is_none(), "a directory");
        assert!(parse_report("{").is_err());
    }

    #[test]
    fn download_takes_only_its_options() {
        assert!(download_option("--index-url=https://x/simple"));
        assert!(download_option("--no-index"));
        assert!(!download_option("--upgrade"));
        assert!(!download_option("--force-reinstall"));
        assert!(!download_option("--constraint=c.txt"));
    }
}

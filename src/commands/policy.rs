//! `pip-guard policy show` and `pip-guard policy check [FILE]`.

use crate::audit_log;
use crate::cli::FormatArg;
use crate::error::InputError;
use crate::exit::Exit;
use crate::policy::file::{self, Trust};
use crate::policy::layers::LayerKind;
use crate::policy::load::{find_project_file, read_policy, Discovery, PROJECT_FILE};
use crate::policy::show;
use crate::settings::Settings;
use color_eyre::eyre::{self, WrapErr};
use std::path::Path;

/// Output format of `policy show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ShowFormat {
    /// TOML, each value followed by `# from FILE`.
    #[default]
    Text,
    /// One JSON object (schema `pip-guard.policy/v1`).
    Json,
}

/// Print text to stdout, escaped ([`crate::output`]); a closed pipe
/// (`| head`) is not an error.
fn print(text: &str) -> eyre::Result<()> {
    print_as(crate::output::Kind::Text, text)
}

/// Print `text` of `kind` to stdout, escaped for it.
fn print_as(kind: crate::output::Kind, text: &str) -> eyre::Result<()> {
    crate::output::print(crate::output::Stream::Stdout, kind, text)
        .wrap_err("cannot write to stdout")
}

/// The effective policy as `show` prints it (warnings are on stderr).
pub fn render(
    settings: &Settings,
    cwd: &Path,
    explicit: Option<&Path>,
    format: ShowFormat,
) -> eyre::Result<String> {
    let effective = Discovery::from_settings(settings, cwd, explicit).load()?;
    for w in &effective.warnings {
        crate::output::eprintln(&format!("pip-guard: warning: {w}"));
    }
    let default_log = audit_log::default_path(settings);
    Ok(match format {
        ShowFormat::Text => show::text(&effective, default_log.as_deref()),
        ShowFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(&show::json(&effective, default_log.as_deref()))?;
            s.push('\n');
            s
        }
    })
}

/// `pip-guard policy show [--format text|json]` in the working directory
/// (`PIP_GUARD_POLICY` names the top layer).
pub fn show(settings: &Settings, format: Option<FormatArg>) -> eyre::Result<Exit> {
    let format = match format {
        None | Some(FormatArg::Text) => ShowFormat::Text,
        Some(FormatArg::Json) => ShowFormat::Json,
        Some(other) => {
            return Err(InputError::new(format!(
                "policy show prints text or json, not {}",
                format!("{other:?}").to_lowercase()
            ))
            .into())
        }
    };
    let cwd = settings
        .cwd()
        .wrap_err("cannot read the working directory")?;
    show_in(settings, cwd, None, format)
}

/// `policy show` for a given directory and `--policy` file.
pub fn show_in(
    settings: &Settings,
    cwd: &Path,
    explicit: Option<&Path>,
    format: ShowFormat,
) -> eyre::Result<Exit> {
    let kind = match format {
        ShowFormat::Text => crate::output::Kind::Text,
        ShowFormat::Json => crate::output::Kind::Json,
    };
    print_as(kind, &render(settings, cwd, explicit, format)?)?;
    Ok(Exit::Success)
}

/// Validate one file (default: the nearest `.pip-guard.toml` from `cwd`)
/// and return the one-line summary. A file named `.pip-guard.toml` is
/// checked as a project file (it may not set paths).
pub fn check_in(settings: &Settings, cwd: &Path, path: Option<&Path>) -> eyre::Result<String> {
    let path = match path {
        Some(p) => cwd.join(p),
        None => find_project_file(settings, cwd).ok_or_else(|| {
            InputError::new(format!(
                "no {PROJECT_FILE} in {} or above (the search stops at a directory holding .git); \
                 name a file: pip-guard policy check FILE",
                cwd.display()
            ))
        })?,
    };
    let d = Discovery::from_settings(settings, cwd, None);
    let display = d.display(&path);
    let project = path.file_name().is_some_and(|n| n == PROJECT_FILE);
    let (kind, trust) = if project {
        (LayerKind::Project, Trust::Project)
    } else {
        (LayerKind::Explicit, Trust::Local)
    };
    let text = read_policy(&path, &display, kind, true)?
        .ok_or_else(|| InputError::new(format!("{display}: no such policy file")))?;
    let f = file::parse(&text, &path, &display, trust, d.home.as_deref())?;
    Ok(format!("{display}: ok ({})", f.summary()))
}

/// `pip-guard policy check [FILE]`: exit 0 with a summary, or 2 with the
/// error at `file:line:col`.
pub fn check(settings: &Settings, path: Option<&Path>) -> eyre::Result<Exit> {
    let cwd = settings
        .cwd()
        .wrap_err("cannot read the working directory")?;
    let line = check_in(settings, cwd, path)?;
    print(&format!("{line}\n"))?;
    Ok(Exit::Success)
}

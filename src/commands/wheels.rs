//! `pip-guard wheels FILE…`: read wheel files (no pip, no network) and say
//! whether the target interpreter's loader can load their native code.

use crate::cli::FormatArg;
use crate::error::{EnvError, InputError};
use crate::exit::Exit;
use crate::settings::Settings;
use crate::wheels;
use color_eyre::eyre;
use std::path::PathBuf;

/// Run the check on `files` for `python` (else the usual discovery).
pub fn run(
    settings: &Settings,
    format: Option<FormatArg>,
    python: Option<PathBuf>,
    files: &[PathBuf],
) -> eyre::Result<Exit> {
    let format = format.unwrap_or(FormatArg::Text);
    if !matches!(format, FormatArg::Text | FormatArg::Json) {
        return Err(eyre::eyre!(InputError::new(
            "wheels prints --format text or --format json"
        )));
    }
    for f in files {
        if !f.is_file() {
            return Err(eyre::eyre!(InputError::new(format!(
                "{}: no such file",
                f.display()
            ))));
        }
    }
    let python = python
        .or_else(|| crate::target::find_python(settings.guard_python(), settings.path()))
        .ok_or_else(|| {
            eyre::eyre!(EnvError(
                "no Python interpreter found (pass --python or set PIP_GUARD_PYTHON)".into()
            ))
        })?;
    let loader = wheels::loader_for(&python, &settings.env)
        .map_err(|e| eyre::eyre!(EnvError(e.to_string())))?;
    let inputs: Vec<wheels::Input> = files
        .iter()
        .map(|f| wheels::Input {
            path: f.clone(),
            project: None,
            version: None,
        })
        .collect();
    let checks = wheels::check(&inputs, &loader, &[], &|_| None);
    let bad = checks
        .iter()
        .any(|c| c.will_not_load() || c.error.is_some() || !c.unreadable.is_empty());
    let text = match format {
        FormatArg::Json => {
            let v = serde_json::json!({
                "python": python.display().to_string(),
                "loader": loader.kind.describe(),
                "interpreter_loader": loader.interp,
                "wheels": checks,
            });
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => {
            let mut out = format!(
                "Target: {} (loader: {})\n",
                python.display(),
                loader.kind.describe()
            );
            for c in &checks {
                if c.objects == 0 && c.error.is_none() {
                    out.push_str(&format!(
                        "  {}: no native code\n",
                        crate::escape::terminal(&c.file)
                    ));
                } else {
                    wheels::render::wheel(&mut out, c);
                }
            }
            out
        }
    };
    crate::output::print_stdout(&text)?;
    Ok(if bad { Exit::Blocked } else { Exit::Success })
}

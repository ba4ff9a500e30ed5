//! `pip-guard doctor [--format text|json]`: gather the facts, run the
//! checks, print them; exit 1 if any check fails.

use crate::cli::FormatArg;
use crate::doctor;
use crate::error::InputError;
use crate::exit::Exit;
use crate::index::Lookup;
use color_eyre::eyre;

/// Run the checks and print them in `format` (text by default).
pub fn run(settings: &crate::settings::Settings, format: Option<FormatArg>) -> eyre::Result<Exit> {
    let format = format.unwrap_or(FormatArg::Text);
    if !matches!(format, FormatArg::Text | FormatArg::Json) {
        return Err(eyre::eyre!(InputError::new(
            "doctor prints --format text or --format json"
        )));
    }
    let facts = doctor::gather(settings);
    // The embedded snapshot: offline, instant, and enough to spot shadowing.
    // A Nix-store Python's own set, else nixpkgs' default (as the guard).
    let package_set = facts
        .python
        .as_ref()
        .filter(|p| {
            p.real
                .starts_with(crate::index::Environment::from_settings(settings).store_dir())
        })
        .map(|p| format!("python{}Packages", p.version.replace('.', "")))
        .unwrap_or_else(|| crate::target::DEFAULT_SET.to_string());
    let index = Some(crate::index::Index::embedded(&package_set));
    let lookup = |name: &str| -> Option<String> {
        match index.as_ref()?.lookup(name) {
            Lookup::Found { package, .. } => Some(package.attr),
            _ => None,
        }
    };
    let checks = doctor::checks(&facts, &lookup);
    use crate::output::Kind;
    let (kind, text) = match format {
        FormatArg::Json => (Kind::Json, doctor::render_json(&checks)),
        _ => {
            let color = crate::output::color(crate::output::Stream::Stdout);
            (Kind::Text, doctor::render_text(&checks, color))
        }
    };
    crate::output::print_stdout_as(kind, &text)?;
    Ok(if doctor::failures(&checks) > 0 {
        Exit::Blocked
    } else {
        Exit::Success
    })
}

//! `pip-guard explain NAME`: the guard's reasoning for one requirement.

use crate::cli::{FormatArg, IndexChoice};
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::pipeline::{self, PlanFlags};
use crate::render;
use crate::settings::Settings;
use color_eyre::eyre;

/// Explain one requirement (`numpy>=1.26`, `openai-whisper`): every option
/// that applies, first tier first, the Nix to paste and the priority order.
pub fn run(
    settings: &Settings,
    requirement: &str,
    format: Option<FormatArg>,
    index: Option<IndexChoice>,
) -> eyre::Result<Exit> {
    let args = vec!["--".to_string(), requirement.to_string()];
    let inv = parse_install(&args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let out = pipeline::run(
        &inv,
        settings,
        &PlanFlags {
            index,
            policy: None,
        },
    )?;
    use crate::output::Kind;
    let (kind, text) = match format.unwrap_or(FormatArg::Text) {
        FormatArg::Json => (Kind::Json, render::json::render(&out.plan)),
        _ => {
            let style = render::text::Style::for_stream(crate::output::Stream::Stdout);
            (Kind::Text, crate::render::guard::one(&out.plan, &style))
        }
    };
    crate::output::print_stdout_as(kind, &text)?;
    Ok(Exit::Success)
}

//! `pip-guard explain NAME`: the guard's reasoning for one requirement.

use crate::cli::{FormatArg, IndexChoice};
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::pipeline::{self, Settings};
use crate::render;
use color_eyre::eyre;

/// Explain one requirement (`numpy>=1.26`, `openai-whisper`): every option
/// that applies, first tier first, the Nix to paste and the priority order.
pub fn run(
    requirement: &str,
    format: Option<FormatArg>,
    index: Option<IndexChoice>,
) -> eyre::Result<Exit> {
    let args = vec!["--".to_string(), requirement.to_string()];
    let inv = parse_install(&args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let cwd = std::env::current_dir()?;
    let out = pipeline::run(
        &inv,
        &Settings {
            index,
            policy: None,
            ..Settings::default()
        },
        &cwd,
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

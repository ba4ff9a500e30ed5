//! `pip-guard nixify ARGS…`: a `flake.nix` with a dev shell for a whole
//! requirements set (the same arguments as `pip install`).

use crate::cli::IndexChoice;
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::nixsnip::Suggestion;
use crate::pipeline::{self, Settings};
use color_eyre::eyre;
use std::path::PathBuf;

/// Print the flake for the requirements `args` name.
pub fn run(index: Option<IndexChoice>, args: &[String]) -> eyre::Result<Exit> {
    let inv = parse_install(args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let index = match &inv.own.index {
        Some(v) => Some(
            <IndexChoice as clap::ValueEnum>::from_str(v, false).map_err(|_| {
                eyre::eyre!(crate::error::InputError::new(format!(
                    "invalid value {v:?} for --index (expected auto, nix, channel or embedded)"
                )))
            })?,
        ),
        None => index,
    };
    let cwd = std::env::current_dir()?;
    let out = pipeline::run(
        &inv,
        &Settings {
            index,
            policy: inv.own.policy.as_ref().map(PathBuf::from),
        },
        &cwd,
    )?;
    let flake = Suggestion::from_plan(&out.plan).flake();
    crate::output::print_stdout(&flake)?;
    Ok(Exit::Success)
}

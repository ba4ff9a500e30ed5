//! `pip-guard nixify ARGS…`: a flake.nix dev shell for a requirements set.
use crate::cli::IndexChoice;
use crate::exit::Exit;
/// Print the flake (stub until the guard's Nix generator lands).
pub fn run(_index: Option<IndexChoice>, _args: &[String]) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}

//! `pip-guard policy show|check` (stub until the policy lands).
use crate::cli::FormatArg;
use crate::exit::Exit;
use std::path::Path;
/// Show the effective policy.
pub fn show(_format: Option<FormatArg>) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}
/// Check a policy file.
pub fn check(_file: Option<&Path>) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}

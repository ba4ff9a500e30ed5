//! `pip-guard doctor` (stub until the doctor lands).
use crate::cli::FormatArg;
use crate::exit::Exit;
/// Run the checks.
pub fn run(_format: Option<FormatArg>) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}

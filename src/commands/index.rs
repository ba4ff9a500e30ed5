//! `pip-guard index update|status` (stub until the index lands).
use crate::cli::IndexChoice;
use crate::exit::Exit;
/// Download a channel listing.
pub fn update(_channel: &str, _from: Option<&str>) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}
/// Report the index.
pub fn status(_choice: IndexChoice) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}

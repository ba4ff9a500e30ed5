//! `pip-guard init SHELL` (stub until the shell integration lands).
use crate::cli::ShellArg;
use crate::exit::Exit;
/// Print the snippet.
pub fn run(_shell: ShellArg) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}

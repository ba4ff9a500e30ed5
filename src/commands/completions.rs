//! `pip-guard completions SHELL` and `pip-guard man`.

use crate::cli::Cli;
use crate::exit::Exit;
use clap::CommandFactory;

/// Print completions for `shell`.
pub fn completions(shell: clap_complete::Shell) -> color_eyre::Result<Exit> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "pip-guard", &mut buf);
    crate::output::print_stdout_as(crate::output::Kind::Raw, &String::from_utf8_lossy(&buf))?;
    Ok(Exit::Success)
}

/// Print the man page.
pub fn man() -> color_eyre::Result<Exit> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    crate::output::print_stdout_as(crate::output::Kind::Raw, &String::from_utf8_lossy(&buf))?;
    Ok(Exit::Success)
}

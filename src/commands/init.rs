//! `pip-guard init bash|zsh|fish`: print the shell snippet (nothing else).

use crate::cli::ShellArg;
use crate::error::EnvError;
use crate::exit::Exit;
use crate::shell::{render, Shell};
use color_eyre::eyre;

impl From<ShellArg> for Shell {
    fn from(s: ShellArg) -> Shell {
        match s {
            ShellArg::Bash => Shell::Bash,
            ShellArg::Zsh => Shell::Zsh,
            ShellArg::Fish => Shell::Fish,
        }
    }
}

/// Print the snippet for `shell`, with this binary's absolute path written in.
pub fn run(settings: &crate::settings::Settings, shell: ShellArg) -> eyre::Result<Exit> {
    let exe = settings.self_exe.clone().ok_or_else(|| {
        EnvError(format!(
            "cannot find the path of the pip-guard binary; source shell/pip-guard.{} instead",
            Shell::from(shell).name()
        ))
    })?;
    let Some(snippet) = render(shell.into(), &exe) else {
        return Err(eyre::eyre!(EnvError(format!(
            "the path of the pip-guard binary ({}) cannot be written in a shell word; \
             source shell/pip-guard.{} instead",
            crate::escape::terminal_os(exe.as_os_str()),
            Shell::from(shell).name()
        ))));
    };
    crate::output::print_stdout_bytes(&snippet)?;
    Ok(Exit::Success)
}

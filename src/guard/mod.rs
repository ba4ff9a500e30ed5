//! The guard: the command people alias as `pip`.
//!
//! Every command but `install` (and `--version`, help, no command at all)
//! goes straight to the real pip by `exec`: its output, exit status, stdin
//! and signals are pip's own, and nothing is loaded first (no index, no
//! policy, no Python probe). `install` is planned, explained and maybe
//! passed on ([`install`]). See `docs/guard.md`.
//!
//! - pip's top level (`pip [general options] COMMAND …`) is split by
//!   [`crate::invocation::toplevel::split_command`];
//! - [`realpip`]: finding the real pip, loop protection, exec;
//! - [`install`]: the install flow, one pass over the pipeline's stages;
//! - [`route`]: whether an install is planned, and where it goes (pure);
//! - the text is a renderer: [`crate::render::guard`];
//! - [`prompt`]: the explicit yes;
//! - [`pip_input`]: everything handed to pip, from validated names and
//!   vetted options only;
//! - [`fallthrough`]: running that pip, signals, cleanup;
//! - [`sources`]: pip's configuration (files and `PIP_*`), read as pip does.

pub mod fallthrough;
pub mod install;
pub mod pip_input;
pub mod prompt;
pub mod realpip;
pub mod route;
pub mod sources;

use crate::error::InputError;
use crate::exit::Exit;
use crate::settings::Settings;
use color_eyre::eyre;
use std::ffi::OsString;

/// Run as pip (`argv0` is the name we were called by: `pip`, `pip3`, `pip3.N`).
pub fn run(settings: &Settings, argv0: &str, args: &[OsString]) -> eyre::Result<Exit> {
    let depth = realpip::incoming_depth(settings.env.get_os(realpip::ACTIVE_VAR));
    realpip::check_depth(depth).map_err(|e| eyre::eyre!(e))?;
    let lossy: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let install = match crate::invocation::toplevel::split_command(&lossy) {
        Ok(top) if top.command.as_deref() == Some("install") => Some(top),
        Ok(_) => None,
        // pip refuses this command line too; but if it could be an
        // install, refuse it here rather than hand it over unguarded.
        Err(msg) if lossy.iter().any(|a| a == "install") => {
            return Err(eyre::eyre!(InputError::new(format!(
                "{msg} (pip-guard's own --guard-* flags go after `install`)"
            ))));
        }
        Err(_) => None,
    };
    match install {
        None => {
            let real = realpip::locate(argv0, &realpip::Env::from_settings(settings))
                .map_err(|e| eyre::eyre!(e))?;
            Err(eyre::eyre!(realpip::exec(&real, args, depth)))
        }
        Some(top) => {
            if let Some(bad) = args.iter().position(|a| a.to_str().is_none()) {
                return Err(eyre::eyre!(InputError::new(format!(
                    "argument {} of `pip install` is not valid UTF-8",
                    bad + 1
                ))));
            }
            install::run(settings, argv0, &top.rest, depth)
        }
    }
}

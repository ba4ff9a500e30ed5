//! The guard: pip drop-in. Every command but `install` goes to the real pip
//! by exec; `install` is planned, explained and maybe passed on.

use crate::exit::Exit;
use std::ffi::OsString;

/// Run as pip (`argv0` is the name we were called by).
pub fn run(_argv0: &str, _args: &[OsString]) -> color_eyre::Result<Exit> {
    Ok(Exit::Success)
}

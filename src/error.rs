//! Error kinds that decide the exit code. Everything else is an
//! `eyre::Report` with context; the root cause's kind picks the status.

use crate::exit::Exit;
use crate::origin::Origin;
use std::fmt;

/// Bad input: a requirement, file, flag or policy the user must fix. Exit 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Where the fault is, when known (`file:line` or argv index).
    pub origin: Option<Origin>,
    /// What is wrong and, when useful, what was expected.
    pub message: String,
}

impl InputError {
    /// An input error at a known place.
    pub fn at(origin: Origin, message: impl Into<String>) -> Self {
        InputError {
            origin: Some(origin),
            message: message.into(),
        }
    }
    /// An input error with no particular place.
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            origin: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(o) => write!(f, "{o}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// The environment failed (network, cache, nix, exec). Exit 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError(pub String);

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EnvError {}

/// The exit status for an error report: the first typed cause decides.
pub fn exit_for(report: &color_eyre::eyre::Report) -> Exit {
    for cause in report.chain() {
        if cause.downcast_ref::<InputError>().is_some() {
            return Exit::Usage;
        }
        if cause.downcast_ref::<EnvError>().is_some() {
            return Exit::Environment;
        }
    }
    Exit::Environment
}

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
    /// For a fault inside an included file: the `-r`/`-c` lines that
    /// included it, outermost first, down to the one naming the file at fault.
    pub included_from: Vec<Origin>,
}

impl InputError {
    /// An input error at a known place.
    pub fn at(origin: Origin, message: impl Into<String>) -> Self {
        InputError {
            origin: Some(origin),
            message: message.into(),
            included_from: Vec::new(),
        }
    }
    /// An input error with no particular place.
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            origin: None,
            message: message.into(),
            included_from: Vec::new(),
        }
    }

    /// An input error about the file as a whole or one of its lines, with
    /// no place to point at but `origin` (which may be `None`).
    pub fn maybe_at(origin: Option<Origin>, message: impl Into<String>) -> Self {
        InputError {
            origin,
            message: message.into(),
            included_from: Vec::new(),
        }
    }

    /// Record the include chain of the file the error is in (`chain` ends
    /// with the line that named that file), unless a deeper file already
    /// did. An error pointing at the including line itself (the file could
    /// not be read) keeps only the chain above that line.
    pub fn in_file_included_from(mut self, chain: &[Origin]) -> Self {
        if !self.included_from.is_empty() || chain.is_empty() {
            return self;
        }
        let upto = match (&self.origin, chain.last()) {
            (Some(o), Some(last)) if o == last => chain.len() - 1,
            _ => chain.len(),
        };
        // A file named on the command line is "included" by nothing.
        self.included_from = chain[..upto]
            .iter()
            .filter(|o| matches!(o, Origin::File { .. }))
            .cloned()
            .collect();
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(o) => write!(f, "{o}: {}", self.message)?,
            None => f.write_str(&self.message)?,
        }
        // Nearest includer first, as compilers print "included from".
        for o in self.included_from.iter().rev() {
            write!(f, "\n  included from {o}")?;
        }
        Ok(())
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

//! pip's `install` argv grammar, exactly (pip 26.3), with no I/O.
//!
//! [`options`] holds the one table of pip's install options; [`parse`]
//! turns an argument vector into an [`Invocation`] the way pip's optparse
//! parser does (long-option abbreviations, `--opt=value`, clustered short
//! flags, `--` ends options).

pub mod options;
pub mod parse;
pub mod toplevel;
pub mod values;

pub use options::{Opt, OptSpec, INSTALL_OPTIONS};
pub use parse::{parse_install, Mode, OwnFlags};
pub use toplevel::{split_command, TopLevel};

/// One parsed item of an install command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A pip option, with its value when it takes one.
    Opt {
        /// The option's definition.
        spec: &'static OptSpec,
        /// The value, if the option takes one.
        value: Option<String>,
        /// 0-based index of the argument where the option starts.
        index: usize,
        /// The argument(s) exactly as written (for passing on to pip).
        written: Vec<String>,
    },
    /// A positional argument: a requirement specifier.
    Positional {
        /// 0-based index among the install arguments.
        index: usize,
        /// The argument.
        value: String,
    },
}

/// A parsed `pip install` (or `pip-guard audit`) command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// pip options and positional arguments, in order.
    pub items: Vec<Item>,
    /// pip-guard's own flags found among the arguments.
    pub own: OwnFlags,
}

impl Invocation {
    /// All values of an option, in order (e.g. every `-r FILE`).
    pub fn values(&self, opt: Opt) -> impl Iterator<Item = &str> + '_ {
        self.items.iter().filter_map(move |it| match it {
            Item::Opt { spec, value, .. } if spec.id == opt => value.as_deref(),
            _ => None,
        })
    }

    /// Whether an option was given at least once.
    pub fn has(&self, opt: Opt) -> bool {
        self.items
            .iter()
            .any(|it| matches!(it, Item::Opt { spec, .. } if spec.id == opt))
    }

    /// The last value of an option (pip's `store` semantics).
    pub fn last(&self, opt: Opt) -> Option<&str> {
        self.values(opt).last()
    }
}

//! pip's top-level command line: `pip [general options] COMMAND [args]`.
//!
//! pip's main parser (`pip._internal.cli.main_parser.parse_command`) knows
//! `-V/--version` and the general options, and stops at the first positional
//! argument: the command. It then hands the command *all* arguments but the
//! first occurrence of the command's name, so general options given before
//! the command are parsed again by the command's own parser.

use super::options::{global_options, OptSpec};
use super::parse::{run, Grammar};
use super::Item;
use crate::error::InputError;
use std::sync::OnceLock;

/// pip 26.3's commands, in pip's order.
pub const PIP_COMMANDS: &[&str] = &[
    "install",
    "lock",
    "download",
    "uninstall",
    "freeze",
    "inspect",
    "list",
    "show",
    "check",
    "config",
    "search",
    "cache",
    "index",
    "wheel",
    "hash",
    "completion",
    "debug",
    "help",
];

/// A split `pip …` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopLevel {
    /// The general options before the command, as parsed items (indices
    /// are positions in the whole argv).
    pub general: Vec<Item>,
    /// The command (`install`, `list`, `help`, …). `None` when pip prints
    /// its version (`-V`) or its help (`-h`, no command, or a lone `help`)
    /// instead of running a command.
    pub command: Option<String>,
    /// What pip passes to the command: argv without the first occurrence
    /// of the command's name (general options included). Empty when
    /// `command` is `None`.
    pub rest: Vec<String>,
}

impl TopLevel {
    /// `-V/--version` was given: pip prints its version.
    pub fn version(&self) -> bool {
        self.has("version")
    }

    /// `-h/--help` was given among the general options.
    pub fn help(&self) -> bool {
        self.has("help")
    }

    /// `--python PYTHON`: pip re-runs itself under that interpreter (the
    /// last value wins, as for any `store` option).
    pub fn python(&self) -> Option<&str> {
        self.general.iter().rev().find_map(|it| match it {
            Item::Opt { spec, value, .. } if spec.dest == "python" => value.as_deref(),
            _ => None,
        })
    }

    fn has(&self, dest: &str) -> bool {
        self.general
            .iter()
            .any(|it| matches!(it, Item::Opt { spec, .. } if spec.dest == dest))
    }
}

fn global_table() -> &'static [&'static OptSpec] {
    static TABLE: OnceLock<Vec<&'static OptSpec>> = OnceLock::new();
    TABLE.get_or_init(|| global_options().collect())
}

/// Whether `name` is one of pip's commands.
pub fn is_pip_command(name: &str) -> bool {
    PIP_COMMANDS.contains(&name)
}

/// Split `pip`'s argv (without the program name) as pip's `parse_command` does.
///
/// Errors where pip errors: a bad general option, or an unknown command
/// (unless `--version` or `--python` decided first). With `--python`, pip
/// re-runs itself under that interpreter with the same argv; the split is
/// still returned, and [`TopLevel::python`] tells.
pub fn split_command(argv: &[String]) -> Result<TopLevel, InputError> {
    let parsed = run(
        argv,
        Grammar {
            table: global_table(),
            own: None,
            interspersed: false,
        },
    )?;
    let mut top = TopLevel {
        general: parsed.items,
        command: None,
        rest: Vec::new(),
    };
    if parsed.help || top.python().is_some() || top.version() {
        // Help printed during parsing; --python re-runs pip; --version prints.
        if !parsed.help && top.python().is_some() && !top.version() {
            // pip re-runs itself: what the command will be is still useful.
            fill_command(&mut top, argv, parsed.rest);
        }
        return Ok(top);
    }
    let else_args = argv.get(parsed.rest..).unwrap_or_default();
    if else_args.is_empty() || (else_args.len() == 1 && else_args[0] == "help") {
        return Ok(top);
    }
    let name = &else_args[0];
    if !is_pip_command(name) {
        return Err(InputError::new(format!("unknown command \"{name}\"")));
    }
    fill_command(&mut top, argv, parsed.rest);
    Ok(top)
}

fn fill_command(top: &mut TopLevel, argv: &[String], rest: usize) {
    let Some(name) = argv.get(rest) else {
        return;
    };
    let mut args = argv.to_vec();
    if let Some(pos) = args.iter().position(|a| a == name) {
        args.remove(pos);
    }
    top.command = Some(name.clone());
    top.rest = args;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(a: &[&str]) -> Result<TopLevel, InputError> {
        split_command(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn command_after_general_options() {
        let t = split(&["-v", "--isolated", "install", "--user", "x"]).expect("ok");
        assert_eq!(t.command.as_deref(), Some("install"));
        assert_eq!(t.rest, ["-v", "--isolated", "--user", "x"]);
        assert_eq!(t.general.len(), 2);
    }

    #[test]
    fn version_help_and_no_command() {
        assert!(split(&["--version"]).expect("ok").version());
        assert!(split(&["-V", "install"]).expect("ok").command.is_none());
        assert!(split(&[]).expect("ok").command.is_none());
        assert!(split(&["help"]).expect("ok").command.is_none());
        let t = split(&["help", "install"]).expect("ok");
        assert_eq!(t.command.as_deref(), Some("help"));
        assert!(split(&["-h", "--frob"]).expect("ok").help());
    }

    #[test]
    fn value_that_looks_like_the_command() {
        // pip removes the first occurrence of the command's name, even when
        // it was an option's value: `--log install install x` → `--log install x`.
        let t = split(&["--log", "install", "install", "x"]).expect("ok");
        assert_eq!(t.command.as_deref(), Some("install"));
        assert_eq!(t.rest, ["--log", "install", "x"]);
    }

    #[test]
    fn errors() {
        assert!(split(&["instal"]).is_err());
        assert!(split(&["--frob", "install"]).is_err());
        // --ver is ambiguous in the main parser (--verbose, --version).
        assert!(split(&["--ver", "install"]).is_err());
        // Options are not interspersed: an install option before the command is unknown.
        assert!(split(&["--user", "install"]).is_err());
    }

    #[test]
    fn python_reruns() {
        let t = split(&["--python", "/usr/bin/python3", "install", "x"]).expect("ok");
        assert_eq!(t.python(), Some("/usr/bin/python3"));
        assert_eq!(t.command.as_deref(), Some("install"));
        // An unknown command is the other pip's business.
        assert!(split(&["--python", "py", "frob"]).is_ok());
    }
}

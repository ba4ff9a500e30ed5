//! pip's top-level command line: `pip [general options] COMMAND [args]`.
//!
//! pip's main parser (`pip._internal.cli.main_parser.parse_command`) knows
//! `-V/--version` and the general options, and stops at the first positional
//! argument: the command. It then hands the command *all* arguments but the
//! first occurrence of the command's name, so general options given before
//! the command are parsed again by the command's own parser.

use super::options::{global_options, Opt, OptSpec};
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
        self.has(Opt::Version)
    }

    /// `-h/--help` was given among the general options.
    pub fn help(&self) -> bool {
        self.has(Opt::Help)
    }

    /// `--python PYTHON`: pip re-runs itself under that interpreter (the
    /// last value wins, as for any `store` option).
    #[cfg(test)]
    pub fn python(&self) -> Option<&str> {
        self.general.iter().rev().find_map(|it| match it {
            Item::Opt { spec, value, .. } if spec.id == Opt::Python => value.as_deref(),
            _ => None,
        })
    }

    fn has(&self, opt: Opt) -> bool {
        self.general
            .iter()
            .any(|it| matches!(it, Item::Opt { spec, .. } if spec.id == opt))
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
/// (unless `-h` or `--version` decided first). With `--python X`, pip
/// re-runs itself under X with the same argv, where the same split happens:
/// `--python` is among [`TopLevel::general`], and the command is the one
/// X's pip runs.
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
    if parsed.help || top.version() {
        // Help was printed during parsing; --version prints and exits.
        return Ok(top);
    }
    let else_args = argv.get(parsed.rest..).unwrap_or_default();
    if else_args.is_empty() || (else_args.len() == 1 && else_args[0] == "help") {
        return Ok(top);
    }
    let name = &else_args[0];
    if !is_pip_command(name) {
        let mut msg = format!("unknown command \"{name}\"");
        if let Some(guess) = similar_command(name) {
            msg.push_str(&format!(" - maybe you meant \"{guess}\""));
        }
        return Err(InputError::new(msg));
    }
    fill_command(&mut top, argv, parsed.rest);
    Ok(top)
}

/// pip's `get_similar_commands`: difflib's `get_close_matches(name,
/// commands)` (cutoff 0.6), first of the best.
pub fn similar_command(name: &str) -> Option<&'static str> {
    let word: Vec<char> = name.chars().collect();
    let mut scored: Vec<(f64, &'static str)> = PIP_COMMANDS
        .iter()
        .map(|c| {
            let x: Vec<char> = c.chars().collect();
            let total = x.len() + word.len();
            let ratio = if total == 0 {
                1.0
            } else {
                2.0 * matching_chars(&x, &word) as f64 / total as f64
            };
            (ratio, *c)
        })
        .filter(|(r, _)| *r >= 0.6)
        .collect();
    // heapq.nlargest over (score, word): ties go to the larger word.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(a.1)));
    scored.first().map(|(_, c)| *c)
}

/// difflib's `SequenceMatcher(None, a, b)`: total size of the matching blocks
/// (longest common block, then recursively left and right of it).
fn matching_chars(a: &[char], b: &[char]) -> usize {
    let mut queue = vec![(0, a.len(), 0, b.len())];
    let mut total = 0;
    while let Some((alo, ahi, blo, bhi)) = queue.pop() {
        let (i, j, k) = longest_match(a, b, alo, ahi, blo, bhi);
        if k > 0 {
            total += k;
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
    }
    total
}

/// difflib's `find_longest_match` without junk: the longest block, the
/// earliest in `a`, then the earliest in `b`.
fn longest_match(
    a: &[char],
    b: &[char],
    alo: usize,
    ahi: usize,
    blo: usize,
    bhi: usize,
) -> (usize, usize, usize) {
    let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
    let mut prev = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate().take(ahi).skip(alo) {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, cb) in b.iter().enumerate().take(bhi).skip(blo) {
            if ca == cb {
                let k = if j > blo { prev[j - 1] } else { 0 } + 1;
                cur[j] = k;
                if k > bestsize {
                    (besti, bestj, bestsize) = (i + 1 - k, j + 1 - k, k);
                }
            }
        }
        prev = cur;
    }
    (besti, bestj, bestsize)
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
    fn similar_commands_like_difflib() {
        assert_eq!(similar_command("instal"), Some("install"));
        assert_eq!(similar_command("lst"), Some("list"));
        assert_eq!(similar_command("zzzzzz"), None);
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
        // The other pip rejects an unknown command just the same.
        assert!(split(&["--python", "py", "frob"]).is_err());
    }
}

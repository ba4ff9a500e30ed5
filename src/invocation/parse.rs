//! optparse's algorithm, as pip runs it for `install`.

use super::options::{OptSpec, Role, INSTALL_OPTIONS};
use super::values::check_value;
use super::{Invocation, Item};
use crate::error::InputError;
use crate::origin::Origin;
use std::sync::OnceLock;

/// Which of pip-guard's own flags may appear among pip's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `pip-guard audit`: `--format`, `--nix-index`, `--policy`, `--strict`.
    Audit,
    /// The `pip install` wrapper: `--guard-yes`, `--guard-all`, `--guard-index`, `--guard-policy`.
    Guard,
}

/// pip-guard's own flags. They match only when spelled exactly (never by
/// abbreviation), so every abbreviation pip accepts keeps its meaning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnFlags {
    /// `--format text|json|markdown|github` (audit).
    pub format: Option<String>,
    /// `--nix-index auto|nix|channel|embedded` (audit) / `--guard-index` (guard).
    /// (Not `--index`: pip reads that as an abbreviation of `--index-url`.)
    pub index: Option<String>,
    /// `--policy FILE` (audit) / `--guard-policy FILE` (guard).
    pub policy: Option<String>,
    /// `--strict`: warnings fail too (audit).
    pub strict: bool,
    /// `--guard-yes`: confirm the fallthrough without a prompt.
    pub yes: bool,
    /// `--guard-all`: send every requirement to pip.
    pub all: bool,
    /// `--check-wheels`: read the wheels pip would install (audit).
    pub check_wheels: bool,
}

/// Own flags: (spelling, takes value, mode).
const OWN: &[(&str, bool, Mode)] = &[
    ("format", true, Mode::Audit),
    ("nix-index", true, Mode::Audit),
    ("policy", true, Mode::Audit),
    ("strict", false, Mode::Audit),
    ("check-wheels", false, Mode::Audit),
    ("guard-yes", false, Mode::Guard),
    ("guard-all", false, Mode::Guard),
    ("guard-index", true, Mode::Guard),
    ("guard-policy", true, Mode::Guard),
];

fn set_own(own: &mut OwnFlags, name: &str, value: Option<String>) {
    match name {
        "format" => own.format = value,
        "nix-index" | "guard-index" => own.index = value,
        "policy" | "guard-policy" => own.policy = value,
        "strict" => own.strict = true,
        "check-wheels" => own.check_wheels = true,
        "guard-yes" => own.yes = true,
        "guard-all" => own.all = true,
        _ => {}
    }
}

fn usage(index: usize, msg: impl std::fmt::Display) -> InputError {
    InputError::at(Origin::Arg(index), msg.to_string())
}

/// A long option that names no option, or more than one; the message is
/// optparse's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LongOptionError {
    /// No spelling starts with it.
    #[error("no such option: --{name}")]
    NoSuch {
        /// The option as written, without `--`.
        name: String,
    },
    /// More than one spelling starts with it.
    #[error("ambiguous option: --{name} ({}?)", dashed(.candidates))]
    Ambiguous {
        /// The option as written, without `--`.
        name: String,
        /// The spellings it could be, sorted.
        candidates: Vec<&'static str>,
    },
}

/// `--a, --b`.
fn dashed(spellings: &[&str]) -> String {
    let list: Vec<String> = spellings.iter().map(|c| format!("--{c}")).collect();
    list.join(", ")
}

/// Find a long option of pip's `install` parser the way optparse's
/// `_match_abbrev` does: an exact spelling wins, else a unique prefix, else an error.
#[cfg(test)]
pub fn match_long(name: &str) -> Result<&'static OptSpec, LongOptionError> {
    match_long_in(INSTALL_OPTIONS.iter(), name)
}

/// optparse's `_match_long_opt` over an option table. Every long spelling counts as its
/// own candidate, as in optparse: `--no-dep` is ambiguous between
/// `--no-deps` and `--no-dependencies` although both are one option.
pub fn match_long_in<'a>(
    table: impl Iterator<Item = &'a OptSpec>,
    name: &str,
) -> Result<&'a OptSpec, LongOptionError> {
    let mut found: Option<&'a OptSpec> = None;
    let mut candidates: Vec<&'static str> = Vec::new();
    for spec in table {
        for l in spec.long {
            if *l == name {
                return Ok(spec);
            }
            if l.starts_with(name) {
                candidates.push(l);
                found = Some(spec);
            }
        }
    }
    match (candidates.len(), found) {
        (1, Some(spec)) => Ok(spec),
        (0, _) => Err(LongOptionError::NoSuch {
            name: name.to_string(),
        }),
        _ => {
            candidates.sort_unstable();
            Err(LongOptionError::Ambiguous {
                name: name.to_string(),
                candidates,
            })
        }
    }
}

/// How one optparse run is set up.
#[derive(Clone, Copy)]
pub(crate) struct Grammar<'t> {
    /// The option table.
    pub table: &'t [&'static OptSpec],
    /// Which of pip-guard's own flags are recognised (none for pip's main parser).
    pub own: Option<Mode>,
    /// optparse's `allow_interspersed_args`: true for commands, false for
    /// pip's main parser (it stops at the first positional, the command).
    pub interspersed: bool,
}

/// What one optparse run produced.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// Options and (when interspersed) positionals, in order.
    pub items: Vec<Item>,
    /// pip-guard's own flags.
    pub own: OwnFlags,
    /// Without interspersed arguments: where the unparsed rest begins
    /// (optparse's `largs + rargs`); `args.len()` when everything was options.
    pub rest: usize,
    /// `-h/--help` was reached: optparse prints help and exits there, so
    /// nothing after it was parsed.
    pub help: bool,
}

/// optparse's `_process_args` over `args` with `grammar`.
pub(crate) fn run(args: &[String], grammar: Grammar<'_>) -> Result<Parsed, InputError> {
    let mut out = Parsed {
        rest: args.len(),
        ..Parsed::default()
    };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let step = if arg == "--" {
            end_of_options(args, i, grammar, &mut out);
            Step::Stop
        } else if let Some(body) = arg.strip_prefix("--") {
            long_option(args, i, body, grammar, &mut out)?
        } else if arg.len() > 1 && arg.starts_with('-') {
            short_cluster(args, i, grammar, &mut out)?
        } else if !grammar.interspersed {
            out.rest = i;
            Step::Stop
        } else {
            out.items.push(Item::Positional {
                index: i,
                value: arg.clone(),
            });
            Step::Next(1)
        };
        match step {
            Step::Next(n) => i += n,
            Step::Stop => break,
        }
    }
    Ok(out)
}

/// What one argument (with its value) amounted to.
enum Step {
    /// Go on after this many arguments.
    Next(usize),
    /// Stop parsing: `--`, the first positional of a non-interspersed
    /// grammar, or `-h`.
    Stop,
}

/// `--`: what follows is positional (or, for a non-interspersed grammar,
/// the rest, untouched).
fn end_of_options(args: &[String], i: usize, grammar: Grammar<'_>, out: &mut Parsed) {
    if grammar.interspersed {
        for (j, a) in args.iter().enumerate().skip(i + 1) {
            out.items.push(Item::Positional {
                index: j,
                value: a.clone(),
            });
        }
    } else {
        out.rest = i + 1;
    }
}

/// The value of an option that takes one: inline (`--opt=v`) or the next
/// argument. Returns it with how many arguments were used up.
fn option_value(
    args: &[String],
    i: usize,
    inline: Option<String>,
    missing: impl FnOnce() -> String,
) -> Result<(String, usize), InputError> {
    match inline {
        Some(v) => Ok((v, 1)),
        None => args
            .get(i + 1)
            .cloned()
            .map(|v| (v, 2))
            .ok_or_else(|| usage(i, missing())),
    }
}

/// A long option at `args[i]` (`body` is it without the `--`): one of
/// pip-guard's own flags, or an option of the grammar's table.
fn long_option(
    args: &[String],
    i: usize,
    body: &str,
    grammar: Grammar<'_>,
    out: &mut Parsed,
) -> Result<Step, InputError> {
    let (name, inline) = match body.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (body, None),
    };
    if grammar.own == Some(Mode::Audit) && name == "index" {
        // `--index auto|nix|channel|embedded` is pip-guard's (issue 3's
        // contract); with any other value it stays pip's abbreviation
        // of `--index-url`, exactly as pip reads it.
        let next = if inline.is_some() {
            inline.clone()
        } else {
            args.get(i + 1).cloned()
        };
        if let Some(v) = next.filter(|v| v.parse::<crate::index::load::IndexChoice>().is_ok()) {
            out.own.index = Some(v);
            return Ok(Step::Next(if inline.is_none() { 2 } else { 1 }));
        }
    }
    if let Some(mode) = grammar.own {
        if let Some(&(own, takes, _)) = OWN.iter().find(|(n, _, m)| *n == name && *m == mode) {
            let (value, used) = if takes {
                let (v, used) = option_value(args, i, inline, || {
                    format!("--{own} option requires 1 argument")
                })?;
                (Some(v), used)
            } else if inline.is_some() {
                return Err(usage(i, format!("--{own} option does not take a value")));
            } else {
                (None, 1)
            };
            set_own(&mut out.own, own, value);
            return Ok(Step::Next(used));
        }
    }
    let spec = match_long_in(grammar.table.iter().copied(), name).map_err(|m| usage(i, m))?;
    // optparse reports the option by the full spelling it matched.
    let matched = spec
        .long
        .iter()
        .find(|l| **l == name)
        .or_else(|| spec.long.iter().find(|l| l.starts_with(name)))
        .unwrap_or(&spec.long[0]);
    let opt = format!("--{matched}");
    let (value, used) = if spec.takes_value {
        let (v, used) = option_value(args, i, inline, || {
            format!("{opt} option requires 1 argument")
        })?;
        check_value(spec, &opt, &v).map_err(|m| usage(i, m))?;
        (Some(v), used)
    } else if inline.is_some() {
        return Err(usage(i, format!("{opt} option does not take a value")));
    } else {
        (None, 1)
    };
    out.items.push(Item::Opt {
        spec,
        value,
        index: i,
        written: args[i..i + used].to_vec(),
    });
    if spec.role == Role::Help {
        out.help = true;
        return Ok(Step::Stop);
    }
    Ok(Step::Next(used))
}

/// A cluster of short options at `args[i]`: `-qqU`, `-rfile`, `-r file`,
/// `-Ur file`. A value-taking option ends the cluster.
fn short_cluster(
    args: &[String],
    i: usize,
    grammar: Grammar<'_>,
    out: &mut Parsed,
) -> Result<Step, InputError> {
    let arg = &args[i];
    let chars: Vec<char> = arg[1..].chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let spec = grammar
            .table
            .iter()
            .copied()
            .find(|s| s.short == Some(c))
            .ok_or_else(|| usage(i, format!("no such option: -{c}")))?;
        if spec.takes_value {
            let rest: String = chars[k + 1..].iter().collect();
            let inline = (!rest.is_empty()).then_some(rest);
            let (value, used) = option_value(args, i, inline, || {
                format!("-{c} option requires 1 argument")
            })?;
            check_value(spec, &format!("-{c}"), &value).map_err(|m| usage(i, m))?;
            out.items.push(Item::Opt {
                spec,
                value: Some(value),
                index: i,
                written: args[i..i + used].to_vec(),
            });
            return Ok(Step::Next(used));
        }
        out.items.push(Item::Opt {
            spec,
            value: None,
            index: i,
            written: vec![arg.clone()],
        });
        if spec.role == Role::Help {
            out.help = true;
            return Ok(Step::Stop);
        }
    }
    Ok(Step::Next(1))
}

fn install_table() -> &'static [&'static OptSpec] {
    static TABLE: OnceLock<Vec<&'static OptSpec>> = OnceLock::new();
    TABLE.get_or_init(|| INSTALL_OPTIONS.iter().collect())
}

/// Parse the arguments after `install` (or after `audit`).
///
/// Indices in the result are 0-based positions in `args`. Like pip, parsing
/// stops at `-h/--help` (pip prints its help there and installs nothing):
/// the help option is then the last item.
pub fn parse_install(args: &[String], mode: Mode) -> Result<Invocation, InputError> {
    let parsed = run(
        args,
        Grammar {
            table: install_table(),
            own: Some(mode),
            interspersed: true,
        },
    )?;
    Ok(Invocation {
        items: parsed.items,
        own: parsed.own,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invocation::Opt;

    fn p(a: &[&str]) -> Result<Invocation, InputError> {
        parse_install(
            &a.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            Mode::Audit,
        )
    }

    #[test]
    fn requirement_in_every_spelling() {
        for args in [
            &["-r", "a.txt"][..],
            &["-ra.txt"],
            &["--requirement", "a.txt"],
            &["--requirement=a.txt"],
            &["-qra.txt"],
        ] {
            let inv = p(args).expect("parses");
            assert_eq!(
                inv.values(Opt::Requirement).collect::<Vec<_>>(),
                ["a.txt"],
                "{args:?}"
            );
        }
    }

    #[test]
    fn requirement_has_no_abbreviation() {
        // `--req…` is also --require-hashes, --require-virtualenv, and
        // --requirements-from-script: pip calls every abbreviation ambiguous.
        for args in [
            &["--req=a.txt"][..],
            &["--requ", "a.txt"],
            &["--requirem", "a"],
        ] {
            assert!(p(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn clusters_and_abbreviations() {
        let inv = p(&["-qqUr", "x.txt", "--break-sys", "pkg"]).expect("parses");
        assert_eq!(inv.values(Opt::Requirement).collect::<Vec<_>>(), ["x.txt"]);
        assert!(inv.has(Opt::BreakSystemPackages));
        assert!(inv.has(Opt::Upgrade));
        assert!(matches!(
            inv.items.last(),
            Some(Item::Positional { index: 3, .. })
        ));
    }

    #[test]
    fn ambiguous_and_unknown_are_errors() {
        assert!(p(&["--no-c"]).is_err()); // --no-clean, --no-compile, --no-cache-dir, --no-color
        assert!(p(&["--frobnicate"]).is_err());
        assert!(p(&["-Z"]).is_err());
        assert!(p(&["-r"]).is_err());
        assert!(p(&["--user=1"]).is_err());
    }

    #[test]
    fn double_dash_ends_options_and_values_may_start_with_dash() {
        let inv = p(&["-r", "-weird.txt", "--", "-notopt"]).expect("parses");
        assert_eq!(
            inv.values(Opt::Requirement).collect::<Vec<_>>(),
            ["-weird.txt"]
        );
        assert!(matches!(&inv.items[1], Item::Positional { value, .. } if value == "-notopt"));
    }

    #[test]
    fn own_flags_never_shadow_a_pip_spelling() {
        // An own flag must not be a spelling pip accepts (exactly or as an
        // abbreviation), or `pip-guard audit` would read a pip command line
        // differently from pip.
        for (name, _, _) in OWN {
            assert!(
                match_long(name).is_err(),
                "--{name} is a pip spelling: {:?}",
                match_long(name).map(|s| s.long[0])
            );
        }
    }

    #[test]
    fn help_stops_parsing_like_optparse() {
        // pip prints help at -h and exits: later errors are never reached.
        let inv = p(&["-h", "--frobnicate"]).expect("help wins");
        assert!(inv.has(Opt::Help));
        let inv = p(&["-qh", "-Z"]).expect("help wins in a cluster");
        assert!(inv.has(Opt::Help));
        assert!(p(&["--frobnicate", "-h"]).is_err());
    }

    #[test]
    fn values_are_checked_where_pip_checks_them() {
        assert!(p(&["--progress-bar", "sometimes"]).is_err());
        assert!(p(&["--progress-bar=off"]).is_ok());
        assert!(p(&["--retries", "many"]).is_err());
        assert!(p(&["--timeout", "1.5"]).is_ok());
        assert!(p(&["-C", "novalue"]).is_err());
        assert!(p(&["--python-version", "3.x"]).is_err());
        assert!(p(&["--no-binary", "-r"]).is_err());
        assert!(p(&["--group", "setup.cfg:dev"]).is_err());
    }

    #[test]
    fn an_abbreviation_of_two_aliases_is_ambiguous() {
        // optparse counts spellings, not options.
        assert!(p(&["--no-dep"]).is_err());
        assert!(p(&["--no-deps"]).is_ok());
        assert!(p(&["--sourc", "d"]).is_err());
    }

    #[test]
    fn own_flags_only_exact() {
        let inv = p(&["--format", "json", "--nix-index=embedded", "x"]).expect("parses");
        assert_eq!(inv.own.index.as_deref(), Some("embedded"));
        // `--index` with an index-source value is ours, in both spellings …
        let inv = p(&["x", "--index", "nix"]).expect("parses");
        assert_eq!(inv.own.index.as_deref(), Some("nix"));
        let inv = p(&["--index=channel", "x"]).expect("parses");
        assert_eq!(inv.own.index.as_deref(), Some("channel"));
        // … with any other value it is pip's abbreviation of --index-url.
        let inv = p(&["--index", "https://pypi.example/simple", "x"]).expect("parses");
        assert_eq!(inv.own.index, None);
        assert_eq!(inv.last(Opt::IndexUrl), Some("https://pypi.example/simple"));
        // `--inde` and `--index` are still pip's abbreviations of --index-url.
        for abbrev in ["--inde", "--index"] {
            let inv = p(&[abbrev, "https://x/simple"]).expect("parses");
            assert_eq!(inv.last(Opt::IndexUrl), Some("https://x/simple"));
        }
    }
}

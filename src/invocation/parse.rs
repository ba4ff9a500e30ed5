//! optparse's algorithm, as pip runs it for `install`.

use super::options::{OptSpec, INSTALL_OPTIONS};
use super::{Invocation, Item};
use crate::error::InputError;
use crate::origin::Origin;

/// Which of pip-guard's own flags may appear among pip's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `pip-guard audit`: `--format`, `--index`, `--policy`, `--strict`.
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
    /// `--index auto|nix|channel|embedded` (audit) / `--guard-index` (guard).
    pub index: Option<String>,
    /// `--policy FILE` (audit) / `--guard-policy FILE` (guard).
    pub policy: Option<String>,
    /// `--strict`: warnings fail too (audit).
    pub strict: bool,
    /// `--guard-yes`: confirm the fallthrough without a prompt.
    pub yes: bool,
    /// `--guard-all`: send every requirement to pip.
    pub all: bool,
}

/// Own flags: (spelling, takes value, mode).
const OWN: &[(&str, bool, Mode)] = &[
    ("format", true, Mode::Audit),
    ("index", true, Mode::Audit),
    ("policy", true, Mode::Audit),
    ("strict", false, Mode::Audit),
    ("guard-yes", false, Mode::Guard),
    ("guard-all", false, Mode::Guard),
    ("guard-index", true, Mode::Guard),
    ("guard-policy", true, Mode::Guard),
];

fn set_own(own: &mut OwnFlags, name: &str, value: Option<String>) {
    match name {
        "format" => own.format = value,
        "index" | "guard-index" => own.index = value,
        "policy" | "guard-policy" => own.policy = value,
        "strict" => own.strict = true,
        "guard-yes" => own.yes = true,
        "guard-all" => own.all = true,
        _ => {}
    }
}

fn usage(index: usize, msg: String) -> InputError {
    InputError::at(Origin::Arg(index), msg)
}

/// Find a long option the way optparse's `_match_abbrev` does: an exact
/// spelling wins, else a unique prefix, else an error.
pub fn match_long(name: &str) -> Result<&'static OptSpec, String> {
    let mut found: Option<&'static OptSpec> = None;
    let mut candidates: Vec<&'static str> = Vec::new();
    for spec in INSTALL_OPTIONS {
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
        (0, _) => Err(format!("no such option: --{name}")),
        _ => {
            let list: Vec<String> = candidates.iter().map(|c| format!("--{c}")).collect();
            Err(format!("ambiguous option: --{name} ({}?)", list.join(", ")))
        }
    }
}

fn match_short(c: char) -> Option<&'static OptSpec> {
    INSTALL_OPTIONS.iter().find(|s| s.short == Some(c))
}

/// Parse the arguments after `install` (or after `audit`).
///
/// Indices in the result are 0-based positions in `args`.
pub fn parse_install(args: &[String], mode: Mode) -> Result<Invocation, InputError> {
    let mut inv = Invocation::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let start = i;
        if arg == "--" {
            for (j, a) in args.iter().enumerate().skip(i + 1) {
                inv.items.push(Item::Positional {
                    index: j,
                    value: a.clone(),
                });
            }
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if let Some(&(own, takes, _)) = OWN.iter().find(|(n, _, m)| *n == name && *m == mode) {
                let value = if takes {
                    match inline {
                        Some(v) => Some(v),
                        None => {
                            i += 1;
                            Some(args.get(i).cloned().ok_or_else(|| {
                                usage(start, format!("--{own} option requires 1 argument"))
                            })?)
                        }
                    }
                } else {
                    if inline.is_some() {
                        return Err(usage(
                            start,
                            format!("--{own} option does not take a value"),
                        ));
                    }
                    None
                };
                set_own(&mut inv.own, own, value);
                i += 1;
                continue;
            }
            let spec = match_long(name).map_err(|m| usage(start, m))?;
            let mut written = vec![arg.clone()];
            let value = if spec.takes_value {
                match inline {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        let v = args.get(i).cloned().ok_or_else(|| {
                            usage(
                                start,
                                format!("--{} option requires 1 argument", spec.long[0]),
                            )
                        })?;
                        written.push(v.clone());
                        Some(v)
                    }
                }
            } else {
                if inline.is_some() {
                    return Err(usage(
                        start,
                        format!("--{} option does not take a value", spec.long[0]),
                    ));
                }
                None
            };
            inv.items.push(Item::Opt {
                spec,
                value,
                index: start,
                written,
            });
            i += 1;
            continue;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            // A cluster of short options: `-qqU`, `-rfile`, `-r file`, `-Ur file`.
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut k = 0;
            let mut consumed_next = false;
            while k < chars.len() {
                let c = chars[k];
                let spec =
                    match_short(c).ok_or_else(|| usage(start, format!("no such option: -{c}")))?;
                if spec.takes_value {
                    let rest: String = chars[k + 1..].iter().collect();
                    let (value, written) = if !rest.is_empty() {
                        (rest, vec![arg.clone()])
                    } else {
                        let v = args.get(i + 1).cloned().ok_or_else(|| {
                            usage(start, format!("-{c} option requires 1 argument"))
                        })?;
                        consumed_next = true;
                        (v.clone(), vec![arg.clone(), v])
                    };
                    inv.items.push(Item::Opt {
                        spec,
                        value: Some(value),
                        index: start,
                        written,
                    });
                    break;
                }
                inv.items.push(Item::Opt {
                    spec,
                    value: None,
                    index: start,
                    written: vec![arg.clone()],
                });
                k += 1;
            }
            i += if consumed_next { 2 } else { 1 };
            continue;
        }
        inv.items.push(Item::Positional {
            index: i,
            value: arg.clone(),
        });
        i += 1;
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            let inv = p(args).expect("parses");
            assert_eq!(
                inv.values("requirement").collect::<Vec<_>>(),
                ["a.txt"],
                "{args:?}"
            );
        }
    }

    #[test]
    fn clusters_and_abbreviations() {
        let inv = p(&["-qqUr", "x.txt", "--break-sys", "pkg"]).expect("parses");
        assert_eq!(inv.values("requirement").collect::<Vec<_>>(), ["x.txt"]);
        assert!(inv.has("break-system-packages"));
        assert!(inv.has("upgrade"));
        assert!(matches!(
            inv.items.last(),
            Some(Item::Positional { index: 3, .. })
        ));
    }

    #[test]
    fn ambiguous_and_unknown_are_errors() {
        assert!(p(&["--req=a.txt"]).is_err()); // --requirement, --require-hashes, …
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
            inv.values("requirement").collect::<Vec<_>>(),
            ["-weird.txt"]
        );
        assert!(matches!(&inv.items[1], Item::Positional { value, .. } if value == "-notopt"));
    }

    #[test]
    fn own_flags_only_exact() {
        let inv = p(&["--format", "json", "--index=embedded", "x"]).expect("parses");
        assert_eq!(inv.own.format.as_deref(), Some("json"));
        assert_eq!(inv.own.index.as_deref(), Some("embedded"));
        // `--inde` is still pip's abbreviation of --index-url.
        let inv = p(&["--inde", "https://x/simple"]).expect("parses");
        assert_eq!(inv.last("index-url"), Some("https://x/simple"));
    }
}

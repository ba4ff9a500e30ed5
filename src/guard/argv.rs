//! pip's top level, `pip [general options] COMMAND [args]`, split the way
//! pip 26.3's `parse_command` does it (optparse with interspersed
//! arguments off: general options up to the first positional, which is the
//! command). Pure; checked against pip itself by `tests/guard_argv.rs`.
//!
//! Like pip, the command's own arguments are *all* the arguments with the
//! first occurrence of the command name removed: the general options before
//! the command are parsed again by the command's parser.
//!
//! (Private to the guard until `invocation::toplevel` lands; the lead unifies.)

/// pip's main-parser options: (short, long spellings, takes a value).
const GENERAL: &[(Option<char>, &[&str], bool)] = &[
    (Some('h'), &["help"], false),
    (None, &["debug"], false),
    (None, &["isolated"], false),
    (None, &["require-virtualenv", "require-venv"], false),
    (None, &["python"], true),
    (Some('v'), &["verbose"], false),
    (Some('V'), &["version"], false),
    (Some('q'), &["quiet"], false),
    (None, &["log", "log-file", "local-log"], true),
    (None, &["no-input"], false),
    (None, &["keyring-provider"], true),
    (None, &["proxy"], true),
    (None, &["no-proxy-env"], false),
    (None, &["retries"], true),
    (None, &["timeout", "default-timeout"], true),
    (None, &["exists-action"], true),
    (None, &["trusted-host"], true),
    (None, &["cert"], true),
    (None, &["client-cert"], true),
    (None, &["cache-dir"], true),
    (None, &["no-cache-dir"], false),
    (None, &["disable-pip-version-check"], false),
    (None, &["no-color"], false),
    (None, &["no-python-version-warning"], false),
    (None, &["use-feature"], true),
    (None, &["use-deprecated"], true),
    (None, &["resume-retries"], true),
];

/// The top level of a pip command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopLevel {
    /// `-V`/`--version` among the general options (pip prints its version).
    pub version: bool,
    /// `-h`/`--help` among the general options (pip prints help).
    pub help: bool,
    /// The command name (first positional), if any.
    pub command: Option<String>,
    /// The command's arguments: every argument but the first occurrence of
    /// the command name (general options included), as pip passes them on.
    pub cmd_args: Vec<String>,
    /// Index in the original arguments of the command name.
    pub command_index: Option<usize>,
}

impl TopLevel {
    /// Whether pip would run `install` (not `--version`, not help).
    pub fn is_install(&self) -> bool {
        !self.version && !self.help && self.command.as_deref() == Some("install")
    }
}

fn match_long(name: &str) -> Result<usize, String> {
    let mut hits: Vec<(usize, &str)> = Vec::new();
    for (i, (_, longs, _)) in GENERAL.iter().enumerate() {
        for l in *longs {
            if *l == name {
                return Ok(i);
            }
            if l.starts_with(name) {
                hits.push((i, l));
            }
        }
    }
    match hits.as_slice() {
        [(i, _)] => Ok(*i),
        [] => Err(format!("no such option: --{name}")),
        many => {
            let names: Vec<String> = many.iter().map(|(_, l)| format!("--{l}")).collect();
            Err(format!(
                "ambiguous option: --{name} ({}?)",
                names.join(", ")
            ))
        }
    }
}

/// Split pip's arguments (without argv[0]). An `Err` is a usage error pip
/// would report too (unknown or ambiguous general option, missing value).
pub fn split(args: &[String]) -> Result<TopLevel, String> {
    let mut version = false;
    let mut help = false;
    let mut i = 0;
    let mut command_index = None;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            if i + 1 < args.len() {
                command_index = Some(i + 1);
            }
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let idx = match_long(name)?;
            let (_, longs, takes) = GENERAL[idx];
            if takes {
                if inline.is_none() {
                    if i + 1 >= args.len() {
                        return Err(format!("--{} option requires 1 argument", longs[0]));
                    }
                    i += 1;
                }
            } else if inline.is_some() {
                return Err(format!("--{} option does not take a value", longs[0]));
            }
            match longs[0] {
                "version" => version = true,
                "help" => help = true,
                _ => {}
            }
            i += 1;
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            for c in a[1..].chars() {
                let Some((_, longs, _)) = GENERAL.iter().find(|(s, _, _)| *s == Some(c)) else {
                    return Err(format!("no such option: -{c}"));
                };
                match longs[0] {
                    "version" => version = true,
                    "help" => help = true,
                    _ => {}
                }
            }
            i += 1;
            continue;
        }
        command_index = Some(i);
        break;
    }
    let command = command_index.map(|k| args[k].clone());
    let mut cmd_args = args.to_vec();
    if let Some(name) = &command {
        if let Some(pos) = cmd_args.iter().position(|a| a == name) {
            cmd_args.remove(pos);
        }
    }
    Ok(TopLevel {
        version,
        help,
        command,
        cmd_args,
        command_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &[&str]) -> Result<TopLevel, String> {
        split(&a.iter().map(|x| x.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn plain_install() {
        let t = s(&["install", "x"]).expect("ok");
        assert!(t.is_install());
        assert_eq!(t.cmd_args, ["x"]);
    }

    #[test]
    fn general_options_stay_with_the_command() {
        let t = s(&["-v", "--python", "/usr/bin/python3", "install", "x"]).expect("ok");
        assert!(t.is_install());
        assert_eq!(t.cmd_args, ["-v", "--python", "/usr/bin/python3", "x"]);
        // A value that happens to be "install" is skipped over, and pip
        // removes the *first* "install" (the value): same result either way.
        let t = s(&["--log", "install", "install", "x"]).expect("ok");
        assert!(t.is_install());
        assert_eq!(t.cmd_args, ["--log", "install", "x"]);
    }

    #[test]
    fn not_install() {
        assert!(!s(&["--version"]).expect("ok").is_install());
        assert!(!s(&["-V", "install"]).expect("ok").is_install());
        assert!(!s(&["list"]).expect("ok").is_install());
        assert!(!s(&[]).expect("ok").is_install());
        assert!(!s(&["--log", "install", "list"]).expect("ok").is_install());
        assert!(!s(&["-h", "install"]).expect("ok").is_install());
    }

    #[test]
    fn abbreviations_and_errors() {
        assert!(s(&["--vers"]).expect("ok").version);
        assert!(s(&["--pyth=/x", "install"]).expect("ok").is_install());
        assert!(s(&["--no-c", "install"]).is_err()); // --no-cache-dir, --no-color
        assert!(s(&["-r", "install"]).is_err());
        assert!(s(&["--python"]).is_err());
        assert!(s(&["--isolated=1", "install"]).is_err());
    }

    #[test]
    fn double_dash() {
        let t = s(&["--", "install", "x"]).expect("ok");
        assert!(t.is_install());
        assert_eq!(t.cmd_args, ["--", "x"]);
    }
}

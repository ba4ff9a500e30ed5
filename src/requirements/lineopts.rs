//! One logical requirements-file line split into its requirement and its
//! options, as pip's `break_args_options` + `shlex.split` + optparse do it.
//!
//! pip cuts the line at the first space-separated token that starts with
//! `-`: what comes before is the requirement (never shlex-split, so markers
//! keep their quotes), what follows is shlex-split and parsed by optparse
//! with the table [`FILE_OPTIONS`] (pip's `SUPPORTED_OPTIONS` and
//! `SUPPORTED_OPTIONS_REQ`). Leftover positional words among the options
//! are ignored by pip, and so here.

/// What an option does when seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A flag (`store_true`).
    Flag,
    /// Takes one value.
    Value,
}

/// One option pip accepts in a requirements file.
#[derive(Debug)]
pub struct FileOptSpec {
    /// Short spelling, without the dash.
    pub short: Option<char>,
    /// Long spellings without dashes; the first is canonical.
    pub long: &'static [&'static str],
    /// Flag or value.
    pub action: Action,
}

/// pip 26.3's `SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ`, in pip's order.
pub const FILE_OPTIONS: &[FileOptSpec] = &[
    FileOptSpec {
        short: Some('i'),
        long: &["index-url", "pypi-url"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["extra-index-url"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["no-index"],
        action: Action::Flag,
    },
    FileOptSpec {
        short: Some('c'),
        long: &["constraint"],
        action: Action::Value,
    },
    FileOptSpec {
        short: Some('r'),
        long: &["requirement"],
        action: Action::Value,
    },
    FileOptSpec {
        short: Some('e'),
        long: &["editable"],
        action: Action::Value,
    },
    FileOptSpec {
        short: Some('f'),
        long: &["find-links"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["no-binary"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["only-binary"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["prefer-binary"],
        action: Action::Flag,
    },
    FileOptSpec {
        short: None,
        long: &["require-hashes"],
        action: Action::Flag,
    },
    FileOptSpec {
        short: None,
        long: &["no-require-hashes"],
        action: Action::Flag,
    },
    FileOptSpec {
        short: None,
        long: &["pre"],
        action: Action::Flag,
    },
    FileOptSpec {
        short: None,
        long: &["all-releases"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["only-final"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["trusted-host"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["use-feature"],
        action: Action::Value,
    },
    FileOptSpec {
        short: None,
        long: &["hash"],
        action: Action::Value,
    },
    FileOptSpec {
        short: Some('C'),
        long: &["config-settings"],
        action: Action::Value,
    },
];

/// pip 26.3's `--use-feature` choices.
pub const USE_FEATURE_CHOICES: &[&str] = &[
    "fast-deps",
    "inprocess-build-deps",
    "venv-isolation",
    "truststore",
    "no-binary-enable-wheel-cache",
    "build-constraint",
];

/// pip's `STRONG_HASHES`.
pub const STRONG_HASHES: &[&str] = &["sha256", "sha384", "sha512"];

/// The options found on one line, in order: (canonical long name, value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineOpts {
    /// Every option occurrence in order.
    pub all: Vec<(&'static str, Option<String>)>,
}

impl LineOpts {
    /// Values of one option (canonical long name).
    pub fn values<'a>(&'a self, long: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.all
            .iter()
            .filter(move |(n, _)| *n == long)
            .filter_map(|(_, v)| v.as_deref())
    }
    /// Whether an option occurs.
    pub fn has(&self, long: &str) -> bool {
        self.all.iter().any(|(n, _)| *n == long)
    }
}

/// A line split into requirement text and options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// The requirement part (may be empty).
    pub args: String,
    /// The options part as written (before shlex).
    pub options_text: String,
    /// Parsed options.
    pub opts: LineOpts,
}

/// pip's `break_args_options`: split at the first `" "`-separated token
/// starting with `-`.
pub fn break_args_options(line: &str) -> (&str, &str) {
    let mut offset = 0;
    for token in line.split(' ') {
        if token.starts_with('-') {
            let args = if offset == 0 { "" } else { &line[..offset - 1] };
            return (args, &line[offset..]);
        }
        offset += token.len() + 1;
    }
    (line, "")
}

/// Python's `shlex.split(s)` (POSIX mode, no comments).
pub fn shlex_split(s: &str) -> Result<Vec<String>, String> {
    #[derive(PartialEq, Clone, Copy)]
    enum St {
        Space,
        Word,
        Quote(char),
        Escape(Option<char>), // the state to return to: None = word, Some(q) = in quote q
    }
    let ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut out = Vec::new();
    let mut token = String::new();
    let mut quoted = false;
    let mut st = St::Space;
    for c in s.chars() {
        match st {
            St::Space => {
                if ws(c) {
                    continue;
                } else if c == '\\' {
                    st = St::Escape(None);
                } else if c == '"' || c == '\'' {
                    st = St::Quote(c);
                } else {
                    token.push(c);
                    st = St::Word;
                }
            }
            St::Word => {
                if ws(c) {
                    out.push(std::mem::take(&mut token));
                    quoted = false;
                    st = St::Space;
                } else if c == '"' || c == '\'' {
                    st = St::Quote(c);
                } else if c == '\\' {
                    st = St::Escape(None);
                } else {
                    token.push(c);
                }
            }
            St::Quote(q) => {
                quoted = true;
                if c == q {
                    st = St::Word;
                } else if c == '\\' && q == '"' {
                    st = St::Escape(Some(q));
                } else {
                    token.push(c);
                }
            }
            St::Escape(back) => {
                if let Some(q) = back {
                    if c != '\\' && c != q {
                        token.push('\\');
                    }
                }
                token.push(c);
                st = match back {
                    None => St::Word,
                    Some(q) => St::Quote(q),
                };
            }
        }
    }
    match st {
        St::Quote(_) => Err("No closing quotation".into()),
        St::Escape(_) => Err("No escaped character".into()),
        St::Word => {
            out.push(token);
            Ok(out)
        }
        St::Space => {
            if quoted || !token.is_empty() {
                out.push(token);
            }
            Ok(out)
        }
    }
}

/// optparse's `_match_abbrev`: the exact spelling, else a unique prefix.
fn match_long(name: &str) -> Result<(&'static str, &'static FileOptSpec), String> {
    let mut hits: Vec<(&'static str, &'static FileOptSpec)> = Vec::new();
    for spec in FILE_OPTIONS {
        for l in spec.long {
            if *l == name {
                return Ok((l, spec));
            }
            if l.starts_with(name) {
                hits.push((l, spec));
            }
        }
    }
    match hits.len() {
        1 => Ok(hits[0]),
        0 => Err(format!("no such option: --{name}")),
        _ => {
            let mut names: Vec<String> = hits.iter().map(|(l, _)| format!("--{l}")).collect();
            names.sort();
            Err(format!(
                "ambiguous option: --{name} ({}?)",
                names.join(", ")
            ))
        }
    }
}

/// Run one option's callback checks (pip's `_handle_*` functions).
fn check_value(spec: &FileOptSpec, opt_str: &str, value: &str) -> Result<(), String> {
    match spec.long[0] {
        "use-feature" if !USE_FEATURE_CHOICES.contains(&value) => {
            let choices: Vec<String> = USE_FEATURE_CHOICES
                .iter()
                .map(|c| format!("'{c}'"))
                .collect();
            Err(format!(
                "option {opt_str}: invalid choice: '{value}' (choose from {})",
                choices.join(", ")
            ))
        }
        "hash" => match value.split_once(':') {
            None => Err(format!(
                "Arguments to {opt_str} must be a hash name followed by a value, like --hash=sha256:abcde..."
            )),
            Some((algo, _)) if !STRONG_HASHES.contains(&algo) => Err(format!(
                "Allowed hash algorithms for {opt_str} are {}.",
                STRONG_HASHES.join(", ")
            )),
            Some(_) => Ok(()),
        },
        "config-settings" if !value.contains('=') => Err(format!(
            "Arguments to {opt_str} must be of the form KEY=VAL"
        )),
        "no-binary" | "only-binary" if value.starts_with('-') => {
            Err("--no-binary / --only-binary option requires 1 argument.".into())
        }
        "all-releases" | "only-final" if value.starts_with('-') => {
            Err("--all-releases / --only-final option requires 1 argument.".into())
        }
        _ => Ok(()),
    }
}

/// optparse over the shlex-split options of one line.
pub fn parse_options(words: &[String]) -> Result<LineOpts, String> {
    let mut opts = LineOpts::default();
    let mut i = 0;
    while i < words.len() {
        let arg = &words[i];
        if arg == "--" {
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let (spelling, spec) = match_long(name)?;
            let opt_str = format!("--{spelling}");
            i += 1;
            match spec.action {
                Action::Value => {
                    let value = match inline {
                        Some(v) => v,
                        None => {
                            let v = words
                                .get(i)
                                .ok_or_else(|| format!("{opt_str} option requires 1 argument"))?;
                            i += 1;
                            v.clone()
                        }
                    };
                    check_value(spec, &opt_str, &value)?;
                    opts.all.push((spec.long[0], Some(value)));
                }
                Action::Flag => {
                    if inline.is_some() {
                        return Err(format!("{opt_str} option does not take a value"));
                    }
                    opts.all.push((spec.long[0], None));
                }
            }
            continue;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg.chars().skip(1).collect();
            i += 1;
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                let spec = FILE_OPTIONS
                    .iter()
                    .find(|s| s.short == Some(c))
                    .ok_or_else(|| format!("no such option: -{c}"))?;
                k += 1;
                match spec.action {
                    Action::Value => {
                        let value = if k < chars.len() {
                            chars[k..].iter().collect::<String>()
                        } else {
                            let v = words
                                .get(i)
                                .ok_or_else(|| format!("-{c} option requires 1 argument"))?;
                            i += 1;
                            v.clone()
                        };
                        check_value(spec, &format!("-{c}"), &value)?;
                        opts.all.push((spec.long[0], Some(value)));
                        break;
                    }
                    Action::Flag => opts.all.push((spec.long[0], None)),
                }
            }
            continue;
        }
        // A positional word among the options: optparse keeps it as a
        // leftover argument, which pip ignores.
        i += 1;
    }
    Ok(opts)
}

/// Split and parse one logical line (pip's `parse_line`).
pub fn parse_line(line: &str) -> Result<ParsedLine, String> {
    let (args, options_text) = break_args_options(line);
    let words = shlex_split(options_text)
        .map_err(|_| format!("Could not split options: {options_text}"))?;
    let opts = parse_options(&words)?;
    Ok(ParsedLine {
        args: args.to_string(),
        options_text: options_text.to_string(),
        opts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_at_first_dash_token() {
        assert_eq!(
            break_args_options("foo>=1 --hash=x"),
            ("foo>=1", "--hash=x")
        );
        assert_eq!(break_args_options("-r a.txt"), ("", "-r a.txt"));
        assert_eq!(break_args_options("a  b -x y"), ("a  b", "-x y"));
        assert_eq!(break_args_options("a\t-x"), ("a\t-x", ""));
        assert_eq!(break_args_options("a-b c"), ("a-b c", ""));
    }

    #[test]
    fn shlex_like_python() {
        let s = |x: &str| shlex_split(x);
        assert_eq!(s("a\\ b").unwrap(), vec!["a b"]);
        assert_eq!(s("\"a\\b\"").unwrap(), vec!["a\\b"]);
        assert_eq!(s("'a\\b'").unwrap(), vec!["a\\b"]);
        assert_eq!(s("\"a\\\"b\"").unwrap(), vec!["a\"b"]);
        assert_eq!(s("a\"b c\"d").unwrap(), vec!["ab cd"]);
        assert_eq!(s("\"\"").unwrap(), vec![""]);
        assert_eq!(s("a\tb\rc\x0bd").unwrap(), vec!["a", "b", "c\x0bd"]);
        assert!(s("a\\").is_err());
        assert!(s("\"x").is_err());
    }

    #[test]
    fn optparse_spellings() {
        let p = |x: &str| parse_line(x).map(|l| l.opts.all);
        assert_eq!(
            p("-ihttps://x").unwrap(),
            vec![("index-url", Some("https://x".into()))]
        );
        assert_eq!(
            p("--index https://x").unwrap(),
            vec![("index-url", Some("https://x".into()))]
        );
        assert_eq!(
            p("--pypi-url=u").unwrap(),
            vec![("index-url", Some("u".into()))]
        );
        assert_eq!(p("--pre").unwrap(), vec![("pre", None)]);
        assert!(p("--pr").is_err()); // --pre, --prefer-binary
        assert!(p("--req x").is_err()); // --requirement, --require-hashes
        assert!(p("--frob").is_err());
        assert!(p("--pre=1").is_err());
        assert!(p("-r").is_err());
        assert!(p("--hash=md5:x").is_err());
        assert!(p("--hash=nocolon").is_err());
        assert!(p("-C nokey").is_err());
        assert!(p("--use-feature=nope").is_err());
        assert_eq!(
            p("--pre foo --no-index").unwrap(),
            vec![("pre", None), ("no-index", None)]
        );
        assert_eq!(p("--pre -- --frob").unwrap(), vec![("pre", None)]);
    }
}

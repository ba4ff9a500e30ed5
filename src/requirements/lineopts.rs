//! One logical requirements-file line split into its requirement and its
//! options, as pip's `break_args_options` + `shlex.split` + optparse do it.
//!
//! pip cuts the line at the first space-separated token that starts with
//! `-`: what comes before is the requirement (never shlex-split, so markers
//! keep their quotes), what follows is shlex-split and parsed by optparse
//! with the table [`file_options`] (pip's `SUPPORTED_OPTIONS` and
//! `SUPPORTED_OPTIONS_REQ`). Leftover positional words among the options
//! are ignored by pip, and so here.

use crate::invocation::options::{Opt, OptSpec, Role, INSTALL_OPTIONS};
use crate::invocation::parse::{run, Grammar};
use crate::invocation::Item;
use std::sync::OnceLock;

/// pip 26.3's `SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ`, in pip's order,
/// by id. All but `--hash` are `pip install` options and come
/// from the one option table ([`INSTALL_OPTIONS`]).
pub const FILE_OPTIONS: &[Opt] = &[
    Opt::IndexUrl,
    Opt::ExtraIndexUrl,
    Opt::NoIndex,
    Opt::Constraint,
    Opt::Requirement,
    Opt::Editable,
    Opt::FindLinks,
    Opt::NoBinary,
    Opt::OnlyBinary,
    Opt::PreferBinary,
    Opt::RequireHashes,
    Opt::NoRequireHashes,
    Opt::Pre,
    Opt::AllReleases,
    Opt::OnlyFinal,
    Opt::TrustedHost,
    Opt::UseFeature,
    Opt::Hash,
    Opt::ConfigSettings,
];

/// `--hash`: a per-requirement option pip accepts only in requirements files.
pub static HASH_OPTION: OptSpec = OptSpec {
    id: Opt::Hash,
    short: None,
    long: &["hash"],
    takes_value: true,
    dest: "hashes",
    role: Role::PassOn,
};

/// The options a requirements-file line may carry, as an optparse table.
pub fn file_options() -> &'static [&'static OptSpec] {
    static TABLE: OnceLock<Vec<&'static OptSpec>> = OnceLock::new();
    TABLE.get_or_init(|| {
        FILE_OPTIONS
            .iter()
            .filter_map(|&id| {
                if id == Opt::Hash {
                    return Some(&HASH_OPTION);
                }
                INSTALL_OPTIONS.iter().find(|o| o.id == id)
            })
            .collect()
    })
}

/// The options found on one line, in order: (canonical long name, value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineOpts {
    /// Every option occurrence in order.
    pub all: Vec<(&'static str, Option<String>)>,
}

impl LineOpts {
    /// Values of one option.
    pub fn values(&self, opt: Opt) -> impl Iterator<Item = &str> + '_ {
        let long = opt.long();
        self.all
            .iter()
            .filter(move |(n, _)| *n == long)
            .filter_map(|(_, v)| v.as_deref())
    }
    /// Whether an option occurs.
    pub fn has(&self, opt: Opt) -> bool {
        let long = opt.long();
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
pub fn shlex_split(s: &str) -> Result<Vec<String>, SplitError> {
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
        St::Quote(_) => Err(SplitError::NoClosingQuotation),
        St::Escape(_) => Err(SplitError::NoEscapedCharacter),
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

/// optparse over the shlex-split options of one line, with pip's own
/// algorithm ([`crate::invocation::parse`]) and the file-option table.
/// Positional words among the options are left over, and pip ignores them.
pub fn parse_options(words: &[String]) -> Result<LineOpts, LineError> {
    let parsed = run(
        words,
        Grammar {
            table: file_options(),
            own: None,
            interspersed: true,
        },
    )
    .map_err(|e| LineError::Option(e.message))?;
    let all = parsed
        .items
        .into_iter()
        .filter_map(|it| match it {
            Item::Opt { spec, value, .. } => Some((spec.long[0], value)),
            Item::Positional { .. } => None,
        })
        .collect();
    Ok(LineOpts { all })
}

/// Split and parse one logical line (pip's `parse_line`).
pub fn parse_line(line: &str) -> Result<ParsedLine, LineError> {
    let (args, options_text) = break_args_options(line);
    let words = shlex_split(options_text).map_err(|e| LineError::Split {
        options: options_text.to_string(),
        why: e,
    })?;
    let opts = parse_options(&words)?;
    Ok(ParsedLine {
        args: args.to_string(),
        options_text: options_text.to_string(),
        opts,
    })
}

/// Why `shlex.split` refuses a line's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A quote is not closed.
    #[error("No closing quotation")]
    NoClosingQuotation,
    /// A backslash ends the text.
    #[error("No escaped character")]
    NoEscapedCharacter,
}

/// Why pip refuses the options of one requirements-file line (pip's
/// messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// `shlex.split` failed (pip does not say why; `why` is kept for
    /// whoever reads the value).
    #[error("Could not split options: {options}")]
    Split {
        /// The options part of the line.
        options: String,
        /// What `shlex.split` said.
        why: SplitError,
    },
    /// optparse refused an option (its message).
    #[error("{0}")]
    Option(String),
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
        assert_eq!(s("a\\ b").expect("test setup"), vec!["a b"]);
        assert_eq!(s("\"a\\b\"").expect("test setup"), vec!["a\\b"]);
        assert_eq!(s("'a\\b'").expect("test setup"), vec!["a\\b"]);
        assert_eq!(s("\"a\\\"b\"").expect("test setup"), vec!["a\"b"]);
        assert_eq!(s("a\"b c\"d").expect("test setup"), vec!["ab cd"]);
        assert_eq!(s("\"\"").expect("test setup"), vec![""]);
        assert_eq!(
            s("a\tb\rc\x0bd").expect("test setup"),
            vec!["a", "b", "c\x0bd"]
        );
        assert!(s("a\\").is_err());
        assert!(s("\"x").is_err());
    }

    #[test]
    fn optparse_spellings() {
        let p = |x: &str| parse_line(x).map(|l| l.opts.all);
        assert_eq!(
            p("-ihttps://x").expect("test setup"),
            vec![("index-url", Some("https://x".into()))]
        );
        assert_eq!(
            p("--index https://x").expect("test setup"),
            vec![("index-url", Some("https://x".into()))]
        );
        assert_eq!(
            p("--pypi-url=u").expect("test setup"),
            vec![("index-url", Some("u".into()))]
        );
        assert_eq!(p("--pre").expect("test setup"), vec![("pre", None)]);
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
            p("--pre foo --no-index").expect("test setup"),
            vec![("pre", None), ("no-index", None)]
        );
        assert_eq!(
            p("--pre -- --frob").expect("test setup"),
            vec![("pre", None)]
        );
    }

    #[test]
    fn line_errors_say_what_pip_says() {
        let e = parse_line("x --hash='a")
            .map(|_| ())
            .expect_err("unclosed quote");
        assert_eq!(
            e,
            LineError::Split {
                options: "--hash='a".into(),
                why: SplitError::NoClosingQuotation
            }
        );
        assert_eq!(e.to_string(), "Could not split options: --hash='a");
        assert!(matches!(
            parse_line("x --no-such-option"),
            Err(LineError::Option(m)) if m.contains("no such option")
        ));
    }
}

//! pip's `preprocess`: split lines, join `\` continuations, drop comments
//! and blank lines, expand `${VAR}`.
//!
//! Each step is a port of the function of the same name in pip 26.3's
//! `pip/_internal/req/req_file.py`, with Python's line and whitespace rules
//! (see [`super::pystr`]).

use super::pystr::{is_py_space, py_splitlines, py_strip};
use std::borrow::Cow;

/// One logical line: its first physical line number (1-based) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalLine {
    /// 1-based number of the first physical line.
    pub line: usize,
    /// The text after joining, comment removal, stripping and `${VAR}` expansion.
    pub text: String,
}

/// Where `COMMENT_RE = (^|\s+)#.*$` first matches in `line`, as the byte
/// offset of the match start.
fn comment_start(line: &str) -> Option<usize> {
    let mut prev_space_run_start: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if c == '#' {
            match prev {
                None => return Some(0),
                Some(p) if is_py_space(p) => return prev_space_run_start,
                _ => {}
            }
        }
        if is_py_space(c) {
            if !prev.is_some_and(is_py_space) {
                prev_space_run_start = Some(i);
            }
        } else {
            prev_space_run_start = None;
        }
        prev = Some(c);
    }
    None
}

/// `COMMENT_RE.match(line)`: the line is a comment from its start.
fn is_comment_line(line: &str) -> bool {
    comment_start(line) == Some(0)
}

/// pip's `join_lines`: a line ending in `\` (and not a comment) is joined
/// with the next; backslashes are stripped from both ends of a continued
/// line; a comment line ends the continuation. One logical line at a
/// time, borrowed from the content unless it was joined (a big file is
/// never copied whole).
pub struct JoinLines<'a> {
    lines: std::vec::IntoIter<&'a str>,
    number: usize,
    primary: usize,
    new_line: Vec<Cow<'a, str>>,
}

impl<'a> JoinLines<'a> {
    /// The logical lines of `content`.
    pub fn new(content: &'a str) -> Self {
        JoinLines {
            lines: py_splitlines(content).into_iter(),
            number: 0,
            primary: 0,
            new_line: Vec::new(),
        }
    }

    fn joined(&mut self) -> (usize, Cow<'a, str>) {
        let joined = self.new_line.concat();
        self.new_line.clear();
        (self.primary, Cow::Owned(joined))
    }
}

impl<'a> Iterator for JoinLines<'a> {
    type Item = (usize, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(line) = self.lines.next() else {
                return (!self.new_line.is_empty()).then(|| self.joined());
            };
            self.number += 1;
            let comment = is_comment_line(line);
            if !line.ends_with('\\') || comment {
                let line: Cow<'a, str> = if comment {
                    Cow::Owned(format!(" {line}"))
                } else {
                    Cow::Borrowed(line)
                };
                if !self.new_line.is_empty() {
                    self.new_line.push(line);
                    return Some(self.joined());
                }
                return Some((self.number, line));
            }
            if self.new_line.is_empty() {
                self.primary = self.number;
            }
            self.new_line.push(Cow::Borrowed(line.trim_matches('\\')));
        }
    }
}

/// pip's `ignore_comments`: remove a comment, strip, drop empty lines.
fn ignore_comment(line: &str) -> Option<&str> {
    let line = match comment_start(line) {
        Some(i) => &line[..i],
        None => line,
    };
    let line = py_strip(line);
    (!line.is_empty()).then_some(line)
}

/// pip's `expand_env_variables`: every `${NAME}` with `NAME` in
/// `[A-Z0-9_]+` whose value is set and non-empty is replaced (all
/// occurrences, in order of first appearance); others stay as written.
pub fn expand_env(line: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    // Find all matches in the original line first (re.findall), then replace
    // one after the other in the evolving line, as pip does. Linear in
    // practice: each variable is looked up once, and a replacement that
    // cannot change the line (its `${NAME}` is no longer in it) is skipped
    // without scanning, so a line of a million `${A}` costs one replace.
    let mut found: Vec<(&str, &str)> = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut j = i + 2;
            while j < bytes.len()
                && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit() || bytes[j] == b'_')
            {
                j += 1;
            }
            if j > i + 2 && j < bytes.len() && bytes[j] == b'}' {
                found.push((&line[i..=j], &line[i + 2..j]));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if found.is_empty() {
        return line.to_string();
    }
    let mut values: std::collections::HashMap<&str, Option<String>> =
        std::collections::HashMap::new();
    // Variables known to be absent from the current line; reset whenever a
    // replacement changes the line (a value may bring a `${NAME}` back).
    let mut absent: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out = line.to_string();
    for (var, name) in found {
        if absent.contains(var) {
            continue;
        }
        let value = values
            .entry(name)
            .or_insert_with(|| env(name).filter(|v| !v.is_empty()));
        let Some(value) = value.as_deref() else {
            continue;
        };
        if !out.contains(var) {
            absent.insert(var);
            continue;
        }
        let replaced = out.replace(var, value);
        if replaced != out {
            absent.clear();
        }
        out = replaced;
        if !out.contains(var) {
            absent.insert(var);
        }
    }
    out
}

/// pip's `preprocess`: the logical lines of a decoded file, one at a time.
pub fn preprocess<'a>(
    content: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
) -> impl Iterator<Item = LogicalLine> + 'a {
    JoinLines::new(content).filter_map(move |(line, text)| {
        ignore_comment(&text).map(|t| LogicalLine {
            line,
            text: expand_env(t, env),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn pre(s: &str) -> Vec<(usize, String)> {
        preprocess(s, &no_env).map(|l| (l.line, l.text)).collect()
    }

    #[test]
    fn comments_need_leading_space() {
        assert_eq!(
            pre("a # c\nb#frag\n  # x\n#y\n"),
            vec![(1, "a".into()), (2, "b#frag".into())]
        );
        assert_eq!(pre("a\t#c"), vec![(1, "a".into())]);
    }

    #[test]
    fn continuation_keeps_first_line() {
        assert_eq!(
            pre("\nfoo \\\n  >=1 \\\n ,<2\nbar\n"),
            vec![(2, "foo   >=1  ,<2".into()), (5, "bar".into())]
        );
        // Trailing backslash at EOF, doubled backslashes, leading backslashes.
        assert_eq!(pre("a\\\\"), vec![(1, "a".into())]);
        // Only continued lines lose their backslashes, the last one keeps them.
        assert_eq!(pre("x\\\n\\y"), vec![(1, "x\\y".into())]);
    }

    #[test]
    fn comment_ends_continuation() {
        assert_eq!(pre("a\\\n# c\nb"), vec![(1, "a".into()), (3, "b".into())]);
        // A comment line ending in a backslash does not continue.
        assert_eq!(pre("# c \\\nb"), vec![(2, "b".into())]);
    }

    #[test]
    fn env_expansion_like_pip() {
        let env = |k: &str| match k {
            "A" => Some("1".to_string()),
            "E" => Some(String::new()),
            "B" => Some("${A}".to_string()),
            _ => None,
        };
        assert_eq!(expand_env("${A}-${A}", &env), "1-1");
        assert_eq!(
            expand_env("${a} ${E} ${UNSET} $A ${A-B}", &env),
            "${a} ${E} ${UNSET} $A ${A-B}"
        );
        // Sequential replacement: ${B} -> ${A} is not expanded again (A came first).
        assert_eq!(expand_env("${A}${B}", &env), "1${A}");
        assert_eq!(expand_env("${B}${A}", &env), "11");
        // pip replaces again for every occurrence in findall's list: a value
        // bringing back an earlier variable is expanded by its next turn.
        let env2 = |k: &str| match k {
            "X" => Some("x".to_string()),
            "Y" => Some("${X}".to_string()),
            _ => None,
        };
        assert_eq!(expand_env("${X}${Y}${X}", &env2), "xxx");
        assert_eq!(expand_env("${X}${Y}", &env2), "x${X}");
    }

    #[test]
    fn env_expansion_is_linear() {
        // 200,000 occurrences on one line: one replace, not 200,000.
        let env = |k: &str| (k == "A").then(|| "1".to_string());
        let line = "${A}".repeat(200_000);
        let out = expand_env(&line, &env);
        assert_eq!(out.len(), 200_000);
        let unset = "${NOPE}".repeat(200_000);
        assert_eq!(expand_env(&unset, &env), unset);
    }
}

//! The one output-escaping layer: text that came from a file, the
//! command line or a server is passed through the function for its sink
//! before it is printed.
//!
//! | sink | function | what it guarantees |
//! |---|---|---|
//! | a terminal, one field | [`terminal`] | no C0/C1/DEL control char and no bidi or invisible format char survives: each is shown visibly (`\e`, `\n`, `\x9b`, `\u{202e}`) |
//! | a terminal, several lines | [`terminal_text`] | the same, but `\n` is kept |
//! | a GitHub Actions log | [`github`] | no line can be read as a workflow command (`::cmd::` after trimming, `##[` anywhere) |
//! | a workflow-command message / property | [`github_data`], [`github_property`] | GitHub's documented `%` `\r` `\n` (and `:` `,`) escapes |
//! | a Markdown table cell | [`markdown_cell`] | one line, no table break, no HTML, no link, no code span, no emphasis |
//!
//! Every function is pure and returns its input unchanged (borrowed, for
//! the `Cow` ones) when nothing needs escaping. A backslash in the input is
//! not itself escaped by [`terminal`]: the escapes only have to make
//! hostile characters visible, not be reversible.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is a bidi control or an invisible format character that can
/// reorder or hide text on a terminal: the bidi embeddings, overrides and
/// isolates, zero-width characters, the word joiner family, the BOM, the
/// line and paragraph separators, interlinear annotation marks, the
/// Mongolian vowel separator, the soft hyphen, Hangul fillers and the
/// Unicode tag characters (used to smuggle invisible ASCII).
#[inline]
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Whether [`terminal`] rewrites `c`.
#[inline]
fn is_hostile(c: char) -> bool {
    c.is_control() || is_format(c)
}

/// The byte offset of the first hostile char not kept by `keep`. Runs of
/// 16 plain ASCII bytes are skipped with one branch-free test (the common
/// case: clean text costs about a compare per byte); only the rest is
/// decoded char by char.
#[inline]
fn first_hostile(s: &str, keep: impl Fn(char) -> bool) -> Option<usize> {
    const CHUNK: usize = 16;
    let b = s.as_bytes();
    let newline_ok = keep('\n');
    let mut i = 0;
    while i < b.len() {
        if let Some(chunk) = b.get(i..i + CHUNK) {
            let odd = chunk.iter().fold(false, |acc, &c| {
                acc | (c < 0x20 && !(newline_ok && c == b'\n')) | (c >= 0x7f)
            });
            if !odd {
                // Only ASCII was skipped: `i` stays on a char boundary.
                i += CHUNK;
                continue;
            }
        }
        let c = b[i];
        if c < 0x80 {
            if (c < 0x20 || c == 0x7f) && !keep(c as char) {
                return Some(i);
            }
            i += 1;
        } else {
            let ch = s[i..].chars().next()?;
            if is_hostile(ch) && !keep(ch) {
                return Some(i);
            }
            i += ch.len_utf8();
        }
    }
    None
}

/// Write the visible form of a hostile char.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\x1b' => out.push_str("\\e"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool + Copy) -> Cow<'_, str> {
    let Some(first) = first_hostile(s, keep) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if is_hostile(c) && !keep(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line field for a terminal: every control character (C0 with
/// `\n`, `\r` and `\t` included, DEL, C1) and every bidi or invisible
/// format character ([`is_format`]) is shown visibly: `\e`, `\n`, `\x07`,
/// `\x9b`, `\u{202e}`.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// Several lines for a terminal: like [`terminal`], but `\n` is kept.
pub fn terminal_text(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n')
}

/// The SGR sequences pip-guard's own styles use ([`crate::render::text::Style`]):
/// reset, bold, dim, red, green, yellow. [`terminal_styled`] lets only these
/// through.
const OWN_SGR: &[&str] = &[
    "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m",
];

/// Reset all styles.
pub const RESET: &str = "\x1b[0m";

/// A whole styled report for a terminal, the last line of defence at the
/// output edge: like [`terminal_text`], except that the exact style
/// sequences pip-guard itself emits (bold, dim, red, green, yellow, reset)
/// pass; every other escape sequence (cursor moves, erase, conceal, OSC
/// links and clipboard) is shown visibly. A line that holds a style
/// sequence ends with a reset, so no style outlives its line.
pub fn terminal_styled(s: &str) -> Cow<'_, str> {
    if first_hostile(s, |c| c == '\n').is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut styled = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\x1b' {
            if let Some(seq) = OWN_SGR.iter().find(|q| rest.starts_with(**q)) {
                out.push_str(seq);
                styled = true;
                rest = &rest[seq.len()..];
                continue;
            }
        }
        if c == '\n' {
            if styled {
                out.push_str(RESET);
                styled = false;
            }
            out.push('\n');
        } else if is_hostile(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    if styled {
        out.push_str(RESET);
    }
    Cow::Owned(out)
}

/// Serialized JSON for a terminal or a CI log, with the same value: every
/// control and format character ([`is_format`]) that JSON allows raw in a
/// string (DEL, C1, bidi, zero-width…) is written as a `\uXXXX` escape, and
/// the `[` of every `##[` as `\u005b`, so no runner reads a workflow command
/// from it. Outside strings JSON holds none of these, so only string
/// contents change, and only in spelling.
pub fn json(s: &str) -> Cow<'_, str> {
    // The line breaks of pretty-printed JSON stay (inside strings JSON
    // has them escaped already).
    let hostile = |c: char| c != '\n' && is_hostile(c);
    if first_hostile(s, |c| c == '\n').is_none()
        && memchr::memmem::find(s.as_bytes(), b"##[").is_none()
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut prev_hashes = 0usize;
    for c in s.chars() {
        if hostile(c) {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else if c == '[' && prev_hashes >= 2 {
            out.push_str("\\u005b");
        } else {
            out.push(c);
        }
        prev_hashes = if c == '#' { prev_hashes + 1 } else { 0 };
    }
    Cow::Owned(out)
}

/// A path or OS string for a terminal, one field: bytes that are not
/// UTF-8 are shown as `\xNN` (never U+FFFD), then [`terminal`] applies.
pub fn terminal_os(s: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for chunk in s.as_bytes().utf8_chunks() {
        out.push_str(&terminal(chunk.valid()));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// The zero-width space [`github`] inserts to break a workflow command:
/// the runner does not trim it (it is not white space), and it is invisible
/// in the log.
const BREAK: char = '\u{200B}';

/// Text for a GitHub Actions log, line by line (`\n` and `\r` both end a
/// line for the runner): a line that starts with `::` once leading white
/// space is trimmed gets a zero-width space between the two colons, and
/// every `##[` anywhere becomes `##\u{200b}[`, so the runner reads no
/// workflow command (neither the `::cmd::` form nor the older `##[cmd]`
/// form) from it. The text is otherwise unchanged.
pub fn github(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        github_line(&mut out, line);
        let Some(sep) = tail.chars().next() else {
            break;
        };
        out.push(sep);
        rest = &tail[sep.len_utf8()..];
    }
    out
}

fn github_line(out: &mut String, line: &str) {
    let trimmed = line.trim_start_matches(|c: char| c.is_whitespace() || c == '\0');
    let lead = line.len() - trimmed.len();
    let line = if trimmed.starts_with("::") {
        out.push_str(&line[..lead]);
        out.push(':');
        out.push(BREAK);
        &trimmed[1..]
    } else {
        line
    };
    out.push_str(&line.replace("##[", "##\u{200B}["));
}

/// A workflow-command message (the part after the second `::`), escaped as
/// GitHub documents: `%` → `%25`, CR → `%0D`, LF → `%0A`; `##[` is broken
/// as in [`github`].
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("##[", "##\u{200B}[")
}

/// A workflow-command property value (`file=…,title=…`): [`github_data`]
/// plus `:` → `%3A` and `,` → `%2C`.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown (GitHub-flavoured) table cell, as plain text: control and
/// format characters shown as in [`terminal`] (CR and LF included, so the
/// row cannot break), `<` `>` `&` as HTML entities, and `\` `|` `` ` ``
/// `*` `_` `~` `[` `]` `(` `)` `!` `$` `#` behind a backslash, so the cell
/// holds no HTML, link, image, code span, emphasis, math or column break.
pub fn markdown_cell(s: &str) -> String {
    let s = terminal(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '|' | '`' | '*' | '_' | '~' | '[' | ']' | '(' | ')' | '!' | '$' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown table cell shown as code: `` `s` `` when `s` holds only
/// characters that are literal inside a code span and harmless to the
/// table (no backtick, pipe, backslash, control or format character),
/// else [`markdown_cell`] (plain, escaped text).
pub fn markdown_code(s: &str) -> String {
    let literal = !s.is_empty()
        && s.chars().all(|c| {
            c == ' ' || (!matches!(c, '`' | '|' | '\\') && !is_hostile(c) && !c.is_whitespace())
        });
    if literal {
        format!("`{s}`")
    } else {
        markdown_cell(s)
    }
}

/// The hostile strings the unit tests (and `tests/fixtures/hostile.txt`, for
/// the end-to-end tests) send through every sink.
#[cfg(test)]
pub(crate) const CORPUS: &[&str] = &[
    "\x1b[2K\x1b[GProceed?\x1b[C[y/N]\x1b[C\x1b[8m",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;cm0gLXJmIH4=\x07",
    "bell\x07",
    "abc\u{202E}txt.exe",
    "::add-mask::secret",
    "  ::add-mask::indented",
    "::stop-commands::tok",
    "text ##[error]boom",
    "<img src=x onerror=alert(1)>",
    "line1\r::warning::cr",
    "a\u{9b}31mcsi",
    "del\x7f",
    "[link](https://evil.example)",
    "| a | b |",
    "`code`",
    "\u{2066}isolate\u{2069}\u{200B}\u{FEFF}",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a string holds anything a terminal would interpret.
    fn raw_hostile(s: &str) -> bool {
        s.chars().any(|c| is_hostile(c) && c != '\n')
    }

    /// Whether a GitHub runner would read a workflow command from `s`.
    fn has_workflow_command(s: &str) -> bool {
        s.split(['\n', '\r'])
            .any(|l| l.trim_start().starts_with("::") || l.contains("##["))
    }

    #[test]
    fn terminal_shows_controls_visibly() {
        assert_eq!(terminal("a\x1b[31mb"), "a\\e[31mb");
        assert_eq!(terminal("x\ny\rz\tw"), "x\\ny\\rz\\tw");
        assert_eq!(
            terminal("bel\x07 nul\0 del\x7f"),
            "bel\\x07 nul\\x00 del\\x7f"
        );
        assert_eq!(terminal("csi\u{9b}1m"), "csi\\x9b1m");
        assert_eq!(terminal("abc\u{202E}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(
            terminal("\u{2066}\u{200B}\u{FEFF}"),
            "\\u{2066}\\u{200b}\\u{feff}"
        );
        assert_eq!(terminal("tag\u{E0041}"), "tag\\u{e0041}");
        for s in CORPUS {
            assert!(!raw_hostile(&terminal(s)), "{s:?}");
            assert!(!terminal(s).contains('\n'), "{s:?}");
        }
    }

    #[test]
    fn hostile_chars_are_found_at_every_offset() {
        // Across the 16-byte chunks and after multi-byte chars.
        for pad in 0..40 {
            for bad in ["\x1b", "\x7f", "\u{9b}", "\u{202e}", "\r"] {
                let s = format!("{}é{bad}tail", "a".repeat(pad));
                assert!(terminal(&s).contains('\\'), "{pad} {bad:?}");
                assert_eq!(first_hostile(&s, |_| false), Some(pad + 2), "{pad} {bad:?}");
            }
            let clean = format!("{}é→\n{}", "a".repeat(pad), "b".repeat(pad));
            assert_eq!(first_hostile(&clean, |c| c == '\n'), None, "{pad}");
            assert_eq!(first_hostile(&clean, |_| false), Some(pad + 5), "{pad}");
        }
    }

    #[test]
    fn terminal_borrows_clean_text() {
        for s in ["requests>=2.0", "naïve — ünïcode ✅ 中文", "C:\\path", ""] {
            assert!(matches!(terminal(s), Cow::Borrowed(_)), "{s:?}");
            assert!(matches!(terminal_text(s), Cow::Borrowed(_)), "{s:?}");
        }
        assert!(matches!(terminal_text("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_text_keeps_newlines_only() {
        assert_eq!(terminal_text("a\nb\r\x1b"), "a\nb\\r\\e");
        for s in CORPUS {
            assert!(!raw_hostile(&terminal_text(s)), "{s:?}");
        }
    }

    #[test]
    fn os_strings_show_bad_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let s = std::ffi::OsStr::from_bytes(b"/opt/b\xffd\x1b/pip");
        assert_eq!(terminal_os(s), "/opt/b\\xffd\\e/pip");
    }

    #[test]
    fn github_neutralises_workflow_commands() {
        for s in CORPUS {
            let g = github(s);
            assert!(!has_workflow_command(&g), "{s:?} -> {g:?}");
        }
        assert_eq!(github("::add-mask::x"), ":\u{200B}:add-mask::x");
        assert_eq!(github("  ::x"), "  :\u{200B}:x");
        assert_eq!(github("\t\u{a0}::x"), "\t\u{a0}:\u{200B}:x");
        assert_eq!(github("a\n::b\r::c"), "a\n:\u{200B}:b\r:\u{200B}:c");
        assert_eq!(github("a ##[error]b"), "a ##\u{200B}[error]b");
        // Not a command: left alone.
        assert_eq!(github("a :: b\nrequests::x"), "a :: b\nrequests::x");
        assert_eq!(github(""), "");
        assert_eq!(github("x\n"), "x\n");
    }

    #[test]
    fn github_annotation_escapes() {
        assert_eq!(github_data("a%b\nc\rd"), "a%25b%0Ac%0Dd");
        assert_eq!(github_property("a:b,c"), "a%3Ab%2Cc");
        assert!(!github_data("x ##[error]").contains("##["));
    }

    #[test]
    fn markdown_code_only_when_literal() {
        assert_eq!(markdown_code("requests>=2.0"), "`requests>=2.0`");
        assert_eq!(markdown_code("a`b"), "a\\`b");
        assert_eq!(markdown_code("a|b"), "a\\|b");
        assert_eq!(markdown_code("a\nb"), "a\\\\nb");
        assert_eq!(markdown_code(""), "");
    }

    #[test]
    fn markdown_cells_hold_plain_text() {
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(markdown_cell("[x](y)"), "\\[x\\]\\(y\\)");
        assert_eq!(markdown_cell("`c`"), "\\`c\\`");
        assert_eq!(markdown_cell("a\r\nb"), "a\\\\r\\\\nb");
        assert_eq!(markdown_cell("requests>=2"), "requests&gt;=2");
        for s in CORPUS {
            let m = markdown_cell(s);
            assert!(!m.contains(['\n', '\r', '<', '>']), "{s:?} -> {m:?}");
            assert!(!raw_hostile(&m), "{s:?}");
            // Every pipe and backtick is escaped.
            let b = m.as_bytes();
            for (i, ch) in b.iter().enumerate() {
                if matches!(ch, b'|' | b'`' | b'[' | b']') {
                    let slashes = b[..i].iter().rev().take_while(|c| **c == b'\\').count();
                    assert_eq!(slashes % 2, 1, "{s:?} -> {m:?}");
                }
            }
        }
    }

    #[test]
    fn styled_text_keeps_only_own_styles_and_resets_each_line() {
        let own = "\x1b[1mbold\x1b[0m plain\n";
        assert!(matches!(terminal_styled(own), Cow::Owned(_)));
        assert_eq!(terminal_styled(own), "\x1b[1mbold\x1b[0m plain\x1b[0m\n");
        assert_eq!(terminal_styled("a\x1b[8mhidden\nb"), "a\\e[8mhidden\nb");
        assert_eq!(terminal_styled("\x1b[1mx"), "\x1b[1mx\x1b[0m");
        assert!(matches!(terminal_styled("plain\ntext"), Cow::Borrowed(_)));
        for s in CORPUS {
            let t = terminal_styled(s);
            // Any ESC left is one of our own SGR sequences.
            let mut rest: &str = &t;
            while let Some(i) = rest.find('\x1b') {
                rest = &rest[i..];
                let q = OWN_SGR.iter().find(|q| rest.starts_with(**q));
                assert!(q.is_some(), "{s:?} -> {t:?}");
                rest = &rest[1..];
            }
        }
    }

    #[test]
    fn json_keeps_the_value_and_hides_hostile_chars() {
        for s in CORPUS {
            let v = serde_json::json!({ "x": s });
            let text = v.to_string();
            let safe = json(&text);
            assert!(!raw_hostile(&safe), "{safe:?}");
            assert!(!has_workflow_command(&safe), "{safe:?}");
            let back: serde_json::Value =
                serde_json::from_str(&safe).expect("test: the escaped JSON parses");
            assert_eq!(back, v);
        }
        assert!(matches!(json("{\"a\":1}"), Cow::Borrowed(_)));
        assert!(matches!(json("{\n  \"a\": 1\n}\n"), Cow::Borrowed(_)));
        assert_eq!(json("\"\u{E0041}\""), "\"\\udb40\\udc41\"");
    }
}

//! Python's string primitives, as pip's parser relies on them.
//!
//! pip splits, strips and matches with Python's notions of whitespace and
//! line boundaries, which are not Rust's: `str.splitlines()` also breaks on
//! `\x0b`, `\x0c`, `\x1c`–`\x1e`, `\x85`, `U+2028` and `U+2029`, and
//! `str.isspace()` (and regex `\s`) also covers `\x1c`–`\x1f`.

/// Python's `str.isspace()` for one character (also what `re`'s `\s` matches).
pub fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\x0b'
            | '\x0c'
            | '\r'
            | '\x1c'..='\x1f'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `str.strip()` with no argument.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `str.splitlines()` (no `keepends`).
pub fn py_splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        out.push(&s[start..i]);
        let mut end = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(j, '\n')) = iter.peek() {
                iter.next();
                end = j + 1;
            }
        }
        start = end;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// The scheme of `s` as Python's `urllib.parse.urlsplit` finds it
/// (lowercased), or `None`.
pub fn url_scheme(s: &str) -> Option<String> {
    // No colon, no scheme (the common case: a plain requirement).
    if !s.contains(':') {
        return None;
    }
    // urlsplit strips leading C0 controls and spaces and drops tabs and newlines.
    let s: String = s
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let i = s.find(':')?;
    let head = &s[..i];
    let first = head.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if head
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        Some(head.to_ascii_lowercase())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_like_python() {
        assert_eq!(py_splitlines(""), Vec::<&str>::new());
        assert_eq!(py_splitlines("\n"), vec![""]);
        assert_eq!(py_splitlines("a\r\nb\rc\nd"), vec!["a", "b", "c", "d"]);
        assert_eq!(py_splitlines("a\n\nb\n"), vec!["a", "", "b"]);
        assert_eq!(
            py_splitlines("a\x0cb\u{2028}c\x1fd"),
            vec!["a", "b", "c\x1fd"]
        );
        assert_eq!(py_splitlines("a\r"), vec!["a"]);
        assert_eq!(py_splitlines("a\r\r\n"), vec!["a", ""]);
    }

    #[test]
    fn strip_like_python() {
        assert_eq!(py_strip("\x1f a \u{a0}"), "a");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a"); // zero width space is not space
    }

    #[test]
    fn scheme_like_urlsplit() {
        assert_eq!(url_scheme("HTTPS://x").as_deref(), Some("https"));
        assert_eq!(url_scheme("git+ssh://x").as_deref(), Some("git+ssh"));
        assert_eq!(url_scheme("foo @ https://x"), None);
        assert_eq!(url_scheme("1a:x"), None);
        assert_eq!(url_scheme("nocolon"), None);
        assert_eq!(url_scheme("c:/x").as_deref(), Some("c"));
    }
}

//! Credentials in URLs never reach output, logs or reports.
//!
//! `redact` rewrites every `scheme://user:secret@host` (and
//! `scheme://token@host`) in a string to `scheme://****@host`.

use std::borrow::Cow;

/// Replace the userinfo part of every URL in `s` with `****`.
pub fn redact(s: &str) -> Cow<'_, str> {
    if !s.contains("://") || !s.contains('@') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        // The authority ends at the first '/', '?', '#', or whitespace/quote.
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("****");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_user_and_password() {
        assert_eq!(
            redact("-i https://user:tok3n@pypi.example/simple x"),
            "-i https://****@pypi.example/simple x"
        );
    }

    #[test]
    fn hides_token_only_and_git_urls() {
        assert_eq!(
            redact("pkg @ git+https://ghp_abc@github.com/o/r.git@v1"),
            "pkg @ git+https://****@github.com/o/r.git@v1"
        );
    }

    #[test]
    fn leaves_plain_text_alone() {
        assert_eq!(redact("name@1.0 https://host/x"), "name@1.0 https://host/x");
        assert!(matches!(redact("requests"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn several_urls() {
        assert_eq!(redact("a://u:p@h1/x b://q@h2"), "a://****@h1/x b://****@h2");
    }
}

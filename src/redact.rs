//! Credentials in URLs never reach output, logs or reports.
//!
//! `redact` rewrites every `scheme://user:secret@host` (and
//! `scheme://token@host`) in a string to `scheme://****@host`, and the
//! value of every query parameter that carries a credential
//! ([`SECRET_PARAMS`]: `?token=…`, `access_token=`, `password=`,
//! `sig=`/`signature=`, `X-Amz-Signature`, `X-Amz-Credential`,
//! `X-Goog-Signature`, `key=`, `secret=`, …) to `****`.

use compact_str::CompactString;
use std::borrow::Cow;

/// Query parameter names (ASCII case-insensitive) whose value is a
/// credential: bearer and API tokens, passwords, and the signatures and
/// credentials of signed URLs (S3 SigV4 and SigV2, GCS, Azure SAS,
/// CloudFront).
pub const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "auth_token",
    "authorization",
    "private_token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pwd",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "awsaccesskeyid",
    "x-goog-signature",
    "x-goog-credential",
    "googleaccessid",
    "key-pair-id",
    "policy",
];

/// Hide the credentials of every URL in `s`: the userinfo part and the
/// values of credential query parameters become `****`.
pub fn redact(s: &str) -> Cow<'_, str> {
    // Most text holds no URL: a credential needs an `@` or a query
    // separator, looked for in one quick pass first.
    let b = s.as_bytes();
    if memchr::memchr3(b'@', b'?', b'&', b).is_none() && memchr::memchr(b';', b).is_none() {
        return Cow::Borrowed(s);
    }
    match redact_userinfo(s) {
        Cow::Borrowed(b) => redact_query(b),
        Cow::Owned(o) => Cow::Owned(redact_query(&o).into_owned()),
    }
}

/// `?NAME=value`, `&NAME=value` or `;NAME=value` with NAME (ASCII case
/// insensitive) in [`SECRET_PARAMS`]: the value, up to the next `&`, `;`,
/// `#`, white space, quote or angle bracket, becomes `****`.
fn redact_query(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'?' | b'&' | b';') {
            let rest = &b[i + 1..];
            let name = SECRET_PARAMS.iter().find(|n| {
                rest.len() > n.len()
                    && rest[..n.len()].eq_ignore_ascii_case(n.as_bytes())
                    && rest[n.len()] == b'='
            });
            if let Some(n) = name {
                let start = i + 1 + n.len() + 1;
                let len = b[start..]
                    .iter()
                    .position(|c| {
                        matches!(c, b'&' | b';' | b'#' | b'"' | b'\'' | b'<' | b'>')
                            || c.is_ascii_whitespace()
                    })
                    .unwrap_or(b.len() - start);
                if len > 0 {
                    // `start` and `start + len` sit next to ASCII bytes:
                    // both are char boundaries.
                    let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
                    o.push_str(&s[last..start]);
                    o.push_str("****");
                    last = start + len;
                    i = last;
                    continue;
                }
            }
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[last..]);
            Cow::Owned(o)
        }
    }
}

/// Replace the userinfo part of every URL in `s` with `****`.
fn redact_userinfo(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'@', s.as_bytes()).is_none()
        || memchr::memmem::find(s.as_bytes(), b"://").is_none()
    {
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

/// [`redact`] of text that may be borrowed or owned, keeping it as it is
/// when there is nothing to hide.
pub fn redact_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(t) => redact(t),
        Cow::Owned(t) => match redact(&t) {
            Cow::Borrowed(_) => Cow::Owned(t),
            Cow::Owned(r) => Cow::Owned(r),
        },
    }
}

/// Text that has been through [`redact`]: a requirement line or URL as
/// pip-guard shows it. It can only be made by redacting
/// ([`Redacted::new`]), so whatever prints it (`Display`, `Debug`,
/// serde) prints no credential (compare uv's `DisplaySafeUrl`).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Redacted(CompactString);

impl Redacted {
    /// `text` with the credentials of every URL in it hidden.
    pub fn new(text: &str) -> Redacted {
        Redacted(CompactString::from(redact(text)))
    }

    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Redacted {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl From<&str> for Redacted {
    /// Redacts, as [`Redacted::new`].
    fn from(text: &str) -> Redacted {
        Redacted::new(text)
    }
}

impl PartialEq<str> for Redacted {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Redacted {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Text that may hold credentials and must reach pip whole (the exact
/// requirement line handed over on fallthrough). It has no `Display` and
/// no `Serialize`; its `Debug` shows the [`redact`]ed form; the text itself
/// is reached only through [`Secret::expose`], which the one builder of
/// pip's input calls (`guard::pip_input`), and `pipeline::context`, which
/// looks for a CUDA index among the index URLs and keeps it redacted
/// (`tests/architecture.rs` checks that no other file calls it).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(CompactString);

impl Secret {
    /// Keep `text` whole.
    pub fn new(text: impl Into<CompactString>) -> Secret {
        Secret(text.into())
    }

    /// The text itself, credentials included: for what is handed to pip,
    /// never for what is printed, logged or reported.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Borrowed, still secret.
    pub fn borrowed(&self) -> SecretRef<'_> {
        SecretRef(&self.0)
    }

    /// Whether the text is exactly `text` (says nothing else of it).
    pub fn is(&self, text: &str) -> bool {
        self.0 == text
    }
}

/// A borrowed [`Secret`]: the same rules, for text held elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretRef<'a>(&'a str);

impl<'a> SecretRef<'a> {
    /// Treat `text` as secret.
    pub fn new(text: &'a str) -> SecretRef<'a> {
        SecretRef(text)
    }

    /// The text itself, credentials included (see [`Secret::expose`]).
    pub fn expose(&self) -> &'a str {
        self.0
    }
}

impl std::fmt::Debug for SecretRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({:?})", redact(self.0))
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Secret {
        Secret::new(text)
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Secret {
        Secret::new(text)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({:?})", redact(&self.0))
    }
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
    fn hides_credential_query_parameters() {
        for (given, shown) in [
            ("https://h/simple?token=abc", "https://h/simple?token=****"),
            (
                "https://h/s?a=1&access_token=abc&b=2",
                "https://h/s?a=1&access_token=****&b=2",
            ),
            (
                "https://h/x?PASSWORD=p#frag",
                "https://h/x?PASSWORD=****#frag",
            ),
            (
                "https://b.s3.example/p.whl?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef",
                "https://b.s3.example/p.whl?X-Amz-Credential=****&X-Amz-Signature=****",
            ),
            (
                "https://g.example/p?X-Goog-Signature=ff x",
                "https://g.example/p?X-Goog-Signature=**** x",
            ),
            (
                "https://a.blob.example/p?sv=2020&sig=abc%3D",
                "https://a.blob.example/p?sv=2020&sig=****",
            ),
            ("u?key=k1;secret=s1", "u?key=****;secret=****"),
            (
                "\"https://h/?signature=zz\"",
                "\"https://h/?signature=****\"",
            ),
        ] {
            assert_eq!(redact(given), shown, "{given}");
        }
        // Hashes, versions and ordinary parameters stay.
        for keep in [
            "p.whl#sha256=abc",
            "https://h/p?version=1&keys=2&monkey=3",
            "name==1.0; extra == 'key'",
        ] {
            assert_eq!(redact(keep), keep);
            assert!(
                matches!(redact(keep), std::borrow::Cow::Borrowed(_)),
                "{keep}"
            );
        }
        // Both at once.
        assert_eq!(
            redact("https://u:p@h/s?token=t"),
            "https://****@h/s?token=****"
        );
    }

    #[test]
    fn several_urls() {
        assert_eq!(redact("a://u:p@h1/x b://q@h2"), "a://****@h1/x b://****@h2");
    }

    #[test]
    fn redacting_types_print_no_credential() {
        use super::{Redacted, Secret};
        let line = "pkg @ https://me:s3cret@host/p.whl?token=abc";
        let shown = Redacted::new(line);
        for text in [
            shown.to_string(),
            format!("{shown:?}"),
            serde_json::to_string(&shown).expect("serializes"),
        ] {
            assert!(!text.contains("s3cret") && !text.contains("abc"), "{text}");
            assert!(
                text.contains("pkg @ https://****@host/p.whl?token=****"),
                "{text}"
            );
        }
        let secret = Secret::new(line);
        assert_eq!(secret.expose(), line, "pip gets it whole");
        let debug = format!("{secret:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("abc"),
            "{debug}"
        );
        assert!(debug.starts_with("Secret("), "{debug}");
    }
}

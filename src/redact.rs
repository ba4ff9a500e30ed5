//! Credentials in URLs never reach output, logs or reports.
//!
//! `redact` rewrites every `scheme://user:secret@host` (and
//! `scheme://token@host`) in a string to `scheme://****@host`, and the
//! value of every query parameter that carries a credential
//! ([`SECRET_PARAMS`]: `?token=…`, `access_token=`, `password=`,
//! `sig=`/`signature=`, `X-Amz-Signature`, `X-Amz-Credential`,
//! `X-Goog-Signature`, `key=`, `secret=`, …) to `****`.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

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

/// `?NAME=value` or `&NAME=value` (also `;`), NAME in [`SECRET_PARAMS`];
/// the value runs to the next `&`, `;`, `#`, white space, quote or angle
/// bracket.
static SECRET_QUERY: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<String> = SECRET_PARAMS.iter().map(|n| regex::escape(n)).collect();
    let pattern = format!(r#"(?i)([?&;](?:{})=)[^&;#\s"'<>]+"#, names.join("|"));
    // The pattern is built from the constant list above, not from input:
    // it always compiles.
    Regex::new(&pattern).expect("SECRET_QUERY compiles")
});

/// Hide the credentials of every URL in `s`: the userinfo part and the
/// values of credential query parameters become `****`.
pub fn redact(s: &str) -> Cow<'_, str> {
    let userinfo = redact_userinfo(s);
    if !userinfo.contains('=') {
        return userinfo;
    }
    match SECRET_QUERY.replace_all(&userinfo, "${1}****") {
        Cow::Borrowed(_) => userinfo,
        Cow::Owned(o) => Cow::Owned(o),
    }
}

/// Replace the userinfo part of every URL in `s` with `****`.
fn redact_userinfo(s: &str) -> Cow<'_, str> {
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
}

//! PEP 503 name normalization.

use compact_str::CompactString;

/// Normalize a project name as PEP 503 does: lowercase, and every run of
/// `-`, `_` and `.` becomes one `-` (also at the ends, like pip's
/// `canonicalize_name`: `foo_` → `foo-`).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    normalize_into(name, &mut out);
    out
}

/// [`normalize`] as a [`CompactString`]: a name of up to 24 bytes is kept
/// inline, with no allocation (a requirement holds its normalized name).
pub fn normalize_compact(name: &str) -> CompactString {
    if is_normalized(name) {
        return CompactString::from(name);
    }
    let mut out = CompactString::with_capacity(name.len());
    normalize_into(name, &mut out);
    out
}

/// Whether `normalize(name) == name`: lowercase ASCII letters, digits and
/// single `-` between them.
fn is_normalized(name: &str) -> bool {
    let b = name.as_bytes();
    b.iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && memchr::memmem::find(b, b"--").is_none()
}

fn normalize_into(name: &str, out: &mut impl Extend<char>) {
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !sep {
                out.extend(['-']);
            }
            sep = true;
        } else if c.is_ascii() {
            // The same as `to_lowercase` for ASCII, without its iterator.
            sep = false;
            out.extend([c.to_ascii_lowercase()]);
        } else {
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, normalize_compact};

    #[test]
    fn the_compact_form_is_the_same_with_or_without_its_shortcut() {
        for name in [
            "numpy",
            "a-b",
            "a--b",
            "-a",
            "a-",
            "--",
            "A",
            "a_b",
            "a.b",
            "1-2",
            "é",
            "a-É",
            "",
            "x-y-z-1-2-3-very-long-name-beyond-twenty-four",
        ] {
            assert_eq!(normalize_compact(name), normalize(name), "{name:?}");
        }
    }

    #[test]
    fn pep503() {
        assert_eq!(normalize("Open_AI.Whisper"), "open-ai-whisper");
        assert_eq!(normalize("typing__extensions"), "typing-extensions");
        assert_eq!(normalize("ruamel.yaml"), "ruamel-yaml");
        assert_eq!(normalize("Django"), "django");
        assert_eq!(normalize("foo_"), "foo-");
        assert_eq!(normalize("_Foo"), "-foo");
    }
}

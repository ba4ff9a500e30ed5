//! Shell integration: the snippets `pip-guard init bash|zsh|fish` prints.
//!
//! The templates are the files in `shell/` (embedded at build time), so the
//! files a user sources and the text `init` prints are the same code. One
//! line of each, marked `# pip-guard:bin`, finds pip-guard on PATH when the
//! file is sourced; [`render`] replaces it with the absolute path of the
//! running binary (as direnv and starship do), so no alias or function named
//! `pip-guard` can capture the call.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

/// A shell pip-guard integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

impl Shell {
    /// The template: the file in `shell/`.
    pub fn template(self) -> &'static str {
        match self {
            Shell::Bash => include_str!("../shell/pip-guard.bash"),
            Shell::Zsh => include_str!("../shell/pip-guard.zsh"),
            Shell::Fish => include_str!("../shell/pip-guard.fish"),
        }
    }

    /// The shell's name as `init` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }
}

/// The marker on the template line that locates pip-guard.
const BIN_MARKER: &str = "# pip-guard:bin";

/// The snippet for `shell`, calling pip-guard by the absolute path `exe`.
/// The path is written with its own bytes, quoted for the shell (a path
/// that is not UTF-8 stays exactly that path, never U+FFFD); `None` when
/// no shell word can hold it (a NUL, which no path has).
pub fn render(shell: Shell, exe: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let exe = exe.as_os_str().as_bytes();
    let mut line = Vec::new();
    match shell {
        Shell::Bash | Shell::Zsh => {
            line.extend_from_slice(b"__pip_guard_bin=");
            line.extend(sh_quote_bytes(exe)?);
        }
        Shell::Fish => {
            line.extend_from_slice(b"set -g __pip_guard_bin ");
            line.extend(fish_quote_bytes(exe)?);
        }
    }
    let mut out = Vec::with_capacity(shell.template().len() + 64);
    for l in shell.template().lines() {
        if l.trim_end().ends_with(BIN_MARKER) {
            out.extend_from_slice(&line);
        } else {
            out.extend_from_slice(l.as_bytes());
        }
        out.push(b'\n');
    }
    Some(out)
}

/// Quote a word for a POSIX shell (bash, zsh, dash) and for Python's
/// `shlex.split` (how pip splits a requirements-file option line): the one
/// shell-quoting implementation, the `shlex` crate's. A word that needs no
/// quotes is left as is. A NUL (which no shell word can hold) is dropped.
pub fn sh_quote(s: &str) -> String {
    match shlex::try_quote(s) {
        Ok(q) => q.into_owned(),
        Err(_) => shlex::try_quote(&s.replace('\0', ""))
            .map(|q| q.into_owned())
            .unwrap_or_else(|_| "''".to_string()),
    }
}

/// [`sh_quote`] for bytes that need not be UTF-8 (a path): the quoted word
/// holds the same bytes. `None` for a NUL.
pub fn sh_quote_bytes(b: &[u8]) -> Option<Vec<u8>> {
    shlex::bytes::try_quote(b).ok().map(|q| q.into_owned())
}

/// fish single-quoting: `\` and `'` are escaped with a backslash (fish's
/// grammar differs from POSIX inside single quotes, so it has its own), for
/// bytes that need not be UTF-8 (fish keeps bytes it cannot decode and
/// gives them back unchanged). `None` for a NUL.
pub fn fish_quote_bytes(b: &[u8]) -> Option<Vec<u8>> {
    if b.contains(&0) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() + 2);
    out.push(b'\'');
    for &c in b {
        if c == b'\\' || c == b'\'' {
            out.push(b'\\');
        }
        out.push(c);
    }
    out.push(b'\'');
    Some(out)
}

/// `PIP_GUARD_TRACE=FILE`: append the argv pip-guard received (credentials
/// in URLs redacted), and the `PIP_GUARD_PYTHON` the shell snippet set, as
/// one JSON line to FILE.
///
/// A diagnostic for tests and for "did my shell call the guard?"; it never
/// fails the command (a trace that cannot be written is dropped).
pub fn trace_argv(settings: &crate::settings::Settings, args: &[OsString]) {
    let Some(path) = settings.env.nonempty_os("PIP_GUARD_TRACE") else {
        return;
    };
    let argv: Vec<String> = args
        .iter()
        .map(|a| crate::redact::redact(&a.to_string_lossy()).into_owned())
        .collect();
    let python = settings
        .env
        .get_os("PIP_GUARD_PYTHON")
        .map(|p| p.to_string_lossy().into_owned());
    let mut line = serde_json::json!({ "argv": argv, "python": python }).to_string();
    line.push('\n');
    // One write on an O_APPEND file: lines from concurrent processes do not interleave.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_writes_the_absolute_path_once() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let out = render(shell, Path::new("/opt/it's here/pip-guard")).expect("no NUL");
            let out = String::from_utf8(out).expect("UTF-8 in, UTF-8 out");
            assert!(!out.contains(BIN_MARKER), "{shell:?}: marker left");
            let expected = match shell {
                Shell::Fish => r"set -g __pip_guard_bin '/opt/it\'s here/pip-guard'".to_string(),
                _ => format!("__pip_guard_bin={}", sh_quote("/opt/it's here/pip-guard")),
            };
            assert_eq!(
                out.lines().filter(|l| *l == expected).count(),
                1,
                "{shell:?}:\n{out}"
            );
            // Everything else is the template unchanged.
            assert_eq!(out.lines().count(), shell.template().lines().count());
        }
    }

    #[test]
    fn every_template_has_one_marker_and_all_entry_points() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let t = shell.template();
            assert_eq!(t.matches(BIN_MARKER).count(), 1, "{shell:?}");
            let mut names = vec![
                "pip".to_string(),
                "pip3".into(),
                "python".into(),
                "python3".into(),
            ];
            for n in 8..=14 {
                names.push(format!("pip3.{n}"));
                names.push(format!("python3.{n}"));
            }
            for name in names {
                let def = format!("function {name} ");
                assert!(
                    t.lines().any(|l| l.trim_start().starts_with(&def)),
                    "{shell:?} lacks {def}"
                );
            }
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("plain/path-1.0"), "plain/path-1.0");
        assert_eq!(sh_quote(""), "''");
        for w in ["a b", "it's", "a\"b$c`d\\e!f#g", "x\ny", "~user", "*"] {
            assert_eq!(shlex::split(&sh_quote(w)), Some(vec![w.to_string()]), "{w}");
        }
        assert_eq!(sh_quote("a\0b"), "ab");
        assert_eq!(
            sh_quote_bytes(b"/opt/\xff x"),
            Some(b"'/opt/\xff x'".to_vec())
        );
        assert_eq!(
            fish_quote_bytes(br"a\b'c").as_deref(),
            Some(&br"'a\\b\'c'"[..])
        );
    }
}

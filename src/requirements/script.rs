//! PEP 723 inline script metadata (`--requirements-from-script FILE`), read
//! as pip 26.3's `pip/_internal/req/pep723.py` does: exactly one
//! `# /// script` block, its comment prefix removed, parsed as TOML, and its
//! `dependencies` taken as requirement strings.

use super::fs::Fs;
use super::tomlspan::{self, line_of_span, SVal};
use regex::Regex;
use std::path::Path;
use std::sync::OnceLock;

/// A dependency string and its 1-based line in the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptDependency {
    /// The PEP 508 string.
    pub text: String,
    /// The script line it is written on.
    pub line: usize,
}

/// What the script asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptMetadata {
    /// `requires-python`, when given.
    pub requires_python: Option<String>,
    /// `dependencies`, in order.
    pub dependencies: Vec<ScriptDependency>,
}

/// An error and the script line it is about, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn block_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)]
        Regex::new(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(?:^#(?:| .*)$\s)+)^# ///$")
            .expect("constant regex")
    })
}

/// Read a script's metadata (pip's `pep723_metadata`).
pub fn read(path: &Path, shown: &str, fs: &dyn Fs) -> Result<ScriptMetadata, ScriptError> {
    let e = |line: Option<usize>, message: String| ScriptError { line, message };
    let bytes = fs
        .read(path)
        .map_err(|err| e(None, format!("cannot read script {shown}: {err}")))?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let line = bytes_line(err.as_bytes(), err.utf8_error().valid_up_to());
        e(Some(line), format!("script {shown} is not valid UTF-8"))
    })?;
    // Python's text mode reads universal newlines.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    parse(&text, shown)
}

fn bytes_line(b: &[u8], offset: usize) -> usize {
    b[..offset.min(b.len())]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        + 1
}

/// Parse metadata from a script's text (newlines already `\n`).
pub fn parse(text: &str, shown: &str) -> Result<ScriptMetadata, ScriptError> {
    let e = |line: Option<usize>, message: String| ScriptError { line, message };
    let blocks: Vec<regex::Captures<'_>> = block_regex()
        .captures_iter(text)
        .filter(|c| c.name("type").is_some_and(|t| t.as_str() == "script"))
        .collect();
    if blocks.len() > 1 {
        let line = blocks
            .get(1)
            .and_then(|c| c.get(0))
            .map(|m| tomlspan::line_of(text, m.start()));
        return Err(e(
            line,
            format!("Multiple 'script' blocks found in '{shown}'"),
        ));
    }
    let Some(block) = blocks.first() else {
        return Err(e(
            None,
            format!("File does not contain 'script' metadata: '{shown}'"),
        ));
    };
    let Some(content) = block.name("content") else {
        return Err(e(
            None,
            format!("File does not contain 'script' metadata: '{shown}'"),
        ));
    };
    let first_line = tomlspan::line_of(text, content.start());
    let toml_text: String = content
        .as_str()
        .split_inclusive('\n')
        .map(|l| {
            l.strip_prefix("# ")
                .or_else(|| l.strip_prefix('#'))
                .unwrap_or(l)
        })
        .collect();
    let doc = tomlspan::parse(&toml_text).map_err(|(line, m)| {
        e(
            Some(first_line + line - 1),
            format!("Failed to parse TOML in '{shown}': {m}"),
        )
    })?;
    let mut meta = ScriptMetadata::default();
    if let Some(rp) = doc.get("requires-python") {
        meta.requires_python = rp.get_ref().as_str().map(str::to_string);
    }
    if let Some(deps) = doc.get("dependencies") {
        let at = |span| first_line + line_of_span(&toml_text, span) - 1;
        match deps.get_ref() {
            SVal::Array(items) => {
                for item in items {
                    match item.get_ref().as_str() {
                        Some(s) => meta.dependencies.push(ScriptDependency {
                            text: s.to_string(),
                            line: at(item.span()),
                        }),
                        None => {
                            return Err(e(
                                Some(at(item.span())),
                                format!(
                                    "a dependency in '{shown}' is {}, not a string",
                                    item.get_ref().type_name()
                                ),
                            ))
                        }
                    }
                }
            }
            // pip iterates whatever it gets: a string gives its characters.
            SVal::Str(s) => {
                for c in s.chars() {
                    meta.dependencies.push(ScriptDependency {
                        text: c.to_string(),
                        line: at(deps.span()),
                    });
                }
            }
            other => {
                return Err(e(
                    Some(at(deps.span())),
                    format!(
                        "`dependencies` in '{shown}' is {}, not an array",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_block_with_lines() {
        let s = "#!/usr/bin/env python\n# /// script\n# requires-python = \">=3.11\"\n# dependencies = [\n#   \"requests<3\",\n#   \"rich\",\n# ]\n# ///\nprint(1)\n";
        let m = parse(s, "s.py").expect("test setup");
        assert_eq!(m.requires_python.as_deref(), Some(">=3.11"));
        let got: Vec<(&str, usize)> = m
            .dependencies
            .iter()
            .map(|d| (d.text.as_str(), d.line))
            .collect();
        assert_eq!(got, vec![("requests<3", 5), ("rich", 6)]);
    }

    #[test]
    fn errors() {
        assert!(parse("print(1)\n", "s.py").is_err());
        let two =
            "# /// script\n# dependencies = []\n# ///\n# /// script\n# dependencies = []\n# ///\n";
        assert!(parse(two, "s.py").is_err());
        assert!(parse("# /// script\n# dependencies = [\n# ///\n", "s.py").is_err());
        // Other block types are ignored.
        let other =
            "# /// pyproject\n# x = 1\n# ///\n\n# /// script\n# dependencies = [\"a\"]\n# ///\n";
        assert_eq!(
            parse(other, "s.py").expect("test setup").dependencies.len(),
            1
        );
        // ...but a block runs greedily to the last `# ///` of adjacent comment lines (as in pip).
        let greedy =
            "# /// pyproject\n# x = 1\n# ///\n# /// script\n# dependencies = [\"a\"]\n# ///\n";
        assert!(parse(greedy, "s.py").is_err());
    }
}

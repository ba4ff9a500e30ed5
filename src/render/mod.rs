//! Output formats: text for people; JSON, Markdown and GitHub annotations
//! for machines. Renderers write to a `String`; the caller prints it.

pub mod json;
pub mod text;

/// The `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Grouped by tier, one line per requirement.
    Text,
    /// Schema `pip-guard.audit/v1`.
    Json,
    /// A table for a pull-request comment.
    Markdown,
    /// GitHub workflow commands.
    Github,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format {other:?} (expected text, json, markdown or github)"
            )),
        }
    }
}

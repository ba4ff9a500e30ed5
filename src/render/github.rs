//! `--format github`: GitHub Actions workflow commands, one per blocked or
//! warned requirement (`::error file=…,line=…::message`).

use crate::escape;
use crate::origin::Origin;
use crate::plan::Plan;
use crate::policy::Verdict;
use crate::redact::redact;
use std::fmt::Write;

/// A workflow-command message: redacted, control characters shown
/// visibly, then GitHub's data escapes.
fn escape_data(s: &str) -> String {
    escape::github_data(&escape::terminal(&redact(s)))
}

/// A workflow-command property value: as [`escape_data`], plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape::github_property(&escape::terminal(&redact(s)))
}

/// The report as workflow commands, then a one-line summary.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    for e in &plan.entries {
        let level = match e.verdict {
            Verdict::Block => "error",
            Verdict::Warn => "warning",
            Verdict::Allow => continue,
        };
        // Properties are `key=value` pairs separated by commas.
        let location = match &e.req.origin {
            Origin::File { file, line } => {
                format!(
                    "file={},line={line},",
                    escape_property(&escape::terminal_os(file.as_os_str()))
                )
            }
            Origin::Arg(_) => String::new(),
        };
        let name = e.req.name.as_deref().unwrap_or(&e.req.raw).to_string();
        let message = format!(
            "{} ({}): {}",
            name,
            e.res.tier.as_str(),
            e.reasons().collect::<Vec<_>>().join("; ")
        );
        let _ = writeln!(
            out,
            "::{level} {location}title=pip-guard::{}",
            escape_data(&message)
        );
    }
    let s = plan.summary();
    let _ = writeln!(
        out,
        "pip-guard: {} requirement(s): {} blocked, {} warned, {} allowed",
        s.total, s.blocked, s.warned, s.allowed
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn escapes() {
        // Control characters are shown (`\n`), never sent raw.
        assert_eq!(escape_data("a%b\nc\x1b"), "a%25b\\nc\\e");
        assert_eq!(
            escape_data("x ::add-mask::y ##[error]"),
            "x ::add-mask::y ##\u{200B}[error]"
        );
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}

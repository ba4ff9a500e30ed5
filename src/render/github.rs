//! `--format github`: GitHub Actions workflow commands, one per blocked or
//! warned requirement (`::error file=…,line=…::message`).

use crate::origin::Origin;
use crate::plan::Plan;
use crate::policy::Verdict;
use crate::redact::redact;
use std::fmt::Write;

/// Escape a workflow-command message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
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
                    escape_property(&file.to_string_lossy())
                )
            }
            Origin::Arg(_) => String::new(),
        };
        let name = e.req.name.clone().unwrap_or_else(|| e.req.raw.clone());
        let message = format!(
            "{} ({}): {}",
            name,
            e.res.tier.as_str(),
            e.res.reasons.join("; ")
        );
        let _ = writeln!(
            out,
            "::{level} {location}title=pip-guard::{}",
            escape_data(&redact(&message))
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
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}

//! `--format markdown`: a table fit for a pull-request comment.

use crate::escape;
use crate::plan::Plan;
use crate::policy::Verdict;
use crate::redact::redact;
use std::fmt::Write;

/// Text for a Markdown table cell: redacted, then escaped.
fn cell(s: &str) -> String {
    escape::markdown_cell(&redact(s))
}

/// Text for a Markdown table cell as code when it can be: redacted, then
/// escaped.
fn code(s: &str) -> String {
    escape::markdown_code(&redact(s))
}

/// The report as GitHub-flavoured Markdown.
pub fn render(plan: &Plan) -> String {
    let s = plan.summary();
    let mut out = String::new();
    let status = if s.blocked > 0 {
        "❌ blocked"
    } else if s.warned > 0 {
        "⚠️ warnings"
    } else {
        "✅ ok"
    };
    let _ = writeln!(out, "### pip-guard audit: {status}\n");
    let _ = writeln!(
        out,
        "{} requirement(s) for Python {} ({}), index `{}` · policy `{}`\n",
        s.total,
        cell(&plan.target.python_version),
        cell(&plan.target.package_set),
        serde_json::to_value(plan.index.source)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        plan.policy_mode.as_str()
    );
    let _ = writeln!(
        out,
        "| Verdict | Requirement | Where | Tier | Nix / reason |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for e in &plan.entries {
        let verdict = match e.verdict {
            Verdict::Block => "❌ block",
            Verdict::Warn => "⚠️ warn",
            Verdict::Allow => "✅ allow",
        };
        let what = match (&e.res.nix, e.res.native.first()) {
            (Some(n), _) if e.res.tier == crate::resolve::Tier::Nixpkgs => code(&n.attr),
            (_, Some(a)) if e.res.tier == crate::resolve::Tier::Native => code(&a.attr),
            _ => cell(&e.reasons().next().unwrap_or_default()),
        };
        let _ = writeln!(
            out,
            "| {verdict} | {} | {} | {} | {what} |",
            code(&e.req.raw),
            cell(&e.req.origin.to_string()),
            e.res.tier.as_str(),
        );
    }
    let _ = writeln!(
        out,
        "\n**{}** nixpkgs · **{}** native · **{}** dev-shell · **{}** pip · **{}** skipped — **{}** blocked, **{}** warned",
        s.nixpkgs, s.native, s.dev_shell, s.pip, s.skipped, s.blocked, s.warned
    );
    out
}
